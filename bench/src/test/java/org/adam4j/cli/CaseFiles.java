package org.adam4j.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.adam4j.reference.Adam8bitReference;
import org.adam4j.reference.AdamConfig;
import org.adam4j.reference.AdamReference_F32;
import org.adam4j.reference.AdamReference_F64;
import org.adam4j.reference.Blockwise8bit;
import org.adam4j.reference.WeightDecay;
import org.adam4j.reference.cases.Npy;
import org.adam4j.reference.cases.NpyArray;
import org.adam4j.reference.cases.ReferenceCase;

/**
 * Writes reference cases for tests, recorded from adam4j's own reference, so that every correct kernel matches them
 * bit for bit.
 */
final class CaseFiles {
    private CaseFiles() {
    }

    /**
     * Writes an {@code adam} (or, with decoupled decay, {@code adamw}) case of random parameters and gradients to
     * {@code dir}, listing every state the configuration keeps.
     */
    static Path adamCase(Path dir, AdamConfig config, boolean f64, int n, int steps, long seed) throws IOException {
        Files.createDirectories(dir);
        Random random = new Random(seed);
        double[] param0 = new double[n];
        double[] grads = new double[steps * n];
        for (int i = 0; i < n; i++) {
            param0[i] = random.nextGaussian();
        }
        for (int i = 0; i < grads.length; i++) {
            grads[i] = random.nextGaussian() * 0.1;
        }
        boolean adamw = config.decay() == WeightDecay.DECOUPLED;
        String states = "\"exp_avg\", \"exp_avg_sq\"" + (config.amsgrad() ? ", \"max_exp_avg_sq\"" : "");
        Files.writeString(dir.resolve("case.json"), String.format(Locale.ROOT, """
                {
                 "format": 1,
                 "optimizer": "%s",
                 "dtype": "%s",
                 "n": %d,
                 "steps": %d,
                 "lr": %s,
                 "betas": [%s, %s],
                 "eps": %s,
                 "weight_decay": %s,
                 "amsgrad": %s,
                 "maximize": %s,
                 "state": [%s],
                 "producer": "adam4j tests"
                }
                """, adamw ? "adamw" : "adam", f64 ? "float64" : "float32", n, steps, config.lr(), config.beta1(),
                config.beta2(), config.eps(), config.weightDecay(), config.amsgrad(), config.maximize(), states));
        if (f64) {
            double[] p = param0.clone(), m = new double[n], v = new double[n], vmax = new double[n];
            double[] params = new double[steps * n];
            for (int t = 0; t < steps; t++) {
                double[] g = java.util.Arrays.copyOfRange(grads, t * n, (t + 1) * n);
                AdamReference_F64.fused(config.step(t + 1), p, g, m, v, vmax, 0, n);
                System.arraycopy(p, 0, params, t * n, n);
            }
            write(dir, NpyArray.of(param0, n), NpyArray.of(grads, steps, n), NpyArray.of(params, steps, n),
                    NpyArray.of(m, n), NpyArray.of(v, n), config.amsgrad() ? NpyArray.of(vmax, n) : null);
        } else {
            float[] p = toF32(param0), m = new float[n], v = new float[n], vmax = new float[n];
            float[] g32 = toF32(grads);
            float[] params = new float[steps * n];
            for (int t = 0; t < steps; t++) {
                float[] g = java.util.Arrays.copyOfRange(g32, t * n, (t + 1) * n);
                AdamReference_F32.fused(config.step(t + 1), p, g, m, v, vmax, 0, n);
                System.arraycopy(p, 0, params, t * n, n);
            }
            write(dir, NpyArray.of(toF32(param0), n), NpyArray.of(g32, steps, n), NpyArray.of(params, steps, n),
                    NpyArray.of(m, n), NpyArray.of(v, n), config.amsgrad() ? NpyArray.of(vmax, n) : null);
        }
        return dir;
    }

