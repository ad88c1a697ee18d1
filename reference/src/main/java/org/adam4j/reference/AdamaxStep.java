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
public final class AdamaxStep extends AdamLikeStep {
    /** {@code -lr / (1 - beta1^t)} in double. */
    public final double negClr_F64;
    /** {@code -lr / (1 - beta1^t)} in float, rounded once from the double value. */
    public final float negClr_F32;

    AdamaxStep(AdamaxConfig c, long t, double lr) {
        super(t, lr, c.beta1(), c.beta2(), c.eps(), c.weightDecay(), c.maximize(), false);
        negClr_F64 = -lr / (1.0 - Math.pow(c.beta1(), (double) t));
        negClr_F32 = (float) negClr_F64;
    }

    @Override
    public String toString() {
        return "AdamaxStep(t=" + t + ", lr=" + lr + ", clr=" + (-negClr_F64) + ")";
    }
}
