package org.adam4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** JMH's JSON to rows, CSV and table, on a synthetic result in JMH 1.37's format (no timing is measured here). */
class BenchSummaryTest {
    private static final double TOLERANCE = 1e-9;

    static BenchSummary synthetic() throws IOException {
        try (Reader r = new InputStreamReader(BenchSummaryTest.class.getResourceAsStream("synthetic-jmh-result.json"),
                StandardCharsets.UTF_8)) {
            return BenchSummary.read(r);
        }
    }

    private static BenchSummary.Row row(BenchSummary s, String variant, String kernel, String precision, String op,
            long size, int threads) {
        return s.rows.stream().filter(r -> r.variant().equals(variant) && r.kernel().equals(kernel)
                && r.precision().equals(precision) && r.op().equals(op) && r.size() == size && r.threads() == threads)
                .findFirst().orElseThrow(() -> new AssertionError("no row " + kernel + " " + precision + " " + op
                        + " " + size + " " + threads + " in " + s.rows));
    }

    @Test
    void mapsKernelRowsWithPerElementFiguresSpeedUpsAndRoofline() throws IOException {
        BenchSummary s = synthetic();
        assertEquals(13, s.rows.size());
        BenchSummary.Row vector = row(s, "adam", "vector", "f32", "fused", 16384, 1);
        assertEquals(0.7, vector.nsPerElement(), TOLERANCE);
        assertEquals(28 / 0.7, vector.gbPerSecond(), TOLERANCE);
        assertEquals(0.1, vector.allocBytesPerOp(), TOLERANCE);
        assertEquals(2.0, s.speedupOver(vector, "scalar"), TOLERANCE);
        assertEquals(5.0, s.speedupOver(vector, "scalar-strict"), TOLERANCE);
        assertEquals(50.0, s.rooflinePercent(vector), TOLERANCE);

        // The parameter step moves 4 arrays of 7: its share of the roofline is by bandwidth, not time.
        BenchSummary.Row params = row(s, "adam", "vector", "f32", "params", 16384, 1);
        assertEquals(16 / 0.5, params.gbPerSecond(), TOLERANCE);
        assertEquals(100 * 32.0 / 80.0, s.rooflinePercent(params), TOLERANCE);
        assertTrue(Double.isNaN(s.speedupOver(params, "scalar")), "no scalar params row to compare with");

        // us/op converted to ns
        BenchSummary.Row big = row(s, "adam", "vector", "f32", "fused", 33554432, 1);
        assertEquals(1.5, big.nsPerElement(), TOLERANCE);
        assertEquals(100 * 1.4 / 1.5, s.rooflinePercent(big), TOLERANCE);

        BenchSummary.Row f64 = row(s, "adam", "vector", "f64", "fused", 16384, 2);
        assertEquals(56.0, f64.gbPerSecond(), TOLERANCE);
        assertTrue(Double.isNaN(s.rooflinePercent(f64)), "no f64 roofline in the result");

        BenchSummary.Row adamw = row(s, "adamw", "vector", "f32", "fused", 16384, 1);
        assertEquals(2.0, s.speedupOver(adamw, "scalar"), TOLERANCE);
    }

    @Test
    void toleratesOtherBenchmarksWithKernelPrecisionAndThreadsParameters() throws IOException {
        BenchSummary s = synthetic();
        // throughput mode, "float" for f32, no variant
        BenchSummary.Row step = row(s, "", "vector", "f32", "step", 1000000, 2);
        assertEquals(1e6, step.nsPerOp(), TOLERANCE);
        assertEquals(1.0, step.nsPerElement(), TOLERANCE);
        assertTrue(Double.isNaN(step.allocBytesPerOp()));
        // no size: kept, without per-element figures
        BenchSummary.Row noSize = row(s, "", "scalar", "f64", "step", 0, 1);
        assertTrue(Double.isNaN(noSize.nsPerElement()));
        assertEquals(16.0, noSize.allocBytesPerOp(), TOLERANCE);
    }

