package org.adam4j.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.adam4j.kernels.AdamKernels;
import org.adam4j.reference.AdamConfig;
import org.adam4j.reference.AdamStep;
import org.adam4j.reference.AdamReference_F32;
import org.adam4j.reference.Bf16;
import org.adam4j.reference.LowPrecision;
import org.adam4j.reference.LowPrecisionAdamReference;
import org.adam4j.reference.Rounding;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The optimizer API over {@link Precision#BF16} and {@link Precision#FP16} parameters: every step gives exactly the
 * bits of {@link LowPrecisionAdamReference} stepped by hand (global indices, per-group rounding and seed, the
 * parameter's own step count), for every kernel name and 1, 2 and 3 threads; the state (with {@code kahan_comp} and
 * the seed) survives {@code state()}/{@code loadState} and {@code save}/{@code load} bit for bit, and a resumed
 * stochastic run continues as an uninterrupted one; what is not supported is refused in one line.
 */
class LowPrecisionOptimizerTest {
    /** Above {@link Optimizer#MIN_PIECE}, so that 2 and 3 threads cut it into several pieces. */
    static final int BIG = 70_001;
    static final int STEPS = 4;

    @TempDir
    Path dir;

    /**
     * The model: group 0 holds a float[5] (so the 16-bit indices start at 5), a whole short[BIG] and a slice
     * [3, 43) of a short[50]; group 1 (AMSGrad, its own rounding and seed) a short[1000].
     */
    static final class Model {
        final Precision precision;
        final float[] f = new float[5];
        final float[] gf = new float[5];
        final short[] big = new short[BIG];
        final short[] gBig = new short[BIG];
        final short[] buf = new short[50];
        final short[] gBuf = new short[50];
        final short[] other = new short[1000];
        final short[] gOther = new short[1000];

        Model(Precision precision) {
            this.precision = precision;
            SplittableRandom r = new SplittableRandom(precision.ordinal() + 11);
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) r.nextGaussian();
            }
            for (short[] a : List.of(big, buf, other)) {
                for (int i = 0; i < a.length; i++) {
                    // around 1, where a bf16 ulp (2^-7) is far above Adam's update: rounding decides what is kept
                    a[i] = fmt().fromFloatNearestEven((float) (1 + 0.5 * r.nextGaussian()));
                }
            }
        }

        LowPrecision fmt() {
            return precision.format();
        }

        /** Gradients of step {@code s}, a function of the step only. */
        void grads(int s) {
            SplittableRandom r = new SplittableRandom(1000L * s + 17);
            for (int i = 0; i < gf.length; i++) {
                gf[i] = (float) r.nextGaussian();
            }
            for (short[] a : List.of(gBig, gBuf, gOther)) {
                for (int i = 0; i < a.length; i++) {
                    a[i] = fmt().fromFloatNearestEven((float) (r.nextGaussian() * 0.1));
                }
            }
        }

        /** With {@link #build}'s {@code bigSegment}, BIG's value and gradient in a shared arena instead of arrays. */
        MemorySegment bigValue;
        MemorySegment bigGrad;

        Optimizer<AdamConfig> build(boolean adamW, String kernel, int threads, Rounding rounding, Rounding second) {
            return build(adamW, kernel, threads, rounding, second, null);
        }

        /** Copies the gradients of the off-heap parameter in, as a backward pass would write them. */
        void gradsOffHeap(int s) {
            grads(s);
            if (bigGrad != null) {
                MemorySegment.copy(gBig, 0, bigGrad, ValueLayout.JAVA_SHORT, 0, BIG);
            }
        }

        Optimizer<AdamConfig> build(boolean adamW, String kernel, int threads, Rounding rounding, Rounding second,
                Arena offHeap) {
            Optimizer<AdamConfig> opt = (adamW ? Optimizer.adamW().weightDecay(0.1) : Optimizer.adam()).lr(1e-3)
                    .kernel(kernel).threads(threads).rounding(rounding).roundingSeed(42).build();
            ParamGroup<AdamConfig> g0 = opt.defaultGroup();
            g0.add(f, gf);
            if (offHeap == null) {
                g0.add(precision, big, gBig);
            } else {
                bigValue = offHeap.allocateFrom(ValueLayout.JAVA_SHORT, big);
                bigGrad = offHeap.allocate((long) BIG * Short.BYTES);
                g0.add(precision, bigValue, bigGrad);
            }
            // a heap segment over a short[] is that array's slice: elements [3, 43)
            g0.add(precision, MemorySegment.ofArray(buf).asSlice(6, 80), MemorySegment.ofArray(gBuf).asSlice(6, 80));
            ParamGroup<AdamConfig> g1 = opt.addGroup(AdamConfig.builder().lr(3e-3).amsgrad(true).build(),
                    LrSchedule.constant());
            g1.rounding(second);
            g1.roundingSeed(-7);
            g1.add(precision, other, gOther);
            return opt;
        }
    }

    /** The model stepped by hand with the references: {@code float} for the float[], the 16-bit one for the rest. */
    static final class ByHand {
        final Model m;
        final AdamConfig c0;
        final AdamConfig c1 = AdamConfig.builder().lr(3e-3).amsgrad(true).build();
        final Rounding r0;
        final Rounding r1;
        final float[][] fs = new float[2][5];
        final float[][] bigS = new float[2][BIG];
        final float[][] bufS = new float[2][50];
        final float[][] otherS = new float[3][1000];
        final short[] bigComp = new short[BIG];
        final short[] bufComp = new short[50];
        final short[] otherComp = new short[1000];

        ByHand(Model m, boolean adamW, Rounding r0, Rounding r1) {
            this.m = m;
            this.c0 = (adamW ? Optimizer.adamW().weightDecay(0.1) : Optimizer.adam()).lr(1e-3).config();
            this.r0 = r0;
            this.r1 = r1;
        }

        void step(int t) {
            AdamStep s0 = (AdamStep) c0.step(t, c0.lr(), new double[0]);
            AdamStep s1 = (AdamStep) c1.step(t, c1.lr(), new double[0]);
            AdamReference_F32.fused(s0, m.f, m.gf, fs[0], fs[1], null, 0, 5);
            LowPrecisionAdamReference.fused(s0, m.fmt(), r0, m.big, m.gBig, bigS[0], bigS[1], null, bigComp, 0, BIG,
                    42, 5);
            LowPrecisionAdamReference.fused(s0, m.fmt(), r0, m.buf, m.gBuf, bufS[0], bufS[1], null, bufComp, 3, 40,
                    42, 5 + BIG);
            LowPrecisionAdamReference.fused(s1, m.fmt(), r1, m.other, m.gOther, otherS[0], otherS[1], otherS[2],
                    otherComp, 0, 1000, -7, 5 + BIG + 40);
        }
    }

    static Stream<Rounding[]> roundings() {
        return Stream.of(new Rounding[] {Rounding.NEAREST, Rounding.STOCHASTIC},
                new Rounding[] {Rounding.STOCHASTIC, Rounding.KAHAN},
                new Rounding[] {Rounding.KAHAN, Rounding.NEAREST});
    }

    @TestFactory
    Stream<DynamicTest> everyKernelAndThreadCountGivesTheReferenceBits() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Precision precision : List.of(Precision.BF16, Precision.FP16)) {
            for (boolean adamW : new boolean[] {false, true}) {
                roundings().forEach(r -> {
                    ByHand expected = new ByHand(new Model(precision), adamW, r[0], r[1]);
                    for (int s = 1; s <= STEPS; s++) {
                        expected.m.grads(s);
                        expected.step(s);
                    }
                    for (String kernel : AdamKernels.names()) {
                        for (int threads = 1; threads <= 3; threads++) {
                            for (boolean offHeap : new boolean[] {false, true}) {
                                int th = threads;
                                tests.add(DynamicTest.dynamicTest(precision + (adamW ? " adamw " : " adam ") + r[0]
                                        + "/" + r[1] + " " + kernel + " " + threads + " threads"
                                        + (offHeap ? ", the big one off-heap" : ""), () -> check(expected,
                                        new Model(precision), adamW, kernel, th, offHeap)));
                            }
                        }
                    }
                });
            }
        }
        return tests.stream();
    }

    private static void check(ByHand expected, Model m, boolean adamW, String kernel, int threads,
            boolean offHeap) {
        try (Arena arena = Arena.ofShared();
                Optimizer<AdamConfig> opt = m.build(adamW, kernel, threads, expected.r0, expected.r1,
                        offHeap ? arena : null)) {
            for (int s = 1; s <= STEPS; s++) {
                m.gradsOffHeap(s);
                assertTrue(opt.step());
            }
            if (offHeap) {
                MemorySegment.copy(m.bigValue, ValueLayout.JAVA_SHORT, 0, m.big, 0, BIG);
            }
            assertArrayEquals(expected.m.f, m.f);
            assertArrayEquals(expected.m.big, m.big);
            assertArrayEquals(expected.m.buf, m.buf);
            assertArrayEquals(expected.m.other, m.other);
            List<Param> ps = opt.params();
            assertState(ps.get(1), expected.bigS, expected.r0 == Rounding.KAHAN ? expected.bigComp : null, 0, BIG);
            assertState(ps.get(2), expected.bufS, expected.r0 == Rounding.KAHAN ? expected.bufComp : null, 3, 40);
            assertState(ps.get(3), expected.otherS, expected.r1 == Rounding.KAHAN ? expected.otherComp : null, 0,
                    1000);
            for (Param p : ps.subList(1, 4)) {
                assertEquals(STEPS, p.step());
            }
        }
    }

    private static void assertState(Param p, float[][] state, short[] comp, int off, int len) {
        for (int k = 0; k < state.length; k++) {
            float[] want = Arrays.copyOfRange(state[k], off, off + len);
            assertArrayEquals(want, p.state(p.stateNames().get(k)).toArray(ValueLayout.JAVA_FLOAT), p + " "
                    + p.stateNames().get(k));
        }
        assertEquals(comp != null, p.stateNames().contains(Param.KAHAN_COMP), p.stateNames().toString());
        if (comp != null) {
            assertArrayEquals(Arrays.copyOfRange(comp, off, off + len),
                    p.state(Param.KAHAN_COMP).toArray(ValueLayout.JAVA_SHORT));
        }
    }

    @Test
    void stochasticRoundingMovesWeightsThatNearestRoundingLeavesAlone() {
        // the premise of the stochastic tests: at lr 1e-3 most bf16 steps of weights near 1 are below half an ulp
        Model nearest = new Model(Precision.BF16), stochastic = new Model(Precision.BF16);
        short[] start = nearest.big.clone();
        try (Optimizer<AdamConfig> a = nearest.build(false, "scalar", 1, Rounding.NEAREST, Rounding.NEAREST);
                Optimizer<AdamConfig> b = stochastic.build(false, "scalar", 1, Rounding.STOCHASTIC,
                        Rounding.STOCHASTIC)) {
            nearest.grads(1);
            stochastic.grads(1);
            a.step();
            b.step();
        }
        assertNotEquals(Arrays.hashCode(nearest.big), Arrays.hashCode(stochastic.big));
        int movedNearest = 0, movedStochastic = 0;
        for (int i = 0; i < BIG; i++) {
            movedNearest += nearest.big[i] != start[i] ? 1 : 0;
            movedStochastic += stochastic.big[i] != start[i] ? 1 : 0;
        }
        assertTrue(movedStochastic > movedNearest, movedNearest + " moved to nearest, " + movedStochastic
                + " stochastically");
    }

    /** Two steps, a save/load and a state()/loadState into fresh optimizers, two more steps: as four straight steps. */
    @TestFactory
    Stream<DynamicTest> aResumedRunContinuesBitForBit() {
        return roundings().flatMap(r -> Stream.of(Precision.BF16, Precision.FP16).map(precision -> DynamicTest
                .dynamicTest(precision + " " + r[0] + "/" + r[1], () -> {
                    Model straight = new Model(precision);
                    try (Optimizer<AdamConfig> opt = straight.build(true,
                            AdamKernels.vectorAvailable() ? "vector" : "scalar", 2, r[0], r[1])) {
                        for (int s = 1; s <= STEPS; s++) {
                            straight.grads(s);
                            opt.step();
                        }
                    }
                    Model first = new Model(precision);
                    Path file = dir.resolve(precision + "-" + r[0] + "-" + r[1] + ".state");
                    OptimizerState taken;
                    short[][] weights;
                    try (Optimizer<AdamConfig> opt = first.build(true, "scalar", 1, r[0], r[1])) {
                        for (int s = 1; s <= STEPS / 2; s++) {
                            first.grads(s);
                            opt.step();
                        }
                        opt.save(file);
                        taken = opt.state();
                        weights = new short[][] {first.big.clone(), first.buf.clone(), first.other.clone()};
                    }
                    for (boolean fromFile : new boolean[] {true, false}) {
                        Model resumed = new Model(precision);
                        System.arraycopy(first.f, 0, resumed.f, 0, 5);
                        System.arraycopy(weights[0], 0, resumed.big, 0, BIG);
                        System.arraycopy(weights[1], 0, resumed.buf, 0, 50);
                        System.arraycopy(weights[2], 0, resumed.other, 0, 1000);
                        // built with the defaults: the file and the state bring the roundings and the seeds
                        try (Optimizer<AdamConfig> opt = resumed.build(true, "scalar", 3,
                                r[0] == Rounding.KAHAN ? Rounding.KAHAN : Rounding.NEAREST,
                                r[1] == Rounding.KAHAN ? Rounding.KAHAN : Rounding.NEAREST)) {
                            opt.defaultGroup().roundingSeed(0);
                            opt.groups().get(1).roundingSeed(0);
                            if (fromFile) {
                                opt.load(file);
                            } else {
                                opt.loadState(taken);
                            }
                            assertEquals(taken, opt.state(), "the state round-trips bit for bit");
                            assertEquals(r[0], opt.defaultGroup().rounding());
                            assertEquals(42, opt.defaultGroup().roundingSeed());
                            assertEquals(-7, opt.groups().get(1).roundingSeed());
                            for (int s = STEPS / 2 + 1; s <= STEPS; s++) {
                                resumed.grads(s);
                                opt.step();
                            }
                        }
                        assertArrayEquals(straight.big, resumed.big, fromFile ? "save/load" : "loadState");
                        assertArrayEquals(straight.buf, resumed.buf);
                        assertArrayEquals(straight.other, resumed.other);
                    }
                })));
    }

    @Test
    void theStateNamesTheCompensationAndKeepsItsPrecision() throws IOException {
        Model m = new Model(Precision.FP16);
        try (Optimizer<AdamConfig> opt = m.build(false, "scalar", 1, Rounding.KAHAN, Rounding.STOCHASTIC)) {
            m.grads(1);
            opt.step();
            OptimizerState s = opt.state();
            OptimizerState.ParamState big = s.groups().get(0).params().get(1);
            assertEquals(Precision.FP16, big.precision());
            assertEquals(List.of("exp_avg", "exp_avg_sq", "kahan_comp"), List.copyOf(big.arrays().keySet()));
            assertEquals((long) BIG * Short.BYTES, big.arrays().get("kahan_comp").byteSize());
            assertEquals((long) BIG * Float.BYTES, big.arrays().get("exp_avg").byteSize());
            assertEquals(Precision.FP16, big.arrayPrecision("kahan_comp"));
            assertEquals(Precision.F32, big.arrayPrecision("exp_avg"));
            long nonZero = Arrays.stream(toInts(big.arrays().get("kahan_comp"))).filter(x -> x != 0).count();
            assertTrue(nonZero > BIG / 2, "the compensation holds what rounding lost: " + nonZero + " nonzero");
            assertEquals(List.of("exp_avg", "exp_avg_sq", "max_exp_avg_sq"),
                    List.copyOf(s.groups().get(1).params().get(0).arrays().keySet()));
            assertEquals(new OptimizerState.Group(s.groups().get(1).config(), s.groups().get(1).schedule(),
                    s.groups().get(1).params(), Rounding.STOCHASTIC, -7), s.groups().get(1));
            Path file = dir.resolve("fp16.state");
            opt.save(file);
            byte[] bytes = Files.readAllBytes(file);
            assertEquals(StateFile.FLAG_PRECISIONS, bytes[12], "the header says precisions follow");
            assertEquals(s, StateFile.read(file));
        }
    }

    /**
     * Flag 2's layout, byte by byte, for Adam with one bf16 element in a Kahan group; and its fields refused when
     * damaged (the file resealed, so the parse reaches them), the optimizer unchanged.
     */
    @Test
    void flagTwosFieldsAreWhereTheFormatSaysAndDamagedOnesAreRefused() throws IOException {
        short[] p = {Bf16.fromFloatNearestEven(1.5f)}, g = {Bf16.fromFloatNearestEven(0.25f)};
        try (Optimizer<AdamConfig> opt = Optimizer.adam().rounding(Rounding.KAHAN).roundingSeed(0x0102030405060708L)
                .build()) {
            opt.defaultGroup().add(Precision.BF16, p, g);
            opt.step();
            Path file = dir.resolve("one.state");
            opt.save(file);
            byte[] good = Files.readAllBytes(file);
            // header 24, "adam" 6, steps 8, group count 4, Adam's fields 50, schedule 1: the group's rounding at 93
            assertEquals(142, good.length);
            ByteBuffer b = ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(StateFile.FLAG_PRECISIONS, b.getInt(12));
            assertEquals(2, good[93], "rounding: Kahan");
            assertEquals(0x0102030405060708L, b.getLong(94), "the seed");
            assertEquals(1, b.getInt(102), "one parameter");
            assertEquals(3, good[106], "precision code: bf16");
            assertEquals(3, good[124], "exp_avg, exp_avg_sq, kahan_comp");
            assertEquals(1, good[125], "exp_avg: f32");
            assertEquals(1, good[130], "exp_avg_sq: f32");
            assertEquals(3, good[135], "kahan_comp: bf16");
            OptimizerState before = opt.state();
            assertEquals(before.groups().get(0).params().get(0).arrays().get("kahan_comp").get(
                    ValueLayout.JAVA_SHORT, 0), b.getShort(136));
            Object[][] damage = {
                {93, 3, List.of("an unknown rounding 3 in group 0")},
                // to nearest, the parameter keeps no kahan_comp
                {93, 0, List.of("3 state arrays for parameter 0 of group 0", "keeps 2 for a BF16 parameter rounded "
                        + "by NEAREST")},
                {106, 5, List.of("an unknown precision code 5 for parameter 0 of group 0")},
                {124, 2, List.of("2 state arrays for parameter 0 of group 0", "keeps 3 for a BF16 parameter rounded "
                        + "by KAHAN")},
                {135, 1, List.of("F32 elements in kahan_comp of parameter 0 of group 0, which keeps BF16")},
                {125, 3, List.of("BF16 elements in exp_avg of parameter 0 of group 0, which keeps F32")},
            };
            for (Object[] d : damage) {
                byte[] bad = good.clone();
                bad[(int) d[0]] = (byte) (int) d[1];
                Path f = dir.resolve("bad.state");
                Files.write(f, resealed(bad));
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> opt.load(f));
                for (Object fragment : (List<?>) d[2]) {
                    assertTrue(e.getMessage().contains((String) fragment), e.getMessage());
                }
                assertEquals(before, opt.state(), "a refused load changed the optimizer");
            }
        }
    }

    /** {@code bytes} with the length field and the checksum made right, so that a reader parses what follows. */
    static byte[] resealed(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(16, bytes.length);
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        b.putInt(bytes.length - 4, (int) crc.getValue());
        return bytes;
    }

    private static int[] toInts(MemorySegment shorts) {
        short[] a = shorts.toArray(ValueLayout.JAVA_SHORT);
        int[] r = new int[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[i];
        }
        return r;
    }

    @Test
    void whatIsNotSupportedIsRefusedInOneLine() {
        short[] p = new short[8], g = new short[8];
        refused("a short[] holds BF16 or FP16 bit patterns, not F32: add a float[] instead",
                () -> Optimizer.adam().build().defaultGroup().add(Precision.F32, p, g));
        StatePrecision q8 = StatePrecision.BLOCKWISE_8BIT;
        refused("the guarded step (skipNonFinite) cannot rescale the BF16 gradients of 8bit states yet", () -> Optimizer
                .adam().statePrecision(q8).skipNonFinite(true).build().defaultGroup().add(Precision.BF16, p, g));
        refused("the guarded step (clipGradNorm) cannot rescale the FP16 gradients of 8bit states yet", () -> Optimizer
                .adamW().statePrecision(q8).clipGradNorm(1, 2).build().defaultGroup().add(Precision.FP16, p, g));
        refused("state precision 8bit for BF16 parameters takes BF16 gradients, not yet F32 ones", () -> Optimizer
                .adam().statePrecision(q8).build().defaultGroup().add(Precision.BF16, p, new float[8]));
        try (Arena arena = Arena.ofConfined()) {
            refused("a F32 parameter takes a gradient of its precision, not BF16 (widen it into a F32 gradient)",
                    () -> Optimizer.adam().build().defaultGroup().add(Precision.F32, arena.allocate(32),
                            Precision.BF16, arena.allocate(16)));
            refused("a BF16 parameter takes a gradient of its precision or F32, not FP16", () -> Optimizer.adam()
                    .build().defaultGroup().add(Precision.BF16, arena.allocate(16), Precision.FP16,
                            arena.allocate(16)));
            refused("gradient of the wrong shape: the value has 8 elements, the gradient 4", () -> Optimizer.adam()
                    .build().defaultGroup().add(Precision.BF16, arena.allocate(16), Precision.F32,
                            arena.allocate(16)));
        }
        refused("gradient of the wrong shape: the value array has 8 elements, the gradient array 4",
                () -> Optimizer.adam().build().defaultGroup().add(Precision.BF16, p, new float[4]));
        Optimizer<AdamConfig> opt = Optimizer.adam().build();
        opt.defaultGroup().add(Precision.BF16, p, g);
        refused("group 0: cannot switch the rounding of a group with 16-bit parameters from NEAREST to KAHAN",
                () -> opt.defaultGroup().rounding(Rounding.KAHAN));
        opt.defaultGroup().rounding(Rounding.STOCHASTIC);
        assertEquals(Rounding.STOCHASTIC, opt.defaultGroup().rounding());
        short[] q = new short[8], gq = new short[8];
        opt.defaultGroup().add(Precision.BF16, q, gq, 0, 4);
        refused("slices of one value array must share one precision: this value array is registered already as BF16",
                () -> opt.defaultGroup().add(Precision.FP16, q, gq, 4, 4));
        Optimizer<AdamConfig> kahan = Optimizer.adam().rounding(Rounding.KAHAN).build();
        kahan.defaultGroup().add(Precision.BF16, new short[4], new short[4]);
        refused("the state's group 0: cannot switch the rounding of a group with 16-bit parameters from KAHAN to "
                + "STOCHASTIC", () -> kahan.loadState(opt.state()));
    }

    private static void refused(String message, Runnable r) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().startsWith(message), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }
}
