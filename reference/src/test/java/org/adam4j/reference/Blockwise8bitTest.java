package org.adam4j.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link Blockwise8bit}: absmax per block, nearest codes, the special cases, and argument checks. */
class Blockwise8bitTest {
    private static final byte MARK = (byte) 0x5A;

    @Test
    void roundTripErrorIsBoundedByHalfTheLocalSpacing() {
        SplittableRandom r = new SplittableRandom(8);
        for (DynamicMap map : new DynamicMap[] {DynamicMap.SIGNED, DynamicMap.UNSIGNED}) {
            int len = 1000;
            float[] x = new float[len];
            for (int i = 0; i < len; i++) {
                double v = r.nextDouble(map.signed() ? -1 : 0, 1) * Math.pow(10, -r.nextInt(6));
                x[i] = (float) v;
            }
            byte[] codes = new byte[len];
            float[] absmax = new float[Blockwise8bit.blocks(len, 256)];
            Blockwise8bit.quantize(x, 0, len, 256, map, codes, absmax);
            float[] back = new float[len];
            Blockwise8bit.dequantize(codes, absmax, 256, map, back, 0, len);
            for (int i = 0; i < len; i++) {
                float a = absmax[i / 256];
                float q = x[i] / a;
                int c = map.code(q);
                // The gap to the neighbour on q's side bounds |code - q|; plus the two float roundings.
                float lo = map.value(Math.max(c - 1, 0));
                float hi = map.value(Math.min(c + 1, 255));
                double halfGap = Math.max(map.value(c) - lo, hi - map.value(c)) / 2;
                double bound = a * halfGap + Math.ulp(back[i]) + a * Math.ulp(q);
                assertTrue(Math.abs((double) back[i] - x[i]) <= bound, i + ": " + x[i] + " -> " + back[i]);
                assertEquals(c, codes[i] & 0xFF);
            }
        }
    }

    @Test
    void absmaxIsTheBlocksLargestMagnitudeAndEntriesComeBackExactly() {
        float[] v = DynamicMap.SIGNED.values();
        float[] x = new float[256];
        for (int k = 0; k < 256; k++) {
            x[k] = v[k] * 4f;
        }
        byte[] codes = new byte[256];
        float[] absmax = new float[1];
        Blockwise8bit.quantize(x, 0, 256, 256, DynamicMap.SIGNED, codes, absmax);
        assertEquals(4f, absmax[0]);
        for (int k = 0; k < 256; k++) {
            assertEquals(k, codes[k] & 0xFF);
        }
        float[] back = new float[256];
        Blockwise8bit.dequantize(codes, absmax, 256, DynamicMap.SIGNED, back, 0, 256);
        assertArrayEquals(x, back);
    }

    @Test
    void tiesGoToTheLowerCode() {
        DynamicMap map = DynamicMap.SIGNED;
        for (int k = 0; k < 255; k++) {
            float t = map.threshold(k);
            double mid = ((double) map.value(k) + map.value(k + 1)) / 2;
            if (t == mid) {
                float[] x = {t, 1f};
                byte[] codes = new byte[2];
                Blockwise8bit.quantize(x, 0, 2, 256, map, codes, new float[1]);
                assertEquals(k, codes[0] & 0xFF, "tie at " + k);
            }
        }
    }

    @Test
    void allZeroBlocksAreZeroCodesAndZeroAbsmax() {
        float[] x = new float[300];
        x[10] = -0f;
        x[299] = 3f;
        byte[] codes = new byte[300];
        float[] absmax = new float[2];
        Blockwise8bit.quantize(x, 0, 300, 256, DynamicMap.SIGNED, codes, absmax);
        assertEquals(0, Float.floatToRawIntBits(absmax[0]));
        for (int i = 0; i < 256; i++) {
            assertEquals(127, codes[i] & 0xFF);
        }
        float[] back = new float[300];
        Blockwise8bit.dequantize(codes, absmax, 256, DynamicMap.SIGNED, back, 0, 300);
        for (int i = 0; i < 299; i++) {
            assertEquals(0f, back[i]);
        }
        assertEquals(3f, back[299]);
        assertEquals(255, codes[299] & 0xFF);
    }

