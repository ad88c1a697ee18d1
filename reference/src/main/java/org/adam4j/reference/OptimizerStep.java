package org.adam4j.reference;

/**
 * The scalars of one step of one algorithm, computed once per step (in double, then rounded once to float) and shared
 * by the reference and every kernel: {@link AdamStep}, {@link AdamaxStep}, {@link NAdamStep}, {@link RAdamStep}
 * (the last three through {@link AdamLikeStep}), {@link SgdStep}, {@link RmspropStep}, {@link AdagradStep}. Get one
 * from {@link OptimizerConfig#step}. Every step has its number and learning rate, checked here once for all.
 */
public abstract sealed class OptimizerStep permits AdamStep, AdamLikeStep, SgdStep, RmspropStep, AdagradStep {
    /** The step number, 1 for the first step. */
    public final long t;
    /** The learning rate of this step. */
    public final double lr;

    /**
     * Checks and keeps what every step has.
     *
     * @throws IllegalArgumentException if {@code t < 1} or {@code lr} is negative or not finite
     */
    OptimizerStep(long t, double lr) {
        this.t = Hyper.step(t);
        this.lr = Hyper.lr(lr);
    }

    /** {@return the step number, 1 for the first} */
    public final long stepNumber() {
        return t;
    }

    /** {@return the learning rate of this step} */
    public final double learningRate() {
        return lr;
    }

    /**
     * Writes the parameter's scalar state after this step into {@code scalars} (in
     * {@link OptimizerConfig#scalarStates()} order): NAdam's {@code mu_product}; nothing for the others.
     *
     * @param scalars where the scalar state goes (its length is the number of scalar states)
     */
    public void scalarsAfter(double[] scalars) {
    }

    /**
     * {@return the step after {@code t}, refusing to wrap around}
     *
     * @param t the step number, 1 for the first step
     */
    public static long next(long t) {
        if (t == Long.MAX_VALUE) {
            throw new ArithmeticException("step count would overflow past " + Long.MAX_VALUE);
        }
        return t + 1;
    }
}
