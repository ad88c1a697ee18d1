package org.adam4j.reference;

/**
 * Adam's fused step with 8-bit blockwise moments, as bitsandbytes' 8-bit Adam keeps them (Dettmers et al., "8-bit
 * Optimizers via Block-wise Quantization", 2022), on {@code float} parameters and gradients, written plainly: the
 * specification every such kernel matches bit for bit.
 *
 * <h2>State</h2>
 * The first moment {@code m} is kept as one {@link DynamicMap#SIGNED} code per element and the second moment
 * {@code v} as one {@link DynamicMap#UNSIGNED} code per element ({@code byte}s read as unsigned), each with one
 * {@code float} absmax per block of {@code blockSize} elements (bitsandbytes' 256 by default). Blocks are counted from
 * the parameter's element 0: block {@code b} is elements {@code [b * blockSize, (b + 1) * blockSize)}, the last block
 * may be short, and the absmax arrays have {@link Blockwise8bit#blocks blocks(p.length, blockSize)} entries. A fresh
 * state is zeroed arrays: an absmax of 0 dequantizes every code of its block to zero.
 *
 * <h2>One step</h2>
 * For each block of the slice, in bitsandbytes' order ({@code kOptimizerStatic8bit2StateBlockwise}):
 * <ol>
 *   <li>each element's moments are dequantized with the block's absmax as {@link Blockwise8bit#dequantize} does
 *       ({@code map.value(code) * absmax});</li>
 *   <li>the element is stepped with exactly the {@code float} arithmetic of {@link AdamReference_F32#fused} (spelled
 *       out in {@link AdamStep}), and the parameter is stepped with the new {@code float} moments, not with their
 *       quantized values;</li>
 *   <li>the block's new absmax is the largest magnitude of each new moment, and the new moments are quantized with it
 *       as {@link Blockwise8bit#quantize} does: nearest code of {@code moment * (1f / absmax)} (ties to the lower
 *       code), every code the zero code when the absmax is not {@link Blockwise8bit#codable codable} (zero, NaN,
 *       infinite, or too small for a finite reciprocal).</li>
 * </ol>
 * So the step is, bit for bit, {@link Blockwise8bit#dequantize} of the slice's moments, {@link AdamReference_F32#fused}
 * on those {@code float} copies, and {@link Blockwise8bit#quantize} of the result, except that a NaN absmax is stored
 * as {@link Float#NaN} ({@code 0x7fc00000}) whatever NaN arose, so that a state's bytes do not depend on which
 * instructions computed it. Each block's new moments are computed twice, by the same operations on the same operands
 * (once for the absmax, once to quantize and step the parameter), rather than kept in scratch memory.
 *
 * <h2>NaN and infinity</h2>
 * As {@link Blockwise8bit} defines them: a NaN or infinite gradient or parameter (through L2) makes its element's new
 * moments, and so its block's absmax, NaN or infinite (a finite gradient large enough to overflow {@code v} does too);
 * the block's codes are then all the zero code and its absmax is stored (NaN as {@link Float#NaN}, infinity as it is),
 * so the next step dequantizes every moment of the block to {@code 0 * absmax}, a NaN, and every parameter of the block
 * becomes NaN: one non-finite value poisons its block, visibly. This step itself steps the parameters with the
 * {@code float} moments, exactly as the {@code float} step would: the block's other parameters are hit only by the
 * next step.
 *
 * <h2>Where bitsandbytes differs</h2>
 * bitsandbytes skips elements whose gradient is NaN or infinite (their moments are set to zero and their parameter is
 * left), multiplies the decoupled decay in after the Adam update, rounds {@code beta * m + (1 - beta) * g} twice where
 * this step fuses it (and orders the bias corrections otherwise), takes codes by its own search (see {@link DynamicMap}), and moves a first-moment code whose value has the
 * other sign than the moment one code towards it. None of these is done here: the arithmetic is the {@code float}
 * Adam step's, and the quantization {@link Blockwise8bit}'s. bitsandbytes has no AMSGrad for 8-bit states, and neither
 * has this step.
 *
 * <h2>16-bit parameters</h2>
 * The {@code short[]} form takes {@link LowPrecision} parameters and gradients as {@link LowPrecisionAdamReference}
 * does: each element is widened exactly, stepped with the same {@code float} arithmetic as above, and the stepped
 * parameter stored by the {@link Rounding} ({@link LowPrecision#store}); the stochastic rounding's index of element
 * {@code i} is {@code indexBase + i}, {@code indexBase} being the global index of the arrays' element 0 (an optimizer
 * numbers all its parameters' elements in one sequence), so the bits do not depend on slices, calls or threads.
 * So a 16-bit parameter with 8-bit moments differs from a {@code float} one only by the parameter's storage rounding.
 *
 * <h2>Slices</h2>
 * A slice {@code [off, off + len)} is stepped block by block: it must start on a block boundary and end on one or at
 * the parameter's end, since a block's absmax covers all its elements. Arguments are checked before anything is
 * written ({@link #checkSlice}); nothing outside the slice and its blocks' absmax is read or written.
 */
