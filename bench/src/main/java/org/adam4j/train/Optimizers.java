package org.adam4j.train;

import java.util.List;
import java.util.Locale;
import org.adam4j.optim.Optimizer;
import org.adam4j.optim.Precision;
import org.adam4j.optim.StatePrecision;
import org.adam4j.reference.Hyperparameters;
import org.adam4j.reference.OptimizerConfig;
import org.adam4j.reference.Rounding;

/**
 * The optimizers {@code train} and {@code demo functions} know by name, built through the optimizer API
 * ({@link Optimizer}, configured by name through {@link OptimizerConfig#fromPyTorch}) with PyTorch's hyperparameters except the learning rate.
 */
public final class Optimizers {
    /** Every name the commands accept, in the order the issue lists them. */
    public static final List<String> NAMES = List.of("adam", "adamw", "adamax", "nadam", "radam", "sgd",
            "sgd-momentum", "rmsprop", "adagrad");
    /** The momentum of {@code sgd-momentum}, the value most papers and tutorials use. */
    public static final double SGD_MOMENTUM = 0.9;

    private Optimizers() {
    }

    /** {@code name} in lower case, checked to be a known name. */
    public static String normalize(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        if (!NAMES.contains(n)) {
            throw new IllegalArgumentException("unknown optimizer '" + name + "'; expected one of "
                    + String.join(", ", NAMES));
        }
        return n;
    }

    /**
     * The learning rate {@code train} uses when none is given: PyTorch's default where it has one (Adam, AdamW,
     * RAdam 1e-3; AdaMax, NAdam 2e-3; RMSProp, AdaGrad 1e-2). SGD has none in PyTorch: 0.1 for plain SGD, and 0.01
     * with momentum 0.9, whose steps settle at {@code lr / (1 - momentum)}, ten times {@code lr}, so that both take
     * steps of the same size.
     */
    public static double defaultLr(String name) {
        return switch (normalize(name)) {
            case "adam", "adamw", "radam" -> 1e-3;
            case "adamax", "nadam" -> 2e-3;
            case "rmsprop", "adagrad", "sgd-momentum" -> 1e-2;
            default -> 0.1;
        };
    }

    /**
     * A fresh optimizer (no state, step count 0) with no parameters yet.
     *
     * @param threads how many threads each step may use; the result does not depend on it
     * @throws IllegalArgumentException for an unknown name or a bad learning rate or thread count
     */
    public static Optimizer<?> create(String name, double lr, int threads) {
        return create(name, lr, threads, Rounding.NEAREST, 0L);
    }

    /**
     * As {@link #create(String, double, int)}, storing bf16 and fp16 parameters after each step by {@code rounding}
     * ({@code seed} keys stochastic rounding).
     */
    public static Optimizer<?> create(String name, double lr, int threads, Rounding rounding, long seed) {
        return create(name, lr, threads, rounding, seed, StatePrecision.F32);
    }

    /**
     * As {@link #create(String, double, int, Rounding, long)}, keeping the optimizer state in {@code state}.
     *
     * @throws IllegalArgumentException also for a state precision the optimizer cannot keep (see
     *     {@link StatePrecision#supportedBy})
     */
    public static Optimizer<?> create(String name, double lr, int threads, Rounding rounding, long seed,
            StatePrecision state) {
        String n = normalize(name);
        Hyperparameters.Builder h = Hyperparameters.builder().number("lr", lr);
        if (n.equals("sgd-momentum")) {
            h.number("momentum", SGD_MOMENTUM);
        }
        OptimizerConfig config = OptimizerConfig.fromPyTorch(n.equals("sgd-momentum") ? "sgd" : n, h.build());
        return Optimizer.of(config).threads(threads).rounding(rounding).roundingSeed(seed).statePrecision(state)
                .build();
    }

    /**
     * Refuses, before anything is built for training, an optimizer that cannot keep its state in {@code state} for
     * parameters of {@code precision}, with the optimizer API's own reason.
     *
     * @throws IllegalArgumentException saying why
     */
    public static void requireSupported(String name, Precision precision, StatePrecision state) {
        try (Optimizer<?> opt = create(name, 1e-3, 1, Rounding.NEAREST, 0L, state)) {
            String why = state.supportedFor(precision);
            if (why != null) {
                throw new IllegalArgumentException(why);
            }
        }
    }

    /**
     * The optimizer and its hyperparameters in PyTorch's terms, its kernel and threads (and its default group's state
     * precision, when compact), for the progress output.
     */
    public static String describe(String name, Optimizer<?> optimizer) {
        StatePrecision state = optimizer.defaultGroup().statePrecision();
        return name + " " + optimizer.defaultGroup().config() + (state == StatePrecision.F32 ? "" : " with "
                + state.label() + " states") + " on kernel " + optimizer.kernelName() + ", " + optimizer.threads()
                + " thread" + (optimizer.threads() == 1 ? "" : "s");
    }
}
