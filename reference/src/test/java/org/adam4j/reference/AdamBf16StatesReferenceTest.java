package org.adam4j.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link AdamBf16StatesReference} is {@link AdamReference_F32#fused} on the widened states (and widened 16-bit
 * parameters), the new moments stored rounded to bfloat16 by the state rounding with each state array's own random
 * stream, the parameter stepped with the unrounded moments and stored as {@link LowPrecisionAdamReference} stores it;
 * hand-checked roundings (ties, NaN, infinities, the carry into infinity, subnormals); stochastic bits that depend on
 * the global index and not on the split; why stochastic rounding matters for states; and refusals before any write.
 */
class AdamBf16StatesReferenceTest {
    private static final float[] SPECIALS = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f,
        Float.MIN_VALUE, 0x1p-130f, -0x1p-20f, 6e-8f, 65504f, 70000f, 3e38f, -3e38f, 1e-30f, 1f, -1f};
    private static final short[] SPECIAL_STATES = {Bf16.NAN, (short) 0xFFC1, 0x7F81, Bf16.POSITIVE_INFINITY,
        (short) 0xFF80, Bf16.MAX_VALUE, Bf16.MIN_NORMAL, Bf16.MIN_VALUE, 0x007F, 0, (short) 0x8000, (short) 0x8001};

    static List<AdamConfig> configs() {
        AdamConfig d = AdamConfig.builder().lr(3e-3).build();
        return List.of(d, d.toBuilder().amsgrad(true).build(), d.toBuilder().decoupled(0.1).build(),
                d.toBuilder().l2(0.05).maximize(true).build(), d.toBuilder().maximize(true).amsgrad(true).build(),
                d.toBuilder().fullyDecoupled(0.01, 0.01).epsilonHat(true).build());
    }

    private static float randomFloat(SplittableRandom rnd) {
        return rnd.nextInt(6) == 0 ? SPECIALS[rnd.nextInt(SPECIALS.length)]
                : (float) (rnd.nextGaussian() * Math.scalb(1.0, rnd.nextInt(-12, 3)));
    }

    private static short[] randomStates(SplittableRandom rnd, int n, boolean nonNegative) {
        short[] a = new short[n];
        for (int i = 0; i < n; i++) {
            int kind = rnd.nextInt(12);
            float x = (float) (rnd.nextGaussian() * Math.scalb(1.0, rnd.nextInt(-30, 0)));
            a[i] = kind == 0 ? SPECIAL_STATES[rnd.nextInt(SPECIAL_STATES.length)] : kind == 1 ? (short) rnd.nextInt()
                    : Bf16.fromFloatNearestEven(nonNegative ? Math.abs(x) : x);
        }
        return a;
    }

    private static float[] widen(short[] bf16) {
        float[] f = new float[bf16.length];
        LowPrecision.BF16.toFloat(bf16, 0, f, 0, bf16.length);
        return f;
    }

    /** The state rounding of one value, written from the class description with SplittableRandom's draws as seeds. */
    private static short expectedState(Rounding rounding, float x, long seed, int draw, long t, long index) {
        if (rounding != Rounding.STOCHASTIC) {
            return Bf16.fromFloatNearestEven(x);
        }
        if (Float.isNaN(x)) {
            return Bf16.NAN;
        }
        SplittableRandom r = new SplittableRandom(seed);
        long stateSeed = r.nextLong();
        for (int k = 1; k < draw; k++) {
            stateSeed = r.nextLong();
        }
        int random = StochasticBits.bits(stateSeed, t, index);
        // torchao's form: add 16 random bits below the kept ones and truncate
        return (short) ((Float.floatToRawIntBits(x) + (random >>> 16)) >>> 16);
    }

    /**
     * Over three steps with fresh gradients and special values in every operand, for {@code float} parameters: the
     * parameter is bit for bit {@link AdamReference_F32}'s on the widened states (so stepped with the unrounded
     * moments), and each state that step's value rounded; {@code m} with the first draw of
     * {@code new SplittableRandom(seed)} as its stream's seed, {@code v} and {@code vmax} with the second.
     */
    @Test
    void floatParametersAreTheFloatStepWithItsStatesRounded() {
        SplittableRandom rnd = new SplittableRandom(5);
        int n = 257;
        for (AdamConfig config : configs()) {
            for (Rounding rounding : Rounding.values()) {
                float[] p = new float[n];
                for (int i = 0; i < n; i++) {
                    p[i] = randomFloat(rnd);
                }
                short[] m = randomStates(rnd, n, false), v = randomStates(rnd, n, true);
                short[] vmax = randomStates(rnd, n, true);
                long seed = rnd.nextLong(), indexBase = rnd.nextLong(1L << 40);
                for (long t = 1; t <= 3; t++) {
                    float[] g = new float[n];
                    for (int i = 0; i < n; i++) {
                        g[i] = randomFloat(rnd);
                    }
                    AdamStep s = config.step(t);
                    float[] p32 = p.clone(), m32 = widen(m), v32 = widen(v), vmax32 = widen(vmax);
                    AdamReference_F32.fused(s, p32, g, m32, v32, vmax32, 0, n);
                    short[] wantM = expectedStates(rounding, m32, seed, 1, t, indexBase);
                    short[] wantV = expectedStates(rounding, v32, seed, 2, t, indexBase);
                    short[] wantVmax = config.amsgrad() ? expectedStates(rounding, vmax32, seed, 2, t, indexBase)
                            : vmax.clone();
                    AdamBf16StatesReference.fused(s, rounding, p, g, m, v, vmax, 0, n, seed, indexBase);
                    String where = rounding + " " + config + " t=" + t;
                    assertArrayEquals(p32, p, where + ": p");
                    assertArrayEquals(wantM, m, where + ": m");
                    assertArrayEquals(wantV, v, where + ": v");
                    assertArrayEquals(wantVmax, vmax, where + ": vmax");
                }
            }
        }
    }

    private static short[] expectedStates(Rounding rounding, float[] x, long seed, int draw, long t, long indexBase) {
        short[] out = new short[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = expectedState(rounding, x[i], seed, draw, t, indexBase + i);
        }
        return out;
    }

    /**
     * 16-bit parameters: the parameter is {@link LowPrecisionAdamReference}'s storage of the {@code float} step's
     * result (Kahan compensated with {@code comp}), the states as for {@code float} parameters, rounded to nearest
     * under {@link Rounding#KAHAN}.
     */
    @Test
    void sixteenBitParametersAreStoredAsTheLowPrecisionStepStoresThem() {
        SplittableRandom rnd = new SplittableRandom(7);
        int n = 131;
        for (LowPrecision fmt : LowPrecision.values()) {
            for (AdamConfig config : configs()) {
                for (Rounding rounding : Rounding.values()) {
                    short[] p = LowPrecisionAdamReferenceTest.randomBits(rnd, fmt, n, true);
                    short[] comp = LowPrecisionAdamReferenceTest.randomBits(rnd, fmt, n, true);
                    short[] m = randomStates(rnd, n, false), v = randomStates(rnd, n, true);
                    short[] vmax = randomStates(rnd, n, true);
                    long seed = rnd.nextLong(), indexBase = rnd.nextLong(1L << 40);
                    for (long t = 1; t <= 3; t++) {
                        short[] g = LowPrecisionAdamReferenceTest.randomBits(rnd, fmt, n, true);
                        AdamStep s = config.step(t);
                        float[] p32 = new float[n], g32 = new float[n];
                        fmt.toFloat(p, 0, p32, 0, n);
                        fmt.toFloat(g, 0, g32, 0, n);
                        float[] m32 = widen(m), v32 = widen(v), vmax32 = widen(vmax);
                        AdamReference_F32.fused(s, p32, g32, m32, v32, vmax32, 0, n);
                        Rounding states = rounding == Rounding.KAHAN ? Rounding.NEAREST : rounding;
                        short[] wantM = expectedStates(states, m32, seed, 1, t, indexBase);
                        short[] wantV = expectedStates(states, v32, seed, 2, t, indexBase);
                        short[] wantVmax = config.amsgrad() ? expectedStates(states, vmax32, seed, 2, t, indexBase)
                                : vmax.clone();
                        short[] wantP = p.clone(), wantComp = comp.clone();
                        for (int i = 0; i < n; i++) {
                            fmt.store(rounding, wantP, wantComp, i, fmt.toFloat(p[i]), p32[i], seed, t, indexBase + i);
                        }
                        AdamBf16StatesReference.fused(s, fmt, rounding, p, g, m, v, vmax, comp, 0, n, seed,
                                indexBase);
                        String where = fmt + " " + rounding + " " + config + " t=" + t;
                        assertArrayEquals(wantP, p, where + ": p");
                        assertArrayEquals(wantComp, comp, where + ": comp");
                        assertArrayEquals(wantM, m, where + ": m");
                        assertArrayEquals(wantV, v, where + ": v");
                        assertArrayEquals(wantVmax, vmax, where + ": vmax");
                    }
                }
            }
        }
    }

    /**
     * With {@code beta1 = 0} the new first moment is the gradient exactly ({@code fma(0, m, 1 * g)}), so the stored
     * {@code exp_avg} is the gradient rounded to nearest even, checked here against bits worked out by hand.
     */
    @Test
    void theFirstMomentRoundsToNearestEvenAsWorkedOutByHand() {
        float[] g = {
            Float.intBitsToFloat(0x3F808000), // 1 + 2^-8: a tie between 0x3F80 and 0x3F81, to the even 0x3F80
            Float.intBitsToFloat(0x3F818000), // 1 + 3 * 2^-8: a tie between 0x3F81 and 0x3F82, to the even 0x3F82
            Float.intBitsToFloat(0x3F808001), // just above the tie: up
            Float.intBitsToFloat(0x3F807FFF), // just below: down
            Float.intBitsToFloat(0xBF818000), // -(1 + 3 * 2^-8): the sign does not matter
            Float.NaN, Float.intBitsToFloat(0xFFC00001), // any NaN is 0x7FC0
            Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
            Float.MAX_VALUE, // 0x7F7FFFFF: past the midpoint to 2^128, so the carry rolls into infinity
            Float.intBitsToFloat(0x7F7F8000), // the midpoint itself, a tie: 0x7F7F is odd, so up to infinity
            Float.intBitsToFloat(0x7F7F7FFF), // just below it: the largest finite
            Float.intBitsToFloat(0x00008000), // a subnormal tie between 0 and MIN_VALUE: to 0
            Float.intBitsToFloat(0x00018000), // a subnormal tie between 0x0001 and 0x0002: to 0x0002
            Float.intBitsToFloat(0x00008001), // just above the first tie: MIN_VALUE
            Float.MIN_VALUE, -Float.MIN_VALUE, // to zero, keeping the sign
            Float.intBitsToFloat(0x007FFFFF), // the largest float subnormal rounds up into the normal 0x0080
            0x1p-133f, // bfloat16's MIN_VALUE, exact
        };
        short[] want = {0x3F80, 0x3F82, 0x3F81, 0x3F80, (short) 0xBF82, Bf16.NAN, Bf16.NAN, Bf16.POSITIVE_INFINITY,
            (short) 0xFF80, Bf16.POSITIVE_INFINITY, Bf16.POSITIVE_INFINITY, Bf16.MAX_VALUE, 0, 0x0002, 0x0001, 0,
            (short) 0x8000, Bf16.MIN_NORMAL, Bf16.MIN_VALUE};
        int n = g.length;
        AdamStep s = AdamConfig.builder().lr(1e-3).betas(0, 0.999).build().step(1);
        float[] p = new float[n];
        short[] m = new short[n], v = new short[n];
        AdamBf16StatesReference.fused(s, Rounding.NEAREST, p, g, m, v, null, 0, n, 0, 0);
        assertArrayEquals(want, m);
    }

    /**
     * The second moment with {@code beta2 = 1/2} and {@code g = 1}: {@code v' = fma(1/2, v, 1/2)}, exact in
     * {@code float}, lands on bfloat16 ties; and {@code g = 2^64} from the largest finite {@code v} lands on the
     * midpoint to {@code 2^128}, which rounds to infinity. AMSGrad's maximum rounds the same way.
     */
    @Test
    void theSecondMomentAndItsMaximumRoundAsWorkedOutByHand() {
        short[] v0 = {0x3F81, 0x3F83, Bf16.MAX_VALUE, 0x3F81};
        float[] g = {1f, 1f, 0x1p64f, 1f};
        // (1 + 2^-7 + 1) / 2 = 1 + 2^-8, a tie to 0x3F80; (1 + 3 * 2^-7 + 1) / 2 = 1 + 3 * 2^-8, a tie to 0x3F82;
        // (2 - 2^-7) * 2^126 + 2^127 = (2 - 2^-8) * 2^127, the midpoint below 2^128, to infinity
        short[] wantV = {0x3F80, 0x3F82, Bf16.POSITIVE_INFINITY, 0x3F80};
        // vmax' = max(vmax, v') rounded: the old maximum where it is larger, else v' rounded as v' is
        short[] vmax = {0x3F81, 0x3F80, 0x3F80, 0x4000};
        short[] wantVmax = {0x3F81, 0x3F82, Bf16.POSITIVE_INFINITY, 0x4000};
        int n = g.length;
        AdamStep s = AdamConfig.builder().betas(0.9, 0.5).amsgrad(true).build().step(1);
        float[] p = new float[n];
        short[] m = new short[n], v = v0.clone();
        AdamBf16StatesReference.fused(s, Rounding.NEAREST, p, g, m, v, vmax, 0, n, 0, 0);
        assertArrayEquals(wantV, v);
        assertArrayEquals(wantVmax, vmax);
    }

    /**
     * The parameter is stepped with the {@code float} moments, not their rounded values: with betas (0, 0), eps 0 and
     * {@code g = 1 + 2^-9}, {@code m' = g} and {@code v' = g^2 = 1 + 2^-8 + 2^-18} exactly, {@code sqrt(v') = g}, so
     * the update is exactly {@code -lr}; the stored moments {@code 0x3F80} (1) and {@code 0x3F81} (1 + 2^-7) would
     * have given {@code -lr / sqrt(1 + 2^-7)}.
     */
    @Test
    void theParameterIsSteppedWithTheUnroundedMoments() {
        AdamStep s = AdamConfig.builder().lr(0.5).betas(0, 0).eps(0).build().step(1);
        float[] p = {2f}, g = {1 + 0x1p-9f};
        short[] m = new short[1], v = new short[1];
        AdamBf16StatesReference.fused(s, Rounding.NEAREST, p, g, m, v, null, 0, 1, 0, 0);
        assertEquals(0x3F80, m[0]);
        assertEquals(0x3F81, v[0]);
        assertEquals(1.5f, p[0]);
    }

    /**
     * Stochastic rounding of a state: up with probability (dropped bits) / 2^16 with the random bits of its own
     * stream. {@code m' = 1 + 2^-9} (a quarter of the way from 1 to the next bfloat16) rounds up for about a quarter
     * of 4096 elements, representable values never move, NaN is {@link Bf16#NAN}; {@code m}'s and {@code v}'s
     * streams have other seeds than the parameters' and each other's, the draws of {@code SplittableRandom}.
     */
    @Test
    void stochasticRoundingOfTheStatesUsesAStreamPerArray() {
        long seed = 42;
        SplittableRandom draws = new SplittableRandom(seed);
        long first = draws.nextLong(), second = draws.nextLong();
        assertEquals(first, AdamBf16StatesReference.stateSeed(seed, AdamBf16StatesReference.EXP_AVG_STREAM));
        assertEquals(second, AdamBf16StatesReference.stateSeed(seed, AdamBf16StatesReference.EXP_AVG_SQ_STREAM));
        assertNotEquals(first, second);
        assertNotEquals(seed, first);

        int n = 4096;
        AdamStep s = AdamConfig.builder().betas(0, 0).build().step(3);
        float[] p = new float[n], g = new float[n];
        Arrays.fill(g, 1 + 0x1p-9f);
        g[7] = 1f;
        g[8] = Float.NaN;
        short[] m = new short[n], v = new short[n];
        AdamBf16StatesReference.fused(s, Rounding.STOCHASTIC, p, g, m, v, null, 0, n, seed, 0);
        int up = 0;
        for (int i = 0; i < n; i++) {
            if (i == 7) {
                assertEquals(0x3F80, m[i], "a representable moment moved");
            } else if (i == 8) {
                assertEquals(Bf16.NAN, m[i]);
                assertEquals(Bf16.NAN, v[i]);
            } else {
                assertTrue(m[i] == 0x3F80 || m[i] == 0x3F81, "m[" + i + "] = " + Integer.toHexString(m[i]));
                up += m[i] == 0x3F81 ? 1 : 0;
                assertEquals(expectedState(Rounding.STOCHASTIC, g[i], seed, 1, 3, i), m[i], "m[" + i + "]");
            }
        }
        assertEquals(n / 4.0, up, 4 * Math.sqrt(n * 0.25 * 0.75), "elements rounded up");
        // the streams differ: m with v's seed, or with the parameters' own bits, rounds other elements up
        int sameAsV = 0, sameAsParams = 0;
        for (int i = 0; i < n; i++) {
            if (i != 7 && i != 8) {
                sameAsV += m[i] == expectedState(Rounding.STOCHASTIC, g[i], seed, 2, 3, i) ? 1 : 0;
                sameAsParams += m[i] == LowPrecision.BF16.fromFloatStochastic(g[i], seed, 3, i) ? 1 : 0;
            }
        }
        assertTrue(sameAsV < n - 500 && sameAsParams < n - 500, sameAsV + " " + sameAsParams);
    }

    /**
     * Why stochastic rounding matters for states: the second moment of a steady gradient of 1 under beta2 = 0.999
     * grows as {@code 1 - 0.999^t} in {@code float} (0.865 after 2000 steps), but rounded to nearest it stops at 1/4:
     * there its step {@code 0.001 (1 - v) = 0.00075} is below half the bfloat16 spacing {@code 2^-9 / 2}, while just
     * below 1/4 the spacing is half that and the step rounds up. Rounded stochastically, the mean over 1024 elements
     * follows the {@code float} value.
     */
    @Test
    void roundingToNearestStallsTheSecondMomentWhereStochasticRoundingFollowsTheFloatOne() {
        int n = 1024, steps = 2000;
        AdamConfig config = AdamConfig.builder().lr(1e-6).build();
        double[] means = new double[2];
        for (Rounding r : List.of(Rounding.NEAREST, Rounding.STOCHASTIC)) {
            float[] p = new float[n], g = new float[n];
            Arrays.fill(g, 1f);
            short[] m = new short[n], v = new short[n];
            for (int t = 1; t <= steps; t++) {
                AdamBf16StatesReference.fused(config.step(t), r, p, g, m, v, null, 0, n, 99, 0);
            }
            double mean = 0;
            for (short x : v) {
                mean += Bf16.toFloat(x);
            }
            means[r.ordinal()] = mean / n;
        }
        double exact = 1 - Math.pow(0.999, steps);
        assertEquals(0.25, means[0], 0, "nearest");
        assertEquals(exact, means[1], 0.01, "stochastic");
    }

    /**
     * With AMSGrad and stochastic rounding the stored {@code max_exp_avg_sq} stays at least the stored
     * {@code exp_avg_sq}, element by element, over 60 steps of gradients that grow and shrink: it rounds with
     * {@code exp_avg_sq}'s bits (with bits of its own it would round down where {@code exp_avg_sq} rounds up).
     */
    @Test
    void theStoredMaximumStaysAtLeastTheStoredSecondMoment() {
        SplittableRandom rnd = new SplittableRandom(3);
        int n = 1000;
        AdamConfig config = AdamConfig.builder().lr(1e-3).amsgrad(true).build();
        float[] p = new float[n], g = new float[n];
        short[] m = new short[n], v = new short[n], vmax = new short[n];
        for (int t = 1; t <= 60; t++) {
            double scale = 1 + Math.sin(t / 5.0);
            for (int i = 0; i < n; i++) {
                g[i] = (float) (rnd.nextGaussian() * scale);
            }
            AdamBf16StatesReference.fused(config.step(t), Rounding.STOCHASTIC, p, g, m, v, vmax, 0, n, 8, 0);
            for (int i = 0; i < n; i++) {
                assertTrue(Bf16.toFloat(vmax[i]) >= Bf16.toFloat(v[i]), "step " + t + ", element " + i);
            }
        }
    }

    /** The global index of element {@code i} is {@code indexBase + (i - off)}: one call equals any split into two. */
    @Test
    void stochasticBitsDependOnTheGlobalIndexNotOnTheSplit() {
        SplittableRandom rnd = new SplittableRandom(9);
        int n = 100;
        AdamStep s = AdamConfig.builder().lr(1e-3).amsgrad(true).build().step(4);
        float[] p0 = new float[n], g = new float[n];
        for (int i = 0; i < n; i++) {
            p0[i] = randomFloat(rnd);
            g[i] = randomFloat(rnd);
        }
        short[] m0 = randomStates(rnd, n, false), v0 = randomStates(rnd, n, true), x0 = randomStates(rnd, n, true);
        short[] m = m0.clone(), v = v0.clone(), x = x0.clone();
        float[] whole = p0.clone();
        long base = (1L << 32) - 30;
        AdamBf16StatesReference.fused(s, Rounding.STOCHASTIC, whole, g, m, v, x, 10, 80, 77, base);
        for (int cut = 10; cut <= 90; cut += 7) {
            float[] split = p0.clone();
            short[] ms = m0.clone(), vs = v0.clone(), xs = x0.clone();
            AdamBf16StatesReference.fused(s, Rounding.STOCHASTIC, split, g, ms, vs, xs, cut, 90 - cut, 77,
                    base + (cut - 10));
            AdamBf16StatesReference.fused(s, Rounding.STOCHASTIC, split, g, ms, vs, xs, 10, cut - 10, 77, base);
            assertArrayEquals(whole, split, "cut at " + cut);
            assertArrayEquals(m, ms, "cut at " + cut);
            assertArrayEquals(v, vs, "cut at " + cut);
            assertArrayEquals(x, xs, "cut at " + cut);
        }
    }

    @Test
    void badOperandsAreRefusedBeforeAnythingIsWritten() {
        AdamStep s = AdamConfig.builder().lr(1e-3).build().step(1);
        AdamStep ams = AdamConfig.builder().lr(1e-3).amsgrad(true).build().step(1);
        Rounding r = Rounding.NEAREST;
        float[] p = new float[8], g = new float[8];
        Arrays.fill(g, 1f);
        short[] p16 = new short[8], g16 = new short[8], c = new short[8];
        Arrays.fill(g16, Bf16.fromFloatNearestEven(1f));
        short[] m = new short[8], v = new short[8], vmax = new short[8];
        LowPrecision b = LowPrecision.BF16;
        List<Runnable> refused = new ArrayList<>();
        refused.add(() -> AdamBf16StatesReference.fused(null, r, p, g, m, v, null, 0, 8, 0, 0));
        refused.add(() -> AdamBf16StatesReference.fused(s, null, p, g, m, v, null, 0, 8, 0, 0));
        refused.add(() -> AdamBf16StatesReference.fused(s, r, null, g, m, v, null, 0, 8, 0, 0));
        refused.add(() -> AdamBf16StatesReference.fused(s, r, p, null, m, v, null, 0, 8, 0, 0));
        refused.add(() -> AdamBf16StatesReference.fused(s, r, p, g, null, v, null, 0, 8, 0, 0));
        refused.add(() -> AdamBf16StatesReference.fused(s, r, p, g, m, null, null, 0, 8, 0, 0));
        refused.add(() -> AdamBf16StatesReference.fused(s, r, p, p, m, v, null, 0, 8, 0, 0));
        refused.add(() -> AdamBf16StatesReference.fused(s, r, p, g, m, m, null, 0, 8, 0, 0));
        refused.add(() -> AdamBf16StatesReference.fused(s, r, p, g, m, v, null, 1, 8, 0, 0));
        refused.add(() -> AdamBf16StatesReference.fused(s, r, p, g, m, v, null, -1, 2, 0, 0));
        refused.add(() -> AdamBf16StatesReference.fused(s, r, p, new float[7], m, v, null, 0, 4, 0, 0));
        refused.add(() -> AdamBf16StatesReference.fused(s, r, p, g, m, new short[9], null, 0, 4, 0, 0));
        refused.add(() -> AdamBf16StatesReference.fused(ams, r, p, g, m, v, null, 0, 8, 0, 0));
        refused.add(() -> AdamBf16StatesReference.fused(ams, r, p, g, m, v, v, 0, 8, 0, 0));
        refused.add(() -> AdamBf16StatesReference.fused(ams, r, p, g, m, v, new short[7], 0, 8, 0, 0));
        refused.add(() -> AdamBf16StatesReference.fused(s, Rounding.STOCHASTIC, p, g, m, v, null, 0, 8, 0, -1));
        refused.add(() -> AdamBf16StatesReference.fused(s, Rounding.STOCHASTIC, p, g, m, v, null, 0, 8, 0,
                Long.MAX_VALUE - 7));
        refused.add(() -> AdamBf16StatesReference.fused(s, null, r, p16, g16, m, v, null, null, 0, 8, 0, 0));
        refused.add(() -> AdamBf16StatesReference.fused(s, b, null, p16, g16, m, v, null, null, 0, 8, 0, 0));
        refused.add(() -> AdamBf16StatesReference.fused(s, b, r, p16, m, m, v, null, null, 0, 8, 0, 0));
        refused.add(() -> AdamBf16StatesReference.fused(s, b, r, p16, g16, p16, v, null, null, 0, 8, 0, 0));
        refused.add(() -> AdamBf16StatesReference.fused(ams, b, r, p16, g16, m, v, g16, null, 0, 8, 0, 0));
        refused.add(() -> AdamBf16StatesReference.fused(s, b, Rounding.KAHAN, p16, g16, m, v, null, null, 0, 8, 0,
                0));
        refused.add(() -> AdamBf16StatesReference.fused(s, b, Rounding.KAHAN, p16, g16, m, v, null, m, 0, 8, 0, 0));
        refused.add(() -> AdamBf16StatesReference.fused(s, b, Rounding.KAHAN, p16, g16, m, v, null, new short[9],
                0, 8, 0, 0));
        refused.add(() -> AdamBf16StatesReference.fused(s, b, r, p16, new short[9], m, v, null, null, 0, 8, 0, 0));
        for (int k = 0; k < refused.size(); k++) {
            assertThrows(IllegalArgumentException.class, refused.get(k)::run, "case " + k);
        }
        assertArrayEquals(new float[8], p, "a refused call wrote p");
        assertArrayEquals(new short[8], p16, "a refused call wrote p");
        assertArrayEquals(new short[8], c, "a refused call wrote comp");
        assertArrayEquals(new short[8], m, "a refused call wrote m");
        assertArrayEquals(new short[8], v, "a refused call wrote v");
        assertArrayEquals(new short[8], vmax, "a refused call wrote vmax");
        // what is not used is not looked at: no vmax without AMSGrad, no comp without Kahan, and the last index fits
        AdamBf16StatesReference.fused(s, b, Rounding.STOCHASTIC, p16, g16, m, v, new short[1], new short[1], 0, 8, 0,
                Long.MAX_VALUE - 8);
        AdamBf16StatesReference.fused(s, Rounding.STOCHASTIC, p, g, m, v, new short[1], 0, 8, 0, Long.MAX_VALUE - 8);
        for (int i = 0; i < 8; i++) {
            assertTrue(p[i] != 0 && p16[i] != 0, "the step moved every parameter");
        }
    }
}
