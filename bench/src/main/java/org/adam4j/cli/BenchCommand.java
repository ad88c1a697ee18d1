package org.adam4j.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * {@code ./adam4j bench}: runs the JMH benchmarks of every kernel, the scalar baselines and the bandwidth roofline,
 * prints the machine and a table, and writes JMH's JSON, {@code summary.csv} and {@code chart.png}.
 */
final class BenchCommand implements Command {
    static final String DEFAULT_PARENT = "bench-results";

    @Override
    public String name() {
        return "bench";
    }

    @Override
    public String summary() {
        return "measure every kernel against the scalar baselines and the memory-bandwidth roofline (JMH)";
    }

    @Override
    public String usage() {
        return "usage: ./adam4j bench [--full] [--include REGEX] [--out DIR]\n\n"
                + "Runs the JMH benchmarks (one fork each) and prints the machine and a table: kernel, precision, op,\n"
                + "size, threads, ns per element, GB/s, speed-up over scalar and over scalar-strict, % of the roofline\n"
                + "at that size and thread count, and bytes allocated per call (JMH's gc profiler).\n\n"
                + "  (no option)      the quick suite, a few minutes: the fused step of every lane width, the facade's\n"
                + "                   choice and both scalar baselines at 16384 elements in f32 and f64, moments,\n"
                + "                   params and AdamW, 33554432 elements on 1 and 2 threads, the gradient's\n"
                + "                   sum of squares (op gradnorm) and the guarded optimizer step (op\n"
                + "                   fused-guarded: skip non-finite, step statistics), Adam on bf16 parameters\n"
                + "                   and gradients (ops fused, fused-stochastic) and fp16, Adam with 8-bit\n"
                + "                   and with bf16 moments (state_precision 8bit, bf16), and the roofline\n"
                + "  --full           every benchmark at every parameter value (hours); lane widths the JIT emulates\n"
                + "                   here stop at " + BenchPlan.EMULATED_MAX_SIZE + " elements\n"
                + "  --include REGEX  only the runs whose name matches REGEX (a Java regular expression, found anywhere\n"
                + "                   in names like 'AdamBenchmark.fused kernel=vector precision=f32 variant=adam\n"
                + "                   size=16384 threads=1' or 'RooflineBenchmark.roofline precision=f64 ...')\n"
                + "  --out DIR        the output folder (default: a new " + DEFAULT_PARENT + "/YYYYMMDD-HHMMSS)\n\n"
                + "Writes to the folder: jmh-result.json (JMH's JSON), summary.csv (columns\n"
                + "  " + BenchSummary.CSV_HEADER + ";\n"
                + "  precision is the parameters', grad_precision and state_precision the gradient's and the\n"
                + "  state's: f32, f64, bf16, fp16 or 8bit; Adam and the roofline), summary-adamw.csv (AdamW and the roofline, when run), one\n"
                + "  summary-VARIANT.csv per relative run (adamax, nadam, radam, sgd-momentum, sgd-nesterov, rmsprop,\n"
                + "  adagrad; op fused) and summary-lazy-rows.csv (ops lazy, exact, dense; size = the table's\n"
                + "  elements), chart.png (ns per element against size, one line per kernel, the roofline dashed)\n"
                + "  and jmh.log (JMH's report).\n";
    }

    /** The parsed command line. */
    record Options(boolean full, Pattern include, Path out) {
    }

