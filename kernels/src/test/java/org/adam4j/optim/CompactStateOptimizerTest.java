package org.adam4j.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.adam4j.kernels.AdamKernels;
import org.adam4j.reference.Adam8bitReference;
import org.adam4j.reference.AdamConfig;
import org.adam4j.reference.AdamStep;
import org.adam4j.reference.AdamReference_F32;
import org.adam4j.reference.SgdConfig;
import org.ejml.data.DMatrixRMaj;
import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;

/**
 * Compact optimizer state through the API ({@link StatePrecision#BLOCKWISE_8BIT}): what is refused and why, the
 * state's names and bytes, and every step bit for bit {@link Adam8bitReference} on arrays, slices (copied in and out),
 * EJML matrices, heap and off-heap segments, for every kernel, 2 and 3 threads too (cut into pieces of several
 * blocks), with the guarded step's statistics too.
 */
class CompactStateOptimizerTest {
    /** Above {@link Optimizer#MIN_PIECE}: 2 and 3 threads cut it into pieces. */
    static final int BIG = 70_001;
    /** Off-heap, also cut into pieces, ending in a short block. */
    static final int SEG = 40_000;
    static final int STEPS = 4;
    static final StatePrecision Q8 = StatePrecision.BLOCKWISE_8BIT;

    private static <T extends Throwable> void refused(Class<T> type, String message, Executable e) {
        T t = assertThrows(type, e);
        assertTrue(t.getMessage().contains(message), "expected '" + message + "' in: " + t.getMessage());
    }

    @Test
    void labelsParseBackAndOthersAreRefused() {
        for (StatePrecision s : StatePrecision.values()) {
            assertEquals(s, StatePrecision.parse(s.label()));
            assertEquals(s, StatePrecision.parse(" " + s.label().toUpperCase() + " "));
        }
        assertEquals(List.of("f32", "bf16", "8bit"), Stream.of(StatePrecision.values()).map(StatePrecision::label)
                .toList());
        refused(IllegalArgumentException.class, "state precision '4bit' must be one of f32, bf16, 8bit",
                () -> StatePrecision.parse("4bit"));
        assertEquals(256, StatePrecision.BLOCK_SIZE);
        assertEquals(0, Optimizer.PIECE_ALIGN % StatePrecision.BLOCK_SIZE, "pieces hold whole blocks");
    }

