package org.adam4j.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.util.List;
import java.lang.foreign.MemorySegment;
import org.adam4j.reference.AdamConfig;
import org.adam4j.reference.WeightDecay;
import org.ejml.data.DMatrixRMaj;
import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Misuse is refused with a message that says what is wrong, before anything changes. */
class MisuseTest {
    private static <T extends Throwable> void refused(Class<T> type, String message, Executable e) {
        T t = assertThrows(type, e);
        assertTrue(t.getMessage().contains(message), "expected '" + message + "' in: " + t.getMessage());
    }

    @Test
    void registrationsThatAliasOrMismatchAreRefused() {
        try (Arena arena = Arena.ofShared(); Optimizer<AdamConfig> opt = Optimizer.adam().build()) {
            ParamGroup<AdamConfig> g = opt.defaultGroup();
            float[] w = new float[10], gw = new float[10];
            g.add(w, gw);
            refused(IllegalArgumentException.class, "gradient of the wrong shape: the value array has 4 elements,"
                    + " the gradient array 5", () -> g.add(new float[4], new float[5]));
            refused(IllegalArgumentException.class, "gradient of the wrong shape: the value is 2x3, the gradient 3x2",
                    () -> g.add(new FMatrixRMaj(2, 3), new FMatrixRMaj(3, 2)));
            refused(IllegalArgumentException.class, "gradient of the wrong shape: the value has 4 elements, the "
                    + "gradient 3", () -> g.add(Precision.F32, arena.allocate(16), arena.allocate(12)));
            refused(IllegalArgumentException.class, "the same memory is registered twice",
                    () -> g.add(w, new float[10]));
            refused(IllegalArgumentException.class, "the same memory is registered twice",
                    () -> opt.addGroup(AdamConfig.defaults(), LrSchedule.constant()).add(w, gw, 3, 2));
            refused(IllegalArgumentException.class, "the value is aliased with the gradient of parameter 0 of group 0",
                    () -> g.add(gw, new float[10]));
            refused(IllegalArgumentException.class, "the gradient is aliased with the value of parameter 0 of group 0",
                    () -> g.add(new float[10], w));
            refused(IllegalArgumentException.class, "the value and the gradient are the same memory", () -> {
                float[] x = new float[3];
                g.add(x, x);
            });
            refused(IllegalArgumentException.class, "the gradient is already the gradient of",
                    () -> g.add(new float[10], gw));
            refused(IllegalArgumentException.class, "the same memory is registered twice",
                    () -> g.add(Precision.F32, MemorySegment.ofArray(w), arena.allocate(40)));
            FMatrixRMaj m = new FMatrixRMaj(2, 2);
            refused(IllegalArgumentException.class, "the value and the gradient are the same memory",
                    () -> g.add(m, m));
            refused(IllegalArgumentException.class, "does not fit arrays of length 10",
                    () -> g.add(new float[10], new float[10], 8, 3));
            MemorySegment s = arena.allocate(64);
            g.add(Precision.F64, s, arena.allocate(64));
            refused(IllegalArgumentException.class, "the same memory is registered twice",
                    () -> g.add(Precision.F64, s.asSlice(8, 16), arena.allocate(16)));
            refused(IllegalArgumentException.class, "not a whole number of F64",
                    () -> g.add(Precision.F64, arena.allocate(12), arena.allocate(12)));
            // slices of one flat buffer are fine as long as they do not overlap and share the gradient array
            float[] flat = new float[20], gflat = new float[20];
            g.add(flat, gflat, 0, 8);
            g.add(flat, gflat, 8, 12);
            refused(IllegalArgumentException.class, "the same memory is registered twice",
                    () -> g.add(flat, gflat, 5, 4));
            refused(IllegalArgumentException.class, "share one gradient array", () -> {
                float[] other = new float[20];
                g.add(flat, other, 0, 0);
            });
            refused(IllegalArgumentException.class, "the value's data array has 9 elements, the gradient's 4", () -> {
                FMatrixRMaj big = new FMatrixRMaj(3, 3);
                big.reshape(2, 2);
                g.add(big, new FMatrixRMaj(2, 2));
            });
            assertEquals(4, g.params().size(), "refused registrations registered nothing");
        }
    }

