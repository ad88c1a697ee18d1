package org.adam4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.adam4j.reference.LowPrecision;
import org.adam4j.reference.Bf16;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every width's bfloat16 conversions against {@link Bf16}'s scalar ones, bit for bit: at sizes on both sides of every
 * lane multiple, at offsets, over special values (NaN payloads, infinities, signed zeros, subnormals, ties, the
 * overflow edge) and every bfloat16 pattern, with stochastic rounding at several keys, including slices whose indices
 * cross a multiple of {@code 2^32}. The destination is filled with a marker beforehand; every element outside the
 * slice must keep it.
 */
class Bf16ConversionsTest {
    private static final int[] WIDTHS = {64, 128, 256, 512};
    private static final short SHORT_MARKER = 0x5A5A;
    private static final int FLOAT_MARKER = 0x7FA5A5A5;

    /** The generated width classes, found by name so that this test compiles without the vector module. */
    static List<Bf16Conversions> vectorConversions() throws ReflectiveOperationException {
        List<Bf16Conversions> all = new ArrayList<>();
        for (int bits : WIDTHS) {
            Class<?> c = Class.forName("org.adam4j.kernels.vector.Bf16Vectors_" + bits);
            all.add((Bf16Conversions) c.getMethod("instance").invoke(null));
        }
        return all;
    }