    @Test
    void readsWhatItCanOfIncompleteJson() {
        BenchSummary s = BenchSummary.read(new StringReader("""
                [ {"benchmark": "x.Y.fused"},
                  {"benchmark": "org.adam4j.bench.AdamBenchmark.fused", "threads": 3,
                   "primaryMetric": {"score": 8192.0, "scoreUnit": "ns/op"},
                   "params": {"kernel": "scalar", "precision": "f32", "size": "4096"}} ]
                """));
        assertEquals(1, s.rows.size());
        BenchSummary.Row r = s.rows.get(0);
        assertEquals(3, r.threads(), "JMH's thread count when there is no threads parameter");
        assertEquals(2.0, r.nsPerElement(), TOLERANCE);
        assertEquals("", r.variant());
    }

    @Test
    void heapSegmentRowsAreTheirOpInKebabCaseAfterFusedWithFusedsTraffic(@TempDir Path dir) throws IOException {
        BenchSummary s = BenchSummary.read(new StringReader("""
                [ {"benchmark": "org.adam4j.bench.AdamBenchmark.fusedHeapSegment",
                   "primaryMetric": {"score": 16384.0, "scoreUnit": "ns/op"},
                   "params": {"kernel": "vector", "precision": "f32", "size": "16384", "threads": "1",
                              "variant": "adam"}},
                  {"benchmark": "org.adam4j.bench.AdamBenchmark.moments",
                   "primaryMetric": {"score": 8192.0, "scoreUnit": "ns/op"},
                   "params": {"kernel": "vector", "precision": "f32", "size": "16384", "threads": "1",
                              "variant": "adam"}},
                  {"benchmark": "org.adam4j.bench.AdamBenchmark.fused",
                   "primaryMetric": {"score": 12288.0, "scoreUnit": "ns/op"},
                   "params": {"kernel": "vector", "precision": "f32", "size": "16384", "threads": "1",
                              "variant": "adam"}} ]
                """));
        assertEquals(List.of("fused", "fused-heap-segment", "moments"), s.rows.stream().map(BenchSummary.Row::op)
                .toList());
        BenchSummary.Row heap = row(s, "adam", "vector", "f32", "fused-heap-segment", 16384, 1);
        assertEquals(1.0, heap.nsPerElement(), TOLERANCE);
        assertEquals(28.0, heap.gbPerSecond(), TOLERANCE, "the fused step's 7 arrays of 4 bytes");
        s.writeCsv(dir);
        assertTrue(Files.readAllLines(dir.resolve("summary.csv")).contains(
                "vector,f32,fused-heap-segment,16384,1,1.00000,28.0000,,f32,f32"));
        assertEquals("fused", BenchSummary.op("fused"));
        assertEquals("fused-heap-segment", BenchSummary.op("fusedHeapSegment"));
    }

    @Test
    void convertsJmhUnits() {
        assertEquals(2500.0, BenchSummary.nanosPerOp(2.5, "us/op"), TOLERANCE);
        assertEquals(3e6, BenchSummary.nanosPerOp(3, "ms/op"), TOLERANCE);
        assertEquals(1e6, BenchSummary.nanosPerOp(1000, "ops/s"), TOLERANCE);
        assertEquals(0.5, BenchSummary.nanosPerOp(2, "ops/ns"), TOLERANCE);
        assertTrue(Double.isNaN(BenchSummary.nanosPerOp(1, "B/op")));
    }

