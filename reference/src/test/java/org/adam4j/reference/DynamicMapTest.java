package org.adam4j.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link DynamicMap}: the structure create_dynamic_map implies, published values, and the nearest-code search. */
class DynamicMapTest {
    @Test
    void structureOfBothMaps() {
        for (DynamicMap map : new DynamicMap[] {DynamicMap.SIGNED, DynamicMap.UNSIGNED}) {
            float[] v = map.values();
            assertEquals(256, v.length);
            for (int k = 0; k < 255; k++) {
                assertTrue(v[k] < v[k + 1], "strictly ascending at " + k);
            }
            assertEquals(1f, v[255]);
            assertEquals(0f, v[map.zeroCode()]);
        }
        assertEquals(127, DynamicMap.SIGNED.zeroCode());
        assertEquals(0, DynamicMap.UNSIGNED.zeroCode());
        // Largest mean of linspace(0.1, 1, 65) / (0.1, 1, 129): 1 - 0.9 / 128 and 1 - 0.9 / 256, to a float ulp.
        assertEquals(-0.99296875, DynamicMap.SIGNED.value(0), 1e-7);
        assertEquals(0.99296875, DynamicMap.SIGNED.value(254), 1e-7);
        assertEquals(0.996484375, DynamicMap.UNSIGNED.value(254), 1e-7);
        // Smallest magnitude: 1e-6 * (0.1 + 1) / 2, and 1e-6 * (0.1 + 0.55) / 2 for the unsigned map.
        assertEquals(5.5e-7, DynamicMap.SIGNED.value(128), 1e-13);
        assertEquals(3.25e-7, DynamicMap.UNSIGNED.value(1), 1e-13);
    }

    @Test
    void signedMapIsExactlySymmetricBelowOne() {
        for (int j = 1; j <= 127; j++) {
            assertEquals(-DynamicMap.SIGNED.value(127 + j), DynamicMap.SIGNED.value(127 - j), "j " + j);
        }
    }

    @Test
    void codesPerDecade() {
        int[] signedCounts = new int[7];
        int[] unsignedCounts = new int[7];
        for (int k = 0; k < 256; k++) {
            float s = Math.abs(DynamicMap.SIGNED.value(k));
            float u = DynamicMap.UNSIGNED.value(k);
            if (s != 0f && s != 1f && DynamicMap.SIGNED.value(k) > 0) {
                signedCounts[decade(s)]++;
            }
            if (u != 0f && u != 1f) {
                unsignedCounts[decade(u)]++;
            }
        }
        for (int i = 0; i < 7; i++) {
            assertEquals(1 << i, signedCounts[i], "signed decade " + i);
            assertEquals(2 << i, unsignedCounts[i], "unsigned decade " + i);
        }
    }

    /** Decade i holds 10^(i-6) * [0.1, 1): every code is strictly inside one. */
    private static int decade(float v) {
        for (int i = 0; i < 7; i++) {
            double lo = Math.pow(10, i - 7);
            double hi = Math.pow(10, i - 6);
            if (v > lo && v < hi) {
                return i;
            }
        }
        throw new AssertionError("no decade for " + v);
    }

    /**
     * Values printed from {@code create_dynamic_map(signed=True)} in a public MLX port of bitsandbytes' 8-bit codec
     * ({@code _BNB_DYNAMIC_LUT_VALUES}, "commit on main as of 2026-05"). Dyadic entries agree exactly; others differ by
     * up to two ulps (code 1: -0.9789063 there, -0.9789062 here): that table came from another PyTorch build, whose
     * {@code linspace} rounds some points differently; the map here is PyTorch 1.13's, bit for bit
     * ({@link #bothMapsAreTorchsBitForBit}).
     */
    @Test
    void publishedSignedValues() {
        assertEquals(-0.96484375f, DynamicMap.SIGNED.value(2));
        assertEquals(-0.89453125f, DynamicMap.SIGNED.value(7));
        assertEquals(-0.26171875f, DynamicMap.SIGNED.value(52));
        assertEquals(-0.05078125f, DynamicMap.SIGNED.value(81));
        assertEquals(0.12109375f, DynamicMap.SIGNED.value(192));
        double[][] withinUlp = {
            {0, -0.992968738079071}, {1, -0.9789062738418579}, {63, -0.10703125596046448},
            {64, -0.09859374910593033}, {95, -0.011406250298023224}, {96, -0.009718749672174454},
            {112, -0.0009437499684281647}, {126, -5.499999815583578e-07}, {127, 0.0}, {128, 5.499999815583578e-07},
            {193, 0.13515624403953552}, {254, 0.992968738079071}, {255, 1.0},
        };
        for (double[] e : withinUlp) {
            float want = (float) e[1];
            float got = DynamicMap.SIGNED.value((int) e[0]);
            assertTrue(Math.abs(got - want) <= 2 * Math.ulp(want), "code " + (int) e[0] + ": " + got + " vs " + want);
        }
    }

