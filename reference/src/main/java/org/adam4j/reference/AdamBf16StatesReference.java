package org.adam4j.reference;

/**
 * Adam's fused step with its state in bfloat16: {@code exp_avg}, {@code exp_avg_sq} and, with AMSGrad,
 * {@code max_exp_avg_sq} kept as {@link Bf16} bit patterns ({@code short[]}), on {@code float} parameters and
 * gradients or on 16-bit ({@link LowPrecision}) ones, written plainly: the specification every such kernel matches bit
 * for bit. The state takes 4 bytes per parameter (6 with AMSGrad) instead of 8 (12).
 *
 * <h2>One element</h2>
 * The arithmetic is {@link AdamReference_F32#fused}'s, operation for operation (spelled out in {@link AdamStep}), on
 * the widened operands:
 * <ol>
 *   <li>the moments are widened exactly ({@link Bf16#toFloat}), and so are 16-bit parameters and gradients
 *       ({@link LowPrecision#toFloat});</li>
 *   <li>{@code m' = fma(beta1, m, (1 - beta1) * g)}, {@code v' = fma(beta2, v, (1 - beta2) * g * g)} in
 *       {@code float}, and with AMSGrad {@code vmax' = max(vmax, v')};</li>
 *   <li>the parameter is stepped with those {@code float} moments, not with their rounded values (as
 *       {@link Adam8bitReference} steps it with its unquantized ones): {@code p' = fma(-stepSize,
 *       m' / fma(sqrt(amsgrad ? vmax' : v'), denomScale, eps), p)};</li>
 *   <li>{@code m'}, {@code v'} and {@code vmax'} are stored rounded to bfloat16 by the state rounding (below), and the
 *       parameter as it is kept: a {@code float} as it is, a 16-bit one by {@link LowPrecision#store} with the
 *       rounding given, exactly as {@link LowPrecisionAdamReference} stores it.</li>
 * </ol>
 *
 * <h2>The state rounding</h2>
 * The call's {@link Rounding} decides it: {@link Rounding#NEAREST} rounds every state to nearest even
 * ({@link Bf16#fromFloatNearestEven}, PyTorch's {@code c10::BFloat16} conversion: ties to even, every NaN
 * {@link Bf16#NAN}, a carry out of the largest finite values up to infinity); {@link Rounding#STOCHASTIC} rounds them
 * stochastically ({@link Bf16#fromFloatStochastic}); {@link Rounding#KAHAN}, which compensates a 16-bit parameter,
 * does not apply to a state (there is no compensation array for it), so its states round to nearest
 * ({@link #stateRounding}).
 *
 * <p>Stochastic rounding's bits come from {@link StochasticBits}, the parameters' counter-based generator, with a seed
 * of its own per state array, so that {@code m}, {@code v} and a stochastically rounded parameter never use the same
 * stream: element {@code i} of the slice, with global index {@code index = indexBase + (i - off)}, at step
 * {@code t = s.t}, rounds
 * <ul>
 *   <li>{@code m'} with {@code StochasticBits.bits(stateSeed(seed, EXP_AVG_STREAM), t, index)},</li>
 *   <li>{@code v'} with {@code StochasticBits.bits(stateSeed(seed, EXP_AVG_SQ_STREAM), t, index)},</li>
 *   <li>{@code vmax'} with the same bits as {@code v'},</li>
 *   <li>a 16-bit parameter with {@code StochasticBits.bits(seed, t, index)}, as {@link LowPrecisionAdamReference}
 *       does;</li>
 * </ul>
 * where {@link #stateSeed stateSeed(seed, k)} {@code = StochasticBits.mix64(seed + k * GOLDEN_GAMMA)} is the
 * {@code k}-th {@code nextLong()} of a {@code java.util.SplittableRandom} seeded with {@code seed}. The bits of an
 * element depend on (seed, step, global index, state array) only: not on the lane width, the slicing or the threads.
 * {@code vmax'} shares {@code v'}'s bits on purpose: rounding is monotone for equal bits and leaves a representable
 * value unchanged, so the stored {@code max_exp_avg_sq} stays at least the stored {@code exp_avg_sq}, as it does when
 * both round to nearest ({@code vmax'} is the old maximum, already a bfloat16, or {@code v'} itself).
 *
 * <h2>NaN and infinity</h2>
 * A NaN moment is stored as {@link Bf16#NAN} whatever its sign (both roundings do so), so the state's bits do not
 * depend on which instructions computed it; infinities stay infinite, and a finite moment that rounds past the largest
 * finite bfloat16 becomes infinite, as in PyTorch. A {@code float} parameter that comes out NaN has unspecified NaN
 * bits (only its being NaN is specified, as for {@link AdamReference_F32}); a 16-bit one is the format's positive NaN.
 *
 * <h2>Slices</h2>
 * Each operation works on {@code [off, off + len)} of same-length arrays after {@link #checkSlice checking} every
 * operand (a refused call writes nothing), and reads and writes nothing outside it.
 */
