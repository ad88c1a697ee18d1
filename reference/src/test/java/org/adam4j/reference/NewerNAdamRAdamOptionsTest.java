package org.adam4j.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * NAdam's and RAdam's {@code decoupled_weight_decay} and {@code maximize} in the references (arrays and segments,
 * float and double): the README's example of the gap between the decoupled and the L2 form, and each option against
 * what it means in terms of the plain step.
 */
class NewerNAdamRAdamOptionsTest {
    private static final int N = 37;

    /** The README's (and issue 11's) example: NAdam, p = 1, g = 0, weight_decay 0.1, lr 2e-3, one step. */
    @Test
    void theReadmesExampleOfTheGap() {
        NAdamConfig decoupled = NAdamConfig.builder().lr(2e-3).weightDecay(0.1).decoupledWeightDecay(true).build();
        NAdamConfig l2 = NAdamConfig.builder().lr(2e-3).weightDecay(0.1).build();
        for (boolean segment : new boolean[] {false, true}) {
            assertEquals("0.999800", sixDigits(oneStepF32(decoupled, segment)), "decoupled, float");
            assertEquals("0.999800", sixDigits(oneStepF64(decoupled, segment)), "decoupled, double");
            assertEquals("0.997887", sixDigits(oneStepF32(l2, segment)), "L2, float");
            assertEquals("0.997887", sixDigits(oneStepF64(l2, segment)), "L2, double");
        }
        // with g = 0 the decoupled step is the decay alone: 1 * (1 - lr * wd), rounded once
        assertEquals((float) (1 - 2e-3 * 0.1), oneStepF32(decoupled, false));
        assertEquals(1 - 2e-3 * 0.1, oneStepF64(decoupled, true));
    }

    private static String sixDigits(double x) {
        return String.format(Locale.ROOT, "%.6f", x);
    }

    private static float oneStepF32(NAdamConfig c, boolean segment) {
        float[] p = {1f};
        float[] zero = {0f};
        if (!segment) {
            NAdamReference_F32.step(c.first(), p, zero, new float[1], new float[1], 0, 1);
            return p[0];
        }
        MemorySegment sp = MemorySegment.ofArray(p);
        NAdamReference_F32.step(c.first(), sp, MemorySegment.ofArray(zero), MemorySegment.ofArray(new float[1]),
                MemorySegment.ofArray(new float[1]), 0, 1);
        return sp.getAtIndex(ValueLayout.JAVA_FLOAT, 0);
    }

    private static double oneStepF64(NAdamConfig c, boolean segment) {
        double[] p = {1};
        double[] zero = {0};
        if (!segment) {
            NAdamReference_F64.step(c.first(), p, zero, new double[1], new double[1], 0, 1);
            return p[0];
        }
        MemorySegment sp = MemorySegment.ofArray(p);
        NAdamReference_F64.step(c.first(), sp, MemorySegment.ofArray(zero), MemorySegment.ofArray(new double[1]),
                MemorySegment.ofArray(new double[1]), 0, 1);
        return sp.getAtIndex(ValueLayout.JAVA_DOUBLE, 0);
    }

    /** Arrays p, g, m, v of one precision, stepped by NAdam or RAdam over arrays or native segments. */
    private interface Run {
        /** {@code x} = {p, g, m, v} after {@code steps} steps, the gradient of step t being {@code g * (1 + t/8)}. */
        double[][] run(double[][] x, int steps, boolean segment);
    }

    private static double[][] start(long seed, double pScale) {
        SplittableRandom r = new SplittableRandom(seed);
        double[][] x = new double[4][N];
        for (int i = 0; i < N; i++) {
            x[0][i] = r.nextGaussian() * pScale;
            x[1][i] = r.nextGaussian();
        }
        return x;
    }

    private static double[][] negatedGrad(double[][] x) {
        double[][] y = copy(x);
        for (int i = 0; i < N; i++) {
            y[1][i] = -y[1][i];
        }
        return y;
    }

    private static double[][] copy(double[][] x) {
        double[][] y = new double[x.length][];
        for (int k = 0; k < x.length; k++) {
            y[k] = x[k].clone();
        }
        return y;
    }

