package org.adam4j.kernels.vector;

import org.adam4j.reference.DynamicMap;

/**
 * {@link DynamicMap#code}, the nearest code of a quantized value, as one table look-up and one comparison, for the
 * vector kernels (a gather and a compare per vector) instead of the eight comparisons of a binary search.
 *
 * <p>A value's bucket is the top 16 bits of its {@code float} (sign, exponent and 7 mantissa bits), its magnitude part
 * clamped to {@code [LO, HI]}: {@code LO} is {@code 2^-23} (below every threshold of both maps, which start near
 * {@code 1.6e-7}) and {@code HI} the bucket of {@code 1.0} (above every threshold; a value multiplied by the
 * reciprocal of its absmax may exceed 1 by an ulp). A bucket spans a relative width of {@code 2^-7}, less than the
 * relative spacing of any two thresholds of either map, so it holds at most one threshold; the constructor checks it.
 * Within a bucket the values ordered as {@code float}s are ordered as their low 16 bits, reversed for negative values:
 * so the code of {@code x} is the count of thresholds below the bucket, plus one if {@code x}'s low bits, flipped for a
 * negative {@code x}, exceed the bucket's threshold's likewise. A bucket without a threshold (and both clamped ends)
 * holds {@code 0xFFFF}, which no low bits exceed.
 *
 * <p>One {@code int} per bucket: the count in bits 16-23, the threshold's low bits in bits 0-15; positive buckets
 * first, then negative ones from {@link #RANGE}, {@code 2 * RANGE * 4} bytes (23 KiB, within the L1 cache).
 */
final class CodeBuckets {
    /** The smallest bucket key (magnitude bits over 16): {@code 2^-23}. */
    static final int LO = Float.floatToRawIntBits(0x1p-23f) >>> 16;
    /** The largest bucket key: {@code 1.0}'s. */
    static final int HI = Float.floatToRawIntBits(1f) >>> 16;
    /** The buckets of one sign. */
    static final int RANGE = HI - LO + 1;

    /** The signed map's buckets. */
    static final int[] SIGNED = table(DynamicMap.SIGNED);
    /** The unsigned map's buckets. */
    static final int[] UNSIGNED = table(DynamicMap.UNSIGNED);

    private CodeBuckets() {
    }

    private static int[] table(DynamicMap map) {
        int[] table = new int[2 * RANGE];
        for (int b = 0; b < RANGE; b++) {
            // the bucket's magnitudes, the clamped ends stretched to everything they receive
            float low = b == 0 ? 0f : Float.intBitsToFloat((LO + b) << 16);
            float high = b == RANGE - 1 ? Float.POSITIVE_INFINITY : Float.intBitsToFloat(((LO + b) << 16) | 0xFFFF);
            table[b] = entry(map, low, high, false, b == 0 || b == RANGE - 1);
            table[RANGE + b] = entry(map, -high, -low, true, b == 0 || b == RANGE - 1);
        }
        return table;
    }

    /** The entry of the bucket of values {@code [from, to]}. */
    private static int entry(DynamicMap map, float from, float to, boolean negative, boolean clamped) {
        int below = 0;
        int inside = 0;
        float threshold = 0f;
        for (int k = 0; k < DynamicMap.SIZE - 1; k++) {
            float t = map.threshold(k);
            if (t < from) {
                below++;
            } else if (t <= to) {
                inside++;
                threshold = t;
            }
        }
        if (inside > 1 || inside == 1 && clamped) {
            throw new AssertionError("bucket [" + from + ", " + to + "] holds " + inside + " thresholds");
        }
        int low = Float.floatToRawIntBits(threshold) & 0xFFFF;
        return below << 16 | (inside == 0 ? 0xFFFF : negative ? low ^ 0xFFFF : low);
    }

    /**
     * The bucket of a value's {@code float} bits.
     *
     * @param bits {@code Float.floatToRawIntBits(x)}, {@code x} not NaN
     * @return the index of its entry
     */
    static int bucket(int bits) {
        int magnitude = Math.min(Math.max((bits & 0x7FFFFFFF) >>> 16, LO), HI) - LO;
        return bits < 0 ? magnitude + RANGE : magnitude;
    }

    /**
     * A value's low bits as its bucket compares them: flipped for a negative value.
     *
     * @param bits {@code Float.floatToRawIntBits(x)}
     * @return 0 to {@code 0xFFFF}
     */
    static int lowBits(int bits) {
        return (bits ^ bits >> 31) & 0xFFFF;
    }

    /**
     * {@link DynamicMap#code} by the table, as the vector kernels compute it.
     *
     * @param table {@link #SIGNED} or {@link #UNSIGNED}
     * @param x a value, not NaN
     * @return its code
     */
    static int code(int[] table, float x) {
        int bits = Float.floatToRawIntBits(x);
        int entry = table[bucket(bits)];
        return (entry >>> 16) + (lowBits(bits) > (entry & 0xFFFF) ? 1 : 0);
    }
}
