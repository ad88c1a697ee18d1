package org.adam4j.train;

import java.util.List;

/** What {@code ./adam4j demo functions} runs: which optimizers, at which learning rate, for how many steps. */
public final class FunctionDemo {
    /** The optimizers the demo compares, as the issue lists them. */
    public static final List<String> OPTIMIZERS = List.of("adam", "sgd", "sgd-momentum", "rmsprop", "adagrad");
    public static final int STEPS = 10_000;
    /**
     * The most steps a run may take: each optimizer's path is kept, 16 bytes a step, and drawn; a million steps is
     * 16 MB per path, a hundred times the default, and far past where any of these runs settles.
     */
    public static final int MAX_STEPS = 1_000_000;

    private FunctionDemo() {
    }

    /**
     * The learning rate of {@code optimizer} in the demo, one for all three functions, measured with the demo itself
     * (10,000 steps, rates 1e-4 to 1 in steps of about 3x): the fastest rate that reaches Beale's and Rosenbrock's
     * minima within the budget without diverging or stalling. Steps to the goal at these rates (Beale, Rosenbrock,
     * saddle): adam 2020, 4409, 77; adamax 805, 3025, 16; nadam 3361, 6413, 127; radam 4709, 9328, 389; sgd 9786,
     * 8500, 1731 (0.01 diverges on Rosenbrock); sgd-momentum 572, 509, 168 (0.01 diverges); rmsprop 2575, 8347, 670
     * (faster rates oscillate short of Rosenbrock's minimum); adagrad 400, 8923, 2. AdamW's decoupled weight decay
     * pulls every point towards the origin, so it stops short of Rosenbrock's (1, 1) at any rate; it gets Adam's.
     */
    public static double lr(String optimizer) {
        return switch (Optimizers.normalize(optimizer)) {
            case "adam", "adamw" -> 0.01;
            case "adamax" -> 0.1;
            case "nadam", "radam" -> 0.005;
            case "sgd" -> 0.002;
            case "sgd-momentum" -> 0.003;
            case "rmsprop" -> 0.001;
            case "adagrad" -> 0.5;
            default -> throw new IllegalStateException(optimizer);
        };
    }
}
