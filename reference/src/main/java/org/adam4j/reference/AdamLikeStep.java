package org.adam4j.reference;

/**
 * The per-step scalars Adamax, NAdam and RAdam share with Adam: the step number and learning rate, {@code maximize},
 * the weight decay (coupled L2, or NAdam's and RAdam's decoupled form) and the moments' coefficients, computed once
 * in double and rounded once to float for the {@code _F32} fields. Each subclass adds the scalars of its own update.
 * Every one of them starts the same way:
 *
 * <pre>
 *   g = maximize ? -grad[i] : grad[i]
 *   if (l2)        g = fma(weightDecay, p[i], g)
 *   p = decoupled ? p[i] * decayFactor : p[i]
 * </pre>
 */
public abstract sealed class AdamLikeStep extends OptimizerStep permits AdamaxStep, NAdamStep, RAdamStep {
    /** Whether the gradient is negated first (PyTorch's {@code maximize}). */
    public final boolean maximize;
    /** Whether coupled L2 weight decay applies ({@code g = fma(weightDecay, p, g)}). */
    public final boolean l2;
    /**
     * Whether decoupled weight decay applies ({@code p = p * decayFactor} before the moments; PyTorch 2.1's
     * {@code decoupled_weight_decay} of NAdam and RAdam). Never together with {@link #l2}.
     */
    public final boolean decoupled;

    /**
     * The shared scalars in double: the L2 coefficient (0 unless {@link #l2}), {@code beta1}, {@code 1 - beta1}, {@code
     * beta2}, {@code 1 - beta2} and {@code eps}.
     */
    public final double weightDecay_F64, beta1_F64, oneMinusBeta1_F64, beta2_F64, oneMinusBeta2_F64, eps_F64;
    /**
     * The shared scalars in float, rounded once from the double value: the L2 coefficient (0 unless {@link #l2}),
     * {@code beta1}, {@code 1 - beta1}, {@code beta2}, {@code 1 - beta2} and {@code eps}.
     */
    public final float weightDecay_F32, beta1_F32, oneMinusBeta1_F32, beta2_F32, oneMinusBeta2_F32, eps_F32;
    /**
     * What decoupled decay multiplies the parameter by, {@code 1 - lr * weight_decay} in double (PyTorch's
     * {@code param.mul_(1 - lr * weight_decay)}), rounded once for {@code _F32}, as {@link AdamStep}'s; 1 unless
     * {@link #decoupled}.
     */
    public final double decayFactor_F64;
    /** {@link #decayFactor_F64} rounded once to float. */
    public final float decayFactor_F32;

    /**
     * {@code decoupledWeightDecay} chooses the decoupled form of a nonzero {@code weightDecay} over coupled L2 (Adamax
     * has none and passes false).
     */
    AdamLikeStep(long t, double lr, double beta1, double beta2, double eps, double weightDecay, boolean maximize,
            boolean decoupledWeightDecay) {
        super(t, lr);
        this.maximize = maximize;
        this.l2 = weightDecay != 0.0 && !decoupledWeightDecay;
        this.decoupled = weightDecay != 0.0 && decoupledWeightDecay;
        decayFactor_F64 = decoupled ? 1.0 - lr * weightDecay : 1.0;
        decayFactor_F32 = (float) decayFactor_F64;
        weightDecay_F64 = weightDecay;
        beta1_F64 = beta1;
        oneMinusBeta1_F64 = 1.0 - beta1;
        beta2_F64 = beta2;
        oneMinusBeta2_F64 = 1.0 - beta2;
        eps_F64 = eps;

        weightDecay_F32 = (float) weightDecay_F64;
        beta1_F32 = (float) beta1_F64;
        oneMinusBeta1_F32 = (float) oneMinusBeta1_F64;
        beta2_F32 = (float) beta2_F64;
        oneMinusBeta2_F32 = (float) oneMinusBeta2_F64;
        eps_F32 = (float) eps_F64;
    }
}