    @Test
    void writesSummaryCsvPerVariantWithTheExactHeader(@TempDir Path dir) throws IOException {
        BenchSummary s = synthetic();
        List<Path> files = s.writeCsv(dir);
        assertEquals(List.of(dir.resolve("summary.csv"), dir.resolve("summary-adamw.csv")), files);

        List<String> main = Files.readAllLines(dir.resolve("summary.csv"));
        assertEquals("kernel,precision,op,size,threads,ns_per_element,gb_per_s,alloc_bytes_per_op,grad_precision,"
                + "state_precision", main.get(0));
        assertTrue(main.contains("vector,f32,fused,16384,1,0.70000,40.0000,0.100,f32,f32"), main.toString());
        assertTrue(main.contains("roofline,f32,roofline,33554432,1,1.40000,20.0000,0.000,f32,f32"), main.toString());
        assertTrue(main.contains("vector,f32,step,1000000,2,1.00000,28.0000,,f32,f32"), main.toString());
        assertTrue(main.contains("scalar,f64,step,,1,,,16.000,f64,f64"), main.toString());
        assertFalse(main.stream().anyMatch(l -> l.startsWith("vector,f32,fused,16384,1,0.75")), "AdamW row in Adam's file");
        // Adam's 7 kernel rows, 2 other-benchmark rows, 2 roofline rows
        assertEquals(1 + 7 + 2 + 2, main.size());
        for (String line : main.subList(1, main.size())) {
            assertEquals(10, line.split(",", -1).length, line);
        }

        List<String> adamw = Files.readAllLines(dir.resolve("summary-adamw.csv"));
        assertEquals(main.get(0), adamw.get(0));
        assertEquals(List.of("vector,f32,fused,16384,1,0.75000,37.3333,0.100,f32,f32",
                "scalar,f32,fused,16384,1,1.50000,18.6667,0.100,f32,f32",
                "roofline,f32,roofline,16384,1,0.35000,80.0000,0.000,f32,f32",
                "roofline,f32,roofline,33554432,1,1.40000,20.0000,0.000,f32,f32"),
                adamw.subList(1, adamw.size()));
    }

    @Test
    void mapsTheRelativesAndTheLazyRowsToFilesOfTheirOwn(@TempDir Path dir) throws IOException {
        BenchSummary s = BenchSummary.read(new StringReader("""
                [ {"benchmark": "org.adam4j.bench.RelativesBenchmark.fused", "threads": 1,
                   "primaryMetric": {"score": 16384.0, "scoreUnit": "ns/op"},
                   "params": {"kernel": "vector", "precision": "f32", "variant": "sgd-momentum", "size": "16384",
                              "threads": "1"}},
                  {"benchmark": "org.adam4j.bench.RelativesBenchmark.fused", "threads": 1,
                   "primaryMetric": {"score": 16384.0, "scoreUnit": "ns/op"},
                   "params": {"kernel": "vector", "precision": "f64", "variant": "nadam", "size": "16384",
                              "threads": "1"}},
                  {"benchmark": "org.adam4j.bench.LazyRowsBenchmark.exact", "threads": 1,
                   "primaryMetric": {"score": 1280.0, "scoreUnit": "us/op"},
                   "params": {"kernel": "vector", "precision": "f32", "rows": "1000000", "dim": "64",
                              "touchedPercent": "1"}},
                  {"benchmark": "org.adam4j.bench.LazyRowsBenchmark.dense", "threads": 1,
                   "primaryMetric": {"score": 128.0, "scoreUnit": "ms/op"},
                   "params": {"kernel": "vector", "precision": "f32", "rows": "1000000", "dim": "64",
                              "touchedPercent": "1"}} ]
                """));
        // SGD with momentum moves 5 arrays (reads p, g, buf; writes p, buf), NAdam 7, like Adam.
        assertEquals(20.0, row(s, "sgd-momentum", "vector", "f32", "fused", 16384, 1).gbPerSecond(), TOLERANCE);
        assertEquals(56.0, row(s, "nadam", "vector", "f64", "fused", 16384, 1).gbPerSecond(), TOLERANCE);
        BenchSummary.Row exact = row(s, "lazy-rows", "vector", "f32", "exact", 64_000_000, 1);
        assertEquals(0.02, exact.nsPerElement(), TOLERANCE);
        assertEquals(0.01 * 28 / 0.02, exact.gbPerSecond(), TOLERANCE);
        assertEquals(28 / 2.0, row(s, "lazy-rows", "vector", "f32", "dense", 64_000_000, 1).gbPerSecond(), TOLERANCE);

        List<Path> files = s.writeCsv(dir);
        assertEquals(List.of(dir.resolve("summary.csv"), dir.resolve("summary-nadam.csv"),
                dir.resolve("summary-sgd-momentum.csv"), dir.resolve("summary-lazy-rows.csv")), files);
        assertEquals(List.of(BenchSummary.CSV_HEADER), Files.readAllLines(dir.resolve("summary.csv")));
        assertEquals(List.of(BenchSummary.CSV_HEADER, "vector,f32,fused,16384,1,1.00000,20.0000,,f32,f32"),
                Files.readAllLines(dir.resolve("summary-sgd-momentum.csv")));
        assertEquals(List.of(BenchSummary.CSV_HEADER, "vector,f32,exact,64000000,1,0.02000,14.0000,,f32,f32",
                "vector,f32,dense,64000000,1,2.00000,14.0000,,f32,f32"), Files.readAllLines(dir.resolve("summary-lazy-rows.csv")));
        String table = s.table(BenchPlan.Emulation.NONE);
        assertTrue(table.contains("lazy rows"), table);
        assertTrue(table.indexOf("nadam") < table.indexOf("sgd-momentum"), table);
    }

