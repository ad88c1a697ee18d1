package org.adam4j.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.adam4j.kernels.AdamKernel_F32;
import org.adam4j.kernels.AdamKernel_F64;
import org.adam4j.kernels.AdamKernels;
import org.adam4j.kernels.ParallelChunks;
import org.adam4j.reference.AdamConfig;
import org.adam4j.reference.AdamReference_F32;
import org.adam4j.reference.AdamReference_F64;
import org.adam4j.reference.AdamStep;
import org.adam4j.reference.cases.AdamCases;
import org.adam4j.reference.cases.CaseFormatException;
import org.adam4j.reference.cases.ReferenceCase;

/**
 * Replays {@code adam} and {@code adamw} cases: PyTorch's arguments become an {@link AdamConfig}
 * ({@link AdamCases}), and each step is one fused call, to {@link AdamReference_F32}/{@link AdamReference_F64}
 * themselves for the {@code reference} kernel, else to the {@link AdamKernels} kernel of that name.
 */
final class AdamCaseReplayer implements CaseReplayer {
    static final String EXP_AVG = "exp_avg";
    static final String EXP_AVG_SQ = "exp_avg_sq";
    static final String MAX_EXP_AVG_SQ = "max_exp_avg_sq";
    /** Chunk boundaries for the reference split over threads, as the parallel kernels place them: whole cache lines. */
    private static final int LINE_BYTES = 64;

    @Override
    public List<String> optimizers() {
        return List.of("adam", "adamw");
    }

    @Override
    public Replay prepare(ReferenceCase c) throws CaseFormatException {
        AdamConfig config = AdamCases.config(c);
        List<String> kept = new ArrayList<>(List.of(EXP_AVG, EXP_AVG_SQ));
        if (config.amsgrad()) {
            kept.add(MAX_EXP_AVG_SQ);
        }
        for (String state : c.states.keySet()) {
            if (!kept.contains(state)) {
                throw new CaseFormatException(c.file() + ": state '" + state + "' is not kept by " + c.optimizer
                        + (config.amsgrad() ? "" : " without amsgrad") + " (it keeps " + String.join(", ", kept) + ")");
            }
        }
        return new AdamReplay(config, c.n);
    }

    private record AdamReplay(AdamConfig config, int n) implements Replay {
        @Override
        public double lr() {
            return config.lr();
        }

        @Override
        public Run_F32 f32(String kernel, int threads) {
            float[] m = new float[n], v = new float[n], vmax = config.amsgrad() ? new float[n] : null;
            Map<String, float[]> state = state(m, v, vmax);
            if (kernel.equals(REFERENCE)) {
                ParallelChunks chunks = new ParallelChunks(threads, LINE_BYTES / Float.BYTES, null);
                return new Run_F32(REFERENCE, state, (t, p, g) -> {
                    AdamStep s = config.step(t);
                    chunks.run(0, n, (off, len) -> AdamReference_F32.fused(s, p, g, m, v, vmax, off, len));
                });
            }
            AdamKernel_F32 k = AdamKernels.f32(kernel).parallel(threads);
            return new Run_F32(k.name(), state, (t, p, g) -> k.fused(config.step(t), p, g, m, v, vmax));
        }

        @Override
        public Run_F64 f64(String kernel, int threads) {
            double[] m = new double[n], v = new double[n], vmax = config.amsgrad() ? new double[n] : null;
            Map<String, double[]> state = state(m, v, vmax);
            if (kernel.equals(REFERENCE)) {
                ParallelChunks chunks = new ParallelChunks(threads, LINE_BYTES / Double.BYTES, null);
                return new Run_F64(REFERENCE, state, (t, p, g) -> {
                    AdamStep s = config.step(t);
                    chunks.run(0, n, (off, len) -> AdamReference_F64.fused(s, p, g, m, v, vmax, off, len));
                });
            }
            AdamKernel_F64 k = AdamKernels.f64(kernel).parallel(threads);
            return new Run_F64(k.name(), state, (t, p, g) -> k.fused(config.step(t), p, g, m, v, vmax));
        }

        private static <A> Map<String, A> state(A m, A v, A vmax) {
            Map<String, A> state = new LinkedHashMap<>();
            state.put(EXP_AVG, m);
            state.put(EXP_AVG_SQ, v);
            if (vmax != null) {
                state.put(MAX_EXP_AVG_SQ, vmax);
            }
            return state;
        }
    }
}
