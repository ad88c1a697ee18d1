package org.adam4j.cli;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.adam4j.kernels.Adam8bit;
import org.adam4j.kernels.Adam8bitKernel;
import org.adam4j.kernels.AdamKernel_F32;
import org.adam4j.kernels.AdamKernel_F64;
import org.adam4j.kernels.AdamKernels;
import org.adam4j.kernels.LowPrecisionAdam;
import org.adam4j.kernels.LowPrecisionAdamKernel;
import org.adam4j.kernels.LowPrecisionSteps;
import org.adam4j.kernels.OptimizerSteps_F32;
import org.adam4j.kernels.OptimizerSteps_F64;
import org.adam4j.kernels.ParallelChunks;
import org.adam4j.reference.Adam8bitReference;
import org.adam4j.reference.AdamConfig;
import org.adam4j.reference.AdamStep;
import org.adam4j.reference.Blockwise8bit;
import org.adam4j.reference.GradGuard;
import org.adam4j.reference.GradNormReference_F32;
import org.adam4j.reference.GradNormReference_F64;
import org.adam4j.reference.LowPrecision;
import org.adam4j.reference.OptimizerConfig;
import org.adam4j.reference.OptimizerStep;
import org.adam4j.reference.Rounding;
import org.adam4j.reference.StateVariable;
import org.adam4j.reference.cases.CaseFormatException;
import org.adam4j.reference.cases.NpyArray;
import org.adam4j.reference.cases.OptimizerCases;
import org.adam4j.reference.cases.ReferenceCase;

/**
 * Replays the case of every algorithm adam4j has: PyTorch's arguments become an {@link OptimizerConfig}
 * ({@link OptimizerCases}), and each step is one call through {@code OptimizerSteps_F32}/{@code _F64}, the place that
 * binds an algorithm's step to its reference (kernel {@code reference}, split over threads as
 * {@link CaseReplayer#referenceChunks} splits it) or to the {@link AdamKernels} kernel of that name (through its
 * {@code parallel(threads)} path). The state arrays start at their {@link StateVariable#initialValue()} and the scalar
 * state (NAdam's {@code mu_product}) is carried from step to step, as PyTorch's steps carry it. Adam's and AdamW's
 * cases with 8-bit states step through {@link Adam8bitReference} or the {@link Adam8bit} kernel of that name.
 */
final class OptimizerCaseReplayer implements CaseReplayer {
    /** Adam's two names first, then the others in alphabetical order. */
    @Override
    public List<String> optimizers() {
        List<String> adam = List.of("adam", "adamw");
        return java.util.stream.Stream.concat(adam.stream(), OptimizerConfig.ALGORITHMS.stream()
                .filter(a -> !adam.contains(a)).sorted()).toList();
    }

    @Override
    public Replay prepare(ReferenceCase c) throws CaseFormatException {
        OptimizerConfig config = OptimizerCases.config(c);
        if (c.eightBit()) {
            requireEightBit(c, config);
        }
        if (c.storage != null) {
            if (c.guard.needsNorm() || c.guard.gradScale() != 1.0) {
                throw new CaseFormatException(c.file() + ": grad_scale, skip_non_finite and clip_grad_norm with dtype '"
                        + c.dtypeName() + "' are not implemented by adam4j");
            }
        }
        return new ConfigReplay(config, c.n, c.guard);
    }

    /**
     * Refuses an 8-bit case that {@link Adam8bitReference} does not step: it is Adam's, on float32 or 16-bit
     * parameters, unguarded.
     */
    private static void requireEightBit(ReferenceCase c, OptimizerConfig config) throws CaseFormatException {
        String what = c.file() + ": state_precision '8bit' ";
        if (!(config instanceof AdamConfig adam)) {
            throw new CaseFormatException(what + "of " + c.optimizer + " is not implemented by adam4j (8-bit states"
                    + " are replayed for adam and adamw)");
        }
        if (adam.amsgrad()) {
            throw new CaseFormatException(what + "with amsgrad is not implemented by adam4j (8-bit states keep no "
                    + "max_exp_avg_sq, as bitsandbytes' 8-bit Adam keeps none)");
        }
        if (c.dtype == NpyArray.DType.F64) {
            throw new CaseFormatException(what + "with dtype 'float64' is not implemented by adam4j (8-bit states "
                    + "are replayed on float32, bfloat16 and float16 parameters)");
        }
        if (c.guard.needsNorm() || c.guard.gradScale() != 1.0) {
            throw new CaseFormatException(what + "with grad_scale, skip_non_finite or clip_grad_norm is not "
                    + "implemented by adam4j");
        }
    }

