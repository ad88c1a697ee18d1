package org.adam4j.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.adam4j.optim.LrSchedule.AnnealStrategy;
import org.adam4j.reference.cases.Npy;
import org.adam4j.reference.cases.NpyArray;
import org.junit.jupiter.api.Test;

/**
 * PyTorch's schedulers against the learning rates PyTorch 1.13 gave for the same configurations, recorded by
 * {@code tools/pytorch/record_schedules.py} into {@code lr-schedules/<name>.npy}: element {@code t - 1} is the lr of
 * the {@code t}-th {@code optimizer.step()}, with the optimizer's lr {@link #BASE_LR}.
 */
class LrScheduleTorchTest {
    static final double BASE_LR = 0.1;
    private static final String DIR = "lr-schedules/";

    /** The configurations of record_schedules.py, by the same names. */
    static Map<String, LrSchedule> configurations() {
        Map<String, LrSchedule> m = new LinkedHashMap<>();
        m.put("step-lr", LrSchedule.stepLR(7, 0.9));
        m.put("step-lr-default-gamma", LrSchedule.stepLR(3));
        m.put("multi-step-lr", LrSchedule.multiStepLR(List.of(5L, 20L, 20L, 61L), 0.7));
        m.put("exponential-lr", LrSchedule.exponentialLR(0.99));
        m.put("cosine-annealing-lr", LrSchedule.cosineAnnealingLR(100, 1e-3));
        m.put("cosine-annealing-lr-t7", LrSchedule.cosineAnnealingLR(7));
        m.put("linear-lr", LrSchedule.linearLR(0.01, 1.0, 17));
        m.put("linear-lr-decay", LrSchedule.linearLR(1.0, 0.25, 9));
        m.put("linear-lr-defaults", LrSchedule.linearLR());
        m.put("one-cycle-lr-cos", LrSchedule.oneCycleLR(0.5, 200));
        m.put("one-cycle-lr-linear", LrSchedule.oneCycleLR(0.02, 50, 0.25, AnnealStrategy.LINEAR, 10.0, 100.0, false));
        m.put("one-cycle-lr-three-phase", LrSchedule.oneCycleLR(1.0, 100, 0.3, AnnealStrategy.COS, 25.0, 1e4, true));
        m.put("one-cycle-lr-three-phase-linear",
                LrSchedule.oneCycleLR(0.3, 63, 0.2, AnnealStrategy.LINEAR, 25.0, 1e4, true));
        m.put("warm-restarts", LrSchedule.cosineAnnealingWarmRestarts(10));
        m.put("warm-restarts-t-mult-2", LrSchedule.cosineAnnealingWarmRestarts(5, 2, 1e-4));
        m.put("sequential-linear-cosine", LrSchedule.sequentialLR(
                List.of(LrSchedule.linearLR(0.1, 1.0, 10), LrSchedule.cosineAnnealingLR(90, 1e-5)), List.of(10L)));
        m.put("sequential-three", LrSchedule.sequentialLR(List.of(LrSchedule.linearLR(0.5, 1.0, 4),
                LrSchedule.exponentialLR(0.95), LrSchedule.cosineAnnealingWarmRestarts(8, 2, 1e-3)),
                List.of(6L, 40L)));
        m.put("sequential-step-multistep-cosine", LrSchedule.sequentialLR(List.of(LrSchedule.stepLR(4, 0.8),
                LrSchedule.multiStepLR(List.of(3L, 9L), 0.5), LrSchedule.cosineAnnealingLR(25)), List.of(13L, 30L)));
        return m;
    }

    static double[] recorded(String name) throws IOException {
        try (InputStream in = LrScheduleTorchTest.class.getResourceAsStream(DIR + name + ".npy")) {
            assertTrue(in != null, "no recording " + DIR + name + ".npy");
            NpyArray a = Npy.read(Path.of(name + ".npy"), in);
            assertEquals(NpyArray.DType.F64, a.dtype(), name);
            assertEquals(1, a.rank(), name);
            return a.f64();
        }
    }

    private static Set<String> recordings() throws IOException {
        Set<String> names = new TreeSet<>();
        try (InputStream in = LrScheduleTorchTest.class.getResourceAsStream(DIR)) {
            assertTrue(in != null, "no folder " + DIR);
            for (String line : new String(in.readAllBytes()).split("\n")) {
                if (line.endsWith(".npy")) {
                    names.add(line.substring(0, line.length() - 4));
                }
            }
        }
        return names;
    }

    /**
     * The steps where PyTorch's lr is more than one ulp from ours because glibc's {@code cos} (which Python calls)
     * is not correctly rounded there and the formula amplifies that bit; ours is correctly rounded. Each is checked
     * against a 60-digit evaluation: glibc's cos(2.1093550674102897) = -0.512899277405906 is 0.57 ulp from the exact
     * -0.51289927740590607332..., whose nearest double is -0.5128992774059061; OneCycleLR's
     * {@code end + (start - end) / 2 * (cos + 1)} turns it into 2 ulps of the lr at step 154.
     */
    private static final Map<String, Map<Long, Double>> LIBM_STEPS = Map.of("one-cycle-lr-cos", Map.of(154L, 2.0));

