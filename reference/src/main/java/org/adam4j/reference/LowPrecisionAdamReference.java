package org.adam4j.reference;

/**
 * Adam's fused step on parameters and gradients kept in a 16-bit {@link LowPrecision} format ({@code short} bit
 * patterns) with {@code float} moments, written plainly: the specification every such kernel matches bit for bit.
 *
 * <p>Each element of the slice {@code [off, off + len)} is widened exactly ({@link LowPrecision#toFloat}), stepped
 * with exactly the {@code float} arithmetic of {@link AdamReference_F32#fused} (the same operations, fused
 * multiply-adds and order, spelled out in {@link AdamStep}), and the stepped parameter {@code pNew} is stored by the
 * {@link Rounding}:
 *
 * <ul>
 *   <li>{@link Rounding#NEAREST}: {@code p[i] = R(pNew)}, {@code R} being {@link LowPrecision#fromFloatNearestEven},
 *       so the result is the {@code float} step's parameter rounded once to the format;</li>
 *   <li>{@link Rounding#STOCHASTIC}: {@code p[i] = fmt.fromFloatStochastic(pNew, StochasticBits.bits(seed, t,
 *       indexBase + (i - off)))}, {@code t} being the step number {@link OptimizerStep#t}: the bits depend on the
 *       element's global index, not on how a parameter is split into slices, calls, threads or lanes;</li>
 *   <li>{@link Rounding#KAHAN}: with {@code pOld} the widened parameter before the step and the update
 *       {@code u = pNew - pOld} (one {@code float} subtraction, exact whenever {@code pNew} is within a factor 2 of
 *       {@code pOld}), {@code (p[i], comp[i]) = fmt.kahanAdd(p[i], comp[i], u)}, optimi's four roundings:
 *       {@code c = R(comp + u); p' = R(pOld + c); c' = R(c + R(pOld - p'))}.</li>
 * </ul>
 *
 * <p>The Kahan update differs from optimi's AdamW in one place, on purpose: optimi multiplies the stored parameter by
 * the decoupled decay factor in its own precision ({@code param.mul_(1 - lr * wd)}, one rounding that is not
 * compensated, so a decay below half an ulp is lost) and compensates only the Adam term
 * {@code -lr * m / (sqrt(v) + eps)}; here the decay is part of {@code pNew} (as in the {@code float} step), so both
 * are compensated and the arithmetic stays that of the {@code float} path. Without decoupled decay, {@code u} is
 * optimi's Adam term computed by the {@code float} path's fused multiply-add and then differenced (it equals
 * {@code -stepSize * m / denom} up to the rounding of {@code pNew}). A non-finite {@code pOld} or {@code pNew}
 * makes {@code u} NaN, and then the parameter and its compensation NaN, as optimi's compensation also becomes NaN
 * there.
 *
 * <p>A parameter or compensation that comes out NaN is stored as the format's positive quiet NaN ({@link Bf16#NAN},
 * {@link Fp16#NAN}) whatever its sign: the sign of a NaN made by arithmetic is unspecified in Java and differs between
 * the interpreter, compiled code and vector instructions, and binary16's rounding would keep it. (bfloat16's rounding
 * already gives {@link Bf16#NAN} for every NaN.)
 *
 * <p>The moments are stored in {@code float} as the {@code float} step stores them (a NaN moment's bits are equally
 * unspecified; only its being NaN is); the gradient is only read.
 */
public final class LowPrecisionAdamReference {
    private LowPrecisionAdamReference() {
    }

    /**
     * One fused Adam step over {@code [off, off + len)} (see the class description), after
     * {@link #checkSlice checking} every operand: a refused call writes nothing.
     *
     * @param s this step's scalars (from the configuration's {@code step(t)}); {@code s.t} keys stochastic rounding
     * @param fmt the format of {@code p}, {@code g} and {@code comp}
     * @param rounding how the stepped parameter is stored
     * @param p the parameters' bit patterns, updated in place
     * @param g the gradient's bit patterns
     * @param m the first moment, {@code exp_avg}, updated in place
     * @param v the second moment, {@code exp_avg_sq}, updated in place
     * @param vmax the running maximum of {@code v}, {@code max_exp_avg_sq}, used and updated with AMSGrad only (may be
     *     {@code null} without it)
     * @param comp the Kahan compensation's bit patterns in {@code fmt}, used and updated with {@link Rounding#KAHAN}
     *     only (may be {@code null} otherwise)
     * @param off the index of the slice's first element
     * @param len the number of elements in the slice
     * @param seed the stochastic rounding's seed (used with {@link Rounding#STOCHASTIC} only)
     * @param indexBase the global index of element {@code off}, at least 0: element {@code i} has index
     *     {@code indexBase + (i - off)}
     * @throws IllegalArgumentException for operands {@link #checkSlice} refuses
     */
    public static void fused(AdamStep s, LowPrecision fmt, Rounding rounding, short[] p, short[] g, float[] m,
            float[] v, float[] vmax, short[] comp, int off, int len, long seed, long indexBase) {
        checkSlice(s, fmt, rounding, p, g, m, v, vmax, comp, off, len, indexBase);
        fusedUnchecked(s, fmt, rounding, p, g, m, v, vmax, comp, off, len, seed, indexBase);
    }

