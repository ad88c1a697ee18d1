package org.adam4j.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.adam4j.kernels.ParallelChunks;
import org.adam4j.optim.Optimizer;
import org.adam4j.optim.Precision;
import org.adam4j.optim.StatePrecision;
import org.adam4j.reference.Rounding;
import org.adam4j.train.Charts;
import org.adam4j.train.Dataset;
import org.adam4j.train.IdxFormatException;
import org.adam4j.train.Mlp;
import org.adam4j.train.Mnist;
import org.adam4j.train.Optimizers;
import org.adam4j.train.Trainer;
import org.adam4j.train.TwoMoons;
import org.adam4j.train.Workers;

/**
 * {@code ./adam4j train}: trains softmax regression or an MLP on MNIST (or the embedded two-moons set) and prints a
 * line per epoch, then {@code test_accuracy=0.9812} as the last line; draws the curves to a PNG.
 */
final class TrainCommand implements Command {
    static final int DEFAULT_HIDDEN = 256;
    static final int MNIST_EPOCHS = 10;
    static final int MOONS_EPOCHS = 50;
    static final int DEFAULT_BATCH = 128;
    static final String DEFAULT_OUT = "adam4j-out";
    private static final Set<String> OPTIONS = Set.of("--data", "--model", "--hidden", "--optimizer", "--lr",
            "--epochs", "--batch", "--seed", "--threads", "--compare", "--out", "--param-precision", "--rounding",
            "--state-precision");
    static final List<String> PRECISIONS = List.of("f32", "bf16", "fp16");
    static final List<String> ROUNDINGS = List.of("nearest", "stochastic", "kahan");
    static final List<String> STATE_PRECISIONS = java.util.Arrays.stream(StatePrecision.values())
            .map(StatePrecision::label).toList();

    /**
     * One training run: an optimizer, the precision its parameters and gradients are kept in, (for bf16 and fp16) how
     * a stepped parameter is stored, and the precision of its optimizer state.
     */
    record RunSpec(String optimizer, String precision, String rounding, String state) {
        /**
         * {@code adam}, {@code adam bf16 stochastic}, {@code adam 8bit states} or {@code adam bf16 kahan 8bit
         * states}: the progress prefix and the chart's legend.
         */
        String label() {
            return (precision.equals("f32") ? optimizer : optimizer + " " + precision + " " + rounding)
                    + (state.equals("f32") ? "" : " " + state + " states");
        }

        /** {@code adam}, {@code adam-bf16-stochastic} or {@code adam-8bit-states}: the chart's file name part. */
        String fileName() {
            return label().replace(' ', '-');
        }

        Precision parameterPrecision() {
            return Precision.valueOf(precision.toUpperCase(Locale.ROOT));
        }

        Rounding storageRounding() {
            return Rounding.valueOf(rounding.toUpperCase(Locale.ROOT));
        }

        StatePrecision statePrecision() {
            return StatePrecision.parse(state);
        }
    }

    @Override
    public String name() {
        return "train";
    }

    @Override
    public String summary() {
        return "train softmax regression or an MLP (EJML) with an optimizer on MNIST or two-moons; chart the curves";
    }

