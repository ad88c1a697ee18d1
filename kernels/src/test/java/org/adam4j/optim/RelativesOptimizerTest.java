package org.adam4j.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
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
import org.adam4j.reference.AdagradConfig;
import org.adam4j.reference.AdamaxConfig;
import org.adam4j.reference.NAdamConfig;
import org.adam4j.reference.NAdamStep;
import org.adam4j.reference.RAdamConfig;
import org.adam4j.reference.RelativeConfig;
import org.adam4j.reference.RmspropConfig;
import org.adam4j.reference.SgdConfig;
import org.ejml.data.DMatrixRMaj;
import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every relative through the optimizer API against its reference, bit for bit: arrays, slices of one flat array
 * (sharing their state) and EJML matrices, in float and double, on every kernel and with 1, 2 and 7 threads; a
 * second group with a schedule; save and resume; the refusals the relatives add.
 */
class RelativesOptimizerTest {
    static final int STEPS = 7;
    /** Element counts: one tensor past two parallel pieces, so threads really split it. */
    static final int BIG = 3 * (int) AdamOptimizer.MIN_PIECE + 5;

    static final List<RelativeConfig> CONFIGS = List.of(
            AdamaxConfig.builder().lr(0.01).weightDecay(0.01).maximize(true).build(),
            NAdamConfig.builder().lr(0.01).weightDecay(0.02).momentumDecay(0.05).build(),
            RAdamConfig.builder().lr(0.01).betas(0.8, 0.9).build(), // rho_t > 5 from step 6: both branches
            SgdConfig.builder().lr(0.05).build(),
            SgdConfig.builder().lr(0.05).momentum(0.9).dampening(0.1).weightDecay(0.01).build(),
            SgdConfig.builder().lr(0.05).momentum(0.9).nesterov(true).maximize(true).build(),
            RmspropConfig.defaults(),
            RmspropConfig.builder().lr(0.003).centered(true).momentum(0.5).weightDecay(0.01).build(),
            AdagradConfig.builder().lr(0.05).lrDecay(0.1).initialAccumulatorValue(0.25).build());

    /** The second group's hyperparameters: the same algorithm, other values. */
    static RelativeConfig second(RelativeConfig c) {
        return switch (c) {
            case AdamaxConfig a -> AdamaxConfig.builder().lr(0.002).build();
            case NAdamConfig a -> NAdamConfig.builder().lr(0.003).build();
            case RAdamConfig a -> RAdamConfig.builder().lr(0.003).weightDecay(0.1).build();
            case SgdConfig a -> SgdConfig.builder().lr(0.01).momentum(a.momentum()).build();
            case RmspropConfig a -> RmspropConfig.builder().lr(0.001).centered(a.centered())
                    .momentum(a.momentum()).build();
            case AdagradConfig a -> AdagradConfig.builder().lr(0.2).build();
        };
    }

    static final LrSchedule SECOND_SCHEDULE = LrSchedule.cosineWithWarmup(2, 6, 1e-4);

