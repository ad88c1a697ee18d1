package org.adam4j.reference;

import java.util.List;

/**
 * {@code torch.optim.NAdam}: Adam with Nesterov momentum and the momentum schedule
 * {@code mu_t = beta1 * (1 - 0.5 * 0.96^(t * momentum_decay))}. Defaults lr 2e-3, betas (0.9, 0.999), eps 1e-8,
 * weight_decay 0, momentum_decay 4e-3, decoupled_weight_decay false, maximize false. PyTorch 1.13's arguments, and
 * two of later releases: {@code decoupled_weight_decay} (PyTorch 2.1: {@code p *= 1 - lr * weight_decay} before the
 * moments, instead of the coupled L2 {@code g += weight_decay * p}) and {@code maximize} (the gradient negated first).
 *
 * <p>One deliberate difference from 1.13: {@code mu_product_next = mu_product * mu_next}, as later PyTorch releases
 * and the paper have it (1.13 multiplies by {@code mu} once too often); the shared reference cases use this form.
 *
 * @param lr the learning rate (finite and >= 0)
 * @param beta1 the coefficient of the running average of the gradient (in [0, 1))
 * @param beta2 the coefficient of the running average of the squared gradient (in [0, 1))
 * @param eps the term added to the denominator for numerical stability (finite and >= 0)
 * @param weightDecay the weight decay coefficient (finite and >= 0)
 * @param momentumDecay NAdam's {@code momentum_decay} ({@code psi}), finite and >= 0
 * @param decoupledWeightDecay PyTorch 2.1's {@code decoupled_weight_decay}: decay the parameter, not the gradient
 * @param maximize PyTorch's {@code maximize}: the gradient is negated first
 */
