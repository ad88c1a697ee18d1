package org.adam4j.reference;

/**
 * The scalars of one RAdam step, computed once (in double, then rounded once to float for the {@code _F32} fields)
 * and shared by the reference and every kernel. With {@code rho_inf = 2 / (1 - beta2) - 1} and
 * {@code rho_t = rho_inf - 2 t beta2^t / (1 - beta2^t)}, the step is {@link #rectified} when {@code rho_t > 5}
 * (PyTorch's threshold). The update of element {@code i} is:
 *
 * <pre>
 *   g = maximize ? -grad[i] : grad[i]
 *   if (l2)        g = fma(weightDecay, p[i], g)
 *   p = decoupled ? p[i] * decayFactor : p[i]        decayFactor = 1 - lr * weightDecay
 *   m[i] = fma(beta1, m[i], oneMinusBeta1 * g)
 *   v[i] = fma(beta2, v[i], oneMinusBeta2 * g * g)
 *   rectified:   p[i] = fma(negStepSize, m[i] / (sqrt(v[i]) + eps), p)
 *                       negStepSize = -lr * rect * sqrt(1 - beta2^t) / (1 - beta1^t)
 *                       rect = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
 *   otherwise:   p[i] = fma(negStepSize, m[i], p)        negStepSize = -lr / (1 - beta1^t)
 * </pre>
 *
 * As in PyTorch 1.13, eps is added to {@code sqrt(v)} before the bias correction of {@code v}.
 */
public final class RAdamStep extends AdamLikeStep {
    /** Whether {@code rho_t > 5}: the adaptive, rectified update; otherwise the un-adapted momentum update. */
    public final boolean rectified;
    /** {@code rho_t}, the length of the approximated simple moving average at this step. */
    public final double rhoT;

    /** RAdam's step size, negated, in double (see the class comment). */
    public final double negStepSize_F64;
    /** RAdam's step size, negated, in float, rounded once from the double value (see the class comment). */
    public final float negStepSize_F32;

    RAdamStep(RAdamConfig c, long t, double lr) {
        super(t, lr, c.beta1(), c.beta2(), c.eps(), c.weightDecay(), c.maximize(), c.decoupledWeightDecay());
        double beta2t = Math.pow(c.beta2(), (double) t);
        double bc1 = 1.0 - Math.pow(c.beta1(), (double) t);
        double bc2 = 1.0 - beta2t;
        double rhoInf = 2.0 / (1.0 - c.beta2()) - 1.0;
        this.rhoT = rhoInf - 2.0 * t * beta2t / bc2;
        this.rectified = rhoT > RAdamConfig.RHO_THRESHOLD;
        if (rectified) {
            double rect = Math.sqrt((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
            negStepSize_F64 = -lr * rect * Math.sqrt(bc2) / bc1;
        } else {
            negStepSize_F64 = -lr / bc1;
        }
        negStepSize_F32 = (float) negStepSize_F64;
    }

    @Override
    public String toString() {
        return "RAdamStep(t=" + t + ", lr=" + lr + ", rho_t=" + rhoT + ", rectified=" + rectified + ", stepSize="
                + (-negStepSize_F64) + ")";
    }
}
