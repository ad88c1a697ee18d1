package org.adam4j.reference;

/**
 * The scalars of one RMSprop step, computed once (in double, then rounded once to float for the {@code _F32} fields)
 * and shared by the reference and every kernel. The update of element {@code i} is:
 *
 * <pre>
 *   g = maximize ? -grad[i] : grad[i]
 *   if (l2) g = fma(weightDecay, p[i], g)
 *   sq[i] = fma(alpha, sq[i], oneMinusAlpha * g * g)
 *   if (centered) { ga[i] = fma(alpha, ga[i], oneMinusAlpha * g);  avg = sqrt(fma(-ga[i], ga[i], sq[i])) + eps }
 *   else          avg = sqrt(sq[i]) + eps
 *   if (momentum) { buf[i] = fma(momentum, buf[i], g / avg);  p[i] = fma(negLr, buf[i], p[i]) }
 *   else          p[i] = fma(negLr, g / avg, p[i])
 * </pre>
 *
 * RMSprop's arithmetic does not depend on the step number; {@link #t} is kept for symmetry with the others.
 */
public final class RmspropStep extends OptimizerStep {
    /** Whether the gradient is negated (the objective maximized). */
    public final boolean maximize;
    /** Whether coupled L2 weight decay applies ({@code g = fma(weightDecay, p, g)}). */
    public final boolean l2;
    /** Whether the squared average is centered by the gradient's average ({@code grad_avg}). */
    public final boolean centered;
    /** Whether there is a momentum buffer ({@code momentum > 0}). */
    public final boolean momentum;

    /**
     * The update's scalars in double: the L2 coefficient, {@code alpha}, {@code 1 - alpha}, {@code eps}, the momentum
     * factor and {@code -lr}.
     */
    public final double weightDecay_F64, alpha_F64, oneMinusAlpha_F64, eps_F64, momentum_F64, negLr_F64;
    /**
     * The update's scalars in float, rounded once from the double value: the L2 coefficient, {@code alpha}, {@code 1 -
     * alpha}, {@code eps}, the momentum factor and {@code -lr}.
     */
    public final float weightDecay_F32, alpha_F32, oneMinusAlpha_F32, eps_F32, momentum_F32, negLr_F32;

    RmspropStep(RmspropConfig c, long t, double lr) {
        super(t, lr);
        this.maximize = c.maximize();
        this.l2 = c.weightDecay() != 0.0;
        this.centered = c.centered();
        this.momentum = c.momentum() > 0.0;
        weightDecay_F64 = c.weightDecay();
        alpha_F64 = c.alpha();
        oneMinusAlpha_F64 = 1.0 - c.alpha();
        eps_F64 = c.eps();
        momentum_F64 = c.momentum();
        negLr_F64 = -lr;

        weightDecay_F32 = (float) weightDecay_F64;
        alpha_F32 = (float) alpha_F64;
        oneMinusAlpha_F32 = (float) oneMinusAlpha_F64;
        eps_F32 = (float) eps_F64;
        momentum_F32 = (float) momentum_F64;
        negLr_F32 = (float) negLr_F64;
    }

    @Override
    public String toString() {
        return "RmspropStep(t=" + t + ", lr=" + lr + ")";
    }
}