    @Test
    void codeIsTheNearestWithTiesToTheLowerCode() {
        for (DynamicMap map : new DynamicMap[] {DynamicMap.SIGNED, DynamicMap.UNSIGNED}) {
            for (int k = 0; k < 256; k++) {
                assertEquals(k, map.code(map.value(k)), "exact entry " + k);
            }
            for (int k = 0; k < 255; k++) {
                double mid = ((double) map.value(k) + map.value(k + 1)) / 2;
                float t = map.threshold(k);
                assertTrue(t <= mid && Math.nextUp(t) > mid, "threshold " + k);
                assertEquals(k + 1, map.code(Math.nextUp(t)), "above midpoint " + k);
                assertEquals(k, map.code(t), "at or below midpoint " + k);
                if (t == mid) {
                    assertEquals(k, map.code(t), "tie goes down at " + k);
                }
            }
            java.util.SplittableRandom r = new java.util.SplittableRandom(14);
            for (int n = 0; n < 20000; n++) {
                float x = map.signed() ? (float) (r.nextDouble(-1, 1)) : (float) r.nextDouble(0, 1);
                if (n % 2 == 0) {
                    x = (float) (x * Math.pow(10, -r.nextInt(8)));
                }
                int c = map.code(x);
                double best = Math.abs((double) x - map.value(c));
                for (int k = 0; k < 256; k++) {
                    double d = Math.abs((double) x - map.value(k));
                    assertTrue(d > best || (d == best && k >= c), x + " code " + c + " but " + k + " is nearer");
                }
            }
        }
        assertEquals(0, DynamicMap.UNSIGNED.code(-0.5f));
        assertEquals(0, DynamicMap.SIGNED.code(-1f));
        assertEquals(127, DynamicMap.SIGNED.code(-0f));
    }

    @Test
    void someMidpointsAreExactFloatsSoTiesOccur() {
        int ties = 0;
        for (int k = 0; k < 255; k++) {
            double mid = ((double) DynamicMap.SIGNED.value(k) + DynamicMap.SIGNED.value(k + 1)) / 2;
            if ((float) mid == mid) {
                ties++;
                assertEquals(k, DynamicMap.SIGNED.code((float) mid));
            }
        }
        assertTrue(ties > 0, "no exact-float midpoint to test the tie rule on");
    }

    /**
     * Both maps against PyTorch's own run of bitsandbytes' create_dynamic_map (tools/pytorch/record_dynamic_map.py,
     * PyTorch 1.13 on CPU, recorded into dynamic-maps-torch-1.13.txt): every entry, bit for bit.
     */
    @org.junit.jupiter.api.Test
    void bothMapsAreTorchsBitForBit() throws java.io.IOException {
        java.util.Map<String, int[]> recorded = new java.util.HashMap<>();
        try (var in = DynamicMapTest.class.getResourceAsStream("dynamic-maps-torch-1.13.txt")) {
            for (String line : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.trim().split(" ");
                int[] bits = new int[f.length - 1];
                for (int k = 0; k < bits.length; k++) {
                    bits[k] = Integer.parseUnsignedInt(f[k + 1], 16);
                }
                recorded.put(f[0], bits);
            }
        }
        for (var e : java.util.Map.of("signed", DynamicMap.SIGNED, "unsigned", DynamicMap.UNSIGNED).entrySet()) {
            int[] want = recorded.get(e.getKey());
            org.junit.jupiter.api.Assertions.assertEquals(DynamicMap.SIZE, want.length, e.getKey());
            java.util.List<String> differ = new java.util.ArrayList<>();
            for (int k = 0; k < want.length; k++) {
                float got = e.getValue().value(k);
                if (Float.floatToRawIntBits(got) != want[k]) {
                    differ.add(k + ": " + got + " vs torch " + Float.intBitsToFloat(want[k]));
                }
            }
            org.junit.jupiter.api.Assertions.assertEquals(java.util.List.of(), differ, e.getKey() + " map");
        }
    }
}
