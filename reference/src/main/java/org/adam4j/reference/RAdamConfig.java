package org.adam4j.reference;

import java.util.List;

/**
 * {@code torch.optim.RAdam}: Adam whose adaptive term is switched on only once the variance of the adaptive learning
 * rate is tractable ({@code rho_t > 5}) and then scaled by the rectification term. Defaults lr 1e-3, betas
 * (0.9, 0.999), eps 1e-8, weight_decay 0, decoupled_weight_decay false, maximize false. PyTorch 1.13's arguments, and
 * two of later releases: {@code decoupled_weight_decay} (PyTorch 2.1: {@code p *= 1 - lr * weight_decay} before the
 * moments, instead of the coupled L2 {@code g += weight_decay * p}) and {@code maximize} (the gradient negated first).
 *
 * @param lr the learning rate (finite and >= 0)
 * @param beta1 the coefficient of the running average of the gradient (in [0, 1))
 * @param beta2 the coefficient of the running average of the squared gradient (in [0, 1))
 * @param eps the term added to the denominator for numerical stability (finite and >= 0)
 * @param weightDecay the weight decay coefficient (finite and >= 0)
 * @param decoupledWeightDecay PyTorch 2.1's {@code decoupled_weight_decay}: decay the parameter, not the gradient
 * @param maximize PyTorch's {@code maximize}: the gradient is negated first
 */
public record RAdamConfig(double lr, double beta1, double beta2, double eps, double weightDecay,
        boolean decoupledWeightDecay, boolean maximize) implements OptimizerConfig {
    /** PyTorch's threshold: the step is rectified when {@code rho_t > 5}, and plain momentum SGD otherwise. */
    public static final double RHO_THRESHOLD = 5.0;

    /** Validates every value, with PyTorch's messages. */
    public RAdamConfig {
        AdamLikeBuilder.validate(lr, beta1, beta2, eps, weightDecay);
    }

    /**
     * PyTorch 1.13's RAdam: coupled L2 weight decay, minimizing.
     *
     * @param lr the learning rate (finite and >= 0)
     * @param beta1 the coefficient of the running average of the gradient (in [0, 1))
     * @param beta2 the coefficient of the running average of the squared gradient (in [0, 1))
     * @param eps the term added to the denominator for numerical stability (finite and >= 0)
     * @param weightDecay the weight decay coefficient (finite and >= 0)
     */
    public RAdamConfig(double lr, double beta1, double beta2, double eps, double weightDecay) {
        this(lr, beta1, beta2, eps, weightDecay, false, false);
    }

    /** {@return PyTorch's defaults} */
    public static RAdamConfig defaults() {
        return builder().build();
    }

    /** {@return a builder starting from PyTorch's defaults} */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String algorithm() {
        return "radam";
    }

    /** {@code exp_avg} and {@code exp_avg_sq}, both starting at 0. */
    @Override
    public List<StateVariable> stateArrays() {
        return List.of(StateVariable.any("exp_avg", 0), StateVariable.nonNegative("exp_avg_sq", 0));
    }

    @Override
    public RAdamStep step(long t, double lr, double[] scalars) {
        return new RAdamStep(this, t, lr);
    }

    /**
     * {@code lr, betas, eps, weight_decay}, then {@code decoupled_weight_decay} and {@code maximize} only when true:
     * those two are newer than the state file's version 2 field list for RAdam, so a configuration without them keeps
     * being saved as version 2, byte for byte, and readable by an adam4j that predates them.
     */
    @Override
    public Hyperparameters hyperparameters() {
        Hyperparameters.Builder h = Hyperparameters.builder().number("lr", lr).pair("betas", beta1, beta2)
                .number("eps", eps).number("weight_decay", weightDecay);
        return AdamLikeBuilder.newerOptions(h, decoupledWeightDecay, maximize).build();
    }

    static RAdamConfig fromPyTorch(PyTorchArgs a) {
        a.requireOnlyKeys("radam", List.of("lr", "betas", "eps", "weight_decay", "decoupled_weight_decay",
                "maximize"));
        double[] b = a.pair("betas", 0.9, 0.999);
        return new RAdamConfig(a.number("lr", 1e-3), b[0], b[1], a.number("eps", 1e-8),
                a.number("weight_decay", 0.0), a.bool("decoupled_weight_decay", false), a.bool("maximize", false));
    }

    /**
     * {@return the per-step scalars for step {@code t} at this configuration's learning rate}
     *
     * @param t the step number, 1 for the first step
     */
    public RAdamStep step(long t) {
        return new RAdamStep(this, t, lr);
    }

    /**
     * {@return the per-step scalars for step {@code t} at a scheduled learning rate}
     *
     * @param t the step number, 1 for the first step
     * @param scheduledLr the learning rate of this step (from a schedule)
     */
    public RAdamStep step(long t, double scheduledLr) {
        return new RAdamStep(this, t, scheduledLr);
    }

    @Override
    public String toString() {
        return "RAdam(lr=" + lr + ", betas=(" + beta1 + ", " + beta2 + "), eps=" + eps + ", weight_decay="
                + weightDecay + ", decoupled_weight_decay=" + decoupledWeightDecay + ", maximize=" + maximize + ")";
    }

    /** Builder with PyTorch's defaults; every setter refuses a bad value at once. */
    public static final class Builder extends AdamLikeBuilder<Builder> {
        private boolean decoupledWeightDecay;

        private Builder() {
            super(1e-3);
        }

        /**
         * PyTorch's {@code decoupled_weight_decay} (2.1 on): {@code p *= 1 - lr * weight_decay} before the moments,
         * instead of the coupled L2 {@code g += weight_decay * p}.
         *
         * @param decoupledWeightDecay whether the decay is decoupled
         * @return this builder
         */
        public Builder decoupledWeightDecay(boolean decoupledWeightDecay) {
            this.decoupledWeightDecay = decoupledWeightDecay;
            return this;
        }


        /** {@return the configuration, validated} */
        public RAdamConfig build() {
            return new RAdamConfig(lr, beta1, beta2, eps, weightDecay, decoupledWeightDecay, maximize);
        }
    }
}
