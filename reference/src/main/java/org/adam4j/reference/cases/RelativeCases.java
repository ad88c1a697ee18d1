package org.adam4j.reference.cases;

import java.util.List;
import java.util.Set;
import org.adam4j.reference.AdagradConfig;
import org.adam4j.reference.AdamaxConfig;
import org.adam4j.reference.NAdamConfig;
import org.adam4j.reference.RAdamConfig;
import org.adam4j.reference.RelativeConfig;
import org.adam4j.reference.RmspropConfig;
import org.adam4j.reference.SgdConfig;

/**
 * Maps the cases of Adam's relatives ({@code adamax}, {@code nadam}, {@code radam}, {@code sgd}, {@code rmsprop},
 * {@code adagrad}) to their {@link RelativeConfig}, with PyTorch 1.13's defaults for absent keys. Switch on the
 * result's type to pick the reference or kernel ({@code case AdamaxConfig a -> ...}).
 */
public final class RelativeCases {
    /** The optimizer names of the relatives, as case.json spells them. */
    public static final Set<String> OPTIMIZERS = Set.of("adamax", "nadam", "radam", "sgd", "rmsprop", "adagrad");

    private RelativeCases() {
    }

    /** Whether adam4j replays this case as one of Adam's relatives. */
    public static boolean isRelative(ReferenceCase c) {
        return OPTIMIZERS.contains(c.optimizer);
    }

    /**
     * The configuration PyTorch used.
     *
     * @throws CaseFormatException if the case is not a relative, names an option adam4j does not implement, lacks a
     *                             required one (SGD's lr), or has a value PyTorch refuses
     */
    public static RelativeConfig config(ReferenceCase c) throws CaseFormatException {
        try {
            return switch (c.optimizer) {
                case "adamax" -> {
                    c.requireOnlyKeys(List.of("lr", "betas", "eps", "weight_decay", "maximize"));
                    double[] b = c.pair("betas", 0.9, 0.999);
                    yield new AdamaxConfig(c.number("lr", 2e-3), b[0], b[1], c.number("eps", 1e-8),
                            c.number("weight_decay", 0.0), c.bool("maximize", false));
                }
                case "nadam" -> {
                    c.requireOnlyKeys(List.of("lr", "betas", "eps", "weight_decay", "momentum_decay"));
                    double[] b = c.pair("betas", 0.9, 0.999);
                    yield new NAdamConfig(c.number("lr", 2e-3), b[0], b[1], c.number("eps", 1e-8),
                            c.number("weight_decay", 0.0), c.number("momentum_decay", 4e-3));
                }
                case "radam" -> {
                    c.requireOnlyKeys(List.of("lr", "betas", "eps", "weight_decay"));
                    double[] b = c.pair("betas", 0.9, 0.999);
                    yield new RAdamConfig(c.number("lr", 1e-3), b[0], b[1], c.number("eps", 1e-8),
                            c.number("weight_decay", 0.0));
                }
                case "sgd" -> {
                    c.requireOnlyKeys(List.of("lr", "momentum", "dampening", "weight_decay", "nesterov", "maximize"));
                    double lr = c.number("lr", Double.NaN);
                    if (Double.isNaN(lr)) {
                        throw new CaseFormatException(c.file() + ": sgd needs 'lr' (PyTorch has no default for it)");
                    }
                    yield new SgdConfig(lr, c.number("momentum", 0.0), c.number("dampening", 0.0),
                            c.number("weight_decay", 0.0), c.bool("nesterov", false), c.bool("maximize", false));
                }
                case "rmsprop" -> {
                    c.requireOnlyKeys(List.of("lr", "alpha", "eps", "weight_decay", "momentum", "centered",
                            "maximize"));
                    yield new RmspropConfig(c.number("lr", 1e-2), c.number("alpha", 0.99), c.number("eps", 1e-8),
                            c.number("weight_decay", 0.0), c.number("momentum", 0.0), c.bool("centered", false),
                            c.bool("maximize", false));
                }
                case "adagrad" -> {
                    c.requireOnlyKeys(List.of("lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps",
                            "maximize"));
                    yield new AdagradConfig(c.number("lr", 1e-2), c.number("lr_decay", 0.0),
                            c.number("weight_decay", 0.0), c.number("initial_accumulator_value", 0.0),
                            c.number("eps", 1e-10), c.bool("maximize", false));
                }
                default -> throw new CaseFormatException(c.file() + ": optimizer '" + c.optimizer
                        + "' is not one of Adam's relatives (" + String.join(", ", OPTIMIZERS.stream().sorted()
                        .toList()) + ")");
            };
        } catch (IllegalArgumentException e) {
            throw new CaseFormatException(c.file() + ": " + e.getMessage());
        }
    }
}
