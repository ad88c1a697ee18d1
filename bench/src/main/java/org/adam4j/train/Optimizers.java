package org.adam4j.train;

import java.util.List;
import java.util.Locale;
import org.adam4j.reference.AdamConfig;

/**
 * The optimizers {@code train} and {@code demo functions} know by name, and the one factory that builds them.
 *
 * <p>Only Adam and AdamW exist on main today. The others are named here so that the commands can list them and
 * refuse them with a message saying why; they become available through the optimizer API (issue 5) once the
 * relatives (issue 6) are in it, by changing {@link #create} and {@link #AVAILABLE} alone.
 */
public final class Optimizers {
    /** Every name the commands accept, available or not, in the order the issue lists them. */
    public static final List<String> NAMES = List.of("adam", "adamw", "adamax", "nadam", "radam", "sgd",
            "sgd-momentum", "rmsprop", "adagrad");
    /** The names {@link #create} builds today. */
    public static final List<String> AVAILABLE = List.of("adam", "adamw");
    /** AdamW's default {@code weight_decay} in PyTorch. */
    static final double ADAMW_WEIGHT_DECAY = 1e-2;

    private Optimizers() {
    }

    /** {@code name} in lower case, checked to be a known name. */
    public static String normalize(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        if (!NAMES.contains(n)) {
            throw new IllegalArgumentException("unknown optimizer '" + name + "'; expected one of " + String.join(", ", NAMES));
        }
        return n;
    }

    public static boolean available(String name) {
        return AVAILABLE.contains(normalize(name));
    }

    /**
     * The learning rate used when none is given: PyTorch's default where it has one (Adam, AdamW, RAdam 1e-3;
     * AdaMax, NAdam 2e-3; RMSProp, AdaGrad 1e-2), and 0.1 for SGD, which has none.
     */
    public static double defaultLr(String name) {
        return switch (normalize(name)) {
            case "adam", "adamw", "radam" -> 1e-3;
            case "adamax", "nadam" -> 2e-3;
            case "rmsprop", "adagrad" -> 1e-2;
            default -> 0.1;
        };
    }

    /**
     * A fresh optimizer (no state, step count 0).
     *
     * @param threads how many threads each step may use; the result does not depend on it
     * @throws IllegalArgumentException for an unknown name, one not available yet, or a bad learning rate
     */
    public static TrainableOptimizer create(String name, double lr, int threads) {
        String n = normalize(name);
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        return switch (n) {
            case "adam" -> new KernelAdamOptimizer("adam", AdamConfig.builder().lr(lr).build(), threads);
            case "adamw" -> new KernelAdamOptimizer("adamw",
                    AdamConfig.builder().lr(lr).decoupled(ADAMW_WEIGHT_DECAY).build(), threads);
            default -> throw new IllegalArgumentException("optimizer '" + n + "' is not available yet: it comes with"
                    + " the optimizer API and its relatives (issues 5 and 6); available now: "
                    + String.join(", ", AVAILABLE));
        };
    }
}