    /** Maximizing with gradient g is minimizing with -g, bit for bit, for every weight decay form. */
    @Test
    void maximizeIsTheStepOnTheNegatedGradient() {
        for (boolean f64 : new boolean[] {false, true}) {
            for (boolean segment : new boolean[] {false, true}) {
                for (double wd : new double[] {0, 0.1}) {
                    for (boolean decoupled : new boolean[] {false, true}) {
                        NAdamConfig.Builder n = NAdamConfig.builder().lr(0.01).weightDecay(wd)
                                .decoupledWeightDecay(decoupled);
                        RAdamConfig.Builder r = RAdamConfig.builder().lr(0.01).betas(0.8, 0.9).weightDecay(wd)
                                .decoupledWeightDecay(decoupled);
                        Run[] max = {nadam(n.maximize(true).build(), f64), radam(r.maximize(true).build(), f64)};
                        Run[] min = {nadam(n.maximize(false).build(), f64), radam(r.maximize(false).build(), f64)};
                        for (int k = 0; k < 2; k++) {
                            double[][] x = start(k + 1, 1);
                            double[][] a = max[k].run(copy(x), 8, segment);
                            double[][] b = min[k].run(negatedGrad(x), 8, segment);
                            String what = (k == 0 ? "nadam" : "radam") + " f64=" + f64 + " segment=" + segment
                                    + " wd=" + wd + " decoupled=" + decoupled;
                            assertBits(b[0], a[0], what + " p");
                            assertBits(b[2], a[2], what + " exp_avg");
                            assertBits(b[3], a[3], what + " exp_avg_sq");
                            assertNotEquals(a[0][0], min[k].run(copy(x), 8, segment)[0][0], what);
                        }
                    }
                }
            }
        }
    }

    /**
     * A decoupled step is the step without weight decay on {@code p * (1 - lr * wd)} (rounded once): the moments see
     * the plain gradient, and the update does not depend on {@code p}. One step at a time, since each multiplies by
     * its own factor; the L2 form differs (from the second step on).
     */
    @Test
    void decoupledDecayIsThePlainStepOnTheDecayedParameter() {
        double lr = 0.01;
        double wd = 0.3;
        for (boolean f64 : new boolean[] {false, true}) {
            for (boolean segment : new boolean[] {false, true}) {
                Run[] decoupled = {
                        nadam(NAdamConfig.builder().lr(lr).weightDecay(wd).decoupledWeightDecay(true).build(), f64),
                        radam(RAdamConfig.builder().lr(lr).betas(0.8, 0.9).weightDecay(wd).decoupledWeightDecay(true)
                                .build(), f64)};
                Run[] plain = {nadam(NAdamConfig.builder().lr(lr).build(), f64),
                        radam(RAdamConfig.builder().lr(lr).betas(0.8, 0.9).build(), f64)};
                Run[] l2 = {nadam(NAdamConfig.builder().lr(lr).weightDecay(wd).build(), f64),
                        radam(RAdamConfig.builder().lr(lr).betas(0.8, 0.9).weightDecay(wd).build(), f64)};
                for (int k = 0; k < 2; k++) {
                    double[][] x = start(k + 7, 3);
                    double[][] a = decoupled[k].run(copy(x), 1, segment);
                    double[][] y = copy(x);
                    for (int i = 0; i < N; i++) {
                        y[0][i] = f64 ? y[0][i] * (1 - lr * wd) : (float) y[0][i] * (float) (1 - lr * wd);
                    }
                    double[][] b = plain[k].run(y, 1, segment);
                    String what = (k == 0 ? "nadam" : "radam") + " f64=" + f64 + " segment=" + segment;
                    assertBits(b[0], a[0], what + " p");
                    assertBits(b[2], a[2], what + " exp_avg");
                    assertBits(b[3], a[3], what + " exp_avg_sq");
                    // RAdam's first (unrectified) step is SGD, where the two forms agree in exact arithmetic
                    assertNotEquals(decoupled[k].run(copy(x), 3, segment)[0][0], l2[k].run(copy(x), 3, segment)[0][0],
                            what + ": L2 is another form");
                }
            }
        }
    }