    /**
     * Writes an {@code adam} (or, with decoupled decay, {@code adamw}) case with 8-bit states in blocks of
     * {@code blockSize} to {@code dir}, recorded by {@link Adam8bitReference}: random parameters and gradients, every
     * step's codes and absmax, all four states listed.
     */
    static Path adam8bitCase(Path dir, AdamConfig config, int blockSize, int n, int steps, long seed)
            throws IOException {
        Files.createDirectories(dir);
        Random random = new Random(seed);
        float[] p = gaussians(random, n, 1.0);
        float[] grads = gaussians(random, steps * n, 0.1);
        Npy.write(dir.resolve("param0.npy"), NpyArray.of(p.clone(), n));
        int blocks = Blockwise8bit.blocks(n, blockSize);
        byte[] m = new byte[n], v = new byte[n];
        float[] mAbsmax = new float[blocks], vAbsmax = new float[blocks];
        float[] params = new float[steps * n], mAbsmaxRows = new float[steps * blocks], vAbsmaxRows = new float[steps
                * blocks];
        byte[] mRows = new byte[steps * n], vRows = new byte[steps * n];
        for (int t = 0; t < steps; t++) {
            Adam8bitReference.fused(config.step(t + 1), blockSize, p, java.util.Arrays.copyOfRange(grads, t * n,
                    (t + 1) * n), m, mAbsmax, v, vAbsmax, 0, n);
            System.arraycopy(p, 0, params, t * n, n);
            System.arraycopy(m, 0, mRows, t * n, n);
            System.arraycopy(v, 0, vRows, t * n, n);
            System.arraycopy(mAbsmax, 0, mAbsmaxRows, t * blocks, blocks);
            System.arraycopy(vAbsmax, 0, vAbsmaxRows, t * blocks, blocks);
        }
        boolean adamw = config.decay() == WeightDecay.DECOUPLED;
        Files.writeString(dir.resolve("case.json"), String.format(Locale.ROOT, """
                {"format": 1, "optimizer": "%s", "dtype": "float32", "n": %d, "steps": %d, "lr": %s, "betas": [%s, %s],
                 "eps": %s, "weight_decay": %s, "maximize": %s, "state_precision": "8bit", "block_size": %d,
                 "state": ["exp_avg", "exp_avg_sq", "exp_avg_absmax", "exp_avg_sq_absmax"], "producer": "adam4j tests"}
                """, adamw ? "adamw" : "adam", n, steps, config.lr(), config.beta1(), config.beta2(), config.eps(),
                config.weightDecay(), config.maximize(), blockSize));
        Npy.write(dir.resolve("grads.npy"), NpyArray.of(grads, steps, n));
        Npy.write(dir.resolve("params.npy"), NpyArray.of(params, steps, n));
        Npy.write(dir.resolve("exp_avg.npy"), NpyArray.of(mRows, steps, n));
        Npy.write(dir.resolve("exp_avg_sq.npy"), NpyArray.of(vRows, steps, n));
        Npy.write(dir.resolve("exp_avg_absmax.npy"), NpyArray.of(mAbsmaxRows, steps, blocks));
        Npy.write(dir.resolve("exp_avg_sq_absmax.npy"), NpyArray.of(vAbsmaxRows, steps, blocks));
        return dir;
    }

    /** One step of an optimizer's reference on float arrays, its state arrays by PyTorch's names. */
    @FunctionalInterface
    interface ReferenceStep {
        void step(long t, float[] p, float[] g, Map<String, float[]> state);
    }

