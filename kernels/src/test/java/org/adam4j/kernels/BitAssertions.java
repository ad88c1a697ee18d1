package org.adam4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Array comparisons for the bit-for-bit tests, naming the first element that differs in hexadecimal: {@code short}
 * bit patterns exactly, {@code float}s as {@link Float#floatToIntBits} sees them (every NaN alike, since the sign and
 * payload of a NaN that arithmetic makes are unspecified).
 */
final class BitAssertions {
    private BitAssertions() {
    }

    static void assertShorts(short[] expected, short[] actual, String where) {
        for (int i = 0; i < expected.length; i++) {
            if (expected[i] != actual[i]) {
                assertEquals(Integer.toHexString(expected[i] & 0xFFFF), Integer.toHexString(actual[i] & 0xFFFF),
                        where + " at " + i);
            }
        }
    }

    static void assertFloats(float[] expected, float[] actual, String where) {
        for (int i = 0; i < expected.length; i++) {
            int e = Float.floatToIntBits(expected[i]);
            int a = Float.floatToIntBits(actual[i]);
            if (e != a) {
                assertEquals(Integer.toHexString(e), Integer.toHexString(a), where + " at " + i + " (" + expected[i]
                        + " vs " + actual[i] + ")");
            }
        }
    }
}
