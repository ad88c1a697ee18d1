package org.adam4j.reference;

import java.util.List;

/**
 * The configuration of one of Adam's relatives: {@link AdamaxConfig}, {@link NAdamConfig}, {@link RAdamConfig},
 * {@link SgdConfig}, {@link RmspropConfig} or {@link AdagradConfig}. Each is validated as PyTorch 1.13's constructor
 * validates it (with PyTorch's messages) and hands out the per-step scalars its reference and kernels share.
 */
public sealed interface RelativeConfig
        permits AdamaxConfig, NAdamConfig, RAdamConfig, SgdConfig, RmspropConfig, AdagradConfig {
    /** PyTorch's lower-case name: {@code adamax}, {@code nadam}, {@code radam}, {@code sgd}, {@code rmsprop}, {@code adagrad}. */
    String optimizer();

    /** The (initial) learning rate. */
    double lr();

    /** The per-element state arrays a step with this configuration needs, by PyTorch's names, in argument order. */
    List<String> stateNames();
}