public final class Adam8bitReference {
    private Adam8bitReference() {
    }

    /**
     * One fused step over {@code [off, off + len)} in bitsandbytes' blocks of
     * {@value Blockwise8bit#DEFAULT_BLOCK_SIZE} elements: the other {@code fused} with
     * {@link Blockwise8bit#DEFAULT_BLOCK_SIZE}.
     *
     * @param s this step's scalars (from the configuration's {@code step(t)}); without AMSGrad
     * @param p the parameters, updated in place
     * @param g the gradient
     * @param m the first moment's {@link DynamicMap#SIGNED} codes, one per element, updated in place
     * @param mAbsmax the first moment's absmax, one per block of the parameter, updated for the slice's blocks
     * @param v the second moment's {@link DynamicMap#UNSIGNED} codes, one per element, updated in place
     * @param vAbsmax the second moment's absmax, one per block of the parameter, updated for the slice's blocks
     * @param off the index of the slice's first element, a multiple of the block size
     * @param len the number of elements in the slice: a multiple of the block size, or up to the parameter's end
     * @throws IllegalArgumentException for operands {@link #checkSlice} refuses
     */
    public static void fused(AdamStep s, float[] p, float[] g, byte[] m, float[] mAbsmax, byte[] v, float[] vAbsmax,
            int off, int len) {
        fused(s, Blockwise8bit.DEFAULT_BLOCK_SIZE, p, g, m, mAbsmax, v, vAbsmax, off, len);
    }

    /**
     * One fused step over {@code [off, off + len)} (see the class description), after {@link #checkSlice checking}
     * every operand: a refused call writes nothing.
     *
     * @param s this step's scalars (from the configuration's {@code step(t)}); without AMSGrad
     * @param blockSize elements per block, at least 1
     * @param p the parameters, updated in place
     * @param g the gradient
     * @param m the first moment's {@link DynamicMap#SIGNED} codes, one per element, updated in place
     * @param mAbsmax the first moment's absmax, one per block of the parameter, updated for the slice's blocks
     * @param v the second moment's {@link DynamicMap#UNSIGNED} codes, one per element, updated in place
     * @param vAbsmax the second moment's absmax, one per block of the parameter, updated for the slice's blocks
     * @param off the index of the slice's first element, a multiple of {@code blockSize}
     * @param len the number of elements in the slice: a multiple of {@code blockSize}, or up to the parameter's end
     * @throws IllegalArgumentException for operands {@link #checkSlice} refuses
     */
    public static void fused(AdamStep s, int blockSize, float[] p, float[] g, byte[] m, float[] mAbsmax, byte[] v,
            float[] vAbsmax, int off, int len) {
        checkSlice(s, blockSize, p, g, m, mAbsmax, v, vAbsmax, off, len);
        for (int start = off, end = off + len; start < end; start += Math.min(blockSize, end - start)) {
            final int stop = start + Math.min(blockSize, end - start);
            final int block = start / blockSize;
            final float mScale = mAbsmax[block], vScale = vAbsmax[block];
            float mMax = 0f, vMax = 0f;
            for (int i = start; i < stop; i++) {
                float gi = gradient(s, g[i], p[i]);
                mMax = Math.max(mMax, Math.abs(firstMoment(s, m[i], mScale, gi)));
                vMax = Math.max(vMax, Math.abs(secondMoment(s, v[i], vScale, gi)));
            }
            final Quantizer q = new Quantizer(mMax, vMax);
            for (int i = start; i < stop; i++) {
                float pi = p[i];
                float gi = gradient(s, g[i], pi);
                float mi = firstMoment(s, m[i], mScale, gi);
                float vi = secondMoment(s, v[i], vScale, gi);
                p[i] = parameter(s, pi, mi, vi);
                m[i] = q.m(mi);
                v[i] = q.v(vi);
            }
            mAbsmax[block] = storedAbsmax(mMax);
            vAbsmax[block] = storedAbsmax(vMax);
        }
    }

