package org.adam4j.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Fp16}'s conversions: {@code torch.Tensor.half()}'s bits at the edges, and the independent
 * {@link RoundingOracle} everywhere, which also shows that {@code Float.floatToFloat16} is IEEE round-to-nearest-even.
 */
class Fp16Test {
    private static short nearest(float x) {
        return Fp16.fromFloatNearestEven(x);
    }

    @Test
    void everyPatternWidensExactlyAndRoundsBackToItself() {
        for (int b = 0; b < 0x10000; b++) {
            short bits = (short) b;
            float x = Fp16.toFloat(bits);
            int exponent = (b >>> 10) & 0x1F;
            int fraction = b & 0x3FF;
            if (exponent == 0x1F && fraction != 0) {
                assertTrue(Float.isNaN(x), Integer.toHexString(b));
                assertEquals((short) ((b & 0x8000) | 0x7E00), nearest(x), Integer.toHexString(b));
            } else {
                double expected = exponent == 0x1F ? Double.POSITIVE_INFINITY
                        : exponent == 0 ? Math.scalb((double) fraction, -24)
                        : Math.scalb(1024.0 + fraction, exponent - 25);
                assertEquals((b & 0x8000) != 0 ? -expected : expected, (double) x, Integer.toHexString(b));
                assertEquals(bits, nearest(x), Integer.toHexString(b));
            }
        }
    }

    @Test
    void specialValuesAreTorchs() {
        assertEquals((short) 0x0000, nearest(0.0f));
        assertEquals((short) 0x8000, nearest(-0.0f));
        assertEquals((short) 0x7C00, nearest(Float.POSITIVE_INFINITY));
        assertEquals((short) 0xFC00, nearest(Float.NEGATIVE_INFINITY));
        for (int nan : new int[] {0x7FC00000, 0x7F800001, 0x7F801FFF, 0x7FFFFFFF}) {
            assertEquals((short) 0x7E00, nearest(Float.intBitsToFloat(nan)), Integer.toHexString(nan));
            assertEquals((short) 0xFE00, nearest(Float.intBitsToFloat(nan | 0x80000000)), Integer.toHexString(nan));
        }
        assertEquals((short) 0x3C00, nearest(1.0f));
        assertEquals((short) 0x4248, nearest((float) Math.PI));
        assertEquals((short) 0x3555, nearest(1.0f / 3));
    }

    @Test
    void overflowIsInfinityAtAndAbove65520() {
        assertEquals(65504.0f, Fp16.toFloat(Fp16.MAX_VALUE));
        assertEquals(Fp16.MAX_VALUE, nearest(65504.0f));
        assertEquals(Fp16.MAX_VALUE, nearest(Math.nextDown(65520.0f)));
        assertEquals(Fp16.POSITIVE_INFINITY, nearest(65520.0f));
        assertEquals((short) 0xFC00, nearest(-65520.0f));
        assertEquals((short) 0xFBFF, nearest(Math.nextUp(-65520.0f)));
        assertEquals(Fp16.POSITIVE_INFINITY, nearest(Float.MAX_VALUE));
    }

    @Test
    void subnormalsRoundOnTheirGridDownToTwoToTheMinus24() {
        assertEquals(0x1p-24f, Fp16.toFloat(Fp16.MIN_VALUE));
        assertEquals(0x1p-14f, Fp16.toFloat(Fp16.MIN_NORMAL));
        assertEquals(Fp16.MIN_VALUE, nearest(0x1p-24f));
        assertEquals((short) 0x0000, nearest(0x1p-25f)); // ties down to the even zero
        assertEquals((short) 0x8000, nearest(-0x1p-25f));
        assertEquals(Fp16.MIN_VALUE, nearest(Math.nextUp(0x1p-25f)));
        assertEquals((short) 0x0002, nearest(3 * 0x1p-25f)); // ties up to the even 2 * 2^-24
        assertEquals((short) 0x0000, nearest(Float.MIN_VALUE));
        assertEquals(Fp16.MIN_NORMAL, nearest(0x1p-14f - 0x1p-25f)); // the largest subnormal's tie rolls up
        assertEquals((short) 0x03FF, nearest(Math.nextDown(0x1p-14f - 0x1p-25f)));
    }

