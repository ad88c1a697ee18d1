package org.adam4j.reference;

/**
 * The scalars of one SGD step, computed once (in double, then rounded once to float for the {@code _F32} fields)
 * and shared by the reference and every kernel. The update of element {@code i} is:
 *
 * <pre>
 *   d = maximize ? -grad[i] : grad[i]
 *   if (l2) d = fma(weightDecay, p[i], d)
 *   if (momentum) {
 *       buf[i] = first ? d : fma(momentum, buf[i], oneMinusDampening * d)     (PyTorch: the first buffer is d)
 *       d = nesterov ? fma(momentum, buf[i], d) : buf[i]
 *   }
 *   p[i] = fma(negLr, d, p[i])
 * </pre>
 */
public final class SgdStep extends OptimizerStep {
    /** Whether the gradient is negated (the objective maximized). */
    public final boolean maximize;
    /** Whether coupled L2 weight decay applies ({@code g = fma(weightDecay, p, g)}). */
    public final boolean l2;
    /** Whether there is a momentum buffer ({@code momentum != 0}). */
    public final boolean momentum;
    /** Whether the momentum is Nesterov's. */
    public final boolean nesterov;
    /** Whether this is the first step, which sets the momentum buffer to the gradient. */
    public final boolean first;

    /**
     * The update's scalars in double: the L2 coefficient, the momentum factor, {@code 1 - dampening} and {@code -lr}.
     */
    public final double weightDecay_F64, momentum_F64, oneMinusDampening_F64, negLr_F64;
    /**
     * The update's scalars in float, rounded once from the double value: the L2 coefficient, the momentum factor,
     * {@code 1 - dampening} and {@code -lr}.
     */
    public final float weightDecay_F32, momentum_F32, oneMinusDampening_F32, negLr_F32;

    SgdStep(SgdConfig c, long t, double lr) {
        super(t, lr);
        this.maximize = c.maximize();
        this.l2 = c.weightDecay() != 0.0;
        this.momentum = c.momentum() != 0.0;
        this.nesterov = c.nesterov();
        this.first = t == 1;
        weightDecay_F64 = c.weightDecay();
        momentum_F64 = c.momentum();
        oneMinusDampening_F64 = 1.0 - c.dampening();
        negLr_F64 = -lr;

        weightDecay_F32 = (float) weightDecay_F64;
        momentum_F32 = (float) momentum_F64;
        oneMinusDampening_F32 = (float) oneMinusDampening_F64;
        negLr_F32 = (float) negLr_F64;
    }

    @Override
    public String toString() {
        return "SgdStep(t=" + t + ", lr=" + lr + ", first=" + first + ")";
    }
}
