package org.adam4j.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.adam4j.bench.Relative;

/**
 * JMH's JSON results as the rows of {@code summary.csv} and of the printed table.
 *
 * <p>A result becomes a row by its benchmark method ({@code op}, in lower case with hyphens between words:
 * {@code fusedHeapSegment} is {@code fused-heap-segment}) and its parameters: {@code kernel},
 * {@code precision} ({@code f32} or {@code f64}; {@code float} and {@code double} are read as those), {@code size} in
 * elements, {@code threads} (else JMH's thread count) and {@code variant} ({@code adam}, {@code adamw}, or one of
 * Adam's relatives: {@code adamax}, {@code nadam}, {@code radam}, {@code sgd-momentum}, {@code sgd-nesterov},
 * {@code rmsprop}, {@code adagrad}, whose op is {@code fused}). Any benchmark with those parameters maps, whatever its
 * class; one without {@code kernel} is named by its class, one without {@code size} gets no per-element figures.
 *
 * <p>The lazy-rows benchmark maps to the variant {@value #LAZY_ROWS} with its op ({@code lazy}, {@code exact} or
 * {@code dense}), the table's {@code rows x dim} as its size (so ns per element is one step's time per table element,
 * the same scale for all three), and its bytes per element scaled by the touched fraction of the rows.
 */
final class BenchSummary {
    static final String CSV_HEADER = "kernel,precision,op,size,threads,ns_per_element,gb_per_s,alloc_bytes_per_op,"
            + "grad_precision,state_precision";
    static final String ROOFLINE = "roofline";
    /** The variant {@code summary.csv} holds; every other variant gets a {@code summary-VARIANT.csv} of its own. */
    static final String MAIN_VARIANT = "adam";
    /** The variant, and so the {@code summary-lazy-rows.csv}, of the lazy-rows benchmark. */
    static final String LAZY_ROWS = "lazy-rows";
    private static final String LAZY_ROWS_CLASS = "LazyRowsBenchmark";

    /**
     * One measured result. {@code size} is 0 and the per-element figures NaN when the benchmark has no size;
     * {@code allocBytesPerOp} is NaN without the gc profiler. {@code touched} is the fraction of the elements a call
     * reads and writes: 1 but for the lazy rows.
     */
    record Row(String variant, String kernel, String precision, String op, long size, int threads, double nsPerOp,
            double allocBytesPerOp, double touched, String gradPrecision, String statePrecision) {
        Row(String variant, String kernel, String precision, String op, long size, int threads, double nsPerOp,
                double allocBytesPerOp) {
            this(variant, kernel, precision, op, size, threads, nsPerOp, allocBytesPerOp, 1.0);
        }

        Row(String variant, String kernel, String precision, String op, long size, int threads, double nsPerOp,
                double allocBytesPerOp, double touched) {
            this(variant, kernel, precision, op, size, threads, nsPerOp, allocBytesPerOp, touched, precision,
                    stateOf(precision));
        }

        /** The state's precision when a benchmark does not say: float for 16-bit parameters, else the parameters'. */
        static String stateOf(String precision) {
            return precision.equals("bf16") || precision.equals("fp16") ? "f32" : precision;
        }

        double nsPerElement() {
            return size > 0 ? nsPerOp / size : Double.NaN;
        }

        /**
         * Bytes read and written per element, times the touched fraction: the parameters read and written, the
         * gradient read, each state array read and written (Adam's two; a relative's own count), by their precisions'
         * sizes (8-bit states: one byte, and a float absmax per block of 256 read and written); the moment and parameter
         * steps, the gradient's norm, the guarded step (which reads the gradient once more) and Kahan's compensation (a
         * second parameter-sized array read and written) by their own arrays.
         */
        double bytesPerElement() {
            int p = bytes(precision), g = bytes(gradPrecision), s = bytes(statePrecision);
            if (p == 0 || g == 0 || s == 0) {
                return Double.NaN;
            }
            int states = Relative.ids().contains(variant) ? Relative.of(variant).stateArrays() : 2;
            // 8-bit states also read and write one float absmax per block of 256 per state
            double absmax = statePrecision.equals("8bit") ? 2.0 * states * Float.BYTES / 256 : 0.0;
            int perElement = switch (op) {
                case "moments" -> g + 4 * s; // reads g, m, v; writes m, v
                case "params" -> 2 * p + 2 * s; // reads p, m, v; writes p
                case "gradnorm" -> g; // reads g
                case "fused-guarded" -> 2 * p + 2 * g + 2 * states * s;
                case "fused-kahan" -> 4 * p + g + 2 * states * s;
                // fused (on arrays or heap segments, any rounding), the roofline, a whole optimizer step, lazy rows
                default -> 2 * p + g + 2 * states * s;
            };
            return (perElement + absmax) * touched;
        }

        private static int bytes(String precision) {
            return switch (precision) {
                case "f64" -> 8;
                case "f32" -> 4;
                case "bf16", "fp16" -> 2;
                case "8bit" -> 1;
                default -> 0;
            };
        }

        double gbPerSecond() {
            return bytesPerElement() / nsPerElement();
        }

        boolean roofline() {
            return op.equals(ROOFLINE);
        }
    }

