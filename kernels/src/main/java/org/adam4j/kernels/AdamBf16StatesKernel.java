package org.adam4j.kernels;

import org.adam4j.reference.AdamBf16StatesReference;
import org.adam4j.reference.AdamStep;
import org.adam4j.reference.LowPrecision;
import org.adam4j.reference.Rounding;

/**
 * Adam's fused step with bfloat16 moments ({@code exp_avg}, {@code exp_avg_sq} and, with AMSGrad,
 * {@code max_exp_avg_sq} as {@code short} bit patterns), on {@code float} parameters or on 16-bit ones, bit for bit
 * {@link AdamBf16StatesReference} at any lane width. The parameters' storage and the states' are independent: one
 * kernel takes both storages of the parameters. Get one from {@link AdamBf16States}.
 */
public interface AdamBf16StatesKernel {
    /** {@return the implementation's name: {@code scalar} or {@code vector-<bits>}} */
    String name();

    /** {@return the {@code float} lanes of one vector (1 for the scalar implementation)} */
    int lanes();

    /**
     * One fused Adam step on {@code float} parameters over {@code [off, off + len)}, exactly as
     * {@link AdamBf16StatesReference#fused(AdamStep, Rounding, float[], float[], short[], short[], short[], int, int,
     * long, long)}. Every operand is checked before anything is written, and nothing outside the slice is read or
     * written.
     *
     * @param s this step's scalars (from the configuration's {@code step(t)}); {@code s.t} keys stochastic rounding
     * @param rounding how the states are stored: {@link Rounding#STOCHASTIC} stochastically, else to nearest even
     * @param p the parameters, updated in place
     * @param g the gradient
     * @param m the first moment, {@code exp_avg}, as bfloat16 bits, updated in place
     * @param v the second moment, {@code exp_avg_sq}, as bfloat16 bits, updated in place
     * @param vmax the running maximum of {@code v}, {@code max_exp_avg_sq}, as bfloat16 bits, used and updated with
     *     AMSGrad only (may be {@code null} without it)
     * @param off the index of the slice's first element
     * @param len the number of elements in the slice
     * @param seed the stochastic rounding's seed (used with {@link Rounding#STOCHASTIC} only)
     * @param indexBase the global index of element {@code off}, at least 0
     * @throws IllegalArgumentException for operands {@link AdamBf16StatesReference#checkSlice} refuses
     */
    void fused(AdamStep s, Rounding rounding, float[] p, float[] g, short[] m, short[] v, short[] vmax, int off,
            int len, long seed, long indexBase);

    /**
     * One fused Adam step on 16-bit parameters and gradients over {@code [off, off + len)}, the parameter stored by
     * {@code rounding} and the states by {@link AdamBf16StatesReference#stateRounding}, exactly as
     * {@link AdamBf16StatesReference#fused(AdamStep, LowPrecision, Rounding, short[], short[], short[], short[],
     * short[], short[], int, int, long, long)}. Every operand is checked before anything is written, and nothing
     * outside the slice is read or written.
     *
     * @param s this step's scalars (from the configuration's {@code step(t)}); {@code s.t} keys stochastic rounding
     * @param fmt the format of {@code p}, {@code g} and {@code comp}
     * @param rounding how the stepped parameter is stored, and so the states
     * @param p the parameters' bit patterns, updated in place
     * @param g the gradient's bit patterns
     * @param m the first moment, {@code exp_avg}, as bfloat16 bits, updated in place
     * @param v the second moment, {@code exp_avg_sq}, as bfloat16 bits, updated in place
     * @param vmax the running maximum of {@code v}, as bfloat16 bits, used and updated with AMSGrad only (may be
     *     {@code null} without it)
     * @param comp the parameter's Kahan compensation in {@code fmt}, used and updated with {@link Rounding#KAHAN}
     *     only (may be {@code null} otherwise)
     * @param off the index of the slice's first element
     * @param len the number of elements in the slice
     * @param seed the stochastic rounding's seed (used with {@link Rounding#STOCHASTIC} only)
     * @param indexBase the global index of element {@code off}, at least 0
     * @throws IllegalArgumentException for operands {@link AdamBf16StatesReference#checkSlice} refuses
     */
    void fused(AdamStep s, LowPrecision fmt, Rounding rounding, short[] p, short[] g, short[] m, short[] v,
            short[] vmax, short[] comp, int off, int len, long seed, long indexBase);
}
