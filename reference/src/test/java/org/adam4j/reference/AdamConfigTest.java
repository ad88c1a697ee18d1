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

    private static void assertMessage(String start, org.junit.jupiter.api.function.Executable e) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
        assertTrue(ex.getMessage().startsWith(start), ex.getMessage());
    }
}
