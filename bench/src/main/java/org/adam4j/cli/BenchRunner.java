package org.adam4j.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs a {@link BenchPlan} through JMH's Runner API in this JVM, one run (one fork) at a time: prints a progress line
 * before each, sends JMH's own report to {@code jmh.log}, and rewrites JMH's JSON after each so that an interrupted
 * suite keeps what it measured.
 */
final class BenchRunner {
    static final String JSON = "jmh-result.json";
    static final String LOG = "jmh.log";

    private final Path dir;
    private final PrintStream out;

    BenchRunner(Path dir, PrintStream out) {
        this.dir = dir;
        this.out = out;
    }

    /** What a suite produced: JMH's results, and the runs that failed (their reason is in {@code jmh.log}). */
    record Outcome(List<RunResult> results, List<String> failures) {
    }

    Outcome run(BenchPlan plan) throws IOException {
        List<RunResult> results = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        Path json = dir.resolve(JSON);
        long start = System.nanoTime();
        double plannedDone = 0;
        double plannedLeft = plan.estimatedSeconds();
        try (OutputStream logFile = Files.newOutputStream(dir.resolve(LOG));
                PrintStream log = new PrintStream(logFile, true, StandardCharsets.UTF_8)) {
            for (int i = 0; i < plan.runs.size(); i++) {
                BenchPlan.Run run = plan.runs.get(i);
                double elapsed = (System.nanoTime() - start) / 1e9;
                // The plan's guess, scaled by how far off it has been on this machine so far.
                double pace = plannedDone > 0 ? elapsed / plannedDone : 1.0;
                out.printf(Locale.ROOT, "[%" + width(plan.runs.size()) + "d/%d] %s   (%s elapsed, about %s left)%n",
                        i + 1, plan.runs.size(), run.label(), clock(elapsed), clock(plannedLeft * pace));
                out.flush();
                try {
                    RunResult r = new Runner(options(run, plan.timing),
                            OutputFormatFactory.createFormatInstance(log, VerboseMode.NORMAL)).runSingle();
                    results.add(r);
                    out.println("        " + brief(r));
                    write(json, results);
                } catch (RunnerException | RuntimeException e) {
                    failures.add(run.label());
                    out.println("        FAILED (see " + dir.resolve(LOG) + "): " + firstLine(e));
                    e.printStackTrace(log);
                }
                double planned = plan.timing.seconds(run);
                plannedDone += planned;
                plannedLeft -= planned;
            }
        }
        write(json, results);
        out.printf(Locale.ROOT, "ran %d of %d in %s%n", results.size(), plan.runs.size(),
                clock((System.nanoTime() - start) / 1e9));
        return new Outcome(results, failures);
    }

    static org.openjdk.jmh.runner.options.Options options(BenchPlan.Run run, BenchPlan.Timing t) {
        ChainedOptionsBuilder b = new OptionsBuilder()
                .include("^" + Pattern.quote(run.benchmark()) + "$")
                .mode(Mode.AverageTime)
                .timeUnit(TimeUnit.NANOSECONDS)
                .forks(1)
                .warmupIterations(t.warmupIterations())
                .warmupTime(TimeValue.milliseconds(t.warmupMillis()))
                .measurementIterations(t.iterations())
                .measurementTime(TimeValue.milliseconds(t.iterationMillis()))
                // Both set, so that neither the host JVM's options nor the benchmarks' annotations add to them.
                .jvmArgs(BenchPlan.Run.VECTOR_MODULE.toArray(String[]::new))
                .jvmArgsAppend(run.extraJvmArgs().toArray(String[]::new))
                .addProfiler(GCProfiler.class)
                .shouldFailOnError(true);
        run.params().forEach(b::param);
        return b.build();
    }

    private static void write(Path json, List<RunResult> results) throws IOException {
        Path tmp = json.resolveSibling(json.getFileName() + ".tmp");
        try (PrintStream ps = new PrintStream(Files.newOutputStream(tmp), false, StandardCharsets.UTF_8)) {
            ResultFormatFactory.getInstance(ResultFormatType.JSON, ps).writeOut(results);
        }
        Files.move(tmp, json, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private static String brief(RunResult r) {
        var primary = r.getPrimaryResult();
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%.1f %s", primary.getScore(),
                primary.getScoreUnit()));
        String size = r.getParams().getParam("size");
        if (size != null && primary.getScoreUnit().equals("ns/op")) {
            sb.append(String.format(Locale.ROOT, " = %.3f ns/element", primary.getScore() / Long.parseLong(size)));
        }
        var alloc = r.getSecondaryResults().get("gc.alloc.rate.norm");
        if (alloc != null) {
            sb.append(String.format(Locale.ROOT, ", %.1f B/op allocated", alloc.getScore()));
        }
        return sb.toString();
    }

    /** The first line of what went wrong in the fork: JMH reports it as suppressed by its own exceptions. */
    static String firstLine(Throwable e) {
        Throwable t = e;
        for (int depth = 0; depth < 10; depth++) {
            if (t.getSuppressed().length > 0) {
                t = t.getSuppressed()[0];
            } else if (t.getCause() != null && t.getCause() != t) {
                t = t.getCause();
            } else {
                break;
            }
        }
        String m = t == e ? String.valueOf(e.getMessage()) : t.getClass().getSimpleName() + ": " + t.getMessage();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    private static int width(int n) {
        return Integer.toString(n).length();
    }

    /** {@code h:mm:ss} or {@code m:ss}. */
    static String clock(double seconds) {
        long s = Math.max(0, Math.round(seconds));
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
