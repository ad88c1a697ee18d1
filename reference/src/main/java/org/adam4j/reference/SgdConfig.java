package org.adam4j.reference;

import java.util.List;

/**
 * {@code torch.optim.SGD} (PyTorch 1.13): momentum, dampening, Nesterov, coupled weight decay, maximize. As in
 * PyTorch the learning rate has no default and must be given; momentum, dampening and weight_decay default to 0.
 * The first step with momentum sets the buffer to the gradient itself (no dampening), as PyTorch does.
 *
 * @param lr the learning rate (finite and >= 0)
 * @param momentum the momentum factor (0 for none)
 * @param dampening the dampening of the momentum
 * @param weightDecay the weight decay coefficient (finite and >= 0)
 * @param nesterov whether to use Nesterov momentum
 * @param maximize whether to maximize the objective instead of minimizing it (step along the gradient)
 */
public record SgdConfig(double lr, double momentum, double dampening, double weightDecay, boolean nesterov,
        boolean maximize) implements OptimizerConfig {
    /** Validates every value, with PyTorch's messages. */
    public SgdConfig {
        Hyper.lr(lr);
        Hyper.nonNegative("momentum value", momentum);
        Hyper.nonNegative("weight_decay value", weightDecay);
        if (Double.isNaN(dampening) || Double.isInfinite(dampening)) {
            throw new IllegalArgumentException("Invalid dampening value: " + dampening + " (must be finite)");
        }
        if (nesterov && (momentum <= 0 || dampening != 0)) {
            throw new IllegalArgumentException("Nesterov momentum requires a momentum and zero dampening");
        }
    }

    /** {@return a builder; {@link Builder#build()} refuses to build before {@link Builder#lr(double)} is set} */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String algorithm() {
        return "sgd";
    }

    /** {@code momentum_buffer} (set to the first gradient by the first step) with momentum, none without. */
    @Override
    public List<StateVariable> stateArrays() {
        return momentum != 0.0 ? List.of(StateVariable.any("momentum_buffer", 0)) : List.of();
    }

    @Override
    public SgdStep step(long t, double lr, double[] scalars) {
        return new SgdStep(this, t, lr);
    }

    /** {@code lr, momentum, dampening, weight_decay, nesterov, maximize}. */
    @Override
    public Hyperparameters hyperparameters() {
        return Hyperparameters.builder().number("lr", lr).number("momentum", momentum).number("dampening", dampening)
                .number("weight_decay", weightDecay).flag("nesterov", nesterov).flag("maximize", maximize).build();
    }

    static SgdConfig fromPyTorch(PyTorchArgs a) {
        a.requireOnlyKeys("sgd", List.of("lr", "momentum", "dampening", "weight_decay", "nesterov", "maximize"));
        double lr = a.number("lr", Double.NaN);
        if (Double.isNaN(lr)) {
            throw new IllegalArgumentException("sgd needs 'lr' (PyTorch has no default for it)");
        }
        return new SgdConfig(lr, a.number("momentum", 0.0), a.number("dampening", 0.0),
                a.number("weight_decay", 0.0), a.bool("nesterov", false), a.bool("maximize", false));
    }

    /**
     * {@return the per-step scalars for step {@code t} at this configuration's learning rate}
     *
     * @param t the step number, 1 for the first step
     */
    public SgdStep step(long t) {
        return new SgdStep(this, t, lr);
    }

    /**
     * {@return the per-step scalars for step {@code t} at a scheduled learning rate}
     *
     * @param t the step number, 1 for the first step
     * @param scheduledLr the learning rate of this step (from a schedule)
     */
    public SgdStep step(long t, double scheduledLr) {
        return new SgdStep(this, t, scheduledLr);
    }

    @Override
    public String toString() {
        return "SGD(lr=" + lr + ", momentum=" + momentum + ", dampening=" + dampening + ", weight_decay="
                + weightDecay + ", nesterov=" + nesterov + ", maximize=" + maximize + ")";
    }

    /** Builder; every setter refuses a bad value at once, {@link #build()} the combinations PyTorch refuses. */
    public static final class Builder {
        private double lr = Double.NaN, momentum, dampening, weightDecay;
        private boolean nesterov, maximize;

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
         * Sets the dampening of the momentum.
         *
         * @param dampening the dampening of the momentum
         * @return this builder
         */
        public Builder dampening(double dampening) {
            if (Double.isNaN(dampening) || Double.isInfinite(dampening)) {
                throw new IllegalArgumentException("Invalid dampening value: " + dampening + " (must be finite)");
            }
            this.dampening = dampening;
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
         * Sets whether to use Nesterov momentum (needs momentum and no dampening).
         *
         * @param nesterov whether to use Nesterov momentum
         * @return this builder
         */
        public Builder nesterov(boolean nesterov) {
            this.nesterov = nesterov;
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
        public SgdConfig build() {
            if (Double.isNaN(lr)) {
                throw new IllegalArgumentException("SGD needs a learning rate (PyTorch's lr is required): call lr()");
            }
            return new SgdConfig(lr, momentum, dampening, weightDecay, nesterov, maximize);
        }
    }
}
