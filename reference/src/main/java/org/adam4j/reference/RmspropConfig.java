package org.adam4j.reference;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code torch.optim.RMSprop} (PyTorch 1.13): alpha, eps, coupled weight decay, momentum, centered, maximize.
 * Defaults lr 1e-2, alpha 0.99, eps 1e-8, weight_decay 0, momentum 0, centered false. As in PyTorch, alpha is only
 * required to be {@code >= 0}, and the momentum buffer starts at zero.
 *
 * @param lr the learning rate (finite and >= 0)
 * @param alpha the smoothing constant of the squared-gradient average
 * @param eps the term added to the denominator for numerical stability (finite and >= 0)
 * @param weightDecay the weight decay coefficient (finite and >= 0)
 * @param momentum the momentum factor (0 for none)
 * @param centered whether to normalize by the variance of the gradient (keeps {@code grad_avg})
 * @param maximize whether to maximize the objective instead of minimizing it (step along the gradient)
 */
public record RmspropConfig(double lr, double alpha, double eps, double weightDecay, double momentum,
        boolean centered, boolean maximize) implements OptimizerConfig {
    /** Validates every value, with PyTorch's messages. */
    public RmspropConfig {
        Hyper.lr(lr);
        Hyper.nonNegative("epsilon value", eps);
        Hyper.nonNegative("momentum value", momentum);
        Hyper.nonNegative("weight_decay value", weightDecay);
        Hyper.nonNegative("alpha value", alpha);
    }

    /** {@return PyTorch's defaults} */
    public static RmspropConfig defaults() {
        return builder().build();
    }

    /** {@return a builder starting from PyTorch's defaults} */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String algorithm() {
        return "rmsprop";
    }

    /** {@code square_avg}, then {@code grad_avg} if centered, then {@code momentum_buffer} with momentum; all 0. */
    @Override
    public List<StateVariable> stateArrays() {
        List<StateVariable> names = new ArrayList<>(List.of(StateVariable.nonNegative("square_avg", 0)));
        if (centered) {
            names.add(StateVariable.any("grad_avg", 0));
        }
        if (momentum > 0.0) {
            names.add(StateVariable.any("momentum_buffer", 0));
        }
        return List.copyOf(names);
    }

    @Override
    public RmspropStep step(long t, double lr, double[] scalars) {
        return new RmspropStep(this, t, lr);
    }

    /** {@code lr, alpha, eps, weight_decay, momentum, centered, maximize}. */
    @Override
    public Hyperparameters hyperparameters() {
        return Hyperparameters.builder().number("lr", lr).number("alpha", alpha).number("eps", eps)
                .number("weight_decay", weightDecay).number("momentum", momentum).flag("centered", centered)
                .flag("maximize", maximize).build();
    }

    static RmspropConfig fromPyTorch(PyTorchArgs a) {
        a.requireOnlyKeys("rmsprop", List.of("lr", "alpha", "eps", "weight_decay", "momentum", "centered",
                "maximize"));
        return new RmspropConfig(a.number("lr", 1e-2), a.number("alpha", 0.99), a.number("eps", 1e-8),
                a.number("weight_decay", 0.0), a.number("momentum", 0.0), a.bool("centered", false),
                a.bool("maximize", false));
    }

    /**
     * {@return the per-step scalars for step {@code t} at this configuration's learning rate}
     *
     * @param t the step number, 1 for the first step
     */
    public RmspropStep step(long t) {
        return new RmspropStep(this, t, lr);
    }

    /**
     * {@return the per-step scalars for step {@code t} at a scheduled learning rate}
     *
     * @param t the step number, 1 for the first step
     * @param scheduledLr the learning rate of this step (from a schedule)
     */
    public RmspropStep step(long t, double scheduledLr) {
        return new RmspropStep(this, t, scheduledLr);
    }

    @Override
    public String toString() {
        return "RMSprop(lr=" + lr + ", alpha=" + alpha + ", eps=" + eps + ", weight_decay=" + weightDecay
                + ", momentum=" + momentum + ", centered=" + centered + ", maximize=" + maximize + ")";
    }

    /** Builder with PyTorch's defaults; every setter refuses a bad value at once. */
    public static final class Builder {
        private double lr = 1e-2, alpha = 0.99, eps = 1e-8, weightDecay, momentum;
        private boolean centered, maximize;

        private Builder() {
        }

        /**
         * Sets the learning rate.
         *
         * @param lr the learning rate (finite and >= 0)
         * @return this builder
         */
        public Builder lr(double lr) {
            this.lr = Hyper.lr(lr);
            return this;
        }

        /**
         * Sets the smoothing constant of the squared-gradient average.
         *
         * @param alpha the smoothing constant of the squared-gradient average
         * @return this builder
         */
        public Builder alpha(double alpha) {
            this.alpha = Hyper.nonNegative("alpha value", alpha);
            return this;
        }

        /**
         * Sets the term added to the denominator for numerical stability.
         *
         * @param eps the term added to the denominator for numerical stability (finite and >= 0)
         * @return this builder
         */
        public Builder eps(double eps) {
            this.eps = Hyper.nonNegative("epsilon value", eps);
            return this;
        }

        /**
         * Sets the weight decay coefficient (coupled L2: {@code g += weight_decay * p}).
         *
         * @param weightDecay the weight decay coefficient (finite and >= 0)
         * @return this builder
         */
        public Builder weightDecay(double weightDecay) {
            this.weightDecay = Hyper.nonNegative("weight_decay value", weightDecay);
            return this;
        }

        /**
         * Sets the momentum factor (0: no momentum buffer).
         *
         * @param momentum the momentum factor (0 for none)
         * @return this builder
         */
        public Builder momentum(double momentum) {
            this.momentum = Hyper.nonNegative("momentum value", momentum);
            return this;
        }

        /**
         * Sets whether to normalize by the estimated variance of the gradient.
         *
         * @param centered whether to normalize by the variance of the gradient (keeps {@code grad_avg})
         * @return this builder
         */
        public Builder centered(boolean centered) {
            this.centered = centered;
            return this;
        }

        /**
         * Sets whether to maximize the objective instead of minimizing it.
         *
         * @param maximize whether to maximize the objective instead of minimizing it (step along the gradient)
         * @return this builder
         */
        public Builder maximize(boolean maximize) {
            this.maximize = maximize;
            return this;
        }

        /** {@return the configuration, validated} */
        public RmspropConfig build() {
            return new RmspropConfig(lr, alpha, eps, weightDecay, momentum, centered, maximize);
        }
    }
}
