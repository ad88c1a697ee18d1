package org.adam4j.kernels;

import org.adam4j.reference.Adam8bitReference;
import org.adam4j.reference.AdamStep;
import org.adam4j.reference.DynamicMap;
import org.adam4j.reference.LowPrecision;
import org.adam4j.reference.Rounding;

/**
 * Adam's fused step with 8-bit blockwise moments on {@code float} parameters and gradients, bit for bit
 * {@link Adam8bitReference} at any lane width. Get one from {@link Adam8bit}.
 */
public interface Adam8bitKernel {
    /** {@return the implementation's name: {@code scalar} or {@code vector-<bits>}} */
    String name();

    /** {@return the {@code float} lanes of one vector (1 for the scalar implementation)} */
    int lanes();

    /**
     * One fused Adam step over {@code [off, off + len)}, exactly as
     * {@link Adam8bitReference#fused(AdamStep, int, float[], float[], byte[], float[], byte[], float[], int, int)}
     * (which says what it computes, and what NaN and infinity do). Every operand is checked before anything is
     * written, and nothing outside the slice and its blocks' absmax is read or written.
     *
     * @param s this step's scalars (from the configuration's {@code step(t)}); without AMSGrad
     * @param blockSize elements per block, at least 1 (bitsandbytes uses 256)
     * @param p the parameters, updated in place
     * @param g the gradient
     * @param m the first moment's {@link DynamicMap#SIGNED} codes, one per element, updated in place
     * @param mAbsmax the first moment's absmax, one per block of the parameter, updated for the slice's blocks
     * @param v the second moment's {@link DynamicMap#UNSIGNED} codes, one per element, updated in place
     * @param vAbsmax the second moment's absmax, one per block of the parameter, updated for the slice's blocks
     * @param off the index of the slice's first element, a multiple of {@code blockSize}
     * @param len the number of elements in the slice: a multiple of {@code blockSize}, or up to the parameter's end
     * @throws IllegalArgumentException for operands {@link Adam8bitReference#checkSlice} refuses
     */
    void fused(AdamStep s, int blockSize, float[] p, float[] g, byte[] m, float[] mAbsmax, byte[] v,
            float[] vAbsmax, int off, int len);

    /**
     * One fused Adam step over {@code [off, off + len)} on 16-bit parameters and gradients, exactly as
     * {@link Adam8bitReference#fused(AdamStep, int, LowPrecision, Rounding, short[], short[], byte[], float[], byte[],
     * float[], short[], int, int, long, long)}. Every operand is checked before anything is written.
     *
     * @param s this step's scalars; without AMSGrad; {@code s.t} keys stochastic rounding
     * @param blockSize elements per block, at least 1
     * @param fmt the format of {@code p}, {@code g} and {@code comp}
     * @param rounding how the stepped parameter is stored
     * @param p the parameters' bit patterns, updated in place
     * @param g the gradient's bit patterns
     * @param m the first moment's codes, updated in place
     * @param mAbsmax the first moment's absmax, one per block of the parameter
     * @param v the second moment's codes, updated in place
     * @param vAbsmax the second moment's absmax, one per block of the parameter
     * @param comp the Kahan compensation ({@link Rounding#KAHAN} only; may be {@code null} otherwise)
     * @param off the index of the slice's first element, a multiple of {@code blockSize}
     * @param len the number of elements in the slice: a multiple of {@code blockSize}, or up to the parameter's end
     * @param seed the stochastic rounding's seed
     * @param indexBase the global index of element 0 of the arrays: element {@code i} has index
     *     {@code indexBase + i}
     * @throws IllegalArgumentException for operands the reference's {@code checkSlice} refuses
     */
    void fused(AdamStep s, int blockSize, LowPrecision fmt, Rounding rounding, short[] p, short[] g, byte[] m,
            float[] mAbsmax, byte[] v, float[] vAbsmax, short[] comp, int off, int len, long seed, long indexBase);
}