    @Test
    void everyRecordedLearningRateIsWithinOneUlpOfPyTorchs() throws IOException {
        Map<String, LrSchedule> configs = configurations();
        assertEquals(recordings(), new TreeSet<>(configs.keySet()), "every recording has a configuration here");
        int checked = 0;
        int exact = 0;
        List<String> misses = new java.util.ArrayList<>();
        for (var e : configs.entrySet()) {
            double[] torch = recorded(e.getKey());
            assertTrue(torch.length >= 12, e.getKey());
            Map<Long, Double> libm = LIBM_STEPS.getOrDefault(e.getKey(), Map.of());
            for (int i = 0; i < torch.length; i++) {
                long t = i + 1;
                double ours = e.getValue().lr(t, BASE_LR);
                double ulps = Math.abs(ours - torch[i]) / Math.ulp(torch[i]);
                if (ulps > libm.getOrDefault(t, 1.0) || libm.containsKey(t) && ulps <= 1) {
                    misses.add(e.getKey() + " step " + t + ": " + ours + " vs PyTorch's " + torch[i] + " (" + ulps
                            + " ulps)");
                }
                exact += ours == torch[i] ? 1 : 0;
                checked++;
            }
        }
        assertEquals(List.of(), misses);
        assertTrue(checked > 2000, "checked " + checked);
        // the tolerance is for libm's last bit, not for a different formula
        assertTrue(exact >= checked * 0.95, exact + " of " + checked + " identical");
    }

    @Test
    void outOfOrderAndInterleavedCallsGiveTheSameBits() throws IOException {
        LrSchedule cos = configurations().get("cosine-annealing-lr");
        double[] torch = recorded("cosine-annealing-lr");
        double[] forward = new double[torch.length];
        for (int t = 1; t <= torch.length; t++) {
            forward[t - 1] = cos.lr(t, BASE_LR);
            cos.lr(t, 0.5); // another group with another base lr shares the schedule
        }
        for (int t = torch.length; t >= 1; t--) {
            assertEquals(forward[t - 1], cos.lr(t, BASE_LR), "step " + t);
            assertEquals(forward[t - 1], LrSchedule.cosineAnnealingLR(100, 1e-3).lr(t, BASE_LR), "equal record");
        }
        assertTrue(forward[250] != LrSchedule.cosineAnnealingLR(100, 1e-3).lr(251, 0.5), "base lr is part of it");
    }

    @Test
    void stepOneIsTheInitialLearningRate() {
        assertEquals(BASE_LR, LrSchedule.cosineAnnealingLR(10, 0.01).lr(1, BASE_LR));
        assertEquals(BASE_LR * 0.25, LrSchedule.linearLR(0.25, 1.0, 4).lr(1, BASE_LR));
        assertEquals(0.4 / 25, LrSchedule.oneCycleLR(0.4, 10).lr(1, 123.0), 1e-16, "OneCycleLR ignores the base lr");
        // the older factory is one step ahead of PyTorch's CosineAnnealingLR
        LrSchedule old = LrSchedule.cosineWithWarmup(0, 20, 0.0);
        for (int t = 1; t < 20; t++) {
            assertEquals(LrSchedule.cosineAnnealingLR(20).lr(t + 1, BASE_LR), old.lr(t, BASE_LR), 1e-15, "t=" + t);
        }
    }

    @Test
    void cosIsCorrectlyRoundedWhereGlibcAndTheJdkAreNot() {
        // expected values: the 60-digit Taylor sums rounded to double (glibc gives 0.9618620322913511 and
        // -0.512899277405906; StrictMath.cos(7.099999397112932) gives 0.684547105928689)
        assertEquals(0.9618620322913513, CorrectlyRounded.cos(12.28930426420902));
        assertEquals(-0.5128992774059061, CorrectlyRounded.cos(2.1093550674102897));
        assertEquals(0.6845471059286891, CorrectlyRounded.cos(7.099999397112932));
        assertEquals(6.123233995736766e-17, CorrectlyRounded.cos(Math.PI / 2));
        assertEquals(-1.0, CorrectlyRounded.cos(Math.PI));
        assertEquals(1.0, CorrectlyRounded.cos(0.0));
        assertEquals(Math.cos(1e300), CorrectlyRounded.cos(1e300), Math.ulp(1.0));
        assertEquals(0.48999999999999994, CorrectlyRounded.pow(0.7, 2));
        assertEquals(1.0, CorrectlyRounded.pow(0.7, 0));
    }

    @Test
    void oneCycleRefusesAStepPastItsCycleAsPyTorchRaises() {
        LrSchedule s = LrSchedule.oneCycleLR(0.1, 30);
        s.lr(31, 0.0);
        var e = assertThrows(IllegalStateException.class, () -> s.lr(32, 0.0));
        assertTrue(e.getMessage().contains("Tried to step 32 times"), e.getMessage());
    }

    @Test
    void invalidArgumentsAreRefusedWithPyTorchsNames() {
        refused("Invalid T_max: 0", () -> LrSchedule.cosineAnnealingLR(0));
        refused("Invalid T_mult: 0", () -> LrSchedule.cosineAnnealingWarmRestarts(3, 0, 0));
        refused("Invalid start_factor: 0.0", () -> LrSchedule.linearLR(0, 1, 3));
        refused("Invalid pct_start: 1.5", () -> LrSchedule.oneCycleLR(1, 10, 1.5, AnnealStrategy.COS, 25, 1e4, false));
        refused("one more scheduler than milestones",
                () -> LrSchedule.sequentialLR(List.of(LrSchedule.stepLR(3)), List.of(4L)));
        refused("strictly increasing", () -> LrSchedule.sequentialLR(
                List.of(LrSchedule.stepLR(3), LrSchedule.stepLR(2), LrSchedule.stepLR(1)), List.of(4L, 4L)));
        refused("Invalid step: 0", () -> LrSchedule.exponentialLR(0.9).lr(0, 1.0));
        refused("needs no lambda wrapper", () -> LrSchedule.lambda(LrSchedule.constant(), true));
    }

    private static void refused(String message, Runnable r) {
        var e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }
}
