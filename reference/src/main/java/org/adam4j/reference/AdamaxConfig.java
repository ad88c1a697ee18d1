package org.adam4j.reference;

import java.util.List;

/**
 * {@code torch.optim.Adamax} (PyTorch 1.13): the infinity-norm variant of Adam from the paper's section 7.1, with
 * PyTorch's {@code u = max(beta2 * u, |g| + eps)}. Defaults lr 2e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 0
 * (coupled L2), maximize false. Validated on construction.
 */
public record AdamaxConfig(double lr, double beta1, double beta2, double eps, double weightDecay, boolean maximize)
        implements OptimizerConfig {
    public AdamaxConfig {
        AdamLikeBuilder.validate(lr, beta1, beta2, eps, weightDecay);
    }

    public static AdamaxConfig defaults() {
        return builder().build();
    }

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

    /** The per-step scalars for step {@code t} (1 for the first step) at this configuration's learning rate. */
    public AdamaxStep step(long t) {
        return new AdamaxStep(this, t, lr);
    }

    /** The per-step scalars for step {@code t} at a scheduled learning rate. */
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
        private boolean maximize;

        private Builder() {
            super(2e-3);
        }

        public Builder maximize(boolean maximize) {
            this.maximize = maximize;
            return this;
        }

        public AdamaxConfig build() {
            return new AdamaxConfig(lr, beta1, beta2, eps, weightDecay, maximize);
        }
    }
}
