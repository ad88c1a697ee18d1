package org.adam4j.reference;

/**
 * How a sparse (row-wise) Adam step treats the rows it does not touch. See {@code LazyRowsReference_F32} for the
 * arithmetic and the README's "Lazy row updates" for what each mode guarantees.
 */
public enum LazyMode {
    /**
     * TensorFlow's LazyAdam and PyTorch's SparseAdam: an untouched row keeps its parameters and moments unchanged;
     * a touched row takes one Adam step with the global step's scalars.
     */
    LAZY,
    /**
     * Each row remembers the step it was last updated. Touched again after {@code k} skipped steps, its moments are
     * first decayed in closed form ({@code m *= beta1^k}, {@code v *= beta2^k}) and the skipped steps' decoupled
     * weight decay is replayed ({@code p *= decayFactor^k}); then it takes the Adam step. The motion dense Adam
     * gives a zero-gradient row from its decaying momentum is not replayed.
     */
    EXACT
}