    @Test
    void tiesGoToEvenBothWaysAndRollTheExponentOver() {
        assertEquals((short) 0x3C00, nearest(1 + 0x1p-11f));
        assertEquals((short) 0x3C02, nearest(1 + 3 * 0x1p-11f));
        assertEquals((short) 0xBC00, nearest(-(1 + 0x1p-11f)));
        assertEquals((short) 0x3C01, nearest(Math.nextUp(1 + 0x1p-11f)));
        assertEquals((short) 0x4000, nearest(2 - 0x1p-11f)); // 0x3FFF is odd: up to 2.0
        assertEquals((short) 0x3FFF, nearest(Math.nextDown(2 - 0x1p-11f)));
    }

    /**
     * Every float whose low 13 bits are one of the interesting kinds (none, the lowest, a tie, around the tie, all),
     * over every sign, exponent and high 10 fraction bits: all ties and their neighbours of the normal range, and
     * (because a subnormal result drops some of the high 10 bits too, which run over all their values) of the
     * subnormal range.
     */
    @Test
    void agreesWithTheOracleOnEveryHighPartAtEveryKindOfLowPart() {
        int[] lows = {0, 1, 0x0FFF, 0x1000, 0x1001, 0x1FFF, 0x0800, 0x1800};
        SplittableRandom random = new SplittableRandom(19);
        for (int high = 0; high < 1 << 19; high++) {
            for (int i = 0; i < lows.length + 2; i++) {
                int low = i < lows.length ? lows[i] : random.nextInt(0x2000);
                checkAgainstOracle((high << 13) | low);
            }
        }
    }

    @Test
    void agreesWithTheOracleOnRandomFloats() {
        SplittableRandom random = new SplittableRandom(23);
        for (int i = 0; i < 1 << 22; i++) {
            checkAgainstOracle(random.nextInt());
        }
    }

    private static void checkAgainstOracle(int bits) {
        float x = Float.intBitsToFloat(bits);
        if (!Float.isNaN(x)) {
            short expected = RoundingOracle.FP16.nearestEven(x);
            short actual = nearest(x);
            if (expected != actual) {
                assertEquals(expected, actual, Integer.toHexString(bits));
            }
        }
    }

    @Test
    void arrayLoopsAreTheScalarConversionsOverTheSliceOnly() {
        float[] src = {1.5f, Float.NaN, 0x1.0101p0f, -70000f, 7.0f};
        short[] dst = {9, 9, 9, 9, 9, 9};
        LowPrecision.FP16.fromFloatNearestEven(src, 1, dst, 2, 3);
        assertEquals(9, dst[1]);
        assertEquals(Fp16.NAN, dst[2]);
        assertEquals(nearest(0x1.0101p0f), dst[3]);
        assertEquals((short) 0xFC00, dst[4]);
        assertEquals(9, dst[5]);
        float[] back = new float[4];
        LowPrecision.FP16.toFloat(dst, 3, back, 1, 2);
        assertEquals(0.0f, back[0]);
        assertEquals(Fp16.toFloat(dst[3]), back[1]);
        assertEquals(Float.NEGATIVE_INFINITY, back[2]);
        assertEquals(0.0f, back[3]);
        short[] stochastic = new short[3];
        LowPrecision.FP16.fromFloatStochastic(src, 2, stochastic, 1, 1, 5, 6, 1L << 40);
        assertEquals(LowPrecision.FP16.fromFloatStochastic(src[2], 5, 6, 1L << 40), stochastic[1]);
        assertTrue(stochastic[0] == 0 && stochastic[2] == 0);
    }
}
