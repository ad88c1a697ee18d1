package org.adam4j.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link Bf16}'s conversions: PyTorch's bits at the edges, and the independent {@link RoundingOracle} everywhere. */
class Bf16Test {
    private static short nearest(int floatBits) {
        return Bf16.fromFloatNearestEven(Float.intBitsToFloat(floatBits));
    }

    @Test
    void everyPatternWidensExactlyAndRoundsBackToItself() {
        for (int b = 0; b < 0x10000; b++) {
            short bits = (short) b;
            float x = Bf16.toFloat(bits);
            if (Float.isNaN(x)) {
                assertEquals(Bf16.NAN, Bf16.fromFloatNearestEven(x), Integer.toHexString(b));
            } else {
                assertEquals(b << 16, Float.floatToRawIntBits(x), Integer.toHexString(b));
                assertEquals(bits, Bf16.fromFloatNearestEven(x), Integer.toHexString(b));
            }
        }
    }

    @Test
    void specialValuesAreTorchs() {
        assertEquals((short) 0x0000, Bf16.fromFloatNearestEven(0.0f));
        assertEquals((short) 0x8000, Bf16.fromFloatNearestEven(-0.0f));
        assertEquals((short) 0x7F80, Bf16.fromFloatNearestEven(Float.POSITIVE_INFINITY));
        assertEquals((short) 0xFF80, Bf16.fromFloatNearestEven(Float.NEGATIVE_INFINITY));
        for (int nan : new int[] {0x7FC00000, 0xFFC00000, 0x7F800001, 0x7F80FFFF, 0x7FFFFFFF, 0xFFFFFFFF, 0xFF800001}) {
            assertEquals((short) 0x7FC0, nearest(nan), Integer.toHexString(nan));
        }
        assertEquals((short) 0x3F80, Bf16.fromFloatNearestEven(1.0f));
        assertEquals((short) 0x4049, Bf16.fromFloatNearestEven((float) Math.PI));
        assertEquals((short) 0x3EAB, Bf16.fromFloatNearestEven(1.0f / 3));
    }

    @Test
    void tiesGoToEvenBothWays() {
        assertEquals((short) 0x3F80, nearest(0x3F808000)); // 1 + 2^-8: down to the even 1.0
        assertEquals((short) 0x3F82, nearest(0x3F818000)); // up to the even 0x3F82
        assertEquals((short) 0xBF80, nearest(0xBF808000));
        assertEquals((short) 0xBF82, nearest(0xBF818000));
        assertEquals((short) 0x3F81, nearest(0x3F808001)); // just above a tie: up
        assertEquals((short) 0x3F81, nearest(0x3F817FFF)); // just below a tie: down
    }

    @Test
    void roundingUpRollsTheExponentOverUpToInfinity() {
        assertEquals((short) 0x4000, nearest(0x3FFF8000)); // 2 - 2^-8 ties up to the even 2.0
        assertEquals((short) 0x3FFF, nearest(0x3FFF7FFF));
        assertEquals((short) 0x0080, nearest(0x007F8000)); // largest subnormal rolls up to the smallest normal
        assertEquals(Bf16.MAX_VALUE, nearest(0x7F7F7FFF)); // the largest finite bfloat16 stays
        assertEquals(Bf16.POSITIVE_INFINITY, nearest(0x7F7F8000)); // its tie with 2^128 overflows
        assertEquals(Bf16.POSITIVE_INFINITY, Bf16.fromFloatNearestEven(Float.MAX_VALUE));
        assertEquals((short) 0xFF80, Bf16.fromFloatNearestEven(-Float.MAX_VALUE));
        assertEquals(0x1.FEp127f, Bf16.toFloat(Bf16.MAX_VALUE));
    }

    @Test
    void subnormalsRoundOnTheirOwnGrid() {
        assertEquals(0x1p-133f, Bf16.toFloat(Bf16.MIN_VALUE));
        assertEquals(0x1p-126f, Bf16.toFloat(Bf16.MIN_NORMAL));
        assertEquals((short) 0x0000, Bf16.fromFloatNearestEven(Float.MIN_VALUE));
        assertEquals((short) 0x0000, nearest(0x00008000)); // 2^-134 ties down to the even zero
        assertEquals((short) 0x0001, nearest(0x00008001));
        assertEquals((short) 0x0002, nearest(0x00018000)); // ties up to the even 2 * 2^-133
        assertEquals((short) 0x8000, nearest(0x80008000));
        assertEquals((short) 0x8001, nearest(0x80008001));
    }

    @Test
    void agreesWithTheOracleOnEveryHighHalfAtEveryKindOfLowHalf() {
        int[] lows = {0, 1, 0x7FFF, 0x8000, 0x8001, 0xFFFF, 0x4000, 0xC000};
        SplittableRandom random = new SplittableRandom(13);
        for (int high = 0; high < 0x10000; high++) {
            for (int i = 0; i < lows.length + 4; i++) {
                int low = i < lows.length ? lows[i] : random.nextInt(0x10000);
                checkAgainstOracle((high << 16) | low);
            }
        }
    }

    @Test
    void agreesWithTheOracleOnRandomFloats() {
        SplittableRandom random = new SplittableRandom(17);
        for (int i = 0; i < 1 << 22; i++) {
            checkAgainstOracle(random.nextInt());
        }
    }

    private static void checkAgainstOracle(int bits) {
        float x = Float.intBitsToFloat(bits);
        if (Float.isNaN(x)) {
            assertEquals(Bf16.NAN, Bf16.fromFloatNearestEven(x));
        } else {
            short expected = RoundingOracle.BF16.nearestEven(x);
            short actual = Bf16.fromFloatNearestEven(x);
            if (expected != actual) {
                assertEquals(expected, actual, Integer.toHexString(bits));
            }
        }
    }

    @Test
    void arrayLoopsAreTheScalarConversionsOverTheSliceOnly() {
        float[] src = {1.5f, Float.NaN, 0x1.0101p0f, -3.0e38f, 7.0f};
        short[] dst = {9, 9, 9, 9, 9, 9};
        LowPrecision.BF16.fromFloatNearestEven(src, 1, dst, 2, 3);
        assertEquals(9, dst[0]);
        assertEquals(9, dst[1]);
        assertEquals(Bf16.NAN, dst[2]);
        assertEquals(Bf16.fromFloatNearestEven(0x1.0101p0f), dst[3]);
        assertEquals(Bf16.fromFloatNearestEven(-3.0e38f), dst[4]);
        assertEquals(9, dst[5]);
        float[] back = new float[5];
        LowPrecision.BF16.toFloat(dst, 3, back, 1, 2);
        assertEquals(0.0f, back[0]);
        assertEquals(Bf16.toFloat(dst[3]), back[1]);
        assertEquals(Bf16.toFloat(dst[4]), back[2]);
        assertEquals(0.0f, back[3]);
        short[] stochastic = new short[4];
        LowPrecision.BF16.fromFloatStochastic(src, 2, stochastic, 1, 2, 5, 6, 1000);
        assertEquals(LowPrecision.BF16.fromFloatStochastic(src[2], 5, 6, 1000), stochastic[1]);
        assertEquals(LowPrecision.BF16.fromFloatStochastic(src[3], 5, 6, 1001), stochastic[2]);
        assertTrue(stochastic[0] == 0 && stochastic[3] == 0);
    }
}