    /**
     * The guarded step's passes over one gradient, by the reference ({@code GradNormReference_F32}/{@code _F64})
     * or by a kernel; {@code inv} is the unscaling factor, already rounded to the gradient's precision.
     */
    private interface GradPass<A> {
        double sumOfSquares(A g, double inv);

        double maxAbs(A g, double inv);

        long nonFinite(A g, double inv);

        void scale(A g, double inv, double coef);
    }

    private static GradPass<float[]> pass(AdamKernel_F32 k) {
        return new GradPass<>() {
            @Override
            public double sumOfSquares(float[] g, double inv) {
                return k == null ? GradNormReference_F32.sumOfSquares(g, (float) inv, 0, g.length)
                        : k.sumOfSquares(g, (float) inv, 0, g.length);
            }

            @Override
            public double maxAbs(float[] g, double inv) {
                return k == null ? GradNormReference_F32.maxAbs(g, (float) inv, 0, g.length)
                        : k.maxAbs(g, (float) inv, 0, g.length);
            }

            @Override
            public long nonFinite(float[] g, double inv) {
                return GradNormReference_F32.nonFinite(g, (float) inv, 0, g.length);
            }

            @Override
            public void scale(float[] g, double inv, double coef) {
                if (k == null) {
                    GradNormReference_F32.scale(g, (float) inv, (float) coef, 0, g.length);
                } else {
                    k.scale(g, (float) inv, (float) coef, 0, g.length);
                }
            }
        };
    }

    private static GradPass<double[]> pass(AdamKernel_F64 k) {
        return new GradPass<>() {
            @Override
            public double sumOfSquares(double[] g, double inv) {
                return k == null ? GradNormReference_F64.sumOfSquares(g, inv, 0, g.length)
                        : k.sumOfSquares(g, inv, 0, g.length);
            }

            @Override
            public double maxAbs(double[] g, double inv) {
                return k == null ? GradNormReference_F64.maxAbs(g, inv, 0, g.length) : k.maxAbs(g, inv, 0, g.length);
            }

            @Override
            public long nonFinite(double[] g, double inv) {
                return GradNormReference_F64.nonFinite(g, inv, 0, g.length);
            }

            @Override
            public void scale(double[] g, double inv, double coef) {
                if (k == null) {
                    GradNormReference_F64.scale(g, inv, coef, 0, g.length);
                } else {
                    k.scale(g, inv, coef, 0, g.length);
                }
            }
        };
    }

    /** A fresh 8-bit state: Adam's codes and absmax, all zero. */
    private record EightBitState(byte[] m, float[] mAbsmax, byte[] v, float[] vAbsmax) {
        EightBitState(int n, int blockSize) {
            this(new byte[n], new float[Blockwise8bit.blocks(n, blockSize)], new byte[n],
                    new float[Blockwise8bit.blocks(n, blockSize)]);
        }

        /** The arrays by the case format's names. */
        Map<String, Object> named() {
            Map<String, Object> named = new LinkedHashMap<>();
            named.put("exp_avg", m);
            named.put("exp_avg_sq", v);
            named.put("exp_avg_absmax", mAbsmax);
            named.put("exp_avg_sq_absmax", vAbsmax);
            return named;
        }
    }

    /** One 8-bit step on a slice, by kernel {@code k} ({@code null}: the reference). */
    @FunctionalInterface
    private interface EightBitOp<A> {
        void run(Adam8bitKernel k, AdamStep s, A p, A g, EightBitState st, int off, int len);
    }

    /** One step's operation on a slice, with the step's scalars and the run's state bound. */
    @FunctionalInterface
    private interface SliceOp<A> {
        void run(OptimizerStep s, A p, A g, A[] state, int off, int len);
    }