public final class AdamBf16StatesReference {
    /** The stream number of {@code exp_avg}'s stochastic rounding: {@link #stateSeed stateSeed(seed, 1)}. */
    public static final int EXP_AVG_STREAM = 1;
    /**
     * The stream number of {@code exp_avg_sq}'s stochastic rounding, and {@code max_exp_avg_sq}'s:
     * {@link #stateSeed stateSeed(seed, 2)}.
     */
    public static final int EXP_AVG_SQ_STREAM = 2;
    /** Bytes per element of each state array. */
    public static final int STATE_BYTES = 2;

    private AdamBf16StatesReference() {
    }

    /**
     * The seed of a state array's stochastic rounding: {@code StochasticBits.mix64(seed + stream * GOLDEN_GAMMA)}, the
     * {@code stream}-th {@code nextLong()} of {@code new SplittableRandom(seed)}.
     *
     * @param seed the group's stochastic rounding seed
     * @param stream {@link #EXP_AVG_STREAM} or {@link #EXP_AVG_SQ_STREAM}
     * @return the seed that {@link StochasticBits} keys with the step and index for that array
     */
    public static long stateSeed(long seed, int stream) {
        return StochasticBits.mix64(seed + stream * StochasticBits.GOLDEN_GAMMA);
    }

    /**
     * How the states round under a group's rounding: {@link Rounding#STOCHASTIC} stochastically, the others to
     * nearest even ({@link Rounding#KAHAN} compensates a parameter, not a state).
     *
     * @param rounding the call's rounding
     * @return {@link Rounding#STOCHASTIC} or {@link Rounding#NEAREST}
     */
    public static Rounding stateRounding(Rounding rounding) {
        return rounding == Rounding.STOCHASTIC ? Rounding.STOCHASTIC : Rounding.NEAREST;
    }

    /**
     * One fused step on {@code float} parameters and gradients over {@code [off, off + len)} (see the class
     * description), after {@link #checkSlice checking} every operand.
     *
     * @param s this step's scalars (from the configuration's {@code step(t)}); {@code s.t} keys stochastic rounding
     * @param rounding how the states are stored ({@link #stateRounding}: {@link Rounding#KAHAN} rounds them to nearest)
     * @param p the parameters, updated in place
     * @param g the gradient
     * @param m the first moment, {@code exp_avg}, as bfloat16 bits, updated in place
     * @param v the second moment, {@code exp_avg_sq}, as bfloat16 bits, updated in place
     * @param vmax the running maximum of {@code v}, {@code max_exp_avg_sq}, as bfloat16 bits, used and updated with
     *     AMSGrad only (may be {@code null} without it)
     * @param off the index of the slice's first element
     * @param len the number of elements in the slice
     * @param seed the stochastic rounding's seed (used with {@link Rounding#STOCHASTIC} only)
     * @param indexBase the global index of element {@code off}, at least 0: element {@code i} has index
     *     {@code indexBase + (i - off)}
     * @throws IllegalArgumentException for operands {@link #checkSlice} refuses
     */
    public static void fused(AdamStep s, Rounding rounding, float[] p, float[] g, short[] m, short[] v, short[] vmax,
            int off, int len, long seed, long indexBase) {
        checkSlice(s, rounding, p, g, m, v, vmax, off, len, indexBase);
        fusedUnchecked(s, rounding, p, g, m, v, vmax, off, len, seed, indexBase);
    }

