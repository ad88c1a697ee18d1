package org.adam4j.kernels;

import org.adam4j.reference.AdagradConfig;
import org.adam4j.reference.AdagradStep;
import org.adam4j.reference.AdamConfig;
import org.adam4j.reference.AdamStep;
import org.adam4j.reference.AdamaxConfig;
import org.adam4j.reference.AdamaxStep;
import org.adam4j.reference.LowPrecision;
import org.adam4j.reference.NAdamConfig;
import org.adam4j.reference.NAdamStep;
import org.adam4j.reference.OptimizerConfig;
import org.adam4j.reference.OptimizerStep;
import org.adam4j.reference.RAdamConfig;
import org.adam4j.reference.RAdamStep;
import org.adam4j.reference.RmspropConfig;
import org.adam4j.reference.RmspropStep;
import org.adam4j.reference.Rounding;
import org.adam4j.reference.SgdConfig;
import org.adam4j.reference.SgdStep;

/**
 * The place that binds each algorithm's step on 16-bit parameters and gradients ({@link LowPrecision} bit patterns,
 * {@code float} arithmetic and state) to its kernel operation, as {@code OptimizerSteps_F32} binds the {@code float}
 * steps: the exhaustive switches below are where an algorithm gains a 16-bit step. So far Adam (with its AdamW and
 * fully decoupled forms) has one ({@link LowPrecisionAdamKernel}); the optimizer refuses 16-bit parameters for the
 * others when they are added ({@link #steps}).
 */
public final class LowPrecisionSteps {
    private LowPrecisionSteps() {
    }

    /**
     * Whether the algorithm of {@code config} can step 16-bit parameters.
     *
     * @param config the configuration
     * @return {@code true} for Adam
     */
    public static boolean steps(OptimizerConfig config) {
        return switch (config) {
            case AdamConfig c -> true;
            case AdamaxConfig c -> false;
            case NAdamConfig c -> false;
            case RAdamConfig c -> false;
            case SgdConfig c -> false;
            case RmspropConfig c -> false;
            case AdagradConfig c -> false;
        };
    }

    /**
     * One step of {@code s}'s algorithm over {@code [off, off + len)} of 16-bit parameters, the stepped parameter
     * stored by {@code rounding}.
     *
     * @param kernel the 16-bit kernel
     * @param s this step's scalars
     * @param fmt the format of {@code p}, {@code g} and {@code comp}
     * @param rounding how the stepped parameter is stored
     * @param p the parameters' bit patterns, updated in place
     * @param g the gradient's bit patterns
     * @param state the algorithm's state arrays in its order (Adam: {@code exp_avg}, {@code exp_avg_sq}, and with
     *     AMSGrad {@code max_exp_avg_sq})
     * @param comp the Kahan compensation ({@link Rounding#KAHAN} only, else may be {@code null})
     * @param off the index of the slice's first element
     * @param len the number of elements in the slice
     * @param seed the stochastic rounding's seed
     * @param indexBase the global index of element {@code off}
     * @throws IllegalArgumentException for an algorithm without a 16-bit step ({@link #steps} is {@code false})
     */
    public static void run(LowPrecisionAdamKernel kernel, OptimizerStep s, LowPrecision fmt, Rounding rounding,
            short[] p, short[] g, float[][] state, short[] comp, int off, int len, long seed, long indexBase) {
        switch (s) {
            case AdamStep a -> kernel.fused(a, fmt, rounding, p, g, state[0], state[1], a.amsgrad ? state[2] : null,
                    comp, off, len, seed, indexBase);
            case AdamaxStep a -> throw unsupported(s);
            case NAdamStep a -> throw unsupported(s);
            case RAdamStep a -> throw unsupported(s);
            case SgdStep a -> throw unsupported(s);
            case RmspropStep a -> throw unsupported(s);
            case AdagradStep a -> throw unsupported(s);
        }
    }

    private static IllegalArgumentException unsupported(OptimizerStep s) {
        return new IllegalArgumentException(s.getClass().getSimpleName() + " has no step on 16-bit parameters");
    }
}
