package org.adam4j.kernels.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.adam4j.reference.DynamicMap;
import org.junit.jupiter.api.Test;

/**
 * {@link CodeBuckets#code} is {@link DynamicMap#code} for both maps: at every threshold and the four floats on each
 * side of it, at both ends of every bucket and one ulp outside them, at the clamped ends (zeros, the smallest
 * subnormals, values just above 1 as a reciprocal multiplication can make them), and at two million random values
 * spread over every exponent the maps use.
 */
class CodeBucketsTest {
    private static void check(DynamicMap map, int[] table, float x) {
        assertEquals(map.code(x), CodeBuckets.code(table, x), () -> "code of " + x + " (" + Float.toHexString(x) + ")");
    }

    private static void checkAround(DynamicMap map, int[] table, float x) {
        float y = x;
        for (int k = 0; k < 4; k++) {
            y = Math.nextDown(y);
        }
        for (int k = 0; k < 9; k++, y = Math.nextUp(y)) {
            check(map, table, y);
        }
    }

    @Test
    void everyThresholdAndItsNeighbours() {
        for (DynamicMap map : new DynamicMap[] {DynamicMap.SIGNED, DynamicMap.UNSIGNED}) {
            int[] table = map == DynamicMap.SIGNED ? CodeBuckets.SIGNED : CodeBuckets.UNSIGNED;
            for (int k = 0; k < DynamicMap.SIZE - 1; k++) {
                checkAround(map, table, map.threshold(k));
            }
            for (int k = 0; k < DynamicMap.SIZE; k++) {
                checkAround(map, table, map.value(k));
            }
        }
    }

    @Test
    void bucketEdgesAndClampedEnds() {
        for (DynamicMap map : new DynamicMap[] {DynamicMap.SIGNED, DynamicMap.UNSIGNED}) {
            int[] table = map == DynamicMap.SIGNED ? CodeBuckets.SIGNED : CodeBuckets.UNSIGNED;
            for (int key = CodeBuckets.LO - 2; key <= CodeBuckets.HI + 2; key++) {
                for (int sign : new int[] {0, 0x80000000}) {
                    checkAround(map, table, Float.intBitsToFloat(sign | key << 16));
                    checkAround(map, table, Float.intBitsToFloat(sign | key << 16 | 0xFFFF));
                }
            }
            for (float x : new float[] {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, 0x1p-126f, 1f, -1f,
                Math.nextUp(1f), Math.nextDown(-1f), 1.0001f, -1.0001f}) {
                check(map, table, x);
            }
        }
    }

    @Test
    void randomValuesOverEveryExponent() {
        SplittableRandom rnd = new SplittableRandom(20261206L);
        for (int k = 0; k < 2_000_000; k++) {
            float x = (float) Math.scalb(rnd.nextDouble(), -rnd.nextInt(26));
            check(DynamicMap.UNSIGNED, CodeBuckets.UNSIGNED, x);
            check(DynamicMap.SIGNED, CodeBuckets.SIGNED, rnd.nextBoolean() ? x : -x);
        }
    }
}