    /**
     * {@link #fused} without the checks, for kernels that have checked the whole slice and leave its tail to this
     * loop.
     *
     * @param s this step's scalars
     * @param fmt the format of {@code p}, {@code g} and {@code comp}
     * @param rounding how the stepped parameter is stored
     * @param p the parameters' bit patterns, updated in place
     * @param g the gradient's bit patterns
     * @param m the first moment, updated in place
     * @param v the second moment, updated in place
     * @param vmax the running maximum of {@code v} (AMSGrad only)
     * @param comp the Kahan compensation ({@link Rounding#KAHAN} only)
     * @param off the index of the slice's first element
     * @param len the number of elements in the slice
     * @param seed the stochastic rounding's seed
     * @param indexBase the global index of element {@code off}
     */
    public static void fusedUnchecked(AdamStep s, LowPrecision fmt, Rounding rounding, short[] p, short[] g,
            float[] m, float[] v, float[] vmax, short[] comp, int off, int len, long seed, long indexBase) {
        final boolean maximize = s.maximize, l2 = s.l2, decoupled = s.decoupled, amsgrad = s.amsgrad;
        final float wd = s.weightDecay_F32, decay = s.decayFactor_F32;
        final float b1 = s.beta1_F32, c1 = s.oneMinusBeta1_F32;
        final float b2 = s.beta2_F32, c2 = s.oneMinusBeta2_F32;
        final float eps = s.eps_F32, denomScale = s.denomScale_F32, negStepSize = s.negStepSize_F32;
        final long t = s.t;
        for (int i = off, end = off + len; i < end; i++) {
            float gi = fmt.toFloat(g[i]);
            if (maximize) {
                gi = -gi;
            }
            final float pOld = fmt.toFloat(p[i]);
            float pi = pOld;
            if (l2) {
                gi = Math.fma(wd, pi, gi);
            }
            if (decoupled) {
                pi = pi * decay;
            }
            float mi = Math.fma(b1, m[i], c1 * gi);
            float vi = Math.fma(b2, v[i], c2 * gi * gi);
            m[i] = mi;
            v[i] = vi;
            if (amsgrad) {
                vi = Math.max(vmax[i], vi);
                vmax[i] = vi;
            }
            float denom = Math.fma((float) Math.sqrt(vi), denomScale, eps);
            float pNew = Math.fma(negStepSize, mi / denom, pi);
            fmt.store(rounding, p, comp, i, pOld, pNew, seed, t, indexBase + (i - off));
        }
    }

    /**
     * Refuses, before anything is written: a missing step, format or rounding; a missing {@code p}, {@code g},
     * {@code m} or {@code v}, a missing {@code vmax} under AMSGrad or {@code comp} under {@link Rounding#KAHAN}; a
     * slice that does not fit; operands of different lengths (those not used are not looked at); one array passed as
     * two operands; and a negative {@code indexBase} or one whose slice would pass {@code Long.MAX_VALUE}.
     *
     * @param s this step's scalars
     * @param fmt the format of {@code p}, {@code g} and {@code comp}
     * @param rounding how the stepped parameter is stored
     * @param p the parameters' bit patterns
     * @param g the gradient's bit patterns
     * @param m the first moment
     * @param v the second moment
     * @param vmax the running maximum of {@code v} (AMSGrad only)
     * @param comp the Kahan compensation ({@link Rounding#KAHAN} only)
     * @param off the index of the slice's first element
     * @param len the number of elements in the slice
     * @param indexBase the global index of element {@code off}
     * @throws IllegalArgumentException if an operand is refused
     */
    public static void checkSlice(AdamStep s, LowPrecision fmt, Rounding rounding, short[] p, short[] g, float[] m,
            float[] v, float[] vmax, short[] comp, int off, int len, long indexBase) {
        if (s == null || fmt == null || rounding == null) {
            throw new IllegalArgumentException(
                    s == null ? "step scalars are null" : fmt == null ? "format is null" : "rounding is null");
        }
        if (p == null || g == null || m == null || v == null) {
            throw new IllegalArgumentException(p == null ? "p is null" : g == null ? "g is null"
                    : m == null ? "m is null" : "v is null");
        }
        if (s.amsgrad && vmax == null) {
            throw new IllegalArgumentException("AMSGrad needs a vmax array, got null");
        }
        boolean kahan = rounding == Rounding.KAHAN;
        if (kahan && comp == null) {
            throw new IllegalArgumentException("Kahan rounding needs a compensation array, got null");
        }
        int n = p.length;
        if (off < 0 || len < 0 || off > n - len) {
            throw new IllegalArgumentException(
                    "slice [" + off + ", " + off + " + " + len + ") does not fit arrays of length " + n);
        }
        if (indexBase < 0 || indexBase > Long.MAX_VALUE - len) {
            throw new IllegalArgumentException("global indices [" + indexBase + ", " + indexBase + " + " + len
                    + ") are not all in [0, Long.MAX_VALUE]");
        }
        requireLength("g", g.length, n);
        requireLength("m", m.length, n);
        requireLength("v", v.length, n);
        float[] vm = s.amsgrad ? vmax : null;
        short[] c = kahan ? comp : null;
        if (vm != null) {
            requireLength("vmax", vm.length, n);
        }
        if (c != null) {
            requireLength("comp", c.length, n);
        }
        if (p == g || p == c || g == c || m == v || m == vm || v == vm) {
            throw new IllegalArgumentException("the same array is passed as two operands of p, g"
                    + (c != null ? ", comp" : "") + ", m, v" + (vm != null ? ", vmax" : "") + ": each needs its own");
        }
    }

    private static void requireLength(String name, int length, int n) {
        if (length != n) {
            throw new IllegalArgumentException(
                    "arrays differ in length: p has " + n + " elements, " + name + " has " + length);
        }
    }
}
