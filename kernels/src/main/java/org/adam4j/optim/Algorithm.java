package org.adam4j.optim;

import java.util.List;
import java.util.Objects;
import org.adam4j.kernels.AdamKernel_F32;
import org.adam4j.kernels.AdamKernel_F64;
import org.adam4j.kernels.AdamKernels;
import org.adam4j.reference.AdagradConfig;
import org.adam4j.reference.AdamConfig;
import org.adam4j.reference.AdamaxConfig;
import org.adam4j.reference.NAdamConfig;
import org.adam4j.reference.RAdamConfig;
import org.adam4j.reference.RelativeConfig;
import org.adam4j.reference.RmspropConfig;
import org.adam4j.reference.SgdConfig;

/**
 * What the optimizer core needs to know about the algorithm of a group's configuration (an {@link AdamConfig} or a
 * {@link RelativeConfig}): its name, its per-element state by PyTorch's names, its base learning rate and the per-step
 * scalars its kernels take. Everything else (parameters, groups, schedules, threads, state files) is the same for
 * every algorithm and lives in {@link AdamOptimizer}, {@link ParamGroup} and {@link Param}.
 */
final class Algorithm {
    /** PyTorch's name of NAdam's per-parameter scalar state, the product of the momentum coefficients so far. */
    static final String MU_PRODUCT = "mu_product";

    private Algorithm() {
    }

    /** The configuration, checked to be one the optimizer knows. */
    static Object require(Object config) {
        Objects.requireNonNull(config, "config");
        if (!(config instanceof AdamConfig) && !(config instanceof RelativeConfig)) {
            throw new IllegalArgumentException("not an optimizer configuration: " + config.getClass().getName());
        }
        return config;
    }

    /** {@code adam} (Adam and AdamW: the weight decay mode is part of the configuration) or the relative's name. */
    static String name(Object config) {
        return config instanceof RelativeConfig r ? r.optimizer() : StateFile.ALGORITHM;
    }

    static double lr(Object config) {
        return config instanceof RelativeConfig r ? r.lr() : ((AdamConfig) config).lr();
    }

    /** The per-element state arrays, by PyTorch's names, in the order the kernels take them and files hold them. */
    static List<String> stateNames(Object config) {
        if (config instanceof RelativeConfig r) {
            return r.stateNames();
        }
        return ((AdamConfig) config).amsgrad() ? List.of("exp_avg", "exp_avg_sq", "max_exp_avg_sq")
                : List.of("exp_avg", "exp_avg_sq");
    }

    /** Whether a parameter keeps NAdam's {@code mu_product}. */
    static boolean hasMuProduct(Object config) {
        return config instanceof NAdamConfig;
    }

    /** The value a state array starts with: AdaGrad's {@code initial_accumulator_value} for its sum, else 0. */
    static double initialState(Object config, String name) {
        return config instanceof AdagradConfig a && name.equals("sum") ? a.initialAccumulatorValue() : 0.0;
    }

    /** Whether the algorithm's kernels step {@link java.lang.foreign.MemorySegment}s (only Adam's do). */
    static boolean segments(Object config) {
        return config instanceof AdamConfig;
    }

    /**
     * The scalars of parameter step {@code t} at learning rate {@code lr}; {@code muProductBefore} is the parameter's
     * {@code mu_product} (NAdam only).
     */
    static Object scalars(Object config, long t, double lr, double muProductBefore) {
        return switch (config) {
            case AdamConfig c -> c.step(t, lr);
            case AdamaxConfig c -> c.step(t, lr);
            case NAdamConfig c -> c.step(t, lr, muProductBefore);
            case RAdamConfig c -> c.step(t, lr);
            case SgdConfig c -> c.step(t, lr);
            case RmspropConfig c -> c.step(t, lr);
            case AdagradConfig c -> c.step(t, lr);
            default -> throw new IllegalArgumentException("not an optimizer configuration: " + config);
        };
    }

    /** The kernels of every algorithm, of one kind (a name of {@link AdamKernels#names()} or the default). */
    record Kernels(AdamKernel_F32 adam_F32, AdamKernel_F64 adam_F64) {
        static Kernels of(String name) {
            return name == null ? new Kernels(AdamKernels.f32(), AdamKernels.f64())
                    : new Kernels(AdamKernels.f32(name), AdamKernels.f64(name));
        }
    }
}
