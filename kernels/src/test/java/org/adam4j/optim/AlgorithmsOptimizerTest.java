package org.adam4j.optim;

import static org.adam4j.optim.OptimizerEquivalenceTest.toFloat;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.adam4j.kernels.AdamKernels;
import org.adam4j.kernels.OptimizerSteps_F32;
import org.adam4j.kernels.OptimizerSteps_F64;
import org.adam4j.reference.AdagradConfig;
import org.adam4j.reference.AdamConfig;
import org.adam4j.reference.AdamaxConfig;
import org.adam4j.reference.NAdamConfig;
import org.adam4j.reference.OptimizerConfig;
import org.adam4j.reference.OptimizerStep;
import org.adam4j.reference.RAdamConfig;
import org.adam4j.reference.RmspropConfig;
import org.adam4j.reference.SgdConfig;
import org.adam4j.reference.StateVariable;
import org.ejml.data.DMatrixRMaj;
import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every algorithm through the optimizer API against its reference, bit for bit: arrays, slices of one flat array
 * (sharing their state), EJML matrices, native and heap {@link MemorySegment}s, in float and double, on every kernel
 * and with 1, 2 and 7 threads; a second group with other hyperparameters and a schedule; the state as a value and as
 * a file; the refusals.
 */
class AlgorithmsOptimizerTest {
    static final int STEPS = 7;
    /** Element counts: one tensor past two parallel pieces, so threads really split it. */
    static final int BIG = 3 * (int) Optimizer.MIN_PIECE + 5;
    static final int SEGMENT = 4099;

    static final List<OptimizerConfig> CONFIGS = List.of(
            AdamConfig.builder().lr(0.01).l2(0.01).amsgrad(true).build(),
            AdamConfig.builder().lr(0.01).decoupled(0.05).maximize(true).build(),
            AdamConfig.builder().lr(0.01).fullyDecoupled(0.05, 0.02).epsilonHat(true).build(),
            AdamaxConfig.builder().lr(0.01).weightDecay(0.01).maximize(true).build(),
            NAdamConfig.builder().lr(0.01).weightDecay(0.02).momentumDecay(0.05).build(),
            RAdamConfig.builder().lr(0.01).betas(0.8, 0.9).build(), // rho_t > 5 from step 6: both branches
            SgdConfig.builder().lr(0.05).build(),
            SgdConfig.builder().lr(0.05).momentum(0.9).dampening(0.1).weightDecay(0.01).build(),
            SgdConfig.builder().lr(0.05).momentum(0.9).nesterov(true).maximize(true).build(),
            RmspropConfig.defaults(),
            RmspropConfig.builder().lr(0.003).centered(true).momentum(0.5).weightDecay(0.01).build(),
            AdagradConfig.builder().lr(0.05).lrDecay(0.1).initialAccumulatorValue(0.25).build(),
            // PyTorch 2.1's options of NAdam and RAdam (saved as state file version 3)
            NAdamConfig.builder().lr(0.01).weightDecay(0.05).decoupledWeightDecay(true).maximize(true)
                    .momentumDecay(0.05).build(),
            NAdamConfig.builder().lr(0.01).weightDecay(0.02).maximize(true).build(),
            RAdamConfig.builder().lr(0.01).betas(0.8, 0.9).weightDecay(0.05).decoupledWeightDecay(true).maximize(true)
                    .build(),
            RAdamConfig.builder().lr(0.01).betas(0.8, 0.9).weightDecay(0.05).decoupledWeightDecay(true).build());

