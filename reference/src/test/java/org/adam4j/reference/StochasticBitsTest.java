package org.adam4j.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link StochasticBits}: the published functions it is built from, and the properties stochastic rounding needs. */
class StochasticBitsTest {
    @Test
    void fmix32IsMurmurHash3sFinalizer() {
        // MurmurHash3_x86_32 of the empty input is fmix32(seed): SMHasher's published values for seeds 0, 1, ~0.
        assertEquals(0, StochasticBits.fmix32(0));
        assertEquals(0x514E28B7, StochasticBits.fmix32(1));
        assertEquals(0x81F16F39, StochasticBits.fmix32(0xFFFFFFFF));
    }

    @Test
    void mix64OfTheSeedIsSplittableRandomsFirstOutput() {
        for (long seed : new long[] {0, 1, 42, -1, Long.MIN_VALUE, 0x123456789ABCDEFL}) {
            assertEquals(new SplittableRandom(seed).nextLong(), StochasticBits.mix64(seed + StochasticBits.GOLDEN_GAMMA));
        }
    }

    /** The stream is part of a saved run's meaning (a resumed run continues it), so its values are pinned. */
    @Test
    void theStreamIsPinned() {
        assertEquals(StochasticBits.fmix32(StochasticBits.key(7, 3, 0) + 5 * StochasticBits.INDEX_GAMMA),
                StochasticBits.bits(7, 3, 5));
        long h = StochasticBits.mix64(StochasticBits.mix64(StochasticBits.mix64(7 + StochasticBits.GOLDEN_GAMMA) + 3)
                + 2);
        assertEquals((int) (h >>> 32), StochasticBits.key(7, 3, (2L << 32) + 99));
        assertEquals(0xD628A942, StochasticBits.bits(0, 1, 0));
        assertEquals(0x547D1B65, StochasticBits.bits(1, 1, 0));
        assertEquals(0x970F0780, StochasticBits.bits(1, 2, 12345));
        assertEquals(0x62D9FB04, StochasticBits.bits(-9, 1_000_000_007L, (1L << 33) + 17));
    }

    @Test
    void theKeyDependsOnTheIndexOnlyThroughItsHighHalf() {
        assertEquals(StochasticBits.key(5, 9, 0), StochasticBits.key(5, 9, 0xFFFFFFFFL));
        assertNotEquals(StochasticBits.key(5, 9, 0xFFFFFFFFL), StochasticBits.key(5, 9, 0x100000000L));
    }

    @Test
    void oneStepsBitsAreDistinctOverDistinctLowHalves() {
        Set<Integer> seen = new HashSet<>();
        for (long i = 0; i < 1 << 16; i++) {
            assertTrue(seen.add(StochasticBits.bits(3, 4, i)), "index " + i);
        }
    }

    @Test
    void aDifferentSeedStepOrIndexGivesADifferentStream() {
        int n = 4096;
        assertAtMostTwoAgree(n, i -> StochasticBits.bits(3, 4, i), i -> StochasticBits.bits(4, 4, i));
        assertAtMostTwoAgree(n, i -> StochasticBits.bits(3, 4, i), i -> StochasticBits.bits(3, 5, i));
        assertAtMostTwoAgree(n, i -> StochasticBits.bits(3, 4, i), i -> StochasticBits.bits(3, 4, i + 1));
        assertAtMostTwoAgree(n, i -> StochasticBits.bits(3, 4, i), i -> StochasticBits.bits(3, 4, i + (1L << 32)));
        // seed and step are not interchangeable, nor does a seed shifted by one match a step shifted by one
        assertAtMostTwoAgree(n, i -> StochasticBits.bits(3, 4, i), i -> StochasticBits.bits(4, 3, i));
        assertAtMostTwoAgree(n, i -> StochasticBits.bits(4, 4, i), i -> StochasticBits.bits(3, 5, i));
    }

    private static void assertAtMostTwoAgree(int n, java.util.function.LongToIntFunction a,
            java.util.function.LongToIntFunction b) {
        int agree = 0;
        for (long i = 0; i < n; i++) {
            if (a.applyAsInt(i) == b.applyAsInt(i)) {
                agree++;
            }
        }
        // Independent 32-bit streams agree at a given index with probability 2^-32.
        assertTrue(agree <= 2, agree + " of " + n + " agree");
    }

    /**
     * Each of the 32 bits is set about half the time, over indices in a step and over steps at an index. With
     * {@code n} samples the count's standard deviation is {@code sqrt(n) / 2}; the bound is 6 of them.
     */
    @Test
    void everyBitIsSetHalfTheTime() {
        int n = 1 << 16;
        double bound = 6 * Math.sqrt(n) / 2;
        int[] overIndices = new int[32];
        int[] overSteps = new int[32];
        for (int i = 0; i < n; i++) {
            int a = StochasticBits.bits(11, 1, i);
            int b = StochasticBits.bits(11, i + 1, 777);
            for (int bit = 0; bit < 32; bit++) {
                overIndices[bit] += (a >>> bit) & 1;
                overSteps[bit] += (b >>> bit) & 1;
            }
        }
        for (int bit = 0; bit < 32; bit++) {
            assertTrue(Math.abs(overIndices[bit] - n / 2.0) <= bound, "bit " + bit + ": " + overIndices[bit]);
            assertTrue(Math.abs(overSteps[bit] - n / 2.0) <= bound, "bit " + bit + ": " + overSteps[bit]);
        }
    }
}
