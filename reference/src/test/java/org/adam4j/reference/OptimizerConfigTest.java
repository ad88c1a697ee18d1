package org.adam4j.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class OptimizerConfigTest {
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

    /** One configuration per algorithm and form, every option away from its default. */
    static List<OptimizerConfig> everyForm() {
        return List.of(
                AdamConfig.defaults(),
                AdamConfig.builder().lr(3e-4).betas(0.8, 0.99).eps(1e-6).l2(0.1).amsgrad(true).maximize(true).build(),
                AdamConfig.builder().decoupled(0.02).epsilonHat(true).build(),
                AdamConfig.builder().lr(0.01).fullyDecoupled(0.1, 0.05).biasCorrection(false).build(),
                AdamaxConfig.builder().lr(0.004).betas(0.8, 0.9).eps(1e-6).weightDecay(0.1).maximize(true).build(),
                NAdamConfig.builder().lr(0.004).betas(0.8, 0.9).eps(1e-6).weightDecay(0.1).momentumDecay(0.01).build(),
                NAdamConfig.builder().weightDecay(0.1).decoupledWeightDecay(true).maximize(true).build(),
                NAdamConfig.builder().maximize(true).build(),
                RAdamConfig.builder().lr(0.004).betas(0.8, 0.9).eps(1e-6).weightDecay(0.1).build(),
                RAdamConfig.builder().weightDecay(0.1).decoupledWeightDecay(true).maximize(true).build(),
                RAdamConfig.builder().weightDecay(0.1).decoupledWeightDecay(true).build(),
                SgdConfig.builder().lr(0.1).momentum(0.9).dampening(0.1).weightDecay(0.01).maximize(true).build(),
                SgdConfig.builder().lr(0.1).momentum(0.9).nesterov(true).build(),
                RmspropConfig.builder().lr(0.02).alpha(0.9).eps(1e-6).weightDecay(0.1).momentum(0.5).centered(true)
                        .maximize(true).build(),
                AdagradConfig.builder().lr(0.2).lrDecay(0.01).weightDecay(0.1).initialAccumulatorValue(0.3).eps(1e-6)
                        .maximize(true).build());
    }

    @Test
    void hyperparametersBuildTheSameConfigurationBack() {
        for (OptimizerConfig c : everyForm()) {
            OptimizerConfig back = OptimizerConfig.fromPyTorch(c.algorithm(), c.hyperparameters());
            assertEquals(c, back, c.algorithm());
            assertEquals(c.hyperparameters(), back.hyperparameters());
            assertEquals(c.hyperparameters().toString(), back.hyperparameters().toString());
        }
    }

    @Test
    void algorithmNamesTheConfiguredForm() {
        assertEquals("adam", AdamConfig.defaults().algorithm());
        assertEquals("adam", AdamConfig.builder().l2(0.1).build().algorithm());
        assertEquals("adamw", AdamConfig.builder().decoupled(0.01).build().algorithm());
        assertEquals("adamw", AdamConfig.builder().fullyDecoupled(0.01, 1e-3).build().algorithm());
        assertEquals(List.of("adam", "adam", "adamw", "adamw", "adamax", "nadam", "nadam", "nadam", "radam", "radam",
                "radam", "sgd", "sgd", "rmsprop", "adagrad"), everyForm().stream().map(OptimizerConfig::algorithm).toList());
        assertEquals(OptimizerConfig.ALGORITHMS.size(),
                everyForm().stream().map(OptimizerConfig::algorithm).distinct().count());
    }

    @Test
    void fromPyTorchHasPyTorchsDefaultsAndRefusesWhatItDoesNotKnow() {
        Hyperparameters none = Hyperparameters.builder().build();
        assertEquals(AdamConfig.builder().l2(0).build(), OptimizerConfig.fromPyTorch("adam", none));
        assertEquals(AdamConfig.builder().decoupled(0.01).build(), OptimizerConfig.fromPyTorch("adamw", none));
        assertEquals(NAdamConfig.defaults(), OptimizerConfig.fromPyTorch("nadam", none));
        assertEquals(AdagradConfig.defaults(), OptimizerConfig.fromPyTorch("adagrad", none));
        assertMessage("sgd needs 'lr'", () -> OptimizerConfig.fromPyTorch("sgd", none));
        assertMessage("optimizer 'lamb' is not implemented by adam4j yet",
                () -> OptimizerConfig.fromPyTorch("lamb", none));
        assertMessage("option 'amsgrad' of nadam is not implemented by adam4j (it knows lr, betas, eps, weight_decay, "
                + "momentum_decay, decoupled_weight_decay, maximize)", () -> OptimizerConfig.fromPyTorch("nadam",
                        Hyperparameters.builder().flag("amsgrad", true).build()));
        assertMessage("option 'momentum_decay' of radam is not implemented by adam4j (it knows lr, betas, eps, "
                + "weight_decay, decoupled_weight_decay, maximize)", () -> OptimizerConfig.fromPyTorch("radam",
                        Hyperparameters.builder().number("momentum_decay", 0.1).build()));
        assertMessage("'decoupled_weight_decay' is not true or false: 1.0", () -> OptimizerConfig.fromPyTorch("nadam",
                Hyperparameters.builder().number("decoupled_weight_decay", 1).build()));
        assertEquals(NAdamConfig.builder().weightDecay(0.1).decoupledWeightDecay(true).maximize(true).build(),
                OptimizerConfig.fromPyTorch("nadam", Hyperparameters.builder().number("weight_decay", 0.1)
                        .flag("decoupled_weight_decay", true).flag("maximize", true).build()));
        assertEquals(RAdamConfig.builder().maximize(true).build(), OptimizerConfig.fromPyTorch("radam",
                Hyperparameters.builder().flag("maximize", true).flag("decoupled_weight_decay", false).build()));
        assertMessage("'lr' is not a number: true",
                () -> OptimizerConfig.fromPyTorch("radam", Hyperparameters.builder().flag("lr", true).build()));
        assertMessage("weight_decay_mode 'decoupled' is adamw's, not adam's", () -> OptimizerConfig.fromPyTorch(
                "adam", Hyperparameters.builder().string("weight_decay_mode", "decoupled").build()));
        assertMessage("Invalid learning rate: -1.0",
                () -> OptimizerConfig.fromPyTorch("adamax", Hyperparameters.builder().number("lr", -1).build()));
    }

    @Test
    void stateDeclarationsNameTheStateAndItsStart() {
        AdagradConfig a = AdagradConfig.builder().initialAccumulatorValue(0.25).build();
        assertEquals(List.of(StateVariable.nonNegative("sum", 0.25)), a.stateArrays());
        assertEquals(List.of("exp_avg", "exp_avg_sq", "max_exp_avg_sq"),
                AdamConfig.builder().amsgrad(true).build().stateNames());
        assertEquals(List.of(new StateVariable("mu_product", 1.0, 0.0, 1.0)), NAdamConfig.defaults().scalarStates());
        for (OptimizerConfig c : everyForm()) {
            if (!c.algorithm().equals("nadam")) {
                assertEquals(List.of(), c.scalarStates(), c.algorithm());
            }
        }
        assertFalse(StateVariable.nonNegative("exp_avg_sq", 0).admits(-1e-30));
        assertTrue(StateVariable.nonNegative("exp_avg_sq", 0).admits(-0.0));
        assertTrue(StateVariable.nonNegative("exp_avg_sq", 0).admits(Double.NaN));
    }

    @Test
    void theGenericStepIsTheAlgorithmsOwn() {
        NAdamConfig n = NAdamConfig.defaults();
        double[] scalars = {1.0};
        for (int t = 1; t <= 5; t++) {
            OptimizerStep s = n.step(t, n.lr(), scalars);
            assertEquals(t, s.stepNumber());
            assertEquals(n.lr(), s.learningRate());
            NAdamStep direct = n.step(t);
            assertEquals(direct.gradCoef_F64, ((NAdamStep) s).gradCoef_F64, 0.0);
            s.scalarsAfter(scalars);
            assertEquals(direct.muProduct, scalars[0], 0.0);
        }
        assertMessage("NAdam's scalar state is mu_product alone", () -> n.step(1, 1e-3, new double[0]));
        AdamStep a = AdamConfig.defaults().step(3, 0.5, new double[0]);
        assertEquals(3, a.stepNumber());
        assertEquals(0.5, a.learningRate());
        double[] untouched = {42.0};
        SgdConfig.builder().lr(0.1).build().step(1, 0.1, new double[0]).scalarsAfter(untouched);
        assertArrayEquals(new double[] {42.0}, untouched);
    }

    /**
     * NAdam's and RAdam's newer options are listed only when true, so that a configuration without them has exactly
     * its state file version 2 fields.
     */
    @Test
    void nadamAndRadamListTheirNewerOptionsOnlyWhenSet() {
        assertEquals(List.of("lr", "betas", "eps", "weight_decay", "momentum_decay"),
                NAdamConfig.builder().weightDecay(0.1).build().hyperparameters().names());
        assertEquals(List.of("lr", "betas", "eps", "weight_decay"), RAdamConfig.defaults().hyperparameters().names());
        assertEquals(List.of("lr", "betas", "eps", "weight_decay", "momentum_decay", "decoupled_weight_decay",
                "maximize"), NAdamConfig.builder().decoupledWeightDecay(true).maximize(true).build().hyperparameters()
                .names());
        assertEquals(List.of("lr", "betas", "eps", "weight_decay", "maximize"),
                RAdamConfig.builder().maximize(true).build().hyperparameters().names());
        assertEquals(Boolean.TRUE, RAdamConfig.builder().decoupledWeightDecay(true).build().hyperparameters()
                .get("decoupled_weight_decay"));
        assertEquals(new NAdamConfig(2e-3, 0.9, 0.999, 1e-8, 0.1, 4e-3, false, false),
                new NAdamConfig(2e-3, 0.9, 0.999, 1e-8, 0.1, 4e-3));
        assertEquals(new RAdamConfig(1e-3, 0.9, 0.999, 1e-8, 0.1, false, false),
                new RAdamConfig(1e-3, 0.9, 0.999, 1e-8, 0.1));
    }

    /** The scalars of the options: decoupled decay replaces L2, and only with a nonzero weight decay. */
    @Test
    void decoupledDecayReplacesL2InTheStepScalars() {
        NAdamStep l2 = NAdamConfig.builder().lr(2e-3).weightDecay(0.1).build().first();
        assertTrue(l2.l2);
        assertFalse(l2.decoupled);
        assertEquals(1.0, l2.decayFactor_F64);
        NAdamStep decoupled = NAdamConfig.builder().lr(2e-3).weightDecay(0.1).decoupledWeightDecay(true).build()
                .step(1, 4e-3, 1.0);
        assertFalse(decoupled.l2);
        assertTrue(decoupled.decoupled);
        assertEquals(1.0 - 4e-3 * 0.1, decoupled.decayFactor_F64, 0.0);
        assertEquals((float) (1.0 - 4e-3 * 0.1), decoupled.decayFactor_F32, 0.0f);
        RAdamStep none = RAdamConfig.builder().decoupledWeightDecay(true).maximize(true).build().step(3);
        assertFalse(none.l2 || none.decoupled, "no weight decay, no decay of either form");
        assertTrue(none.maximize);
        assertEquals(1.0f, none.decayFactor_F32);
        assertFalse(AdamaxConfig.builder().weightDecay(0.1).build().step(1).decoupled);
    }

    @Test
    void hyperparametersAreImmutableAndCompareByValue() {
        Hyperparameters h = AdamConfig.defaults().hyperparameters();
        double[] betas = (double[]) h.get("betas");
        betas[0] = 0.5;
        assertArrayEquals(new double[] {0.9, 0.999}, (double[]) h.get("betas"));
        assertEquals(AdamConfig.defaults().hyperparameters(), h);
        assertNotEquals(AdamConfig.builder().lr(0.1).build().hyperparameters(), h);
        assertEquals(List.of("lr", "betas", "eps", "weight_decay", "amsgrad", "maximize", "weight_decay_mode",
                "max_lr", "epsilon_hat", "bias_correction"), h.names());
        assertMessage("hyperparameter 'lr' given twice",
                () -> Hyperparameters.builder().number("lr", 1).number("lr", 2));
    }
}