    /**
     * {@link #fused(AdamStep, Rounding, float[], float[], short[], short[], short[], int, int, long, long)} without
     * the checks, for kernels that have checked the whole slice and leave its tail to this loop.
     *
     * @param s this step's scalars
     * @param rounding how the states are stored
     * @param p the parameters, updated in place
     * @param g the gradient
     * @param m the first moment's bits, updated in place
     * @param v the second moment's bits, updated in place
     * @param vmax the running maximum's bits (AMSGrad only)
     * @param off the index of the slice's first element
     * @param len the number of elements in the slice
     * @param seed the stochastic rounding's seed
     * @param indexBase the global index of element {@code off}
     */
    public static void fusedUnchecked(AdamStep s, Rounding rounding, float[] p, float[] g, short[] m, short[] v,
            short[] vmax, int off, int len, long seed, long indexBase) {
        final boolean stochastic = stateRounding(rounding) == Rounding.STOCHASTIC;
        final long mSeed = stateSeed(seed, EXP_AVG_STREAM), vSeed = stateSeed(seed, EXP_AVG_SQ_STREAM);
        for (int i = off, end = off + len; i < end; i++) {
            p[i] = step(s, p[i], g[i], m, v, vmax, i, stochastic, mSeed, vSeed, indexBase + (i - off));
        }
    }

    /**
     * One fused step on 16-bit parameters and gradients over {@code [off, off + len)} (see the class description),
     * after {@link #checkSlice checking} every operand: the parameter is stored by {@code rounding} as
     * {@link LowPrecisionAdamReference} stores it, the states by {@link #stateRounding stateRounding(rounding)}.
     *
     * @param s this step's scalars (from the configuration's {@code step(t)}); {@code s.t} keys stochastic rounding
     * @param fmt the format of {@code p}, {@code g} and {@code comp}
     * @param rounding how the stepped parameter is stored, and so the states
     * @param p the parameters' bit patterns, updated in place
     * @param g the gradient's bit patterns
     * @param m the first moment, {@code exp_avg}, as bfloat16 bits, updated in place
     * @param v the second moment, {@code exp_avg_sq}, as bfloat16 bits, updated in place
     * @param vmax the running maximum of {@code v}, {@code max_exp_avg_sq}, as bfloat16 bits, used and updated with
     *     AMSGrad only (may be {@code null} without it)
     * @param comp the parameter's Kahan compensation in {@code fmt}, used and updated with {@link Rounding#KAHAN} only
     *     (may be {@code null} otherwise)
     * @param off the index of the slice's first element
     * @param len the number of elements in the slice
     * @param seed the stochastic rounding's seed (used with {@link Rounding#STOCHASTIC} only)
     * @param indexBase the global index of element {@code off}, at least 0
     * @throws IllegalArgumentException for operands {@link #checkSlice} refuses
     */
    public static void fused(AdamStep s, LowPrecision fmt, Rounding rounding, short[] p, short[] g, short[] m,
            short[] v, short[] vmax, short[] comp, int off, int len, long seed, long indexBase) {
        checkSlice(s, fmt, rounding, p, g, m, v, vmax, comp, off, len, indexBase);
        fusedUnchecked(s, fmt, rounding, p, g, m, v, vmax, comp, off, len, seed, indexBase);
    }

    /**
     * {@link #fused(AdamStep, LowPrecision, Rounding, short[], short[], short[], short[], short[], short[], int, int,
     * long, long)} without the checks.
     *
     * @param s this step's scalars
     * @param fmt the format of {@code p}, {@code g} and {@code comp}
     * @param rounding how the stepped parameter is stored, and so the states
     * @param p the parameters' bit patterns, updated in place
     * @param g the gradient's bit patterns
     * @param m the first moment's bits, updated in place
     * @param v the second moment's bits, updated in place
     * @param vmax the running maximum's bits (AMSGrad only)
     * @param comp the Kahan compensation ({@link Rounding#KAHAN} only)
     * @param off the index of the slice's first element
     * @param len the number of elements in the slice
     * @param seed the stochastic rounding's seed
     * @param indexBase the global index of element {@code off}
     */
    public static void fusedUnchecked(AdamStep s, LowPrecision fmt, Rounding rounding, short[] p, short[] g,
            short[] m, short[] v, short[] vmax, short[] comp, int off, int len, long seed, long indexBase) {
        final boolean stochastic = stateRounding(rounding) == Rounding.STOCHASTIC;
        final long mSeed = stateSeed(seed, EXP_AVG_STREAM), vSeed = stateSeed(seed, EXP_AVG_SQ_STREAM);
        for (int i = off, end = off + len; i < end; i++) {
            final long index = indexBase + (i - off);
            final float pOld = fmt.toFloat(p[i]);
            float pNew = step(s, pOld, fmt.toFloat(g[i]), m, v, vmax, i, stochastic, mSeed, vSeed, index);
            fmt.store(rounding, p, comp, i, pOld, pNew, seed, s.t, index);
        }
    }

