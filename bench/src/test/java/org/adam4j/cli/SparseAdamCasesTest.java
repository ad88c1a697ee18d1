package org.adam4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.adam4j.kernels.AdamKernel_F32;
import org.adam4j.kernels.AdamKernel_F64;
import org.adam4j.kernels.AdamKernels;
import org.adam4j.reference.AdamConfig;
import org.adam4j.reference.AdamReference_F64;
import org.adam4j.reference.AdamStep;
import org.adam4j.reference.LazyMode;
import org.adam4j.reference.LazyRowsReference_F32;
import org.adam4j.reference.LazyRowsReference_F64;
import org.adam4j.reference.cases.ReferenceCase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link LazyMode#LAZY} lazy rows against {@code torch.optim.SparseAdam} trajectories recorded from PyTorch 1.13
 * (test resources {@code cases/sparse-adam*}, written by {@code tools/pytorch/record_cases.py}): the reference and
 * every kernel's {@code lazyRows}, in float and in double, stay within FORMAT.md's band {@code |ours - torch| <=
 * 1e-5*|torch| + 1e-3*lr} at every step and element and in the final moments; and {@code ./adam4j validate} replays
 * the cases on every kernel.
 */
class SparseAdamCasesTest {
    private static final double RTOL = ValidateCommand.DEFAULT_RTOL;
    private static final double ATOL_LR = ValidateCommand.DEFAULT_ATOL_LR;

    @TempDir
    Path tmp;

    static List<Path> cases() throws IOException, URISyntaxException {
        List<Path> dirs = RecordedCasesTest.folders().stream()
                .filter(d -> d.getFileName().toString().startsWith("sparse-adam")).toList();
        assertEquals(List.of("sparse-adam", "sparse-adam-f64"),
                dirs.stream().map(d -> d.getFileName().toString()).toList());
        return dirs;
    }

    /** The case read the way a user of lazyRows would: SparseAdam's arguments as an AdamConfig, the table's shape. */
    private record Sparse(ReferenceCase c, AdamConfig config, int cols, int[][] rows) {
        static Sparse of(ReferenceCase c) throws IOException {
            assertEquals("sparse_adam", c.optimizer);
            double[] betas = c.pair("betas", 0.9, 0.999);
            AdamConfig config = AdamConfig.builder().lr(c.number("lr", 1e-3)).betas(betas[0], betas[1])
                    .eps(c.number("eps", 1e-8)).maximize(c.bool("maximize", false)).build();
            JsonArray shape = c.json.getAsJsonArray("shape");
            int cols = shape.get(1).getAsInt();
            assertEquals(c.n, shape.get(0).getAsInt() * cols);
            JsonArray steps = c.json.getAsJsonArray("rows");
            int[][] rows = new int[c.steps][];
            for (int t = 0; t < c.steps; t++) {
                JsonArray present = steps.get(t).getAsJsonArray();
                rows[t] = new int[present.size()];
                for (int j = 0; j < rows[t].length; j++) {
                    rows[t][j] = present.get(j).getAsInt();
                }
            }
            return new Sparse(c, config, cols, rows);
        }

        double[] torch(int step) {
            return c.rowF64(c.params, step);
        }
    }

    /** A replayed trajectory: the parameters after every step, then the final m and v, all widened to double. */
    private record Trajectory(String kernel, double[][] params, double[] m, double[] v) {
    }

    /** {@code kernel} null replays through the reference. */
    private static Trajectory replayF32(Sparse s, AdamKernel_F32 kernel) {
        ReferenceCase c = s.c;
        float[] p = c.rowF32(c.param0, 0), m = new float[c.n], v = new float[c.n], gRows = new float[c.n];
        double[][] params = new double[c.steps][];
        for (int t = 1; t <= c.steps; t++) {
            float[] g = c.rowF32(c.grads, t - 1);
            int[] rows = s.rows[t - 1];
            for (int j = 0; j < rows.length; j++) {
                System.arraycopy(g, rows[j] * s.cols, gRows, j * s.cols, s.cols);
            }
            AdamStep step = s.config.step(t);
            if (kernel == null) {
                LazyRowsReference_F32.step(LazyMode.LAZY, step, p, m, v, null, null, s.cols, rows, rows.length, gRows);
            } else {
                kernel.lazyRows(LazyMode.LAZY, step, p, m, v, null, null, s.cols, rows, rows.length, gRows);
            }
            params[t - 1] = widen(p);
        }
        return new Trajectory(kernel == null ? "reference" : kernel.name(), params, widen(m), widen(v));
    }

