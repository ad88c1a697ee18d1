package org.adam4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.adam4j.optim.Optimizer;
import org.adam4j.reference.SgdConfig;
import org.junit.jupiter.api.Test;

class FunctionRunTest {
    /** A fixed budget: Adam at lr 0.01 needs about 2,000 steps on Beale and 4,400 on Rosenbrock. */
    private static final int BUDGET = 6000;

    private static void reachesTheMinimum(TestFunction f) {
        FunctionRun run = FunctionRun.run(f, "adam", FunctionDemo.lr("adam"), BUDGET);
        double[] min = f.minimum();
        assertTrue(run.stepsToGoal() > 0 && run.stepsToGoal() <= BUDGET, f + ": " + run.stepsToGoal());
        assertEquals(-1, run.divergedAtStep());
        // It stays there: the final point is within the tolerance too.
        double distance = Math.hypot(run.finalX() - min[0], run.finalY() - min[1]);
        assertTrue(distance <= TestFunction.TOLERANCE, f + " ends at distance " + distance);
        assertEquals(BUDGET + 1, run.xs().length);
    }

    @Test
    void adamReachesBealesMinimum() {
        reachesTheMinimum(TestFunction.BEALE);
    }

    @Test
    void adamReachesRosenbrocksMinimum() {
        reachesTheMinimum(TestFunction.ROSENBROCK);
    }

    @Test
    void adamLeavesTheSaddle() {
        FunctionRun run = FunctionRun.run(TestFunction.SADDLE, "adam", 0.01, 1000);
        assertTrue(run.stepsToGoal() > 0, "never got |y| >= 1");
        assertTrue(Math.abs(run.finalY()) > 5, "final y " + run.finalY());
        assertTrue(TestFunction.SADDLE.value(run.finalX(), run.finalY()) < -25);
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        double h = 1e-6;
        double[] g = new double[2];
        for (TestFunction f : TestFunction.values()) {
            for (double[] p : new double[][] {{0.3, -0.7}, {1.1, 0.4}, {-1.5, 1.9}}) {
                f.gradient(p[0], p[1], g);
                double dx = (f.value(p[0] + h, p[1]) - f.value(p[0] - h, p[1])) / (2 * h);
                double dy = (f.value(p[0], p[1] + h) - f.value(p[0], p[1] - h)) / (2 * h);
                assertEquals(dx, g[0], 1e-5 * (1 + Math.abs(dx)), f + " d/dx");
                assertEquals(dy, g[1], 1e-5 * (1 + Math.abs(dy)), f + " d/dy");
            }
        }
    }

    @Test
    void minimaAreZero() {
        assertEquals(0.0, TestFunction.BEALE.value(3, 0.5), 0.0);
        assertEquals(0.0, TestFunction.ROSENBROCK.value(1, 1), 0.0);
    }

    @Test
    void everyOptimizerIsBuiltThroughTheApiAndReachesTheGoalsAtTheDemoRates() {
        for (String name : Optimizers.NAMES) {
            try (Optimizer<?> opt = Optimizers.create(name, 1e-3, 2)) {
                String algorithm = name.equals("sgd-momentum") ? "sgd" : name;
                assertEquals(algorithm, opt.algorithm(), name);
                assertEquals(2, opt.threads());
            }
            // the demo's measured rates: every goal reached in the demo's budget (AdamW's decay keeps it off (1, 1))
            for (TestFunction f : TestFunction.values()) {
                FunctionRun run = FunctionRun.run(f, name, FunctionDemo.lr(name), FunctionDemo.STEPS);
                assertEquals(-1, run.divergedAtStep(), name + " on " + f);
                if (!(name.equals("adamw") && f == TestFunction.ROSENBROCK)) {
                    assertTrue(run.stepsToGoal() > 0, name + " on " + f + " ends at (" + run.finalX() + ", "
                            + run.finalY() + ")");
                }
            }
        }
        try (Optimizer<?> sgd = Optimizers.create("sgd-momentum", 0.5, 1)) {
            assertEquals(SgdConfig.builder().lr(0.5).momentum(Optimizers.SGD_MOMENTUM).build(), sgd.defaultGroup().config());
        }
        // plain SGD's step is p - lr * g, exactly
        FunctionRun sgd = FunctionRun.run(TestFunction.SADDLE, "sgd", 0.25, 1);
        double[] s = TestFunction.SADDLE.start();
        double[] g = new double[2];
        TestFunction.SADDLE.gradient(s[0], s[1], g);
        assertEquals(Math.fma(-0.25, g[0], s[0]), sgd.finalX());
        assertEquals(Math.fma(-0.25, g[1], s[1]), sgd.finalY());
        assertThrows(IllegalArgumentException.class, () -> Optimizers.create("adamm", 0.01, 1));
        assertThrows(IllegalArgumentException.class, () -> Optimizers.create("adam", 0.01, 0));
    }
}
