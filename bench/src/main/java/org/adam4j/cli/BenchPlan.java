package org.adam4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.adam4j.bench.AdamBenchmark;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * The JMH runs that make up a suite: each one benchmark method with one value per parameter, run in a fork of its
 * own, so that {@code ./adam4j bench} can show progress between runs, give {@code scalar-strict} its JVM flag, and
 * leave out what would take hours.
 */
final class BenchPlan {
    /** Sizes above this are not run for lane widths the JIT emulates on this machine (they box every vector). */
    static final int EMULATED_MAX_SIZE = 262144;
    static final String ADAM = "org.adam4j.bench.AdamBenchmark";
    static final String ROOFLINE = "org.adam4j.bench.RooflineBenchmark";
    static final String RELATIVES = "org.adam4j.bench.RelativesBenchmark";
    static final String LAZY_ROWS = "org.adam4j.bench.LazyRowsBenchmark";
    static final String LOW_PRECISION_ADAM = "org.adam4j.bench.LowPrecisionAdamBenchmark";
    static final String ADAM_8BIT = "org.adam4j.bench.Adam8bitBenchmark";
    static final String ADAM_BF16_STATES = "org.adam4j.bench.AdamBf16StatesBenchmark";
    /** {@code AdamBenchmark}'s fused step on heap segments ({@code summary.csv}'s op {@code fused-heap-segment}). */
    static final String FUSED_HEAP_SEGMENT = "fusedHeapSegment";
    /** {@code AdamBenchmark}'s gradient reduction alone ({@code summary.csv}'s op {@code gradnorm}). */
    static final String GRADNORM = "gradnorm";
    /** {@code AdamBenchmark}'s guarded optimizer step ({@code summary.csv}'s op {@code fused-guarded}). */
    static final String FUSED_GUARDED = "fusedGuarded";
    /** The kernels the quick suite compares on each relative: the facade's choice and both scalar baselines. */
    static final List<String> RELATIVES_KERNELS = List.of("vector", "scalar", "scalar-strict");
    static final int CACHE_RESIDENT = 16384;
    static final int MEMORY_BOUND = 33554432;
    static final int THREADS_CHECK = 262144;

    /** One fork of one benchmark method at one value of each parameter. */
    record Run(String benchmark, Map<String, String> params) {
        Run {
            params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
        }

        /** What {@code --include} matches and the progress shows, e.g. {@code AdamBenchmark.fused kernel=vector ...}. */
        String label() {
            StringBuilder sb = new StringBuilder(benchmark.substring(benchmark.lastIndexOf('.', benchmark.lastIndexOf('.') - 1) + 1));
            params.forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
            return sb.toString();
        }

        static final List<String> VECTOR_MODULE = List.of("--add-modules", "jdk.incubator.vector");

        /**
         * What every fork gets besides {@link #VECTOR_MODULE}: transparent huge pages for the heap where Linux offers
         * them. With 4 KiB pages the physical pages behind a fork's arrays differ from fork to fork, and so do the L2
         * sets they fall in: one kernel on one virtual layout (-Xbatch) measured 0.27 to 0.40 ns per element at 16384
         * elements from fork to fork (AdaMax, AVX-512 Intel, 2026-12-06); on 2 MiB pages 0.27 to 0.32.
         */
        static final List<String> PAGES = hugePagesOffered() ? List.of("-XX:+UseTransparentHugePages") : List.of();

        /** Linux's transparent huge pages are {@code always} or {@code madvise} (the JVM asks by madvise). */
        static boolean hugePagesOffered() {
            if (!System.getProperty("os.name", "").startsWith("Linux")) {
                return false;
            }
            try {
                String mode = Files.readString(
                        Path.of("/sys/kernel/mm/transparent_hugepage/enabled"));
                return mode.contains("[always]") || mode.contains("[madvise]");
            } catch (IOException | SecurityException e) {
                return false;
            }
        }

        /** What its fork gets besides {@link #VECTOR_MODULE}: {@link #PAGES}, and for {@code scalar-strict} no auto-vectorization. */
        List<String> extraJvmArgs() {
            List<String> args = new ArrayList<>(PAGES);
            if (AdamBenchmark.SCALAR_STRICT.equals(params.get("kernel"))) {
                args.add("-XX:-UseSuperWord");
            }
            return List.copyOf(args);
        }