    final List<Row> rows;

    BenchSummary(List<Row> rows) {
        List<Row> sorted = new ArrayList<>(rows);
        sorted.sort(ORDER);
        this.rows = List.copyOf(sorted);
    }

    static BenchSummary read(Path json) throws IOException {
        try (Reader r = Files.newBufferedReader(json, StandardCharsets.UTF_8)) {
            return read(r);
        }
    }

    static BenchSummary read(Reader json) {
        JsonElement root = JsonParser.parseReader(json);
        List<Row> rows = new ArrayList<>();
        if (root.isJsonArray()) {
            for (JsonElement e : root.getAsJsonArray()) {
                if (e.isJsonObject()) {
                    row(e.getAsJsonObject()).ifPresent(rows::add);
                }
            }
        }
        return new BenchSummary(rows);
    }

    private static Optional<Row> row(JsonObject o) {
        String benchmark = string(o, "benchmark");
        JsonObject primary = o.has("primaryMetric") ? o.getAsJsonObject("primaryMetric") : null;
        if (benchmark == null || primary == null || !primary.has("score")) {
            return Optional.empty();
        }
        double nsPerOp = nanosPerOp(primary.get("score").getAsDouble(), string(primary, "scoreUnit"));
        Map<String, String> params = new HashMap<>();
        if (o.has("params") && o.get("params").isJsonObject()) {
            o.getAsJsonObject("params").entrySet().forEach(e -> params.put(e.getKey(), e.getValue().getAsString()));
        }
        int dot = benchmark.lastIndexOf('.');
        String op = op(benchmark.substring(dot + 1));
        String className = benchmark.substring(benchmark.lastIndexOf('.', dot - 1) + 1, Math.max(dot, 0));
        String kernel = params.getOrDefault("kernel", op.equals(ROOFLINE) ? ROOFLINE : className);
        String precision = precision(params.getOrDefault("precision", ""));
        long size = params.containsKey("size") ? Long.parseLong(params.get("size").trim())
                : params.containsKey("rows") && params.containsKey("dim")
                ? Long.parseLong(params.get("rows").trim()) * Long.parseLong(params.get("dim").trim()) : 0;
        boolean lazyRows = className.equals(LAZY_ROWS_CLASS);
        double touched = lazyRows && !op.equals("dense") && params.containsKey("touchedPercent")
                ? Double.parseDouble(params.get("touchedPercent").trim()) / 100 : 1.0;
        int threads = params.containsKey("threads") ? Integer.parseInt(params.get("threads").trim())
                : o.has("threads") ? o.get("threads").getAsInt() : 1;
        double alloc = Double.NaN;
        if (o.has("secondaryMetrics") && o.get("secondaryMetrics").isJsonObject()) {
            for (var e : o.getAsJsonObject("secondaryMetrics").entrySet()) {
                // Older JMH versions put a middle dot before the profiler's names.
                if (e.getKey().endsWith("gc.alloc.rate.norm") && e.getValue().isJsonObject()) {
                    alloc = e.getValue().getAsJsonObject().get("score").getAsDouble();
                }
            }
        }
        String gradPrecision = precision(params.getOrDefault("gradPrecision", precision));
        String statePrecision = precision(params.getOrDefault("statePrecision", Row.stateOf(precision)));
        return Optional.of(new Row(params.getOrDefault("variant", lazyRows ? LAZY_ROWS : ""), kernel, precision, op,
                size, threads, nsPerOp, alloc, touched, gradPrecision, statePrecision));
    }