    @Test
    void aStepOnAClosedArenaOrAReshapedMatrixStepsNothing() {
        try (Optimizer<AdamConfig> opt = Optimizer.adam().build()) {
            float[] w = {1, 2, 3};
            float[] gw = {1, 1, 1};
            opt.defaultGroup().add(w, gw);
            Arena arena = Arena.ofShared();
            MemorySegment s = arena.allocate(16);
            opt.defaultGroup().add(Precision.F32, s, arena.allocate(16));
            opt.step();
            float[] before = w.clone();
            arena.close();
            refused(IllegalStateException.class, "arena of its value segment is closed; nothing was stepped",
                    opt::step);
            assertEquals(before[0], w[0]);
            assertEquals(1, opt.steps());
            assertEquals(1, opt.params().get(0).step());
        }
        try (Optimizer<AdamConfig> opt = Optimizer.adam().build()) {
            DMatrixRMaj a = new DMatrixRMaj(4, 3);
            DMatrixRMaj ga = new DMatrixRMaj(4, 3);
            float[] w = {1, 2, 3};
            opt.defaultGroup().add(w, new float[] {1, 1, 1});
            opt.defaultGroup().add(a, ga);
            a.reshape(3, 4);
            refused(IllegalStateException.class, "its value matrix was registered as 4x3 but is now 3x4",
                    opt::step);
            assertEquals(1f, w[0]);
            a.reshape(4, 3);
            ga.reshape(10, 10);
            refused(IllegalStateException.class, "its gradient matrix was registered as 4x3 but is now 10x10 with a new"
                    + " data array", opt::step);
            ga.reshape(4, 3);
            refused(IllegalStateException.class, "with a new data array", opt::step);
            assertEquals(0, opt.steps());
        }
    }

    @Test
    void otherMisuse() {
        try (Arena confined = Arena.ofConfined(); Optimizer<AdamConfig> opt = Optimizer.adam().threads(2).build()) {
            refused(IllegalArgumentException.class, "confined to one thread",
                    () -> opt.defaultGroup().add(Precision.F32, confined.allocate(16), confined.allocate(16)));
            refused(IllegalArgumentException.class, "read-only", () -> opt.defaultGroup().add(Precision.F32,
                    Arena.global().allocate(16).asReadOnly(), Arena.global().allocate(16)));
            opt.defaultGroup().add(new float[2], new float[2]);
            refused(IllegalArgumentException.class, "cannot change the state of a group that has parameters",
                    () -> opt.defaultGroup().config(AdamConfig.builder().amsgrad(true).build()));
            refused(IllegalStateException.class, "no max_exp_avg_sq",
                    () -> opt.params().get(0).maxExpAvgSq().byteSize());
            opt.defaultGroup().schedule((t, lr) -> -1);
            refused(IllegalStateException.class, "gives -1.0 at step 1", opt::step);
            assertEquals(0, opt.steps());
        }
        refused(IllegalArgumentException.class, "Invalid thread count: 0", () -> Optimizer.adam().threads(0));
        refused(IllegalArgumentException.class, "Invalid beta parameter at index 1: 1.0",
                () -> Optimizer.adam().betas(0.9, 1.0));
        refused(IllegalArgumentException.class, "Invalid weight_decay value: -1.0",
                () -> Optimizer.adamW().weightDecay(-1));
        refused(IllegalArgumentException.class, "unknown kernel 'vector-7'",
                () -> Optimizer.adam().kernel("vector-7"));
        Optimizer<AdamConfig> closed = Optimizer.adam().build();
        closed.close();
        refused(IllegalStateException.class, "the optimizer is closed", closed::step);
    }

    /** A second thread calling into an optimizer mid-step is refused and writes nothing (one thread drives one). */
    @Test
    void overlappingCallsAreRefused() throws Exception {
        java.util.concurrent.CountDownLatch inside = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        float[] w = {1, 2, 3};
        float[] g = {0.5f, 0.5f, 0.5f};
        try (Optimizer<AdamConfig> opt = Optimizer.adam().schedule((t, lr) -> {
            inside.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return lr;
        }).build()) {
            opt.defaultGroup().add(w, g);
            Thread first = new Thread(opt::step);
            first.start();
            inside.await();
            float[] before = w.clone();
            for (Runnable call : List.<Runnable>of(opt::step, opt::zeroGrad, opt::state, opt::close,
                    () -> opt.defaultGroup().add(new float[1], new float[1]),
                    () -> opt.addGroup(AdamConfig.defaults(), LrSchedule.constant()),
                    () -> opt.defaultGroup().config(AdamConfig.builder().lr(0.5).build()),
                    () -> opt.defaultGroup().schedule(LrSchedule.constant()))) {
                IllegalStateException e = assertThrows(IllegalStateException.class, call::run);
                assertTrue(e.getMessage().contains("another call is using this optimizer"), e.getMessage());
            }
            assertArrayEquals(before, w);
            assertEquals(0.5f, g[0]);
            assertEquals(1, opt.groups().size());
            release.countDown();
            first.join();
            assertEquals(1, opt.steps());
            assertEquals(1, opt.params().get(0).step());
            opt.step();
            assertEquals(2, opt.steps());
        }
    }