    @Override
    public String usage() {
        return "usage: ./adam4j train [--data DIR] [--model softmax|mlp] [--hidden 256,...] [--optimizer NAME] [--lr X]\n"
                + "                     [--epochs N] [--batch N] [--seed N] [--threads N] [--compare NAME,NAME,...]\n"
                + "                     [--param-precision f32|bf16|fp16] [--rounding nearest|stochastic|kahan]\n"
                + "                     [--state-precision f32|bf16|8bit] [--out DIR]\n\n"
                + "Trains a classifier whose matrix products run on EJML and whose parameters the optimizer updates,\n"
                + "prints a line per epoch (training loss and accuracy, test loss and accuracy, training time), and\n"
                + "ends with the test accuracy, exactly 'test_accuracy=0.9812'. The same seed gives the same numbers\n"
                + "for any thread count.\n\n"
                + "  --data DIR       MNIST's four IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte,\n"
                + "                   t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte; gzipped or not). Without it:\n"
                + "                   the embedded two-moons set (" + TwoMoons.TRAIN_ROWS + " training, " + TwoMoons.TEST_ROWS
                + " test points, fixed seed)\n"
                + "  --model M        softmax (multinomial logistic regression) or mlp (ReLU hidden layers); default mlp\n"
                + "  --hidden LIST    the MLP's hidden layer widths, comma-separated; default " + DEFAULT_HIDDEN + "\n"
                + "  --optimizer NAME " + String.join(", ", Optimizers.NAMES) + "; default adam\n"
                + "                   (sgd-momentum: momentum " + Optimizers.SGD_MOMENTUM + "; otherwise PyTorch's defaults)\n"
                + "  --lr X           learning rate; default PyTorch's (adam, adamw, radam 1e-3; adamax, nadam 2e-3;\n"
                + "                   rmsprop, adagrad 1e-2), sgd 0.1, sgd-momentum 0.01\n"
                + "  --epochs N       default " + MNIST_EPOCHS + " on MNIST, " + MOONS_EPOCHS + " on two-moons\n"
                + "  --batch N        examples per step; default " + DEFAULT_BATCH + "\n"
                + "  --seed N         initial weights and example order; default 1\n"
                + "  --threads N      threads for the matrix products and the optimizer; default 1, at most "
                + ParallelChunks.MAX_THREADS + "\n"
                + "  --compare LIST   train once per optimizer (same seed) and chart them together; the last line is\n"
                + "                   then the best test accuracy, after a line 'best=NAME'. An item may name the\n"
                + "                   precision, rounding and state precision too, NAME:PRECISION[:ROUNDING[:STATE]]\n"
                + "                   (adam:bf16:kahan, adam:f32::8bit); an empty field takes the option's value\n"
                + "  --param-precision P  f32 (default), bf16 or fp16: the parameters and gradients the optimizer\n"
                + "                   steps are kept in P, with float arithmetic; the forward and backward passes\n"
                + "                   read float copies widened from them after each step (no f32 master weights)\n"
                + "  --rounding R     how a bf16 or fp16 parameter is stored after its step: nearest (default),\n"
                + "                   stochastic (keyed by --seed, the step and the element) or kahan (a\n"
                + "                   compensation array in the parameter's precision)\n"
                + "  --state-precision S  f32 (default), bf16 or 8bit: the optimizer state (Adam's moments)\n"
                + "                   kept in S; 8bit is bitsandbytes' blockwise 8-bit moments (a byte per moment\n"
                + "                   and parameter, a float absmax per block of " + StatePrecision.BLOCK_SIZE
                + "), for adam and\n"
                + "                   adamw, any --param-precision; bf16 keeps them in bfloat16 (rounded\n"
                + "                   as --rounding says: stochastic stays stochastic, kahan rounds them to nearest)\n"
                + "  --out DIR        where the chart goes; default " + DEFAULT_OUT + "\n\n"
                + "Chart: DIR/train-DATA-MODEL-OPTIMIZER.png (-OPTIMIZER-PRECISION-ROUNDING.png for bf16 and fp16,\n"
                + "-OPTIMIZER-8bit-states.png for 8-bit states; DIR/train-DATA-MODEL-compare.png with --compare):\n"
                + "training loss (log scale) and test accuracy per epoch.\n"
                + "Exit status 2, before any training, for bad options (a state precision the optimizer cannot keep\n"
                + "among them), a malformed or empty data file, an --out that is a file, or a model too large for the\n"
                + "heap (one line saying what is wrong).\n";
    }

