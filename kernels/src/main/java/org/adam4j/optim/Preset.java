package org.adam4j.optim;

/**
 * Named defaults of the hyperparameters, for {@link Optimizer#adam(Preset)} and
 * {@link Optimizer#adamW(Preset)}. Every preset has {@code lr = 1e-3}; they differ in the betas, eps and the
 * form of AdamW's weight decay.
 */
public enum Preset {
    /** {@code torch.optim.Adam}/{@code AdamW}: betas (0.9, 0.999), eps 1e-8; AdamW's decay 1e-2. */
    PYTORCH(0.9, 0.999, 1e-8),
    /** optimi's {@code Adam}/{@code AdamW}: betas (0.9, 0.99), eps 1e-6; AdamW's decay 1e-2, {@code p *= 1 - lr*wd}. */
    OPTIMI(0.9, 0.99, 1e-6),
    /**
     * The papers': Adam's Algorithm 1 (alpha 1e-3, betas (0.9, 0.999), eps 1e-8) and, for AdamW, Loshchilov and
     * Hutter's decay scaled by the schedule multiplier {@code eta_t = lr_t / lr} but not by the learning rate itself
     * ({@code p *= 1 - (lr_t / lr) * wd}, the fully decoupled form). The paper fixes no weight decay; 1e-2 as PyTorch.
     */
    PAPER(0.9, 0.999, 1e-8);

    /** AdamW's default weight decay in every preset. */
    static final double ADAMW_WEIGHT_DECAY = 1e-2;
    static final double LR = 1e-3;

    final double beta1;
    final double beta2;
    final double eps;

    Preset(double beta1, double beta2, double eps) {
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
    }
}
