package org.adam4j.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.adam4j.reference.AdagradConfig;
import org.adam4j.reference.AdamConfig;
import org.adam4j.reference.AdamaxConfig;
import org.adam4j.reference.Bf16;
import org.adam4j.reference.Fp16;
import org.adam4j.reference.NAdamConfig;
import org.adam4j.reference.OptimizerConfig;
import org.adam4j.reference.RAdamConfig;
import org.adam4j.reference.RmspropConfig;
import org.adam4j.reference.Rounding;
import org.adam4j.reference.SgdConfig;
import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Golden state files of every format version, written by the encoder of the day each version was defined
 * ({@code src/test/resources/org/adam4j/optim/golden}: version 1 for Adam and AdamW, version 2 for each other
 * algorithm, version 3 for NAdam and RAdam with {@code decoupled_weight_decay} or {@code maximize}; two groups each,
 * float and double arrays and an EJML matrix, three steps). Each must keep loading into an
 * optimizer built the same way, giving the state a fresh run reaches, and saving that state must write the golden
 * bytes again: an encoder change that alters the format fails here.
 */
class StateFileGoldenTest {
    @TempDir
    Path dir;

    /** A golden case: the optimizer and its second group, as the generator built them. */
    record Golden(String name, Optimizer.Builder<? extends OptimizerConfig, ?> builder,
            Function<Optimizer<OptimizerConfig>, ParamGroup<OptimizerConfig>> second) {
    }

    @SuppressWarnings("unchecked")
    static Stream<Golden> goldens() {
        return Stream.of(
                new Golden("v1-adam", Optimizer.adamW().lr(0.01).weightDecay(0.02)
                        .schedule(LrSchedule.cosineWithWarmup(2, 10, 1e-4)),
                        o -> o.addGroup(AdamConfig.builder().lr(0.003).l2(0.1).amsgrad(true).build(),
                                LrSchedule.stepDecay(2, 0.5))),
                new Golden("v2-adamax", Optimizer.adamax().lr(0.004).weightDecay(0.01),
                        o -> o.addGroup(AdamaxConfig.builder().lr(0.002).betas(0.8, 0.99).build(),
                                LrSchedule.inverseSqrt())),
                new Golden("v2-nadam", Optimizer.nadam().lr(0.004).momentumDecay(0.01),
                        o -> o.addGroup(NAdamConfig.builder().lr(0.002).weightDecay(0.1).build(),
                                LrSchedule.constant())),
                new Golden("v2-radam", Optimizer.radam().lr(0.004),
                        o -> o.addGroup(RAdamConfig.builder().lr(0.002).weightDecay(0.1).eps(1e-6).build(),
                                LrSchedule.stepDecay(1, 0.9))),
                new Golden("v2-sgd", Optimizer.sgd(0.1).momentum(0.9).nesterov(true),
                        o -> o.addGroup(SgdConfig.builder().lr(0.05).momentum(0.5).dampening(0.1).weightDecay(0.01)
                                .maximize(true).build(), LrSchedule.constant())),
                new Golden("v2-rmsprop", Optimizer.rmsprop().lr(0.01).centered(true).momentum(0.9),
                        o -> o.addGroup(RmspropConfig.builder().lr(0.02).centered(true).momentum(0.5).alpha(0.9)
                                .weightDecay(0.01).build(), LrSchedule.constant())),
                new Golden("v2-adagrad", Optimizer.adagrad().lr(0.1).lrDecay(0.01).initialAccumulatorValue(0.1),
                        o -> o.addGroup(AdagradConfig.builder().lr(0.2).initialAccumulatorValue(0.1).eps(1e-6).build(),
                                LrSchedule.constant())),
                // version 3: a group with options newer than version 2's field lists, beside one without
                new Golden("v3-nadam", Optimizer.nadam().lr(0.004).weightDecay(0.05).decoupledWeightDecay(true)
                        .maximize(true),
                        o -> o.addGroup(NAdamConfig.builder().lr(0.002).weightDecay(0.1).build(),
                                LrSchedule.constant())),
                new Golden("v3-radam", Optimizer.radam().lr(0.004).weightDecay(0.05).decoupledWeightDecay(true),
                        o -> o.addGroup(RAdamConfig.builder().lr(0.002).betas(0.8, 0.9).maximize(true).build(),
                                LrSchedule.stepDecay(1, 0.9))),
                // flag 1: a loss scaler's state after the groups (it grows once in the three steps)
                new Golden("v1-adam-scaler", Optimizer.adam().lr(0.01).gradScaler(new GradScaler(1024, 2, 0.25, 2))
                        .clipGradNorm(0.5, 2),
                        o -> o.addGroup(AdamConfig.builder().lr(0.003).build(), LrSchedule.constant())));
    }

    /** The generator's model: a float[7] and a double[3] in group 0, a 2x3 float matrix in group 1. */
    static final class Model {
        final float[] a = new float[7];
        final float[] ga = new float[7];
        final double[] b = new double[3];
        final double[] gb = new double[3];
        final FMatrixRMaj c = new FMatrixRMaj(2, 3);
        final FMatrixRMaj gc = new FMatrixRMaj(2, 3);
        final Optimizer<OptimizerConfig> opt;

