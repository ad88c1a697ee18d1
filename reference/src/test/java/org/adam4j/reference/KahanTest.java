package org.adam4j.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Kahan-compensated storage ({@link Bf16#kahanAdd}, {@link Fp16#kahanAdd}). */
class KahanTest {
    @Test
    void packingKeepsBothHalvesWhateverTheirSigns() {
        for (short p : new short[] {0, 1, -1, (short) 0x8000, 0x7FFF, (short) 0xBF80}) {
            for (short c : new short[] {0, 1, -1, (short) 0x8000, 0x7FFF, (short) 0xBF80}) {
                int packed = LowPrecision.kahanPack(p, c);
                assertEquals(p, LowPrecision.kahanParam(packed));
                assertEquals(c, LowPrecision.kahanComp(packed));
            }
        }
    }

    /** optimi's four operations, written out for one step of bfloat16 near 1 (all values exact in bfloat16). */
    @Test
    void oneStepIsOptimisFourRoundedOperations() {
        short one = Bf16.fromFloatNearestEven(1.0f);
        // c = R(0 + 0.005) = 0x3BA4 (0.0050048828125); p' = R(1.0050048828125) = 1.0078125 (0x3F81);
        // d = 1 - 1.0078125 = -0.0078125 exactly; c' = R(0.0050048828125 - 0.0078125) = R(-0.0028076171875)
        int packed = Bf16.kahanAdd(one, (short) 0, 0.005f);
        assertEquals((short) 0x3F81, LowPrecision.kahanParam(packed));
        assertEquals(Bf16.fromFloatNearestEven(-0.0028076171875f), LowPrecision.kahanComp(packed));
        assertEquals(-0.0028076171875f, Bf16.toFloat(LowPrecision.kahanComp(packed)));
        // the compensation's value then feeds the next step: an update of +0.0028076171875 brings it to zero
        int next = Bf16.kahanAdd(LowPrecision.kahanParam(packed), LowPrecision.kahanComp(packed), 0.0028076171875f);
        assertEquals((short) 0x3F81, LowPrecision.kahanParam(next));
        assertEquals((short) 0, LowPrecision.kahanComp(next));
    }

    @ParameterizedTest
    @EnumSource(LowPrecision.class)
    void theEnumIsTheFormatsOwnStep(LowPrecision format) {
        for (float update : new float[] {1e-4f, -3e-3f, 0.7f, Float.NaN, 1e30f}) {
            short p = format.fromFloatNearestEven(1.25f);
            short c = format.fromFloatNearestEven(1e-4f);
            int expected = format == LowPrecision.BF16 ? Bf16.kahanAdd(p, c, update) : Fp16.kahanAdd(p, c, update);
            assertEquals(expected, format.kahanAdd(p, c, update));
        }
    }

    /**
     * 1000 updates of {@code u = +-1e-4} (the size of an Adam step at lr 1e-4) to a parameter at 1.0: each is below
     * half the parameter's spacing (bfloat16 {@code 2^-8}, binary16 {@code 2^-11}), so round-to-nearest loses every one
     * and the parameter never moves. With Kahan compensation the parameter ends within one spacing of the exact sum,
     * and parameter plus compensation within the compensation's rounding errors: at most half its spacing per step,
     * the compensation staying below the parameter's spacing ({@code 2^-7}, {@code 2^-10}), so at most
     * {@code 1000 * 2^-16} for bfloat16 and {@code 1000 * 2^-19} for binary16.
     */
    @ParameterizedTest
    @EnumSource(LowPrecision.class)
    void tinyUpdatesThatRoundingToNearestLosesAreRecovered(LowPrecision format) {
        int steps = 1000;
        double spacing = format == LowPrecision.BF16 ? 0x1p-7 : 0x1p-10;
        double compBound = steps * spacing / 2 * 0x1p-8 * (format == LowPrecision.BF16 ? 1 : 0x1p-2);
        for (float u : new float[] {1e-4f, -1e-4f, 3e-5f * (format == LowPrecision.BF16 ? 10 : 1)}) {
            assertTrue(Math.abs(u) < spacing / 4, "the update must be lost by rounding to nearest");
            short nearest = format.fromFloatNearestEven(1.0f);
            short param = nearest;
            short comp = 0;
            double exact = 1.0;
            for (int i = 0; i < steps; i++) {
                nearest = format.fromFloatNearestEven(format.toFloat(nearest) + u);
                int packed = format.kahanAdd(param, comp, u);
                param = LowPrecision.kahanParam(packed);
                comp = LowPrecision.kahanComp(packed);
                exact += u;
            }
            assertEquals(1.0f, format.toFloat(nearest), "round-to-nearest never moves");
            float p = format.toFloat(param);
            float c = format.toFloat(comp);
            assertTrue(Math.abs(p - exact) <= spacing, format + " u=" + u + ": parameter " + p + " vs " + exact);
            assertTrue(Math.abs(p + (double) c - exact) <= compBound,
                    format + " u=" + u + ": parameter + compensation " + (p + (double) c) + " vs " + exact);
        }
    }

    /**
     * The method's limit, as optimi has it: the compensation is itself stored in bfloat16, so an update below half
     * of the compensation's own spacing is lost there too. At 1.0 the compensation climbs to {@code 2^-8} (where its
     * spacing is {@code 2^-15}), the parameter plus {@code 2^-8} ties back to 1.0, and updates of 1e-5 stop counting.
     */
    @Test
    void bf16CompensationStallsOnUpdatesBelowHalfItsOwnSpacing() {
        short param = Bf16.fromFloatNearestEven(1.0f);
        short comp = 0;
        for (int i = 0; i < 2000; i++) {
            int packed = Bf16.kahanAdd(param, comp, 1e-5f);
            param = LowPrecision.kahanParam(packed);
            comp = LowPrecision.kahanComp(packed);
        }
        assertEquals(1.0f, Bf16.toFloat(param));
        assertEquals(0x1p-8f, Bf16.toFloat(comp));
    }
}
