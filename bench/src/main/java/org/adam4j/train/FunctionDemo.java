package org.adam4j.train;

import java.util.List;

/** What {@code ./adam4j demo functions} runs: which optimizers, at which learning rate, for how many steps. */
public final class FunctionDemo {
    /** The optimizers the demo compares, as the issue lists them. */
    public static final List<String> OPTIMIZERS = List.of("adam", "sgd", "sgd-momentum", "rmsprop", "adagrad");
    public static final int STEPS = 10_000;

    private FunctionDemo() {
    }

    /**
     * The learning rate for {@code optimizer} on {@code f}. Adam's 0.01 is measured: it reaches Beale's minimum in
     * about 2,000 steps and Rosenbrock's in about 4,400 (0.1 is faster on Beale but stalls short of Rosenbrock's).
     * The relatives get their general default here until their own rates are measured (issue 6).
     */
    public static double lr(TestFunction f, String optimizer) {
        return switch (Optimizers.normalize(optimizer)) {
            case "adam", "adamw" -> 0.01;
            default -> Optimizers.defaultLr(optimizer);
        };
    }
}