    /**
     * PyTorch's recursive schedules compute step t from step 0: a state whose step count is absurd (a crafted file's)
     * is refused at the next step with nothing written, instead of hanging it.
     */
    @Test
    void aRecursiveScheduleRefusesToCatchUpAnAbsurdStepCount() {
        float[] w = {1, 2, 3};
        float[] g = {0.5f, 0.5f, 0.5f};
        try (Optimizer<AdamConfig> opt = Optimizer.adam().schedule(LrSchedule.cosineAnnealingLR(1000)).build()) {
            opt.defaultGroup().add(w, g);
            opt.step();
            OptimizerState s = opt.state();
            OptimizerState absurd = new OptimizerState(1L << 40, s.groups());
            opt.loadState(absurd);
            float[] before = w.clone();
            refused(IllegalStateException.class, "more than " + (1L << 30) + " steps at once is refused", opt::step);
            assertArrayEquals(before, w);
            assertEquals(1L << 40, opt.steps());
            assertEquals(1, opt.params().get(0).step());
        }
        assertEquals(0.05 * (1 + Math.cos(Math.PI * 3 / 1000)),
                LrSchedule.cosineAnnealingLR(1000).lr(4, 0.1), 1e-15);
    }

    @Test
    void presetsAndBuilderFollowPyTorchAndOptimi() {
        assertEquals(AdamConfig.defaults(), Optimizer.adam().config());
        assertEquals(AdamConfig.builder().decoupled(0.01).build(), Optimizer.adamW().config());
        assertEquals(AdamConfig.builder().betas(0.9, 0.99).eps(1e-6).build(),
                Optimizer.adam(Preset.OPTIMI).config());
        assertEquals(AdamConfig.builder().betas(0.9, 0.99).eps(1e-6).decoupled(0.01).build(),
                Optimizer.adamW(Preset.OPTIMI).config());
        assertEquals(AdamConfig.defaults(), Optimizer.adam(Preset.PAPER).config());
        AdamConfig paperW = Optimizer.adamW(Preset.PAPER).lr(0.002).config();
        assertEquals(WeightDecay.FULLY_DECOUPLED, paperW.decay());
        assertEquals(0.002, paperW.maxLr());
        assertEquals(AdamConfig.builder().lr(0.01).l2(0.1).amsgrad(true).maximize(true).build(),
                Optimizer.adam().lr(0.01).weightDecay(0.1).amsgrad(true).maximize(true).config());
        assertEquals(AdamConfig.builder().fullyDecoupled(0.1, 0.05).build(),
                Optimizer.adamW().weightDecay(0.1).decoupleLr(true).maxLr(0.05).config());
        assertEquals(AdamConfig.builder().lr(0.1).epsilonHat(true).biasCorrection(false).build(),
                Optimizer.adam().lr(0.1).epsilonHat(true).biasCorrection(false).config());
    }

    @Test
    void schedules() {
        assertEquals(0.5, LrSchedule.constant().lr(99, 0.5));
        LrSchedule step = LrSchedule.stepDecay(3, 0.1);
        assertEquals(1.0, step.lr(1, 1.0));
        assertEquals(1.0, step.lr(3, 1.0));
        assertEquals(0.1, step.lr(4, 1.0), 1e-15);
        assertEquals(0.01, step.lr(7, 1.0), 1e-15);
        LrSchedule cos = LrSchedule.cosineWithWarmup(4, 14, 0.1);
        assertEquals(0.25, cos.lr(1, 1.0));
        assertEquals(1.0, cos.lr(4, 1.0));
        assertEquals(0.55, cos.lr(9, 1.0), 1e-15);
        assertEquals(0.1, cos.lr(14, 1.0));
        assertEquals(0.1, cos.lr(1000, 1.0));
        assertEquals(0.5, LrSchedule.inverseSqrt().lr(4, 1.0));
        refused(IllegalArgumentException.class, "Invalid total steps: 4", () -> LrSchedule.cosineWithWarmup(4, 4, 0));
        refused(IllegalArgumentException.class, "Invalid step_size: 0", () -> LrSchedule.stepDecay(0, 0.5));
    }
}
