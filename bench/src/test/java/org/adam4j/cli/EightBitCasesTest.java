package org.adam4j.cli;

import static org.adam4j.cli.ValidateCommandTest.assertUnusable;
import static org.adam4j.cli.ValidateCommandTest.editJson;
import static org.adam4j.cli.ValidateCommandTest.validate;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.adam4j.cli.ValidateCommandTest.Result;
import org.adam4j.kernels.Adam8bit;
import org.adam4j.kernels.ParallelChunks;
import org.adam4j.reference.AdamConfig;
import org.adam4j.reference.LowPrecision;
import org.adam4j.reference.cases.Npy;
import org.adam4j.reference.cases.NpyArray;
import org.adam4j.reference.cases.ReferenceCase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./adam4j validate} on cases with 8-bit blockwise states ({@code "state_precision": "8bit"}): the cases
 * tools/pytorch/record_8bit_cases.py recorded with its own Python implementation of the 8-bit step (test resources
 * cases/, described in cases/README.md) replay bit for bit through the reference and every kernel; one differing bit
 * anywhere fails, naming the first step and element that differ; malformed 8-bit keys and files are refused in one
 * line.
 */
class EightBitCasesTest {
    private static final List<String> STATES = List.of("exp_avg", "exp_avg_sq", "exp_avg_absmax", "exp_avg_sq_absmax");

    @TempDir
    Path tmp;

    /** The recorded 8-bit cases (test resources cases/). */
    static List<Path> recorded() throws Exception {
        return ValidateCommandTest.recordedCases(List.of("adam-8bit", "adam-8bit-bf16", "adam-8bit-edges",
                "adam-8bit-l2-maximize-block100", "adamw-8bit", "adamw-8bit-fp16"));
    }

    private static Path recorded(String name) throws Exception {
        return ValidateCommandTest.recordedCases(List.of(name)).get(0);
    }

    private static String resolved(String kernel) {
        return kernel.equals(CaseReplayer.REFERENCE) ? kernel : Adam8bit.kernel(kernel).name();
    }

    /**
     * Every kernel and thread count reproduces every recorded parameter, code and absmax, and --out writes the
     * recording back byte for byte (NaN parameters of the poisoned blocks included).
     */
    @Test
    void recordedCasesMatchBitForBitOnEveryKernelAndWriteTheRecordingBack() throws Exception {
        List<Path> dirs = recorded();
        Path first = ValidateCommandTest.assertEveryKernelAndThreadCountPasses(dirs, new int[] {1, 2},
                tmp.resolve("out"), (r, row) -> {
                    String header = r.out().lines().findFirst().orElseThrow();
                    assertEquals("", r.err(), r::toString);
                    assertTrue(header.endsWith("in an 8-bit case when it has the same bits"), r::toString);
                    assertEquals(row[0].contains("bf16") ? "bfloat16" : row[0].contains("fp16") ? "float16" : "float32",
                            row[2], r::toString);
                    assertEquals(resolved(header.substring("kernel ".length(), header.indexOf(','))), row[5],
                            r::toString);
                    assertEquals("0", row[6], r::toString);
                    assertEquals("-", row[8], "every element has the recorded bits: " + r);
                });
        for (Path dir : dirs) {
            for (String file : List.of("params", "exp_avg", "exp_avg_sq", "exp_avg_absmax", "exp_avg_sq_absmax")) {
                Path mine = first.resolve(dir.getFileName()).resolve(file + ".npy");
                assertArrayEquals(Files.readAllBytes(dir.resolve(file + ".npy")), Files.readAllBytes(mine),
                        mine.toString());
            }
        }
    }