    static double[] random(long seed, int n, double scale) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextGaussian() * scale * (r.nextInt(40) == 0 ? 1e4 : 1);
        }
        return a;
    }

    static float[] toFloat(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            f[i] = (float) a[i];
        }
        return f;
    }

    /**
     * The model: group 0 a float matrix, a whole float array and two slices of one flat float array; group 1 a double
     * matrix and a double array. Values and gradients, with the gradient of step {@code t} filled by {@link #grads}.
     */
    static final class Model {
        final FMatrixRMaj mf = new FMatrixRMaj(17, 33);
        final FMatrixRMaj mfGrad = new FMatrixRMaj(17, 33);
        final float[] af = toFloat(random(2, BIG, 1));
        final float[] afGrad = new float[BIG];
        final float[] flat = toFloat(random(3, 5000 + 70001, 1));
        final float[] flatGrad = new float[flat.length];
        final DMatrixRMaj md = new DMatrixRMaj(7, 129);
        final DMatrixRMaj mdGrad = new DMatrixRMaj(7, 129);
        final double[] ad = random(5, 40_000, 1);
        final double[] adGrad = new double[40_000];

        Model() {
            System.arraycopy(toFloat(random(1, mf.data.length, 1)), 0, mf.data, 0, mf.data.length);
            System.arraycopy(random(4, md.data.length, 1), 0, md.data, 0, md.data.length);
        }

        float[][] floats() {
            return new float[][] {mf.data, af, flat};
        }

        float[][] floatGrads() {
            return new float[][] {mfGrad.data, afGrad, flatGrad};
        }

        double[][] doubles() {
            return new double[][] {md.data, ad};
        }

        double[][] doubleGrads() {
            return new double[][] {mdGrad.data, adGrad};
        }

        void grads(int t) {
            float[][] fg = floatGrads();
            for (int i = 0; i < fg.length; i++) {
                System.arraycopy(toFloat(random(100L * t + i, fg[i].length, 0.1)), 0, fg[i], 0, fg[i].length);
            }
            double[][] dg = doubleGrads();
            for (int i = 0; i < dg.length; i++) {
                System.arraycopy(random(100L * t + 10 + i, dg[i].length, 0.1), 0, dg[i], 0, dg[i].length);
            }
        }

        AdamOptimizer optimizer(RelativeConfig c, String kernel, int threads) {
            AdamOptimizer opt = AdamOptimizer.of(c).kernel(kernel).threads(threads).build();
            ParamGroup g = opt.defaultGroup();
            g.add(mf, mfGrad);
            g.add(af, afGrad);
            g.add(flat, flatGrad, 0, 5000);
            g.add(flat, flatGrad, 5000, 70001);
            ParamGroup g1 = opt.addGroup(second(c), SECOND_SCHEDULE);
            g1.add(md, mdGrad);
            g1.add(ad, adGrad);
            return opt;
        }

        byte[] bytes() {
            List<byte[]> all = new ArrayList<>();
            for (float[] a : floats()) {
                all.add(MemorySegment.ofArray(a).toArray(ValueLayout.JAVA_BYTE));
            }
            for (double[] a : doubles()) {
                all.add(MemorySegment.ofArray(a).toArray(ValueLayout.JAVA_BYTE));
            }
            int n = all.stream().mapToInt(b -> b.length).sum();
            byte[] out = new byte[n];
            int o = 0;
            for (byte[] b : all) {
                System.arraycopy(b, 0, out, o, b.length);
                o += b.length;
            }
            return out;
        }
    }

    /** The reference's scalars of step {@code t} (NAdam carried on from {@code previous}). */
    static Object scalars(RelativeConfig c, long t, double lr, Object previous) {
        return switch (c) {
            case AdamaxConfig a -> a.step(t, lr);
            case NAdamConfig a -> previous == null ? a.step(1, lr) : ((NAdamStep) previous).next(lr);
            case RAdamConfig a -> a.step(t, lr);
            case SgdConfig a -> a.step(t, lr);
            case RmspropConfig a -> a.step(t, lr);
            case AdagradConfig a -> a.step(t, lr);
        };
    }

    /** The model after {@link #STEPS} reference steps, as bytes, and group 0's float state of the whole array. */
    static byte[] referenceRun(RelativeConfig c) {
        Model m = new Model();
        RelativeConfig c1 = second(c);
        float[][] fs = m.floats();
        double[][] ds = m.doubles();
        List<float[][]> fst = new ArrayList<>();
        for (float[] a : fs) {
            fst.add(RelativeReference_F32.state(c, a.length));
        }
        List<double[][]> dst = new ArrayList<>();
        for (double[] a : ds) {
            dst.add(RelativeReference_F64.state(c1, a.length));
        }
        Object s0 = null;
        Object s1 = null;
        for (int t = 1; t <= STEPS; t++) {
            m.grads(t);
            s0 = scalars(c, t, c.lr(), s0);
            s1 = scalars(c1, t, SECOND_SCHEDULE.lr(t, c1.lr()), s1);
            for (int i = 0; i < fs.length; i++) {
                RelativeReference_F32.step(s0, fs[i], m.floatGrads()[i], fst.get(i), 0, fs[i].length);
            }
            for (int i = 0; i < ds.length; i++) {
                RelativeReference_F64.step(s1, ds[i], m.doubleGrads()[i], dst.get(i), 0, ds[i].length);
            }
        }
        return m.bytes();
    }

    static byte[] apiRun(RelativeConfig c, String kernel, int threads) {
        Model m = new Model();
        try (AdamOptimizer opt = m.optimizer(c, kernel, threads)) {
            for (int t = 1; t <= STEPS; t++) {
                m.grads(t);
                opt.step();
            }
            assertEquals(STEPS, opt.steps());
        }
        return m.bytes();
    }

    @Test
    void everyRelativeEqualsItsReferenceOnEveryKernelAndThreadCount() {
        for (RelativeConfig c : CONFIGS) {
            byte[] expected = referenceRun(c);
            assertFalse(Arrays.equals(expected, new Model().bytes()), c + " moved nothing");
            for (String kernel : AdamKernels.names()) {
                for (int threads : new int[] {1, 2, 7}) {
                    assertArrayEquals(expected, apiRun(c, kernel, threads), c + " on " + kernel + " with " + threads
                            + " threads");
                }
            }
        }
    }

    @Test
    void stateIsInspectableByPyTorchNames() {
        for (RelativeConfig c : CONFIGS) {
            Model m = new Model();
            try (AdamOptimizer opt = m.optimizer(c, AdamKernels.SCALAR, 1)) {
                m.grads(1);
                opt.step();
                Param p = opt.defaultGroup().params().get(1);
                assertEquals(c.stateNames(), p.stateNames());
                assertEquals(c.optimizer(), opt.algorithm());
                float[] g = m.afGrad.clone();
                for (String name : c.stateNames()) {
                    MemorySegment s = p.state(name);
                    assertEquals(BIG * 4L, s.byteSize());
                    assertTrue(s.isReadOnly());
                }
                assertThrows(IllegalArgumentException.class, () -> p.state("no_such_state"));
                if (c instanceof SgdConfig sgd && sgd.momentum() != 0) {
                    // PyTorch's first momentum step sets the buffer to the gradient (plus decay)
                    float[] buf = p.state("momentum_buffer").toArray(ValueLayout.JAVA_FLOAT);
                    float[] before = toFloat(random(2, BIG, 1));
                    for (int i = 0; i < 100; i++) {
                        float d = sgd.maximize() ? -g[i] : g[i];
                        float expected = sgd.weightDecay() != 0 ? Math.fma((float) sgd.weightDecay(), before[i], d)
                                : d;
                        assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(buf[i]));
                    }
                }
                if (c instanceof NAdamConfig n) {
                    assertEquals(Double.doubleToLongBits(n.mu(1)), Double.doubleToLongBits(p.muProduct()));
                } else {
                    assertThrows(IllegalStateException.class, p::muProduct);
                }
                opt.zeroGrad();
                for (float x : m.afGrad) {
                    assertEquals(0.0f, x);
                }
            }
        }
    }

    /** Stopped after 3 steps, saved, loaded into a fresh optimizer over a copy of the model, resumed: same bytes. */
    @Test
    void savedAndResumedRunsEqualUninterruptedOnes(@TempDir Path dir) throws IOException {
        for (RelativeConfig c : List.of(CONFIGS.get(1), CONFIGS.get(4), CONFIGS.get(7), CONFIGS.get(8))) {
            byte[] uninterrupted = apiRun(c, AdamKernels.SCALAR, 1);
            Path file = dir.resolve(c.optimizer() + ".state");
            Model m = new Model();
            try (AdamOptimizer first = m.optimizer(c, AdamKernels.SCALAR, 1)) {
                for (int t = 1; t <= 3; t++) {
                    m.grads(t);
                    first.step();
                }
                first.save(file);
            }
            assertEquals(StateFile.VERSION, MemorySegment.ofArray(Files.readAllBytes(file))
                    .get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), 8));
            // the model's values went on without the optimizer's state: the fresh optimizer must bring it back
            try (AdamOptimizer resumed = m.optimizer(c, AdamKernels.SCALAR, 2)) {
                resumed.load(file);
                assertEquals(3, resumed.steps());
                for (int t = 4; t <= STEPS; t++) {
                    m.grads(t);
                    resumed.step();
                }
            }
            assertArrayEquals(uninterrupted, m.bytes(), c + " resumed");
        }
    }

    @Test
    void mismatchedFilesAreRefusedAndChangeNothing(@TempDir Path dir) throws IOException {
        Path sgdFile = dir.resolve("sgd.state");
        Model m = new Model();
        try (AdamOptimizer sgd = m.optimizer(CONFIGS.get(4), AdamKernels.SCALAR, 1)) {
            m.grads(1);
            sgd.step();
            sgd.save(sgdFile);
        }
        Model other = new Model();
        try (AdamOptimizer nadam = other.optimizer(CONFIGS.get(1), AdamKernels.SCALAR, 1);
                AdamOptimizer sgdOtherMomentum = other.optimizer(SgdConfig.builder().lr(0.05).momentum(0.5).build(),
                        AdamKernels.SCALAR, 1);
                AdamOptimizer adam = AdamOptimizer.adam().build()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> nadam.load(sgdFile));
            assertTrue(e.getMessage().contains("another optimizer ('sgd'); this one is 'nadam'"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> sgdOtherMomentum.load(sgdFile));
            assertTrue(e.getMessage().contains("does not match this optimizer: group 0 was saved as SGD(lr=0.05, "
                    + "momentum=0.9"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> adam.load(sgdFile));
            assertTrue(e.getMessage().contains("another optimizer ('sgd'); this one is 'adam'"), e.getMessage());
            assertEquals(0, nadam.steps());
            assertEquals(0, sgdOtherMomentum.steps());
            assertEquals(0, sgdOtherMomentum.defaultGroup().params().get(0).step());
        }
    }

    @Test
    void relativesRefuseWhatTheyCannotDo() {
        try (AdamOptimizer sgd = AdamOptimizer.sgd(0.1).build(); Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(64);
            MemorySegment g = arena.allocate(64);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> sgd.defaultGroup().add(Precision.F32, v, g));
            assertTrue(e.getMessage().contains("MemorySegment parameters are stepped by Adam and AdamW only"),
                    e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> sgd.addGroup(RmspropConfig.defaults(), LrSchedule.constant()));
            assertTrue(e.getMessage().contains("this optimizer runs sgd; a group cannot run rmsprop"), e.getMessage());
            sgd.defaultGroup().add(new float[3], new float[3]);
            e = assertThrows(IllegalArgumentException.class,
                    () -> sgd.defaultGroup().config(SgdConfig.builder().lr(0.1).momentum(0.9).build()));
            assertTrue(e.getMessage().contains("cannot change the state"), e.getMessage());
            sgd.defaultGroup().config(SgdConfig.builder().lr(0.2).build());
            assertEquals(0.2, sgd.defaultGroup().relativeConfig().lr());
            assertThrows(IllegalStateException.class, () -> sgd.defaultGroup().config());
            assertThrows(IllegalStateException.class, () -> AdamOptimizer.sgd(0.1).lr(0.2));
        }
        try (AdamOptimizer adam = AdamOptimizer.adam().build()) {
            assertThrows(IllegalArgumentException.class,
                    () -> adam.addGroup(SgdConfig.builder().lr(0.1).build(), LrSchedule.constant()));
            assertThrows(IllegalStateException.class, () -> adam.defaultGroup().relativeConfig());
        }
    }
}
