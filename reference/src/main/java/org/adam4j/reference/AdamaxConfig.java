package org.adam4j.reference;

import java.util.List;

/**
 * {@code torch.optim.Adamax} (PyTorch 1.13): the infinity-norm variant of Adam from the paper's section 7.1, with
 * PyTorch's {@code u = max(beta2 * u, |g| + eps)}. Defaults lr 2e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 0
 * (coupled L2), maximize false. Validated on construction.
 *
 * @param lr the learning rate (finite and >= 0)
 * @param beta1 the coefficient of the running average of the gradient (in [0, 1))
 * @param beta2 the coefficient of the running average of the squared gradient (in [0, 1))
 * @param eps the term added to the denominator for numerical stability (finite and >= 0)
 * @param weightDecay the weight decay coefficient (finite and >= 0)
 * @param maximize whether to maximize the objective instead of minimizing it (step along the gradient)
 */
public record AdamaxConfig(double lr, double beta1, double beta2, double eps, double weightDecay, boolean maximize)
        implements OptimizerConfig {
    /** Validates every value, with PyTorch's messages. */
    public AdamaxConfig {
        AdamLikeBuilder.validate(lr, beta1, beta2, eps, weightDecay);
    }

    /** {@return PyTorch's defaults} */
    public static AdamaxConfig defaults() {
        return builder().build();
    }

    /** {@return a builder starting from PyTorch's defaults} */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String algorithm() {
        return "adamax";
    }

    /** {@code exp_avg} and {@code exp_inf}, both starting at 0. */
    @Override
    public List<StateVariable> stateArrays() {
        return List.of(StateVariable.any("exp_avg", 0), StateVariable.nonNegative("exp_inf", 0));
    }

    @Override
    public AdamaxStep step(long t, double lr, double[] scalars) {
        return new AdamaxStep(this, t, lr);
    }

    /** {@code lr, betas, eps, weight_decay, maximize}. */
    @Override
    public Hyperparameters hyperparameters() {
        return Hyperparameters.builder().number("lr", lr).pair("betas", beta1, beta2).number("eps", eps)
                .number("weight_decay", weightDecay).flag("maximize", maximize).build();
    }

    static AdamaxConfig fromPyTorch(PyTorchArgs a) {
        a.requireOnlyKeys("adamax", List.of("lr", "betas", "eps", "weight_decay", "maximize"));
        double[] b = a.pair("betas", 0.9, 0.999);
        return new AdamaxConfig(a.number("lr", 2e-3), b[0], b[1], a.number("eps", 1e-8),
                a.number("weight_decay", 0.0), a.bool("maximize", false));
    }

    /**
     * {@return the per-step scalars for step {@code t} (1 for the first step) at this configuration's learning rate}
     *
     * @param t the step number, 1 for the first step
     */
    public AdamaxStep step(long t) {
        return new AdamaxStep(this, t, lr);
    }

    /**
     * {@return the per-step scalars for step {@code t} at a scheduled learning rate}
     *
     * @param t the step number, 1 for the first step
     * @param scheduledLr the learning rate of this step (from a schedule)
     */
    public AdamaxStep step(long t, double scheduledLr) {
        return new AdamaxStep(this, t, scheduledLr);
    }

    @Override
    public String toString() {
        return "Adamax(lr=" + lr + ", betas=(" + beta1 + ", " + beta2 + "), eps=" + eps + ", weight_decay="
                + weightDecay + ", maximize=" + maximize + ")";
    }

    /** Builder with PyTorch's defaults; every setter refuses a bad value at once. */
    public static final class Builder extends AdamLikeBuilder<Builder> {

        private Builder() {
            super(2e-3);
        }


        /** {@return the configuration, validated} */
        public AdamaxConfig build() {
            return new AdamaxConfig(lr, beta1, beta2, eps, weightDecay, maximize);
        }
    }
}
