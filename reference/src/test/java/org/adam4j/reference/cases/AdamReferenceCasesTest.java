package org.adam4j.reference.cases;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.IntToDoubleFunction;
import java.util.stream.Stream;
import org.adam4j.reference.AdamConfig;
import org.adam4j.reference.AdamReference_F32;
import org.adam4j.reference.AdamReference_F64;
import org.adam4j.reference.AdamStep;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Replays every {@code adam*} PyTorch trajectory in the shared reference cases through the reference, in float and
 * in double, and holds every parameter after every step and every final state to FORMAT.md's band
 * {@code |ours - torch| <= 1e-5 * |torch| + 1e-3 * lr}.
 */
class AdamReferenceCasesTest {
    static final double RTOL = 1e-5;
    static final double ATOL_LR = 1e-3;

    @TestFactory
    Stream<DynamicTest> everyAdamCaseInFloatAndDouble() throws IOException {
        List<Path> dirs = SharedCases.named("adam");
        return dirs.stream().flatMap(dir -> Stream.of(
                DynamicTest.dynamicTest(dir.getFileName() + " f32", () -> replayF32(ReferenceCase.load(dir))),
                DynamicTest.dynamicTest(dir.getFileName() + " f64", () -> replayF64(ReferenceCase.load(dir)))));
    }

    /** The band is tight enough to catch a formula mistake: a wrong bias correction fails it. */
    @Test
    void theBandCatchesAMissingBiasCorrection() throws IOException {
        ReferenceCase c = ReferenceCase.load(SharedCases.root().resolve("adam-default"));
        AdamConfig wrong = AdamCases.config(c).toBuilder().biasCorrection(false).build();
        AssertionError e = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
                () -> replayF32(c, wrong));
        assertTrue(e.getMessage().contains("step"), e.getMessage());
    }

    static void replayF32(ReferenceCase c) throws CaseFormatException {
        replayF32(c, AdamCases.config(c));
    }

    static void replayF32(ReferenceCase c, AdamConfig config) {
        int n = c.n;
        float[] p = c.param0.toF32();
        float[] m = new float[n], v = new float[n], vmax = new float[n];
        for (int t = 0; t < c.steps; t++) {
            AdamStep s = config.step(t + 1);
            AdamReference_F32.fused(s, p, c.rowF32(c.grads, t), m, v, vmax, 0, n);
            float[] want = c.rowF32(c.params, t);
            for (int i = 0; i < n; i++) {
                check(c, config.lr(), "params", t + 1, i, p[i], want[i]);
            }
        }
        checkStates(c, config.lr(), i -> m[i], i -> v[i], i -> vmax[i]);
    }

    static void replayF64(ReferenceCase c) throws CaseFormatException {
        AdamConfig config = AdamCases.config(c);
        int n = c.n;
        double[] p = c.param0.toF64();
        double[] m = new double[n], v = new double[n], vmax = new double[n];
        for (int t = 0; t < c.steps; t++) {
            AdamStep s = config.step(t + 1);
            AdamReference_F64.fused(s, p, c.rowF64(c.grads, t), m, v, vmax, 0, n);
            double[] want = c.rowF64(c.params, t);
            for (int i = 0; i < n; i++) {
                check(c, config.lr(), "params", t + 1, i, p[i], want[i]);
            }
        }
        checkStates(c, config.lr(), i -> m[i], i -> v[i], i -> vmax[i]);
    }

    /** The final states, read element by element whatever the precision they were computed in. */
    private static void checkStates(ReferenceCase c, double lr, IntToDoubleFunction m, IntToDoubleFunction v,
            IntToDoubleFunction vmax) {
        assertTrue(!c.states.isEmpty(), "case lists no state");
        for (var e : c.states.entrySet()) {
            IntToDoubleFunction ours = switch (e.getKey()) {
                case "exp_avg" -> m;
                case "exp_avg_sq" -> v;
                case "max_exp_avg_sq" -> vmax;
                default -> throw new AssertionError("unexpected Adam state " + e.getKey());
            };
            for (int i = 0; i < c.n; i++) {
                check(c, lr, e.getKey(), c.steps, i, ours.applyAsDouble(i), e.getValue().get(i));
            }
        }
    }

    static void check(ReferenceCase c, double lr, String what, int step, int i, double ours, double torch) {
        double err = Math.abs(ours - torch);
        if (!(err <= RTOL * Math.abs(torch) + ATOL_LR * lr)) {
            throw new AssertionError(c.name + ": " + what + " at step " + step + ", index " + i + ": ours " + ours
                    + ", torch " + torch + " (error " + err / lr + " lr)");
        }
    }
}