    /**
     * Writes a float32 case of {@code optimizer} with the {@code case.json} arguments {@code args} (JSON members, such
     * as {@code "lr": 0.01}) to {@code dir}: random parameters and gradients, stepped by {@code step} from state arrays
     * {@code states} that all start at {@code initial}, each listed and written as a final state.
     */
    static Path recordedCase(Path dir, String optimizer, String args, List<String> states, float initial, int n,
            int steps, long seed, ReferenceStep step) throws IOException {
        Files.createDirectories(dir);
        Random random = new Random(seed);
        float[] param0 = gaussians(random, n, 1.0);
        float[] grads = gaussians(random, steps * n, 0.1);
        Map<String, float[]> state = new LinkedHashMap<>();
        for (String name : states) {
            float[] a = new float[n];
            java.util.Arrays.fill(a, initial);
            state.put(name, a);
        }
        float[] p = param0.clone();
        float[] params = new float[steps * n];
        for (int t = 0; t < steps; t++) {
            step.step(t + 1, p, java.util.Arrays.copyOfRange(grads, t * n, (t + 1) * n), state);
            System.arraycopy(p, 0, params, t * n, n);
        }
        String listed = String.join(", ", states.stream().map(name -> "\"" + name + "\"").toList());
        Files.writeString(dir.resolve("case.json"), String.format(Locale.ROOT, """
                {"format": 1, "optimizer": "%s", "dtype": "float32", "n": %d, "steps": %d, %s, "state": [%s],
                 "producer": "adam4j tests"}
                """, optimizer, n, steps, args, listed));
        Npy.write(dir.resolve("param0.npy"), NpyArray.of(param0, n));
        Npy.write(dir.resolve("grads.npy"), NpyArray.of(grads, steps, n));
        Npy.write(dir.resolve("params.npy"), NpyArray.of(params, steps, n));
        for (Map.Entry<String, float[]> e : state.entrySet()) {
            Npy.write(dir.resolve(e.getKey() + ".npy"), NpyArray.of(e.getValue(), n));
        }
        return dir;
    }

    /**
     * Writes to {@code to} the first {@code steps} steps of case {@code from} with every element repeated
     * {@code copies} times along n ({@code param0}, each row of {@code grads} and {@code params}), in float64 if asked.
     * Every optimizer here updates element by element, so this is still the recorded trajectory. The final states
     * belong to the last recorded step, so the new case lists none.
     */
    static Path tiled(Path from, Path to, int copies, int steps, boolean f64) throws IOException {
        ReferenceCase c = ReferenceCase.load(from);
        int n = c.n * copies;
        Files.createDirectories(to);
        JsonObject json = JsonParser.parseString(Files.readString(c.file())).getAsJsonObject();
        json.addProperty("dtype", f64 ? "float64" : "float32");
        json.addProperty("n", n);
        json.addProperty("steps", steps);
        json.add("state", new JsonArray());
        Files.writeString(to.resolve("case.json"), json.toString());
        Npy.write(to.resolve("param0.npy"), tile(c.param0, c.n, 1, copies, f64));
        Npy.write(to.resolve("grads.npy"), tile(c.grads, c.n, steps, copies, f64));
        Npy.write(to.resolve("params.npy"), tile(c.params, c.n, steps, copies, f64));
        return to;
    }

    /** The first {@code rows} rows of {@code (.., n)} array {@code a}, each repeated {@code copies} times. */
    private static NpyArray tile(NpyArray a, int n, int rows, int copies, boolean f64) {
        double[] out = new double[rows * n * copies];
        for (int r = 0; r < rows; r++) {
            for (int k = 0; k < copies; k++) {
                for (int i = 0; i < n; i++) {
                    out[(r * copies + k) * n + i] = a.get(r * n + i);
                }
            }
        }
        int[] shape = a.shape().length == 1 ? new int[] {n * copies} : new int[] {rows, n * copies};
        return f64 ? NpyArray.of(out, shape) : NpyArray.of(toF32(out), shape);
    }

    /** Copies the files of case folder {@code from} into a new folder {@code to}. */
    static Path copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
        return to;
    }

    private static void write(Path dir, NpyArray param0, NpyArray grads, NpyArray params, NpyArray m, NpyArray v,
            NpyArray vmax) throws IOException {
        Npy.write(dir.resolve("param0.npy"), param0);
        Npy.write(dir.resolve("grads.npy"), grads);
        Npy.write(dir.resolve("params.npy"), params);
        Npy.write(dir.resolve("exp_avg.npy"), m);
        Npy.write(dir.resolve("exp_avg_sq.npy"), v);
        if (vmax != null) {
            Npy.write(dir.resolve("max_exp_avg_sq.npy"), vmax);
        }
    }

    /** {@code count} draws of {@code random.nextGaussian() * scale}, rounded to float. */
    private static float[] gaussians(Random random, int count, double scale) {
        float[] out = new float[count];
        for (int i = 0; i < count; i++) {
            out[i] = (float) (random.nextGaussian() * scale);
        }
        return out;
    }

    private static float[] toF32(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }
}
