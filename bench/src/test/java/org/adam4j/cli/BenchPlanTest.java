package org.adam4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.VerboseMode;
import org.junit.jupiter.api.Test;

class BenchPlanTest {
    /** This machine: AVX2, 32-byte vectors. */
    private static final BenchPlan.Emulation AVX2 = new BenchPlan.Emulation(32);

    /** Every benchmark method in the jar with the values JMH's annotations declare for its parameters. */
    private static Map<String, Map<String, String[]>> declared() {
        Map<String, Map<String, String[]>> all = new HashMap<>();
        for (BenchmarkListEntry e : BenchmarkList.defaultList().getAll(
                OutputFormatFactory.createFormatInstance(System.err, VerboseMode.SILENT), List.of())) {
            all.put(e.getUsername(), e.getParams().orElse(Map.of()));
        }
        return all;
    }

    private static Set<String> values(List<BenchPlan.Run> runs, String benchmarkPart, String param) {
        Set<String> v = new HashSet<>();
        runs.stream().filter(r -> r.benchmark().contains(benchmarkPart)).forEach(r -> v.add(r.params().get(param)));
        return v;
    }

    @Test
    void quickSuiteCoversEveryLaneWidthBothBaselinesAndTheRooflineInAndOutOfCache() {
        BenchPlan quick = BenchPlan.quick(AVX2);
        for (String precision : List.of("f32", "f64")) {
            Set<String> kernels = new HashSet<>();
            quick.runs.stream().filter(r -> r.benchmark().endsWith("AdamBenchmark.fused")
                    && precision.equals(r.params().get("precision"))).forEach(r -> kernels.add(r.params().get("kernel")));
            assertEquals(Set.of("vector-64", "vector-128", "vector-256", "vector-512", "vector", "scalar",
                    "scalar-strict"), kernels, precision);
        }
        assertEquals(Set.of("fused", "fusedHeapSegment", "moments", "params", "gradnorm", "fusedGuarded"),
                new HashSet<>(quick.runs.stream()
                .filter(r -> r.benchmark().startsWith(BenchPlan.ADAM + "."))
                .map(r -> r.benchmark().substring(r.benchmark().lastIndexOf('.') + 1)).toList()));
        assertEquals(Set.of("adam", "adamw"), values(quick.runs, "AdamBenchmark", "variant"));
        assertEquals(Set.of("1", "2"), values(quick.runs, "AdamBenchmark", "threads"));
        for (String precision : List.of("f32", "f64")) {
            Set<String> sizes = new HashSet<>();
            quick.runs.stream().filter(r -> r.benchmark().endsWith("roofline") && r.params().get("precision")
                    .equals(precision)).forEach(r -> sizes.add(r.params().get("size")));
            assertTrue(sizes.contains("16384") && sizes.contains("33554432"), precision + " roofline sizes " + sizes);
        }
        assertTrue(quick.skipped.isEmpty(), "the quick suite keeps the emulated widths, at a small size");
        assertTrue(quick.runs.stream().filter(r -> AVX2.emulated(r.params().get("kernel"), r.params().get("precision")))
                .allMatch(r -> r.size() <= BenchPlan.CACHE_RESIDENT));
    }

    @Test
    void quickSuiteRunsEveryRelativeWithTheVectorKernelAndBothBaselinesAndTheLazyRowsOnce() {
        BenchPlan quick = BenchPlan.quick(AVX2);
        for (String variant : org.adam4j.bench.Relative.ids()) {
            Set<String> kernels = new HashSet<>();
            quick.runs.stream().filter(r -> r.benchmark().equals(BenchPlan.RELATIVES + ".fused")
                    && variant.equals(r.params().get("variant"))).forEach(r -> {
                        assertEquals("f32", r.params().get("precision"), r.label());
                        assertEquals(BenchPlan.CACHE_RESIDENT, r.size(), r.label());
                        kernels.add(r.params().get("kernel"));
                    });
            assertEquals(Set.of("vector", "scalar", "scalar-strict"), kernels, variant);
        }
        List<String> lazy = quick.runs.stream().filter(r -> r.benchmark().startsWith(BenchPlan.LAZY_ROWS))
                .map(r -> r.benchmark().substring(BenchPlan.LAZY_ROWS.length() + 1)).toList();
        assertEquals(List.of("lazy", "exact", "dense"), lazy);
        quick.runs.stream().filter(r -> r.benchmark().startsWith(BenchPlan.LAZY_ROWS)).forEach(r -> {
            assertEquals(64_000_000L, r.size(), r.label());
            assertEquals("1", r.params().get("touchedPercent"), r.label());
        });
    }