    private record ConfigReplay(OptimizerConfig config, int n, GradGuard guard) implements Replay {
        @Override
        public double lr() {
            return config.lr();
        }

        /** The algorithm's state arrays in {@code float}, each at its initial value. */
        private float[][] floatState() {
            float[][] state = new float[config.stateArrays().size()][];
            for (int k = 0; k < state.length; k++) {
                state[k] = new float[n];
                Arrays.fill(state[k], (float) config.stateArrays().get(k).initialValue());
            }
            return state;
        }

        @Override
        public Run<float[]> f32(String kernel, int threads) {
            float[][] state = floatState();
            if (kernel.equals(REFERENCE)) {
                return run(REFERENCE, threads, Float.BYTES, state, OptimizerSteps_F32::reference, pass((AdamKernel_F32) null),
                        guard.invScale_F32(), guard::clipCoef_F32);
            }
            AdamKernel_F32 k = AdamKernels.f32(kernel).parallel(threads);
            return run(k.name(), 1, Float.BYTES, state, (s, p, g, st, off, len) -> OptimizerSteps_F32.run(k, s, p, g,
                    st, off, len), pass(k), guard.invScale_F32(), guard::clipCoef_F32);
        }

        @Override
        public Run<double[]> f64(String kernel, int threads) {
            double[][] state = new double[config.stateArrays().size()][];
            for (int k = 0; k < state.length; k++) {
                state[k] = new double[n];
                Arrays.fill(state[k], config.stateArrays().get(k).initialValue());
            }
            if (kernel.equals(REFERENCE)) {
                return run(REFERENCE, threads, Double.BYTES, state, OptimizerSteps_F64::reference,
                        pass((AdamKernel_F64) null), guard.invScale_F64(), guard::clipCoef_F64);
            }
            AdamKernel_F64 k = AdamKernels.f64(kernel).parallel(threads);
            return run(k.name(), 1, Double.BYTES, state, (s, p, g, st, off, len) -> OptimizerSteps_F64.run(k, s, p, g,
                    st, off, len), pass(k), guard.invScale_F64(), guard::clipCoef_F64);
        }

        /**
         * 16-bit parameters: {@code LowPrecisionSteps.reference} for the reference, else
         * {@link LowPrecisionSteps#run} with the 16-bit kernel of that name (Adam's own loop, the others' tiles), every
         * step's slice cut into chunks over {@code threads} (the bits do not depend on the cut), rounded to nearest.
         */
        @Override
        public Run<short[]> lowPrecision(LowPrecision fmt, String kernel, int threads) {
            float[][] state = floatState();
            Map<String, float[]> named = new LinkedHashMap<>();
            for (int k = 0; k < state.length; k++) {
                named.put(config.stateNames().get(k), state[k]);
            }
            double[] scalars = config.scalarStates().stream().mapToDouble(StateVariable::initialValue).toArray();
            LowPrecisionAdamKernel k = kernel.equals(REFERENCE) ? null : LowPrecisionAdam.kernel(kernel);
            ParallelChunks chunks = threads > 1 ? CaseReplayer.referenceChunks(threads, Float.BYTES) : null;
            return new Run<>(k == null ? REFERENCE : k.name(), named, (t, p, g) -> {
                OptimizerStep s = config.step(t, config.lr(), scalars);
                ParallelChunks.Chunk slice = (off, len) -> {
                    if (k == null) {
                        LowPrecisionSteps.reference(s, fmt, Rounding.NEAREST, p, g, state, null, off, len, 0L, off);
                    } else {
                        LowPrecisionSteps.run(k, s, fmt, Rounding.NEAREST, p, g, state, null, off, len, 0L, off);
                    }
                };
                if (chunks == null) {
                    slice.run(0, n);
                } else {
                    chunks.run(0, n, slice);
                }
                s.scalarsAfter(scalars);
                return true;
            });
        }

        @Override
        public Run<float[]> eightBit(int blockSize, String kernel, int threads) {
            return eightBit(blockSize, kernel, threads, (k, s, p, g, st, off, len) -> {
                if (k == null) {
                    Adam8bitReference.fused(s, blockSize, p, g, st.m, st.mAbsmax, st.v, st.vAbsmax, off, len);
                } else {
                    k.fused(s, blockSize, p, g, st.m, st.mAbsmax, st.v, st.vAbsmax, off, len);
                }
            });
        }

