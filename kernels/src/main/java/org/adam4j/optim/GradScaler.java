package org.adam4j.optim;

/**
 * A dynamic loss scale with PyTorch's {@code torch.cuda.amp.GradScaler} policy: the loss is multiplied by
 * {@link #scale()} before the backward pass, the optimizer it is given to ({@link Optimizer.Builder#gradScaler})
 * unscales the gradients inside its step and skips a step whose unscaled gradients hold a NaN or an infinity; then
 * the scale backs off ({@code scale * backoffFactor}) after a skipped step and grows ({@code scale * growthFactor})
 * after {@code growthInterval} steps in a row without one, as {@code GradScaler.update()} does. The scale is a
 * {@code float}, as PyTorch's scale tensor is. It is part of the optimizer's {@link Optimizer#state()} and state file.
 *
 * <p>A scaler belongs to one optimizer; it is not safe for concurrent use (the optimizer updates it in its step).
 */
public final class GradScaler {
    private float growthFactor;
    private float backoffFactor;
    private int growthInterval;
    private float scale;
    private int growthTracker;

    /** PyTorch's defaults: initial scale 65536, growth factor 2, backoff factor 0.5, growth interval 2000. */
    public GradScaler() {
        this(65536.0, 2.0, 0.5, 2000);
    }

    /**
     * A scaler with PyTorch's parameters.
     *
     * @param initScale the first scale ({@code init_scale})
     * @param growthFactor the factor after {@code growthInterval} good steps, above 1
     * @param backoffFactor the factor after a skipped step, in (0, 1)
     * @param growthInterval the good steps in a row before the scale grows, at least 1
     * @throws IllegalArgumentException for a value out of those ranges or a scale not finite and positive
     */
    public GradScaler(double initScale, double growthFactor, double backoffFactor, int growthInterval) {
        this(check(initScale, growthFactor, backoffFactor, growthInterval), (float) growthFactor,
                (float) backoffFactor, growthInterval, 0);
    }

    private GradScaler(float scale, float growthFactor, float backoffFactor, int growthInterval, int growthTracker) {
        this.scale = scale;
        this.growthFactor = growthFactor;
        this.backoffFactor = backoffFactor;
        this.growthInterval = growthInterval;
        this.growthTracker = growthTracker;
    }

    private static float check(double initScale, double growthFactor, double backoffFactor, int growthInterval) {
        if (!(initScale > 0) || !Float.isFinite((float) initScale)) {
            throw new IllegalArgumentException("initScale must be a finite positive float, got " + initScale);
        }
        if (!(growthFactor > 1) || !Float.isFinite((float) growthFactor)) {
            throw new IllegalArgumentException("growthFactor must be finite and above 1, got " + growthFactor);
        }
        if (!(backoffFactor > 0 && backoffFactor < 1)) {
            throw new IllegalArgumentException("backoffFactor must be in (0, 1), got " + backoffFactor);
        }
        if (growthInterval < 1) {
            throw new IllegalArgumentException("growthInterval must be at least 1, got " + growthInterval);
        }
        return (float) initScale;
    }

    /** {@return the current scale: multiply the loss by it} */
    public float scale() {
        return scale;
    }

    /** {@return the good steps in a row since the scale last changed} */
    public int growthTracker() {
        return growthTracker;
    }

    /** {@return the factor the scale grows by} */
    public float growthFactor() {
        return growthFactor;
    }

    /** {@return the factor the scale backs off by} */
    public float backoffFactor() {
        return backoffFactor;
    }

    /** {@return the good steps in a row before the scale grows} */
    public int growthInterval() {
        return growthInterval;
    }

    /**
     * PyTorch's {@code _amp_update_scale_}: back off and reset after a skipped step; otherwise count the step and
     * grow the scale after {@code growthInterval} of them (only to a finite scale, as PyTorch's kernel checks).
     *
     * @param skipped whether the step found a NaN or an infinity and was skipped
     */
    void update(boolean skipped) {
        if (skipped) {
            scale *= backoffFactor;
            growthTracker = 0;
            return;
        }
        int successful = growthTracker + 1;
        if (successful == growthInterval) {
            float grown = scale * growthFactor;
            if (Float.isFinite(grown)) {
                scale = grown;
            }
            growthTracker = 0;
        } else {
            growthTracker = successful;
        }
    }

    /** {@return this scaler's state, as a value} */
    public State state() {
        return new State(scale, growthTracker, growthFactor, backoffFactor, growthInterval);
    }

    /** Takes a saved state whole, as {@code GradScaler.load_state_dict} does. */
    void load(State s) {
        scale = s.scale();
        growthTracker = s.growthTracker();
        growthFactor = s.growthFactor();
        backoffFactor = s.backoffFactor();
        growthInterval = s.growthInterval();
    }

    /**
     * A scaler from a saved state.
     *
     * @param s the state
     * @return a scaler in that state
     */
    public static GradScaler of(State s) {
        return new GradScaler(s.scale(), s.growthFactor(), s.backoffFactor(), s.growthInterval(), s.growthTracker());
    }

    @Override
    public String toString() {
        return "GradScaler(scale=" + scale + ", growth_tracker=" + growthTracker + ")";
    }

    /**
     * A scaler's state, as PyTorch's {@code GradScaler.state_dict()} holds it.
     *
     * @param scale the current scale
     * @param growthTracker the good steps in a row
     * @param growthFactor the growth factor
     * @param backoffFactor the backoff factor
     * @param growthInterval the growth interval
     */
    public record State(float scale, int growthTracker, float growthFactor, float backoffFactor, int growthInterval) {
        /** Checks the values as the scaler's constructor does. */
        public State {
            check(scale, growthFactor, backoffFactor, growthInterval);
            if (growthTracker < 0 || growthTracker >= growthInterval) {
                throw new IllegalArgumentException("growthTracker must be in [0, " + growthInterval + "), got "
                        + growthTracker);
            }
        }
    }
}
