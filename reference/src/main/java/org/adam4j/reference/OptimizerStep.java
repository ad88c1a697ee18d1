package org.adam4j.reference;

/**
 * The scalars of one step of one algorithm, computed once per step (in double, then rounded once to float) and shared
 * by the reference and every kernel: {@link AdamStep}, {@link AdamaxStep}, {@link NAdamStep}, {@link RAdamStep},
 * {@link SgdStep}, {@link RmspropStep}, {@link AdagradStep}. Get one from {@link OptimizerConfig#step}.
 */
public sealed interface OptimizerStep
        permits AdamStep, AdamaxStep, NAdamStep, RAdamStep, SgdStep, RmspropStep, AdagradStep {
    /** {@return the step number, 1 for the first} */
    long stepNumber();

    /** {@return the learning rate of this step} */
    double learningRate();

    /**
     * Writes the parameter's scalar state after this step into {@code scalars} (in
     * {@link OptimizerConfig#scalarStates()} order): NAdam's {@code mu_product}; nothing for the others.
     *
     * @param scalars where the scalar state goes (its length is the number of scalar states)
     */
    default void scalarsAfter(double[] scalars) {
    }

    /**
     * {@return the step after {@code t}, refusing to wrap around}
     *
     * @param t the step number, 1 for the first step
     */
    static long next(long t) {
        if (t == Long.MAX_VALUE) {
            throw new ArithmeticException("step count would overflow past " + Long.MAX_VALUE);
        }
        return t + 1;
    }
}