    @Test
    void compactStatesAreRefusedWhereTheyCannotBeKept() {
        for (Optimizer.Builder<?, ?> b : List.<Optimizer.Builder<?, ?>>of(Optimizer.sgd(0.1), Optimizer.adamax(),
                Optimizer.nadam(), Optimizer.radam(), Optimizer.rmsprop(), Optimizer.adagrad(),
                Optimizer.of(SgdConfig.builder().lr(0.1).build()))) {
            String algorithm = b.config().algorithm();
            refused(IllegalArgumentException.class, "state precision 8bit is for Adam and AdamW only; " + algorithm
                    + " keeps f32 state", () -> b.statePrecision(Q8).build());
            b.statePrecision(StatePrecision.F32).build().close();
        }
        refused(IllegalArgumentException.class, "state precision 8bit has no AMSGrad: 8-bit states keep no "
                + "max_exp_avg_sq", () -> Optimizer.adam().amsgrad(true).statePrecision(Q8).build());
        refused(IllegalArgumentException.class, "state precision bf16 is for Adam and AdamW only; sgd keeps f32 "
                + "state", () -> Optimizer.sgd(0.1).statePrecision(StatePrecision.BF16).build());
        // bf16 states keep AMSGrad's max_exp_avg_sq in bf16 too
        Optimizer.adamW().amsgrad(true).statePrecision(StatePrecision.BF16).build().close();
        refused(NullPointerException.class, "statePrecision", () -> Optimizer.adam().statePrecision(null));

        try (Arena arena = Arena.ofConfined(); Optimizer<AdamConfig> opt = Optimizer.adamW().statePrecision(Q8)
                .build()) {
            ParamGroup<AdamConfig> g = opt.defaultGroup();
            assertEquals(Q8, g.statePrecision());
            AdamConfig amsgrad = AdamConfig.builder().amsgrad(true).build();
            refused(IllegalArgumentException.class, "a new group gets the builder's state precision, 8bit (set F32 "
                    + "there and 8bit per group instead): state precision 8bit has no AMSGrad",
                    () -> opt.addGroup(amsgrad, LrSchedule.constant()));
            refused(IllegalArgumentException.class, "group 0: state precision 8bit has no AMSGrad",
                    () -> g.config(amsgrad));
            refused(IllegalArgumentException.class, "an F64 parameter keeps f64 state: state precision 8bit is for F32,"
                    + " BF16 and FP16 parameters", () -> g.add(new double[3], new double[3]));
            refused(IllegalArgumentException.class, "an F64 parameter keeps f64 state",
                    () -> g.add(new DMatrixRMaj(2, 2), new DMatrixRMaj(2, 2)));
            refused(IllegalArgumentException.class, "an F64 parameter keeps f64 state",
                    () -> g.add(Precision.F64, arena.allocate(16), arena.allocate(16)));
            for (Precision p : List.of(Precision.BF16, Precision.FP16)) {
                refused(IllegalArgumentException.class, "state precision 8bit for " + p + " parameters takes whole "
                        + "short[] arrays, not yet slices ([1, 4) of 4): their compact states are stepped in place, and"
                        + " only whole arrays are", () -> g.add(p, new short[4], new short[4], 1, 3));
                refused(IllegalArgumentException.class, "takes whole short[] arrays, not yet slices ([0, 2) of 4)",
                        () -> g.add(p, MemorySegment.ofArray(new short[4]).asSlice(0, 4),
                                MemorySegment.ofArray(new short[4]).asSlice(0, 4)));
                refused(IllegalArgumentException.class, "state precision 8bit for " + p + " parameters takes whole "
                        + "short[] arrays (or heap segments over them), not yet off-heap segments",
                        () -> g.add(p, arena.allocate(8), arena.allocate(8)));
            }
            assertEquals(List.of(), g.params(), "nothing was registered");
            g.add(new float[3], new float[3]);
            refused(IllegalStateException.class, "group 0: cannot switch the state precision of a group that has "
                    + "parameters from 8bit to f32", () -> g.statePrecision(StatePrecision.F32));
            g.statePrecision(Q8);
            refused(IllegalArgumentException.class, "cannot change the state of a group that has parameters",
                    () -> g.config(amsgrad));
        }
        try (Optimizer<AdamConfig> opt = Optimizer.adam().build()) {
            ParamGroup<AdamConfig> g = opt.addGroup(AdamConfig.builder().amsgrad(true).build(), LrSchedule.constant());
            refused(IllegalArgumentException.class, "group 1: state precision 8bit has no AMSGrad",
                    () -> g.statePrecision(Q8));
            g.statePrecision(StatePrecision.BF16);
            assertEquals(StatePrecision.BF16, g.statePrecision());
            assertEquals(List.of("exp_avg", "exp_avg_sq", "max_exp_avg_sq"), g.add(new float[3], new float[3])
                    .stateNames());
            // AdamW-like options of AdamConfig keep 8-bit states
            ParamGroup<AdamConfig> h = opt.addGroup(AdamConfig.builder().fullyDecoupled(0.1, 1e-2).maximize(true)
                    .epsilonHat(true).build(), LrSchedule.constant());
            h.statePrecision(Q8);
            assertEquals(Q8, h.add(new float[3], new float[3]).statePrecision());
        }
        try (Optimizer<SgdConfig> opt = Optimizer.sgd(0.1).build()) {
            refused(IllegalArgumentException.class, "group 0: state precision 8bit is for Adam and AdamW only; sgd "
                    + "keeps f32 state", () -> opt.defaultGroup().statePrecision(Q8));
        }
    }

