package org.adam4j.reference;

/**
 * The scalars of one Adamax step, computed once (in double, then rounded once to float for the {@code _F32} fields)
 * and shared by the reference and every kernel. The update of element {@code i} is:
 *
 * <pre>
 *   g = maximize ? -grad[i] : grad[i]
 *   if (l2) g = fma(weightDecay, p[i], g)
 *   m[i] = fma(beta1, m[i], oneMinusBeta1 * g)
 *   u[i] = max(beta2 * u[i], |g| + eps)
 *   p[i] = fma(negClr, m[i] / u[i], p[i])          negClr = -lr / (1 - beta1^t)
 * </pre>
 */
public final class AdamaxStep {
    public final long t;
    public final double lr;
    public final boolean maximize;
    public final boolean l2;

    public final double weightDecay_F64, beta1_F64, oneMinusBeta1_F64, beta2_F64, eps_F64, negClr_F64;
    public final float weightDecay_F32, beta1_F32, oneMinusBeta1_F32, beta2_F32, eps_F32, negClr_F32;

    AdamaxStep(AdamaxConfig c, long t, double lr) {
        this.t = Hyper.step(t);
        this.lr = Hyper.lr(lr);
        this.maximize = c.maximize();
        this.l2 = c.weightDecay() != 0.0;
        weightDecay_F64 = c.weightDecay();
        beta1_F64 = c.beta1();
        oneMinusBeta1_F64 = 1.0 - c.beta1();
        beta2_F64 = c.beta2();
        eps_F64 = c.eps();
        negClr_F64 = -lr / (1.0 - Math.pow(c.beta1(), (double) t));

        weightDecay_F32 = (float) weightDecay_F64;
        beta1_F32 = (float) beta1_F64;
        oneMinusBeta1_F32 = (float) oneMinusBeta1_F64;
        beta2_F32 = (float) beta2_F64;
        eps_F32 = (float) eps_F64;
        negClr_F32 = (float) negClr_F64;
    }

    @Override
    public String toString() {
        return "AdamaxStep(t=" + t + ", lr=" + lr + ", clr=" + (-negClr_F64) + ")";
    }
}
