package org.adam4j.reference;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Adam's hyperparameters and options, validated when they are set (as PyTorch's constructors do), immutable once built.
 *
 * <p>Names and defaults follow {@code torch.optim.Adam}: lr 1e-3, betas (0.9, 0.999), eps 1e-8, no weight decay.
 */
public final class AdamConfig implements OptimizerConfig {
    /** The keys of {@link #hyperparameters()}: PyTorch's, optimi's {@code decouple_lr}/{@code max_lr}, and adam4j's. */
    static final List<String> KEYS = List.of("lr", "betas", "eps", "weight_decay", "amsgrad", "maximize",
            "weight_decay_mode", "max_lr", "epsilon_hat", "bias_correction");

    private final double lr;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final WeightDecay decay;
    private final double maxLr;
    private final boolean amsgrad;
    private final boolean maximize;
    private final boolean epsilonHat;
    private final boolean biasCorrection;

    private AdamConfig(Builder b) {
        this.lr = b.lr;
        this.beta1 = b.beta1;
        this.beta2 = b.beta2;
        this.eps = b.eps;
        this.weightDecay = b.weightDecay;
        this.decay = b.decay;
        this.maxLr = Double.isNaN(b.maxLr) ? b.lr : b.maxLr;
        this.amsgrad = b.amsgrad;
        this.maximize = b.maximize;
        this.epsilonHat = b.epsilonHat;
        this.biasCorrection = b.biasCorrection;
        if (decay == WeightDecay.FULLY_DECOUPLED) {
            requirePositiveMaxLr(maxLr);
        }
    }

    /**
     * PyTorch's defaults.
     *
     * @return PyTorch's defaults
     */
    public static AdamConfig defaults() {
        return builder().build();
    }

