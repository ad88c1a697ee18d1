package org.adam4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.adam4j.reference.Fp16;
import org.junit.jupiter.api.Test;

/**
 * The float16 vector step ({@code VectorLowPrecisionAdam.fp16Nearest}) converts with the JDK's
 * {@link Float#float16ToFloat} and {@link Float#floatToFloat16}, which C2 vectorizes: they must be {@link Fp16}'s
 * conversions bit for bit, for every float16 pattern and every float that is not NaN (the step makes every NaN the
 * positive quiet NaN first, which the JDK narrows to {@link Fp16#NAN}).
 */
class Fp16JdkConversionsTest {
    @Test
    void theJdksConversionsAreFp16sForEveryValue() {
        for (int h = 0; h < 1 << 16; h++) {
            assertEquals(Float.floatToRawIntBits(Fp16.toFloat((short) h)),
                    Float.floatToRawIntBits(Float.float16ToFloat((short) h)), Integer.toHexString(h));
        }
        long checked = 0;
        for (long b = 0; b <= 0xFFFFFFFFL; b++) {
            float x = Float.intBitsToFloat((int) b);
            if (Float.isNaN(x)) {
                continue;
            }
            short want = Fp16.fromFloatNearestEven(x);
            short got = Float.floatToFloat16(x);
            if (want != got) {
                assertEquals(want, got, "float bits " + Long.toHexString(b));
            }
            checked++;
        }
        assertEquals((1L << 32) - 2 * ((1L << 23) - 1), checked, "every float but the NaNs");
        assertEquals(Fp16.NAN, Float.floatToFloat16(Float.NaN));
    }
}
