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
public final class AdagradStep implements OptimizerStep {
    @Override
    public long stepNumber() {
        return t;
    }

    @Override
    public double learningRate() {
        return lr;
    }

    public final long t;
    public final double lr;
    public final boolean maximize;
    public final boolean l2;

    public final double weightDecay_F64, eps_F64, negClr_F64;
    public final float weightDecay_F32, eps_F32, negClr_F32;

    AdagradStep(AdagradConfig c, long t, double lr) {
        this.t = Hyper.step(t);
        this.lr = Hyper.lr(lr);
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
