package org.adam4j.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link LowPrecisionAdamReference} is the {@code float} step of {@link AdamReference_F32#fused} on the widened
 * operands followed by the storage rounding, for every format, rounding and Adam option: the moments bit for bit those
 * of the {@code float} step, the parameter that step's result rounded as the class description says. And bad operands
 * are refused before anything is written.
 */
class LowPrecisionAdamReferenceTest {
    private static final float[] SPECIALS = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f,
        Float.MIN_VALUE, 0x1p-130f, -0x1p-20f, 6e-8f, 65504f, 70000f, 3e38f, -3e38f, 1e-30f, 1f, -1f};

    static List<AdamConfig> configs() {
        AdamConfig d = AdamConfig.builder().lr(3e-3).build();
        return List.of(d, d.toBuilder().amsgrad(true).build(), d.toBuilder().decoupled(0.1).build(),
                d.toBuilder().l2(0.05).maximize(true).build(), d.toBuilder().maximize(true).amsgrad(true).build(),
                d.toBuilder().fullyDecoupled(0.01, 0.01).epsilonHat(true).build());
    }

    static short[] randomBits(SplittableRandom rnd, LowPrecision fmt, int n, boolean specials) {
        short[] a = new short[n];
        for (int i = 0; i < n; i++) {
            float x = specials && rnd.nextInt(6) == 0 ? SPECIALS[rnd.nextInt(SPECIALS.length)]
                    : (float) (rnd.nextGaussian() * Math.scalb(1.0, rnd.nextInt(-12, 3)));
            a[i] = rnd.nextInt(20) == 0 ? (short) rnd.nextInt() : fmt.fromFloatNearestEven(x);
        }
        return a;
    }

    @Test
    void isTheFloatStepRoundedToItsStorage() {
        SplittableRandom rnd = new SplittableRandom(5);
        int n = 257;
        for (LowPrecision fmt : LowPrecision.values()) {
            for (AdamConfig config : configs()) {
                for (Rounding rounding : Rounding.values()) {
                    short[] p = randomBits(rnd, fmt, n, true);
                    short[] comp = rounding == Rounding.KAHAN ? randomBits(rnd, fmt, n, false) : null;
                    float[] m = new float[n], v = new float[n], vmax = new float[n];
                    long seed = rnd.nextLong(), indexBase = rnd.nextLong(1L << 40);
                    for (long t = 1; t <= 3; t++) {
                        short[] g = randomBits(rnd, fmt, n, true);
                        AdamStep s = config.step(t);
                        float[] p32 = new float[n], g32 = new float[n];
                        for (int i = 0; i < n; i++) {
                            p32[i] = fmt.toFloat(p[i]);
                            g32[i] = fmt.toFloat(g[i]);
                        }
                        float[] m32 = m.clone(), v32 = v.clone(), vmax32 = vmax.clone();
                        AdamReference_F32.fused(s, p32, g32, m32, v32, vmax32, 0, n);
                        short[] expectedP = p.clone();
                        short[] expectedComp = comp == null ? null : comp.clone();
                        for (int i = 0; i < n; i++) {
                            switch (rounding) {
                                case NEAREST -> expectedP[i] = fmt.fromFloatNearestEven(p32[i]);
                                case STOCHASTIC -> expectedP[i] = fmt.fromFloatStochastic(p32[i],
                                        StochasticBits.bits(seed, t, indexBase + i));
                                case KAHAN -> {
                                    int packed = fmt.kahanAdd(p[i], comp[i], p32[i] - fmt.toFloat(p[i]));
                                    expectedP[i] = LowPrecision.kahanParam(packed);
                                    expectedComp[i] = LowPrecision.kahanComp(packed);
                                }
                            }
                        }
                        canonicalNaNs(fmt, expectedP);
                        canonicalNaNs(fmt, expectedComp);
                        LowPrecisionAdamReference.fused(s, fmt, rounding, p, g, m, v, vmax, comp, 0, n, seed,
                                indexBase);
                        String where = fmt + " " + rounding + " " + config + " t=" + t;
                        assertArrayEquals(expectedP, p, where + ": p");
                        assertArrayEquals(expectedComp, comp, where + ": comp");
                        assertArrayEquals(m32, m, where + ": m");
                        assertArrayEquals(v32, v, where + ": v");
                        assertArrayEquals(vmax32, vmax, where + ": vmax");
                    }
                }
            }
        }
    }

    /** NaN results are stored as the format's positive NaN. */
    private static void canonicalNaNs(LowPrecision fmt, short[] bits) {
        if (bits == null) {
            return;
        }
        for (int i = 0; i < bits.length; i++) {
            if (Float.isNaN(fmt.toFloat(bits[i]))) {
                bits[i] = fmt == LowPrecision.BF16 ? Bf16.NAN : Fp16.NAN;
            }
        }
    }

    /** The global index of element {@code i} is {@code indexBase + (i - off)}: one call equals any split into two. */
    @Test
    void stochasticBitsDependOnTheGlobalIndexNotOnTheSplit() {
        SplittableRandom rnd = new SplittableRandom(9);
        int n = 100;
        AdamStep s = AdamConfig.builder().lr(1e-3).build().step(4);
        short[] p0 = randomBits(rnd, LowPrecision.BF16, n, false), g = randomBits(rnd, LowPrecision.BF16, n, false);
        float[] m0 = new float[n], v0 = new float[n];
        short[] whole = p0.clone();
        LowPrecisionAdamReference.fused(s, LowPrecision.BF16, Rounding.STOCHASTIC, whole, g, m0.clone(), v0.clone(),
                null, null, 10, 80, 77, (1L << 32) - 30);
        for (int cut = 10; cut <= 90; cut += 7) {
            short[] split = p0.clone();
            float[] m = m0.clone(), v = v0.clone();
            LowPrecisionAdamReference.fused(s, LowPrecision.BF16, Rounding.STOCHASTIC, split, g, m, v, null, null,
                    cut, 90 - cut, 77, (1L << 32) - 30 + (cut - 10));
            LowPrecisionAdamReference.fused(s, LowPrecision.BF16, Rounding.STOCHASTIC, split, g, m, v, null, null,
                    10, cut - 10, 77, (1L << 32) - 30);
            assertArrayEquals(whole, split, "cut at " + cut);
        }
    }

    @Test
    void badOperandsAreRefusedBeforeAnythingIsWritten() {
        AdamStep s = AdamConfig.builder().lr(1e-3).build().step(1);
        AdamStep ams = AdamConfig.builder().lr(1e-3).amsgrad(true).build().step(1);
        short[] p = new short[8], g = new short[8], c = new short[8];
        Arrays.fill(g, Bf16.fromFloatNearestEven(1f));
        float[] m = new float[8], v = new float[8], vmax = new float[8];
        LowPrecision b = LowPrecision.BF16;
        List<Runnable> refused = new ArrayList<>();
        refused.add(() -> LowPrecisionAdamReference.fused(null, b, Rounding.NEAREST, p, g, m, v, null, null, 0, 8, 0, 0));
        refused.add(() -> LowPrecisionAdamReference.fused(s, null, Rounding.NEAREST, p, g, m, v, null, null, 0, 8, 0, 0));
        refused.add(() -> LowPrecisionAdamReference.fused(s, b, null, p, g, m, v, null, null, 0, 8, 0, 0));
        refused.add(() -> LowPrecisionAdamReference.fused(s, b, Rounding.NEAREST, p, null, m, v, null, null, 0, 8, 0, 0));
        refused.add(() -> LowPrecisionAdamReference.fused(s, b, Rounding.NEAREST, p, g, m, v, null, null, 1, 8, 0, 0));
        refused.add(() -> LowPrecisionAdamReference.fused(s, b, Rounding.NEAREST, p, g, m, v, null, null, -1, 2, 0, 0));
        refused.add(() -> LowPrecisionAdamReference.fused(s, b, Rounding.NEAREST, p, new short[7], m, v, null, null,
                0, 4, 0, 0));
        refused.add(() -> LowPrecisionAdamReference.fused(s, b, Rounding.NEAREST, p, g, m, new float[9], null, null,
                0, 4, 0, 0));
        refused.add(() -> LowPrecisionAdamReference.fused(s, b, Rounding.NEAREST, p, p, m, v, null, null, 0, 8, 0, 0));
        refused.add(() -> LowPrecisionAdamReference.fused(s, b, Rounding.NEAREST, p, g, m, m, null, null, 0, 8, 0, 0));
        refused.add(() -> LowPrecisionAdamReference.fused(ams, b, Rounding.NEAREST, p, g, m, v, null, null, 0, 8, 0, 0));
        refused.add(() -> LowPrecisionAdamReference.fused(ams, b, Rounding.NEAREST, p, g, m, v, v, null, 0, 8, 0, 0));
        refused.add(() -> LowPrecisionAdamReference.fused(ams, b, Rounding.NEAREST, p, g, m, v, new float[7], null,
                0, 8, 0, 0));
        refused.add(() -> LowPrecisionAdamReference.fused(s, b, Rounding.KAHAN, p, g, m, v, null, null, 0, 8, 0, 0));
        refused.add(() -> LowPrecisionAdamReference.fused(s, b, Rounding.KAHAN, p, g, m, v, null, g, 0, 8, 0, 0));
        refused.add(() -> LowPrecisionAdamReference.fused(s, b, Rounding.KAHAN, p, g, m, v, null, new short[9],
                0, 8, 0, 0));
        refused.add(() -> LowPrecisionAdamReference.fused(s, b, Rounding.STOCHASTIC, p, g, m, v, null, null, 0, 8, 0,
                -1));
        refused.add(() -> LowPrecisionAdamReference.fused(s, b, Rounding.STOCHASTIC, p, g, m, v, null, null, 0, 8, 0,
                Long.MAX_VALUE - 7));
        for (int k = 0; k < refused.size(); k++) {
            assertThrows(IllegalArgumentException.class, refused.get(k)::run, "case " + k);
        }
        assertArrayEquals(new short[8], p, "a refused call wrote p");
        assertArrayEquals(new short[8], c, "a refused call wrote comp");
        assertArrayEquals(new float[8], m, "a refused call wrote m");
        assertArrayEquals(new float[8], v, "a refused call wrote v");
        assertArrayEquals(new float[8], vmax, "a refused call wrote vmax");
        // what is not used is not looked at: no vmax without AMSGrad, no comp without Kahan, and the last index fits
        LowPrecisionAdamReference.fused(s, b, Rounding.STOCHASTIC, p, g, m, v, new float[1], new short[1], 0, 8, 0,
                Long.MAX_VALUE - 8);
        assertEquals(8, countNonZero(p), "the step moved every parameter");
    }

    private static int countNonZero(short[] a) {
        int k = 0;
        for (short x : a) {
            k += x != 0 ? 1 : 0;
        }
        return k;
    }
}
