package org.adam4j.train;

import java.util.Arrays;
import org.adam4j.optim.Optimizer;

/**
 * One optimizer on one {@link TestFunction}: the parameter is the 2-element array (x, y), stepped through the
 * optimizer API ({@link Optimizer}, built by {@link Optimizers#create}) as in training.
 *
 * @param xs, ys          the path, starting point first, one point per step (shorter when the run diverged)
 * @param stepsToGoal     the first step at which {@link TestFunction#reached} held, or -1
 * @param divergedAtStep  the step at which the point stopped being finite, or -1
 */
public record FunctionRun(String optimizer, TestFunction function, double lr, double[] xs, double[] ys,
        int stepsToGoal, int divergedAtStep) {

    /** Runs {@code steps} steps of {@code optimizer} (by name) at {@code lr} from the function's start. */
    public static FunctionRun run(TestFunction f, String optimizer, double lr, int steps) {
        if (steps < 1 || steps > FunctionDemo.MAX_STEPS) {
            throw new IllegalArgumentException("steps must be 1 to " + FunctionDemo.MAX_STEPS + ", got " + steps);
        }
        try (Optimizer<?> opt = Optimizers.create(optimizer, lr, 1)) {
            return run(f, opt, optimizer, lr, steps);
        }
    }

    private static FunctionRun run(TestFunction f, Optimizer<?> opt, String optimizer, double lr, int steps) {
        double[] p = f.start();
        double[] g = new double[2];
        opt.defaultGroup().add(p, g);
        double[] xs = new double[steps + 1];
        double[] ys = new double[steps + 1];
        xs[0] = p[0];
        ys[0] = p[1];
        int goal = f.reached(p[0], p[1]) ? 0 : -1;
        for (int t = 1; t <= steps; t++) {
            f.gradient(p[0], p[1], g);
            opt.step();
            if (!Double.isFinite(p[0]) || !Double.isFinite(p[1])) {
                return new FunctionRun(optimizer, f, lr, Arrays.copyOf(xs, t), Arrays.copyOf(ys, t), goal, t);
            }
            xs[t] = p[0];
            ys[t] = p[1];
            if (goal < 0 && f.reached(p[0], p[1])) {
                goal = t;
            }
        }
        return new FunctionRun(optimizer, f, lr, xs, ys, goal, -1);
    }

    public double finalX() {
        return xs[xs.length - 1];
    }

    public double finalY() {
        return ys[ys.length - 1];
    }
}