    /**
     * Parameters large enough that 2 and 3 threads split each step, at whole blocks (256, and 1000, which no lane
     * count divides), recorded by the reference: every kernel and thread count matches them and writes the same bytes.
     */
    @Test
    void largeCasesSplitAtWholeBlocksMatchOnEveryKernelAndThreadCount() throws IOException {
        int n = 3 * ParallelChunks.MIN_CHUNK + 123;
        List<Path> dirs = List.of(
                CaseFiles.adam8bitCase(tmp.resolve("cases/large-adam"), AdamConfig.builder().lr(3e-3).l2(0.01)
                        .maximize(true).build(), 256, n, 3, 1),
                CaseFiles.adam8bitCase(tmp.resolve("cases/large-adamw"), AdamConfig.builder().lr(1e-2)
                        .betas(0.8, 0.99).decoupled(0.1).build(), 1000, n, 3, 2));
        ValidateCommandTest.assertEveryKernelAndThreadCountPasses(dirs, new int[] {1, 2, 3}, tmp.resolve("out"),
                (r, row) -> assertEquals("-", row[8], r::toString));
    }

    @Test
    void aFlippedCodeFailsNamingTheFirstStepAndElementThatDiffer() throws Exception {
        Path dir = CaseFiles.copy(recorded("adamw-8bit"), tmp.resolve("adamw-flipped"));
        int recorded = flipCode(dir, "exp_avg", 7, 300);
        flipCode(dir, "exp_avg_sq", 9, 40); // later: the first difference is named
        for (String kernel : ValidateCommand.KERNELS) {
            Result r = validate(dir, "--kernel", kernel, "--threads", 2);
            assertEquals(1, r.status(), r::toString);
            String[] row = r.rows().get(0);
            assertEquals("0", row[6], "the parameters match: " + r);
            assertEquals("7:exp_avg", row[8], r::toString);
            assertEquals("300", row[9], r::toString);
            assertEquals("FAIL", row[10], r::toString);
            assertEquals("total: 1 case, 0 PASS, 1 FAIL", r.total(), r::toString);
            assertEquals("adam4j validate: adamw-flipped: first difference exp_avg after step 7, index 300: ours code "
                    + (recorded ^ 1) + ", recorded code " + recorded + " (an 8-bit case matches bit for bit)\n",
                    r.err(), r::toString);
        }
        Result loose = validate(dir, "--rtol", 1, "--atol-lr", 1e9);
        assertEquals(1, loose.status(), "tolerances do not apply to an 8-bit case: " + loose);
    }

    /** Flips the lowest bit of a code in row {@code step} (from 1) of {@code state}.npy; returns the new code. */
    private static int flipCode(Path dir, String state, int step, int index) throws IOException {
        NpyArray a = Npy.read(dir.resolve(state + ".npy"));
        int n = a.shape()[1];
        byte[] codes = a.u8().clone();
        codes[(step - 1) * n + index] ^= 1;
        Npy.write(dir.resolve(state + ".npy"), NpyArray.of(codes, a.shape()));
        return codes[(step - 1) * n + index] & 0xff;
    }

