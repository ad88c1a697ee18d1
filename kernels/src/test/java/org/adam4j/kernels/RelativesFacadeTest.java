package org.adam4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.adam4j.reference.AdagradConfig;
import org.adam4j.reference.AdagradReference_F32;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The relatives come from the same facade, by the same names, with or without the vector module. */
@Tag("facade")
class RelativesFacadeTest {
    @Test
    void relativesFollowTheAdamKernelsChoice() {
        boolean scalarOnly = Boolean.getBoolean("adam4j.expectScalarOnly");
        assertEquals(!scalarOnly, AdamKernels.vectorAvailable());
        assertEquals(AdamKernels.f32().name(), AdamKernels.relatives_F32().name());
        assertEquals(AdamKernels.f64().name(), AdamKernels.relatives_F64().name());
        assertEquals(AdamKernels.SCALAR, AdamKernels.relatives_F32("scalar").name());
        assertEquals(AdamKernels.all_F32().size(), AdamKernels.allRelatives_F32().size());
        assertEquals(AdamKernels.all_F64().size(), AdamKernels.allRelatives_F64().size());
        if (scalarOnly) {
            assertSame(AdamKernels.relatives_F32("scalar"), AdamKernels.relatives_F32());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> AdamKernels.relatives_F64("vector-256"));
            assertTrue(e.getMessage().contains("--add-modules jdk.incubator.vector"), e.getMessage());
        } else {
            for (int bits : AdamKernels.WIDTHS) {
                assertEquals("vector-" + bits, AdamKernels.relatives_F32("vector-" + bits).name());
                assertEquals(bits / 64, AdamKernels.relatives_F64("Vector-" + bits).lanes());
            }
            assertSame(AdamKernels.relatives_F32(), AdamKernels.relatives_F32("vector"));
        }
        assertThrows(IllegalArgumentException.class, () -> AdamKernels.relatives_F32("vector-96"));
    }

    @Test
    void theDefaultKernelComputesTheReferencesBits() {
        AdagradConfig c = AdagradConfig.builder().lrDecay(0.1).weightDecay(0.01).build();
        int n = 37;
        float[] p = new float[n], g = new float[n], sum = new float[n];
        for (int i = 0; i < n; i++) {
            p[i] = (float) Math.sin(i);
            g[i] = (float) Math.cos(3 * i);
        }
        float[] p2 = p.clone(), sum2 = sum.clone();
        for (int t = 1; t <= 3; t++) {
            AdamKernels.relatives_F32().adagrad(c.step(t), p, g, sum, 0, n);
            AdagradReference_F32.step(c.step(t), p2, g, sum2, 0, n);
        }
        assertTrue(java.util.Arrays.equals(p2, p) && java.util.Arrays.equals(sum2, sum));
        assertTrue(p[0] != 0f, "the step moved the parameters");
    }
}