        /** Elements: the {@code size} parameter, or a table's {@code rows x dim}; 0 for neither. */
        long size() {
            String s = params.get("size");
            if (s != null) {
                return Long.parseLong(s);
            }
            String rows = params.get("rows");
            String dim = params.get("dim");
            return rows == null || dim == null ? 0 : Long.parseLong(rows) * Long.parseLong(dim);
        }
    }

    /** How long each run warms up and measures. */
    record Timing(int warmupIterations, int warmupMillis, int iterations, int iterationMillis) {
        static final Timing QUICK = new Timing(2, 600, 3, 500);
        static final Timing FULL = new Timing(3, 1000, 5, 1000);

        /**
         * A guess at one run's wall time: its iterations, a fork's start-up, and the setup, which fills and checks
         * seven arrays of {@code size} elements.
         */
        double seconds(Run run) {
            double bytes = "f64".equals(run.params().get("precision")) ? 8 : 4;
            return (warmupIterations * warmupMillis + iterations * iterationMillis) / 1000.0 + 1.5
                    + run.size() * bytes * 30e-9;
        }
    }

    final String name;
    final Timing timing;
    final List<Run> runs;
    /** Runs left out because their lane width is emulated at a size where that takes too long. */
    final List<Run> skipped;

    private BenchPlan(String name, Timing timing, List<Run> runs, List<Run> skipped) {
        this.name = name;
        this.timing = timing;
        this.runs = List.copyOf(runs);
        this.skipped = List.copyOf(skipped);
    }

    /**
     * The default suite: the fused Adam step of every kernel (each lane width, the facade's choice, both scalar
     * baselines) at both precisions on a cache-resident size; the moment and parameter steps and AdamW for the vector
     * and scalar kernels; the float kernels far beyond the caches on 1 and 2 threads and at 256 Ki on 1 and 2; the
     * vector kernel's fused step on heap segments ({@code MemorySegment.ofArray}) at the cache-resident size and far
     * beyond the caches, against its array rows; the gradient's sum of squares ({@code gradnorm}) for every kernel at
     * the cache-resident size and for the vector and both scalar kernels far beyond the caches; the guarded optimizer
     * step ({@code fused-guarded}: skip non-finite, step statistics) with the vector kernel at both sizes; and the
     * roofline at each of those sizes; Adam with bf16 parameters and gradients ({@code LowPrecisionAdamBenchmark},
     * f32 moments) with the vector kernel, rounded to nearest and stochastically, at both sizes, its scalar kernel
     * and fp16 at 16384; Adam with 8-bit moments ({@code Adam8bitBenchmark}) on f32 and on bf16 parameters and
     * gradients with the vector kernel at both sizes and on f32 with the scalar one at 16384; Adam with bf16 moments
     * rounded to nearest on f32 parameters and gradients ({@code AdamBf16StatesBenchmark}) with the vector kernel at
     * both sizes; each of Adam's relatives
     * on float at the cache-resident size with the vector kernel and both scalar baselines; and the lazy rows of a
     * 1,000,000 x 64 float table, {@code lazy}, {@code exact} and {@code dense}, one run each.
     */
    static BenchPlan quick(Emulation emulation) {
        List<Run> runs = new ArrayList<>();
        for (String precision : List.of("f32", "f64")) {
            for (String kernel : kernels()) {
                runs.add(adam("fused", kernel, precision, "adam", CACHE_RESIDENT, 1));
            }
        }
        for (String op : List.of("moments", "params")) {
            for (String kernel : List.of("vector", "scalar")) {
                runs.add(adam(op, kernel, "f32", "adam", CACHE_RESIDENT, 1));
            }
        }
        for (String kernel : List.of("vector", "scalar")) {
            runs.add(adam("fused", kernel, "f32", "adamw", CACHE_RESIDENT, 1));
        }
        for (int threads : List.of(1, 2)) {
            runs.add(adam("fused", "vector", "f32", "adam", THREADS_CHECK, threads));
        }
        for (String kernel : List.of("vector", "scalar", "scalar-strict")) {
            runs.add(adam("fused", kernel, "f32", "adam", MEMORY_BOUND, 1));
        }
        runs.add(adam("fused", "vector", "f32", "adam", MEMORY_BOUND, 2));
        for (int size : List.of(CACHE_RESIDENT, MEMORY_BOUND)) {
            runs.add(adam(FUSED_HEAP_SEGMENT, "vector", "f32", "adam", size, 1));
        }
        for (String kernel : kernels()) {
            runs.add(adam(GRADNORM, kernel, "f32", "adam", CACHE_RESIDENT, 1));
        }
        for (String kernel : List.of("vector", "scalar", "scalar-strict")) {
            runs.add(adam(GRADNORM, kernel, "f32", "adam", MEMORY_BOUND, 1));
        }
        for (int size : List.of(CACHE_RESIDENT, MEMORY_BOUND)) {
            runs.add(adam(FUSED_GUARDED, "vector", "f32", "adam", size, 1));
        }
        for (int size : List.of(CACHE_RESIDENT, MEMORY_BOUND)) {
            for (String op : List.of("fused", "fusedStochastic")) {
                runs.add(lowPrecisionAdam(op, "vector", "bf16", size));
            }
        }
        runs.add(lowPrecisionAdam("fused", "scalar", "bf16", CACHE_RESIDENT));
        runs.add(lowPrecisionAdam("fused", "vector", "fp16", CACHE_RESIDENT));
        for (int size : List.of(CACHE_RESIDENT, MEMORY_BOUND)) {
            runs.add(adam8bit("vector", "f32", size));
            runs.add(adam8bit("vector", "bf16", size));
        }
        runs.add(adam8bit("scalar", "f32", CACHE_RESIDENT));
        for (int size : List.of(CACHE_RESIDENT, MEMORY_BOUND)) {
            runs.add(adamBf16States("vector", size));
        }
        for (String precision : List.of("f32", "f64")) {
            for (int size : List.of(CACHE_RESIDENT, MEMORY_BOUND)) {
                runs.add(roofline(precision, size, 1));
            }
        }
        for (int size : List.of(THREADS_CHECK, MEMORY_BOUND)) {
            for (int threads : List.of(1, 2)) {
                if (size != MEMORY_BOUND || threads != 1) {
                    runs.add(roofline("f32", size, threads));
                }
            }
        }
        for (String variant : org.adam4j.bench.Relative.ids()) {
            for (String kernel : RELATIVES_KERNELS) {
                runs.add(relative(kernel, "f32", variant, CACHE_RESIDENT, 1));
            }
        }
        for (String op : List.of("lazy", "exact", "dense")) {
            runs.add(lazyRows(op, "vector", "f32"));
        }
        return new BenchPlan("quick", Timing.QUICK, runs, List.of()).withoutEmulatedAbove(emulation, Integer.MAX_VALUE);
    }