    /**
     * One fused step over {@code [off, off + len)} on 16-bit parameters and gradients (see "16-bit parameters" in the
     * class description), after {@link #checkSlice(AdamStep, int, LowPrecision, Rounding, short[], short[], byte[],
     * float[], byte[], float[], short[], int, int, long) checking} every operand: a refused call writes nothing.
     *
     * @param s this step's scalars (from the configuration's {@code step(t)}); without AMSGrad; {@code s.t} keys
     *     stochastic rounding
     * @param blockSize elements per block, at least 1
     * @param fmt the format of {@code p}, {@code g} and {@code comp}
     * @param rounding how the stepped parameter is stored
     * @param p the parameters' bit patterns, updated in place
     * @param g the gradient's bit patterns
     * @param m the first moment's {@link DynamicMap#SIGNED} codes, one per element, updated in place
     * @param mAbsmax the first moment's absmax, one per block of the parameter, updated for the slice's blocks
     * @param v the second moment's {@link DynamicMap#UNSIGNED} codes, one per element, updated in place
     * @param vAbsmax the second moment's absmax, one per block of the parameter, updated for the slice's blocks
     * @param comp the Kahan compensation's bit patterns in {@code fmt}, with {@link Rounding#KAHAN} only (may be
     *     {@code null} otherwise)
     * @param off the index of the slice's first element, a multiple of {@code blockSize}
     * @param len the number of elements in the slice: a multiple of {@code blockSize}, or up to the parameter's end
     * @param seed the stochastic rounding's seed
     * @param indexBase the global index of element 0 of the arrays, at least 0: element {@code i} has index
     *     {@code indexBase + i}
     * @throws IllegalArgumentException for operands {@code checkSlice} refuses
     */
    public static void fused(AdamStep s, int blockSize, LowPrecision fmt, Rounding rounding, short[] p, short[] g,
            byte[] m, float[] mAbsmax, byte[] v, float[] vAbsmax, short[] comp, int off, int len, long seed,
            long indexBase) {
        checkSlice(s, blockSize, fmt, rounding, p, g, m, mAbsmax, v, vAbsmax, comp, off, len, indexBase);
        for (int start = off, end = off + len; start < end; start += Math.min(blockSize, end - start)) {
            final int stop = start + Math.min(blockSize, end - start);
            final int block = start / blockSize;
            final float mScale = mAbsmax[block], vScale = vAbsmax[block];
            float mMax = 0f, vMax = 0f;
            for (int i = start; i < stop; i++) {
                float gi = gradient(s, fmt.toFloat(g[i]), fmt.toFloat(p[i]));
                mMax = Math.max(mMax, Math.abs(firstMoment(s, m[i], mScale, gi)));
                vMax = Math.max(vMax, Math.abs(secondMoment(s, v[i], vScale, gi)));
            }
            final Quantizer q = new Quantizer(mMax, vMax);
            for (int i = start; i < stop; i++) {
                float pOld = fmt.toFloat(p[i]);
                float gi = gradient(s, fmt.toFloat(g[i]), pOld);
                float mi = firstMoment(s, m[i], mScale, gi);
                float vi = secondMoment(s, v[i], vScale, gi);
                fmt.store(rounding, p, comp, i, pOld, parameter(s, pOld, mi, vi), seed, s.t, indexBase + i);
                m[i] = q.m(mi);
                v[i] = q.v(vi);
            }
            mAbsmax[block] = storedAbsmax(mMax);
            vAbsmax[block] = storedAbsmax(vMax);
        }
    }

    /** The gradient as the moments take it: negated to maximize, plus the L2 term. */
    private static float gradient(AdamStep s, float g, float p) {
        float gi = s.maximize ? -g : g;
        return s.l2 ? Math.fma(s.weightDecay_F32, p, gi) : gi;
    }

    /** The new first moment from its code, the block's old absmax and the gradient. */
    private static float firstMoment(AdamStep s, byte code, float absmax, float g) {
        return Math.fma(s.beta1_F32, DynamicMap.SIGNED.value(code & 0xFF) * absmax, s.oneMinusBeta1_F32 * g);
    }

