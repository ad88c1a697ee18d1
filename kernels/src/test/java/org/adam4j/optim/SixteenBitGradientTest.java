package org.adam4j.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.adam4j.kernels.AdamKernels;
import org.adam4j.kernels.LowPrecisionSteps;
import org.adam4j.reference.AdamConfig;
import org.adam4j.reference.LowPrecision;
import org.adam4j.reference.OptimizerConfig;
import org.adam4j.reference.OptimizerStep;
import org.adam4j.reference.Rounding;
import org.adam4j.reference.StateVariable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 16-bit parameters with 16-bit gradients under the guarded step, and with {@code float} gradients. Gradients drawn
 * exactly representable in bf16 or fp16, so that their widened values are the {@code float} ones: the guarded step on
 * 16-bit gradients gives the bits of the same optimizer on {@code float} gradients of those values (parameters, state,
 * statistics), whose reductions are the {@code float} path's ({@code float} parameters of the same values see the same
 * norm, clip coefficient and non-finite count), and whose parameters are {@link LowPrecisionSteps#reference} on the
 * gradient the {@code float} path unscales and clips in place; for every algorithm, format and rounding, a slice, an
 * off-heap segment and a small array, on 1 and 3 threads. A skipped step writes nothing. {@code float} gradients of
 * 16-bit parameters step as the reference says, and as 16-bit gradients of the same values.
 */
class SixteenBitGradientTest {
    private static final long SEED = 5;
    private static final short MARKER = 0x4321;
    private static final int N1 = 70_001;
    private static final int N2 = 5003;
    private static final int N3 = 999;
    private static final int STEPS = 3;

    private static LowPrecision fmt(Precision p) {
        return p.format();
    }

    /** Parameters and gradients of one run, the gradients exactly representable in {@code fmt}. */
    private record Data(short[][] p, float[][][] g) {
        static Data of(LowPrecision fmt, long seed) {
            SplittableRandom rnd = new SplittableRandom(seed);
            int[] sizes = {N1, N2, N3};
            short[][] p = new short[3][];
            float[][][] g = new float[STEPS][3][];
            for (int k = 0; k < 3; k++) {
                p[k] = new short[sizes[k]];
                for (int i = 0; i < sizes[k]; i++) {
                    p[k][i] = fmt.fromFloatNearestEven((float) rnd.nextGaussian());
                }
                for (int t = 0; t < STEPS; t++) {
                    g[t][k] = new float[sizes[k]];
                    for (int i = 0; i < sizes[k]; i++) {
                        // scaled by 1024 as a loss-scaled backward pass leaves them
                        g[t][k][i] = fmt.toFloat(fmt.fromFloatNearestEven((float) (1024 * 0.1 * rnd.nextGaussian())));
                    }
                }
            }
            return new Data(p, g);
        }
    }

    private static short[] bits(LowPrecision fmt, float[] a) {
        short[] b = new short[a.length];
        fmt.fromFloatNearestEven(a, 0, b, 0, a.length);
        return b;
    }

    private static float[] widen(LowPrecision fmt, short[] a) {
        float[] f = new float[a.length];
        fmt.toFloat(a, 0, f, 0, a.length);
        return f;
    }

    private static Optimizer.ConfigBuilder<OptimizerConfig> guarded(OptimizerConfig config, String kernel, int threads, double maxNorm,
            double normType, boolean stats) {
        return Optimizer.of(config).kernel(kernel).threads(threads).gradScale(1024).clipGradNorm(maxNorm, normType)
                .stepStats(stats);
    }

    /**
     * The three parameters of {@code d} registered in {@code opt}'s default group, a slice with a marker past it, an
     * off-heap segment and heap segments over a {@code short[]} and its gradient array (stepped as those arrays), with
     * 16-bit gradients ({@code sixteen}) or {@code float} ones.
     */
    private static final class Model implements AutoCloseable {
        final Arena arena = Arena.ofShared();
        final LowPrecision fmt;
        final boolean sixteen;
        final short[] p1;
        final short[] p3;
        final short[] g1 = new short[N1 + 1];
        final short[] g3 = new short[N3];
        final float[] f1 = new float[N1 + 1];
        final float[] f3 = new float[N3];
        final MemorySegment s2;
        final MemorySegment sg2;

        Model(Optimizer<?> opt, Precision precision, Data d, boolean sixteen) {
            this.fmt = precision.format();
            this.sixteen = sixteen;
            p1 = Arrays.copyOf(d.p[0], N1 + 1);
            p3 = d.p[2].clone();
            p1[N1] = MARKER;
            g1[N1] = MARKER;
            f1[N1] = MARKER;
            s2 = arena.allocate((long) N2 * Short.BYTES, 64);
            MemorySegment.copy(d.p[1], 0, s2, ValueLayout.JAVA_SHORT, 0, N2);
            sg2 = arena.allocate((long) N2 * (sixteen ? Short.BYTES : Float.BYTES), 64);
            ParamGroup<?> group = opt.defaultGroup();
            Precision gp = sixteen ? precision : Precision.F32;
            if (sixteen) {
                group.add(precision, p1, g1, 0, N1);
            } else {
                group.add(precision, p1, f1, 0, N1);
            }
            group.add(precision, s2, gp, sg2);
            group.add(precision, MemorySegment.ofArray(p3), gp, sixteen ? MemorySegment.ofArray(g3)
                    : MemorySegment.ofArray(f3));
            assertEquals(LowPrecisionArrayParam.class, opt.params().get(2).getClass());
            for (Param q : opt.params()) {
                assertEquals(gp, q.gradPrecision());
            }
        }

        void feed(float[][] g) {
            if (sixteen) {
                System.arraycopy(bits(fmt, g[0]), 0, g1, 0, N1);
                MemorySegment.copy(bits(fmt, g[1]), 0, sg2, ValueLayout.JAVA_SHORT, 0, N2);
                System.arraycopy(bits(fmt, g[2]), 0, g3, 0, N3);
            } else {
                System.arraycopy(g[0], 0, f1, 0, N1);
                MemorySegment.copy(g[1], 0, sg2, ValueLayout.JAVA_FLOAT, 0, N2);
                System.arraycopy(g[2], 0, f3, 0, N3);
            }
        }

        /** The parameters, after checking the markers. */
        List<Object> params() {
            assertEquals(MARKER, p1[N1]);
            assertEquals(MARKER, sixteen ? g1[N1] : f1[N1]);
            return List.of(Arrays.copyOf(p1, N1), s2.toArray(ValueLayout.JAVA_SHORT), p3.clone());
        }

        @Override
        public void close() {
            arena.close();
        }
    }

    /**
     * One guarded run of the three parameters of {@code d} with 16-bit gradients ({@code sixteen}) or {@code float}
     * ones; returns per step its statistics, then the parameters and the state.
     */
    private static List<Object> run(OptimizerConfig config, Precision precision, Rounding rounding, String kernel,
            int threads, double maxNorm, double normType, boolean stats, Data d, boolean sixteen) {
        List<Object> out = new ArrayList<>();
        try (Optimizer<?> opt = guarded(config, kernel, threads, maxNorm, normType, stats).rounding(rounding)
                        .roundingSeed(SEED).build();
                Model m = new Model(opt, precision, d, sixteen)) {
            for (int t = 0; t < STEPS; t++) {
                m.feed(d.g[t]);
                assertTrue(opt.step());
                out.add(opt.lastStats());
                if (sixteen) {
                    // a 16-bit gradient is unscaled and clipped as it is read, never in place
                    assertArrayEquals(bits(m.fmt, d.g[t][0]), Arrays.copyOf(m.g1, N1));
                }
            }
            out.addAll(m.params());
            out.add(opt.state());
        }
        return out;
    }

    /**
     * The {@code float} path: {@code float} parameters of the widened values with the {@code float} gradients; per step
     * its statistics and the gradients it left unscaled and clipped.
     */
    private static List<Object> floatRun(OptimizerConfig config, Precision precision, double maxNorm, double normType,
            boolean stats, Data d) {
        LowPrecision fmt = fmt(precision);
        List<Object> out = new ArrayList<>();
        float[][] p = {widen(fmt, d.p[0]), widen(fmt, d.p[1]), widen(fmt, d.p[2])};
        float[][] g = {new float[N1], new float[N2], new float[N3]};
        try (Optimizer<?> opt = guarded(config, AdamKernels.SCALAR, 1, maxNorm, normType, stats).build()) {
            for (int k = 0; k < 3; k++) {
                opt.defaultGroup().add(p[k], g[k]);
            }
            for (int t = 0; t < STEPS; t++) {
                for (int k = 0; k < 3; k++) {
                    System.arraycopy(d.g[t][k], 0, g[k], 0, g[k].length);
                }
                assertTrue(opt.step());
                out.add(opt.lastStats());
                out.add(new float[][] {g[0].clone(), g[1].clone(), g[2].clone()});
            }
        }
        return out;
    }

    @Test
    void guardedSixteenBitGradientsGiveTheFloatPathsBits() {
        String vector = AdamKernels.vectorAvailable() ? "vector" : AdamKernels.SCALAR;
        int runs = 0;
        for (OptimizerConfig config : AlgorithmsOptimizerTest.CONFIGS) {
            for (Precision precision : List.of(Precision.BF16, Precision.FP16)) {
                for (Rounding rounding : Rounding.values()) {
                    // the 2-norm clips every step; the infinity norm with a bound it never reaches does not
                    boolean inf = (runs & 1) == 1;
                    double maxNorm = inf ? 1e30 : 5.0, normType = inf ? Double.POSITIVE_INFINITY : 2;
                    boolean stats = (runs & 2) == 0;
                    String where = config + " " + precision + " " + rounding + (inf ? " inf-norm" : " 2-norm")
                            + (stats ? " stats" : "");
                    Data d = Data.of(fmt(precision), runs);
                    List<Object> sixteen = run(config, precision, rounding, vector, 3, maxNorm, normType, stats, d,
                            true);
                    List<Object> oneThread = run(config, precision, rounding, AdamKernels.SCALAR, 1, maxNorm,
                            normType, stats, d, true);
                    List<Object> floats = run(config, precision, rounding, vector, 2, maxNorm, normType, stats, d,
                            false);
                    assertSame(sixteen, oneThread, where + ": 3 threads " + vector + " against 1 thread scalar");
                    assertSame(sixteen, floats, where + ": 16-bit against float gradients");
                    List<Object> floatPath = floatRun(config, precision, maxNorm, normType, stats, d);
                    for (int t = 0; t < STEPS; t++) {
                        StepStats got = (StepStats) sixteen.get(t), want = (StepStats) floatPath.get(2 * t);
                        assertEquals(want.gradNorm(), got.gradNorm(), where + " step " + t + ": the norm");
                        assertEquals(want.clipCoef(), got.clipCoef(), where + " step " + t + ": the clip");
                        assertEquals(want.nonFinite(), got.nonFinite(), where + " step " + t);
                        assertEquals(inf, got.clipCoef() == 1.0, where + " step " + t + ": clipped " + got);
                    }
                    assertReference(config, precision, rounding, d, floatPath, sixteen, where);
                    runs++;
                }
            }
        }
        assertEquals(AlgorithmsOptimizerTest.CONFIGS.size() * 6, runs);
    }

    /** The parameters are the 16-bit reference stepped by hand on the gradients the float path unscaled and clipped. */
    private static void assertReference(OptimizerConfig config, Precision precision, Rounding rounding, Data d,
            List<Object> floatPath, List<Object> got, String where) {
        LowPrecision fmt = fmt(precision);
        List<StateVariable> vars = config.stateArrays();
        short[][] p = {d.p[0].clone(), d.p[1].clone(), d.p[2].clone()};
        float[][][] state = new float[3][vars.size()][];
        short[][] comp = new short[3][];
        double[][] scalars = new double[3][];
        for (int k = 0; k < 3; k++) {
            for (int j = 0; j < vars.size(); j++) {
                state[k][j] = new float[p[k].length];
                Arrays.fill(state[k][j], (float) vars.get(j).initialValue());
            }
            comp[k] = new short[p[k].length];
            scalars[k] = config.scalarStates().stream().mapToDouble(StateVariable::initialValue).toArray();
        }
        for (int t = 1; t <= STEPS; t++) {
            float[][] g = (float[][]) floatPath.get(2 * (t - 1) + 1);
            long index = 0;
            for (int k = 0; k < 3; k++) {
                OptimizerStep s = config.step(t, config.lr(), scalars[k]);
                LowPrecisionSteps.reference(s, fmt, rounding, p[k], g[k], state[k], comp[k], 0, p[k].length, SEED,
                        index);
                s.scalarsAfter(scalars[k]);
                index += p[k].length;
            }
        }
        for (int k = 0; k < 3; k++) {
            assertArrayEquals(p[k], (short[]) got.get(STEPS + k), where + ": parameter " + k + " against the reference");
        }
    }

    private static void assertSame(List<Object> want, List<Object> got, String where) {
        assertEquals(want.size(), got.size());
        for (int i = 0; i < want.size(); i++) {
            if (want.get(i) instanceof short[] a) {
                assertArrayEquals(a, (short[]) got.get(i), where + " item " + i);
            } else {
                assertEquals(want.get(i), got.get(i), where + " item " + i);
            }
        }
    }

    private static List<Object> everything(Optimizer<?> opt, short[][] arrays, float[] f, MemorySegment... segments) {
        List<Object> h = new ArrayList<>();
        for (short[] a : arrays) {
            h.add(Arrays.hashCode(a));
        }
        h.add(Arrays.hashCode(f));
        for (MemorySegment s : segments) {
            h.add(Arrays.hashCode(s.toArray(ValueLayout.JAVA_BYTE)));
        }
        // the state but the scaler's, which backs off
        h.add(opt.state().groups());
        for (Param q : opt.params()) {
            h.add(q.step());
        }
        h.add(opt.steps());
        return h;
    }

    /**
     * A NaN or an infinity in a 16-bit gradient, or a bf16 gradient that overflows when unscaled, skips the whole step:
     * nothing written, parameters, gradients, state, compensation, step counts, markers past the slices.
     */
    @Test
    void aNonFiniteSixteenBitGradientSkipsTheStepWritingNothing() {
        for (Precision precision : List.of(Precision.BF16, Precision.FP16)) {
            LowPrecision fmt = fmt(precision);
            SplittableRandom rnd = new SplittableRandom(precision.ordinal());
            for (int threads : new int[] {1, 2}) {
                try (Arena arena = Arena.ofShared();
                        Optimizer<AdamConfig> opt = Optimizer.adamW().threads(threads).gradScaler(new GradScaler())
                                .clipGradNorm(1.0, 2).stepStats(true).rounding(Rounding.KAHAN).build()) {
                    short[] p1 = new short[N1 + 1], g1 = new short[N1 + 1], p3 = new short[N3];
                    float[] f3 = new float[N3];
                    for (int i = 0; i < N1; i++) {
                        p1[i] = fmt.fromFloatNearestEven((float) rnd.nextGaussian());
                        g1[i] = fmt.fromFloatNearestEven((float) (65536 * 1e-3 * rnd.nextGaussian()));
                    }
                    p1[N1] = MARKER;
                    g1[N1] = MARKER;
                    for (int i = 0; i < N3; i++) {
                        p3[i] = fmt.fromFloatNearestEven((float) rnd.nextGaussian());
                        f3[i] = (float) (65536 * 1e-3 * rnd.nextGaussian());
                    }
                    MemorySegment s2 = arena.allocate((long) N2 * Short.BYTES), sg2 = arena.allocate(
                            (long) N2 * Short.BYTES);
                    for (int i = 0; i < N2; i++) {
                        s2.setAtIndex(ValueLayout.JAVA_SHORT, i, fmt.fromFloatNearestEven((float) rnd.nextGaussian()));
                        sg2.setAtIndex(ValueLayout.JAVA_SHORT, i, fmt.fromFloatNearestEven(65.5f * (i % 7 - 3)));
                    }
                    opt.defaultGroup().add(precision, p1, g1, 0, N1);
                    opt.defaultGroup().add(precision, s2, sg2);
                    opt.defaultGroup().add(precision, p3, f3);
                    assertTrue(opt.step());
                    assertTrue(opt.step());
                    short[] bad = {fmt.fromFloatNearestEven(Float.NaN), fmt.fromFloatNearestEven(
                            Float.POSITIVE_INFINITY), fmt.fromFloatNearestEven(Float.NEGATIVE_INFINITY)};
                    for (short b : bad) {
                        for (boolean inArray : new boolean[] {true, false}) {
                            short keep = inArray ? g1[N1 - 1] : sg2.getAtIndex(ValueLayout.JAVA_SHORT, N2 - 1);
                            if (inArray) {
                                g1[N1 - 1] = b;
                            } else {
                                sg2.setAtIndex(ValueLayout.JAVA_SHORT, N2 - 1, b);
                            }
                            float scale = opt.gradScaler().scale();
                            List<Object> before = everything(opt, new short[][] {p1, g1, p3}, f3, s2, sg2);
                            assertFalse(opt.step(), precision + " " + fmt.toFloat(b));
                            assertEquals(before, everything(opt, new short[][] {p1, g1, p3}, f3, s2, sg2),
                                    precision + " " + fmt.toFloat(b) + ": a skipped step wrote something");
                            assertTrue(opt.lastStats().skipped());
                            assertEquals(1, opt.lastStats().nonFinite());
                            assertEquals(scale * 0.5f, opt.gradScaler().scale(), "the scale backs off");
                            if (inArray) {
                                g1[N1 - 1] = keep;
                            } else {
                                sg2.setAtIndex(ValueLayout.JAVA_SHORT, N2 - 1, keep);
                            }
                        }
                    }
                    assertEquals(2, opt.steps());
                    assertTrue(opt.step());
                    assertEquals(3, opt.steps());
                    assertEquals(MARKER, p1[N1]);
                    assertEquals(MARKER, g1[N1]);
                }
            }
        }
        // bf16's largest value overflows float once unscaled by 1 / 0.25: non-finite after unscaling
        short[] p = new short[100], g = new short[100];
        g[37] = 0x7F7F;
        try (Optimizer<AdamConfig> opt = Optimizer.adam().gradScale(0.25).skipNonFinite(true).build()) {
            opt.defaultGroup().add(Precision.BF16, p, g);
            assertFalse(opt.step());
            assertEquals(1, opt.lastStats().nonFinite());
            assertEquals(0, opt.steps());
            assertArrayEquals(new short[100], p);
        }
    }

    /**
     * {@code float} gradients of 16-bit parameters (a slice, an off-heap segment, heap segments over a {@code short[]}
     * and a {@code float[]}) step as {@link LowPrecisionSteps#reference} says on the {@code float} gradient, for every
     * algorithm, format and rounding, and as 16-bit gradients of the same values do (Adam's own 16-bit loop too).
     */
    @Test
    void floatGradientsOfSixteenBitParametersStepAsTheReferenceSays() {
        String vector = AdamKernels.vectorAvailable() ? "vector" : AdamKernels.SCALAR;
        int runs = 0;
        for (OptimizerConfig config : AlgorithmsOptimizerTest.CONFIGS) {
            for (Precision precision : List.of(Precision.BF16, Precision.FP16)) {
                for (Rounding rounding : Rounding.values()) {
                    String where = config + " " + precision + " " + rounding;
                    Data d = Data.of(fmt(precision), 100 + runs);
                    List<Object> floats = plainRun(config, precision, rounding, vector, d, false);
                    assertSame(plainRun(config, precision, rounding, vector, d, true), floats,
                            where + ": float against 16-bit gradients");
                    List<Object> floatPath = new ArrayList<>();
                    for (int t = 0; t < STEPS; t++) {
                        floatPath.add(null);
                        floatPath.add(d.g[t]);
                    }
                    List<Object> got = new ArrayList<>(List.of(0, 0, 0));
                    got.addAll(floats);
                    assertReference(config, precision, rounding, d, floatPath, got, where);
                    runs++;
                }
            }
        }
        assertEquals(AlgorithmsOptimizerTest.CONFIGS.size() * 6, runs);
    }

    /** An unguarded run on 2 threads: the parameters after {@link #STEPS} steps. */
    private static List<Object> plainRun(OptimizerConfig config, Precision precision, Rounding rounding,
            String kernel, Data d, boolean sixteen) {
        try (Optimizer<?> opt = Optimizer.of(config).kernel(kernel).threads(2).rounding(rounding).roundingSeed(SEED)
                        .build();
                Model m = new Model(opt, precision, d, sixteen)) {
            for (int t = 0; t < STEPS; t++) {
                m.feed(d.g[t]);
                assertTrue(opt.step());
            }
            return m.params();
        }
    }

    /**
     * The gradient's precision is not state: a state saved with {@code float} gradients loads into an optimizer with
     * 16-bit ones, from the file too, and continues with the same bits.
     */
    @Test
    void theGradientsPrecisionIsNotPartOfTheState(@TempDir Path dir) throws Exception {
        Data d = Data.of(LowPrecision.BF16, 9);
        short[] pa = d.p[2].clone(), pb = d.p[2].clone(), ga = new short[N3];
        float[] fa = new float[N3];
        try (Optimizer<AdamConfig> a = Optimizer.adamW().rounding(Rounding.KAHAN).clipGradNorm(1, 2).build();
                Optimizer<AdamConfig> b = Optimizer.adamW().rounding(Rounding.KAHAN).clipGradNorm(1, 2).build()) {
            a.defaultGroup().add(Precision.BF16, pa, fa);
            b.defaultGroup().add(Precision.BF16, pb, ga);
            System.arraycopy(d.g[0][2], 0, fa, 0, N3);
            assertTrue(a.step());
            a.save(dir.resolve("a.state"));
            b.load(dir.resolve("a.state"));
            assertEquals(a.state(), b.state());
            System.arraycopy(pa, 0, pb, 0, N3);
            System.arraycopy(d.g[1][2], 0, fa, 0, N3);
            System.arraycopy(bits(LowPrecision.BF16, d.g[1][2]), 0, ga, 0, N3);
            assertTrue(a.step());
            assertTrue(b.step());
            assertArrayEquals(pa, pb);
            assertEquals(a.state(), b.state());
        }
    }
}
