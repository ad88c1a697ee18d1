package org.adam4j.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.adam4j.kernels.AdamKernels;
import org.adam4j.kernels.OptimizerSteps_F32;
import org.adam4j.reference.AdamConfig;
import org.adam4j.reference.GradGuard;
import org.adam4j.reference.GradNormReference_F32;
import org.adam4j.reference.OptimizerStep;
import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The guarded step through the optimizer: a skipped step writes nothing; unscaling, clipping and the statistics give
 * the same bits for every kernel and thread count, and the bits of the guard written out by hand in PyTorch's order
 * with the references; the loss scaler follows GradScaler's policy and is saved with the state.
 */
class GuardedStepTest {
    private static final float MARKER = 4242.5f;

    private static float[] gaussian(SplittableRandom rnd, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (rnd.nextGaussian() * scale);
        }
        return a;
    }

    private static long hash(float[] a) {
        return Arrays.hashCode(a);
    }

    private static long hash(MemorySegment s) {
        return Arrays.hashCode(s.toArray(ValueLayout.JAVA_FLOAT));
    }

    /** Every array the optimizer can reach, values, gradients, state and the elements past each slice, hashed. */
    private static List<Long> everything(List<float[]> arrays, List<MemorySegment> segments, Optimizer<?> opt) {
        List<Long> h = new ArrayList<>();
        for (float[] a : arrays) {
            h.add(hash(a));
        }
        for (MemorySegment s : segments) {
            h.add(hash(s));
        }
        for (Param q : opt.params()) {
            for (String name : q.stateNames()) {
                h.add(hash(q.state(name)));
            }
            h.add(q.step);
        }
        h.add(opt.steps());
        return h;
    }

    @Test
    void aSkippedStepWritesNothingOnAnyParameterKind() {
        SplittableRandom rnd = new SplittableRandom(1);
        for (int threads : new int[] {1, 2}) {
            try (Arena arena = Arena.ofShared();
                    Optimizer<AdamConfig> opt = Optimizer.adamW().threads(threads).gradScaler(new GradScaler())
                            .clipGradNorm(1.0, 2).stepStats(true).build()) {
                // a slice with a marker past it, a whole array, a matrix and a native segment
                float[] p1 = gaussian(rnd, 70_001, 1), g1 = gaussian(rnd, 70_001, 65536);
                p1[70_000] = MARKER;
                g1[70_000] = MARKER;
                float[] p2 = gaussian(rnd, 5000, 1), g2 = gaussian(rnd, 5000, 65536);
                FMatrixRMaj m = new FMatrixRMaj(30, 40), mg = new FMatrixRMaj(30, 40);
                m.data = gaussian(rnd, 1200, 1);
                mg.data = gaussian(rnd, 1200, 65536);
                MemorySegment sp = arena.allocate(4L * 40_000, 64), sg = arena.allocate(4L * 40_000, 64);
                MemorySegment.copy(gaussian(rnd, 40_000, 1), 0, sp, ValueLayout.JAVA_FLOAT, 0, 40_000);
                MemorySegment.copy(gaussian(rnd, 40_000, 65536), 0, sg, ValueLayout.JAVA_FLOAT, 0, 40_000);
                ParamGroup<AdamConfig> group = opt.defaultGroup();
                group.add(p1, g1, 0, 70_000);
                group.add(p2, g2);
                group.add(m, mg);
                group.add(Precision.F32, sp, sg);
                assertTrue(opt.step());
                assertTrue(opt.step());
                float scaleBefore = opt.gradScaler().scale();
                // one Inf deep in the segment: the whole step is skipped
                sg.setAtIndex(ValueLayout.JAVA_FLOAT, 39_999, Float.POSITIVE_INFINITY);
                List<float[]> arrays = List.of(p1, g1, p2, g2, m.data, mg.data);
                List<Long> before = everything(arrays, List.of(sp, sg), opt);
                assertFalse(opt.step(), "a step with an infinite gradient is skipped");
                assertEquals(before, everything(arrays, List.of(sp, sg), opt), "a skipped step wrote something");
                assertEquals(MARKER, p1[70_000]);
                assertEquals(MARKER, g1[70_000]);
                StepStats st = opt.lastStats();
                assertTrue(st.skipped());
                assertEquals(1, st.nonFinite());
                assertEquals(2, st.step());
                assertEquals(scaleBefore * 0.5f, opt.gradScaler().scale(), "the scale backs off after a skip");
                sg.setAtIndex(ValueLayout.JAVA_FLOAT, 39_999, Float.NaN);
                assertFalse(opt.step());
                assertEquals(2, opt.steps());
                sg.setAtIndex(ValueLayout.JAVA_FLOAT, 39_999, 1f);
                assertTrue(opt.step());
                assertEquals(3, opt.steps());
                assertEquals(MARKER, p1[70_000]);
                assertEquals(MARKER, g1[70_000]);
            }
        }
    }

    /** One run: three parameters (two split into pieces on more threads), four steps, everything returned. */
    private static List<Object> run(String kernel, int threads, boolean stats) {
        SplittableRandom rnd = new SplittableRandom(7);
        float[] p1 = gaussian(rnd, 100_003, 1), p2 = gaussian(rnd, 70_000, 0.1), p3 = gaussian(rnd, 999, 3);
        float[][] g = new float[3][];
        List<Object> out = new ArrayList<>();
        try (Optimizer<AdamConfig> opt = Optimizer.adam().kernel(kernel).threads(threads).gradScale(1000)
                .clipGradNorm(40.0, 2).stepStats(stats).build()) {
            g[0] = new float[p1.length];
            g[1] = new float[p2.length];
            g[2] = new float[p3.length];
            opt.defaultGroup().add(p1, g[0]);
            opt.defaultGroup().add(p2, g[1]);
            opt.defaultGroup().add(p3, g[2]);
            for (int t = 0; t < 4; t++) {
                for (float[] gi : g) {
                    System.arraycopy(gaussian(rnd, gi.length, 1000 * (t + 1) * 0.1), 0, gi, 0, gi.length);
                }
                assertTrue(opt.step());
                out.add(opt.lastStats());
            }
            out.add(p1.clone());
            out.add(p2.clone());
            out.add(p3.clone());
            for (float[] gi : g) {
                out.add(gi.clone());
            }
        }
        return out;
    }

    private static void assertSame(List<Object> want, List<Object> got, String where) {
        assertEquals(want.size(), got.size());
        for (int i = 0; i < want.size(); i++) {
            if (want.get(i) instanceof float[] a) {
                assertArrayEquals(a, (float[]) got.get(i), where + " item " + i);
            } else {
                assertEquals(want.get(i), got.get(i), where + " item " + i);
            }
        }
    }

    @Test
    void guardedStepsAndTheirStatisticsHaveTheSameBitsForEveryKernelAndThreadCount() {
        for (boolean stats : new boolean[] {false, true}) {
            List<Object> want = run(AdamKernels.SCALAR, 1, stats);
            StepStats first = (StepStats) want.get(0);
            assertTrue(first.clipCoef() < 1, "the case clips: " + first);
            assertEquals(stats, !Double.isNaN(first.updateNorm()));
            List<String> kernels = new ArrayList<>(List.of(AdamKernels.SCALAR));
            if (AdamKernels.vectorAvailable()) {
                kernels.addAll(List.of("vector-128", "vector"));
            }
            for (String k : kernels) {
                for (int threads : new int[] {1, 2, 3}) {
                    assertSame(want, run(k, threads, stats), k + " threads " + threads + " stats " + stats);
                }
            }
        }
    }

    /** The guard written out by hand with the references, in PyTorch's order, gives the optimizer's bits. */
    @Test
    void theGuardIsPyTorchsOrderOverTheReferences() {
        SplittableRandom rnd = new SplittableRandom(11);
        int n = 9000;
        float[] p = gaussian(rnd, n, 1), g = new float[n];
        float[] p0 = p.clone();
        AdamConfig config = AdamConfig.builder().lr(0.01).build();
        GradGuard guard = new GradGuard(512, true, 3.0, 2);
        float[][] state = {new float[n], new float[n]};
        try (Optimizer<AdamConfig> opt = Optimizer.of(config).gradScale(512).skipNonFinite(true).clipGradNorm(3.0, 2)
                .build()) {
            opt.defaultGroup().add(p, g);
            for (int t = 1; t <= 3; t++) {
                float[] raw = gaussian(rnd, n, 512 * 0.1 * t);
                System.arraycopy(raw, 0, g, 0, n);
                assertTrue(opt.step());
                float inv = guard.invScale_F32();
                double sum = GradNormReference_F32.sumOfSquares(raw, inv, 0, n);
                float coef = guard.clipCoef_F32(Math.sqrt(sum));
                GradNormReference_F32.scale(raw, inv, coef, 0, n);
                OptimizerStep s = config.step(t, config.lr(), new double[0]);
                OptimizerSteps_F32.reference(s, p0, raw, state, 0, n);
                assertArrayEquals(p0, p, "step " + t);
                assertArrayEquals(raw, g, "step " + t + ": the gradient is left unscaled and clipped");
                assertEquals(Math.sqrt(sum), opt.lastStats().gradNorm());
                assertEquals(coef, (float) opt.lastStats().clipCoef());
            }
        }
    }

    @Test
    void statisticsAgreeWithAPlainComputation() {
        SplittableRandom rnd = new SplittableRandom(3);
        int n = 5000;
        float[] p = gaussian(rnd, n, 1), g = gaussian(rnd, n, 1);
        p[17] = 0;
        float[] before = p.clone();
        try (Optimizer<?> opt = Optimizer.sgd(0.1).momentum(0.9).stepStats(true).build()) {
            opt.defaultGroup().add(p, g);
            assertTrue(opt.step());
            StepStats st = opt.lastStats();
            double pn = 0, un = 0, gn = 0, ratio = 0;
            for (int i = 0; i < n; i++) {
                pn += (double) before[i] * before[i];
                double d = p[i] - before[i];
                un += d * d;
                gn += (double) g[i] * g[i];
                if (before[i] != 0) {
                    ratio = Math.max(ratio, Math.abs((float) (p[i] - before[i])) / Math.abs(before[i]));
                }
            }
            assertEquals(Math.sqrt(pn), st.paramNorm(), 1e-9 * Math.sqrt(pn));
            assertEquals(Math.sqrt(un), st.updateNorm(), 1e-6 * Math.sqrt(un));
            assertEquals(Math.sqrt(gn), st.gradNorm(), 1e-9 * Math.sqrt(gn));
            assertEquals(ratio, st.maxUpdateRatio(), 1e-6 * ratio);
            assertEquals(0, st.nonFinite());
            assertEquals(1.0, st.clipCoef());
            assertFalse(st.skipped());
        }
    }

    @Test
    void theScalerFollowsGradScalersPolicy() {
        GradScaler s = new GradScaler(8, 2, 0.5, 3);
        s.update(false);
        s.update(false);
        assertEquals(8f, s.scale());
        assertEquals(2, s.growthTracker());
        s.update(false);
        assertEquals(16f, s.scale(), "grows after growthInterval good steps");
        assertEquals(0, s.growthTracker());
        s.update(false);
        s.update(true);
        assertEquals(8f, s.scale(), "backs off on a skipped step");
        assertEquals(0, s.growthTracker(), "and starts counting again");
        GradScaler huge = new GradScaler(Float.MAX_VALUE, 2, 0.5, 1);
        huge.update(false);
        assertEquals(Float.MAX_VALUE, huge.scale(), "never grows to infinity");
        assertThrows(IllegalArgumentException.class, () -> new GradScaler(0, 2, 0.5, 1));
        assertThrows(IllegalArgumentException.class, () -> new GradScaler(1, 1, 0.5, 1));
        assertThrows(IllegalArgumentException.class, () -> new GradScaler(1, 2, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new GradScaler(1, 2, 0.5, 0));
    }

    @Test
    void theScalerIsSavedWithTheStateAndLoadedBack(@TempDir Path dir) throws Exception {
        float[] p = {1, 2, 3}, g = {0.5f, Float.NaN, 1};
        Path file = dir.resolve("state.bin");
        GradScaler scaler = new GradScaler(1024, 2, 0.25, 5);
        try (Optimizer<AdamConfig> opt = Optimizer.adam().gradScaler(scaler).build()) {
            opt.defaultGroup().add(p, g);
            assertFalse(opt.step());
            g[1] = 1;
            assertTrue(opt.step());
            assertEquals(256f, scaler.scale());
            assertEquals(1, scaler.growthTracker());
            OptimizerState state = opt.state();
            assertEquals(scaler.state(), state.gradScaler());
            opt.save(file);
        }
        byte[] bytes = Files.readAllBytes(file);
        assertEquals(StateFile.FLAG_GRAD_SCALER, bytes[12], "the header says a scaler follows");
        try (Optimizer<AdamConfig> other = Optimizer.adam().gradScaler(new GradScaler()).build()) {
            other.defaultGroup().add(new float[3], new float[3]);
            other.load(file);
            assertEquals(new GradScaler.State(256f, 1, 2f, 0.25f, 5), other.gradScaler().state());
            assertEquals(1, other.steps());
        }
        try (Optimizer<AdamConfig> none = Optimizer.adam().build()) {
            none.defaultGroup().add(new float[3], new float[3]);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> none.load(file));
            assertTrue(e.getMessage().contains("GradScaler"), e.getMessage());
        }
        try (Optimizer<AdamConfig> plain = Optimizer.adam().build()) {
            plain.defaultGroup().add(new float[3], new float[3]);
            Path f2 = dir.resolve("plain.bin");
            plain.save(f2);
            assertEquals(0, Files.readAllBytes(f2)[12], "no scaler, no flag: older readers still read the file");
        }
    }

    /** The README's guarded training loop (GuardedTraining.java), verbatim but for the assertions. */
    @Test
    void theReadmesGuardedLoopSkipsTheOverflowAndFitsTheLine() {
        float[] w = new float[2], grad = new float[2];
        GradScaler scaler = new GradScaler();
        try (Optimizer<AdamConfig> opt = Optimizer.adamW().lr(0.01).gradScaler(scaler).clipGradNorm(1.0, 2)
                .stepStats(true).build()) {
            opt.defaultGroup().add(w, grad);
            int skipped = 0;
            for (int step = 1; step <= 4000; step++) {
                float x = (step % 20) / 10f - 1, err = w[0] * x + w[1] - (2 * x - 1);
                float s = step == 500 ? Float.POSITIVE_INFINITY : scaler.scale();
                grad[0] = s * err * x;
                grad[1] = s * err;
                if (!opt.step()) {
                    skipped++;
                }
                if (step == 500) {
                    assertEquals(32768f, scaler.scale(), "backed off at the skip");
                }
            }
            assertEquals(1, skipped);
            assertEquals(65536f, scaler.scale(), "grown back after 2000 good steps");
            assertEquals(2.0, w[0], 0.005);
            assertEquals(-1.0, w[1], 0.005);
            assertEquals(3999, opt.steps());
            assertTrue(opt.lastStats().updateNorm() > 0 && opt.lastStats().gradNorm() < 0.01, "" + opt.lastStats());
        }
    }

    @Test
    void badGuardOptionsAreRefusedAtOnce() {
        assertThrows(IllegalArgumentException.class, () -> Optimizer.adam().clipGradNorm(1, 1));
        assertThrows(IllegalArgumentException.class, () -> Optimizer.adam().clipGradNorm(0, 2));
        assertThrows(IllegalArgumentException.class, () -> Optimizer.adam().gradScale(Double.NaN));
        assertThrows(NullPointerException.class, () -> Optimizer.adam().gradScaler(null));
        try (Optimizer<AdamConfig> opt = Optimizer.adam().gradScaler(new GradScaler()).build()) {
            assertTrue(opt.guard().skipNonFinite(), "a loss scaler skips non-finite steps, as GradScaler.step does");
        }
    }
}