    @Test
    void quickSuiteRunsTheVectorKernelOnHeapSegmentsBesideItsArrayRows() {
        BenchPlan quick = BenchPlan.quick(AVX2);
        List<BenchPlan.Run> heap = quick.runs.stream()
                .filter(r -> r.benchmark().equals(BenchPlan.ADAM + "." + BenchPlan.FUSED_HEAP_SEGMENT)).toList();
        assertEquals(Set.of((long) BenchPlan.CACHE_RESIDENT, (long) BenchPlan.MEMORY_BOUND),
                new HashSet<>(heap.stream().map(BenchPlan.Run::size).toList()));
        assertEquals(2, heap.size());
        for (BenchPlan.Run r : heap) {
            assertEquals(Map.of("kernel", "vector", "precision", "f32", "variant", "adam", "threads", "1",
                    "size", Long.toString(r.size())), r.params(), r.label());
            // The array row it is read against, in the same suite.
            assertTrue(quick.runs.contains(new BenchPlan.Run(BenchPlan.ADAM + ".fused", r.params())), r.label());
        }
        assertEquals(84, quick.runs.size(), "the README's count of the quick suite");
    }

    /** Issue 13's rows: Adam on bf16 parameters and gradients, nearest and stochastic, beside its baselines. */
    @Test
    void quickSuiteRunsAdamOnSixteenBitStorage() {
        BenchPlan quick = BenchPlan.quick(AVX2);
        for (int size : List.of(BenchPlan.CACHE_RESIDENT, BenchPlan.MEMORY_BOUND)) {
            for (String op : List.of("fused", "fusedStochastic")) {
                assertTrue(quick.runs.contains(BenchPlan.lowPrecisionAdam(op, "vector", "bf16", size)), op + size);
            }
        }
        assertTrue(quick.runs.contains(BenchPlan.lowPrecisionAdam("fused", "scalar", "bf16", BenchPlan.CACHE_RESIDENT)));
        assertTrue(quick.runs.contains(BenchPlan.lowPrecisionAdam("fused", "vector", "fp16", BenchPlan.CACHE_RESIDENT)));
        assertEquals(6, quick.runs.stream().filter(r -> r.benchmark().startsWith(BenchPlan.LOW_PRECISION_ADAM)).count());
    }

    /** Issue 14's rows: Adam with 8-bit moments, vector in and beyond the caches, scalar in them. */
    @Test
    void quickSuiteRunsAdamWithEightBitMoments() {
        BenchPlan quick = BenchPlan.quick(AVX2);
        for (int size : List.of(BenchPlan.CACHE_RESIDENT, BenchPlan.MEMORY_BOUND)) {
            for (String precision : List.of("f32", "bf16")) {
                assertTrue(quick.runs.contains(BenchPlan.adam8bit("vector", precision, size)),
                        "vector " + precision + " " + size);
            }
        }
        assertTrue(quick.runs.contains(BenchPlan.adam8bit("scalar", "f32", BenchPlan.CACHE_RESIDENT)));
        assertEquals(5, quick.runs.stream().filter(r -> r.benchmark().startsWith(BenchPlan.ADAM_8BIT)).count());
    }

