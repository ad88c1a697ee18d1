package org.adam4j.reference;

import java.util.List;

/**
 * {@code torch.optim.Adagrad} (PyTorch 1.13, dense gradients): lr_decay, coupled weight decay,
 * initial_accumulator_value, eps, maximize. Defaults lr 1e-2, lr_decay 0, weight_decay 0, initial_accumulator_value 0,
 * eps 1e-10. The caller fills the {@code sum} state with {@link #initialAccumulatorValue()} before the first step.
 *
 * @param lr the learning rate (finite and >= 0)
 * @param lrDecay the learning rate decay: step {@code t} uses {@code lr / (1 + (t - 1) * lr_decay)}
 * @param weightDecay the weight decay coefficient (finite and >= 0)
 * @param initialAccumulatorValue the value the {@code sum} state starts at
 * @param eps the term added to the denominator for numerical stability (finite and >= 0)
 * @param maximize whether to maximize the objective instead of minimizing it (step along the gradient)
 */
public record AdagradConfig(double lr, double lrDecay, double weightDecay, double initialAccumulatorValue, double eps,
        boolean maximize) implements OptimizerConfig {
    /** Validates every value, with PyTorch's messages. */
    public AdagradConfig {
        Hyper.lr(lr);
        Hyper.nonNegative("lr_decay value", lrDecay);
        Hyper.nonNegative("weight_decay value", weightDecay);
        Hyper.nonNegative("initial_accumulator_value value", initialAccumulatorValue);
        Hyper.nonNegative("epsilon value", eps);
    }

    /** {@return PyTorch's defaults} */
    public static AdagradConfig defaults() {
        return builder().build();
    }

    /** {@return a builder starting from PyTorch's defaults} */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String algorithm() {
        return "adagrad";
    }

    /** {@code sum}, which starts at {@link #initialAccumulatorValue()}. */
    @Override
    public List<StateVariable> stateArrays() {
        return List.of(StateVariable.nonNegative("sum", initialAccumulatorValue));
    }

    @Override
    public AdagradStep step(long t, double lr, double[] scalars) {
        return new AdagradStep(this, t, lr);
    }

    /** {@code lr, lr_decay, weight_decay, initial_accumulator_value, eps, maximize}. */
    @Override
    public Hyperparameters hyperparameters() {
        return Hyperparameters.builder().number("lr", lr).number("lr_decay", lrDecay)
                .number("weight_decay", weightDecay).number("initial_accumulator_value", initialAccumulatorValue)
                .number("eps", eps).flag("maximize", maximize).build();
    }

    static AdagradConfig fromPyTorch(PyTorchArgs a) {
        a.requireOnlyKeys("adagrad", List.of("lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps",
                "maximize"));
        return new AdagradConfig(a.number("lr", 1e-2), a.number("lr_decay", 0.0), a.number("weight_decay", 0.0),
                a.number("initial_accumulator_value", 0.0), a.number("eps", 1e-10), a.bool("maximize", false));
    }

    /**
     * {@return the per-step scalars for step {@code t} at this configuration's learning rate}
     *
     * @param t the step number, 1 for the first step
     */
    public AdagradStep step(long t) {
        return new AdagradStep(this, t, lr);
    }

    /**
     * {@return the per-step scalars for step {@code t} at a scheduled learning rate}
     *
     * @param t the step number, 1 for the first step
     * @param scheduledLr the learning rate of this step (from a schedule)
     */
    public AdagradStep step(long t, double scheduledLr) {
        return new AdagradStep(this, t, scheduledLr);
    }

    @Override
    public String toString() {
        return "Adagrad(lr=" + lr + ", lr_decay=" + lrDecay + ", weight_decay=" + weightDecay
                + ", initial_accumulator_value=" + initialAccumulatorValue + ", eps=" + eps + ", maximize=" + maximize
                + ")";
    }

    /** Builder with PyTorch's defaults; every setter refuses a bad value at once. */
    public static final class Builder {
        private double lr = 1e-2, lrDecay, weightDecay, initialAccumulatorValue, eps = 1e-10;
        private boolean maximize;

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
         * Sets the learning rate decay.
         *
         * @param lrDecay the learning rate decay: step {@code t} uses {@code lr / (1 + (t - 1) * lr_decay)}
         * @return this builder
         */
        public Builder lrDecay(double lrDecay) {
            this.lrDecay = Hyper.nonNegative("lr_decay value", lrDecay);
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
         * Sets the value the {@code sum} state starts at.
         *
         * @param value the parameter's values, updated in place by each step
         * @return this builder
         */
        public Builder initialAccumulatorValue(double value) {
            this.initialAccumulatorValue = Hyper.nonNegative("initial_accumulator_value value", value);
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
        public AdagradConfig build() {
            return new AdagradConfig(lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize);
        }
    }
}