    /** The new second moment likewise. */
    private static float secondMoment(AdamStep s, byte code, float absmax, float g) {
        return Math.fma(s.beta2_F32, DynamicMap.UNSIGNED.value(code & 0xFF) * absmax, s.oneMinusBeta2_F32 * g * g);
    }

    /** The stepped parameter: decoupled decay, then the Adam update with the new {@code float} moments. */
    private static float parameter(AdamStep s, float p, float m, float v) {
        float pi = s.decoupled ? p * s.decayFactor_F32 : p;
        float denom = Math.fma((float) Math.sqrt(v), s.denomScale_F32, s.eps_F32);
        return Math.fma(s.negStepSize_F32, m / denom, pi);
    }

    /** A block's quantization of its new moments, by their absmax. */
    private record Quantizer(boolean mCodable, float mScale, boolean vCodable, float vScale) {
        Quantizer(float mMax, float vMax) {
            this(Blockwise8bit.codable(mMax), 1f / mMax, Blockwise8bit.codable(vMax), 1f / vMax);
        }

        byte m(float moment) {
            return mCodable ? (byte) DynamicMap.SIGNED.code(moment * mScale) : (byte) DynamicMap.SIGNED.zeroCode();
        }

        byte v(float moment) {
            return vCodable ? (byte) DynamicMap.UNSIGNED.code(moment * vScale)
                    : (byte) DynamicMap.UNSIGNED.zeroCode();
        }
    }

    /**
     * The absmax as a block stores it: {@link Float#NaN} for every NaN, every other value as it is.
     *
     * @param absmax a block's largest magnitude
     * @return the value stored
     */
    public static float storedAbsmax(float absmax) {
        return absmax != absmax ? Float.NaN : absmax;
    }

    /**
     * Refuses, before anything is written: a missing step, a step with AMSGrad (8-bit states keep no
     * {@code max_exp_avg_sq}), a block size below 1, a missing operand, a slice that does not fit, a slice that does
     * not start on a block boundary or ends inside a block that goes on past it, codes and gradient of another length
     * than {@code p}, absmax arrays of another length than {@link Blockwise8bit#blocks blocks(p.length, blockSize)},
     * and one array passed as two operands.
     *
     * @param s this step's scalars
     * @param blockSize elements per block
     * @param p the parameters
     * @param g the gradient
     * @param m the first moment's codes
     * @param mAbsmax the first moment's absmax
     * @param v the second moment's codes
     * @param vAbsmax the second moment's absmax
     * @param off the index of the slice's first element
     * @param len the number of elements in the slice
     * @throws IllegalArgumentException if an operand is refused
     */
    public static void checkSlice(AdamStep s, int blockSize, float[] p, float[] g, byte[] m, float[] mAbsmax,
            byte[] v, float[] vAbsmax, int off, int len) {
        checkStep(s, blockSize);
        if (p == null || g == null) {
            throw new IllegalArgumentException((p == null ? "p" : "g") + " is null");
        }
        checkBlocks(blockSize, p.length, g.length, m, mAbsmax, v, vAbsmax, off, len);
        if (p == g || p == mAbsmax || p == vAbsmax || g == mAbsmax || g == vAbsmax) {
            throw new IllegalArgumentException(
                    "the same array is passed as two operands of p, g, m, mAbsmax, v, vAbsmax: each needs its own");
        }
    }