    /**
     * Issue 14's bf16-state rows: Adam with f32 parameters and gradients and bf16 moments, vector in and beyond the
     * caches on 1 thread; their parameters are summary.csv's precision and state_precision (the
     * gradient's is the parameters').
     */
    @Test
    void quickSuiteRunsAdamWithBf16Moments() {
        BenchPlan quick = BenchPlan.quick(AVX2);
        List<BenchPlan.Run> runs = quick.runs.stream()
                .filter(r -> r.benchmark().startsWith(BenchPlan.ADAM_BF16_STATES)).toList();
        assertEquals(List.of(BenchPlan.adamBf16States("vector", BenchPlan.CACHE_RESIDENT),
                BenchPlan.adamBf16States("vector", BenchPlan.MEMORY_BOUND)), runs);
        for (BenchPlan.Run r : runs) {
            assertEquals(BenchPlan.ADAM_BF16_STATES + ".fused", r.benchmark());
            assertEquals(Map.of("kernel", r.params().get("kernel"), "precision", "f32", "statePrecision", "bf16",
                    "variant", "adam", "threads", "1", "size", Long.toString(r.size())), r.params(), r.label());
        }
        assertEquals(1, quick.including(Pattern.compile("AdamBf16StatesBenchmark.fused kernel=vector .*size=33554432 "
                + ".*statePrecision=bf16")).runs.size());
    }

    /** Issue 15's rows: the reduction at every width and both baselines, and the guarded step beside the plain one. */
    @Test
    void quickSuiteRunsTheGradientNormAndTheGuardedStepBesideTheirBaselines() {
        BenchPlan quick = BenchPlan.quick(AVX2);
        Set<String> cached = new HashSet<>(), beyond = new HashSet<>();
        for (BenchPlan.Run r : quick.runs) {
            if (r.benchmark().equals(BenchPlan.ADAM + "." + BenchPlan.GRADNORM)) {
                assertEquals("f32", r.params().get("precision"), r.label());
                assertEquals("1", r.params().get("threads"), r.label());
                (r.size() == BenchPlan.CACHE_RESIDENT ? cached : beyond).add(r.params().get("kernel"));
            }
        }
        assertEquals(new HashSet<>(BenchPlan.kernels()), cached);
        assertEquals(Set.of("vector", "scalar", "scalar-strict"), beyond);
        for (int size : List.of(BenchPlan.CACHE_RESIDENT, BenchPlan.MEMORY_BOUND)) {
            BenchPlan.Run guarded = BenchPlan.adam(BenchPlan.FUSED_GUARDED, "vector", "f32", "adam", size, 1);
            assertTrue(quick.runs.contains(guarded), guarded.label());
            assertTrue(quick.runs.contains(BenchPlan.adam("fused", "vector", "f32", "adam", size, 1)), "beside fused");
        }
    }

    @Test
    void quickSuitePlansUnderSevenAndAHalfMinutes() {
        // The plan errs long: 57 runs planned at 4:55 took 3:53 on the README's machine, 71 planned at 6:14 took 4:30,
        // 77 planned at 6:47 took 4:42.
        assertTrue(BenchPlan.quick(AVX2).estimatedSeconds() < 450, "planned " + BenchPlan.quick(AVX2).estimatedSeconds() + " s");
    }

    @Test
    void everyPlannedValueIsOneTheBenchmarksDeclare() {
        Map<String, Map<String, String[]>> declared = declared();
        for (BenchPlan.Run r : BenchPlan.quick(AVX2).runs) {
            Map<String, String[]> params = declared.get(r.benchmark());
            assertTrue(params != null, "no benchmark " + r.benchmark());
            assertEquals(params.keySet(), r.params().keySet(), r.label());
            r.params().forEach((k, v) -> assertTrue(Arrays.asList(params.get(k)).contains(v), r.label() + ": " + k));
        }
        assertEquals(BenchPlan.kernels(), List.of(declared.get(BenchPlan.ADAM + ".fused").get("kernel")));
    }