    /**
     * Every benchmark in the jar (this module's and any added later) at every value of each of its parameters, except
     * that emulated lane widths stop at {@link #EMULATED_MAX_SIZE} elements.
     */
    static BenchPlan full(Emulation emulation) {
        List<Run> runs = new ArrayList<>();
        Set<BenchmarkListEntry> entries = new TreeSet<>(BenchmarkList.defaultList().getAll(
                OutputFormatFactory.createFormatInstance(System.err, VerboseMode.SILENT), List.of()));
        for (BenchmarkListEntry e : entries) {
            Map<String, String[]> params = e.getParams().orElse(Map.of());
            product(e.getUsername(), new ArrayList<>(params.keySet()), params, 0, new LinkedHashMap<>(), runs);
        }
        return new BenchPlan("full", Timing.FULL, runs, List.of()).withoutEmulatedAbove(emulation, EMULATED_MAX_SIZE);
    }

    /** The kernels the benchmarks measure, as {@link AdamBenchmark}'s {@code kernel} parameter lists them. */
    static List<String> kernels() {
        return List.of("vector-64", "vector-128", "vector-256", "vector-512", "vector", "scalar", "scalar-strict");
    }

    private static void product(String benchmark, List<String> names, Map<String, String[]> values, int index,
            LinkedHashMap<String, String> chosen, List<Run> out) {
        if (index == names.size()) {
            out.add(new Run(benchmark, chosen));
            return;
        }
        String name = names.get(index);
        for (String value : values.get(name)) {
            chosen.put(name, value);
            product(benchmark, names, values, index + 1, chosen, out);
        }
        chosen.remove(name);
    }

    private BenchPlan withoutEmulatedAbove(Emulation emulation, int maxSize) {
        List<Run> kept = new ArrayList<>();
        List<Run> left = new ArrayList<>(skipped);
        for (Run r : runs) {
            boolean emulated = emulation.emulated(r.params().get("kernel"), r.params().get("precision"));
            (emulated && r.size() > maxSize ? left : kept).add(r);
        }
        return new BenchPlan(name, timing, kept, left);
    }

    /** The runs whose {@link Run#label() label} contains a match of {@code include}. */
    BenchPlan including(Pattern include) {
        return new BenchPlan(name, timing, runs.stream().filter(r -> include.matcher(r.label()).find()).toList(),
                skipped.stream().filter(r -> include.matcher(r.label()).find()).toList());
    }