    @Test
    void nonFiniteValuesPoisonOnlyTheirBlock() {
        float[] x = {1f, Float.NaN, 2f, -Float.POSITIVE_INFINITY, 0.5f, Float.NaN, Float.POSITIVE_INFINITY, 0.25f};
        byte[] codes = new byte[8];
        float[] absmax = new float[4];
        Blockwise8bit.quantize(x, 0, 8, 2, DynamicMap.SIGNED, codes, absmax);
        assertTrue(Float.isNaN(absmax[0]));
        assertEquals(Float.POSITIVE_INFINITY, absmax[1]);
        assertTrue(Float.isNaN(absmax[2]));
        assertEquals(Float.POSITIVE_INFINITY, absmax[3]);
        for (byte c : codes) {
            assertEquals(127, c & 0xFF);
        }
        float[] back = new float[8];
        Blockwise8bit.dequantize(codes, absmax, 2, DynamicMap.SIGNED, back, 0, 8);
        for (float b : back) {
            assertTrue(Float.isNaN(b));
        }
        float[] fine = {Float.MAX_VALUE, -Float.MIN_VALUE};
        Blockwise8bit.quantize(fine, 0, 2, 2, DynamicMap.SIGNED, codes, absmax);
        assertEquals(Float.MAX_VALUE, absmax[0]);
        assertEquals(255, codes[0] & 0xFF);
        assertEquals(127, codes[1] & 0xFF);
    }

    @Test
    void shortLastBlockOffsetsAndMarkersPastTheSlice() {
        float[] x = new float[2 + 70 + 1];
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextDouble(-2, 2);
        }
        x[0] = 100f;
        x[72] = -100f;
        byte[] codes = new byte[71];
        Arrays.fill(codes, MARK);
        float[] absmax = new float[4];
        Arrays.fill(absmax, 42f);
        Blockwise8bit.quantize(x, 2, 70, 32, DynamicMap.SIGNED, codes, absmax);
        assertEquals(MARK, codes[70]);
        assertEquals(42f, absmax[3]);
        for (int b = 0; b < 3; b++) {
            float want = 0f;
            for (int i = b * 32; i < Math.min(70, b * 32 + 32); i++) {
                want = Math.max(want, Math.abs(x[2 + i]));
            }
            assertEquals(want, absmax[b], "block " + b);
        }
        float[] out = new float[72];
        Arrays.fill(out, 7f);
        Blockwise8bit.dequantize(codes, absmax, 32, DynamicMap.SIGNED, out, 1, 70);
        assertEquals(7f, out[0]);
        assertEquals(7f, out[71]);
        byte[] shifted = new byte[75];
        float[] shiftedMax = new float[5];
        Blockwise8bit.quantize(x, 2, 70, 32, DynamicMap.SIGNED, shifted, 5, shiftedMax, 2);
        assertArrayEquals(Arrays.copyOf(codes, 70), Arrays.copyOfRange(shifted, 5, 75));
        assertArrayEquals(Arrays.copyOf(absmax, 3), Arrays.copyOfRange(shiftedMax, 2, 5));
    }

    @Test
    void badArgumentsAreRefusedBeforeAnythingIsWritten() {
        float[] x = {1f, 2f, 3f};
        byte[] codes = {MARK, MARK, MARK};
        float[] absmax = {42f, 42f};
        DynamicMap m = DynamicMap.SIGNED;
        assertThrows(IllegalArgumentException.class, () -> Blockwise8bit.quantize(x, 0, 3, 0, m, codes, absmax));
        assertThrows(IllegalArgumentException.class, () -> Blockwise8bit.quantize(x, 0, -1, 2, m, codes, absmax));
        assertThrows(IndexOutOfBoundsException.class, () -> Blockwise8bit.quantize(x, 1, 3, 2, m, codes, absmax));
        assertThrows(IndexOutOfBoundsException.class,
                () -> Blockwise8bit.quantize(x, 0, 3, 2, m, new byte[2], absmax));
        assertThrows(IndexOutOfBoundsException.class, () -> Blockwise8bit.quantize(x, 0, 3, 1, m, codes, absmax));
        assertThrows(IndexOutOfBoundsException.class,
                () -> Blockwise8bit.quantize(x, 0, 3, 2, m, codes, 1, absmax, 0));
        assertThrows(NullPointerException.class, () -> Blockwise8bit.quantize(x, 0, 3, 2, null, codes, absmax));
        assertArrayEquals(new byte[] {MARK, MARK, MARK}, codes);
        assertArrayEquals(new float[] {42f, 42f}, absmax);
        float[] out = {7f, 7f, 7f};
        assertThrows(IndexOutOfBoundsException.class,
                () -> Blockwise8bit.dequantize(codes, absmax, 1, m, out, 0, 3));
        assertThrows(IndexOutOfBoundsException.class,
                () -> Blockwise8bit.dequantize(codes, absmax, 2, m, out, 1, 3));
        assertArrayEquals(new float[] {7f, 7f, 7f}, out);
    }
}