    @TestFactory
    Stream<DynamicTest> everyWidthMatchesTheScalarConversionsBitForBit() throws ReflectiveOperationException {
        assumeTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(), "no vector module");
        List<DynamicTest> tests = new ArrayList<>();
        for (Bf16Conversions c : vectorConversions()) {
            tests.add(DynamicTest.dynamicTest(c.name() + " sizes and offsets", () -> sizesAndOffsets(c)));
            tests.add(DynamicTest.dynamicTest(c.name() + " every pattern", () -> everyPattern(c)));
            tests.add(DynamicTest.dynamicTest(c.name() + " index high half", () -> acrossTwoToThe32(c)));
            tests.add(DynamicTest.dynamicTest(c.name() + " bounds", () -> bounds(c)));
            // At 64 bits the narrowing is a convertShape from 2 int lanes into half of a 4-lane short vector, which
            // JDK 25's C2 does not intrinsify on x86 (it boxes, 120 bytes per element); the other widths allocate nothing.
            if (c.lanes() * Float.SIZE > 64) {
                tests.add(DynamicTest.dynamicTest(c.name() + " allocates nothing", () -> allocatesNothingPerCall(c)));
            }
        }
        return tests.stream();
    }

    private static List<Integer> sizes() {
        List<Integer> sizes = new ArrayList<>(List.of(0, 1, 2, 3, 100, 1000));
        for (int lanes : new int[] {2, 4, 8, 16, 32}) {
            for (int k = 1; k <= 4; k++) {
                sizes.addAll(List.of(k * lanes - 1, k * lanes, k * lanes + 1));
            }
        }
        return sizes;
    }

    private static int specialFloatBits(SplittableRandom random) {
        int[] specials = {0x7FC00000, 0xFFC00000, 0x7F800001, 0x7FFFFFFF, 0xFF80FFFF, 0x7F800000, 0xFF800000, 0,
            0x80000000, 1, 0x80008000, 0x00008001, 0x007F8000, 0x3F808000, 0x3F818000, 0xBF808000, 0x3FFF8000,
            0x7F7F7FFF, 0x7F7F8000, 0x7F7FFFFF, 0xFF7FFFFF, 0x3F80FFFF, 0x3F800001};
        return switch (random.nextInt(4)) {
            case 0 -> specials[random.nextInt(specials.length)];
            case 1 -> random.nextInt();
            case 2 -> Float.floatToRawIntBits((float) random.nextGaussian());
            default -> (random.nextInt() & 0xFFFF0000) | new int[] {0, 0x7FFF, 0x8000, 0x8001, 0xFFFF}[random.nextInt(5)];
        };
    }

    private static void sizesAndOffsets(Bf16Conversions c) {
        SplittableRandom random = new SplittableRandom(41 + c.lanes());
        for (int len : sizes()) {
            for (int trial = 0; trial < 3; trial++) {
                int srcOff = random.nextInt(8);
                int dstOff = random.nextInt(8);
                float[] src = new float[srcOff + len + random.nextInt(3)];
                short[] bf16 = new short[srcOff + len + random.nextInt(3)];
                for (int i = 0; i < src.length; i++) {
                    src[i] = Float.intBitsToFloat(specialFloatBits(random));
                }
                for (int i = 0; i < bf16.length; i++) {
                    bf16[i] = (short) (specialFloatBits(random) >>> 16);
                }
                long seed = random.nextLong();
                long step = 1 + random.nextInt(1 << 20);
                long firstIndex = random.nextBoolean() ? random.nextInt(1 << 20) : random.nextLong() >>> 1;
                checkAll(c, src, srcOff, bf16, srcOff, dstOff, len, seed, step, firstIndex);
            }
        }
    }

    private static void checkAll(Bf16Conversions c, float[] src, int srcOff, short[] bf16, int bf16Off, int dstOff,
            int len, long seed, long step, long firstIndex) {
        String where = c.name() + " len=" + len + " srcOff=" + srcOff + " dstOff=" + dstOff + " firstIndex="
                + firstIndex;
        short[] expected = markedShorts(dstOff + len + 2);
        short[] actual = markedShorts(dstOff + len + 2);
        LowPrecision.BF16.fromFloatNearestEven(src, srcOff, expected, dstOff, len);
        c.fromFloatNearestEven(src, srcOff, actual, dstOff, len);
        assertShorts(expected, actual, dstOff, len, "nearest " + where);

        expected = markedShorts(dstOff + len + 2);
        actual = markedShorts(dstOff + len + 2);
        LowPrecision.BF16.fromFloatStochastic(src, srcOff, expected, dstOff, len, seed, step, firstIndex);
        c.fromFloatStochastic(src, srcOff, actual, dstOff, len, seed, step, firstIndex);
        assertShorts(expected, actual, dstOff, len, "stochastic " + where);

        float[] widenedExpected = markedFloats(dstOff + len + 2);
        float[] widenedActual = markedFloats(dstOff + len + 2);
        LowPrecision.BF16.toFloat(bf16, bf16Off, widenedExpected, dstOff, len);
        c.toFloat(bf16, bf16Off, widenedActual, dstOff, len);
        for (int i = 0; i < widenedExpected.length; i++) {
            int e = Float.floatToRawIntBits(widenedExpected[i]);
            int a = Float.floatToRawIntBits(widenedActual[i]);
            if (e != a) {
                assertEquals(Integer.toHexString(e), Integer.toHexString(a), "toFloat " + where + " at " + i);
            }
            if (i < dstOff || i >= dstOff + len) {
                assertEquals(FLOAT_MARKER, a, "toFloat wrote outside the slice: " + where + " at " + i);
            }
        }
    }

    private static short[] markedShorts(int n) {
        short[] a = new short[n];
        java.util.Arrays.fill(a, SHORT_MARKER);
        return a;
    }

    private static float[] markedFloats(int n) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, Float.intBitsToFloat(FLOAT_MARKER));
        return a;
    }

    private static void assertShorts(short[] expected, short[] actual, int off, int len, String where) {
        for (int i = 0; i < actual.length; i++) {
            if (expected[i] != actual[i]) {
                assertEquals(Integer.toHexString(expected[i] & 0xFFFF), Integer.toHexString(actual[i] & 0xFFFF),
                        where + " at " + i);
            }
            if (i < off || i >= off + len) {
                assertEquals(SHORT_MARKER, actual[i], "wrote outside the slice: " + where + " at " + i);
            }
        }
    }

    /** Every bfloat16 pattern widened, and every float high half with each kind of low half rounded. */
    private static void everyPattern(Bf16Conversions c) {
        int[] lows = {0, 1, 0x7FFF, 0x8000, 0x8001, 0xFFFF};
        float[] src = new float[0x10000 * lows.length];
        short[] patterns = new short[src.length];
        for (int i = 0; i < patterns.length; i++) {
            patterns[i] = (short) i;
        }
        for (int high = 0; high < 0x10000; high++) {
            for (int k = 0; k < lows.length; k++) {
                src[high * lows.length + k] = Float.intBitsToFloat((high << 16) | lows[k]);
            }
        }
        checkAll(c, src, 0, patterns, 0, 0, src.length, 3, 4, 0);
        checkAll(c, src, 3, patterns, 3, 1, src.length - 3, 5, 1, 77);
    }

    /** A slice whose indices cross {@code 2^32}: the key changes there, as in the reference. */
    private static void acrossTwoToThe32(Bf16Conversions c) {
        SplittableRandom random = new SplittableRandom(43);
        float[] src = new float[300];
        for (int i = 0; i < src.length; i++) {
            src[i] = 1 + random.nextFloat();
        }
        for (long firstIndex : new long[] {(1L << 32) - 1, (1L << 32) - 37, (1L << 32) - 64, (3L << 32) - 200}) {
            checkAll(c, src, 5, new short[300], 0, 3, 290, 9, 12, firstIndex);
        }
    }

    /** Once compiled, the three conversions allocate nothing per call (measured until a round allocates nothing). */
    private static void allocatesNothingPerCall(Bf16Conversions c) {
        int n = 1003;
        float[] values = new float[n];
        short[] bf16 = new short[n];
        for (int i = 0; i < n; i++) {
            values[i] = 1 + i * 0x1p-12f;
        }
        Runnable calls = () -> {
            c.fromFloatNearestEven(values, 0, bf16, 0, n);
            c.fromFloatStochastic(values, 0, bf16, 0, n, 7, 8, 9);
            c.toFloat(bf16, 0, values, 0, n);
        };
        long perCall = AllocationCounter.bytesPerCall(calls, 3, 5_000, 1_000, 20);
        assertEquals(0, perCall, c.name() + ": bytes allocated per call");
    }

    private static void bounds(Bf16Conversions c) {
        short[] marked = markedShorts(8);
        float[] src = new float[8];
        assertThrows(IndexOutOfBoundsException.class, () -> c.fromFloatNearestEven(src, 0, marked, 1, 8));
        assertThrows(IndexOutOfBoundsException.class, () -> c.fromFloatStochastic(src, 1, marked, 0, 8, 1, 1, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> c.toFloat(marked, 0, src, -1, 2));
        for (short s : marked) {
            assertEquals(SHORT_MARKER, s, "a refused call wrote");
        }
    }
}