    /**
     * One element: {@link AdamReference_F32#fused}'s arithmetic on the widened moments of element {@code i}, which it
     * stores rounded; returns the stepped parameter in {@code float}.
     */
    private static float step(AdamStep s, float p, float g, short[] m, short[] v, short[] vmax, int i,
            boolean stochastic, long mSeed, long vSeed, long index) {
        float gi = s.maximize ? -g : g;
        float pi = p;
        if (s.l2) {
            gi = Math.fma(s.weightDecay_F32, pi, gi);
        }
        if (s.decoupled) {
            pi = pi * s.decayFactor_F32;
        }
        float mi = Math.fma(s.beta1_F32, Bf16.toFloat(m[i]), s.oneMinusBeta1_F32 * gi);
        float vi = Math.fma(s.beta2_F32, Bf16.toFloat(v[i]), s.oneMinusBeta2_F32 * gi * gi);
        if (stochastic) {
            int vBits = StochasticBits.bits(vSeed, s.t, index);
            m[i] = Bf16.fromFloatStochastic(mi, StochasticBits.bits(mSeed, s.t, index));
            v[i] = Bf16.fromFloatStochastic(vi, vBits);
            if (s.amsgrad) {
                vi = Math.max(Bf16.toFloat(vmax[i]), vi);
                vmax[i] = Bf16.fromFloatStochastic(vi, vBits);
            }
        } else {
            m[i] = Bf16.fromFloatNearestEven(mi);
            v[i] = Bf16.fromFloatNearestEven(vi);
            if (s.amsgrad) {
                vi = Math.max(Bf16.toFloat(vmax[i]), vi);
                vmax[i] = Bf16.fromFloatNearestEven(vi);
            }
        }
        float denom = Math.fma((float) Math.sqrt(vi), s.denomScale_F32, s.eps_F32);
        return Math.fma(s.negStepSize_F32, mi / denom, pi);
    }

    /**
     * Refuses, for {@code float} parameters, before anything is written: a missing step or rounding; a missing
     * {@code p}, {@code g}, {@code m} or {@code v}, or a missing {@code vmax} under AMSGrad; a slice that does not fit;
     * operands of different lengths ({@code vmax} is not looked at without AMSGrad); one array passed as two operands;
     * and a negative {@code indexBase} or one whose slice would pass {@code Long.MAX_VALUE}.
     *
     * @param s this step's scalars
     * @param rounding how the states are stored
     * @param p the parameters
     * @param g the gradient
     * @param m the first moment's bits
     * @param v the second moment's bits
     * @param vmax the running maximum's bits (AMSGrad only)
     * @param off the index of the slice's first element
     * @param len the number of elements in the slice
     * @param indexBase the global index of element {@code off}
     * @throws IllegalArgumentException if an operand is refused
     */
    public static void checkSlice(AdamStep s, Rounding rounding, float[] p, float[] g, short[] m, short[] v,
            short[] vmax, int off, int len, long indexBase) {
        if (s == null || rounding == null) {
            throw new IllegalArgumentException(s == null ? "step scalars are null" : "rounding is null");
        }
        if (p == null || g == null) {
            throw new IllegalArgumentException(p == null ? "p is null" : "g is null");
        }
        if (p == g) {
            throw new IllegalArgumentException("the same array is passed as p and g: each needs its own");
        }
        int n = p.length;
        requireLength("g", g.length, n);
        checkStates(s, n, m, v, vmax, null, null, null, off, len, indexBase);
    }

