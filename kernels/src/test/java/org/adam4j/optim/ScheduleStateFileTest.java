package org.adam4j.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.adam4j.optim.LrSchedule.AnnealStrategy;
import org.adam4j.reference.AdamConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Named schedules saved and restored by the state file; custom ones refused by save unless declared. */
class ScheduleStateFileTest {
    @TempDir
    Path dir;

    static List<LrSchedule> everyKind() {
        List<LrSchedule> all = new ArrayList<>(LrScheduleTorchTest.configurations().values());
        all.add(LrSchedule.constant());
        all.add(LrSchedule.stepDecay(3, 0.5));
        all.add(LrSchedule.cosineWithWarmup(2, 30, 1e-4));
        all.add(LrSchedule.inverseSqrt());
        all.add(LrSchedule.oneCycleLR(0.05, 40, 0.4, AnnealStrategy.LINEAR, 5.0, 50.0, true));
        return all;
    }

    /** An optimizer of two groups, the second with {@code schedule}, and its parameters. */
    private record Run(Optimizer<AdamConfig> opt, float[] w, float[] gw, double[] v, double[] gv) {
        static Run of(LrSchedule schedule) {
            Optimizer<AdamConfig> opt = Optimizer.adamW().lr(0.003).build();
            float[] w = new float[37];
            double[] v = new double[21];
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) Math.sin(i);
            }
            for (int i = 0; i < v.length; i++) {
                v[i] = Math.cos(i);
            }
            Run r = new Run(opt, w, new float[w.length], v, new double[v.length]);
            opt.defaultGroup().add(r.w, r.gw);
            opt.addGroup(org.adam4j.reference.AdamConfig.builder().lr(0.02).build(), schedule).add(r.v, r.gv);
            return r;
        }

        void steps(int from, int to) {
            for (int t = from; t <= to; t++) {
                for (int i = 0; i < gw.length; i++) {
                    gw[i] = (float) Math.sin(t * 0.7 + i);
                }
                for (int i = 0; i < gv.length; i++) {
                    gv[i] = Math.cos(t * 1.3 - i);
                }
                opt.step();
            }
        }
    }

    @Test
    void everyNamedScheduleSurvivesSaveAndLoad() throws IOException {
        List<LrSchedule> all = everyKind();
        assertTrue(all.size() >= 22);
        for (int k = 0; k < all.size(); k++) {
            LrSchedule s = all.get(k);
            Path file = dir.resolve("s" + k);
            Run straight = Run.of(s);
            Run first = Run.of(s);
            straight.steps(1, 12);
            first.steps(1, 5);
            first.opt.save(file);
            Run resumed = Run.of(LrScheduleTorchTest.configurations().containsValue(s) ? copy(s) : s);
            System.arraycopy(first.w, 0, resumed.w, 0, first.w.length);
            System.arraycopy(first.v, 0, resumed.v, 0, first.v.length);
            resumed.opt.load(file);
            resumed.steps(6, 12);
            assertArrayEquals(straight.w, resumed.w, s.toString());
            assertArrayEquals(straight.v, resumed.v, s.toString());
            assertEquals(straight.opt.groups().get(1).lr(13), resumed.opt.groups().get(1).lr(13), s.toString());
            // as PyTorch's load_state_dict: an optimizer built with another schedule takes the saved one
            Run other = Run.of(all.get((k + 1) % all.size()));
            other.opt.load(file);
            assertEquals(s, other.opt.groups().get(1).schedule());
            other.opt.close();
            straight.opt.close();
            first.opt.close();
            resumed.opt.close();
        }
    }

    /** An equal schedule built anew, so that load compares values rather than identity. */
    private static LrSchedule copy(LrSchedule s) {
        return LrScheduleTorchTest.configurations().entrySet().stream().filter(e -> e.getValue().equals(s))
                .findFirst().orElseThrow().getValue();
    }

    @Test
    void aCustomScheduleIsRefusedBySaveWithNothingWritten() throws IOException {
        Path file = dir.resolve("opt.state");
        for (LrSchedule custom : List.of((LrSchedule) (t, base) -> base / t,
                LrSchedule.custom((t, base) -> base), LrSchedule.lambda((t, base) -> base, false))) {
            Run r = Run.of(custom);
            r.steps(1, 2);
            var e = assertThrows(IllegalArgumentException.class, () -> r.opt.save(file));
            assertTrue(e.getMessage().contains("cannot save a custom learning-rate schedule"), e.getMessage());
            assertTrue(e.getMessage().contains("LrSchedule.lambda(fn, true)"), e.getMessage());
            try (Stream<Path> files = Files.list(dir)) {
                assertEquals(List.of(), files.toList(), "nothing written, no temporary file left");
            }
        }
    }

    @Test
    void aDeclaredLambdaIsSavedAsCustomAndNeedsACustomScheduleToLoad() throws IOException {
        Path file = dir.resolve("opt.state");
        LrSchedule fn = (t, base) -> base / Math.sqrt(t);
        Run straight = Run.of(fn);
        Run first = Run.of(LrSchedule.lambda(fn, true));
        straight.steps(1, 9);
        first.steps(1, 4);
        first.opt.save(file);
        Run resumed = Run.of(LrSchedule.lambda(fn, true));
        System.arraycopy(first.w, 0, resumed.w, 0, first.w.length);
        System.arraycopy(first.v, 0, resumed.v, 0, first.v.length);
        resumed.opt.load(file);
        resumed.steps(5, 9);
        assertArrayEquals(straight.v, resumed.v);
        var e = assertThrows(IllegalArgumentException.class, () -> Run.of(LrSchedule.inverseSqrt()).opt.load(file));
        assertTrue(e.getMessage().contains("group 1 was saved with a custom schedule, which must be supplied again"),
                e.getMessage());
        assertFalse(Files.exists(dir.resolve("opt.state.tmp")));
    }
}
