package org.adam4j.kernels;

import org.adam4j.reference.AdamStep;
import org.adam4j.reference.LowPrecision;
import org.adam4j.reference.LowPrecisionAdamReference;
import org.adam4j.reference.Rounding;

/**
 * Adam's fused step on 16-bit parameters and gradients ({@code short} bit patterns) with {@code float} moments, bit
 * for bit {@link LowPrecisionAdamReference#fused} at any lane width, for each {@link Rounding}. Get one from
 * {@link LowPrecisionAdam}.
 */
public interface LowPrecisionAdamKernel {
    /** {@return the implementation's name: {@code scalar} or {@code vector-<bits>}} */
    String name();

    /** {@return the {@code float} lanes of one vector (1 for the scalar implementation)} */
    int lanes();

    /**
     * One fused Adam step over {@code [off, off + len)}, the stepped parameter stored by {@code rounding}, exactly as
     * {@link LowPrecisionAdamReference#fused} (which says what each rounding stores). Every operand is checked before
     * anything is written, and nothing outside the slice is read or written.
     *
     * @param s this step's scalars (from the configuration's {@code step(t)}); {@code s.t} keys stochastic rounding
     * @param fmt the format of {@code p}, {@code g} and {@code comp}
     * @param rounding how the stepped parameter is stored
     * @param p the parameters' bit patterns, updated in place
     * @param g the gradient's bit patterns
     * @param m the first moment, {@code exp_avg}, updated in place
     * @param v the second moment, {@code exp_avg_sq}, updated in place
     * @param vmax the running maximum of {@code v}, used and updated with AMSGrad only (may be {@code null} without
     *     it)
     * @param comp the Kahan compensation's bit patterns in {@code fmt}, used and updated with {@link Rounding#KAHAN}
     *     only (may be {@code null} otherwise)
     * @param off the index of the slice's first element
     * @param len the number of elements in the slice
     * @param seed the stochastic rounding's seed (used with {@link Rounding#STOCHASTIC} only)
     * @param indexBase the global index of element {@code off}, at least 0
     * @throws IllegalArgumentException for operands {@link LowPrecisionAdamReference#checkSlice} refuses
     */
    void fused(AdamStep s, LowPrecision fmt, Rounding rounding, short[] p, short[] g, float[] m, float[] v,
            float[] vmax, short[] comp, int off, int len, long seed, long indexBase);
}