    /**
     * Refuses, for 16-bit parameters, before anything is written: what the {@code float} parameters' check refuses,
     * a missing format, and a missing or wrong-length {@code comp} under {@link Rounding#KAHAN} ({@code comp} is not
     * looked at otherwise); {@code p}, {@code g}, {@code comp} and the states are all {@code short[]}, and no two may
     * be the same array.
     *
     * @param s this step's scalars
     * @param fmt the format of {@code p}, {@code g} and {@code comp}
     * @param rounding how the stepped parameter is stored
     * @param p the parameters' bit patterns
     * @param g the gradient's bit patterns
     * @param m the first moment's bits
     * @param v the second moment's bits
     * @param vmax the running maximum's bits (AMSGrad only)
     * @param comp the Kahan compensation ({@link Rounding#KAHAN} only)
     * @param off the index of the slice's first element
     * @param len the number of elements in the slice
     * @param indexBase the global index of element {@code off}
     * @throws IllegalArgumentException if an operand is refused
     */
    public static void checkSlice(AdamStep s, LowPrecision fmt, Rounding rounding, short[] p, short[] g, short[] m,
            short[] v, short[] vmax, short[] comp, int off, int len, long indexBase) {
        if (s == null || fmt == null || rounding == null) {
            throw new IllegalArgumentException(
                    s == null ? "step scalars are null" : fmt == null ? "format is null" : "rounding is null");
        }
        if (p == null || g == null) {
            throw new IllegalArgumentException(p == null ? "p is null" : "g is null");
        }
        boolean kahan = rounding == Rounding.KAHAN;
        if (kahan && comp == null) {
            throw new IllegalArgumentException("Kahan rounding needs a compensation array, got null");
        }
        short[] c = kahan ? comp : null;
        if (p == g || p == c || g == c) {
            throw new IllegalArgumentException("the same array is passed as two operands of p, g"
                    + (c != null ? ", comp" : "") + ": each needs its own");
        }
        int n = p.length;
        requireLength("g", g.length, n);
        if (c != null) {
            requireLength("comp", c.length, n);
        }
        checkStates(s, n, m, v, vmax, p, g, c, off, len, indexBase);
    }

    /**
     * The checks both parameter storages share: the states, the slice, the indices, and aliasing with each other and
     * with the 16-bit operands {@code p16}, {@code g16}, {@code comp} ({@code null} where there are none).
     */
    private static void checkStates(AdamStep s, int n, short[] m, short[] v, short[] vmax, short[] p16, short[] g16,
            short[] comp, int off, int len, long indexBase) {
        if (m == null || v == null) {
            throw new IllegalArgumentException(m == null ? "m is null" : "v is null");
        }
        if (s.amsgrad && vmax == null) {
            throw new IllegalArgumentException("AMSGrad needs a vmax array, got null");
        }
        if (off < 0 || len < 0 || off > n - len) {
            throw new IllegalArgumentException(
                    "slice [" + off + ", " + off + " + " + len + ") does not fit arrays of length " + n);
        }
        if (indexBase < 0 || indexBase > Long.MAX_VALUE - len) {
            throw new IllegalArgumentException("global indices [" + indexBase + ", " + indexBase + " + " + len
                    + ") are not all in [0, Long.MAX_VALUE]");
        }
        requireLength("m", m.length, n);
        requireLength("v", v.length, n);
        short[] vm = s.amsgrad ? vmax : null;
        if (vm != null) {
            requireLength("vmax", vm.length, n);
        }
        boolean shared = m == v || m == vm || v == vm || aliases(p16, m, v, vm) || aliases(g16, m, v, vm)
                || aliases(comp, m, v, vm);
        if (shared) {
            throw new IllegalArgumentException("the same array is passed as two operands of "
                    + (p16 != null ? (comp != null ? "p, g, comp, " : "p, g, ") : "") + "m, v"
                    + (vm != null ? ", vmax" : "")
                    + ": each needs its own");
        }
    }

    private static boolean aliases(short[] a, short[] m, short[] v, short[] vmax) {
        return a != null && (a == m || a == v || a == vmax);
    }

    private static void requireLength(String name, int length, int n) {
        if (length != n) {
            throw new IllegalArgumentException(
                    "arrays differ in length: p has " + n + " elements, " + name + " has " + length);
        }
    }
}