        @Override
        public Run<short[]> eightBit(LowPrecision fmt, int blockSize, String kernel, int threads) {
            return eightBit(blockSize, kernel, threads, (k, s, p, g, st, off, len) -> {
                if (k == null) {
                    Adam8bitReference.fused(s, blockSize, fmt, Rounding.NEAREST, p, g, st.m, st.mAbsmax, st.v,
                            st.vAbsmax, null, off, len, 0L, 0L);
                } else {
                    k.fused(s, blockSize, fmt, Rounding.NEAREST, p, g, st.m, st.mAbsmax, st.v, st.vAbsmax, null, off,
                            len, 0L, 0L);
                }
            });
        }

        /**
         * 8-bit states ({@code requireEightBit} checked the case): the signed codes of {@code exp_avg}, the unsigned
         * codes of {@code exp_avg_sq} and their absmax, zeroed as a fresh state is, stepped by {@code op} with the
         * {@link Adam8bit} kernel of that name ({@code null} for {@link Adam8bitReference}).
         */
        private <A> Run<A> eightBit(int blockSize, String kernel, int threads, EightBitOp<A> op) {
            AdamConfig adam = (AdamConfig) config;
            EightBitState st = new EightBitState(n, blockSize);
            Adam8bitKernel k = kernel.equals(REFERENCE) ? null : Adam8bit.kernel(kernel);
            // A block's absmax covers all its elements: chunks are cut at whole blocks.
            ParallelChunks chunks = threads > 1 ? new ParallelChunks(threads, blockSize, null) : null;
            return new Run<>(k == null ? REFERENCE : k.name(), st.named(), (t, p, g) -> {
                AdamStep s = adam.step(t);
                if (chunks == null) {
                    op.run(k, s, p, g, st, 0, n);
                } else {
                    chunks.run(0, n, (off, len) -> op.run(k, s, p, g, st, off, len));
                }
                return true;
            });
        }

        /**
         * A run of {@code op} on {@code state}; with {@code threads > 1} (the reference, which has no parallel path
         * of its own) each step's slice is cut into chunks. Each step is guarded as the case asks, in PyTorch's
         * order: unscale by {@code inv}, skip a non-finite step, clip by the global norm ({@code clipCoef} of it),
         * step.
         */
        private <A> Run<A> run(String kernel, int threads, int elementBytes, A[] state, SliceOp<A> op,
                GradPass<A> pass, double inv, java.util.function.DoubleUnaryOperator clipCoef) {
            Map<String, A> named = new LinkedHashMap<>();
            for (int k = 0; k < state.length; k++) {
                named.put(config.stateNames().get(k), state[k]);
            }
            double[] scalars = config.scalarStates().stream().mapToDouble(StateVariable::initialValue).toArray();
            ParallelChunks chunks = threads > 1 ? CaseReplayer.referenceChunks(threads, elementBytes) : null;
            return new Run<>(kernel, named, (t, p, g) -> {
                double coef = 1.0;
                if (guard.needsNorm()) {
                    boolean inf = guard.clipsByMaxAbs();
                    double sum = inf ? Double.NaN : pass.sumOfSquares(g, inv);
                    double max = inf ? pass.maxAbs(g, inv) : Double.NaN;
                    boolean nonFinite = !Double.isFinite(inf ? max : sum) && pass.nonFinite(g, inv) > 0;
                    if (guard.skipNonFinite() && nonFinite) {
                        return false;
                    }
                    if (guard.clips()) {
                        coef = clipCoef.applyAsDouble(guard.totalNorm(sum, max));
                    }
                }
                if (inv != 1.0 || coef != 1.0) {
                    pass.scale(g, inv, coef);
                }
                OptimizerStep s = config.step(t, config.lr(), scalars);
                if (chunks == null) {
                    op.run(s, p, g, state, 0, n);
                } else {
                    chunks.run(0, n, (o, l) -> op.run(s, p, g, state, o, l));
                }
                s.scalarsAfter(scalars);
                return true;
            });
        }
    }
}