    /** A benchmark method's name as an op: {@code fusedHeapSegment} is {@code fused-heap-segment}. */
    static String op(String method) {
        return method.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    private static String string(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? null : e.getAsString();
    }

    static String precision(String p) {
        return switch (p.trim().toLowerCase(Locale.ROOT)) {
            case "f32", "float", "float32" -> "f32";
            case "f64", "double", "float64" -> "f64";
            default -> p.trim().toLowerCase(Locale.ROOT);
        };
    }

    /** A score in JMH's units ({@code ns/op}, {@code us/op}, ..., or {@code ops/s}, ...) as nanoseconds per call. */
    static double nanosPerOp(double score, String unit) {
        if (unit == null) {
            return Double.NaN;
        }
        String[] parts = unit.split("/");
        if (parts.length != 2) {
            return Double.NaN;
        }
        if (parts[1].equals("op")) {
            return score * nanos(parts[0]);
        }
        if (parts[0].equals("ops")) {
            return nanos(parts[1]) / score;
        }
        return Double.NaN;
    }

    private static double nanos(String unit) {
        return switch (unit) {
            case "ns" -> 1;
            case "us" -> 1e3;
            case "ms" -> 1e6;
            case "s" -> 1e9;
            case "min" -> 60e9;
            default -> Double.NaN;
        };
    }

    /** {@code this} row's throughput over {@code baseKernel}'s at the same variant, op, precision, size and threads. */
    double speedupOver(Row r, String baseKernel) {
        return find(r.variant(), baseKernel, r.precision(), r.gradPrecision(), r.statePrecision(), r.op(), r.size(),
                r.threads()).map(b -> b.nsPerOp() / r.nsPerOp()).orElse(Double.NaN);
    }

    /** {@code r}'s bandwidth as a percentage of the roofline's at the same precision, size and threads. */
    double rooflinePercent(Row r) {
        return rooflineOf(r).map(roof -> 100 * r.gbPerSecond() / roof.gbPerSecond()).orElse(Double.NaN);
    }

    /** The roofline probe at {@code r}'s size and threads: the f32 one for 16-bit parameters (it has no other). */
    Optional<Row> rooflineOf(Row r) {
        String probe = r.precision().equals("bf16") || r.precision().equals("fp16") ? "f32" : r.precision();
        return find("", ROOFLINE, probe, probe, probe, ROOFLINE, r.size(), r.threads());
    }

    private Optional<Row> find(String variant, String kernel, String precision, String gradPrecision,
            String statePrecision, String op, long size, int threads) {
        return rows.stream().filter(x -> x.variant().equals(variant) && x.kernel().equals(kernel)
                && x.precision().equals(precision) && x.gradPrecision().equals(gradPrecision)
                && x.statePrecision().equals(statePrecision) && x.op().equals(op) && x.size() == size
                && x.threads() == threads).findFirst();
    }

    /** The console table's section of a row: by variant, and Adam's 8-bit and bf16 states apart from its f32 ones. */
    private static String section(Row r) {
        if (r.roofline()) {
            return "roofline (bandwidth probe: Adam's memory traffic, trivial arithmetic)";
        }
        if (r.statePrecision().equals("8bit")) {
            return "Adam with 8-bit blockwise moments (bitsandbytes' maps, blocks of 256)";
        }
        if (r.statePrecision().equals("bf16")) {
            return "Adam with bf16 moments";
        }
        return r.variant().equals("adam") ? "Adam" : r.variant().equals("adamw") ? "AdamW (decoupled weight decay)"
                : r.variant().equals(LAZY_ROWS) ? "lazy rows (one AdamW step on a table; per table element)"
                : r.variant().isEmpty() ? "other benchmarks" : r.variant();
    }

    /**
     * The CSV files: {@code summary.csv} with the rows of Adam, of benchmarks without a variant and of the roofline,
     * and for each other variant a {@code summary-VARIANT.csv} with its rows and the roofline's. Returns the files
     * written.
     */
    List<Path> writeCsv(Path dir) throws IOException {
        Map<String, List<Row>> byFile = new LinkedHashMap<>();
        byFile.put(MAIN_VARIANT, new ArrayList<>());
        for (Row r : rows) {
            if (!r.variant().isEmpty()) {
                byFile.computeIfAbsent(r.variant(), v -> new ArrayList<>());
            }
        }
        for (Row r : rows) {
            if (r.roofline()) {
                byFile.values().forEach(l -> l.add(r));
            } else {
                byFile.get(r.variant().isEmpty() ? MAIN_VARIANT : r.variant()).add(r);
            }
        }
        List<Path> written = new ArrayList<>();
        for (var e : byFile.entrySet()) {
            Path file = dir.resolve(e.getKey().equals(MAIN_VARIANT) ? "summary.csv" : "summary-" + e.getKey() + ".csv");
            try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                writeCsv(w, e.getValue());
            }
            written.add(file);
        }
        return written;
    }

