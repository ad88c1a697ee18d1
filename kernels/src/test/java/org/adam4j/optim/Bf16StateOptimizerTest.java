package org.adam4j.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.adam4j.kernels.AdamKernels;
import org.adam4j.reference.AdamBf16StatesReference;
import org.adam4j.reference.AdamConfig;
import org.adam4j.reference.AdamStep;
import org.adam4j.reference.LowPrecision;
import org.adam4j.reference.Rounding;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Groups with {@link StatePrecision#BF16} states step as {@link AdamBf16StatesReference} says, bit for bit: a whole
 * {@code float[]} (stepped in place), a slice at an offset whose last block is short and an off-heap segment (stepped
 * through copies), and a whole bf16 {@code short[]}, each element keyed by its index among the optimizer's parameters
 * laid end to end; every rounding, with and without AMSGrad, on the scalar and the preferred kernel, on 1 and 3 threads.
 * State bytes and names are counted by hand, and a run saved and resumed equals one that never stopped.
 */
class Bf16StateOptimizerTest {
    private static final int STEPS = 4;
    private static final int N = 5000;
    private static final int SLICE_OFF = 7;
    private static final int SLICE = 2 * 2048 + 300;
    private static final int SEGMENT = 3000;
    private static final int SHORTS = 700;
    private static final long SEED = 42;

    /** The parameters and gradients, filled from a fixed stream. */
    private static final class Model {
        final float[] whole = new float[N];
        final float[] gWhole = new float[N];
        final float[] buffer = new float[SLICE_OFF + SLICE + 5];
        final float[] gBuffer = new float[SLICE_OFF + SLICE + 5];
        final float[] seg = new float[SEGMENT];
        final float[] gSeg = new float[SEGMENT];
        final short[] bf = new short[SHORTS];
        final short[] gBf = new short[SHORTS];

        Model() {
            SplittableRandom r = new SplittableRandom(9);
            for (float[] a : new float[][] {whole, buffer, seg}) {
                for (int i = 0; i < a.length; i++) {
                    a[i] = (float) r.nextGaussian();
                }
            }
            for (int i = 0; i < SHORTS; i++) {
                bf[i] = LowPrecision.BF16.fromFloatNearestEven((float) (1 + 0.1 * r.nextGaussian()));
            }
        }

        void grads(int step) {
            SplittableRandom r = new SplittableRandom(100 + step);
            for (float[] a : new float[][] {gWhole, gBuffer, gSeg}) {
                for (int i = 0; i < a.length; i++) {
                    a[i] = (float) (r.nextGaussian() * 1e-2);
                }
            }
            for (int i = 0; i < SHORTS; i++) {
                gBf[i] = LowPrecision.BF16.fromFloatNearestEven((float) (r.nextGaussian() * 1e-2));
            }
        }
    }

    /** One parameter's bf16 state, stepped by the reference. */
    private record States(short[] m, short[] v, short[] vmax, short[] comp) {
        static States of(int n) {
            return new States(new short[n], new short[n], new short[n], new short[n]);
        }

        void assertState(Param q, boolean amsgrad, String where) {
            assertArrayEquals(m, q.state("exp_avg").toArray(ValueLayout.JAVA_SHORT), where + ": exp_avg");
            assertArrayEquals(v, q.state("exp_avg_sq").toArray(ValueLayout.JAVA_SHORT), where + ": exp_avg_sq");
            if (amsgrad) {
                assertArrayEquals(vmax, q.state("max_exp_avg_sq").toArray(ValueLayout.JAVA_SHORT), where + ": vmax");
            }
        }
    }

    private static AdamConfig config(boolean amsgrad) {
        return AdamConfig.builder().lr(1e-3).decoupled(0.1).amsgrad(amsgrad).build();
    }

    /** The reference's run of the model: each parameter keyed from its first element's global index. */
    private static Model byHand(Rounding rounding, boolean amsgrad, List<States> states) {
        Model m = new Model();
        States whole = States.of(N), slice = States.of(SLICE), seg = States.of(SEGMENT), bf = States.of(SHORTS);
        states.addAll(List.of(whole, slice, seg, bf));
        AdamConfig c = config(amsgrad);
        for (int s = 1; s <= STEPS; s++) {
            m.grads(s);
            AdamStep step = (AdamStep) c.step(s, c.lr(), new double[0]);
            AdamBf16StatesReference.fused(step, rounding, m.whole, m.gWhole, whole.m, whole.v, whole.vmax, 0, N, SEED,
                    0);
            float[] p = java.util.Arrays.copyOfRange(m.buffer, SLICE_OFF, SLICE_OFF + SLICE);
            float[] g = java.util.Arrays.copyOfRange(m.gBuffer, SLICE_OFF, SLICE_OFF + SLICE);
            AdamBf16StatesReference.fused(step, rounding, p, g, slice.m, slice.v, slice.vmax, 0, SLICE, SEED, N);
            System.arraycopy(p, 0, m.buffer, SLICE_OFF, SLICE);
            AdamBf16StatesReference.fused(step, rounding, m.seg, m.gSeg, seg.m, seg.v, seg.vmax, 0, SEGMENT, SEED,
                    N + SLICE);
            AdamBf16StatesReference.fused(step, LowPrecision.BF16, rounding, m.bf, m.gBf, bf.m, bf.v, bf.vmax, bf.comp,
                    0, SHORTS, SEED, N + SLICE + SEGMENT);
        }
        return m;
    }

    @TestFactory
    Stream<DynamicTest> everyParameterKindStepsAsTheReference() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Rounding rounding : Rounding.values()) {
            for (boolean amsgrad : new boolean[] {false, true}) {
                List<States> want = new ArrayList<>();
                Model expected = byHand(rounding, amsgrad, want);
                for (String kernel : List.of("scalar", AdamKernels.f32().name())) {
                    for (int threads : new int[] {1, 3}) {
                        String where = rounding + (amsgrad ? " amsgrad " : " ") + kernel + " " + threads + " threads";
                        tests.add(DynamicTest.dynamicTest(where, () -> {
                            Model m = new Model();
                            try (Arena arena = Arena.ofShared(); Optimizer<AdamConfig> opt = Optimizer.of(
                                    config(amsgrad)).statePrecision(StatePrecision.BF16).rounding(rounding)
                                    .roundingSeed(SEED).kernel(kernel).threads(threads).build()) {
                                ParamGroup<AdamConfig> g = opt.defaultGroup();
                                Param whole = g.add(m.whole, m.gWhole);
                                Param slice = g.add(m.buffer, m.gBuffer, SLICE_OFF, SLICE);
                                MemorySegment seg = arena.allocate(4L * SEGMENT, 64);
                                MemorySegment gSeg = arena.allocate(4L * SEGMENT, 64);
                                MemorySegment.copy(m.seg, 0, seg, ValueLayout.JAVA_FLOAT, 0, SEGMENT);
                                Param segment = g.add(Precision.F32, seg, gSeg);
                                Param bf = g.add(Precision.BF16, m.bf, m.gBf);
                                for (int s = 1; s <= STEPS; s++) {
                                    m.grads(s);
                                    MemorySegment.copy(m.gSeg, 0, gSeg, ValueLayout.JAVA_FLOAT, 0, SEGMENT);
                                    assertTrue(opt.step());
                                }
                                assertArrayEquals(expected.whole, m.whole, where + ": whole");
                                assertArrayEquals(expected.buffer, m.buffer, where + ": slice and its markers");
                                assertArrayEquals(expected.seg, seg.toArray(ValueLayout.JAVA_FLOAT), where + ": seg");
                                assertArrayEquals(expected.bf, m.bf, where + ": bf16");
                                List<Param> params = List.of(whole, slice, segment, bf);
                                for (int k = 0; k < 4; k++) {
                                    want.get(k).assertState(params.get(k), amsgrad, where + " " + params.get(k));
                                }
                                if (rounding == Rounding.KAHAN) {
                                    assertArrayEquals(want.get(3).comp, bf.state(Param.KAHAN_COMP)
                                            .toArray(ValueLayout.JAVA_SHORT), where + ": kahan_comp");
                                }
                                long states = amsgrad ? 3 : 2;
                                assertEquals(2 * states * N, whole.stateBytes(), where + ": bytes");
                                assertEquals(2 * states * (N + SLICE + SEGMENT + SHORTS)
                                        + (rounding == Rounding.KAHAN ? 2L * SHORTS : 0), opt.stateBytes(), where);
                            }
                        }));
                    }
                }
            }
        }
        return tests.stream();
    }

    @Test
    void aResumedRunIsTheRunThatNeverStopped(@TempDir Path dir) throws Exception {
        Model straight = new Model();
        Model resumed = new Model();
        Path file = dir.resolve("bf16.state");
        try (Optimizer<AdamConfig> a = build(straight); Optimizer<AdamConfig> b = build(resumed)) {
            for (int s = 1; s <= STEPS; s++) {
                straight.grads(s);
                a.step();
                if (s <= 2) {
                    resumed.grads(s);
                    b.step();
                }
            }
            b.save(file);
        }
        assertTrue(Files.size(file) > 0);
        try (Optimizer<AdamConfig> c = build(resumed)) {
            c.load(file);
            assertEquals(StatePrecision.BF16, c.defaultGroup().statePrecision());
            for (int s = 3; s <= STEPS; s++) {
                resumed.grads(s);
                c.step();
            }
        }
        assertArrayEquals(straight.whole, resumed.whole);
        assertArrayEquals(straight.bf, resumed.bf);
    }

    private static Optimizer<AdamConfig> build(Model m) {
        Optimizer<AdamConfig> opt = Optimizer.of(config(false)).statePrecision(StatePrecision.BF16)
                .rounding(Rounding.STOCHASTIC).roundingSeed(SEED).build();
        opt.defaultGroup().add(m.whole, m.gWhole);
        opt.defaultGroup().add(Precision.BF16, m.bf, m.gBf);
        return opt;
    }
}
