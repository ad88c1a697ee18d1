package org.adam4j.reference;

/**
 * How a sparse (row-wise) Adam step treats the rows it does not touch. See {@code LazyRowsReference_F32} for the
 * arithmetic and the README's "Lazy row updates" for what each mode guarantees.
 */
public enum LazyMode {
    /**
     * PyTorch's {@code torch.optim.SparseAdam} (and TensorFlow's LazyAdam): an untouched row keeps its parameters and
     * moments unchanged; a touched row takes one Adam step with the table's step count {@code t}, in the epsilon-hat
     * form ({@code p -= lr * sqrt(1 - beta2^t) / (1 - beta1^t) * m / (sqrt(v) + eps)}, {@link
     * AdamStep#epsilonHatForm()}) whatever the configuration's {@code epsilonHat}: an {@link AdamConfig} with
     * SparseAdam's {@code lr}, {@code betas}, {@code eps} and {@code maximize} is SparseAdam.
     */
    LAZY,
    /**
     * Each row remembers the step it was last updated. Touched again after {@code k} skipped steps, its moments are
     * first decayed in closed form ({@code m *= beta1^k}, {@code v *= beta2^k}) and the skipped steps' decoupled
     * weight decay is replayed ({@code p *= decayFactor^k}); then it takes the Adam step. The motion dense Adam
     * gives a zero-gradient row from its decaying momentum is not replayed. The step takes the configuration's form
     * (with PyTorch's Adam, {@code eps} added after bias correction), as dense Adam does.
     */
    EXACT
}