    /** {@return a builder starting from PyTorch's defaults} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return a builder holding this configuration's values} */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.lr = lr;
        b.beta1 = beta1;
        b.beta2 = beta2;
        b.eps = eps;
        b.weightDecay = weightDecay;
        b.decay = decay;
        b.maxLr = maxLr;
        b.amsgrad = amsgrad;
        b.maximize = maximize;
        b.epsilonHat = epsilonHat;
        b.biasCorrection = biasCorrection;
        return b;
    }

    public double lr() { return lr; }
    /** {@return the coefficient of the running average of the gradient} */
    public double beta1() { return beta1; }
    /** {@return the coefficient of the running average of the squared gradient} */
    public double beta2() { return beta2; }
    /** {@return the term added to the denominator for numerical stability} */
    public double eps() { return eps; }
    /** {@return the weight decay coefficient} */
    public double weightDecay() { return weightDecay; }
    /** {@return how the weight decay is applied} */
    public WeightDecay decay() { return decay; }
    /** {@return the learning rate that fully decoupled decay divides by; the initial {@link #lr()} unless set} */
    public double maxLr() { return maxLr; }
    /** {@return whether AMSGrad is on} */
    public boolean amsgrad() { return amsgrad; }
    /** {@return whether the objective is maximized} */
    public boolean maximize() { return maximize; }
    /**
     * TensorFlow's form: {@code eps} added to {@code sqrt(v)} before bias correction (the paper's section 2).
     *
     * @return whether {@code eps} is added to {@code sqrt(v)} before bias correction
     */
    public boolean epsilonHat() { return epsilonHat; }
    /** {@return whether the moments are bias-corrected} */
    public boolean biasCorrection() { return biasCorrection; }

    /** {@code adamw} with decoupled or fully decoupled weight decay, {@code adam} otherwise. */
    @Override
    public String algorithm() {
        return decay == WeightDecay.DECOUPLED || decay == WeightDecay.FULLY_DECOUPLED ? "adamw" : "adam";
    }

    /** {@code exp_avg}, {@code exp_avg_sq} and, with AMSGrad, {@code max_exp_avg_sq}; all start at 0. */
    @Override
    public List<StateVariable> stateArrays() {
        return amsgrad ? List.of(StateVariable.any("exp_avg", 0), StateVariable.nonNegative("exp_avg_sq", 0),
                StateVariable.nonNegative("max_exp_avg_sq", 0))
                : List.of(StateVariable.any("exp_avg", 0), StateVariable.nonNegative("exp_avg_sq", 0));
    }

    @Override
    public AdamStep step(long t, double lr, double[] scalars) {
        return AdamStep.of(this, t, lr);
    }

    /**
     * PyTorch's {@code lr, betas, eps, weight_decay, amsgrad, maximize}, then {@code weight_decay_mode}
     * ({@code none}, {@code l2}, {@code decoupled}, {@code fully_decoupled}), optimi's {@code max_lr} and adam4j's
     * {@code epsilon_hat} and {@code bias_correction}.
     */
    @Override
    public Hyperparameters hyperparameters() {
        return Hyperparameters.builder().number("lr", lr).pair("betas", beta1, beta2).number("eps", eps)
                .number("weight_decay", weightDecay).flag("amsgrad", amsgrad).flag("maximize", maximize)
                .string("weight_decay_mode", decay.name().toLowerCase(Locale.ROOT)).number("max_lr", maxLr)
                .flag("epsilon_hat", epsilonHat).flag("bias_correction", biasCorrection).build();
    }

    /**
     * {@code torch.optim.Adam} ({@code algorithm} {@code adam}: coupled L2 decay) or {@code AdamW} ({@code adamw}:
     * decoupled decay, default 1e-2) with PyTorch's defaults; {@link #KEYS} beyond PyTorch's override the form.
     */
    static AdamConfig fromPyTorch(String algorithm, PyTorchArgs a) {
        a.requireOnlyKeys(algorithm, KEYS);
        boolean adamw = algorithm.equals("adamw");
        double[] betas = a.pair("betas", 0.9, 0.999);
        double wd = a.number("weight_decay", adamw ? 1e-2 : 0.0);
        String mode = a.string("weight_decay_mode", adamw ? "decoupled" : "l2");
        WeightDecay decay;
        try {
            decay = WeightDecay.valueOf(mode.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown weight_decay_mode '" + mode + "' (none, l2, decoupled, "
                    + "fully_decoupled)");
        }
        double lr = a.number("lr", 1e-3);
        Builder b = builder().lr(lr).betas(betas[0], betas[1]).eps(a.number("eps", 1e-8))
                .amsgrad(a.bool("amsgrad", false)).maximize(a.bool("maximize", false))
                .epsilonHat(a.bool("epsilon_hat", false)).biasCorrection(a.bool("bias_correction", true));
        double maxLr = a.number("max_lr", Double.NaN);
        // max_lr defaults to lr and means nothing outside fully decoupled decay, where lr may be 0
        if (!Double.isNaN(maxLr) && !(decay != WeightDecay.FULLY_DECOUPLED && maxLr == lr)) {
            b.maxLr(maxLr);
        }
        b.weightDecay(wd, decay);
        AdamConfig c = b.build();
        if (!c.algorithm().equals(algorithm)) {
            throw new IllegalArgumentException("weight_decay_mode '" + mode + "' is " + c.algorithm() + "'s, not "
                    + algorithm + "'s");
        }
        return c;
    }

    /**
     * {@return the per-step scalars for step {@code t} (1 for the first step) at this configuration's learning rate}
     *
     * @param t the step number, 1 for the first step
     */
    public AdamStep step(long t) {
        return AdamStep.of(this, t, lr);
    }

    /**
     * {@return the per-step scalars for step {@code t} at a scheduled learning rate}
     *
     * @param t the step number, 1 for the first step
     * @param scheduledLr the learning rate of this step (from a schedule)
     */
    public AdamStep step(long t, double scheduledLr) {
        return AdamStep.of(this, t, scheduledLr);
    }

    @Override
    public boolean equals(Object o) {
        if (o == null || o.getClass() != AdamConfig.class) {
            return false;
        }
        AdamConfig c = (AdamConfig) o;
        return Double.compare(lr, c.lr) == 0 && Double.compare(beta1, c.beta1) == 0
                && Double.compare(beta2, c.beta2) == 0 && Double.compare(eps, c.eps) == 0
                && Double.compare(weightDecay, c.weightDecay) == 0 && decay == c.decay
                && Double.compare(maxLr, c.maxLr) == 0 && amsgrad == c.amsgrad && maximize == c.maximize
                && epsilonHat == c.epsilonHat && biasCorrection == c.biasCorrection;
    }

    @Override
    public int hashCode() {
        return Objects.hash(lr, beta1, beta2, eps, weightDecay, decay, maxLr, amsgrad, maximize, epsilonHat,
                biasCorrection);
    }

    @Override
    public String toString() {
        return "Adam(lr=" + lr + ", betas=(" + beta1 + ", " + beta2 + "), eps=" + eps + ", weight_decay=" + weightDecay
                + ", decay=" + decay + (decay == WeightDecay.FULLY_DECOUPLED ? ", max_lr=" + maxLr : "")
                + ", amsgrad=" + amsgrad + ", maximize=" + maximize + ", epsilon_hat=" + epsilonHat
                + ", bias_correction=" + biasCorrection + ")";
    }

    private static void requirePositiveMaxLr(double maxLr) {
        if (!(maxLr > 0.0) || Double.isInfinite(maxLr)) {
            throw new IllegalArgumentException("Invalid max_lr: " + maxLr
                    + " (fully decoupled weight decay divides by it: must be finite and > 0)");
        }
    }

    /** Mutable, validating builder; every setter refuses a bad value at once, naming it. */
    public static final class Builder {
        private double lr = 1e-3;
        private double beta1 = 0.9;
        private double beta2 = 0.999;
        private double eps = 1e-8;
        private double weightDecay = 0.0;
        private WeightDecay decay = WeightDecay.NONE;
        private double maxLr = Double.NaN;
        private boolean amsgrad;
        private boolean maximize;
        private boolean epsilonHat;
        private boolean biasCorrection = true;

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
         * Sets the coefficients of the running averages of the gradient and of its square.
         *
         * @param beta1 the coefficient of the running average of the gradient (in [0, 1))
         * @param beta2 the coefficient of the running average of the squared gradient (in [0, 1))
         * @return this builder
         */
        public Builder betas(double beta1, double beta2) {
            this.beta1 = Hyper.beta(0, beta1);
            this.beta2 = Hyper.beta(1, beta2);
            return this;
        }

        /**
         * Sets the coefficient of the running average of the gradient.
         *
         * @param beta1 the coefficient of the running average of the gradient (in [0, 1))
         * @return this builder
         */
        public Builder beta1(double beta1) {
            this.beta1 = Hyper.beta(0, beta1);
            return this;
        }

        /**
         * Sets the coefficient of the running average of the squared gradient.
         *
         * @param beta2 the coefficient of the running average of the squared gradient (in [0, 1))
         * @return this builder
         */
        public Builder beta2(double beta2) {
            this.beta2 = Hyper.beta(1, beta2);
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
         * Sets the coefficient and the mode; a mode of NONE requires a coefficient of 0.
         *
         * @param weightDecay the weight decay coefficient (finite and >= 0)
         * @param mode the form of the decay: none, L2 (coupled to the gradient), decoupled or fully decoupled
         * @return this builder
         */
        public Builder weightDecay(double weightDecay, WeightDecay mode) {
            Objects.requireNonNull(mode, "weight decay mode");
            Hyper.nonNegative("weight_decay value", weightDecay);
            if (mode == WeightDecay.NONE && weightDecay != 0.0) {
                throw new IllegalArgumentException("weight_decay " + weightDecay + " given with decay mode NONE");
            }
            this.weightDecay = weightDecay;
            this.decay = mode;
            return this;
        }

        /**
         * PyTorch Adam's {@code weight_decay}: L2 coupled to the gradient.
         *
         * @param weightDecay the weight decay coefficient (finite and >= 0)
         * @return this builder
         */
        public Builder l2(double weightDecay) {
            return weightDecay(weightDecay, WeightDecay.L2);
        }

        /**
         * PyTorch AdamW's {@code weight_decay}: decoupled.
         *
         * @param weightDecay the weight decay coefficient (finite and >= 0)
         * @return this builder
         */
        public Builder decoupled(double weightDecay) {
            return weightDecay(weightDecay, WeightDecay.DECOUPLED);
        }

        /**
         * optimi's {@code decouple_lr=True}: {@code p *= 1 - (lr / maxLr) * wd}.
         *
         * @param weightDecay the weight decay coefficient (finite and >= 0)
         * @param maxLr the maximum learning rate, which the decay's learning rate is divided by (finite and > 0)
         * @return this builder
         */
        public Builder fullyDecoupled(double weightDecay, double maxLr) {
            requirePositiveMaxLr(maxLr);
            weightDecay(weightDecay, WeightDecay.FULLY_DECOUPLED);
            this.maxLr = maxLr;
            return this;
        }

        /**
         * Sets the learning rate that fully decoupled decay divides by (the initial lr unless set).
         *
         * @param maxLr the maximum learning rate, which the decay's learning rate is divided by (finite and > 0)
         * @return this builder
         */
        public Builder maxLr(double maxLr) {
            requirePositiveMaxLr(maxLr);
            this.maxLr = maxLr;
            return this;
        }

        /**
         * Sets whether to use AMSGrad (the running maximum of {@code v}).
         *
         * @param amsgrad whether to use AMSGrad (the running maximum of {@code v}, in {@code max_exp_avg_sq})
         * @return this builder
         */
        public Builder amsgrad(boolean amsgrad) {
            this.amsgrad = amsgrad;
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

        /**
         * Sets whether to use TensorFlow's form ({@code eps} added before the bias correction).
         *
         * @param epsilonHat whether to add {@code eps} before the bias correction (TensorFlow's form)
         * @return whether {@code eps} is added to {@code sqrt(v)} before bias correction
         */
        public Builder epsilonHat(boolean epsilonHat) {
            this.epsilonHat = epsilonHat;
            return this;
        }

        /**
         * Sets whether the moments are bias-corrected (true unless set).
         *
         * @param biasCorrection whether to correct the moments' bias towards zero
         * @return this builder
         */
        public Builder biasCorrection(boolean biasCorrection) {
            this.biasCorrection = biasCorrection;
            return this;
        }

        /** {@return the configuration, validated} */
        public AdamConfig build() {
            return new AdamConfig(this);
        }
    }
}