        @SuppressWarnings("unchecked")
        Model(Golden g) {
            opt = (Optimizer<OptimizerConfig>) g.builder().build();
            opt.defaultGroup().add(a, ga);
            opt.defaultGroup().add(b, gb);
            g.second().apply(opt).add(c, gc);
        }

        void fill(int step) {
            fill(a, ga, step, 1);
            fill(b, gb, step, 2);
            fill(c.data, gc.data, step, 3);
        }

        static void fill(float[] p, float[] g, int step, int salt) {
            for (int i = 0; i < p.length; i++) {
                if (step == 0) {
                    p[i] = (float) Math.sin(i + salt);
                }
                g[i] = (float) Math.cos(step * 7 + i + salt);
            }
        }

        static void fill(double[] p, double[] g, int step, int salt) {
            for (int i = 0; i < p.length; i++) {
                if (step == 0) {
                    p[i] = Math.sin(i + salt);
                }
                g[i] = Math.cos(step * 7 + i + salt);
            }
        }

        /** Three steps, as the generator took them. */
        Model run() {
            for (int s = 0; s <= 3; s++) {
                fill(s);
                if (s > 0) {
                    opt.step();
                }
            }
            return this;
        }
    }

    static byte[] golden(String name) throws IOException {
        try (InputStream in = StateFileGoldenTest.class.getResourceAsStream("golden/" + name + ".state")) {
            if (in == null) {
                throw new AssertionError("no golden file " + name);
            }
            return in.readAllBytes();
        }
    }

    @TestFactory
    Stream<DynamicTest> everyGoldenFileLoadsAndIsWrittenAgainByteForByte() {
        return goldens().map(g -> DynamicTest.dynamicTest(g.name(), () -> {
            byte[] bytes = golden(g.name());
            Path file = dir.resolve(g.name() + ".state");
            Files.write(file, bytes);
            Model fresh = new Model(g).run();
            Model loaded = new Model(g);
            loaded.opt.load(file);
            assertEquals(fresh.opt.state(), loaded.opt.state(), "the golden file holds the state a run reaches");
            assertEquals(Integer.parseInt(g.name().substring(1, g.name().indexOf('-'))), bytes[8]);
            assertEquals(g.name().endsWith("-scaler") ? StateFile.FLAG_GRAD_SCALER : 0, bytes[12]);
            Path again = dir.resolve(g.name() + ".again");
            fresh.opt.save(again);
            assertArrayEquals(bytes, Files.readAllBytes(again), "the encoder writes the golden bytes");
            fresh.opt.close();
            loaded.opt.close();
        }));
    }

    /**
     * Flag 2's golden file, {@code v1-adamw-bf16-kahan}: AdamW with a float[3] and a bf16 short[7] in a Kahan group
     * (seed 5), and an fp16 short[5] in an AMSGrad group with stochastic rounding (seed 9), three steps.
     */
    static final class LowPrecisionModel implements AutoCloseable {
        final float[] a = new float[3];
        final float[] ga = new float[3];
        final short[] b = new short[7];
        final short[] gb = new short[7];
        final short[] c = new short[5];
        final short[] gc = new short[5];
        final Optimizer<AdamConfig> opt;

        @Override
        public void close() {
            opt.close();
        }

        LowPrecisionModel() {
            opt = Optimizer.adamW().lr(0.01).weightDecay(0.02).rounding(Rounding.KAHAN).roundingSeed(5).build();
            opt.defaultGroup().add(a, ga);
            opt.defaultGroup().add(Precision.BF16, b, gb);
            ParamGroup<AdamConfig> second = opt.addGroup(AdamConfig.builder().lr(0.003).amsgrad(true).build(),
                    LrSchedule.stepDecay(2, 0.5));
            second.rounding(Rounding.STOCHASTIC);
            second.roundingSeed(9);
            second.add(Precision.FP16, c, gc);
        }

        LowPrecisionModel run() {
            for (int s = 0; s <= 3; s++) {
                for (int i = 0; i < 7; i++) {
                    if (s == 0) {
                        b[i] = Bf16.fromFloatNearestEven((float) Math.sin(i + 2));
                        if (i < 5) {
                            c[i] = Fp16.fromFloatNearestEven((float) Math.sin(i + 3));
                        }
                    }
                    gb[i] = Bf16.fromFloatNearestEven((float) Math.cos(s * 7 + i + 2));
                    if (i < 5) {
                        gc[i] = Fp16.fromFloatNearestEven((float) Math.cos(s * 7 + i + 3));
                    }
                }
                Model.fill(a, ga, s, 1);
                if (s > 0) {
                    opt.step();
                }
            }
            return this;
        }
    }

