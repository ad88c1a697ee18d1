package org.adam4j.reference;

/**
 * The scalars of one Adagrad step, computed once (in double, then rounded once to float for the {@code _F32} fields)
 * and shared by the reference and every kernel. The update of element {@code i} is:
 *
 * <pre>
 *   g = maximize ? -grad[i] : grad[i]
 *   if (l2) g = fma(weightDecay, p[i], g)
 *   sum[i] = fma(g, g, sum[i])
 *   p[i] = fma(negClr, g / (sqrt(sum[i]) + eps), p[i])       negClr = -lr / (1 + (t - 1) * lr_decay)
 * </pre>
 */
public final class AdagradStep extends OptimizerStep {
    /** Whether the gradient is negated (the objective maximized). */
    public final boolean maximize;
    /** Whether coupled L2 weight decay applies ({@code g = fma(weightDecay, p, g)}). */
    public final boolean l2;

    /**
     * The update's scalars in double: the L2 coefficient ({@code weightDecay}, 0 unless {@link #l2}), {@code eps}, and
     * {@code negClr = -lr / (1 + (t - 1) * lr_decay)}.
     */
    public final double weightDecay_F64, eps_F64, negClr_F64;
    /**
     * The update's scalars in float, rounded once from the double value: the L2 coefficient ({@code weightDecay}, 0
     * unless {@link #l2}), {@code eps}, and {@code negClr = -lr / (1 + (t - 1) * lr_decay)}.
     */
    public final float weightDecay_F32, eps_F32, negClr_F32;

    AdagradStep(AdagradConfig c, long t, double lr) {
        super(t, lr);
        this.maximize = c.maximize();
        this.l2 = c.weightDecay() != 0.0;
        weightDecay_F64 = c.weightDecay();
        eps_F64 = c.eps();
        negClr_F64 = -lr / (1.0 + (t - 1) * c.lrDecay());

        weightDecay_F32 = (float) weightDecay_F64;
        eps_F32 = (float) eps_F64;
        negClr_F32 = (float) negClr_F64;
    }

    @Override
    public String toString() {
        return "AdagradStep(t=" + t + ", lr=" + lr + ", clr=" + (-negClr_F64) + ")";
    }
}