    static void writeCsv(Writer w, List<Row> rows) throws IOException {
        w.write(CSV_HEADER);
        w.write('\n');
        for (Row r : rows) {
            w.write(String.join(",", csvField(r.kernel()), csvField(r.precision()), csvField(r.op()),
                    r.size() > 0 ? Long.toString(r.size()) : "", Integer.toString(r.threads()),
                    number(r.nsPerElement(), "%.5f"), number(r.gbPerSecond(), "%.4f"),
                    number(r.allocBytesPerOp(), "%.3f"), csvField(r.gradPrecision()), csvField(r.statePrecision())));
            w.write('\n');
        }
    }

    private static String csvField(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    private static String number(double x, String format) {
        return Double.isFinite(x) ? String.format(Locale.ROOT, format, x) : "";
    }

    /**
     * The printed table, one section per variant and one for the roofline. Kernels {@code emulation} calls emulated
     * are starred and explained below.
     */
    String table(BenchPlan.Emulation emulation) {
        StringBuilder sb = new StringBuilder();
        Map<String, List<Row>> sections = new LinkedHashMap<>();
        for (Row r : rows) {
            sections.computeIfAbsent(section(r), t -> new ArrayList<>()).add(r);
        }
        // the op column as wide as its longest name (fused-heap-segment), so the columns stay aligned
        int opWidth = Math.max(9, rows.stream().mapToInt(r -> r.op().length()).max().orElse(0));
        String format = "%-15s %-4s %-" + opWidth + "s %9s %3s %9s %7s %9s %9s %6s %9s%n";
        boolean starred = false;
        for (var e : sections.entrySet()) {
            sb.append('\n').append(e.getKey()).append('\n');
            sb.append(String.format(Locale.ROOT, format, "kernel", "prec", "op", "size", "thr", "ns/elem", "GB/s",
                    "x scalar", "x strict", "%roof", "alloc B/op"));
            for (Row r : e.getValue()) {
                boolean emulated = emulation.emulated(r.kernel(), r.precision());
                starred |= emulated;
                sb.append(String.format(Locale.ROOT, format, r.kernel() + (emulated ? " *" : ""), r.precision(),
                        r.op(), r.size() > 0 ? Long.toString(r.size()) : "-", Integer.toString(r.threads()),
                        fixed(r.nsPerElement(), 3), fixed(r.gbPerSecond(), 1),
                        r.roofline() ? "" : times(speedupOver(r, "scalar")),
                        r.roofline() ? "" : times(speedupOver(r, "scalar-strict")),
                        r.roofline() ? "" : percent(rooflinePercent(r)), alloc(r.allocBytesPerOp())));
            }
        }
        if (starred) {
            sb.append("\n* emulated: the JIT cannot compile this lane width to vector instructions on this machine ("
                    + emulation.describe() + "), so it boxes every vector; its alloc column shows it.\n");
        }
        return sb.toString();
    }

    private static String fixed(double x, int digits) {
        return Double.isFinite(x) ? String.format(Locale.ROOT, "%." + digits + "f", x) : "-";
    }

    private static String times(double x) {
        return Double.isFinite(x) ? String.format(Locale.ROOT, "%.2fx", x) : "-";
    }

    private static String percent(double x) {
        return Double.isFinite(x) ? String.format(Locale.ROOT, "%.0f%%", x) : "-";
    }

    private static String alloc(double x) {
        return !Double.isFinite(x) ? "-" : x < 10 ? String.format(Locale.ROOT, "%.1f", x)
                : String.format(Locale.ROOT, "%.0f", x);
    }

    private static final List<String> OP_ORDER = List.of("fused", "fused-heap-segment", "moments", "params", "lazy",
            "exact", "dense");
    private static final List<String> VARIANT_ORDER = variantOrder();

    private static List<String> variantOrder() {
        List<String> order = new ArrayList<>(List.of("adam", "adamw"));
        order.addAll(Relative.ids());
        order.add(LAZY_ROWS);
        return List.copyOf(order);
    }

    private static int rank(List<String> order, String s) {
        int i = order.indexOf(s);
        return i < 0 ? order.size() : i;
    }

    /** Variants, then the roofline; within them op, precision, size, threads, and kernels in the usual order. */
    static final Comparator<Row> ORDER = Comparator
            .comparing((Row r) -> r.roofline())
            .thenComparing(r -> r.variant().isEmpty())
            .thenComparingInt(r -> rank(VARIANT_ORDER, r.variant()))
            .thenComparing(Row::variant)
            .thenComparingInt(r -> rank(OP_ORDER, r.op()))
            .thenComparing(Row::op)
            .thenComparing(Row::precision)
            .thenComparingLong(Row::size)
            .thenComparingInt(Row::threads)
            .thenComparingInt(r -> rank(BenchPlan.kernels(), r.kernel()))
            .thenComparing(Row::kernel);
}
