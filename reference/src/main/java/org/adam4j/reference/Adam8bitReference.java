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
        final boolean maximize = s.maximize, l2 = s.l2, decoupled = s.decoupled;
        final float wd = s.weightDecay_F32, decay = s.decayFactor_F32;
        final float b1 = s.beta1_F32, c1 = s.oneMinusBeta1_F32;
        final float b2 = s.beta2_F32, c2 = s.oneMinusBeta2_F32;
        final float eps = s.eps_F32, denomScale = s.denomScale_F32, negStepSize = s.negStepSize_F32;
        final DynamicMap mMap = DynamicMap.SIGNED, vMap = DynamicMap.UNSIGNED;
        final byte mZero = (byte) mMap.zeroCode(), vZero = (byte) vMap.zeroCode();
        for (int start = off, end = off + len; start < end; start += Math.min(blockSize, end - start)) {
            final int stop = start + Math.min(blockSize, end - start);
            final int block = start / blockSize;
            final float mScale = mAbsmax[block], vScale = vAbsmax[block];
            float mMax = 0f, vMax = 0f;
            for (int i = start; i < stop; i++) {
                float gi = maximize ? -g[i] : g[i];
                if (l2) {
                    gi = Math.fma(wd, p[i], gi);
                }
                float mi = Math.fma(b1, mMap.value(m[i] & 0xFF) * mScale, c1 * gi);
                float vi = Math.fma(b2, vMap.value(v[i] & 0xFF) * vScale, c2 * gi * gi);
                mMax = Math.max(mMax, Math.abs(mi));
                vMax = Math.max(vMax, Math.abs(vi));
            }
            final boolean mCodable = Blockwise8bit.codable(mMax), vCodable = Blockwise8bit.codable(vMax);
            final float mScaleNew = 1f / mMax, vScaleNew = 1f / vMax;
            for (int i = start; i < stop; i++) {
                float gi = maximize ? -g[i] : g[i];
                float pi = p[i];
                if (l2) {
                    gi = Math.fma(wd, pi, gi);
                }
                if (decoupled) {
                    pi = pi * decay;
                }
                float mi = Math.fma(b1, mMap.value(m[i] & 0xFF) * mScale, c1 * gi);
                float vi = Math.fma(b2, vMap.value(v[i] & 0xFF) * vScale, c2 * gi * gi);
                float denom = Math.fma((float) Math.sqrt(vi), denomScale, eps);
                p[i] = Math.fma(negStepSize, mi / denom, pi);
                m[i] = mCodable ? (byte) mMap.code(mi * mScaleNew) : mZero;
                v[i] = vCodable ? (byte) vMap.code(vi * vScaleNew) : vZero;
            }
            mAbsmax[block] = storedAbsmax(mMax);
            vAbsmax[block] = storedAbsmax(vMax);
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
        if (p == null || g == null || m == null || mAbsmax == null || v == null || vAbsmax == null) {
            throw new IllegalArgumentException((p == null ? "p" : g == null ? "g" : m == null ? "m"
                    : mAbsmax == null ? "mAbsmax" : v == null ? "v" : "vAbsmax") + " is null");
        }
        int n = p.length;
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
        requireLength("g", g.length, n);
        requireLength("m", m.length, n);
        requireLength("v", v.length, n);
        int blocks = Blockwise8bit.blocks(n, blockSize);
        if (mAbsmax.length != blocks || vAbsmax.length != blocks) {
            throw new IllegalArgumentException("a parameter of " + n + " elements in blocks of " + blockSize + " has "
                    + blocks + " absmax values, got " + (mAbsmax.length != blocks ? "mAbsmax of " + mAbsmax.length
                    : "vAbsmax of " + vAbsmax.length));
        }
        if (p == g || p == mAbsmax || p == vAbsmax || g == mAbsmax || g == vAbsmax || mAbsmax == vAbsmax || m == v) {
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
