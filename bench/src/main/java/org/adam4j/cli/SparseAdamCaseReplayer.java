package org.adam4j.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.adam4j.kernels.AdamKernel_F32;
import org.adam4j.kernels.AdamKernel_F64;
import org.adam4j.kernels.AdamKernels;
import org.adam4j.reference.AdamConfig;
import org.adam4j.reference.LazyMode;
import org.adam4j.reference.LazyRowsReference_F32;
import org.adam4j.reference.LazyRowsReference_F64;
import org.adam4j.reference.cases.CaseFormatException;
import org.adam4j.reference.cases.Printable;
import org.adam4j.reference.cases.ReferenceCase;

/**
 * Replays {@code torch.optim.SparseAdam}'s cases ({@code "optimizer": "sparse_adam"}) through lazy rows in
 * {@link LazyMode#LAZY}, which is SparseAdam: an {@link AdamConfig} with the case's {@code lr}, {@code betas},
 * {@code eps} and {@code maximize}, the parameter a table of {@code "shape": [rows, cols]} (row-major), and at each
 * step only the rows {@code "rows"} lists for it stepped, their gradient rows taken from {@code grads.npy}. The step
 * count passed on is the parameter's own, which advances on every step with a gradient, as SparseAdam's
 * {@code state['step']}. Kernel {@code scalar} is {@code LazyRowsReference_F32}/{@code _F64}; the others are the
 * kernels' {@code lazyRows}, which runs on the calling thread whatever {@code --threads} says.
 */
final class SparseAdamCaseReplayer implements CaseReplayer {
    static final String OPTIMIZER = "sparse_adam";
    /** SparseAdam's arguments, then the case's description of the sparse gradient. */
    static final List<String> KEYS = List.of("lr", "betas", "eps", "maximize", "shape", "rows");

    @Override
    public List<String> optimizers() {
        return List.of(OPTIMIZER);
    }

    @Override
    public Replay prepare(ReferenceCase c) throws CaseFormatException {
        c.requireOnlyKeys(KEYS);
        if (c.storage != null) {
            throw new CaseFormatException(c.file() + ": dtype '" + c.dtypeName() + "' of " + OPTIMIZER
                    + " is not implemented by adam4j (16-bit parameters are replayed for the dense optimizers)");
        }
        if (c.eightBit()) {
            throw new CaseFormatException(c.file() + ": state_precision '8bit' of " + OPTIMIZER
                    + " is not implemented by adam4j (8-bit states are replayed for adam and adamw)");
        }
        for (String key : List.of("grad_scale", "skip_non_finite", "clip_grad_norm")) {
            if (c.json.has(key)) {
                throw new CaseFormatException(c.file() + ": option '" + key + "' of " + OPTIMIZER
                        + " is not implemented by adam4j (sparse gradients are not unscaled, checked or clipped)");
            }
        }
        double lr = c.number("lr", 1e-3);
        double eps = c.number("eps", 1e-8);
        double[] betas = c.pair("betas", 0.9, 0.999);
        // SparseAdam's own refusals, which are stricter than Adam's
        if (!(lr > 0.0)) {
            throw new CaseFormatException(c.file() + ": Invalid learning rate: " + lr + " (SparseAdam needs lr > 0)");
        }
        if (!(eps > 0.0)) {
            throw new CaseFormatException(c.file() + ": Invalid epsilon value: " + eps + " (SparseAdam needs eps > 0)");
        }
        AdamConfig config;
        try {
            config = AdamConfig.builder().lr(lr).betas(betas[0], betas[1]).eps(eps)
                    .maximize(c.bool("maximize", false)).build();
        } catch (IllegalArgumentException e) {
            throw new CaseFormatException(c.file() + ": " + e.getMessage());
        }
        JsonElement shape = c.json.get("shape");
        if (shape == null || !shape.isJsonArray() || shape.getAsJsonArray().size() != 2) {
            throw new CaseFormatException(c.file() + ": 'shape' is not [rows, cols]: " + shown(shape));
        }
        int tableRows = count(c, shape.getAsJsonArray().get(0), "shape", 1, c.n);
        int cols = count(c, shape.getAsJsonArray().get(1), "shape", 1, c.n);
        if ((long) tableRows * cols != c.n) {
            throw new CaseFormatException(c.file() + ": 'shape' [" + tableRows + ", " + cols + "] does not hold n = "
                    + c.n + " elements");
        }
        JsonElement rows = c.json.get("rows");
        if (rows == null || !rows.isJsonArray() || rows.getAsJsonArray().size() != c.steps) {
            throw new CaseFormatException(c.file() + ": 'rows' is not a list of " + c.steps
                    + " lists of row indices (one per step): " + shown(rows));
        }
        List<int[]> byCall = new ArrayList<>();
        for (int t = 1; t <= c.steps; t++) {
            JsonElement step = rows.getAsJsonArray().get(t - 1);
            if (!step.isJsonArray()) {
                throw new CaseFormatException(c.file() + ": 'rows' of step " + t + " is not a list: " + shown(step));
            }
            JsonArray list = step.getAsJsonArray();
            int[] present = new int[list.size()];
            for (int j = 0; j < present.length; j++) {
                present[j] = count(c, list.get(j), "rows", 0, tableRows - 1);
                if (j > 0 && present[j] <= present[j - 1]) {
                    throw new CaseFormatException(c.file() + ": 'rows' of step " + t + " is not strictly increasing: "
                            + shown(step));
                }
            }
            if (!c.gradNoneSteps.contains(t)) {
                byCall.add(present);
            }
        }
        return new LazyReplay(config, c.n, cols, List.copyOf(byCall));
    }