    /** A 16-bit Adam row: its columns, its traffic (22 bytes, 26 with Kahan) and the f32 roofline it is read against. */
    @Test
    void sixteenBitRowsCarryTheirPrecisionsAndTraffic() throws IOException {
        BenchSummary.Row bf16 = new BenchSummary.Row("adam", "vector", "bf16", "fused", 1000, 1, 1000, 0.0);
        assertEquals("f32", bf16.statePrecision());
        assertEquals(22, bf16.bytesPerElement(), TOLERANCE);
        assertEquals(26, new BenchSummary.Row("adam", "vector", "fp16", "fused-kahan", 1000, 1, 1000, 0.0)
                .bytesPerElement(), TOLERANCE);
        BenchSummary.Row roof = new BenchSummary.Row("", "roofline", "f32", "roofline", 1000, 1, 2000, 0.0);
        BenchSummary s = new BenchSummary(List.of(bf16, roof));
        assertEquals(100 * 22.0 / 14.0, s.rooflinePercent(bf16), TOLERANCE);
        StringWriter w = new StringWriter();
        BenchSummary.writeCsv(w, List.of(bf16));
        assertTrue(w.toString().endsWith("vector,bf16,fused,1000,1,1.00000,22.0000,0.000,bf16,f32\n"), w.toString());
    }

    /**
     * An 8-bit state row: 4 + 4 + 4 bytes of parameters and gradient, 2 x 2 of codes and 2 x 2 x 4 / 256 of absmax;
     * its speed-up is over the scalar 8-bit row, not the f32-state one of the same op and size; its own section.
     */
    @Test
    void eightBitStateRowsCountTheirCodesAndAbsmaxAndCompareWithTheirOwnBaseline() throws IOException {
        BenchSummary.Row eight = new BenchSummary.Row("adam", "vector", "f32", "fused", 1000, 1, 1000, 0.0, 1.0, "f32",
                "8bit");
        assertEquals(16 + 0.0625, eight.bytesPerElement(), TOLERANCE);
        BenchSummary.Row scalarEight = new BenchSummary.Row("adam", "scalar", "f32", "fused", 1000, 1, 8000, 0.0, 1.0,
                "f32", "8bit");
        BenchSummary.Row scalarF32 = new BenchSummary.Row("adam", "scalar", "f32", "fused", 1000, 1, 3000, 0.0);
        BenchSummary s = new BenchSummary(List.of(scalarF32, eight, scalarEight));
        assertEquals(8.0, s.speedupOver(eight, "scalar"), TOLERANCE);
        assertEquals(3.0, s.speedupOver(new BenchSummary.Row("adam", "vector", "f32", "fused", 1000, 1, 1000, 0.0),
                "scalar"), TOLERANCE);
        String table = s.table(BenchPlan.Emulation.NONE);
        assertTrue(table.contains("Adam with 8-bit blockwise moments"), table);
        StringWriter w = new StringWriter();
        BenchSummary.writeCsv(w, List.of(eight));
        assertTrue(w.toString().endsWith(",f32,8bit\n"), w.toString());
    }