    /**
     * Bit for bit means bits: an absmax one unit in the last place off, a NaN absmax with another NaN's bits, and a
     * zero parameter of the other sign each fail, with the values and bits on stderr; a NaN parameter matches any
     * NaN (the specification fixes the bits of a NaN absmax only).
     */
    @Test
    void anAbsmaxOrAParameterOneBitOffFails() throws Exception {
        Path ulp = CaseFiles.copy(recorded("adam-8bit"), tmp.resolve("absmax-ulp"));
        float was = editFloat(ulp, "exp_avg_sq_absmax", 4, 1, Math::nextUp);
        Result r = validate(ulp, "--kernel", "vector");
        assertEquals(1, r.status(), r::toString);
        assertEquals("4:exp_avg_sq_absmax", r.rows().get(0)[8], r::toString);
        assertEquals("1", r.rows().get(0)[9], r::toString);
        assertTrue(r.err().contains("first difference exp_avg_sq_absmax after step 4, block 1: ours " + was + " (0x"
                + hex(was) + "), recorded " + Math.nextUp(was) + " (0x" + hex(Math.nextUp(was)) + ")"), r::toString);

        Path edges = recorded("adam-8bit-edges");
        Path nan = CaseFiles.copy(edges, tmp.resolve("nan-absmax"));
        float canonical = editFloat(nan, "exp_avg_sq_absmax", 14, 4, x -> Float.intBitsToFloat(0xffc00000));
        assertEquals(0x7fc00000, Float.floatToRawIntBits(canonical), "the recording stores NaN as 0x7fc00000");
        r = validate(nan, "--kernel", "scalar");
        assertEquals(1, r.status(), r::toString);
        assertEquals("14:exp_avg_sq_absmax", r.rows().get(0)[8], r::toString);
        assertTrue(r.err().contains("ours NaN (0x7fc00000), recorded NaN (0xffc00000)"), r::toString);

        ReferenceCase c = ReferenceCase.load(edges);
        int zero = 0;
        while (c.params.f32()[zero] != 0f) {
            zero++;
        }
        Path sign = CaseFiles.copy(edges, tmp.resolve("zero-sign"));
        editFloat(sign, "params", 1 + zero / c.n, zero % c.n, x -> -x);
        r = validate(sign, "--kernel", "vector-128");
        assertEquals(1, r.status(), r::toString);
        assertEquals(Integer.toString(1 + zero / c.n), r.rows().get(0)[8], r::toString);
        assertEquals(Integer.toString(zero % c.n), r.rows().get(0)[9], r::toString);
        assertEquals("0", r.rows().get(0)[6], "no numeric error, other bits: " + r);

        Path bf16 = CaseFiles.copy(recorded("adam-8bit-bf16"), tmp.resolve("bf16-bit"));
        NpyArray params = Npy.read(bf16.resolve("params.npy"));
        short[] patterns = params.u16().clone();
        int at = params.shape()[1] + 10; // step 2, index 10
        short mine = patterns[at];
        patterns[at] ^= 1;
        Npy.write(bf16.resolve("params.npy"), NpyArray.of(patterns, params.shape()));
        r = validate(bf16, "--kernel", "vector-256", "--threads", 2);
        assertEquals(1, r.status(), r::toString);
        assertEquals("2", r.rows().get(0)[8], r::toString);
        assertEquals("10", r.rows().get(0)[9], r::toString);
        assertTrue(r.err().contains(String.format("first difference params at step 2, index 10: ours %s (0x%04x), "
                + "recorded %s (0x%04x)", LowPrecision.BF16.toFloat(mine), mine & 0xffff,
                LowPrecision.BF16.toFloat(patterns[at]), patterns[at] & 0xffff)), r::toString);

        int poisoned = 0;
        while (!Float.isNaN(c.params.f32()[poisoned])) {
            poisoned++;
        }
        Path payload = CaseFiles.copy(edges, tmp.resolve("nan-payload"));
        editFloat(payload, "params", 1 + poisoned / c.n, poisoned % c.n, x -> Float.intBitsToFloat(0x7fa00001));
        assertEquals(0, validate(payload).status(), "any NaN parameter matches a NaN");
    }

    private interface FloatEdit {
        float apply(float x);
    }

    /** Replaces element {@code index} of row {@code step} (from 1) of {@code file}.npy; returns the recorded value. */
    private static float editFloat(Path dir, String file, int step, int index, FloatEdit edit) throws IOException {
        NpyArray a = Npy.read(dir.resolve(file + ".npy"));
        float[] values = a.f32().clone();
        int at = (step - 1) * a.shape()[1] + index;
        float was = values[at];
        values[at] = edit.apply(was);
        Npy.write(dir.resolve(file + ".npy"), NpyArray.of(values, a.shape()));
        return was;
    }

    private static String hex(float x) {
        return String.format("%08x", Float.floatToRawIntBits(x));
    }