    @Test
    void fullSuiteIsEveryCombinationLessEmulatedWidthsAtHugeSizes() {
        Map<String, Map<String, String[]>> declared = declared();
        long combinations = declared.values().stream()
                .mapToLong(p -> p.values().stream().mapToLong(v -> v.length).reduce(1, (a, b) -> a * b)).sum();
        BenchPlan none = BenchPlan.full(BenchPlan.Emulation.NONE);
        assertEquals(combinations, none.runs.size());
        assertTrue(none.skipped.isEmpty());

        BenchPlan full = BenchPlan.full(AVX2);
        assertEquals(combinations, full.runs.size() + full.skipped.size());
        assertFalse(full.skipped.isEmpty());
        for (BenchPlan.Run r : full.skipped) {
            assertTrue(AVX2.emulated(r.params().get("kernel"), r.params().get("precision")), r.label());
            assertTrue(r.size() > BenchPlan.EMULATED_MAX_SIZE, r.label());
        }
        // vector-512 f32 and f64 and vector-64 f64, at 2 huge sizes and 2 thread counts: Adam's 2 variants x 6 ops
        // (fused on arrays and on heap segments, moments, params, gradnorm, fused-guarded) and the 7 relatives' one
        // and vector-512 for bf16 and fp16 (float lanes) at the one huge size, 1 thread: the 16-bit Adam's 3 ops,
        // the 8-bit-state Adam's one for f32 and bf16 parameters, and the bf16-state Adam's two
        assertEquals(3 * (2 * 6 + 7) * 2 * 2 + 2 * 3 + 2 + 2, full.skipped.size());
        assertTrue(full.runs.stream().anyMatch(r -> r.label().contains("kernel=vector-512 precision=f32")));
    }

    @Test
    void includeMatchesLabelsAnywhere() {
        BenchPlan plan = BenchPlan.full(AVX2).including(Pattern.compile("roofline.*threads=2"));
        assertEquals(10, plan.runs.size());
        assertTrue(plan.runs.stream().allMatch(r -> r.label().startsWith("RooflineBenchmark.roofline ")));
    }

    @Test
    void onlyScalarStrictRunsWithoutSuperWordAndEveryForkOnTheSamePages() {
        java.util.ArrayList<String> pages = new java.util.ArrayList<>();
        if (BenchPlan.Run.hugePagesOffered()) {
            pages.add("-XX:+UseTransparentHugePages");
        }
        assertEquals(pages, BenchPlan.Run.PAGES);
        for (BenchPlan.Run r : BenchPlan.quick(AVX2).runs) {
            boolean strict = "scalar-strict".equals(r.params().get("kernel"));
            org.openjdk.jmh.runner.options.Options o = BenchRunner.options(r, BenchPlan.Timing.QUICK);
            assertEquals(List.of("--add-modules", "jdk.incubator.vector"), List.copyOf(o.getJvmArgs().get()));
            java.util.ArrayList<String> append = new java.util.ArrayList<>(pages);
            if (strict) {
                append.add("-XX:-UseSuperWord");
            }
            assertEquals(append, List.copyOf(o.getJvmArgsAppend().get()), r.label());
            r.params().forEach((k, v) -> assertEquals(List.of(v), List.copyOf(o.getParameter(k).get()), r.label()));
            assertEquals(List.of("^\\Q" + r.benchmark() + "\\E$"), o.getIncludes());
        }
    }

    @Test
    void emulationFollowsMaxVectorSizeAndTheTwoLaneMinimum() {
        assertTrue(AVX2.emulated("vector-512", "f32"));
        assertTrue(AVX2.emulated("vector-512", "f64"));
        assertTrue(AVX2.emulated("vector-64", "f64"), "one double lane: C2 needs two");
        assertFalse(AVX2.emulated("vector-64", "f32"));
        assertFalse(AVX2.emulated("vector-256", "f64"));
        assertFalse(AVX2.emulated("vector", "f32"));
        assertFalse(AVX2.emulated("scalar-strict", "f64"));
        BenchPlan.Emulation avx512 = new BenchPlan.Emulation(64);
        assertFalse(avx512.emulated("vector-512", "f32"));
        assertTrue(avx512.emulated("vector-64", "f64"));
        assertEquals("vector-64 (f64), vector-512 (f32, f64)", AVX2.describe());
    }

    @Test
    void aFailedRunIsReportedByWhatWentWrongInTheFork() {
        IllegalArgumentException inFork = new IllegalArgumentException("unknown kernel 'vector-1024'\nmore");
        RuntimeException jmh = new RuntimeException("Benchmark error during the run");
        jmh.addSuppressed(inFork);
        Exception runner = new Exception("Benchmark caught the exception", jmh);
        assertEquals("IllegalArgumentException: unknown kernel 'vector-1024'", BenchRunner.firstLine(runner));
        assertEquals("plain", BenchRunner.firstLine(new Exception("plain")));
        assertEquals("1:01:05", BenchRunner.clock(3665));
        assertEquals("4:05", BenchRunner.clock(245));
    }
}
