package org.adam4j.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AdamConfigTest {
    @Test
    void defaultsArePyTorchs() {
        AdamConfig c = AdamConfig.defaults();
        assertEquals(1e-3, c.lr());
        assertEquals(0.9, c.beta1());
        assertEquals(0.999, c.beta2());
        assertEquals(1e-8, c.eps());
        assertEquals(0.0, c.weightDecay());
        assertEquals(WeightDecay.NONE, c.decay());
        assertTrue(c.biasCorrection());
    }

    @Test
    void badValuesAreRefusedWhenSetNamingTheValue() {
        assertMessage("Invalid learning rate: -1.0", () -> AdamConfig.builder().lr(-1));
        assertMessage("Invalid learning rate: NaN", () -> AdamConfig.builder().lr(Double.NaN));
        assertMessage("Invalid beta parameter at index 0: 1.0", () -> AdamConfig.builder().betas(1.0, 0.5));
        assertMessage("Invalid beta parameter at index 1: -0.1", () -> AdamConfig.builder().betas(0.5, -0.1));
        assertMessage("Invalid epsilon value: -1.0E-8", () -> AdamConfig.builder().eps(-1e-8));
        assertMessage("Invalid weight_decay value: -0.01", () -> AdamConfig.builder().decoupled(-0.01));
        assertMessage("Invalid max_lr: 0.0", () -> AdamConfig.builder().fullyDecoupled(0.1, 0.0));
        assertMessage("weight_decay 0.1 given with decay mode NONE",
                () -> AdamConfig.builder().weightDecay(0.1, WeightDecay.NONE));
    }

    @Test
    void stepsCountFromOneAndNeverWrap() {
        AdamConfig c = AdamConfig.defaults();
        assertMessage("Invalid step: 0", () -> c.step(0));
        assertMessage("Invalid step: -5", () -> c.step(-5));
        assertThrows(ArithmeticException.class, () -> OptimizerStep.next(Long.MAX_VALUE));
        assertEquals(2, OptimizerStep.next(1));
        assertMessage("Invalid learning rate: -0.5", () -> c.step(1, -0.5));
    }

    @Test
    void perStepScalarsFollowTheFormulas() {
        AdamConfig c = AdamConfig.builder().lr(0.01).betas(0.8, 0.9).eps(1e-6).build();
        AdamStep s = c.step(3);
        double bc1 = 1 - Math.pow(0.8, 3), bc2 = 1 - Math.pow(0.9, 3);
        assertEquals(-0.01 / bc1, s.negStepSize_F64);
        assertEquals(1 / Math.sqrt(bc2), s.denomScale_F64);
        assertEquals((float) (-0.01 / bc1), s.negStepSize_F32);

        AdamStep hat = c.toBuilder().epsilonHat(true).build().step(3);
        assertEquals(-0.01 * Math.sqrt(bc2) / bc1, hat.negStepSize_F64);
        assertEquals(1.0, hat.denomScale_F64);

        AdamStep raw = c.toBuilder().biasCorrection(false).build().step(3);
        assertEquals(-0.01, raw.negStepSize_F64);
        assertEquals(1.0, raw.denomScale_F64);

        AdamStep adamw = c.toBuilder().decoupled(0.1).build().step(3);
        assertTrue(adamw.decoupled && !adamw.l2);
        assertEquals(1 - 0.01 * 0.1, adamw.decayFactor_F64);

        AdamStep optimi = c.toBuilder().fullyDecoupled(0.1, 0.02).build().step(3, 0.005);
        assertEquals(1 - (0.005 / 0.02) * 0.1, optimi.decayFactor_F64);

        AdamStep l2 = c.toBuilder().l2(0.1).build().step(3);
        assertTrue(l2.l2 && !l2.decoupled);
        assertEquals(0.1, l2.weightDecay_F64);
        assertEquals(1.0, l2.decayFactor_F64);
    }

    /**
     * The epsilon-hat twin LAZY lazy rows step with: every public scalar equal to those of the same configuration
     * with epsilonHat set, at the same step and lr; the step itself when the forms coincide; made once per step.
     */
    @Test
    void epsilonHatFormIsTheSameStepWithEpsilonHatSet() throws IllegalAccessException {
        AdamConfig plain = AdamConfig.builder().lr(0.01).betas(0.8, 0.9).eps(1e-6).build();
        java.util.List<AdamConfig> configs = java.util.List.of(plain, AdamConfig.defaults(),
                plain.toBuilder().decoupled(0.1).amsgrad(true).maximize(true).build(),
                plain.toBuilder().fullyDecoupled(0.1, 0.02).build(), plain.toBuilder().l2(0.1).build(),
                plain.toBuilder().epsilonHat(true).build(), plain.toBuilder().biasCorrection(false).build());
        int compared = 0;
        for (AdamConfig c : configs) {
            AdamConfig hat = c.toBuilder().epsilonHat(true).build();
            for (long t : new long[] {1, 2, 7, 1000, 1L << 40}) {
                for (double lr : new double[] {c.lr(), 3e-4}) {
                    AdamStep s = c.step(t, lr);
                    AdamStep twin = s.epsilonHatForm();
                    AdamStep expected = hat.step(t, lr);
                    for (java.lang.reflect.Field f : AdamStep.class.getFields()) {
                        if (!java.lang.reflect.Modifier.isStatic(f.getModifiers())) {
                            assertEquals(f.get(expected), f.get(twin), c + " t " + t + " lr " + lr + ": "
                                    + f.getName());
                            compared++;
                        }
                    }
                    assertTrue(twin == s.epsilonHatForm() && twin.epsilonHatForm() == twin, "made once");
                    assertEquals(c.epsilonHat() || !c.biasCorrection(), twin == s, c + ": the step itself");
                }
            }
        }
        assertTrue(compared > 1000, "fields compared: " + compared);
        AdamStep first = AdamConfig.defaults().step(1);
        assertEquals(-1e-3 * Math.sqrt(1 - 0.999) / (1 - 0.9), first.epsilonHatForm().negStepSize_F64);
        assertTrue(first.negStepSize_F64 != first.epsilonHatForm().negStepSize_F64, "the forms differ");
    }

    private static void assertMessage(String start, org.junit.jupiter.api.function.Executable e) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
        assertTrue(ex.getMessage().startsWith(start), ex.getMessage());
    }
}