    @Override
    public int run(String[] args, PrintStream out, PrintStream err)
            throws UsageException, UnusableException, IOException {
        Flags f = Flags.parse(args, OPTIONS);
        if (!f.positional().isEmpty()) {
            throw new UsageException("unexpected argument '" + f.positional().get(0) + "'");
        }
        String model = f.choice("--model", "mlp", List.of("softmax", "mlp"));
        int[] hidden = new int[0];
        if (model.equals("mlp")) {
            List<String> widths = f.list("--hidden", Integer.toString(DEFAULT_HIDDEN));
            hidden = new int[widths.size()];
            for (int i = 0; i < hidden.length; i++) {
                hidden[i] = Flags.positiveInt("--hidden", widths.get(i));
            }
        } else if (f.has("--hidden")) {
            throw new UsageException("--hidden applies to --model mlp; softmax regression has no hidden layer");
        }
        if (f.has("--compare") && f.has("--optimizer")) {
            throw new UsageException("give --optimizer or --compare, not both");
        }
        String precision = f.choice("--param-precision", "f32", PRECISIONS);
        if (f.has("--rounding") && precision.equals("f32")) {
            throw new UsageException("--rounding applies to --param-precision bf16 or fp16");
        }
        String rounding = f.choice("--rounding", "nearest", ROUNDINGS);
        String state = f.choice("--state-precision", "f32", STATE_PRECISIONS);
        List<RunSpec> specs = new ArrayList<>();
        for (String item : f.list(f.has("--compare") ? "--compare" : "--optimizer", "adam")) {
            RunSpec spec = runSpec(item, precision, rounding, state, f.has("--compare"));
            for (RunSpec other : specs) {
                if (other.label().equals(spec.label())) {
                    throw new UsageException((spec.label().equals(spec.optimizer()) ? "optimizer '" : "run '")
                            + spec.label() + "' listed twice");
                }
            }
            specs.add(spec);
        }
        for (RunSpec spec : specs) {
            try {
                Optimizers.requireSupported(spec.optimizer(), spec.parameterPrecision(), spec.statePrecision());
            } catch (IllegalArgumentException e) {
                throw new UsageException((f.has("--compare") ? "run '" + spec.label() + "': " : "")
                        + e.getMessage());
            }
        }
        double lr = f.positiveDouble("--lr");
        int batch = f.positiveInt("--batch", DEFAULT_BATCH);
        long seed = f.longValue("--seed", 1);
        int threads = f.threads();
        int epochs = f.positiveInt("--epochs", f.has("--data") ? MNIST_EPOCHS : MOONS_EPOCHS);
        Path outDir = Path.of(f.string("--out", DEFAULT_OUT));
        String dataName = f.has("--data") ? "mnist" : "two-moons";
        boolean compare = specs.size() > 1;
        Path chart = outDir.resolve("train-" + dataName + "-" + model + "-"
                + (compare ? "compare" : specs.get(0).fileName()) + ".png");
        // Before any work: a run of minutes must not end in an error about where its chart goes.
        Outputs.checkFolder(outDir, "--out");
        Outputs.checkFile(chart, "--out");

        Dataset.Split data;
        if (f.has("--data")) {
            try {
                data = Mnist.load(Path.of(f.string("--data", null)));
            } catch (IdxFormatException e) {
                err.println("adam4j train: " + e.getMessage());
                return USAGE;
            } catch (IOException e) {
                err.println("adam4j train: cannot read the data: " + ValidateCommand.message(e));
                return USAGE;
            }
        } else {
            data = TwoMoons.split();
        }
        checkModelFits(data, hidden, batch, threads);
        Trainer.Settings settings = new Trainer.Settings(epochs, batch, seed);
        out.printf(Locale.ROOT, "data: %s: %d training, %d test examples, %d features, %d classes%n",
                data.description(), data.train().rows(), data.test().rows(), data.train().features(),
                data.train().classes());

        Map<String, List<Trainer.Epoch>> runs = new LinkedHashMap<>();
        Map<String, Double> accuracy = new LinkedHashMap<>();
        String shape = "";
        try (Workers workers = new Workers(threads)) {
            for (RunSpec spec : specs) {
                String name = spec.optimizer();
                Mlp mlp = new Mlp(data.train().features(), hidden, data.train().classes(), seed);
                double rate = Double.isNaN(lr) ? Optimizers.defaultLr(name) : lr;
                Optimizer<?> optimizer;
                try {
                    optimizer = Optimizers.create(name, rate, threads, spec.storageRounding(), seed,
                            spec.statePrecision());
                } catch (IllegalArgumentException e) {
                    throw new UsageException(e.getMessage());
                }
                List<Trainer.Epoch> history;
                try (optimizer) {
                    mlp.registerWith(optimizer, spec.parameterPrecision());
                    shape = mlp.shape();
                    String prefix = compare ? "[" + spec.label() + "] " : "";
                    out.printf(Locale.ROOT, "%smodel: %s %s (%d parameters), batch %d, %d epoch%s, seed %d, threads %d%n",
                            prefix, model, mlp.shape(), mlp.parameterCount(), batch, epochs, epochs == 1 ? "" : "s",
                            seed, threads);
                    out.println(prefix + "optimizer: " + Optimizers.describe(name, optimizer));
                    out.printf(Locale.ROOT, "%soptimizer state: %d bytes, %.2f per parameter%s%n", prefix,
                            optimizer.stateBytes(), (double) optimizer.stateBytes() / mlp.parameterCount(),
                            switch (StatePrecision.parse(spec.state())) {
                                case F32 -> "";
                                case BF16 -> ", bf16 states (" + (spec.rounding().equals("stochastic") ? "stochastic"
                                        : "nearest") + " rounding)";
                                case BLOCKWISE_8BIT -> ", 8bit states (codes and a float absmax per block of "
                                        + StatePrecision.BLOCK_SIZE + ")";
                            });
                    if (!spec.precision().equals("f32")) {
                        out.println(prefix + "parameters and gradients: " + spec.precision() + ", float arithmetic, "
                                + spec.rounding() + " rounding" + (spec.rounding().equals("stochastic") ? " (seed "
                                + seed + ")" : "") + ", no f32 master weights");
                    }
                    history = Trainer.train(mlp, optimizer, data, settings, workers,
                            e -> out.printf(Locale.ROOT,
                                    "%sepoch %" + digits(epochs) + "d/%d  loss %.4f  train_acc %.4f  test_loss %.4f"
                                            + "  test_acc %.4f  time %.2fs%n",
                                    prefix, e.epoch(), epochs, e.trainLoss(), e.trainAccuracy(), e.testLoss(),
                                    e.testAccuracy(), e.trainSeconds()));
                }
                runs.put(spec.label(), history);
                accuracy.put(spec.label(), history.get(history.size() - 1).testAccuracy());
            }
        }
        String title = (dataName.equals("mnist") ? "MNIST" : "two-moons") + ", " + model + " " + shape;
        Charts.saveTraining(chart, title, runs);
        out.println("chart: " + chart);
        String best = specs.get(0).label();
        if (compare) {
            int width = 12;
            for (String label : accuracy.keySet()) {
                width = Math.max(width, label.length());
            }
            for (Map.Entry<String, Double> e : accuracy.entrySet()) {
                out.printf(Locale.ROOT, "%-" + width + "s test_accuracy %.4f%n", e.getKey(), e.getValue());
                if (e.getValue() > accuracy.get(best)) {
                    best = e.getKey();
                }
            }
            out.println("best=" + best);
        }
        out.printf(Locale.ROOT, "test_accuracy=%.4f%n", accuracy.get(best));
        return OK;
    }