    @Test
    void theStateIsCodesAndAbsmaxPerBlockCountedByHand() {
        try (Arena arena = Arena.ofConfined(); Optimizer<AdamConfig> opt = Optimizer.adam().statePrecision(Q8)
                .build()) {
            ParamGroup<AdamConfig> g = opt.defaultGroup();
            float[] buf = new float[1000], gBuf = new float[1000];
            Param whole = g.add(new float[1000], new float[1000]);
            Param block = g.add(buf, gBuf, 100, 256);
            Param one = g.add(buf, gBuf, 600, 1);
            Param empty = g.add(buf, gBuf, 700, 0);
            Param matrix = g.add(new FMatrixRMaj(3, 5), new FMatrixRMaj(3, 5));
            Param segment = g.add(Precision.F32, arena.allocate(4L * 513), arena.allocate(4L * 513));
            ParamGroup<AdamConfig> f32 = opt.addGroup(AdamConfig.defaults(), LrSchedule.constant());
            f32.statePrecision(StatePrecision.F32);
            Param plain = f32.add(new float[100], new float[100]);
            // codes: a byte per element and moment; absmax: a float per block of 256 and moment
            assertEquals(2 * 1000 + 2 * 4 * 4, whole.stateBytes());
            assertEquals(2 * 256 + 2 * 4, block.stateBytes());
            assertEquals(2 + 2 * 4, one.stateBytes());
            assertEquals(0, empty.stateBytes());
            assertEquals(2 * 15 + 2 * 4, matrix.stateBytes());
            assertEquals(2 * 513 + 2 * 4 * 3, segment.stateBytes());
            assertEquals(800, plain.stateBytes());
            assertEquals(2032 + 520 + 10 + 0 + 38 + 1050 + 800, opt.stateBytes());
            List<String> names = List.of("exp_avg", "exp_avg_sq", "exp_avg_absmax", "exp_avg_sq_absmax");
            for (Param p : List.of(whole, block, one, empty, matrix, segment)) {
                assertEquals(names, p.stateNames());
                assertEquals(Q8, p.statePrecision());
                long blocks = (p.size() + 255) / 256;
                assertEquals(p.size(), p.state("exp_avg").byteSize());
                assertEquals(p.size(), p.expAvgSq().byteSize());
                assertEquals(4 * blocks, p.state("exp_avg_absmax").byteSize());
                assertEquals(4 * blocks, p.state("exp_avg_sq_absmax").byteSize());
                assertTrue(p.state("exp_avg").isReadOnly());
                refused(IllegalStateException.class, "no max_exp_avg_sq", p::maxExpAvgSq);
                refused(IllegalArgumentException.class, "whose state is [exp_avg, exp_avg_sq, exp_avg_absmax, "
                        + "exp_avg_sq_absmax]", () -> p.state("max_exp_avg_sq"));
                long blocksBytes = p.stateBytes();
                assertEquals(blocksBytes, names.stream().mapToLong(n -> p.state(n).byteSize()).sum());
            }
            assertTrue(segment.toString().endsWith("F32 with 8bit states"), segment.toString());
            assertEquals(List.of("exp_avg", "exp_avg_sq"), plain.stateNames());
            OptimizerState.ParamState s = opt.state().groups().get(0).params().get(0);
            assertEquals(Q8, s.statePrecision());
            assertEquals(Precision.F32, s.arrayPrecision("exp_avg_absmax"));
            refused(IllegalArgumentException.class, "exp_avg holds 8-bit codes (unsigned bytes, one per element)",
                    () -> s.arrayPrecision("exp_avg"));
            assertEquals(Q8, opt.state().groups().get(0).statePrecision());
            assertEquals(StatePrecision.F32, opt.state().groups().get(1).statePrecision());
        }
    }

    /**
     * The model: group 0 (8-bit, AdamW) holds a whole float[BIG] (stepped in place), a slice [3, 603) of a float[700]
     * (copied: 2 blocks and 88), a 17x19 matrix (in place, a short last block), an off-heap segment of SEG and a heap
     * segment over a whole float[300] (an array); group 1 (f32 states) a float[50]; group 2 (8-bit, Adam with L2 and
     * maximize) the slice [0, 2500) of a float[2600]. The slice of group 0 has no gradient at step 2.
     */
    static final class Model {
        final float[] big = new float[BIG];
        final float[] gBig = new float[BIG];
        final float[] buf = new float[700];
        final float[] gBuf = new float[700];
        final FMatrixRMaj mat = new FMatrixRMaj(17, 19);
        final FMatrixRMaj gMat = new FMatrixRMaj(17, 19);
        final float[] seg = new float[SEG];
        final float[] gSeg = new float[SEG];
        final float[] heap = new float[300];
        final float[] gHeap = new float[300];
        final float[] plain = new float[50];
        final float[] gPlain = new float[50];
        final float[] other = new float[2600];
        final float[] gOther = new float[2600];
        MemorySegment segValue;
        MemorySegment segGrad;