    /**
     * Refuses what {@link #checkSlice(AdamStep, int, float[], float[], byte[], float[], byte[], float[], int, int)}
     * refuses, and a missing format or rounding, a missing or mis-sized {@code comp} under {@link Rounding#KAHAN}, or
     * one that is also {@code p} or {@code g}, and an {@code indexBase} below 0 or whose arrays' indices would pass
     * {@code Long.MAX_VALUE}.
     *
     * @param s this step's scalars
     * @param blockSize elements per block
     * @param fmt the format of {@code p}, {@code g} and {@code comp}
     * @param rounding how the stepped parameter is stored
     * @param p the parameters' bit patterns
     * @param g the gradient's bit patterns
     * @param m the first moment's codes
     * @param mAbsmax the first moment's absmax
     * @param v the second moment's codes
     * @param vAbsmax the second moment's absmax
     * @param comp the Kahan compensation (with {@link Rounding#KAHAN} only)
     * @param off the index of the slice's first element
     * @param len the number of elements in the slice
     * @param indexBase the global index of element 0 of the arrays
     * @throws IllegalArgumentException if an operand is refused
     */
    public static void checkSlice(AdamStep s, int blockSize, LowPrecision fmt, Rounding rounding, short[] p,
            short[] g, byte[] m, float[] mAbsmax, byte[] v, float[] vAbsmax, short[] comp, int off, int len,
            long indexBase) {
        checkStep(s, blockSize);
        if (fmt == null || rounding == null) {
            throw new IllegalArgumentException(fmt == null ? "format is null" : "rounding is null");
        }
        if (p == null || g == null) {
            throw new IllegalArgumentException((p == null ? "p" : "g") + " is null");
        }
        checkBlocks(blockSize, p.length, g.length, m, mAbsmax, v, vAbsmax, off, len);
        if (indexBase < 0 || indexBase > Long.MAX_VALUE - p.length) {
            throw new IllegalArgumentException("global indices [" + indexBase + ", " + indexBase + " + " + p.length
                    + ") are not all in [0, Long.MAX_VALUE]");
        }
        short[] c = rounding == Rounding.KAHAN ? comp : null;
        if (rounding == Rounding.KAHAN) {
            if (comp == null) {
                throw new IllegalArgumentException("Kahan rounding needs a compensation array, got null");
            }
            requireLength("comp", comp.length, p.length);
        }
        if (p == g || p == c || g == c) {
            throw new IllegalArgumentException("the same array is passed as two operands of p, g"
                    + (c != null ? ", comp" : "") + ": each needs its own");
        }
    }

    private static void checkStep(AdamStep s, int blockSize) {
        if (s == null) {
            throw new IllegalArgumentException("step scalars are null");
        }
        if (s.amsgrad) {
            throw new IllegalArgumentException("8-bit states have no AMSGrad: there is no max_exp_avg_sq to keep"
                    + " (bitsandbytes' 8-bit Adam has none either)");
        }
        if (blockSize < 1) {
            throw new IllegalArgumentException("blockSize " + blockSize + " < 1");
        }
    }

    /** The checks on the codes, absmax and slice of a parameter of {@code n} elements and a gradient of {@code gLength}. */
    private static void checkBlocks(int blockSize, int n, int gLength, byte[] m, float[] mAbsmax, byte[] v,
            float[] vAbsmax, int off, int len) {
        if (m == null || mAbsmax == null || v == null || vAbsmax == null) {
            throw new IllegalArgumentException((m == null ? "m" : mAbsmax == null ? "mAbsmax" : v == null ? "v"
                    : "vAbsmax") + " is null");
        }
        if (off < 0 || len < 0 || off > n - len) {
            throw new IllegalArgumentException(
                    "slice [" + off + ", " + off + " + " + len + ") does not fit arrays of length " + n);
        }
        if (off % blockSize != 0) {
            throw new IllegalArgumentException("slice starts at " + off + ", inside a block of " + blockSize
                    + ": blocks count from element 0, and a slice must start on a block boundary");
        }
        if (len % blockSize != 0 && off + len != n) {
            throw new IllegalArgumentException("slice [" + off + ", " + (off + len) + ") ends inside a block of "
                    + blockSize + " that goes on past it: a block's absmax covers all its elements, so a slice"
                    + " ends on a block boundary or at the parameter's end (" + n + ")");
        }
        requireLength("g", gLength, n);
        requireLength("m", m.length, n);
        requireLength("v", v.length, n);
        int blocks = Blockwise8bit.blocks(n, blockSize);
        if (mAbsmax.length != blocks || vAbsmax.length != blocks) {
            throw new IllegalArgumentException("a parameter of " + n + " elements in blocks of " + blockSize + " has "
                    + blocks + " absmax values, got " + (mAbsmax.length != blocks ? "mAbsmax of " + mAbsmax.length
                    : "vAbsmax of " + vAbsmax.length));
        }
        if (mAbsmax == vAbsmax || m == v) {
            throw new IllegalArgumentException(
                    "the same array is passed as two operands of p, g, m, mAbsmax, v, vAbsmax: each needs its own");
        }
    }

    private static void requireLength(String name, int length, int n) {
        if (length != n) {
            throw new IllegalArgumentException(
                    "arrays differ in length: p has " + n + " elements, " + name + " has " + length);
        }
    }
}