    @Test
    void theLowPrecisionGoldenFileLoadsAndIsWrittenAgainByteForByte() throws IOException {
        String name = "v1-adamw-bf16-kahan";
        byte[] bytes = golden(name);
        assertEquals(1, bytes[8], "Adam's version");
        assertEquals(StateFile.FLAG_PRECISIONS, bytes[12], "flag 2");
        Path file = dir.resolve(name + ".state");
        Files.write(file, bytes);
        try (LowPrecisionModel fresh = new LowPrecisionModel().run(); LowPrecisionModel loaded =
                new LowPrecisionModel()) {
            loaded.opt.load(file);
            OptimizerState s = loaded.opt.state();
            assertEquals(fresh.opt.state(), s, "the golden file holds the state a run reaches");
            assertEquals(List.of("exp_avg", "exp_avg_sq", "kahan_comp"),
                    List.copyOf(s.groups().get(0).params().get(1).arrays().keySet()));
            assertEquals(Rounding.STOCHASTIC, loaded.opt.groups().get(1).rounding());
            assertEquals(9, loaded.opt.groups().get(1).roundingSeed());
            Path again = dir.resolve(name + ".again");
            fresh.opt.save(again);
            assertArrayEquals(bytes, Files.readAllBytes(again), "the encoder writes the golden bytes");
        }
    }

    /**
     * Flag 4's golden file, {@code v1-adamw-8bit}: AdamW with 8-bit states and Kahan rounding (seed 5) on a
     * float[300] (two blocks, the second short), the slice [2, 9) of a float[10] and a bf16 short[20] (with its
     * {@code kahan_comp}); a second group with f32 states, AMSGrad and a schedule on a double[3]; an empty third
     * group with 8-bit states; three steps.
     */
    static final class CompactModel implements AutoCloseable {
        final float[] a = new float[300];
        final float[] ga = new float[300];
        final float[] b = new float[10];
        final float[] gb = new float[10];
        final double[] c = new double[3];
        final double[] gc = new double[3];
        final short[] d = new short[20];
        final short[] gd = new short[20];
        final Optimizer<AdamConfig> opt;

        CompactModel() {
            opt = Optimizer.adamW().lr(0.01).weightDecay(0.02).statePrecision(StatePrecision.BLOCKWISE_8BIT)
                    .rounding(Rounding.KAHAN).roundingSeed(5).build();
            opt.defaultGroup().add(a, ga);
            opt.defaultGroup().add(b, gb, 2, 7);
            opt.defaultGroup().add(Precision.BF16, d, gd);
            ParamGroup<AdamConfig> second = opt.addGroup(AdamConfig.builder().lr(0.003).build(),
                    LrSchedule.stepDecay(2, 0.5));
            second.statePrecision(StatePrecision.F32);
            second.config(AdamConfig.builder().lr(0.003).amsgrad(true).build());
            second.add(c, gc);
            opt.addGroup(AdamConfig.builder().lr(0.002).build(), LrSchedule.constant());
        }

        @Override
        public void close() {
            opt.close();
        }

        CompactModel run() {
            for (int s = 0; s <= 3; s++) {
                Model.fill(a, ga, s, 1);
                Model.fill(b, gb, s, 2);
                Model.fill(c, gc, s, 3);
                for (int i = 0; i < d.length; i++) {
                    if (s == 0) {
                        d[i] = Bf16.fromFloatNearestEven((float) Math.sin(i + 4));
                    }
                    gd[i] = Bf16.fromFloatNearestEven((float) Math.cos(s * 7 + i + 4));
                }
                if (s > 0) {
                    opt.step();
                }
            }
            return this;
        }
    }

    @Test
    void theCompactStateGoldenFileLoadsAndIsWrittenAgainByteForByte() throws IOException {
        String name = "v1-adamw-8bit";
        byte[] bytes = golden(name);
        assertEquals(1, bytes[8], "Adam's version");
        assertEquals(StateFile.FLAG_PRECISIONS | StateFile.FLAG_STATE_PRECISIONS, bytes[12], "flags 2 and 4");
        Path file = dir.resolve(name + ".state");
        Files.write(file, bytes);
        try (CompactModel fresh = new CompactModel().run(); CompactModel loaded = new CompactModel()) {
            loaded.opt.groups().get(2).statePrecision(StatePrecision.F32);
            loaded.opt.load(file);
            OptimizerState s = loaded.opt.state();
            assertEquals(fresh.opt.state(), s, "the golden file holds the state a run reaches");
            assertEquals(List.of("exp_avg", "exp_avg_sq", "exp_avg_absmax", "exp_avg_sq_absmax"),
                    List.copyOf(s.groups().get(0).params().get(0).arrays().keySet()));
            assertEquals(List.of("exp_avg", "exp_avg_sq", "exp_avg_absmax", "exp_avg_sq_absmax", "kahan_comp"),
                    List.copyOf(s.groups().get(0).params().get(2).arrays().keySet()));
            assertEquals(StatePrecision.BLOCKWISE_8BIT, loaded.opt.groups().get(2).statePrecision(),
                    "an empty group takes the file's state precision");
            Path again = dir.resolve(name + ".again");
            fresh.opt.save(again);
            assertArrayEquals(bytes, Files.readAllBytes(again), "the encoder writes the golden bytes");
        }
    }
}