        Model() {
            SplittableRandom r = new SplittableRandom(3);
            for (float[] a : List.of(big, buf, mat.data, seg, heap, plain, other)) {
                for (int i = 0; i < a.length; i++) {
                    a[i] = (float) r.nextGaussian();
                }
            }
        }

        /** Gradients of step {@code s}, a function of the step only; the segment's copied in. */
        void grads(int s) {
            SplittableRandom r = new SplittableRandom(1000L * s + 17);
            for (float[] a : List.of(gBig, gBuf, gMat.data, gSeg, gHeap, gPlain, gOther)) {
                for (int i = 0; i < a.length; i++) {
                    // magnitudes over many decades, as real gradients have
                    a[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(-6, 2)));
                }
            }
            if (segGrad != null) {
                MemorySegment.copy(gSeg, 0, segGrad, ValueLayout.JAVA_FLOAT, 0, SEG);
            }
        }

        static AdamConfig c0() {
            return AdamConfig.builder().lr(1e-2).decoupled(0.1).build();
        }

        static AdamConfig c2() {
            return AdamConfig.builder().lr(3e-3).l2(0.01).maximize(true).build();
        }

        Optimizer<AdamConfig> build(String kernel, int threads, Arena arena) {
            return build(Optimizer.of(c0()).kernel(kernel).threads(threads).statePrecision(Q8), arena);
        }

        Optimizer<AdamConfig> build(Optimizer.Builder<AdamConfig, ?> builder, Arena arena) {
            Optimizer<AdamConfig> opt = builder.build();
            ParamGroup<AdamConfig> g0 = opt.defaultGroup();
            g0.add(big, gBig);
            g0.add(buf, gBuf, 3, 600);
            g0.add(mat, gMat);
            segValue = arena.allocateFrom(ValueLayout.JAVA_FLOAT, seg);
            segGrad = arena.allocate(4L * SEG);
            g0.add(Precision.F32, segValue, segGrad);
            g0.add(Precision.F32, MemorySegment.ofArray(heap), MemorySegment.ofArray(gHeap));
            ParamGroup<AdamConfig> g1 = opt.addGroup(AdamConfig.builder().lr(1e-3).build(), LrSchedule.constant());
            g1.statePrecision(StatePrecision.F32);
            g1.add(plain, gPlain);
            ParamGroup<AdamConfig> g2 = opt.addGroup(c2(), LrSchedule.stepLR(2, 0.5));
            g2.add(other, gOther, 0, 2500);
            return opt;
        }

