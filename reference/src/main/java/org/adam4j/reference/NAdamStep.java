package org.adam4j.reference;

/**
 * The scalars of one NAdam step, computed once (in double, then rounded once to float for the {@code _F32} fields)
 * and shared by the reference and every kernel. With {@code mu_t = beta1 * (1 - 0.5 * 0.96^(t * momentum_decay))},
 * {@code muProduct = mu_1 * ... * mu_t} and {@code muProductNext = muProduct * mu_{t+1}}, the update of element
 * {@code i} is:
 *
 * <pre>
 *   g = maximize ? -grad[i] : grad[i]
 *   if (l2)        g = fma(weightDecay, p[i], g)
 *   p = decoupled ? p[i] * decayFactor : p[i]        decayFactor = 1 - lr * weightDecay
 *   m[i] = fma(beta1, m[i], oneMinusBeta1 * g)
 *   v[i] = fma(beta2, v[i], oneMinusBeta2 * g * g)
 *   denom = fma(sqrt(v[i]), denomScale, eps)          denomScale = 1 / sqrt(1 - beta2^t)
 *   p[i] = p + fma(momentumCoef, m[i], gradCoef * g) / denom
 *          gradCoef = -lr * (1 - mu_t) / (1 - muProduct),  momentumCoef = -lr * mu_{t+1} / (1 - muProductNext)
 * </pre>
 *
 * PyTorch adds its two terms with two divisions; one division of their sum is the same mathematics.
 */
public final class NAdamStep extends AdamLikeStep {
    /** {@code mu_1 * ... * mu_t}, carried to the next step (PyTorch's {@code mu_product} state). */
    public final double muProduct;
    private final NAdamConfig config;

    /**
     * NAdam's scalars in double: {@code denomScale = 1 / sqrt(1 - beta2^t)}, {@code gradCoef} and {@code momentumCoef}
     * (see the class comment).
     */
    public final double denomScale_F64, gradCoef_F64, momentumCoef_F64;
    /**
     * NAdam's scalars in float, rounded once from the double value: {@code denomScale = 1 / sqrt(1 - beta2^t)}, {@code
     * gradCoef} and {@code momentumCoef} (see the class comment).
     */
    public final float denomScale_F32, gradCoef_F32, momentumCoef_F32;

    private NAdamStep(NAdamConfig c, long t, double lr, double muProductBefore) {
        super(t, lr, c.beta1(), c.beta2(), c.eps(), c.weightDecay(), c.maximize(), c.decoupledWeightDecay());
        this.config = c;
        double mu = c.mu(t);
        double muNext = c.mu(t + 1);
        this.muProduct = muProductBefore * mu;
        double muProductNext = muProduct * muNext;
        denomScale_F64 = 1.0 / Math.sqrt(1.0 - Math.pow(c.beta2(), (double) t));
        gradCoef_F64 = -lr * (1.0 - mu) / (1.0 - muProduct);
        momentumCoef_F64 = -lr * muNext / (1.0 - muProductNext);

        denomScale_F32 = (float) denomScale_F64;
        gradCoef_F32 = (float) gradCoef_F64;
        momentumCoef_F32 = (float) momentumCoef_F64;
    }

    /** Step {@code t} given {@code mu_1 * ... * mu_(t-1)} (1 for the first step). */
    static NAdamStep of(NAdamConfig c, long t, double lr, double muProductBefore) {
        return new NAdamStep(c, t, lr, muProductBefore);
    }

    /** {@return the next step at the configuration's learning rate, carrying {@link #muProduct} on} */
    public NAdamStep next() {
        return next(config.lr());
    }

    /**
     * {@return the next step at a scheduled learning rate}
     *
     * @param scheduledLr the learning rate of this step (from a schedule)
     */
    public NAdamStep next(double scheduledLr) {
        return new NAdamStep(config, OptimizerStep.next(t), scheduledLr, muProduct);
    }

    /** {@code scalars[0] = }{@link #muProduct}: PyTorch's {@code mu_product} after this step. */
    @Override
    public void scalarsAfter(double[] scalars) {
        scalars[0] = muProduct;
    }

    @Override
    public String toString() {
        return "NAdamStep(t=" + t + ", lr=" + lr + ", mu_product=" + muProduct + ", gradCoef=" + gradCoef_F64
                + ", momentumCoef=" + momentumCoef_F64 + ")";
    }
}