    private static Trajectory replayF64(Sparse s, AdamKernel_F64 kernel) {
        ReferenceCase c = s.c;
        double[] p = c.rowF64(c.param0, 0), m = new double[c.n], v = new double[c.n], gRows = new double[c.n];
        double[][] params = new double[c.steps][];
        for (int t = 1; t <= c.steps; t++) {
            double[] g = c.rowF64(c.grads, t - 1);
            int[] rows = s.rows[t - 1];
            for (int j = 0; j < rows.length; j++) {
                System.arraycopy(g, rows[j] * s.cols, gRows, j * s.cols, s.cols);
            }
            AdamStep step = s.config.step(t);
            if (kernel == null) {
                LazyRowsReference_F64.step(LazyMode.LAZY, step, p, m, v, null, null, s.cols, rows, rows.length, gRows);
            } else {
                kernel.lazyRows(LazyMode.LAZY, step, p, m, v, null, null, s.cols, rows, rows.length, gRows);
            }
            params[t - 1] = p.clone();
        }
        return new Trajectory(kernel == null ? "reference" : kernel.name(), params, m, v);
    }

    private static double[] widen(float[] a) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i];
        }
        return out;
    }

    /**
     * The largest {@code |ours - torch| / (RTOL*|torch| + ATOL_LR*lr)} over every parameter at every step and the
     * final exp_avg and exp_avg_sq; the band holds when it is at most 1.
     */
    private static double worstRatio(Sparse s, Trajectory ours) {
        ReferenceCase c = s.c;
        double lr = s.config.lr();
        double worst = 0;
        int compared = 0;
        for (int t = 0; t < c.steps; t++) {
            double[] torch = s.torch(t);
            for (int i = 0; i < c.n; i++) {
                worst = Math.max(worst, Math.abs(ours.params[t][i] - torch[i]) / (RTOL * Math.abs(torch[i]) + ATOL_LR
                        * lr));
                compared++;
            }
        }
        double[][] mine = {ours.m, ours.v};
        String[] names = {"exp_avg", "exp_avg_sq"};
        for (int k = 0; k < 2; k++) {
            double[] torch = c.rowF64(c.states.get(names[k]), 0);
            for (int i = 0; i < c.n; i++) {
                worst = Math.max(worst, Math.abs(mine[k][i] - torch[i]) / (RTOL * Math.abs(torch[i]) + ATOL_LR * lr));
                compared++;
            }
        }
        assertEquals((c.steps + 2) * c.n, compared);
        return worst;
    }

    /**
     * Each case, replayed in float and in double, through the reference and every kernel's lazyRows (scalar, each
     * vector width, a parallel one): within the band at every step and element; every kernel bit for bit the
     * reference.
     */
    @Test
    void lazyRowsFollowTheRecordedSparseAdamTrajectories() throws Exception {
        int runs = 0;
        for (Path dir : cases()) {
            Sparse s = Sparse.of(ReferenceCase.load(dir));
            List<Trajectory> f32 = new ArrayList<>(List.of(replayF32(s, null)));
            List<AdamKernel_F32> k32 = new ArrayList<>(AdamKernels.all_F32());
            k32.add(AdamKernels.f32().parallel(2));
            k32.forEach(k -> f32.add(replayF32(s, k)));
            List<Trajectory> f64 = new ArrayList<>(List.of(replayF64(s, null)));
            List<AdamKernel_F64> k64 = new ArrayList<>(AdamKernels.all_F64());
            k64.add(AdamKernels.f64().parallel(2));
            k64.forEach(k -> f64.add(replayF64(s, k)));
            for (List<Trajectory> runsOfOnePrecision : List.of(f32, f64)) {
                Trajectory reference = runsOfOnePrecision.get(0);
                double worst = worstRatio(s, reference);
                assertTrue(worst <= 1.0, s.c.name + " " + reference.kernel + ": worst error " + worst
                        + " of the band");
                assertTrue(worst > 0.0, s.c.name + ": the replay is compared, not copied");
                for (Trajectory t : runsOfOnePrecision) {
                    for (int step = 0; step < s.c.steps; step++) {
                        assertArrayEquals(reference.params[step], t.params[step], 0.0, s.c.name + " " + t.kernel
                                + " step " + (step + 1) + ": bit for bit the reference");
                    }
                    assertArrayEquals(reference.m, t.m, 0.0, t.kernel);
                    assertArrayEquals(reference.v, t.v, 0.0, t.kernel);
                    runs++;
                }
            }
        }
        assertEquals(2 * (AdamKernels.all_F32().size() + 2 + AdamKernels.all_F64().size() + 2), runs);
    }

    /**
     * The band tells SparseAdam from the form LAZY had before: each touched row stepped as dense torch.optim.Adam
     * steps (eps added after bias correction) leaves it on both cases, by far.
     */
    @Test
    void theDenseAdamFormLeavesTheBand() throws Exception {
        for (Path dir : cases()) {
            Sparse s = Sparse.of(ReferenceCase.load(dir));
            ReferenceCase c = s.c;
            double[] p = c.rowF64(c.param0, 0), m = new double[c.n], v = new double[c.n];
            double[][] params = new double[c.steps][];
            for (int t = 1; t <= c.steps; t++) {
                double[] g = c.rowF64(c.grads, t - 1);
                for (int r : s.rows[t - 1]) {
                    AdamReference_F64.fused(s.config.step(t), p, g, m, v, null, r * s.cols, s.cols);
                }
                params[t - 1] = p.clone();
            }
            double worst = worstRatio(s, new Trajectory("dense form", params, m, v));
            assertTrue(worst > 10, c.name + ": the dense form's worst error is only " + worst + " of the band");
        }
    }

    /** {@code ./adam4j validate} replays both cases (optimizer sparse_adam) on every kernel, with 1 and 2 threads. */
    @Test
    void validateReplaysTheSparseAdamCases() throws Exception {
        List<Path> dirs = cases();
        for (String kernel : ValidateCommand.KERNELS) {
            for (int threads : new int[] {1, 2}) {
                List<Object> args = new ArrayList<>(dirs);
                args.addAll(List.of("--kernel", kernel, "--threads", threads));
                ValidateCommandTest.Result r = ValidateCommandTest.validate(args.toArray());
                assertEquals(0, r.status(), r::toString);
                assertEquals("", r.err(), r::toString);
                assertEquals(2, r.rows().size(), r::toString);
                for (String[] row : r.rows()) {
                    assertEquals("sparse_adam", row[1], r::toString);
                    assertEquals("PASS", row[10], r::toString);
                }
                assertEquals("total: 2 cases, 2 PASS, 0 FAIL", r.total());
            }
        }
        assertTrue(ValidateCommandTest.validate("--help").out().contains("sparse_adam"));
    }

    /** A sparse_adam case.json that does not describe its gradient's rows, or asks for more, is refused in one line. */
    @Test
    void badSparseAdamCasesAreRefused() throws Exception {
        refused("shape-n", j -> j.add("shape", JsonParser.parseString("[32, 7]")),
                "'shape' [32, 7] does not hold n = 231 elements");
        refused("shape-kind", j -> j.add("shape", JsonParser.parseString("[231]")), "'shape' is not [rows, cols]");
        refused("rows-count", j -> j.getAsJsonArray("rows").remove(0),
                "'rows' is not a list of 25 lists of row indices");
        refused("rows-order", j -> j.getAsJsonArray("rows").set(3, JsonParser.parseString("[27, 22]")),
                "'rows' of step 4 is not strictly increasing");
        refused("rows-range", j -> j.getAsJsonArray("rows").set(0, JsonParser.parseString("[6, 33]")),
                "'rows' holds 33, not an integer from 0 to 32");
        refused("no-rows", j -> j.remove("rows"), "'rows' is not a list of 25 lists");
        refused("weight-decay", j -> j.addProperty("weight_decay", 0.1),
                "option 'weight_decay' of sparse_adam is not implemented by adam4j");
        refused("zero-eps", j -> j.addProperty("eps", 0.0), "Invalid epsilon value: 0.0");
    }

    private void refused(String name, java.util.function.Consumer<JsonObject> edit, String problem) throws Exception {
        Path from = cases().get(1);
        Path dir = Files.createDirectories(tmp.resolve(name));
        try (var files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, dir.resolve(f.getFileName()));
            }
        }
        JsonObject json = JsonParser.parseString(Files.readString(dir.resolve("case.json"))).getAsJsonObject();
        edit.accept(json);
        Files.writeString(dir.resolve("case.json"), json.toString());
        ValidateCommandTest.Result r = ValidateCommandTest.validate(dir, "--out", tmp.resolve("out-" + name));
        assertEquals(2, r.status(), r::toString);
        assertEquals("", r.out(), r::toString);
        assertTrue(r.err().contains(problem) && r.err().indexOf('\n') == r.err().length() - 1, problem + ": " + r);
        assertFalse(Files.exists(tmp.resolve("out-" + name)), "nothing written");
    }
}
