package org.adam4j.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class RelativeConfigTest {
    @Test
    void defaultsArePyTorchs() {
        assertEquals(new AdamaxConfig(2e-3, 0.9, 0.999, 1e-8, 0, false), AdamaxConfig.defaults());
        assertEquals(new NAdamConfig(2e-3, 0.9, 0.999, 1e-8, 0, 4e-3), NAdamConfig.defaults());
        assertEquals(new RAdamConfig(1e-3, 0.9, 0.999, 1e-8, 0), RAdamConfig.defaults());
        assertEquals(new RmspropConfig(1e-2, 0.99, 1e-8, 0, 0, false, false), RmspropConfig.defaults());
        assertEquals(new AdagradConfig(1e-2, 0, 0, 0, 1e-10, false), AdagradConfig.defaults());
        assertEquals(new SgdConfig(0.1, 0, 0, 0, false, false), SgdConfig.builder().lr(0.1).build());
    }

    @Test
    void badValuesAreRefusedWithPyTorchsMessages() {
        assertMessage("Invalid learning rate: -1.0", () -> AdamaxConfig.builder().lr(-1));
        assertMessage("Invalid epsilon value: -1.0", () -> NAdamConfig.builder().eps(-1));
        assertMessage("Invalid beta parameter at index 1: 1.0", () -> RAdamConfig.builder().betas(0.9, 1.0));
        assertMessage("Invalid momentum_decay value: -0.1", () -> NAdamConfig.builder().momentumDecay(-0.1));
        assertMessage("Invalid momentum value: -0.5", () -> SgdConfig.builder().momentum(-0.5));
        assertMessage("Invalid weight_decay value: NaN", () -> SgdConfig.builder().weightDecay(Double.NaN));
        assertMessage("Nesterov momentum requires a momentum and zero dampening",
                () -> SgdConfig.builder().lr(0.1).nesterov(true).build());
        assertMessage("Nesterov momentum requires a momentum and zero dampening",
                () -> new SgdConfig(0.1, 0.9, 0.1, 0, true, false));
        assertMessage("SGD needs a learning rate", () -> SgdConfig.builder().momentum(0.9).build());
        assertMessage("Invalid alpha value: -0.1", () -> RmspropConfig.builder().alpha(-0.1));
        assertMessage("Invalid lr_decay value: -1.0", () -> AdagradConfig.builder().lrDecay(-1));
        assertMessage("Invalid initial_accumulator_value value: -1.0",
                () -> AdagradConfig.builder().initialAccumulatorValue(-1));
        assertMessage("Invalid learning rate: Infinity", () -> new RAdamConfig(Double.POSITIVE_INFINITY, 0.9, 0.999,
                1e-8, 0));
        assertMessage("Invalid step: 0", () -> AdagradConfig.defaults().step(0));
        assertMessage("Invalid learning rate: -0.5", () -> RmspropConfig.defaults().step(1, -0.5));
    }

    @Test
    void stateNamesFollowTheOptions() {
        assertEquals(List.of("exp_avg", "exp_inf"), AdamaxConfig.defaults().stateNames());
        assertEquals(List.of(), SgdConfig.builder().lr(0.1).build().stateNames());
        assertEquals(List.of("momentum_buffer"), SgdConfig.builder().lr(0.1).momentum(0.9).build().stateNames());
        assertEquals(List.of("square_avg", "grad_avg", "momentum_buffer"),
                RmspropConfig.builder().centered(true).momentum(0.5).build().stateNames());
    }

    @Test
    void nadamCarriesMuProductFromStepToStep() {
        NAdamConfig c = NAdamConfig.builder().momentumDecay(0.1).build();
        NAdamStep s = c.first();
        double product = c.mu(1);
        assertEquals(product, s.muProduct);
        for (int t = 2; t <= 9; t++) {
            s = s.next();
            product *= c.mu(t);
            assertEquals(t, s.t);
            assertEquals(product, s.muProduct, 0.0);
            NAdamStep direct = c.step(t);
            assertEquals(direct.momentumCoef_F64, s.momentumCoef_F64, 0.0);
            assertEquals(direct.gradCoef_F64, s.gradCoef_F64, 0.0);
        }
        double mu = c.mu(9), muNext = c.mu(10);
        assertEquals(-c.lr() * (1 - mu) / (1 - product), s.gradCoef_F64, 0.0);
        assertEquals(-c.lr() * muNext / (1 - product * muNext), s.momentumCoef_F64, 0.0);
    }

    @Test
    void radamRectifiesOnlyPastTheThreshold() {
        RAdamConfig c = RAdamConfig.defaults();
        int firstRectified = 0;
        for (int t = 1; t <= 10; t++) {
            RAdamStep s = c.step(t);
            assertEquals(s.rhoT > 5.0, s.rectified);
            if (s.rectified && firstRectified == 0) {
                firstRectified = t;
            }
            if (!s.rectified) {
                double bc1 = 1 - Math.pow(0.9, t);
                assertEquals(-c.lr() / bc1, s.negStepSize_F64, 0.0);
            }
        }
        assertEquals(6, firstRectified, "with beta2 = 0.999 PyTorch rectifies from step 6");
    }

    @Test
    void sgdsFirstStepSetsTheBufferAndAdagradDecaysItsRate() {
        SgdConfig c = SgdConfig.builder().lr(0.1).momentum(0.9).dampening(0.3).build();
        assertTrue(c.step(1).first);
        assertFalse(c.step(2).first);
        assertEquals(0.7, c.step(2).oneMinusDampening_F64, 1e-15);
        AdagradConfig a = AdagradConfig.builder().lr(0.5).lrDecay(0.25).build();
        assertEquals(-0.5 / (1 + 3 * 0.25), a.step(4).negClr_F64, 0.0);
    }

    private static void assertMessage(String start, Executable e) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
        assertTrue(ex.getMessage().startsWith(start), ex.getMessage());
    }
}
