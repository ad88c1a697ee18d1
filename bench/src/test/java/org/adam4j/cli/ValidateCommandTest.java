package org.adam4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.adam4j.kernels.AdamKernels;
import org.adam4j.kernels.ParallelChunks;
import org.adam4j.reference.AdagradConfig;
import org.adam4j.reference.AdagradReference_F32;
import org.adam4j.reference.AdamConfig;
import org.adam4j.reference.AdamReference_F32;
import org.adam4j.reference.AdamReference_F64;
import org.adam4j.reference.RmspropConfig;
import org.adam4j.reference.RmspropReference_F32;
import org.adam4j.reference.SgdConfig;
import org.adam4j.reference.SgdReference_F32;
import org.adam4j.reference.cases.Npy;
import org.adam4j.reference.cases.NpyArray;
import org.adam4j.reference.cases.ReferenceCase;
import org.adam4j.reference.cases.OptimizerCases;
import org.adam4j.reference.cases.SharedCases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./adam4j validate} run in-process through {@link Adam4j#run}, as the launcher runs it. */
class ValidateCommandTest {
    private static final int[] THREADS = {1, 2, 3};

    @TempDir
    Path tmp;

    record Result(int status, String out, String err) {
        /** The table's rows: the lines between the header and the total line, split into columns. */
        List<String[]> rows() {
            String[] lines = out.split("\n");
            List<String[]> rows = new ArrayList<>();
            for (int i = 2; i < lines.length - 1; i++) {
                rows.add(lines[i].trim().split("\\s+"));
            }
            return rows;
        }

        String total() {
            String[] lines = out.split("\n");
            return lines[lines.length - 1];
        }

        @Override
        public String toString() {
            return "status " + status + "\nstdout:\n" + out + "stderr:\n" + err;
        }
    }

    static Result validate(Object... args) {
        String[] all = new String[args.length + 1];
        all[0] = "validate";
        for (int i = 0; i < args.length; i++) {
            all[i + 1] = args[i].toString();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Adam4j.run(all, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Every shared case whose optimizer validate replays: every one, {@code adam*} and {@code relative-*}. */
    @Test
    void everyReplayableSharedCasePassesOnEveryKernelAndThreadCountAndWritesIdenticalTrajectories() throws IOException {
        List<Path> dirs = new ArrayList<>();
        List<ReferenceCase> cases = new ArrayList<>();
        for (Path dir : SharedCases.named("")) {
            ReferenceCase c = ReferenceCase.load(dir);
            if (replayable(c.optimizer)) {
                dirs.add(dir);
                cases.add(c);
            }
        }
        assertTrue(dirs.containsAll(SharedCases.named("adam")), "every adam* case is replayable: " + dirs);
        assertTrue(dirs.containsAll(SharedCases.named("relative-")), "every relative-* case is replayable: " + dirs);
        Path first = null;
        for (String kernel : ValidateCommand.KERNELS) {
            for (int threads : THREADS) {
                Path out = tmp.resolve(kernel + "-" + threads);
                List<Object> args = new ArrayList<>(dirs);
                args.addAll(List.of("--kernel", kernel, "--threads", threads, "--out", out));
                Result r = validate(args.toArray());
                assertEquals(0, r.status(), r::toString);
                assertEquals("", r.err(), r::toString);
                List<String[]> rows = r.rows();
                assertEquals(dirs.size(), rows.size(), r::toString);
                for (int i = 0; i < dirs.size(); i++) {
                    String[] row = rows.get(i);
                    ReferenceCase c = cases.get(i);
                    assertEquals(11, row.length, r::toString);
                    assertEquals(c.name, row[0]);
                    assertEquals(c.optimizer, row[1]);
                    assertEquals(c.dtype.numpyName(), row[2]);
                    assertEquals(Integer.toString(c.n), row[3]);
                    assertEquals(Integer.toString(c.steps), row[4]);
                    assertEquals(resolved(kernel, c), row[5]);
                    assertEquals("PASS", row[10], r::toString);
                }
                assertEquals("total: " + dirs.size() + " cases, " + dirs.size() + " PASS, 0 FAIL", r.total());
                if (first == null) {
                    first = out;
                    assertTrajectoriesAreTheReferences(dirs, out);
                } else {
                    assertSameFiles(first, out);
                }
            }
        }
    }

    /** Cases large enough that 2 and 3 threads really split each step, in float and double, with every option. */
    @Test
    void casesLargeEnoughToSplitMatchBitForBitOnEveryKernelAndThreadCount() throws IOException {
        int n = 3 * 4096 + 123;
        Path f32 = CaseFiles.adamCase(tmp.resolve("cases/large-amsgrad-f32"),
                AdamConfig.builder().lr(3e-3).amsgrad(true).maximize(true).l2(0.01).build(), false, n, 4, 1);
        Path f64 = CaseFiles.adamCase(tmp.resolve("cases/large-adamw-f64"),
                AdamConfig.builder().lr(1e-2).betas(0.8, 0.99).eps(1e-6).decoupled(0.1).build(), true, n, 4, 2);
        Path first = assertEveryKernelAndThreadCountPasses(List.of(f32, f64), THREADS, tmp.resolve("out"),
                (r, row) -> {
                    assertEquals("0", row[6], "an exact match has no error: " + r);
                    assertEquals("-", row[8], r::toString);
                });
        assertTrajectoriesAreTheReferences(List.of(f32, f64), first);
    }

    /**
     * Validates {@code dirs} on every kernel with each of {@code threads}, --out under {@code outRoot}: every run exits
     * 0 with a PASS row per case that {@code row} also accepts, and writes the same bytes as the first run, whose
     * --out folder is returned.
     */
    static Path assertEveryKernelAndThreadCountPasses(List<Path> dirs, int[] threads, Path outRoot,
            java.util.function.BiConsumer<Result, String[]> row) throws IOException {
        Path first = null;
        for (String kernel : ValidateCommand.KERNELS) {
            for (int t : threads) {
                Path out = outRoot.resolve(kernel + "-" + t);
                List<Object> args = new ArrayList<>(dirs);
                args.addAll(List.of("--kernel", kernel, "--threads", t, "--out", out));
                Result r = validate(args.toArray());
                assertEquals(0, r.status(), r::toString);
                assertEquals(dirs.size(), r.rows().size(), r::toString);
                for (String[] cells : r.rows()) {
                    assertEquals("PASS", cells[10], r::toString);
                    row.accept(r, cells);
                }
                if (first == null) {
                    first = out;
                } else {
                    assertSameFiles(first, out);
                }
            }
        }
        return first;
    }

    /**
     * The relatives' cases repeated along n until 2 and 3 threads split each step (every update is element-wise, so
     * that is still PyTorch's trajectory), in float and in double (PyTorch's float32 numbers computed on in double:
     * within the band all the same), over the first 7 steps: past RAdam's switch to rectification at step 6.
     */
    @Test
    void relativesLargeEnoughToSplitMatchBitForBitOnEveryKernelAndThreadCount() throws IOException {
        List<Path> dirs = new ArrayList<>();
        int copies = (THREADS[THREADS.length - 1] * ParallelChunks.MIN_CHUNK) / 1031 + 1;
        for (Path shared : SharedCases.named("relative-")) {
            for (boolean f64 : new boolean[] {false, true}) {
                Path to = tmp.resolve("cases/" + shared.getFileName() + (f64 ? "-f64" : "-f32"));
                dirs.add(CaseFiles.tiled(shared, to, copies, 7, f64));
            }
        }
        assertTrue(ReferenceCase.load(dirs.get(0)).n >= THREADS[THREADS.length - 1] * ParallelChunks.MIN_CHUNK,
                "large enough to split over every thread count");
        assertEveryKernelAndThreadCountPasses(dirs, THREADS, tmp.resolve("out"), (r, row) -> { });
    }

    /**
     * Options the shared cases leave out (RMSprop's centered and momentum buffers, Adagrad's initial accumulator and
     * lr decay, SGD's dampening, SGD without state), recorded here by the references themselves: every kernel and
     * thread count must match them exactly.
     */
    @Test
    void relativesOptionsBeyondTheSharedCasesMatchTheirReferencesExactly() throws IOException {
        int n = 300, steps = 6;
        RmspropConfig rmsprop = new RmspropConfig(0.01, 0.9, 1e-6, 0.01, 0.5, true, true);
        AdagradConfig adagrad = new AdagradConfig(0.05, 0.01, 0.02, 0.3, 1e-8, true);
        SgdConfig dampened = new SgdConfig(0.02, 0.8, 0.25, 0.01, false, true);
        SgdConfig plain = new SgdConfig(0.05, 0.0, 0.0, 0.0, false, false);
        List<Path> dirs = List.of(
                CaseFiles.recordedCase(tmp.resolve("cases/rmsprop-centered-momentum"), "rmsprop", """
                        "lr": 0.01, "alpha": 0.9, "eps": 1e-6, "weight_decay": 0.01, "momentum": 0.5, "centered": true,
                        "maximize": true""", List.of("square_avg", "grad_avg", "momentum_buffer"), 0f, n, steps, 1,
                        (t, p, g, s) -> RmspropReference_F32.step(rmsprop.step(t), p, g, s.get("square_avg"),
                                s.get("grad_avg"), s.get("momentum_buffer"), 0, n)),
                CaseFiles.recordedCase(tmp.resolve("cases/adagrad-initial-accumulator"), "adagrad", """
                        "lr": 0.05, "lr_decay": 0.01, "weight_decay": 0.02, "initial_accumulator_value": 0.3,
                        "eps": 1e-8, "maximize": true""", List.of("sum"), 0.3f, n, steps, 2,
                        (t, p, g, s) -> AdagradReference_F32.step(adagrad.step(t), p, g, s.get("sum"), 0, n)),
                CaseFiles.recordedCase(tmp.resolve("cases/sgd-dampened"), "sgd", """
                        "lr": 0.02, "momentum": 0.8, "dampening": 0.25, "weight_decay": 0.01, "maximize": true""",
                        List.of("momentum_buffer"), 0f, n, steps, 3,
                        (t, p, g, s) -> SgdReference_F32.step(dampened.step(t), p, g, s.get("momentum_buffer"), 0, n)),
                CaseFiles.recordedCase(tmp.resolve("cases/sgd-plain"), "sgd", "\"lr\": 0.05", List.of(), 0f, n, steps,
                        4, (t, p, g, s) -> SgdReference_F32.step(plain.step(t), p, g, null, 0, n)));
        for (String kernel : ValidateCommand.KERNELS) {
            for (int threads : new int[] {1, 2}) {
                List<Object> args = new ArrayList<>(dirs);
                args.addAll(List.of("--kernel", kernel, "--threads", threads, "--rtol", 0, "--atol-lr", 0));
                Result r = validate(args.toArray());
                assertEquals(0, r.status(), r::toString);
                assertEquals(dirs.size(), r.rows().size(), r::toString);
                for (String[] row : r.rows()) {
                    assertEquals("-", row[8], "every element exact: " + r);
                    assertEquals("PASS", row[10], r::toString);
                }
            }
        }
    }

    @Test
    void aParameterNudgedBeyondTheToleranceFailsNamingItsStepAndIndex() throws IOException {
        Path nudged = CaseFiles.copy(SharedCases.root().resolve("adam-default"), tmp.resolve("adam-nudged"));
        ReferenceCase c = ReferenceCase.load(nudged);
        float[] params = c.params.f32().clone();
        int step = 37, index = 500;
        params[(step - 1) * c.n + index] += 10 * 1e-3f; // 10 lr; the band is about 1e-3 lr + 1e-5 relative
        Npy.write(nudged.resolve("params.npy"), NpyArray.of(params, c.steps, c.n));

        for (String kernel : ValidateCommand.KERNELS) {
            Result r = validate(nudged, SharedCases.root().resolve("adamw"), "--kernel", kernel);
            assertEquals(1, r.status(), r::toString);
            String[] bad = r.rows().get(0);
            assertEquals("adam-nudged", bad[0]);
            assertEquals("37", bad[8], r::toString);
            assertEquals("500", bad[9], r::toString);
            assertEquals("FAIL", bad[10], r::toString);
            assertTrue(Double.parseDouble(bad[6]) > 9.9 && Double.parseDouble(bad[6]) < 10.1, r::toString);
            assertEquals("PASS", r.rows().get(1)[10], r::toString);
            assertEquals("total: 2 cases, 1 PASS, 1 FAIL", r.total());
            assertTrue(r.err().contains("adam-nudged: worst element params at step 37, index 500: ours "), r::toString);
        }
        assertEquals(0, validate(nudged, "--atol-lr", "20").status(), "10 lr is within a band of 20 lr");
        assertEquals(1, validate(nudged, "--atol-lr", "5").status(), "but not within 5 lr");
    }

    @Test
    void aFinalStateNudgedBeyondTheToleranceFailsNamingIt() throws IOException {
        Path nudged = CaseFiles.copy(SharedCases.root().resolve("adam-amsgrad-maximize"), tmp.resolve("nudged"));
        float[] vmax = Npy.read(nudged.resolve("max_exp_avg_sq.npy")).f32().clone();
        vmax[7] = vmax[7] * 2 + 1;
        Npy.write(nudged.resolve("max_exp_avg_sq.npy"), NpyArray.of(vmax, vmax.length));
        Result r = validate(nudged, "--kernel", "vector-128", "--threads", 2);
        assertEquals(1, r.status(), r::toString);
        String[] row = r.rows().get(0);
        assertTrue(Double.parseDouble(row[6]) < 1e-2, "max_err/lr covers the parameters, which are fine: " + r);
        assertEquals("100:max_exp_avg_sq", row[8], r::toString);
        assertEquals("7", row[9], r::toString);
        assertEquals("FAIL", row[10], r::toString);
        assertTrue(r.err().contains("worst element max_exp_avg_sq after step 100, index 7"), r::toString);
    }

    @Test
    void comparisonMatchesNonFiniteValuesExactlyOnly() {
        assertTrue(compare(Double.NaN, Double.NaN).passes());
        assertTrue(compare(Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY).passes());
        assertFalse(compare(Double.NaN, 1.0).passes());
        assertFalse(compare(1.0, Double.NaN).passes());
        assertFalse(compare(Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY).passes());
        assertFalse(compare(Float.MAX_VALUE, Double.POSITIVE_INFINITY).passes(), "an infinite band is no band");
        assertTrue(compare(1.0 + 0.9e-5 + 0.9e-3 * 0.1, 1.0).passes(), "just inside the band");
        assertFalse(compare(1.0 + 1.1e-5 + 1.1e-3 * 0.1, 1.0).passes(), "just outside it");
        assertFalse(compare(1e-7, 0.0, 0.0).passes(), "lr 0 leaves only the relative term");
        assertTrue(compare(0.0, 0.0, 0.0).exact());
    }

    private static ValidateCommand.Comparison compare(double ours, double ref) {
        return compare(ours, ref, 0.1);
    }

    private static ValidateCommand.Comparison compare(double ours, double ref, double lr) {
        ValidateCommand.Comparison c = new ValidateCommand.Comparison(lr, 1e-5, 1e-3);
        c.add(ours, ref, 1, 0, null);
        return c;
    }

    /** NAdam and RAdam recorded with PyTorch 2.1's decoupled_weight_decay and maximize (cases/README.md). */
    static List<Path> newerOptionCases() throws Exception {
        List<String> names = new ArrayList<>();
        for (String optimizer : List.of("nadam", "radam")) {
            for (String option : List.of("decoupled-weight-decay", "maximize", "decoupled-maximize-f64")) {
                names.add("relative-" + optimizer + "-" + option);
            }
        }
        return recordedCases(names);
    }

    /** The recorded cases (test resources cases/) of these names, each checked to be there. */
    static List<Path> recordedCases(List<String> names) throws Exception {
        List<Path> dirs = new ArrayList<>();
        for (String name : names) {
            Path dir = RecordedCasesTest.root().resolve(name);
            assertTrue(Files.isRegularFile(dir.resolve("case.json")), dir.toString());
            dirs.add(dir);
        }
        return dirs;
    }

    @Test
    void nadamAndRadamWithDecoupledWeightDecayAndMaximizePassOnEveryKernelAndThreadCount() throws Exception {
        List<Path> dirs = newerOptionCases();
        Path first = null;
        for (String kernel : List.of("reference", "vector")) {
            for (int threads : new int[] {1, 2}) {
                Path out = tmp.resolve("newer-" + kernel + "-" + threads);
                List<Object> args = new ArrayList<>(dirs);
                args.addAll(List.of("--kernel", kernel, "--threads", threads, "--out", out));
                Result r = validate(args.toArray());
                assertEquals(0, r.status(), r::toString);
                assertEquals("", r.err(), r::toString);
                assertEquals(dirs.size(), r.rows().size(), r::toString);
                for (int i = 0; i < dirs.size(); i++) {
                    assertEquals(dirs.get(i).getFileName().toString(), r.rows().get(i)[0], r::toString);
                    assertEquals("PASS", r.rows().get(i)[10], r::toString);
                }
                assertEquals("total: 6 cases, 6 PASS, 0 FAIL", r.total(), r::toString);
                if (first == null) {
                    first = out;
                } else {
                    assertSameFiles(first, out);
                }
            }
        }
    }

    /** The cases recorded with bfloat16 and float16 parameters and gradients (cases/README.md). */
    static List<Path> sixteenBitCases() throws Exception {
        return recordedCases(List.of("adam-bf16", "adam-fp16", "adamw-bf16-lr1e-4", "adamw-fp16-edges"));
    }

    /**
     * 16-bit parameters replay PyTorch's trajectory bit for bit on every kernel and thread count: each step widens to
     * float, steps in float and rounds to nearest even, as the recording did with torch's float32 Adam, so the
     * parameters written by --out are byte for byte the case's params.npy.
     */
    @Test
    void sixteenBitCasesReplayPyTorchsParametersBitForBit() throws Exception {
        List<Path> dirs = sixteenBitCases();
        for (String kernel : List.of("scalar", "vector", "vector-128", "vector-256")) {
            for (int threads : new int[] {1, 2}) {
                Path out = tmp.resolve("sixteen-" + kernel + "-" + threads);
                List<Object> args = new ArrayList<>(dirs);
                args.addAll(List.of("--kernel", kernel, "--threads", threads, "--out", out));
                Result r = validate(args.toArray());
                assertEquals(0, r.status(), r::toString);
                assertEquals("", r.err(), r::toString);
                for (int i = 0; i < dirs.size(); i++) {
                    String[] row = r.rows().get(i);
                    assertEquals(dirs.get(i).getFileName().toString().contains("bf16") ? "bfloat16" : "float16",
                            row[2], r::toString);
                    assertEquals("0", row[6], "every parameter equals PyTorch's: " + r);
                    assertEquals("PASS", row[10], r::toString);
                    assertArrayEquals(Files.readAllBytes(dirs.get(i).resolve("params.npy")),
                            Files.readAllBytes(out.resolve(dirs.get(i).getFileName()).resolve("params.npy")),
                            dirs.get(i) + " " + kernel);
                }
                assertEquals("total: 4 cases, 4 PASS, 0 FAIL", r.total(), r::toString);
            }
        }
    }

    /**
     * What a 16-bit case checks: read in the other 16-bit format, or without the option it was recorded with, each
     * fails (the one-unit-in-the-last-place allowance does not hide a wrong formula); options it cannot replay yet
     * are refused before anything runs.
     */
    @Test
    void sixteenBitCasesFailWithTheWrongFormatOrOptionAndRefuseWhatTheyCannotReplay() throws Exception {
        int failed = 0;
        for (Path c : sixteenBitCases()) {
            String text = Files.readString(c.resolve("case.json")).replaceAll("\\s*\n\\s*", " ");
            List<String[]> edits = new ArrayList<>();
            edits.add(text.contains("\"bfloat16\"") ? new String[] {"\"bfloat16\"", "\"float16\""}
                    : new String[] {"\"float16\"", "\"bfloat16\""});
            if (text.contains("\"maximize\": true,")) {
                edits.add(new String[] {"\"maximize\": true,", ""});
            }
            if (text.contains("\"amsgrad\": true,")) {
                edits.add(new String[] {"\"amsgrad\": true,", "", ", \"max_exp_avg_sq\"", ""});
            }
            if (c.getFileName().toString().startsWith("adam-")) {
                edits.add(new String[] {"\"optimizer\": \"adam\"", "\"optimizer\": \"adamw\""});
            }
            for (String[] e : edits) {
                Path dir = relativeEdited(c, "edit-" + failed, e[0], e[1]);
                for (int k = 2; k < e.length; k += 2) {
                    editJson(dir, e[k], e[k + 1]);
                }
                for (String kernel : List.of("scalar", "vector")) {
                    Result r = validate(dir, "--kernel", kernel);
                    assertEquals(1, r.status(), () -> c.getFileName() + " with " + e[0] + " -> " + e[1] + ": " + r);
                    assertEquals("FAIL", r.rows().get(0)[10], r::toString);
                }
                failed++;
            }
        }
        assertEquals(4 + 2 + 2, failed, "a format swap in each case, amsgrad, maximize, adam read as adamw twice");
        Path bf16 = sixteenBitCases().get(0);
        assertUnusable(relativeEdited(bf16, "scaled", "\"format\"", "\"grad_scale\": 1024, \"format\""),
                "grad_scale, skip_non_finite and clip_grad_norm with dtype 'bfloat16' are not implemented by adam4j");
    }

    /** Each of those cases replayed without one of its options (the key removed from a copy) fails: the key matters. */
    @Test
    void thoseCasesFailWithoutTheirOption() throws Exception {
        int replayed = 0;
        for (Path shared : newerOptionCases()) {
            for (String key : List.of("decoupled_weight_decay", "maximize")) {
                String entry = "\"" + key + "\": true,";
                if (!Files.readString(shared.resolve("case.json")).replaceAll("\\s*\n\\s*", " ").contains(entry)) {
                    continue;
                }
                Path dir = relativeEdited(shared, "without-" + key, entry, "");
                for (String kernel : List.of("reference", "vector")) {
                    Result r = validate(dir, "--kernel", kernel);
                    assertEquals(1, r.status(), () -> shared.getFileName() + " without " + key + ": " + r);
                    assertEquals("FAIL", r.rows().get(0)[10], r::toString);
                    assertEquals("total: 1 case, 0 PASS, 1 FAIL", r.total(), r::toString);
                }
                replayed++;
            }
        }
        assertEquals(8, replayed, "two keys in each of the two decoupled-maximize cases, one in each other case");
    }

    @Test
    void aFolderOfCasesIsRefusedWithTheGlobThatNamesThem() throws Exception {
        Path root = RecordedCasesTest.root();
        assertUnusable(root, root + ": a folder of 34 case folders, not a case; pass " + root + "/*/ to validate each");
        assertUnusable(root + "/", "pass " + root + "/*/ to validate each");
        Path one = tmp.resolve("one");
        CaseFiles.adamCase(one.resolve("only"), AdamConfig.defaults(), false, 5, 2, 3);
        assertUnusable(one, "a folder of 1 case folder, not a case; pass " + one + "/*/");
        Files.createDirectories(tmp.resolve("empty"));
        assertUnusable(tmp.resolve("empty"), "empty");
    }

    @Test
    void theScalarReferenceHasOneNameAndReferenceIsAcceptedForIt() throws IOException {
        Path c = CaseFiles.adamCase(tmp.resolve("cases/small"), AdamConfig.builder().lr(1e-3).build(), false, 70, 3,
                5);
        Result scalar = validate(c, "--kernel", "scalar");
        Result reference = validate(c, "--kernel", "reference");
        assertEquals(0, scalar.status(), scalar::toString);
        assertEquals(scalar.out(), reference.out(), "one kernel under two names");
        assertTrue(scalar.out().startsWith("kernel scalar, 1 thread;"), scalar::toString);
        assertEquals("scalar", scalar.rows().get(0)[5], scalar::toString);
        assertFalse(scalar.out().contains("reference"), scalar::toString);
        assertTrue(ValidateCommand.KERNELS.contains("scalar") && !ValidateCommand.KERNELS.contains("reference"));
        assertTrue(validate("--help").out().contains("scalar (the plain scalar reference itself; \"reference\""));
    }

    @Test
    void helpDescribesTheContract() {
        Result r = validate("--help");
        assertEquals(0, r.status());
        for (String s : List.of("CASE_DIR...", "--kernel", "--threads", "--out", "--rtol", "--atol-lr", "reference",
                "vector-512", "|ours - ref| <= R*|ref| + A*lr", "worst_step", "Exit status", "adam, adamw")) {
            assertTrue(r.out().contains(s), s);
        }
        assertTrue(validate().out().isEmpty(), "no case: a usage error, not a run");
        assertEquals(2, validate().status());
    }

    // Unusable input: exit 2, one line naming the file and the problem, nothing run or written.

    @Test
    void missingFolderOrFile() throws IOException {
        assertUnusable(tmp.resolve("absent"), "absent: no such case folder");
        assertUnusable(SharedCases.root().resolve("FORMAT.md"), "FORMAT.md: not a case folder");
        Path noJson = small("no-json");
        Files.delete(noJson.resolve("case.json"));
        assertUnusable(noJson, "no-json/case.json: no such file");
        Path noGrads = small("no-grads");
        Files.delete(noGrads.resolve("grads.npy"));
        assertUnusable(noGrads, "no-grads/grads.npy: no such file");
        Path noState = small("no-state");
        Files.delete(noState.resolve("exp_avg_sq.npy"));
        assertUnusable(noState, "no-state/exp_avg_sq.npy: no such file");
    }

    @Test
    void malformedNpyFiles() throws IOException {
        assertUnusable(npyEdited("v3", "params.npy", b -> b[6] = 3), "params.npy: unsupported .npy version 3.0");
        assertUnusable(npyEdited("big-endian", "grads.npy", b -> replace(b, "'<f4'", "'>f4'")),
                "grads.npy: big-endian data ('>f4')");
        assertUnusable(npyEdited("int", "param0.npy", b -> replace(b, "'<f4'", "'<i4'")),
                "param0.npy: dtype '<i4' is not supported");
        assertUnusable(npyEdited("fortran", "params.npy", b -> replace(b, "False", "True ")),
                "params.npy: Fortran-order data");
        Path truncated = small("truncated");
        byte[] bytes = Files.readAllBytes(truncated.resolve("exp_avg.npy"));
        Files.write(truncated.resolve("exp_avg.npy"), Arrays.copyOf(bytes, bytes.length - 1));
        assertUnusable(truncated, "exp_avg.npy: truncated data");
        Path shape = small("shape");
        Npy.write(shape.resolve("params.npy"), NpyArray.of(new float[2 * 5], 2, 5));
        assertUnusable(shape, "shape/params.npy: shape [2, 5], expected [3, 5] from case.json");
        assertUnusable(jsonEdited("float64-says-json", "\"float32\"", "\"float64\""),
                "param0.npy: dtype float32, but case.json says float64");
    }

    @Test
    void malformedCaseJson() throws IOException {
        Path notJson = small("not-json");
        Files.writeString(notJson.resolve("case.json"), "{\"optimizer\": \"adam\", oops");
        assertUnusable(notJson, "not-json/case.json: not JSON");
        assertUnusable(jsonEdited("no-n", "\"n\": 5,", ""), "no-n/case.json: lacks the key 'n'");
        assertUnusable(jsonEdited("no-optimizer", "\"optimizer\": \"adam\",", ""),
                "no-optimizer/case.json: lacks the key 'optimizer'");
    }

    @Test
    void optimizersAndOptionsAdam4jDoesNotImplement() throws IOException {
        assertUnusable(jsonEdited("lamb", "\"optimizer\": \"adam\"", "\"optimizer\": \"lamb\""),
                "lamb/case.json: optimizer 'lamb' is not implemented by adam4j yet (validate replays adam, adamw, "
                        + "adagrad, adamax, nadam, radam, rmsprop, sgd, sparse_adam)");
        assertUnusable(jsonEdited("asgd", "\"optimizer\": \"adam\"", "\"optimizer\": \"asgd\""),
                "asgd/case.json: optimizer 'asgd' is not implemented by adam4j yet");
        assertUnusable(jsonEdited("nesterov", "\"amsgrad\"", "\"nesterov\": true, \"amsgrad\""),
                "nesterov/case.json: option 'nesterov' of adam is not implemented by adam4j");
        assertUnusable(jsonEdited("fused", "\"amsgrad\"", "\"fused\": true, \"amsgrad\""),
                "fused/case.json: option 'fused=true' is not implemented by adam4j");
        Path state = small("state");
        editJson(state, "\"exp_avg_sq\"]", "\"exp_avg_sq\", \"exp_inf\"]");
        Files.copy(state.resolve("exp_avg.npy"), state.resolve("exp_inf.npy"));
        assertUnusable(state,
                "state/case.json: state 'exp_inf' is not kept by adam with these options (it keeps exp_avg, exp_avg_sq)");
    }

    @Test
    void hyperparametersTheOptimizerRefuses() throws IOException {
        assertUnusable(jsonEdited("beta", "\"betas\": [0.9, 0.999]", "\"betas\": [1.0, 0.999]"),
                "beta/case.json: Invalid beta parameter at index 0: 1.0");
        assertUnusable(jsonEdited("lr", "\"lr\": 0.01", "\"lr\": -0.01"), "lr/case.json: Invalid learning rate: -0.01");
        assertUnusable(jsonEdited("eps", "\"eps\": 1.0E-8", "\"eps\": -1"),
                "eps/case.json: Invalid epsilon value: -1.0");
        assertUnusable(jsonEdited("wd", "\"weight_decay\": 0.0", "\"weight_decay\": -0.5"),
                "wd/case.json: Invalid weight_decay value: -0.5");
    }

    @Test
    void relativesRefuseOptionsTheyDoNotImplementAndValuesTheyRefuse() throws IOException {
        for (Path shared : SharedCases.named("relative-")) {
            String optimizer = ReferenceCase.load(shared).optimizer;
            assertUnusable(relativeEdited(shared, "amsgrad", "\"format\"", "\"amsgrad\": false, \"format\""),
                    "case.json: option 'amsgrad' of " + optimizer + " is not implemented by adam4j (it knows lr, ");
        }
        assertUnusable(relativeEdited(SharedCases.root().resolve("relative-nadam"), "maximize", "\"format\"",
                "\"maximize\": 1, \"format\""), "case.json: 'maximize' is not true or false: 1");
        assertUnusable(relativeEdited(SharedCases.root().resolve("relative-radam"), "decoupled", "\"format\"",
                "\"decoupled_weight_decay\": \"yes\", \"format\""),
                "case.json: 'decoupled_weight_decay' is not true or false: \"yes\"");
        assertUnusable(relativeEdited(SharedCases.root().resolve("relative-adamax"), "differentiable", "\"format\"",
                "\"differentiable\": true, \"format\""), "option 'differentiable=true' is not implemented by adam4j");
        Path sgd = SharedCases.root().resolve("relative-sgd-nesterov");
        assertUnusable(relativeEdited(sgd, "no-lr", "\"lr\": 0.01,", ""), "case.json: sgd needs 'lr'");
        assertUnusable(relativeEdited(sgd, "dampening", "\"nesterov\"", "\"dampening\": 0.5, \"nesterov\""),
                "case.json: Nesterov momentum requires a momentum and zero dampening");
        assertUnusable(relativeEdited(sgd, "no-momentum", "\"momentum\": 0.9, \"nesterov\": true,", ""),
                "case.json: state 'momentum_buffer' is not kept by sgd with these options (it keeps none)");
        Path rmsprop = SharedCases.root().resolve("relative-rmsprop");
        assertUnusable(relativeEdited(rmsprop, "alpha", "\"alpha\": 0.99", "\"alpha\": -0.5"),
                "case.json: Invalid alpha value: -0.5");
        Path buffer = relativeEdited(rmsprop, "buffer", "\"square_avg\" ]", "\"square_avg\", \"momentum_buffer\" ]");
        Files.copy(buffer.resolve("square_avg.npy"), buffer.resolve("momentum_buffer.npy"));
        assertUnusable(buffer, "buffer/case.json: state 'momentum_buffer' is not kept by rmsprop with these options "
                + "(it keeps square_avg)");
        assertUnusable(relativeEdited(SharedCases.root().resolve("relative-adagrad"), "lr-decay", "\"lr\"",
                "\"lr_decay\": -1, \"lr\""), "case.json: Invalid lr_decay value: -1.0");
        assertUnusable(relativeEdited(SharedCases.root().resolve("relative-radam"), "beta", "0.999", "1.5"),
                "case.json: Invalid beta parameter at index 1: 1.5");
    }

    @Test
    void nothingRunsOrIsWrittenWhenALaterCaseIsUnusable() throws IOException {
        Path good = small("good");
        Path bad = small("bad");
        editJson(bad, "\"optimizer\": \"adam\"", "\"optimizer\": \"lbfgs\"");
        Path out = tmp.resolve("out");
        Result r = validate(good, bad, "--out", out);
        assertEquals(2, r.status(), r::toString);
        assertEquals("", r.out(), r::toString);
        assertFalse(Files.exists(out), "nothing written");
        assertEquals(0, validate(good, "--out", out).status());
        assertTrue(Files.isRegularFile(out.resolve("good/params.npy")));
    }

    @Test
    void unusableOutFolders() throws IOException {
        Path good = small("good");
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        assertUnusable(List.of(good, "--out", file), "a-file: --out is not a folder");
        Path twin = CaseFiles.copy(good, tmp.resolve("elsewhere/good"));
        assertUnusable(List.of(good, twin, "--out", tmp.resolve("out")), "has the same name, so --out would write");
        assertEquals(0, validate(good, good, "--out", tmp.resolve("out")).status(), "one folder twice is harmless");
    }

    @Test
    void aFolderWhereAFileBelongsIsNamedAsSuch() throws IOException {
        Path json = small("json-folder");
        Files.delete(json.resolve("case.json"));
        Files.createDirectories(json.resolve("case.json"));
        assertUnusable(json, "json-folder/case.json: is a folder, not a file");
        Path grads = small("grads-folder");
        Files.delete(grads.resolve("grads.npy"));
        Files.createDirectories(grads.resolve("grads.npy"));
        assertUnusable(grads, "grads-folder/grads.npy: is a folder, not a .npy file");
    }

    @Test
    void whatAFileSaysIsEscapedAndWhatItsFormatForbidsRefused() throws IOException {
        assertUnusable(npyEdited("escape", "grads.npy", b -> replace(b, "'descr': '<f4'", "'descr': '\u001b[m'")),
                "grads.npy: header string at byte 20 holds the byte 0x1B");
        assertUnusable(npyEdited("duplicate", "params.npy", b -> replace(b, "'fortran_order': False",
                "'descr':         '<f4'")), "params.npy: header has the key 'descr' twice");
        assertUnusable(npyEdited("int-shape", "param0.npy", b -> replace(b, "(5,)", "(5) ")),
                "param0.npy: (5) at byte 60 is not a tuple");
        assertUnusable(jsonEdited("format-2", "\"format\": 1", "\"format\": 2"), "format 2 is not one adam4j reads");
        assertUnusable(jsonEdited("format-banana", "\"format\": 1", "\"format\": \"banana\""),
                "'format' is not a number: \"banana\"");
        assertUnusable(jsonEdited("foreach", "\"format\": 1", "\"format\": 1, \"foreach\": \"maybe\""),
                "foreach/case.json: 'foreach' is not true or false: \"maybe\"");
        assertUnusable(jsonEdited("red", "\"optimizer\": \"adam\"", "\"optimizer\": \"\\u001b[31mRED\""),
                "red/case.json: bad optimizer name '\\u001b[31mRED'");
    }

    @Test
    void anOutFolderUnderAFileIsRefusedBeforeAnythingRuns() throws IOException {
        Path good = small("good");
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        assertUnusable(List.of(good, "--out", file.resolve("sub")), "a-file/sub: --out cannot be created, " + file
                + " is a file");
    }

    /**
     * PyTorch-recorded trajectories in which the parameter has no gradient on some steps ({@code grad_none_steps}) pass
     * on the reference and the vector kernel with 1 and 2 threads; without the key (the skipped steps replayed with
     * the ignored gradient rows, which hold NaN) the same cases fail, so the key is what makes them pass.
     */
    @Test
    void gradNoneStepsAreSkippedWithTheParametersOwnStepCount() throws Exception {
        Path recorded = Path.of(ValidateCommandTest.class.getResource("/cases/README.md").toURI()).getParent();
        List<Path> cases;
        try (var s = Files.list(recorded)) {
            cases = s.filter(d -> d.getFileName().toString().contains("grad-none")).sorted().toList();
        }
        assertTrue(cases.size() >= 5, cases.toString());
        for (String kernel : List.of("scalar", "vector")) {
            for (int threads : new int[] {1, 2}) {
                List<Object> args = new ArrayList<>(cases);
                args.addAll(List.of("--kernel", kernel, "--threads", threads));
                Result r = validate(args.toArray());
                assertEquals(0, r.status(), r.toString());
                assertTrue(r.total().contains(cases.size() + " PASS, 0 FAIL"), r.toString());
            }
        }
        for (Path c : cases) {
            Path copy = tmp.resolve("no-key-" + c.getFileName());
            Files.createDirectories(copy);
            try (var s = Files.list(c)) {
                for (Path f : s.toList()) {
                    Files.copy(f, copy.resolve(f.getFileName()));
                }
            }
            JsonObject json = JsonParser.parseString(Files.readString(c.resolve("case.json"))).getAsJsonObject();
            assertTrue(json.has("grad_none_steps"), c.toString());
            json.remove("grad_none_steps");
            Files.writeString(copy.resolve("case.json"), json.toString());
            Result r = validate(copy);
            assertEquals(1, r.status(), "without grad_none_steps " + c.getFileName() + " must fail: " + r);
        }
    }

    @Test
    void badArguments() throws IOException {
        Path good = small("good");
        assertBadArgument(List.of(good, "--kernel", "scalar-strict"), "unknown kernel 'scalar-strict'; expected one of scalar");
        assertBadArgument(List.of(good, "--threads", "0"), "--threads must be a whole number from 1 to 1024, got '0'");
        assertBadArgument(List.of(good, "--threads", "2147483647"),
                "--threads must be a whole number from 1 to 1024, got '2147483647'");
        assertBadArgument(List.of(good, "--threads", "1025"), "--threads must be a whole number from 1 to 1024");
        assertBadArgument(List.of(good, "--threads", "two"), "--threads must be a whole number from 1 to 1024");
        assertBadArgument(List.of(good, "--rtol", "-1"), "--rtol needs a finite number >= 0, got '-1'");
        assertBadArgument(List.of(good, "--atol-lr", "NaN"), "--atol-lr needs a finite number >= 0");
        assertBadArgument(List.of(good, "--kernel"), "--kernel needs a value");
        assertBadArgument(List.of(good, "--fast"), "unknown option '--fast'");
        assertBadArgument(List.of(), "no CASE_DIR given");
        assertEquals(0, validate(good, "--kernel=vector-64", "--threads=2", "--rtol=0", "--atol-lr=0").status(),
                "NAME=VALUE works too; a case recorded by the reference needs no tolerance at all");
    }

    static void assertUnusable(Object caseDir, String problem) {
        assertUnusable(List.of(caseDir), problem);
    }

    static void assertUnusable(List<?> args, String problem) {
        for (String kernel : List.of("reference", "vector")) {
            List<Object> all = new ArrayList<>(args);
            all.addAll(List.of("--kernel", kernel));
            Result r = validate(all.toArray());
            assertEquals(2, r.status(), r::toString);
            assertEquals("", r.out(), "nothing runs: " + r);
            assertTrue(r.err().startsWith("adam4j validate: "), r::toString);
            assertTrue(r.err().endsWith("\n") && r.err().indexOf('\n') == r.err().length() - 1, "one line: " + r);
            assertTrue(r.err().contains(problem), "expected '" + problem + "' in " + r);
            assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), "no stack trace: " + r);
        }
    }

    private static void assertBadArgument(List<?> args, String problem) {
        Result r = validate(args.toArray());
        assertEquals(2, r.status(), r::toString);
        assertEquals("", r.out(), r::toString);
        String first = r.err().lines().findFirst().orElse("");
        assertTrue(first.startsWith("adam4j validate: " + problem), r::toString);
        assertTrue(r.err().contains("usage: ./adam4j validate"), r::toString);
    }

    /** A valid small float case, recorded by the reference. */
    private Path small(String name) throws IOException {
        return CaseFiles.adamCase(tmp.resolve("small/" + name), AdamConfig.builder().lr(0.01).build(), false, 5, 3,
                name.hashCode());
    }

    private interface Edit {
        void apply(byte[] bytes);
    }

    private Path npyEdited(String name, String file, Edit edit) throws IOException {
        Path dir = small(name);
        byte[] bytes = Files.readAllBytes(dir.resolve(file));
        edit.apply(bytes);
        Files.write(dir.resolve(file), bytes);
        return dir;
    }

    private static void replace(byte[] bytes, String from, String to) {
        assertEquals(from.length(), to.length());
        String s = new String(bytes, StandardCharsets.ISO_8859_1);
        int at = s.indexOf(from);
        assertTrue(at >= 0 && at < 128, from);
        System.arraycopy(to.getBytes(StandardCharsets.ISO_8859_1), 0, bytes, at, to.length());
    }

    /** A copy of shared case {@code shared} whose case.json (on one line) has {@code from} replaced by {@code to}. */
    private Path relativeEdited(Path shared, String name, String from, String to) throws IOException {
        Path dir = CaseFiles.copy(shared, tmp.resolve("relative/" + shared.getFileName() + "-" + name));
        editJson(dir, from, to);
        return dir;
    }

    /** A small case whose case.json (on one line) has {@code from} replaced by {@code to}. */
    private Path jsonEdited(String name, String from, String to) throws IOException {
        Path dir = small(name);
        editJson(dir, from, to);
        return dir;
    }

    static void editJson(Path dir, String from, String to) throws IOException {
        Path json = dir.resolve("case.json");
        String text = Files.readString(json).replaceAll("\\s*\n\\s*", " ");
        assertTrue(text.contains(from), from + " in " + text);
        Files.writeString(json, text.replace(from, to));
    }

    private static boolean replayable(String optimizer) {
        return ValidateCommand.REPLAYERS.stream().anyMatch(r -> r.accepts(optimizer));
    }

    private static String resolved(String kernel, ReferenceCase c) {
        if (kernel.equals(CaseReplayer.REFERENCE)) {
            return kernel;
        }
        boolean f32 = c.dtype == NpyArray.DType.F32;
        return f32 ? AdamKernels.f32(kernel).name() : AdamKernels.f64(kernel).name();
    }

    /** Every file of one --out folder is byte for byte the same in another, and there are as many. */
    static void assertSameFiles(Path expected, Path actual) throws IOException {
        List<Path> want;
        try (Stream<Path> s = Files.walk(expected)) {
            want = s.filter(Files::isRegularFile).map(expected::relativize).sorted().toList();
        }
        List<Path> got;
        try (Stream<Path> s = Files.walk(actual)) {
            got = s.filter(Files::isRegularFile).map(actual::relativize).sorted().toList();
        }
        assertEquals(want, got);
        for (Path f : want) {
            assertEquals(-1L, Files.mismatch(expected.resolve(f), actual.resolve(f)), actual.resolve(f).toString());
        }
    }

    /** {@code mine} holds params.npy, {@code (steps, n)} in the case's dtype, and an {@code (n,)} file per state. */
    private static NpyArray assertOutFiles(ReferenceCase c, Path mine, List<String> states) throws IOException {
        NpyArray params = Npy.read(mine.resolve("params.npy"));
        assertEquals(c.dtype, params.dtype());
        assertArrayEquals(new int[] {c.steps, c.n}, params.shape());
        try (Stream<Path> s = Files.list(mine)) {
            List<String> files = s.map(p -> p.getFileName().toString()).sorted().toList();
            List<String> want = new ArrayList<>(states.stream().map(n -> n + ".npy").toList());
            want.add("params.npy");
            assertEquals(want.stream().sorted().toList(), files, mine.toString());
        }
        for (String state : states) {
            NpyArray a = Npy.read(mine.resolve(state + ".npy"));
            assertEquals(c.dtype, a.dtype());
            assertArrayEquals(new int[] {c.n}, a.shape());
        }
        return params;
    }

    /**
     * The --out files of the Adam cases hold the trajectory of the reference run independently here, in the case's
     * dtype and shape, and one file per state the optimizer keeps.
     */
    private static void assertTrajectoriesAreTheReferences(List<Path> dirs, Path out) throws IOException {
        for (Path dir : dirs) {
            ReferenceCase c = ReferenceCase.load(dir);
            if (!List.of("adam", "adamw").contains(c.optimizer)) {
                // Their values: PASS here, and the same bytes from every kernel, each held to its reference bit for
                // bit by the kernels' tests. Their files: the parameters and every state the optimizer keeps.
                assertOutFiles(c, out.resolve(c.name), OptimizerCases.config(c).stateNames());
                continue;
            }
            AdamConfig config = (AdamConfig) OptimizerCases.config(c);
            Path mine = out.resolve(c.name);
            List<String> states = new ArrayList<>(List.of("exp_avg", "exp_avg_sq"));
            if (config.amsgrad()) {
                states.add("max_exp_avg_sq");
            }
            NpyArray params = assertOutFiles(c, mine, states);
            int n = c.n;
            if (c.dtype == NpyArray.DType.F32) {
                float[] p = c.param0.f32().clone(), m = new float[n], v = new float[n], vmax = new float[n];
                for (int t = 0; t < c.steps; t++) {
                    AdamReference_F32.fused(config.step(t + 1), p, c.rowF32(c.grads, t), m, v, vmax, 0, n);
                    assertArrayEquals(p, Arrays.copyOfRange(params.f32(), t * n, (t + 1) * n), c.name + " step " + t);
                }
                assertArrayEquals(m, Npy.read(mine.resolve("exp_avg.npy")).f32());
                assertArrayEquals(v, Npy.read(mine.resolve("exp_avg_sq.npy")).f32());
            } else {
                double[] p = c.param0.f64().clone(), m = new double[n], v = new double[n], vmax = new double[n];
                for (int t = 0; t < c.steps; t++) {
                    AdamReference_F64.fused(config.step(t + 1), p, c.rowF64(c.grads, t), m, v, vmax, 0, n);
                    assertArrayEquals(p, Arrays.copyOfRange(params.f64(), t * n, (t + 1) * n), c.name + " step " + t);
                }
                assertArrayEquals(m, Npy.read(mine.resolve("exp_avg.npy")).f64());
                assertArrayEquals(v, Npy.read(mine.resolve("exp_avg_sq.npy")).f64());
            }
        }
    }
}
