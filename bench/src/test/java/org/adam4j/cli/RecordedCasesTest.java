package org.adam4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.adam4j.reference.Blockwise8bit;
import org.adam4j.reference.DynamicMap;
import org.adam4j.reference.cases.ReferenceCase;
import org.junit.jupiter.api.Test;

/**
 * The cases tools/pytorch/record_cases.py and record_8bit_cases.py recorded into test resources (cases/): each one
 * loads as a case, says what produced it, is listed in cases/README.md, and its trajectory has the shape its keys
 * promise (a step without a gradient or with a non-finite one changes nothing, every other step moves the parameter;
 * SparseAdam changes only the rows it names; an 8-bit case has a short block and the absmax it is about). Replaying
 * them belongs to validate.
 */
class RecordedCasesTest {
    static Path root() throws URISyntaxException {
        return Path.of(RecordedCasesTest.class.getResource("/cases/README.md").toURI()).getParent();
    }

    static List<Path> folders() throws IOException, URISyntaxException {
        try (Stream<Path> s = Files.list(root())) {
            return s.filter(Files::isDirectory).sorted().toList();
        }
    }

    @Test
    void everyRecordedCaseLoadsIsDocumentedAndKeepsItsPromises() throws IOException, URISyntaxException {
        List<Path> dirs = folders();
        assertEquals(34, dirs.size(), dirs.toString());
        String readme = Files.readString(root().resolve("README.md"));
        Set<String> keys = new HashSet<>();
        for (Path dir : dirs) {
            ReferenceCase c = ReferenceCase.load(dir);
            assertTrue(readme.contains("`" + c.name + "`"), c.name + " is described in the README");
            String producer = c.json.get("producer").getAsString();
            if (c.eightBit()) {
                assertTrue(producer.startsWith("tools/pytorch/record_8bit_cases.py: "), c.name);
                assertEightBitPromises(c);
            } else {
                assertTrue(producer.startsWith("torch 1.13"), c.name);
            }
            keys.addAll(c.json.keySet());
            Set<Integer> unchanged = new HashSet<>();
            for (JsonElement e : list(c, "grad_none_steps")) {
                unchanged.add(e.getAsInt());
                assertTrue(Double.isNaN(row(c, c.grads, e.getAsInt() - 1)[0]),
                        c.name + ": an ignored gradient row holds NaN");
            }
            for (int t = 1; t <= c.steps; t++) {
                double[] g = row(c, c.grads, t - 1);
                boolean finite = java.util.Arrays.stream(g).allMatch(Double::isFinite);
                if (c.bool("skip_non_finite", false) && !finite) {
                    unchanged.add(t);
                }
            }
            if (c.bool("skip_non_finite", false)) {
                assertTrue(unchanged.size() >= 4, c.name + " has non-finite steps");
            }
            Set<Integer> rowsOf = new HashSet<>();
            for (int t = 1; t <= c.steps; t++) {
                double[] before = t == 1 ? values(c, c.param0) : row(c, c.params, t - 2);
                double[] after = row(c, c.params, t - 1);
                if (c.optimizer.equals("sparse_adam")) {
                    int cols = c.json.getAsJsonArray("shape").get(1).getAsInt();
                    rowsOf.clear();
                    c.json.getAsJsonArray("rows").get(t - 1).getAsJsonArray().forEach(r -> rowsOf.add(r.getAsInt()));
                    boolean[] moved = new boolean[c.n / cols];
                    for (int i = 0; i < c.n; i++) {
                        moved[i / cols] |= before[i] != after[i];
                    }
                    for (int r = 0; r < moved.length; r++) {
                        assertEquals(rowsOf.contains(r), moved[r], c.name + " step " + t + " row " + r);
                    }
                } else {
                    assertEquals(unchanged.contains(t), java.util.Arrays.equals(before, after), c.name + " step " + t);
                }
            }
        }
        assertTrue(keys.containsAll(Set.of("decoupled_weight_decay", "maximize", "grad_none_steps", "grad_scale",
                "skip_non_finite", "clip_grad_norm", "rows", "shape", "state_precision", "block_size")),
                keys.toString());
    }

    /**
     * An 8-bit case records all four states after every step, ends in a short block, and uses most codes; every
     * block whose absmax is not codable holds only the zero code. The edge case has each kind of absmax a block can
     * have: zero, a subnormal without a finite reciprocal, infinite, and NaN (stored as 0x7fc00000); the others have
     * only finite positive ones.
     */
    private static void assertEightBitPromises(ReferenceCase c) {
        assertEquals(List.of("exp_avg", "exp_avg_sq", "exp_avg_absmax", "exp_avg_sq_absmax"),
                List.copyOf(c.states.keySet()), c.name);
        assertTrue(c.n % c.blockSize != 0, c.name + " ends in a short block");
        int blocks = Blockwise8bit.blocks(c.n, c.blockSize);
        Set<String> kinds = new HashSet<>();
        for (String moment : List.of("exp_avg", "exp_avg_sq")) {
            byte[] codes = c.states.get(moment).u8();
            float[] absmax = c.states.get(moment + "_absmax").f32();
            DynamicMap map = moment.equals("exp_avg") ? DynamicMap.SIGNED : DynamicMap.UNSIGNED;
            Set<Integer> used = new HashSet<>();
            for (int t = 0; t < c.steps; t++) {
                for (int b = 0; b < blocks; b++) {
                    float a = absmax[t * blocks + b];
                    boolean codable = Blockwise8bit.codable(a);
                    kinds.add(a == 0f ? "zero" : Float.isNaN(a) ? "nan" : Float.isInfinite(a) ? "inf"
                            : codable ? "codable" : "tiny");
                    if (Float.isNaN(a)) {
                        assertEquals(0x7fc00000, Float.floatToRawIntBits(a), c.name);
                    }
                    for (int i = b * c.blockSize; i < Math.min(c.n, (b + 1) * c.blockSize); i++) {
                        int code = codes[t * c.n + i] & 0xff;
                        used.add(code);
                        if (!codable) {
                            assertEquals(map.zeroCode(), code, c.name + " " + moment + " step " + (t + 1));
                        }
                    }
                }
            }
            assertTrue(used.size() > 200, c.name + " " + moment + " uses " + used.size() + " codes");
        }
        assertEquals(c.name.endsWith("-edges") ? Set.of("zero", "tiny", "inf", "nan", "codable") : Set.of("codable"),
                kinds, c.name);
    }

    private static JsonArray list(ReferenceCase c, String key) {
        return c.json.has(key) ? c.json.getAsJsonArray(key) : new JsonArray();
    }

    private static double[] values(ReferenceCase c, org.adam4j.reference.cases.NpyArray a) {
        double[] out = new double[a.length()];
        for (int i = 0; i < out.length; i++) {
            out[i] = c.storage != null ? c.storage.toFloat(a.u16()[i])
                    : c.dtype == org.adam4j.reference.cases.NpyArray.DType.F32 ? a.f32()[i] : a.f64()[i];
        }
        return out;
    }

    private static double[] row(ReferenceCase c, org.adam4j.reference.cases.NpyArray a, int r) {
        double[] all = values(c, a);
        return java.util.Arrays.copyOfRange(all, r * c.n, (r + 1) * c.n);
    }
}
