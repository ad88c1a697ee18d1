package org.adam4j.train;

/**
 * All that training and the function demo need from an optimizer: parameters registered once as value and gradient
 * arrays, then one {@link #step()} per batch.
 *
 * <p>This is the seam to the optimizer API of issue 5 ({@code org.adam4j.optim}), which is not merged yet. When it
 * lands, {@link Optimizers#create} returns an adapter over that API (which then also brings the relatives of issue 6)
 * and {@link KernelAdamOptimizer} goes away; nothing else here changes.
 */
public interface TrainableOptimizer extends AutoCloseable {
    /** Adds a parameter; {@code grad} is read on each {@link #step()}, {@code value} updated in place. */
    void register(float[] value, float[] grad);

    /** As {@link #register(float[], float[])}, in double precision. */
    void register(double[] value, double[] grad);

    /** Updates every registered parameter from its gradient. */
    void step();

    /** The optimizer and its hyperparameters, in PyTorch's terms, for the progress output. */
    String describe();

    /** Releases what the optimizer holds (the optimizer API's threads); nothing to release for the kernels alone. */
    @Override
    default void close() {
    }
}