    static Options parse(String[] args) throws UsageException {
        boolean full = false;
        Pattern include = null;
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                value = a.substring(eq + 1);
                a = a.substring(0, eq);
            }
            boolean takesValue = a.equals("--include") || a.equals("--out");
            if (takesValue && value == null) {
                if (++i >= args.length) {
                    throw new UsageException(a + " needs a value");
                }
                value = args[i];
            }
            switch (a) {
                case "--full" -> {
                    if (value != null) {
                        throw new UsageException("--full takes no value");
                    }
                    once(full, "--full given twice");
                    full = true;
                }
                case "--include" -> {
                    once(include != null, "--include given twice (combine the patterns with |)");
                    if (value.isEmpty()) {
                        throw new UsageException("--include needs a non-empty regular expression");
                    }
                    try {
                        include = Pattern.compile(value);
                    } catch (PatternSyntaxException e) {
                        throw new UsageException("--include '" + value + "' is not a valid regular expression: "
                                + e.getDescription());
                    }
                }
                case "--out" -> {
                    once(out != null, "--out given twice");
                    if (value.isBlank()) {
                        throw new UsageException("--out needs a folder name");
                    }
                    try {
                        out = Path.of(value);
                    } catch (java.nio.file.InvalidPathException e) {
                        throw new UsageException("--out '" + value + "' is not a valid path: " + e.getReason());
                    }
                }
                default -> throw new UsageException(a.startsWith("-") ? "unknown option '" + args[i] + "'"
                        : "unexpected argument '" + a + "'");
            }
        }
        return new Options(full, include, out);
    }

    private static void once(boolean seen, String message) throws UsageException {
        if (seen) {
            throw new UsageException(message);
        }
    }

    /** The suite the options ask for, or a usage error when nothing is left of it. */
    static BenchPlan plan(Options o, BenchPlan.Emulation emulation) throws UsageException {
        BenchPlan plan = o.full() ? BenchPlan.full(emulation) : BenchPlan.quick(emulation);
        if (o.include() != null) {
            plan = plan.including(o.include());
            if (plan.runs.isEmpty()) {
                throw new UsageException("no benchmark of the " + (o.full() ? "full" : "quick")
                        + " suite matches --include '" + o.include() + "'"
                        + (o.full() ? "" : " (add --full to choose from every benchmark)"));
            }
        }
        return plan;
    }

    /** The output folder: created, and refused when it is a file or cannot be made. */
    static Path outputFolder(Options o) throws UsageException {
        Path dir = o.out() != null ? o.out() : Path.of(DEFAULT_PARENT,
                LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT)));
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new UsageException("--out " + dir + " is a file, not a folder");
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UsageException("cannot create the output folder " + dir + ": " + e);
        }
        if (!Files.isWritable(dir)) {
            throw new UsageException("cannot write to the output folder " + dir);
        }
        return dir.toAbsolutePath().normalize();
    }

    @Override
    public int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Options o = parse(args);
        MachineInfo machine = MachineInfo.read();
        if (!machine.vectorModule) {
            throw new UsageException("the vector kernels need the jdk.incubator.vector module: run through ./adam4j, "
                    + "or java --add-modules jdk.incubator.vector");
        }
        BenchPlan.Emulation emulation = BenchPlan.Emulation.of(machine);
        BenchPlan plan = plan(o, emulation);
        Path dir = outputFolder(o);

        out.print(machine.describe());
        Files.writeString(dir.resolve("machine.txt"), machine.describe());
        out.printf(Locale.ROOT, "%n%s suite: %d runs, about %s (%d warm-up + %d measured iterations of %d ms, one fork"
                + " each, gc profiler%s)%n", plan.name, plan.runs.size(), BenchRunner.clock(plan.estimatedSeconds()),
                plan.timing.warmupIterations(), plan.timing.iterations(), plan.timing.iterationMillis(),
                BenchPlan.Run.PAGES.isEmpty() ? ", 4 KiB pages" : ", transparent huge pages");
        String emulated = emulation.describe();
        if (!emulated.isEmpty()) {
            out.println("emulated by the JIT on this machine (MaxVectorSize " + machine.maxVectorSize + " bytes): "
                    + emulated + (plan.skipped.isEmpty() ? "; measured all the same, at small sizes"
                    : "; " + plan.skipped.size() + " runs of those above " + BenchPlan.EMULATED_MAX_SIZE
                    + " elements are skipped"));
        }
        out.println();

        BenchRunner.Outcome outcome = new BenchRunner(dir, out).run(plan);
        BenchSummary summary = BenchSummary.read(dir.resolve(BenchRunner.JSON));
        out.print(summary.table(emulation));
        out.println();
        List<Path> csv = summary.writeCsv(dir);
        boolean chart = BenchChart.write(summary, dir.resolve(BenchChart.FILE));
        out.println("wrote " + dir.resolve(BenchRunner.JSON).getFileName() + ", "
                + String.join(", ", csv.stream().map(p -> p.getFileName().toString()).toList())
                + (chart ? ", " + BenchChart.FILE : "") + ", " + BenchRunner.LOG + " and machine.txt");
        if (!plan.skipped.isEmpty()) {
            out.println("skipped " + plan.skipped.size() + " runs of emulated lane widths above "
                    + BenchPlan.EMULATED_MAX_SIZE + " elements (" + emulated + ")");
        }
        if (!outcome.failures().isEmpty()) {
            err.println("adam4j bench: " + outcome.failures().size() + " run(s) failed: "
                    + String.join("; ", outcome.failures()) + " (see " + dir.resolve(BenchRunner.LOG) + ")");
        }
        out.println("results in " + dir);
        return outcome.failures().isEmpty() && !outcome.results().isEmpty() ? OK : FAILED;
    }
}