        /** {@link #STEPS} steps, the slice of group 0 without a gradient at step 2. */
        void run(Optimizer<AdamConfig> opt, int from, int to) {
            Param slice = opt.params().get(1);
            for (int s = from; s <= to; s++) {
                grads(s);
                if (s == 2) {
                    slice.clearGrad();
                } else {
                    slice.markGrad();
                }
                assertTrue(opt.step());
            }
            MemorySegment.copy(segValue, ValueLayout.JAVA_FLOAT, 0, seg, 0, SEG);
        }
    }

    /** One 8-bit parameter stepped by hand: its own arrays, blocks from its first element. */
    static final class Q8State {
        final float[] p;
        final byte[] m;
        final byte[] v;
        final float[] mAbsmax;
        final float[] vAbsmax;
        int step;

        Q8State(float[] values, int off, int len) {
            p = java.util.Arrays.copyOfRange(values, off, off + len);
            m = new byte[len];
            v = new byte[len];
            mAbsmax = new float[(len + 255) / 256];
            vAbsmax = new float[(len + 255) / 256];
        }

        void step(AdamConfig c, double lr, float[] g, int off) {
            step++;
            AdamStep s = (AdamStep) c.step(step, lr, new double[0]);
            Adam8bitReference.fused(s, p, java.util.Arrays.copyOfRange(g, off, off + p.length), m, mAbsmax, v, vAbsmax,
                    0, p.length);
        }

        void assertEqual(Param q, float[] values, int off) {
            assertArrayEquals(p, java.util.Arrays.copyOfRange(values, off, off + p.length), q + ": parameters");
            assertArrayEquals(m, q.state("exp_avg").toArray(ValueLayout.JAVA_BYTE), q + ": exp_avg");
            assertArrayEquals(v, q.state("exp_avg_sq").toArray(ValueLayout.JAVA_BYTE), q + ": exp_avg_sq");
            assertArrayEquals(mAbsmax, q.state("exp_avg_absmax").toArray(ValueLayout.JAVA_FLOAT), q + ": m absmax");
            assertArrayEquals(vAbsmax, q.state("exp_avg_sq_absmax").toArray(ValueLayout.JAVA_FLOAT), q + ": v absmax");
            assertEquals(step, q.step(), q + ": step count");
        }
    }

    /** The model stepped by hand with {@link Adam8bitReference} (and {@link AdamReference_F32} for group 1). */
    static final class ByHand {
        final Model m = new Model();
        final Q8State big = new Q8State(m.big, 0, BIG);
        final Q8State slice = new Q8State(m.buf, 3, 600);
        final Q8State mat = new Q8State(m.mat.data, 0, 323);
        final Q8State seg = new Q8State(m.seg, 0, SEG);
        final Q8State heap = new Q8State(m.heap, 0, 300);
        final Q8State other = new Q8State(m.other, 0, 2500);
        final float[] plain = m.plain.clone();
        final float[][] plainState = new float[2][50];

        ByHand() {
            AdamConfig c0 = Model.c0(), c1 = AdamConfig.builder().lr(1e-3).build(), c2 = Model.c2();
            for (int s = 1; s <= STEPS; s++) {
                m.grads(s);
                big.step(c0, c0.lr(), m.gBig, 0);
                if (s != 2) {
                    slice.step(c0, c0.lr(), m.gBuf, 3);
                }
                mat.step(c0, c0.lr(), m.gMat.data, 0);
                seg.step(c0, c0.lr(), m.gSeg, 0);
                heap.step(c0, c0.lr(), m.gHeap, 0);
                AdamReference_F32.fused((AdamStep) c1.step(s, c1.lr(), new double[0]), plain, m.gPlain,
                        plainState[0], plainState[1], null, 0, 50);
                other.step(c2, LrSchedule.stepLR(2, 0.5).lr(s, c2.lr()), m.gOther, 0);
            }
        }

        void assertEqual(Model got, Optimizer<AdamConfig> opt) {
            List<Param> ps = opt.params();
            big.assertEqual(ps.get(0), got.big, 0);
            slice.assertEqual(ps.get(1), got.buf, 3);
            mat.assertEqual(ps.get(2), got.mat.data, 0);
            seg.assertEqual(ps.get(3), got.seg, 0);
            heap.assertEqual(ps.get(4), got.heap, 0);
            other.assertEqual(ps.get(6), got.other, 0);
            assertArrayEquals(plain, got.plain);
            assertArrayEquals(plainState[0], ps.get(5).expAvg().toArray(ValueLayout.JAVA_FLOAT));
            assertArrayEquals(plainState[1], ps.get(5).expAvgSq().toArray(ValueLayout.JAVA_FLOAT));
            // untouched outside the slices
            assertArrayEquals(java.util.Arrays.copyOfRange(new Model().buf, 0, 3),
                    java.util.Arrays.copyOfRange(got.buf, 0, 3));
            assertArrayEquals(java.util.Arrays.copyOfRange(new Model().buf, 603, 700),
                    java.util.Arrays.copyOfRange(got.buf, 603, 700));
            assertArrayEquals(java.util.Arrays.copyOfRange(new Model().other, 2500, 2600),
                    java.util.Arrays.copyOfRange(got.other, 2500, 2600));
        }
    }

    @TestFactory
    Stream<DynamicTest> everyKernelAndThreadCountGivesTheReferenceBits() {
        ByHand expected = new ByHand();
        List<DynamicTest> tests = new ArrayList<>();
        String preferred = AdamKernels.f32().name();
        for (String kernel : AdamKernels.names()) {
            // pieces are cut the same way at every width: more threads at the scalar and the preferred width only (the
            // 64-bit one boxes, and takes seconds a run)
            int most = kernel.equals("scalar") || kernel.equals(preferred) ? 3 : 1;
            for (int threads = 1; threads <= most; threads++) {
                int th = threads;
                tests.add(DynamicTest.dynamicTest(kernel + ", " + threads + " threads", () -> {
                    Model m = new Model();
                    try (Arena arena = Arena.ofShared(); Optimizer<AdamConfig> opt = m.build(kernel, th, arena)) {
                        m.run(opt, 1, STEPS);
                        expected.assertEqual(m, opt);
                    }
                }));
            }
        }
        return tests.stream();
    }

    /**
     * The guarded step's statistics step block by block beside copies of the parameters: with a clip that never
     * clips and the statistics on, the same bits as the plain step, and the statistics of those bits.
     */
    @Test
    void theGuardedStepWithStatisticsStepsTheSameBits() {
        ByHand expected = new ByHand();
        Model m = new Model();
        String kernel = AdamKernels.vectorAvailable() ? "vector" : "scalar";
        try (Arena arena = Arena.ofShared(); Optimizer<AdamConfig> opt = m.build(Optimizer.of(Model.c0())
                .kernel(kernel).threads(2).statePrecision(Q8).clipGradNorm(1e30, 2).stepStats(true), arena)) {
            m.run(opt, 1, STEPS);
            expected.assertEqual(m, opt);
            StepStats stats = opt.lastStats();
            assertEquals(1.0, stats.clipCoef());
            assertTrue(stats.updateNorm() > 0 && Double.isFinite(stats.updateNorm()), stats.toString());
        }
    }

    @Test
    void aFreshStateIsZeroCodesAndAbsmax() {
        try (Optimizer<AdamConfig> opt = Optimizer.adam().statePrecision(Q8).build()) {
            Param p = opt.defaultGroup().add(new float[300], new float[300]);
            for (String name : p.stateNames()) {
                assertEquals(-1, p.state(name).mismatch(MemorySegment.ofArray(new byte[(int) p.state(name)
                        .byteSize()])), name);
            }
            assertNull(StatePrecision.BLOCKWISE_8BIT.supportedFor(Precision.F32));
        }
    }

    /**
     * bf16 and fp16 parameters with 8-bit states, every rounding: the 16-bit form of {@link Adam8bitReference}, whose
     * stochastic rounding each parameter keys by the group's seed plus its first element's index among the
     * optimizer's parameters (a float[5] before them), and its element's index in its array.
     */
    @TestFactory
    Stream<DynamicTest> sixteenBitParametersGiveTheReferenceBits() {
        List<DynamicTest> tests = new ArrayList<>();
        String preferred = AdamKernels.f32().name();
        for (Precision precision : List.of(Precision.BF16, Precision.FP16)) {
            for (org.adam4j.reference.Rounding rounding : org.adam4j.reference.Rounding.values()) {
                Model16 expected = new Model16(precision);
                expected.byHand(rounding);
                for (String kernel : List.of("scalar", preferred)) {
                    for (int threads : new int[] {1, 3}) {
                        tests.add(DynamicTest.dynamicTest(precision + " " + rounding + " " + kernel + " " + threads
                                + " threads", () -> {
                                    Model16 m = new Model16(precision);
                                    try (Optimizer<AdamConfig> opt = Optimizer.adamW().lr(1e-3).weightDecay(0.1)
                                            .statePrecision(Q8).rounding(rounding).roundingSeed(42).kernel(kernel)
                                            .threads(threads).build()) {
                                        opt.defaultGroup().add(m.f, m.gf);
                                        Param big = opt.defaultGroup().add(precision, m.big, m.gBig);
                                        Param small = opt.defaultGroup().add(precision,
                                                MemorySegment.ofArray(m.small), MemorySegment.ofArray(m.gSmall));
                                        for (int s = 1; s <= STEPS; s++) {
                                            m.grads(s);
                                            assertTrue(opt.step());
                                        }
                                        expected.assertEqual(m, big, small, rounding);
                                    }
                                }));
                    }
                }
            }
        }
        return tests.stream();
    }

    /** A float[5], a whole short[BIG] and a short[300] of 16-bit weights near 1, where rounding decides a lot. */
    static final class Model16 {
        final Precision precision;
        final float[] f = new float[5];
        final float[] gf = new float[5];
        final short[] big = new short[BIG];
        final short[] gBig = new short[BIG];
        final short[] small = new short[300];
        final short[] gSmall = new short[300];
        Q8State fState;
        Q8State16 bigState;
        Q8State16 smallState;

        Model16(Precision precision) {
            this.precision = precision;
            SplittableRandom r = new SplittableRandom(precision.ordinal() + 5);
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) r.nextGaussian();
            }
            for (short[] a : List.of(big, small)) {
                for (int i = 0; i < a.length; i++) {
                    a[i] = precision.format().fromFloatNearestEven((float) (1 + 0.5 * r.nextGaussian()));
                }
            }
        }

        void grads(int s) {
            SplittableRandom r = new SplittableRandom(1000L * s + 29);
            for (int i = 0; i < gf.length; i++) {
                gf[i] = (float) r.nextGaussian();
            }
            for (short[] a : List.of(gBig, gSmall)) {
                for (int i = 0; i < a.length; i++) {
                    a[i] = precision.format().fromFloatNearestEven((float) (r.nextGaussian() * 0.1));
                }
            }
        }

        void byHand(org.adam4j.reference.Rounding rounding) {
            AdamConfig c = Optimizer.adamW().lr(1e-3).weightDecay(0.1).config();
            fState = new Q8State(f, 0, 5);
            bigState = new Q8State16(big, rounding);
            smallState = new Q8State16(small, rounding);
            for (int s = 1; s <= STEPS; s++) {
                grads(s);
                fState.step(c, c.lr(), gf, 0);
                // the group's seed; each parameter's elements numbered after the float[5]'s (and big's)
                bigState.step(c, precision, gBig, 42, 5);
                smallState.step(c, precision, gSmall, 42, 5 + BIG);
            }
        }

        void assertEqual(Model16 got, Param big, Param small, org.adam4j.reference.Rounding rounding) {
            assertArrayEquals(fState.p, got.f);
            bigState.assertEqual(big, got.big);
            smallState.assertEqual(small, got.small);
            List<String> names = new ArrayList<>(List.of("exp_avg", "exp_avg_sq", "exp_avg_absmax",
                    "exp_avg_sq_absmax"));
            if (rounding == org.adam4j.reference.Rounding.KAHAN) {
                names.add(Param.KAHAN_COMP);
            }
            assertEquals(names, big.stateNames());
            assertEquals(2L * BIG + 8 * ((BIG + 255) / 256) + (names.size() > 4 ? 2L * BIG : 0), big.stateBytes());
        }
    }

    /** A 16-bit parameter with 8-bit states stepped by hand. */
    static final class Q8State16 {
        final org.adam4j.reference.Rounding rounding;
        final short[] p;
        final byte[] m;
        final byte[] v;
        final float[] mAbsmax;
        final float[] vAbsmax;
        final short[] comp;
        int step;

        Q8State16(short[] values, org.adam4j.reference.Rounding rounding) {
            this.rounding = rounding;
            p = values.clone();
            m = new byte[p.length];
            v = new byte[p.length];
            mAbsmax = new float[(p.length + 255) / 256];
            vAbsmax = new float[(p.length + 255) / 256];
            comp = new short[p.length];
        }

        void step(AdamConfig c, Precision precision, short[] g, long seed, long firstIndex) {
            step++;
            Adam8bitReference.fused((AdamStep) c.step(step, c.lr(), new double[0]), 256, precision.format(), rounding,
                    p, g, m, mAbsmax, v, vAbsmax, comp, 0, p.length, seed, firstIndex);
        }

        void assertEqual(Param q, short[] got) {
            assertArrayEquals(p, got, q + ": parameters");
            assertArrayEquals(m, q.state("exp_avg").toArray(ValueLayout.JAVA_BYTE), q + ": exp_avg");
            assertArrayEquals(v, q.state("exp_avg_sq").toArray(ValueLayout.JAVA_BYTE), q + ": exp_avg_sq");
            assertArrayEquals(mAbsmax, q.state("exp_avg_absmax").toArray(ValueLayout.JAVA_FLOAT), q + ": m absmax");
            assertArrayEquals(vAbsmax, q.state("exp_avg_sq_absmax").toArray(ValueLayout.JAVA_FLOAT), q + ": v absmax");
            if (rounding == org.adam4j.reference.Rounding.KAHAN) {
                assertArrayEquals(comp, q.state(Param.KAHAN_COMP).toArray(ValueLayout.JAVA_SHORT), q + ": kahan_comp");
            }
        }
    }
}
