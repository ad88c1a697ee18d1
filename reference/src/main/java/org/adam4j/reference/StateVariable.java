package org.adam4j.reference;

/**
 * A piece of optimizer state, by PyTorch's name ({@code exp_avg}, {@code momentum_buffer}, {@code sum},
 * {@code mu_product}...), the value it holds before the first step, and the range a step can leave it in (a state
 * file or a {@code loadState} with a value outside it is refused: a negative {@code exp_avg_sq} would stay negative).
 *
 * @param name         PyTorch's name in {@code optimizer.state[p]}
 * @param initialValue what every element (or the scalar) starts from: 0 for moments and buffers, AdaGrad's
 *                     {@code initial_accumulator_value} for {@code sum}, 1 for NAdam's {@code mu_product}
 * @param min          the least value a step can produce (NaN aside, which a NaN gradient spreads everywhere)
 * @param max          the greatest
 */
public record StateVariable(String name, double initialValue, double min, double max) {
    /**
     * {@return a state that may take any value}
     *
     * @param initialValue the value the state starts at
     * @param name PyTorch's name of the state
     */
    public static StateVariable any(String name, double initialValue) {
        return new StateVariable(name, initialValue, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
    }

    /**
     * {@return a state that never goes below 0: a sum of squares or of magnitudes}
     *
     * @param initialValue the value the state starts at
     * @param name PyTorch's name of the state
     */
    public static StateVariable nonNegative(String name, double initialValue) {
        return new StateVariable(name, initialValue, 0.0, Double.POSITIVE_INFINITY);
    }

    /**
     * {@return whether {@code x} is in range; NaN is, for arrays (see {@link #min})}
     *
     * @param x the value
     */
    public boolean admits(double x) {
        return !(x < min) && !(x > max);
    }
}
