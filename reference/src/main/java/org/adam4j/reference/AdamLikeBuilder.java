package org.adam4j.reference;

/**
 * The hyperparameters Adamax, NAdam and RAdam share with Adam (lr, betas, eps, weight_decay), set and validated in one
 * place for their builders. Each setter refuses a bad value at once with PyTorch's message.
 *
 * @param <B> the concrete builder, returned by every setter for chaining
 */
public abstract class AdamLikeBuilder<B extends AdamLikeBuilder<B>> {
    protected double lr;
    protected double beta1 = 0.9;
    protected double beta2 = 0.999;
    protected double eps = 1e-8;
    protected double weightDecay;

    protected AdamLikeBuilder(double defaultLr) {
        this.lr = defaultLr;
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    public B lr(double lr) {
        this.lr = Hyper.lr(lr);
        return self();
    }

    public B betas(double beta1, double beta2) {
        this.beta1 = Hyper.beta(0, beta1);
        this.beta2 = Hyper.beta(1, beta2);
        return self();
    }

    public B eps(double eps) {
        this.eps = Hyper.nonNegative("epsilon value", eps);
        return self();
    }

    /**
     * Weight decay: coupled L2 ({@code g += weight_decay * p}), as these optimizers have it in PyTorch 1.13, unless
     * NAdam's or RAdam's {@code decoupledWeightDecay(true)} makes it decoupled.
     */
    public B weightDecay(double weightDecay) {
        this.weightDecay = Hyper.nonNegative("weight_decay value", weightDecay);
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
