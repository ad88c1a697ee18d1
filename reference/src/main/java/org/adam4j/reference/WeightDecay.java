package org.adam4j.reference;

/** How weight decay enters an Adam step. The coefficient is {@link AdamConfig#weightDecay()}. */
public enum WeightDecay {
    /** No weight decay. */
    NONE,
    /** L2 penalty coupled to the gradient, as {@code torch.optim.Adam}: {@code g += wd * p}. */
    L2,
    /** Decoupled decay, as {@code torch.optim.AdamW}: {@code p *= 1 - lr * wd} before the step. */
    DECOUPLED,
    /**
     * Fully decoupled decay, as optimi's {@code decouple_lr=True}: {@code p *= 1 - (lr / max_lr) * wd}, so the
     * decay follows a learning-rate schedule but not the learning rate's magnitude.
     */
    FULLY_DECOUPLED
}