    /**
     * A bf16-state row: 4 + 4 bytes of parameters and gradient read, 2 + 2 of moments read, 4 + 2 + 2 written; its
     * speed-up is over the scalar bf16-state row, its %roof against the f32 probe; its own section.
     */
    @Test
    void bf16StateRowsCountTwentyBytesAndCompareWithTheirOwnBaseline() throws IOException {
        BenchSummary.Row bf16 = new BenchSummary.Row("adam", "vector", "f32", "fused", 1000, 1, 1000, 0.0, 1.0, "f32",
                "bf16");
        assertEquals(20, bf16.bytesPerElement(), TOLERANCE);
        BenchSummary.Row scalarBf16 = new BenchSummary.Row("adam", "scalar", "f32", "fused", 1000, 1, 5000, 0.0, 1.0,
                "f32", "bf16");
        BenchSummary.Row scalarF32 = new BenchSummary.Row("adam", "scalar", "f32", "fused", 1000, 1, 3000, 0.0);
        BenchSummary.Row roof = new BenchSummary.Row("", "roofline", "f32", "roofline", 1000, 1, 2000, 0.0);
        BenchSummary s = new BenchSummary(List.of(scalarF32, bf16, scalarBf16, roof));
        assertEquals(5.0, s.speedupOver(bf16, "scalar"), TOLERANCE);
        assertEquals(100 * 20.0 / 14.0, s.rooflinePercent(bf16), TOLERANCE);
        String table = s.table(BenchPlan.Emulation.NONE);
        assertTrue(table.contains("\nAdam with bf16 moments\n"), table);
        StringWriter w = new StringWriter();
        BenchSummary.writeCsv(w, List.of(bf16));
        assertTrue(w.toString().endsWith("vector,f32,fused,1000,1,1.00000,20.0000,0.000,f32,bf16\n"), w.toString());
    }

    @Test
    void csvQuotesFieldsWithCommas() throws IOException {
        StringWriter w = new StringWriter();
        BenchSummary.writeCsv(w, List.of(new BenchSummary.Row("", "a,b", "f32", "fused", 10, 1, 20, Double.NaN)));
        assertEquals(BenchSummary.CSV_HEADER + "\n\"a,b\",f32,fused,10,1,2.00000,14.0000,,f32,f32\n", w.toString());
    }

    @Test
    void tableHasTheColumnsSectionsAndEmulationNote() throws IOException {
        String table = synthetic().table(new BenchPlan.Emulation(32));
        assertTrue(table.contains("kernel") && table.contains("ns/elem") && table.contains("GB/s")
                && table.contains("x scalar") && table.contains("x strict") && table.contains("%roof")
                && table.contains("alloc B/op"), table);
        String vectorLine = table.lines().filter(l -> l.startsWith("vector ") && l.contains(" 16384 ")
                && l.contains("fused") && l.contains("f32")).findFirst().orElseThrow();
        assertTrue(vectorLine.matches(".*0\\.700\\s+40\\.0\\s+2\\.00x\\s+5\\.00x\\s+50%\\s+0\\.1"), vectorLine);
        assertTrue(table.contains("\nAdam\n") && table.contains("AdamW") && table.contains("roofline ("), table);
        assertTrue(table.contains("vector-512 *"), table);
        assertTrue(table.contains("* emulated"), table);
        assertTrue(table.indexOf("\nAdam\n") < table.indexOf("AdamW") && table.indexOf("AdamW") < table.indexOf("roofline ("));
    }
}