public record NAdamConfig(double lr, double beta1, double beta2, double eps, double weightDecay, double momentumDecay,
        boolean decoupledWeightDecay, boolean maximize) implements OptimizerConfig {
    /** PyTorch's name of NAdam's per-parameter scalar state. */
    public static final String MU_PRODUCT = "mu_product";

    /** Validates every value, with PyTorch's messages. */
    public NAdamConfig {
        AdamLikeBuilder.validate(lr, beta1, beta2, eps, weightDecay);
        Hyper.nonNegative("momentum_decay value", momentumDecay);
    }

    /**
     * PyTorch 1.13's NAdam: coupled L2 weight decay, minimizing.
     *
     * @param lr the learning rate (finite and >= 0)
     * @param beta1 the coefficient of the running average of the gradient (in [0, 1))
     * @param beta2 the coefficient of the running average of the squared gradient (in [0, 1))
     * @param eps the term added to the denominator for numerical stability (finite and >= 0)
     * @param weightDecay the weight decay coefficient (finite and >= 0)
     * @param momentumDecay NAdam's {@code momentum_decay} ({@code psi}), finite and >= 0
     */
    public NAdamConfig(double lr, double beta1, double beta2, double eps, double weightDecay, double momentumDecay) {
        this(lr, beta1, beta2, eps, weightDecay, momentumDecay, false, false);
    }

    /** {@return PyTorch's defaults} */
    public static NAdamConfig defaults() {
        return builder().build();
    }

    /** {@return a builder starting from PyTorch's defaults} */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String algorithm() {
        return "nadam";
    }

    /** {@code exp_avg} and {@code exp_avg_sq}, both starting at 0. */
    @Override
    public List<StateVariable> stateArrays() {
        return List.of(StateVariable.any("exp_avg", 0), StateVariable.nonNegative("exp_avg_sq", 0));
    }

    /** {@code mu_product}, the product of the momentum coefficients of the parameter's steps so far: 1 at first. */
    @Override
    public List<StateVariable> scalarStates() {
        return List.of(new StateVariable(MU_PRODUCT, 1.0, 0.0, 1.0));
    }

    /** Step {@code t} of a parameter whose {@code mu_product} is {@code scalars[0]}. */
    @Override
    public NAdamStep step(long t, double lr, double[] scalars) {
        if (scalars.length != 1) {
            throw new IllegalArgumentException("NAdam's scalar state is mu_product alone; got " + scalars.length
                    + " values");
        }
        return step(t, lr, scalars[0]);
    }

    /**
     * {@code lr, betas, eps, weight_decay, momentum_decay}, then {@code decoupled_weight_decay} and {@code maximize}
     * only when true: those two are newer than the state file's version 2 field list for NAdam, so a configuration
     * without them keeps being saved as version 2, byte for byte, and readable by an adam4j that predates them.
     */
    @Override
    public Hyperparameters hyperparameters() {
        Hyperparameters.Builder h = Hyperparameters.builder().number("lr", lr).pair("betas", beta1, beta2)
                .number("eps", eps).number("weight_decay", weightDecay).number("momentum_decay", momentumDecay);
        return AdamLikeBuilder.newerOptions(h, decoupledWeightDecay, maximize).build();
    }

    static NAdamConfig fromPyTorch(PyTorchArgs a) {
        a.requireOnlyKeys("nadam", List.of("lr", "betas", "eps", "weight_decay", "momentum_decay",
                "decoupled_weight_decay", "maximize"));
        double[] b = a.pair("betas", 0.9, 0.999);
        return new NAdamConfig(a.number("lr", 2e-3), b[0], b[1], a.number("eps", 1e-8),
                a.number("weight_decay", 0.0), a.number("momentum_decay", 4e-3),
                a.bool("decoupled_weight_decay", false), a.bool("maximize", false));
    }

    /**
     * {@code mu_t}, the momentum coefficient of step {@code t}.
     *
     * @param t the step number, 1 for the first step
     * @return {@code mu_t}
     */
    public double mu(long t) {
        return beta1 * (1.0 - 0.5 * Math.pow(0.96, (double) t * momentumDecay));
    }

    /**
     * {@return the scalars of the first step; later ones come from {@link NAdamStep#next()}, which carries mu_product
     * on}
     */
    public NAdamStep first() {
        return NAdamStep.of(this, 1, lr, 1.0);
    }

    /**
     * The scalars of step {@code t}, recomputing {@code mu_product} from step 1: O(t). A training loop should call
     * {@link NAdamStep#next()} instead.
     *
     * @param t the step number, 1 for the first step
     * @return the scalars of that step
     */
    public NAdamStep step(long t) {
        return step(t, lr);
    }

    /**
     * {@link #step(long)} at a scheduled learning rate.
     *
     * @param t the step number, 1 for the first step
     * @param scheduledLr the learning rate of this step (from a schedule)
     * @return the scalars of that step
     */
    public NAdamStep step(long t, double scheduledLr) {
        Hyper.step(t);
        double muProduct = 1.0;
        for (long i = 1; i < t; i++) {
            muProduct *= mu(i);
        }
        return NAdamStep.of(this, t, scheduledLr, muProduct);
    }

    /**
     * The scalars of step {@code t} given {@code mu_1 * ... * mu_(t-1)} ({@code muProductBefore}, 1 before the first
     * step): what an optimizer that keeps PyTorch's {@code mu_product} state per parameter calls, in O(1). The same
     * arithmetic as {@link NAdamStep#next(double)}.
     *
     * @param t the step number, 1 for the first step
     * @param scheduledLr the learning rate of this step (from a schedule)
     * @param muProductBefore the product of the momentum coefficients {@code mu_1 ... mu_(t-1)} (1 before the first
     *     step)
     * @return the scalars of that step
     */
    public NAdamStep step(long t, double scheduledLr, double muProductBefore) {
        Hyper.step(t);
        return NAdamStep.of(this, t, scheduledLr, muProductBefore);
    }

    @Override
    public String toString() {
        return "NAdam(lr=" + lr + ", betas=(" + beta1 + ", " + beta2 + "), eps=" + eps + ", weight_decay="
                + weightDecay + ", momentum_decay=" + momentumDecay + ", decoupled_weight_decay=" + decoupledWeightDecay
                + ", maximize=" + maximize + ")";
    }

    /** Builder with PyTorch's defaults; every setter refuses a bad value at once. */
    public static final class Builder extends AdamLikeBuilder<Builder> {
        private double momentumDecay = 4e-3;
        private boolean decoupledWeightDecay;

        private Builder() {
            super(2e-3);
        }

        /**
         * Sets NAdam's {@code momentum_decay}.
         *
         * @param momentumDecay NAdam's {@code momentum_decay} ({@code psi}), finite and >= 0
         * @return this builder
         */
        public Builder momentumDecay(double momentumDecay) {
            this.momentumDecay = Hyper.nonNegative("momentum_decay value", momentumDecay);
            return this;
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
        public NAdamConfig build() {
            return new NAdamConfig(lr, beta1, beta2, eps, weightDecay, momentumDecay, decoupledWeightDecay, maximize);
        }
    }
}