    private static void assertBits(double[] expected, double[] actual, String what) {
        long[] e = new long[expected.length];
        long[] a = new long[actual.length];
        for (int i = 0; i < e.length; i++) {
            e[i] = Double.doubleToLongBits(expected[i]);
            a[i] = Double.doubleToLongBits(actual[i]);
        }
        assertArrayEquals(e, a, what);
    }

    private static Run nadam(NAdamConfig c, boolean f64) {
        return (x, steps, segment) -> {
            NAdamStep s = c.first();
            for (int t = 1; t <= steps; t++, s = s.next()) {
                NAdamStep st = s;
                stepAll(x, t, f64, segment,
                        a -> NAdamReference_F32.step(st, a[0], a[1], a[2], a[3], 0, N),
                        a -> NAdamReference_F64.step(st, a[0], a[1], a[2], a[3], 0, N),
                        q -> NAdamReference_F32.step(st, q[0], q[1], q[2], q[3], 0, N),
                        q -> NAdamReference_F64.step(st, q[0], q[1], q[2], q[3], 0, N));
            }
            return x;
        };
    }

    private static Run radam(RAdamConfig c, boolean f64) {
        return (x, steps, segment) -> {
            for (int t = 1; t <= steps; t++) {
                RAdamStep st = c.step(t);
                stepAll(x, t, f64, segment,
                        a -> RAdamReference_F32.step(st, a[0], a[1], a[2], a[3], 0, N),
                        a -> RAdamReference_F64.step(st, a[0], a[1], a[2], a[3], 0, N),
                        q -> RAdamReference_F32.step(st, q[0], q[1], q[2], q[3], 0, N),
                        q -> RAdamReference_F64.step(st, q[0], q[1], q[2], q[3], 0, N));
            }
            return x;
        };
    }

    private interface SegmentStep {
        void step(MemorySegment[] x);
    }

    private interface FloatStep {
        void step(float[][] x);
    }

    private interface DoubleStep {
        void step(double[][] x);
    }

    /** One step on x (values rounded to float first for f32), the gradient of step t scaled by 1 + t/8. */
    private static void stepAll(double[][] x, int t, boolean f64, boolean segment, FloatStep f, DoubleStep d,
            SegmentStep s32, SegmentStep s64) {
        double[] g = x[1].clone();
        for (int i = 0; i < N; i++) {
            x[1][i] = g[i] * (1 + t / 8.0);
        }
        if (f64) {
            if (segment) {
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment[] m = new MemorySegment[4];
                    for (int k = 0; k < 4; k++) {
                        m[k] = arena.allocate((long) N * Double.BYTES, 8);
                        MemorySegment.copy(x[k], 0, m[k], ValueLayout.JAVA_DOUBLE, 0, N);
                    }
                    s64.step(m);
                    for (int k = 0; k < 4; k++) {
                        MemorySegment.copy(m[k], ValueLayout.JAVA_DOUBLE, 0, x[k], 0, N);
                    }
                }
            } else {
                d.step(x);
            }
        } else {
            float[][] a = new float[4][N];
            for (int k = 0; k < 4; k++) {
                for (int i = 0; i < N; i++) {
                    a[k][i] = (float) x[k][i];
                }
            }
            if (segment) {
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment[] m = new MemorySegment[4];
                    for (int k = 0; k < 4; k++) {
                        m[k] = arena.allocate((long) N * Float.BYTES, 4);
                        MemorySegment.copy(a[k], 0, m[k], ValueLayout.JAVA_FLOAT, 0, N);
                    }
                    s32.step(m);
                    for (int k = 0; k < 4; k++) {
                        MemorySegment.copy(m[k], ValueLayout.JAVA_FLOAT, 0, a[k], 0, N);
                    }
                }
            } else {
                f.step(a);
            }
            for (int k = 0; k < 4; k++) {
                for (int i = 0; i < N; i++) {
                    x[k][i] = a[k][i];
                }
            }
        }
        x[1] = g;
    }
}
