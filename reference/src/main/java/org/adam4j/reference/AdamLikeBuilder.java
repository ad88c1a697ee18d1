package org.adam4j.reference;

/**
 * The hyperparameters Adamax, NAdam and RAdam share with Adam (lr, betas, eps, weight_decay), set and validated in one
 * place for their builders. Each setter refuses a bad value at once with PyTorch's message.
 *
 * @param <B> the concrete builder, returned by every setter for chaining
 */
public abstract class AdamLikeBuilder<B extends AdamLikeBuilder<B>> {
    /** The learning rate. */
    protected double lr;
    /** The coefficient of the running average of the gradient. */
    protected double beta1 = 0.9;
    /** The coefficient of the running average of the squared gradient. */
    protected double beta2 = 0.999;
    /** The term added to the denominator. */
    protected double eps = 1e-8;
    /** The coupled L2 weight decay coefficient. */
    protected double weightDecay;
    /** PyTorch's {@code maximize}. */
    protected boolean maximize;

    /**
     * A builder starting from PyTorch's betas (0.9, 0.999) and eps 1e-8.
     *
     * @param defaultLr the algorithm's default learning rate
     */
    protected AdamLikeBuilder(double defaultLr) {
        this.lr = defaultLr;
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /**
     * Sets the learning rate.
     *
     * @param lr the learning rate (finite and >= 0)
     * @return this builder
     */
    public B lr(double lr) {
        this.lr = Hyper.lr(lr);
        return self();
    }

    /**
     * Sets the coefficients of the running averages of the gradient and of its square.
     *
     * @param beta1 the coefficient of the running average of the gradient (in [0, 1))
     * @param beta2 the coefficient of the running average of the squared gradient (in [0, 1))
     * @return this builder
     */
    public B betas(double beta1, double beta2) {
        this.beta1 = Hyper.beta(0, beta1);
        this.beta2 = Hyper.beta(1, beta2);
        return self();
    }

    /**
     * Sets the term added to the denominator for numerical stability.
     *
     * @param eps the term added to the denominator for numerical stability (finite and >= 0)
     * @return this builder
     */
    public B eps(double eps) {
        this.eps = Hyper.nonNegative("epsilon value", eps);
        return self();
    }

    /**
     * Weight decay: coupled L2 ({@code g += weight_decay * p}), as these optimizers have it in PyTorch 1.13, unless
     * NAdam's or RAdam's {@code decoupledWeightDecay(true)} makes it decoupled.
     *
     * @param weightDecay the weight decay coefficient (finite and >= 0)
     * @return this builder
     */
    public B weightDecay(double weightDecay) {
        this.weightDecay = Hyper.nonNegative("weight_decay value", weightDecay);
        return self();
    }

    /**
     * Maximizes the objective: the gradient is negated first (PyTorch's {@code maximize}).
     *
     * @param maximize whether to maximize
     * @return this builder
     */
    public B maximize(boolean maximize) {
        this.maximize = maximize;
        return self();
    }

    /**
     * NAdam's and RAdam's {@code decoupled_weight_decay} and {@code maximize}, added to {@code h} only when true (their
     * configurations' {@code hyperparameters()} say why).
     */
    static Hyperparameters.Builder newerOptions(Hyperparameters.Builder h, boolean decoupledWeightDecay,
            boolean maximize) {
        if (decoupledWeightDecay) {
            h.flag("decoupled_weight_decay", true);
        }
        if (maximize) {
            h.flag("maximize", true);
        }
        return h;
    }

    /** Validates what the constructors of Adamax, NAdam and RAdam share. */
    static void validate(double lr, double beta1, double beta2, double eps, double weightDecay) {
        Hyper.lr(lr);
        Hyper.nonNegative("epsilon value", eps);
        Hyper.beta(0, beta1);
        Hyper.beta(1, beta2);
        Hyper.nonNegative("weight_decay value", weightDecay);
    }
}