    /**
     * {@code NAME} (with the command's precision, rounding and state precision) or, in a {@code --compare} list,
     * {@code NAME:PRECISION[:ROUNDING[:STATE]]}, an empty field taking the command's value.
     */
    static RunSpec runSpec(String item, String precision, String rounding, String state, boolean compare)
            throws UsageException {
        String[] parts = item.split(":", -1);
        if (parts.length > 4 || (parts.length > 1 && !compare)) {
            throw new UsageException(compare ? "--compare items are NAME or NAME:PRECISION[:ROUNDING[:STATE]], got '"
                    + item + "'" : "--optimizer takes a name; give --param-precision, --rounding and "
                    + "--state-precision for the rest, got '" + item + "'");
        }
        String name;
        try {
            name = Optimizers.normalize(parts[0]);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        String p = field(parts, 1, precision);
        String r = field(parts, 2, p.equals("f32") ? "nearest" : rounding);
        String s = field(parts, 3, state);
        if (!PRECISIONS.contains(p)) {
            throw new UsageException("precision '" + p + "' in '" + item + "' must be one of "
                    + String.join(", ", PRECISIONS));
        }
        if (!ROUNDINGS.contains(r)) {
            throw new UsageException("rounding '" + r + "' in '" + item + "' must be one of "
                    + String.join(", ", ROUNDINGS));
        }
        if (!STATE_PRECISIONS.contains(s)) {
            throw new UsageException("state precision '" + s + "' in '" + item + "' must be one of "
                    + String.join(", ", STATE_PRECISIONS));
        }
        if (p.equals("f32") && !r.equals("nearest")) {
            throw new UsageException("'" + item + "': a rounding applies to bf16 or fp16 parameters");
        }
        return new RunSpec(name, p, r, s);
    }

    /** Field {@code k} of a {@code --compare} item in lower case, or {@code otherwise} when absent or empty. */
    private static String field(String[] parts, int k, String otherwise) {
        String v = parts.length > k ? parts[k].trim().toLowerCase(Locale.ROOT) : "";
        return v.isEmpty() ? otherwise : v;
    }

    /**
     * Refuses, before anything is allocated, a model whose layers cannot be Java arrays or that, with its gradients,
     * the optimizer's state and the per-chunk buffers that {@code --batch} and {@code --threads} call for, needs more
     * memory than the heap has left.
     */
    private static void checkModelFits(Dataset.Split data, int[] hidden, int batch, int threads)
            throws UnusableException {
        int inputs = data.train().features();
        int classes = data.train().classes();
        String widths = hidden.length == 0 ? "softmax regression" : "--hidden " + java.util.Arrays.stream(hidden)
                .mapToObj(Integer::toString).collect(java.util.stream.Collectors.joining(","));
        long need;
        try {
            need = Mlp.bytesNeeded(inputs, hidden, classes, Math.min(batch, data.train().rows()), threads);
        } catch (IllegalArgumentException e) {
            throw new UnusableException(widths + ": " + e.getMessage());
        }
        Runtime rt = Runtime.getRuntime();
        long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        if (need > free) {
            throw new UnusableException(String.format(Locale.ROOT, "%s with %d inputs and %d classes, --batch %d and "
                    + "--threads %d needs about %.1f MiB, and this JVM's heap has %.1f MiB left (of at most %.1f MiB); "
                    + "give it more with -Xmx (ADAM4J_JAVA_OPTS=-Xmx8g ./adam4j ...) or use a smaller model",
                    widths, inputs, classes, batch, threads, need / 1048576.0, free / 1048576.0,
                    rt.maxMemory() / 1048576.0));
        }
    }

    private static int digits(int n) {
        return Integer.toString(n).length();
    }
}