    double estimatedSeconds() {
        return runs.stream().mapToDouble(timing::seconds).sum();
    }

    static Run adam(String op, String kernel, String precision, String variant, int size, int threads) {
        return arrays(ADAM + "." + op, kernel, precision, variant, size, threads);
    }

    /** Adam's step on 16-bit parameters and gradients, {@code op} naming the rounding, on 1 thread. */
    static Run lowPrecisionAdam(String op, String kernel, String precision, int size) {
        return arrays(LOW_PRECISION_ADAM + "." + op, kernel, precision, "adam", size, 1);
    }

    /** Adam's step on f32 parameters and gradients with 8-bit blockwise moments, on 1 thread. */
    static Run adam8bit(String kernel, String precision, int size) {
        return withStates(arrays(ADAM_8BIT + ".fused", kernel, precision, "adam", size, 1), "8bit");
    }

    /** Adam's step on f32 parameters and gradients with bf16 moments rounded to nearest, on 1 thread. */
    static Run adamBf16States(String kernel, int size) {
        return withStates(arrays(ADAM_BF16_STATES + ".fused", kernel, "f32", "adam", size, 1), "bf16");
    }

    /** {@code r} with its moments in {@code statePrecision} (the gradient is in the parameters' precision). */
    private static Run withStates(Run r, String statePrecision) {
        Map<String, String> p = new LinkedHashMap<>(r.params());
        p.put("statePrecision", statePrecision);
        return new Run(r.benchmark(), p);
    }

    static Run relative(String kernel, String precision, String variant, int size, int threads) {
        return arrays(RELATIVES + ".fused", kernel, precision, variant, size, threads);
    }

    /** A run of a benchmark with {@code AdamBenchmark}'s parameters. */
    private static Run arrays(String benchmark, String kernel, String precision, String variant, int size,
            int threads) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("kernel", kernel);
        p.put("precision", precision);
        p.put("variant", variant);
        p.put("size", Integer.toString(size));
        p.put("threads", Integer.toString(threads));
        return new Run(benchmark, p);
    }

    /** {@code op} ({@code lazy}, {@code exact} or {@code dense}) on the benchmark's default table. */
    static Run lazyRows(String op, String kernel, String precision) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("kernel", kernel);
        p.put("precision", precision);
        p.put("rows", "1000000");
        p.put("dim", "64");
        p.put("touchedPercent", "1");
        return new Run(LAZY_ROWS + "." + op, p);
    }

    static Run roofline(String precision, int size, int threads) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("precision", precision);
        p.put("size", Integer.toString(size));
        p.put("threads", Integer.toString(threads));
        return new Run(ROOFLINE + ".roofline", p);
    }

    /**
     * Which vector kernels the JIT cannot compile to vector instructions here: those wider than
     * {@code MaxVectorSize}, and those of a single lane (C2 needs two at least), which it runs as Java code that boxes
     * every vector.
     */
    record Emulation(int maxVectorBytes) {
        /** Calls nothing emulated: for a JVM that does not say its {@code MaxVectorSize}. */
        static final Emulation NONE = new Emulation(0);

        static Emulation of(MachineInfo m) {
            try {
                return new Emulation(Integer.parseInt(m.maxVectorSize));
            } catch (NumberFormatException e) {
                return NONE;
            }
        }

        boolean emulated(String kernel, String precision) {
            if (maxVectorBytes <= 0 || kernel == null || !kernel.startsWith("vector-") || precision == null) {
                return false;
            }
            int bits;
            try {
                bits = Integer.parseInt(kernel.substring("vector-".length()));
            } catch (NumberFormatException e) {
                return false;
            }
            int elementBits = precision.equals("f64") ? 64 : 32;
            return bits / 8 > maxVectorBytes || bits / elementBits < 2;
        }

        /** For example {@code vector-512 (f32, f64), vector-64 (f64)}; empty when nothing is emulated. */
        String describe() {
            List<String> parts = new ArrayList<>();
            for (String kernel : kernels()) {
                List<String> precisions = new ArrayList<>();
                for (String p : List.of("f32", "f64")) {
                    if (emulated(kernel, p)) {
                        precisions.add(p);
                    }
                }
                if (!precisions.isEmpty()) {
                    parts.add(kernel + " (" + String.join(", ", precisions) + ")");
                }
            }
            return String.join(", ", parts);
        }
    }
}
