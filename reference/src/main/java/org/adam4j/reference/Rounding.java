package org.adam4j.reference;

/**
 * How a stepped parameter kept in a 16-bit {@link LowPrecision} format is rounded back to its storage (the arithmetic
 * of the step is done in {@code float}).
 */
public enum Rounding {
    /** Round to nearest, ties to even: {@link LowPrecision#fromFloatNearestEven}. */
    NEAREST,
    /**
     * Stochastic rounding with the bits of {@link StochasticBits#bits(long, long, long)} keyed by (seed, step number,
     * global element index): {@link LowPrecision#fromFloatStochastic(float, long, long, long)}.
     */
    STOCHASTIC,
    /**
     * Kahan-compensated storage: a compensation buffer in the parameter's format keeps what rounding the parameter
     * lost, as optimi does ({@link LowPrecision#kahanAdd}).
     */
    KAHAN
}