    /** The second group's hyperparameters: the same configuration at another learning rate. */
    static OptimizerConfig second(OptimizerConfig c) {
        return OptimizerConfig.fromPyTorch(c.algorithm(), c.hyperparameters().with("lr", c.lr() * 0.3));
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

    /**
     * The model: group 0 a float matrix, a whole float array, two slices of one flat float array and a native float
     * segment; group 1 a double matrix, a double array and a heap segment over a double array. The gradient of step
     * {@code t} is filled by {@link #grads}.
     */
    static final class Model implements AutoCloseable {
        final Arena arena = Arena.ofShared();
        final FMatrixRMaj mf = new FMatrixRMaj(17, 33);
        final FMatrixRMaj mfGrad = new FMatrixRMaj(17, 33);
        final float[] af = toFloat(random(2, BIG, 1));
        final float[] afGrad = new float[BIG];
        final float[] flat = toFloat(random(3, 5000 + 70001, 1));
        final float[] flatGrad = new float[flat.length];
        final MemorySegment sf = arena.allocate((long) SEGMENT * Float.BYTES, 64);
        final MemorySegment sfGrad = arena.allocate((long) SEGMENT * Float.BYTES, 64);
        final DMatrixRMaj md = new DMatrixRMaj(7, 129);
        final DMatrixRMaj mdGrad = new DMatrixRMaj(7, 129);
        final double[] ad = random(5, 40_000, 1);
        final double[] adGrad = new double[40_000];
        final double[] hd = random(6, SEGMENT, 1);
        final double[] hdGrad = new double[SEGMENT];

        Model() {
            System.arraycopy(toFloat(random(1, mf.data.length, 1)), 0, mf.data, 0, mf.data.length);
            System.arraycopy(random(4, md.data.length, 1), 0, md.data, 0, md.data.length);
            MemorySegment.copy(toFloat(random(7, SEGMENT, 1)), 0, sf, ValueLayout.JAVA_FLOAT, 0, SEGMENT);
        }

        /** Group 0's values as arrays (the native segment's copied out and back by the caller). */
        float[][] floats() {
            return new float[][] {mf.data, af, flat, sf.toArray(ValueLayout.JAVA_FLOAT)};
        }

        double[][] doubles() {
            return new double[][] {md.data, ad, hd};
        }

        void grads(int t) {
            float[][] fg = {mfGrad.data, afGrad, flatGrad};
            for (int i = 0; i < fg.length; i++) {
                System.arraycopy(toFloat(random(100L * t + i, fg[i].length, 0.1)), 0, fg[i], 0, fg[i].length);
            }
            MemorySegment.copy(toFloat(random(100L * t + 3, SEGMENT, 0.1)), 0, sfGrad, ValueLayout.JAVA_FLOAT, 0,
                    SEGMENT);
            double[][] dg = {mdGrad.data, adGrad, hdGrad};
            for (int i = 0; i < dg.length; i++) {
                System.arraycopy(random(100L * t + 10 + i, dg[i].length, 0.1), 0, dg[i], 0, dg[i].length);
            }
        }

        float[][] floatGrads() {
            return new float[][] {mfGrad.data, afGrad, flatGrad, sfGrad.toArray(ValueLayout.JAVA_FLOAT)};
        }

        double[][] doubleGrads() {
            return new double[][] {mdGrad.data, adGrad, hdGrad};
        }

        Optimizer<OptimizerConfig> optimizer(OptimizerConfig c, String kernel, int threads) {
            Optimizer<OptimizerConfig> opt = Optimizer.of(c).kernel(kernel).threads(threads).build();
            ParamGroup<OptimizerConfig> g = opt.defaultGroup();
            g.add(mf, mfGrad);
            g.add(af, afGrad);
            g.add(flat, flatGrad, 0, 5000);
            g.add(flat, flatGrad, 5000, 70001);
            g.add(Precision.F32, sf, sfGrad);
            ParamGroup<OptimizerConfig> g1 = opt.addGroup(second(c), SECOND_SCHEDULE);
            g1.add(md, mdGrad);
            g1.add(ad, adGrad);
            g1.add(Precision.F64, MemorySegment.ofArray(hd), MemorySegment.ofArray(hdGrad));
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

        @Override
        public void close() {
            arena.close();
        }
    }

    static float[][] state32(OptimizerConfig c, int n) {
        float[][] st = new float[c.stateArrays().size()][n];
        for (int k = 0; k < st.length; k++) {
            Arrays.fill(st[k], (float) c.stateArrays().get(k).initialValue());
        }
        return st;
    }

    static double[][] state64(OptimizerConfig c, int n) {
        double[][] st = new double[c.stateArrays().size()][n];
        for (int k = 0; k < st.length; k++) {
            Arrays.fill(st[k], c.stateArrays().get(k).initialValue());
        }
        return st;
    }

    static double[] scalars(OptimizerConfig c) {
        return c.scalarStates().stream().mapToDouble(StateVariable::initialValue).toArray();
    }

    /** The model after {@link #STEPS} reference steps, as bytes. */
    static byte[] referenceRun(OptimizerConfig c) {
        try (Model m = new Model()) {
            OptimizerConfig c1 = second(c);
            float[][] fs = m.floats();
            double[][] ds = m.doubles();
            List<float[][]> fst = new ArrayList<>();
            for (float[] a : fs) {
                fst.add(state32(c, a.length));
            }
            List<double[][]> dst = new ArrayList<>();
            for (double[] a : ds) {
                dst.add(state64(c1, a.length));
            }
            double[] sc0 = scalars(c);
            double[] sc1 = scalars(c1);
            for (int t = 1; t <= STEPS; t++) {
                m.grads(t);
                OptimizerStep s0 = c.step(t, c.lr(), sc0);
                OptimizerStep s1 = c1.step(t, SECOND_SCHEDULE.lr(t, c1.lr()), sc1);
                float[][] fg = m.floatGrads();
                for (int i = 0; i < fs.length; i++) {
                    OptimizerSteps_F32.reference(s0, fs[i], fg[i], fst.get(i), 0, fs[i].length);
                }
                for (int i = 0; i < ds.length; i++) {
                    OptimizerSteps_F64.reference(s1, ds[i], m.doubleGrads()[i], dst.get(i), 0, ds[i].length);
                }
                s0.scalarsAfter(sc0);
                s1.scalarsAfter(sc1);
            }
            MemorySegment.copy(fs[3], 0, m.sf, ValueLayout.JAVA_FLOAT, 0, SEGMENT);
            System.arraycopy(fs[0], 0, m.mf.data, 0, fs[0].length);
            return m.bytes();
        }
    }

    static byte[] apiRun(OptimizerConfig c, String kernel, int threads) {
        try (Model m = new Model(); Optimizer<OptimizerConfig> opt = m.optimizer(c, kernel, threads)) {
            for (int t = 1; t <= STEPS; t++) {
                m.grads(t);
                opt.step();
            }
            assertEquals(STEPS, opt.steps());
            return m.bytes();
        }
    }

    @Test
    void everyAlgorithmEqualsItsReferenceOnEveryParameterKindKernelAndThreadCount() {
        for (OptimizerConfig c : CONFIGS) {
            byte[] expected = referenceRun(c);
            try (Model fresh = new Model()) {
                assertFalse(Arrays.equals(expected, fresh.bytes()), c + " moved nothing");
            }
            for (String kernel : AdamKernels.names()) {
                for (int threads : new int[] {1, 2, 7}) {
                    assertArrayEquals(expected, apiRun(c, kernel, threads), c + " on " + kernel + " with " + threads
                            + " threads");
                }
            }
        }
    }

    /**
     * PyTorch skips a parameter whose grad is None: the whole float array has none on steps 2 and 5, the others step
     * every time. Its reference run skips those steps and counts its own steps for the per-step scalars.
     */
    @Test
    void aParameterWithoutAGradientIsSkippedAndKeepsItsOwnStepCount(@TempDir Path dir) throws IOException {
        java.util.Set<Integer> none = java.util.Set.of(2, 5);
        for (OptimizerConfig c : CONFIGS) {
            float[] expected;
            float[] expectedOther;
            try (Model m = new Model()) {
                float[][] st = state32(c, BIG);
                float[][] stOther = state32(c, m.mf.data.length);
                double[] sc = scalars(c);
                double[] scOther = scalars(c);
                long own = 0;
                for (int t = 1; t <= STEPS; t++) {
                    m.grads(t);
                    OptimizerStep all = c.step(t, c.lr(), scOther);
                    OptimizerSteps_F32.reference(all, m.mf.data, m.mfGrad.data, stOther, 0, m.mf.data.length);
                    all.scalarsAfter(scOther);
                    if (!none.contains(t)) {
                        OptimizerStep s = c.step(++own, c.lr(), sc);
                        OptimizerSteps_F32.reference(s, m.af, m.afGrad, st, 0, BIG);
                        s.scalarsAfter(sc);
                    }
                }
                expected = m.af.clone();
                expectedOther = m.mf.data.clone();
            }
            for (int threads : new int[] {1, 2}) {
                try (Model m = new Model(); Optimizer<OptimizerConfig> opt = m.optimizer(c, AdamKernels.f32().name(),
                        threads)) {
                    Param af = opt.defaultGroup().params().get(1);
                    for (int t = 1; t <= STEPS; t++) {
                        if (none.contains(t)) {
                            opt.zeroGrad(true);
                            assertFalse(af.hasGrad());
                            m.grads(t);
                            for (Param q : opt.params()) {
                                if (q != af) {
                                    q.markGrad();
                                }
                            }
                        } else {
                            m.grads(t);
                            af.markGrad();
                        }
                        opt.step();
                        if (t == 3) {
                            // the per-parameter step counts are part of the saved state
                            opt.save(dir.resolve("skip.state"));
                            opt.load(dir.resolve("skip.state"));
                        }
                    }
                    assertEquals(STEPS - none.size(), af.step(), c.algorithm());
                    assertEquals(STEPS, opt.params().get(0).step());
                    assertEquals(STEPS, opt.steps());
                    assertArrayEquals(expected, m.af, c + " skipped on " + none + " with " + threads + " threads");
                    assertArrayEquals(expectedOther, m.mf.data, c + " stepped every time");
                }
            }
        }
    }

    @Test
    void theFactoriesBuildEachAlgorithmWithPyTorchsNames() {
        try (Optimizer<SgdConfig> sgd = Optimizer.sgd(0.1).momentum(0.9).nesterov(true).build();
                Optimizer<AdamConfig> adamW = Optimizer.adamW().build();
                Optimizer<AdamConfig> adam = Optimizer.adam().weightDecay(0.1).build()) {
            assertEquals("sgd", sgd.algorithm());
            assertEquals(SgdConfig.builder().lr(0.1).momentum(0.9).nesterov(true).build(), sgd.defaultGroup().config());
            assertEquals("adamw", adamW.algorithm());
            assertTrue(adamW.toString().contains("adamw"), adamW.toString());
            assertEquals(0.01, adamW.defaultGroup().config().weightDecay());
            assertEquals("adam", adam.algorithm());
        }
        assertEquals("adamw", Optimizer.adamW().weightDecay(0).build().algorithm());
        assertEquals(NAdamConfig.builder().lr(0.01).momentumDecay(0.1).build(),
                Optimizer.nadam().lr(0.01).momentumDecay(0.1).config());
        assertEquals(AdamaxConfig.builder().betas(0.8, 0.9).maximize(true).build(),
                Optimizer.adamax().betas(0.8, 0.9).maximize(true).config());
        assertEquals(RAdamConfig.builder().eps(1e-6).weightDecay(0.1).build(),
                Optimizer.radam().eps(1e-6).weightDecay(0.1).config());
        assertEquals(new NAdamConfig(2e-3, 0.9, 0.999, 1e-8, 0.1, 4e-3, true, true),
                Optimizer.nadam().weightDecay(0.1).decoupledWeightDecay(true).maximize(true).config());
        assertEquals(new RAdamConfig(1e-3, 0.9, 0.999, 1e-8, 0.1, true, false),
                Optimizer.radam().weightDecay(0.1).decoupledWeightDecay(true).config());
        assertEquals(new RAdamConfig(1e-3, 0.9, 0.999, 1e-8, 0, false, true), Optimizer.radam().maximize(true).config());
        assertEquals(RmspropConfig.builder().alpha(0.9).centered(true).momentum(0.5).build(),
                Optimizer.rmsprop().alpha(0.9).centered(true).momentum(0.5).config());
        assertEquals(AdagradConfig.builder().lrDecay(0.1).initialAccumulatorValue(0.2).build(),
                Optimizer.adagrad().lrDecay(0.1).initialAccumulatorValue(0.2).config());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Optimizer.sgd(0.1).nesterov(true).build());
        assertTrue(e.getMessage().contains("Nesterov momentum requires a momentum"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Optimizer.adagrad().lr(-1));
    }

    @Test
    void stateIsInspectableByPyTorchNames() {
        for (OptimizerConfig c : CONFIGS) {
            try (Model m = new Model(); Optimizer<OptimizerConfig> opt = m.optimizer(c, AdamKernels.SCALAR, 1)) {
                m.grads(1);
                opt.step();
                Param p = opt.defaultGroup().params().get(1);
                assertEquals(c.stateNames(), p.stateNames());
                assertEquals(c.algorithm(), opt.algorithm());
                float[] g = m.afGrad.clone();
                for (String name : c.stateNames()) {
                    MemorySegment s = p.state(name);
                    assertEquals(BIG * 4L, s.byteSize());
                    assertTrue(s.isReadOnly());
                }
                assertThrows(IllegalArgumentException.class, () -> p.state("no_such_state"));
                var h = c.hyperparameters();
                if (c.algorithm().equals("sgd") && h.number("momentum", 0) != 0) {
                    // PyTorch's first momentum step sets the buffer to the gradient (plus decay)
                    float[] buf = p.state("momentum_buffer").toArray(ValueLayout.JAVA_FLOAT);
                    float[] before = toFloat(random(2, BIG, 1));
                    float wd = (float) h.number("weight_decay", 0);
                    for (int i = 0; i < 100; i++) {
                        float d = h.bool("maximize", false) ? -g[i] : g[i];
                        float expected = wd != 0 ? Math.fma(wd, before[i], d) : d;
                        assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(buf[i]));
                    }
                }
                if (c.algorithm().equals("nadam")) {
                    double mu1 = ((NAdamConfig) c).mu(1);
                    assertEquals(Double.doubleToLongBits(mu1), Double.doubleToLongBits(p.scalar("mu_product")));
                } else {
                    assertThrows(IllegalArgumentException.class, () -> p.scalar("mu_product"));
                }
                if (c.algorithm().equals("adagrad")) {
                    // the segment parameter's sum started at the initial accumulator value too
                    float[] sum = opt.defaultGroup().params().get(4).state("sum").toArray(ValueLayout.JAVA_FLOAT);
                    float[] g0 = m.sfGrad.toArray(ValueLayout.JAVA_FLOAT);
                    float initial = (float) h.number("initial_accumulator_value", 0);
                    assertEquals(Math.fma(g0[0], g0[0], initial), sum[0]);
                }
                opt.zeroGrad();
                for (float x : m.afGrad) {
                    assertEquals(0.0f, x);
                }
            }
        }
    }

    /** {@code state()} and {@code loadState()}: a bit-identical round trip, taking the saved hyperparameters. */
    @Test
    void stateRoundTripsAsAValueAndTakesTheSavedHyperparameters() {
        for (OptimizerConfig c : CONFIGS) {
            byte[] uninterrupted = apiRun(c, AdamKernels.SCALAR, 1);
            OptimizerState saved;
            try (Model m = new Model(); Optimizer<OptimizerConfig> first = m.optimizer(c, AdamKernels.SCALAR, 1)) {
                for (int t = 1; t <= 3; t++) {
                    m.grads(t);
                    first.step();
                }
                saved = first.state();
                assertEquals(saved, first.state());
                assertEquals(c.algorithm(), saved.algorithm());
                // a snapshot, not a view: a later step leaves it as it was
                OptimizerState before = first.state();
                m.grads(4);
                first.step();
                assertEquals(before, saved);
                assertNotEquals(saved, first.state());
                try (Model again = new Model(); Optimizer<OptimizerConfig> replay = again.optimizer(
                        OptimizerConfig.fromPyTorch(c.algorithm(), c.hyperparameters().with("lr", 0.5)),
                        AdamKernels.SCALAR, 1)) {
                    // another lr: loadState takes the saved one, as PyTorch's load_state_dict does
                    assertEquals(0.5, replay.defaultGroup().config().lr());
                    replay.loadState(saved);
                    assertEquals(c, replay.defaultGroup().config());
                    assertEquals(second(c), replay.groups().get(1).config());
                    assertEquals(saved, replay.state());
                }
            }
            try (Model m = new Model(); Optimizer<OptimizerConfig> opt = m.optimizer(c, AdamKernels.SCALAR, 1)) {
                for (int t = 1; t <= 3; t++) {
                    m.grads(t);
                    opt.step();
                }
                OptimizerState s3 = opt.state();
                try (Model m2 = new Model(); Optimizer<OptimizerConfig> other = m2.optimizer(
                        OptimizerConfig.fromPyTorch(c.algorithm(), c.hyperparameters().with("lr", 0.5)),
                        AdamKernels.f32().name(), 2)) {
                    // m2's values must be m's after step 3: copy them over, then resume
                    copyValues(m, m2);
                    other.loadState(s3);
                    assertEquals(3, other.steps());
                    for (int t = 4; t <= STEPS; t++) {
                        m2.grads(t);
                        other.step();
                    }
                    assertArrayEquals(uninterrupted, m2.bytes(), c + " resumed from state()");
                }
            }
        }
    }

    static void copyValues(Model from, Model to) {
        System.arraycopy(from.mf.data, 0, to.mf.data, 0, from.mf.data.length);
        System.arraycopy(from.af, 0, to.af, 0, from.af.length);
        System.arraycopy(from.flat, 0, to.flat, 0, from.flat.length);
        to.sf.copyFrom(from.sf);
        System.arraycopy(from.md.data, 0, to.md.data, 0, from.md.data.length);
        System.arraycopy(from.ad, 0, to.ad, 0, from.ad.length);
        System.arraycopy(from.hd, 0, to.hd, 0, from.hd.length);
    }

    /** Stopped after 3 steps, saved, loaded into a fresh optimizer over the model, resumed: same bytes. */
    @Test
    void savedAndResumedRunsEqualUninterruptedOnes(@TempDir Path dir) throws IOException {
        for (OptimizerConfig c : CONFIGS) {
            byte[] uninterrupted = apiRun(c, AdamKernels.SCALAR, 1);
            Path file = dir.resolve(c.algorithm() + ".state");
            try (Model m = new Model()) {
                try (Optimizer<OptimizerConfig> first = m.optimizer(c, AdamKernels.SCALAR, 1)) {
                    for (int t = 1; t <= 3; t++) {
                        m.grads(t);
                        first.step();
                    }
                    first.save(file);
                }
                var h = c.hyperparameters();
                int version = c.algorithm().startsWith("adam") && !c.algorithm().equals("adamax") ? 1
                        : List.of("nadam", "radam").contains(c.algorithm())
                        && (h.has("decoupled_weight_decay") || h.has("maximize")) ? 3 : 2;
                assertEquals(version, MemorySegment.ofArray(Files.readAllBytes(file))
                        .get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), 8));
                // the model's values went on without the optimizer's state: the fresh optimizer brings it back
                try (Optimizer<OptimizerConfig> resumed = m.optimizer(c, AdamKernels.SCALAR, 2)) {
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
    }

    @Test
    void mismatchedStatesAreRefusedAndChangeNothing(@TempDir Path dir) throws IOException {
        Path sgdFile = dir.resolve("sgd.state");
        OptimizerConfig momentum = CONFIGS.get(7);
        try (Model m = new Model(); Optimizer<OptimizerConfig> sgd = m.optimizer(momentum, AdamKernels.SCALAR, 1)) {
            m.grads(1);
            sgd.step();
            sgd.save(sgdFile);
        }
        try (Model other = new Model();
                Optimizer<OptimizerConfig> nadam = other.optimizer(CONFIGS.get(4), AdamKernels.SCALAR, 1);
                Model third = new Model();
                Optimizer<OptimizerConfig> plainSgd = third.optimizer(SgdConfig.builder().lr(0.05).build(),
                        AdamKernels.SCALAR, 1);
                Optimizer<AdamConfig> adam = Optimizer.adam().build()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> nadam.load(sgdFile));
            assertTrue(e.getMessage().contains("another optimizer ('sgd'); this one is 'nadam'"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> plainSgd.load(sgdFile));
            assertTrue(e.getMessage().contains("cannot change the state of a group that has parameters"),
                    e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> adam.load(sgdFile));
            assertTrue(e.getMessage().contains("another optimizer ('sgd'); this one is 'adam'"), e.getMessage());
            assertEquals(0, nadam.steps());
            assertEquals(0, plainSgd.steps());
            assertEquals(SgdConfig.builder().lr(0.05).build(), plainSgd.defaultGroup().config());
            assertEquals(0, plainSgd.defaultGroup().params().get(0).step());
        }
    }

    @Test
    void oneAlgorithmPerOptimizerAndItsStateFixedOnceItHasParameters() {
        try (Optimizer<SgdConfig> sgd = Optimizer.sgd(0.1).build()) {
            sgd.defaultGroup().add(new float[3], new float[3]);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> sgd.defaultGroup().config(SgdConfig.builder().lr(0.1).momentum(0.9).build()));
            assertTrue(e.getMessage().contains("cannot change the state"), e.getMessage());
            sgd.defaultGroup().config(SgdConfig.builder().lr(0.2).build());
            assertEquals(0.2, sgd.defaultGroup().config().lr());
        }
        try (Optimizer<OptimizerConfig> any = Optimizer.<OptimizerConfig>of(SgdConfig.builder().lr(0.1).build())
                .build()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> any.addGroup(RmspropConfig.defaults(), LrSchedule.constant()));
            assertTrue(e.getMessage().contains("this optimizer runs sgd; a group cannot run rmsprop"), e.getMessage());
        }
        try (Optimizer<AdamConfig> adamW = Optimizer.adamW().build()) {
            // Adam and AdamW are one algorithm: a group without decay in an AdamW optimizer is PyTorch's usual setup
            ParamGroup<AdamConfig> biases = adamW.addGroup(AdamConfig.defaults(), LrSchedule.constant());
            assertEquals("adam", biases.algorithm());
            assertEquals("adamw", adamW.algorithm());
        }
    }
}
