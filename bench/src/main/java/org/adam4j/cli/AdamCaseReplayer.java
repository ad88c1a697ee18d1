package org.adam4j.cli;

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
 * themselves for the {@code reference} kernel, else to the {@link AdamKernels} kernel of that name through its
 * {@code parallel(threads)} path.
 */
final class AdamCaseReplayer implements CaseReplayer {
    static final String EXP_AVG = "exp_avg";
    static final String EXP_AVG_SQ = "exp_avg_sq";
    static final String MAX_EXP_AVG_SQ = "max_exp_avg_sq";

    @Override
    public List<String> optimizers() {
        return List.of("adam", "adamw");
    }

    @Override
    public Replay prepare(ReferenceCase c) throws CaseFormatException {
        return new AdamReplay(AdamCases.config(c), c.n);
    }

    /** The signature of the reference's and the kernels' fused operation, on arrays {@code A}. */
    @FunctionalInterface
    private interface Fused<A> {
        void fused(AdamStep s, A p, A g, A m, A v, A vmax, int off, int len);
    }

    private record AdamReplay(AdamConfig config, int n) implements Replay {
        @Override
        public double lr() {
            return config.lr();
        }

        @Override
        public Run<float[]> f32(String kernel, int threads) {
            float[] m = new float[n], v = new float[n], vmax = config.amsgrad() ? new float[n] : null;
            if (kernel.equals(REFERENCE)) {
                return reference(threads, Float.BYTES, m, v, vmax, AdamReference_F32::fused);
            }
            AdamKernel_F32 k = AdamKernels.f32(kernel).parallel(threads);
            return run(k.name(), m, v, vmax, k::fused);
        }

        @Override
        public Run<double[]> f64(String kernel, int threads) {
            double[] m = new double[n], v = new double[n], vmax = config.amsgrad() ? new double[n] : null;
            if (kernel.equals(REFERENCE)) {
                return reference(threads, Double.BYTES, m, v, vmax, AdamReference_F64::fused);
            }
            AdamKernel_F64 k = AdamKernels.f64(kernel).parallel(threads);
            return run(k.name(), m, v, vmax, k::fused);
        }

        /** The reference split over threads as {@link CaseReplayer#referenceChunks} splits it. */
        private <A> Run<A> reference(int threads, int elementBytes, A m, A v, A vmax, Fused<A> reference) {
            ParallelChunks chunks = CaseReplayer.referenceChunks(threads, elementBytes);
            return run(REFERENCE, m, v, vmax, (s, p, g, _, _, _, off, len) ->
                    chunks.run(off, len, (o, l) -> reference.fused(s, p, g, m, v, vmax, o, l)));
        }

        private <A> Run<A> run(String kernel, A m, A v, A vmax, Fused<A> fused) {
            Map<String, A> state = new LinkedHashMap<>();
            state.put(EXP_AVG, m);
            state.put(EXP_AVG_SQ, v);
            if (vmax != null) {
                state.put(MAX_EXP_AVG_SQ, vmax);
            }
            return new Run<>(kernel, state, (t, p, g) -> fused.fused(config.step(t), p, g, m, v, vmax, 0, n));
        }
    }
}
