package org.adam4j.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Stochastic rounding of both formats: its exact probability, its edges, its expected value and its key. */
class StochasticRoundingTest {
    private static RoundingOracle oracle(LowPrecision format) {
        return format == LowPrecision.BF16 ? RoundingOracle.BF16 : RoundingOracle.FP16;
    }

    private static final int[] RANDOMS = {0, 1, -1, 0x80000000, 0x7FFFFFFF, 0xFFFF0000, 0x0000FFFF, 0xFFF80000};

    /**
     * Against the oracle at the exact threshold: a value rounds away from zero exactly for the random bits
     * {@code r >= 2^32 - D} (unsigned), D the dropped part as a 32-bit fraction, so the rounding is checked at
     * {@code r} on both sides of that threshold and at the extremes, over every high part of a float (as in the
     * round-to-nearest tests) with several low parts.
     */
    @ParameterizedTest
    @EnumSource(LowPrecision.class)
    void roundsAwayFromZeroExactlyWhenTheDroppedFractionPlusTheRandomBitsCarry(LowPrecision format) {
        RoundingOracle oracle = oracle(format);
        int dropBits = format == LowPrecision.BF16 ? 16 : 13;
        int[] lows = {0, 1, (1 << dropBits) - 1, 1 << (dropBits - 1), (1 << (dropBits - 1)) + 1};
        SplittableRandom random = new SplittableRandom(29);
        for (int high = 0; high < 1 << (32 - dropBits); high++) {
            for (int i = 0; i < lows.length + 2; i++) {
                int low = i < lows.length ? lows[i] : random.nextInt(1 << dropBits);
                float x = Float.intBitsToFloat((high << dropBits) | low);
                if (Float.isNaN(x) || Float.isInfinite(x)) {
                    continue;
                }
                long threshold = (1L << 32) - oracle.dropped32(x);
                for (long r : new long[] {threshold - 1, threshold, threshold + 1, 0, 0xFFFFFFFFL}) {
                    if (r >= 0 && r <= 0xFFFFFFFFL) {
                        short expected = oracle.stochastic(x, (int) r);
                        short actual = format.fromFloatStochastic(x, (int) r);
                        if (expected != actual) {
                            assertEquals(expected, actual, Float.toHexString(x) + " r=" + Long.toHexString(r));
                        }
                    }
                }
                int r = random.nextInt();
                assertEquals(oracle.stochastic(x, r), format.fromFloatStochastic(x, r), Float.toHexString(x));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(LowPrecision.class)
    void representableValuesNeverChange(LowPrecision format) {
        SplittableRandom random = new SplittableRandom(31);
        for (int b = 0; b < 0x10000; b++) {
            short bits = (short) b;
            float x = format.toFloat(bits);
            if (Float.isNaN(x)) {
                continue;
            }
            for (int i = 0; i < RANDOMS.length + 8; i++) {
                int r = i < RANDOMS.length ? RANDOMS[i] : random.nextInt();
                assertEquals(bits, format.fromFloatStochastic(x, r), Integer.toHexString(b));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(LowPrecision.class)
    void nanInfinitiesAndSignedZeros(LowPrecision format) {
        for (int r : RANDOMS) {
            for (int nan : new int[] {0x7FC00000, 0x7F800001, 0x7F80FFFF, 0x7FFFFFFF, 0xFFFFFFFF, 0xFF800001}) {
                float x = Float.intBitsToFloat(nan);
                assertEquals(format.fromFloatNearestEven(x), format.fromFloatStochastic(x, r), Integer.toHexString(nan));
                assertTrue(Float.isNaN(format.toFloat(format.fromFloatStochastic(x, r))));
            }
            assertEquals(Float.POSITIVE_INFINITY, format.toFloat(format.fromFloatStochastic(Float.POSITIVE_INFINITY, r)));
            assertEquals(Float.NEGATIVE_INFINITY, format.toFloat(format.fromFloatStochastic(Float.NEGATIVE_INFINITY, r)));
            assertEquals((short) 0x0000, format.fromFloatStochastic(0.0f, r));
            assertEquals((short) 0x8000, format.fromFloatStochastic(-0.0f, r));
        }
        assertEquals(Bf16.NAN, Bf16.fromFloatStochastic(Float.intBitsToFloat(0xFFFFFFFF), -1));
        assertEquals((short) 0xFE00, Fp16.fromFloatStochastic(Float.intBitsToFloat(0xFFFFFFFF), -1));
    }

    @ParameterizedTest
    @EnumSource(LowPrecision.class)
    void beyondTheLargestFiniteValueTheNextStepIsInfinity(LowPrecision format) {
        float max = format == LowPrecision.BF16 ? Bf16.toFloat(Bf16.MAX_VALUE) : 65504f;
        float beyond = format == LowPrecision.BF16 ? Float.MAX_VALUE : 65535f;
        for (float sign : new float[] {1, -1}) {
            assertEquals(sign * max, format.toFloat(format.fromFloatStochastic(sign * beyond, 0)));
            assertEquals(sign * Float.POSITIVE_INFINITY, format.toFloat(format.fromFloatStochastic(sign * beyond, -1)));
            if (format == LowPrecision.FP16) {
                // 2^16 and above: every rounding overflows
                assertEquals(sign * Float.POSITIVE_INFINITY, format.toFloat(format.fromFloatStochastic(sign * 65536f, 0)));
                assertEquals(sign * Float.POSITIVE_INFINITY, format.toFloat(format.fromFloatStochastic(sign * 1e30f, 0)));
            }
        }
        // fp16: 65535 is 31/32 of the way from 65504 to 2^16
        assertEquals(Fp16.MAX_VALUE, Fp16.fromFloatStochastic(65535f, (int) ((1L << 32) - (31L << 27)) - 1));
        assertEquals(Fp16.POSITIVE_INFINITY, Fp16.fromFloatStochastic(65535f, (int) ((1L << 32) - (31L << 27))));
    }

    @ParameterizedTest
    @EnumSource(LowPrecision.class)
    void carriesRollTheExponentOverAndLeaveTheSubnormals(LowPrecision format) {
        if (format == LowPrecision.BF16) {
            assertEquals((short) 0x4000, Bf16.fromFloatStochastic(Float.intBitsToFloat(0x3FFF0001), -1));
            assertEquals((short) 0x0080, Bf16.fromFloatStochastic(Float.intBitsToFloat(0x007F0001), -1));
            assertEquals((short) 0x0001, Bf16.fromFloatStochastic(Float.MIN_VALUE, -1));
            assertEquals((short) 0x0000, Bf16.fromFloatStochastic(Float.MIN_VALUE, 0xFFFE0000));
        } else {
            assertEquals((short) 0x4000, Fp16.fromFloatStochastic(Math.nextUp(2 - 0x1p-10f), -1));
            assertEquals((short) 0x0400, Fp16.fromFloatStochastic(Math.nextUp(0x1p-14f - 0x1p-24f), -1));
            assertEquals((short) 0x0001, Fp16.fromFloatStochastic(0x1p-40f, -1));
            // 2^-40 is 2^-16 of the smallest subnormal: up exactly for the top 2^16 random values
            assertEquals((short) 0x0000, Fp16.fromFloatStochastic(0x1p-40f, 0xFFFEFFFF));
            assertEquals((short) 0x0001, Fp16.fromFloatStochastic(0x1p-40f, 0xFFFF0000));
            // below 2^-33 the probability is truncated to 32 bits: 2^-57 is 2^-33 of the spacing, which truncates to 0
            assertEquals((short) 0x0000, Fp16.fromFloatStochastic(0x1p-57f, -1));
            assertEquals((short) 0x8000, Fp16.fromFloatStochastic(-0x1p-57f, -1));
            assertEquals((short) 0x0001, Fp16.fromFloatStochastic(0x1p-56f, -1));
        }
    }

    /**
     * The expected rounding is the input: the mean of {@code n} roundings of one value, over indices in a step and
     * over steps at one index, is within 6 standard deviations of it, the deviation of the mean being
     * {@code spacing * sqrt(f * (1 - f) / n)} for a value a fraction {@code f} of the spacing past the truncated one.
     * With a fixed seed the test is deterministic; the bound says it would fail for about one seed in 10^8.
     */
    @ParameterizedTest
    @EnumSource(LowPrecision.class)
    void theExpectedRoundingIsTheInput(LowPrecision format) {
        RoundingOracle oracle = oracle(format);
        float[] values = format == LowPrecision.BF16
                ? new float[] {1 + 0.3f * 0x1p-7f, -(1 + 0.7f * 0x1p-7f), 1.5f + 0x1p-22f, 3.1e-3f,
                        Float.intBitsToFloat(0x00004CCD), 123456.78f, 1.0f + 0x1p-20f}
                : new float[] {1 + 0.3f * 0x1p-10f, -(1 + 0.7f * 0x1p-10f), 2.3f * 0x1p-24f, 0.01f * 0x1p-24f,
                        -1000.7f, 3.1e-3f, 65000.5f, 1.0f + 0x1p-20f};
        int n = 1 << 16;
        for (float x : values) {
            double spacing = oracle.spacing(Math.abs((double) x));
            double f = oracle.dropped32(x) / 0x1p32;
            double bound = 6 * spacing * Math.sqrt(f * (1 - f) / n) + spacing * 0x1p-32;
            double overIndices = 0;
            double overSteps = 0;
            for (int i = 0; i < n; i++) {
                overIndices += format.toFloat(format.fromFloatStochastic(x, 42, 1000, i));
                overSteps += format.toFloat(format.fromFloatStochastic(x, 42, i + 1, 5));
            }
            assertTrue(Math.abs(overIndices / n - x) <= bound, x + ": mean over indices " + overIndices / n);
            assertTrue(Math.abs(overSteps / n - x) <= bound, x + ": mean over steps " + overSteps / n);
        }
    }

    @ParameterizedTest
    @EnumSource(LowPrecision.class)
    void theRoundingIsAFunctionOfSeedStepAndIndexOnly(LowPrecision format) {
        float[] values = new float[1000];
        SplittableRandom random = new SplittableRandom(37);
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        short[] whole = round(format, values, 5, 7, 1L << 31, new int[] {values.length});
        short[] pieces = round(format, values, 5, 7, 1L << 31, new int[] {1, 15, 16, 17, 300, 651});
        short[] again = round(format, values, 5, 7, 1L << 31, new int[] {999, 1});
        assertEquals(Arrays.toString(whole), Arrays.toString(pieces));
        assertEquals(Arrays.toString(whole), Arrays.toString(again));
        assertNotEquals(Arrays.toString(whole), Arrays.toString(round(format, values, 6, 7, 1L << 31,
                new int[] {values.length})));
        assertNotEquals(Arrays.toString(whole), Arrays.toString(round(format, values, 5, 8, 1L << 31,
                new int[] {values.length})));
        assertNotEquals(Arrays.toString(whole), Arrays.toString(round(format, values, 5, 7, 0,
                new int[] {values.length})));
    }

    /** Rounds {@code values} in consecutive pieces of the given lengths, each with its own first index. */
    private static short[] round(LowPrecision format, float[] values, long seed, long step, long firstIndex,
            int[] pieces) {
        short[] out = new short[values.length];
        int off = 0;
        for (int len : pieces) {
            if (format == LowPrecision.BF16) {
                LowPrecision.BF16.fromFloatStochastic(values, off, out, off, len, seed, step, firstIndex + off);
            } else {
                LowPrecision.FP16.fromFloatStochastic(values, off, out, off, len, seed, step, firstIndex + off);
            }
            off += len;
        }
        assertEquals(values.length, off);
        return out;
    }
}
