package org.adam4j.reference;

import java.util.List;

/**
 * {@code torch.optim.RAdam} (PyTorch 1.13): Adam whose adaptive term is switched on only once the variance of the
 * adaptive learning rate is tractable ({@code rho_t > 5}) and then scaled by the rectification term. Defaults lr 1e-3,
 * betas (0.9, 0.999), eps 1e-8, weight_decay 0 (coupled L2). PyTorch 1.13 has no {@code maximize} for RAdam.
 *
 * @param lr the learning rate (finite and >= 0)
 * @param beta1 the coefficient of the running average of the gradient (in [0, 1))
 * @param beta2 the coefficient of the running average of the squared gradient (in [0, 1))
 * @param eps the term added to the denominator for numerical stability (finite and >= 0)
 * @param weightDecay the weight decay coefficient (finite and >= 0)
 */
public record RAdamConfig(double lr, double beta1, double beta2, double eps, double weightDecay)
        implements OptimizerConfig {
    /** PyTorch's threshold: the step is rectified when {@code rho_t > 5}, and plain momentum SGD otherwise. */
    public static final double RHO_THRESHOLD = 5.0;

    /** Validates every value, with PyTorch's messages. */
    public RAdamConfig {
        AdamLikeBuilder.validate(lr, beta1, beta2, eps, weightDecay);
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

    /** {@code lr, betas, eps, weight_decay}. */
    @Override
    public Hyperparameters hyperparameters() {
        return Hyperparameters.builder().number("lr", lr).pair("betas", beta1, beta2).number("eps", eps)
                .number("weight_decay", weightDecay).build();
    }

    static RAdamConfig fromPyTorch(PyTorchArgs a) {
        a.requireOnlyKeys("radam", List.of("lr", "betas", "eps", "weight_decay"));
        double[] b = a.pair("betas", 0.9, 0.999);
        return new RAdamConfig(a.number("lr", 1e-3), b[0], b[1], a.number("eps", 1e-8),
                a.number("weight_decay", 0.0));
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
                + weightDecay + ")";
    }

    /** Builder with PyTorch's defaults; every setter refuses a bad value at once. */
    public static final class Builder extends AdamLikeBuilder<Builder> {
        private Builder() {
            super(1e-3);
        }

        /** {@return the configuration, validated} */
        public RAdamConfig build() {
            return new RAdamConfig(lr, beta1, beta2, eps, weightDecay);
        }
    }
}