    /**
     * What the cases check: replayed without their option (maximize, AdamW's decay, the block size, the 16-bit format)
     * each fails; a case
     * that lists only some states, or none, compares the parameters and those states only.
     */
    @Test
    void theOptionsMatterAndOnlyTheListedStatesAreCompared() throws Exception {
        Path maximize = CaseFiles.copy(recorded("adam-8bit-l2-maximize-block100"), tmp.resolve("no-maximize"));
        editJson(maximize, "\"maximize\": true,", "");
        Path adam = CaseFiles.copy(recorded("adamw-8bit"), tmp.resolve("as-adam"));
        editJson(adam, "\"optimizer\": \"adamw\"", "\"optimizer\": \"adam\"");
        Path block = CaseFiles.copy(recorded("adam-8bit"), tmp.resolve("block-128"));
        editJson(block, "\"block_size\": 256, \"state\": [ \"exp_avg\", \"exp_avg_sq\", \"exp_avg_absmax\", "
                + "\"exp_avg_sq_absmax\" ]", "\"block_size\": 128, \"state\": []");
        Path format = CaseFiles.copy(recorded("adam-8bit-bf16"), tmp.resolve("bf16-as-fp16"));
        editJson(format, "\"bfloat16\"", "\"float16\"");
        for (Path dir : List.of(maximize, adam, block, format)) {
            Result r = validate(dir, "--kernel", "vector");
            assertEquals(1, r.status(), dir + ": " + r);
            assertEquals("FAIL", r.rows().get(0)[10], r::toString);
        }
        Path codesOnly = CaseFiles.copy(recorded("adam-8bit"), tmp.resolve("codes-only"));
        editJson(codesOnly, "\"exp_avg\", \"exp_avg_sq\", \"exp_avg_absmax\", \"exp_avg_sq_absmax\"", "\"exp_avg\"");
        flipCode(codesOnly, "exp_avg_sq", 3, 5);
        Path none = CaseFiles.copy(codesOnly, tmp.resolve("no-states"));
        editJson(none, "\"state\": [ \"exp_avg\" ]", "\"state\": []");
        Npy.write(none.resolve("exp_avg.npy"), NpyArray.of(new byte[1], 1)); // not listed: not read
        for (Path dir : List.of(codesOnly, none)) {
            Result r = validate(dir, "--kernel", "vector-64");
            assertEquals(0, r.status(), dir + ": " + r);
            assertEquals("-", r.rows().get(0)[8], r::toString);
        }
        flipCode(codesOnly, "exp_avg", 20, 0);
        assertEquals(1, validate(codesOnly).status(), "a listed state is compared, to the last step");
    }

