package org.adam4j.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.adam4j.train.Charts;
import org.adam4j.train.FunctionDemo;
import org.adam4j.train.FunctionRun;
import org.adam4j.train.Optimizers;
import org.adam4j.train.TestFunction;

/**
 * {@code ./adam4j demo functions}: each optimizer on Beale's function, Rosenbrock's valley and a saddle, from their
 * standard starting points; prints how many steps each needs and draws the paths on contour plots.
 */
final class DemoCommand implements Command {
    private static final Set<String> OPTIONS = Set.of("--optimizers", "--steps", "--out");

    @Override
    public String name() {
        return "demo";
    }

    @Override
    public String summary() {
        return "demo functions: optimizer paths on Beale, Rosenbrock and a saddle, with contour plots";
    }

    @Override
    public String usage() {
        return "usage: ./adam4j demo functions [--optimizers NAME,...] [--steps N] [--out DIR]\n\n"
                + "Runs each optimizer on Beale's function from (1, 1), Rosenbrock's valley from (-1.2, 1) and the\n"
                + "saddle x^2 - y^2 from (1, 0.001). Prints, per function and optimizer, the steps until the point is\n"
                + "within " + TestFunction.TOLERANCE + " of the minimum (on the saddle: until |y| >= "
                + TestFunction.ESCAPE_DISTANCE + "), or 'not reached', and the final point;\n"
                + "draws one PNG per function with each optimizer's path on the contour plot.\n\n"
                + "  --optimizers LIST  default " + String.join(",", FunctionDemo.OPTIMIZERS) + "; any of\n"
                + "                     " + String.join(", ", Optimizers.NAMES) + "\n"
                + "                     (each at the learning rate measured for it on each function; see the README)\n"
                + "  --steps N          steps per run; default " + FunctionDemo.STEPS + ", at most "
                + FunctionDemo.MAX_STEPS + "\n"
                + "  --out DIR          where the charts go (DIR/functions-beale.png, ...); default "
                + TrainCommand.DEFAULT_OUT + "\n";
    }

    @Override
    public int run(String[] args, PrintStream out, PrintStream err)
            throws UsageException, UnusableException, IOException {
        Flags f = Flags.parse(args, OPTIONS);
        if (f.positional().size() != 1 || !f.positional().get(0).equals("functions")) {
            throw new UsageException(f.positional().isEmpty() ? "which demo? the one there is: functions"
                    : "unknown demo '" + String.join(" ", f.positional()) + "'; the one there is: functions");
        }
        List<String> names = new ArrayList<>();
        for (String name : f.list("--optimizers", String.join(",", FunctionDemo.OPTIMIZERS))) {
            String n;
            try {
                n = Optimizers.normalize(name);
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
            if (names.contains(n)) {
                throw new UsageException("optimizer '" + n + "' listed twice");
            }
            names.add(n);
        }
        int steps = f.intInRange("--steps", FunctionDemo.STEPS, 1, FunctionDemo.MAX_STEPS);
        Path outDir = Path.of(f.string("--out", TrainCommand.DEFAULT_OUT));
        Outputs.checkFolder(outDir, "--out");
        for (TestFunction fn : TestFunction.values()) {
            Outputs.checkFile(chart(outDir, fn), "--out");
        }
        for (TestFunction fn : TestFunction.values()) {
            double[] start = fn.start();
            out.printf(Locale.ROOT, "%s (%s) from (%s, %s), %d steps; goal: %s%n", fn.id(), fn.title(), start[0],
                    start[1], steps, fn.goal());
            List<FunctionRun> runs = new ArrayList<>();
            for (String name : names) {
                FunctionRun run = FunctionRun.run(fn, name, FunctionDemo.lr(name), steps);
                runs.add(run);
                String outcome = run.stepsToGoal() >= 0 ? run.stepsToGoal() + " steps" : "not reached";
                String end = run.divergedAtStep() >= 0 ? "diverged at step " + run.divergedAtStep()
                        : "final (" + coordinate(run.finalX()) + ", " + coordinate(run.finalY()) + ")";
                out.printf(Locale.ROOT, "  %-13s lr %-7s %-12s %s%n", name, run.lr(), outcome, end);
            }
            Path chart = chart(outDir, fn);
            Charts.saveContour(chart, fn, runs);
            out.println("  chart: " + chart);
        }
        return OK;
    }

    private static Path chart(Path outDir, TestFunction fn) {
        return outDir.resolve("functions-" + fn.id() + ".png");
    }

    /** Six decimals, or six significant digits with an exponent once a run has flown far off the chart. */
    private static String coordinate(double v) {
        return String.format(Locale.ROOT, Math.abs(v) < 1e6 ? "%.6f" : "%.6e", v);
    }
}