    /** An integer in {@code [min, max]} from key {@code key}. */
    private static int count(ReferenceCase c, JsonElement e, String key, int min, int max)
            throws CaseFormatException {
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber() || e.getAsDouble() != Math.rint(e.getAsDouble())
                || e.getAsDouble() < min || e.getAsDouble() > max) {
            throw new CaseFormatException(c.file() + ": '" + key + "' holds " + shown(e) + ", not an integer from "
                    + min + " to " + max);
        }
        return e.getAsInt();
    }

    private static String shown(JsonElement e) {
        String s = String.valueOf(e);
        return Printable.escape(s.length() > 80 ? s.substring(0, 77) + "..." : s);
    }

    /** The {@code t}-th step with a gradient touches {@code rowsByCall.get(t - 1)}. */
    private record LazyReplay(AdamConfig config, int n, int cols, List<int[]> rowsByCall) implements Replay {
        @Override
        public double lr() {
            return config.lr();
        }

        @Override
        public Run<float[]> f32(String kernel, int threads) {
            float[] m = new float[n], v = new float[n], gRows = new float[n];
            AdamKernel_F32 k = kernel.equals(REFERENCE) ? null : AdamKernels.f32(kernel).parallel(threads);
            return new Run<>(k == null ? REFERENCE : k.name(), state(m, v), (t, p, g) -> {
                int[] rows = rowsByCall.get(Math.toIntExact(t - 1));
                for (int j = 0; j < rows.length; j++) {
                    System.arraycopy(g, rows[j] * cols, gRows, j * cols, cols);
                }
                if (k == null) {
                    LazyRowsReference_F32.step(LazyMode.LAZY, config.step(t), p, m, v, null, null, cols, rows,
                            rows.length, gRows);
                } else {
                    k.lazyRows(LazyMode.LAZY, config.step(t), p, m, v, null, null, cols, rows, rows.length, gRows);
                }
                return true;
            });
        }

        @Override
        public Run<double[]> f64(String kernel, int threads) {
            double[] m = new double[n], v = new double[n], gRows = new double[n];
            AdamKernel_F64 k = kernel.equals(REFERENCE) ? null : AdamKernels.f64(kernel).parallel(threads);
            return new Run<>(k == null ? REFERENCE : k.name(), state(m, v), (t, p, g) -> {
                int[] rows = rowsByCall.get(Math.toIntExact(t - 1));
                for (int j = 0; j < rows.length; j++) {
                    System.arraycopy(g, rows[j] * cols, gRows, j * cols, cols);
                }
                if (k == null) {
                    LazyRowsReference_F64.step(LazyMode.LAZY, config.step(t), p, m, v, null, null, cols, rows,
                            rows.length, gRows);
                } else {
                    k.lazyRows(LazyMode.LAZY, config.step(t), p, m, v, null, null, cols, rows, rows.length, gRows);
                }
                return true;
            });
        }

        private static <A> Map<String, A> state(A m, A v) {
            Map<String, A> named = new LinkedHashMap<>();
            named.put("exp_avg", m);
            named.put("exp_avg_sq", v);
            return named;
        }
    }
}