    /** Malformed 8-bit keys and files, and 8-bit cases adam4j cannot replay: exit 2, one line, nothing run. */
    @Test
    void malformedOrUnreplayableEightBitCasesAreRefusedInOneLine() throws Exception {
        Path good = recorded("adam-8bit");
        assertUnusable(edited(good, "number", "\"state_precision\": \"8bit\"", "\"state_precision\": 8"),
                "number/case.json: 'state_precision' is not a string: 8");
        assertUnusable(edited(good, "4bit", "\"8bit\"", "\"4bit\""),
                "4bit/case.json: state_precision '4bit' is not f32, bf16 or 8bit");
        assertUnusable(edited(good, "bf16", "\"8bit\"", "\"bf16\""),
                "bf16/case.json: state_precision 'bf16' is not read by adam4j yet (it reads f32 and 8bit)");
        for (String size : List.of("0", "-256", "2.5", "\"256\"", "null")) {
            assertUnusable(edited(good, "block-" + size.replace("\"", ""), "\"block_size\": 256",
                    "\"block_size\": " + size), "case.json: 'block_size' is not a positive whole number: " + size);
        }
        assertUnusable(edited(good, "f32-block", "\"state_precision\": \"8bit\",", "\"state_precision\": \"f32\","),
                "f32-block/case.json: 'block_size' applies to state_precision '8bit' only");
        Path f64 = CaseFiles.adamCase(tmp.resolve("f64"), AdamConfig.builder().build(), true, 5, 2, 1);
        editJson(f64, "\"amsgrad\"", "\"state_precision\": \"f32\", \"amsgrad\"");
        assertUnusable(f64, "f64/case.json: state_precision 'f32' with dtype 'float64': a float64 case keeps float64 "
                + "states");
        Path codes = CaseFiles.copy(good, tmp.resolve("codes-f32"));
        Npy.write(codes.resolve("exp_avg.npy"), NpyArray.of(new float[20 * 300], 20, 300));
        assertUnusable(codes, "codes-f32/exp_avg.npy: dtype float32, but case.json says uint8");
        Path finalOnly = CaseFiles.copy(good, tmp.resolve("final-only"));
        Npy.write(finalOnly.resolve("exp_avg_sq.npy"), NpyArray.of(new byte[300], 300));
        assertUnusable(finalOnly, "final-only/exp_avg_sq.npy: shape [300], expected [20, 300] from case.json");
        assertUnusable(edited(good, "block-128", "\"block_size\": 256", "\"block_size\": 128"),
                "block-128/exp_avg_absmax.npy: shape [20, 2], expected [20, 3] from case.json");
        assertUnusable(edited(good, "amsgrad", "\"format\"", "\"amsgrad\": true, \"format\""),
                "amsgrad/case.json: state_precision '8bit' with amsgrad is not implemented by adam4j");
        assertUnusable(edited(good, "scaled", "\"format\"", "\"grad_scale\": 1024, \"format\""),
                "scaled/case.json: state_precision '8bit' with grad_scale, skip_non_finite or clip_grad_norm is not "
                        + "implemented by adam4j");
        assertUnusable(edited(good, "nadam", "\"optimizer\": \"adam\"", "\"optimizer\": \"nadam\""),
                "nadam/case.json: state_precision '8bit' of nadam is not implemented by adam4j (8-bit states are "
                        + "replayed for adam and adamw)");
        Path sparse = CaseFiles.copy(ValidateCommandTest.recordedCases(List.of("sparse-adam")).get(0),
                tmp.resolve("sparse"));
        editJson(sparse, "\"state\": [ \"exp_avg\", \"exp_avg_sq\" ]", "\"state_precision\": \"8bit\", \"state\": []");
        assertUnusable(sparse, "sparse/case.json: state_precision '8bit' of sparse_adam is not implemented by adam4j");
        Path f64Codes = CaseFiles.adamCase(tmp.resolve("f64-8bit"), AdamConfig.builder().build(), true, 5, 2, 1);
        editJson(f64Codes, "\"exp_avg\", \"exp_avg_sq\"", "");
        editJson(f64Codes, "\"amsgrad\"", "\"state_precision\": \"8bit\", \"amsgrad\"");
        assertUnusable(f64Codes, "f64-8bit/case.json: state_precision '8bit' with dtype 'float64' is not implemented by "
                + "adam4j (8-bit states are replayed on float32, bfloat16 and float16 parameters)");
        Path vmax = edited(good, "vmax", "\"exp_avg_sq_absmax\" ]", "\"exp_avg_sq_absmax\", \"max_exp_avg_sq\" ]");
        Files.copy(vmax.resolve("exp_avg_sq.npy"), vmax.resolve("max_exp_avg_sq.npy"));
        assertUnusable(vmax, "vmax/case.json: state 'max_exp_avg_sq' is not kept by adam with these options (it keeps "
                + String.join(", ", STATES) + ")");
    }

    /** A copy of case {@code from} named {@code name} whose case.json (on one line) has {@code a} replaced by {@code b}. */
    private Path edited(Path from, String name, String a, String b) throws IOException {
        Path dir = CaseFiles.copy(from, tmp.resolve(name));
        editJson(dir, a, b);
        return dir;
    }
}
