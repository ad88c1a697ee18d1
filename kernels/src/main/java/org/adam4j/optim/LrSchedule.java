package org.adam4j.optim;

/**
 * A group's learning rate as a function of the optimizer's step {@code t} (1 for the first step) and the group's base
 * learning rate ({@code config().lr()}). The built-in schedules are records, so they are saved with the optimizer's
 * state and compared when it is loaded; any other implementation is saved as "custom" and must be supplied again.
 */
@FunctionalInterface
public interface LrSchedule {
    /** The learning rate of step {@code t}; must be finite and {@code >= 0}. */
    double lr(long t, double baseLr);

    /** The base learning rate at every step. */
    static LrSchedule constant() {
        return new Constant();
    }

    /** PyTorch's {@code StepLR}: {@code baseLr * gamma^floor((t - 1) / stepSize)}. */
    static LrSchedule stepDecay(long stepSize, double gamma) {
        return new StepDecay(stepSize, gamma);
    }

    /**
     * Linear warm-up from {@code baseLr / warmupSteps} to {@code baseLr} over the first {@code warmupSteps} steps, then
     * a half cosine down to {@code minLr} at step {@code totalSteps}, and {@code minLr} after it.
     */
    static LrSchedule cosineWithWarmup(long warmupSteps, long totalSteps, double minLr) {
        return new CosineWithWarmup(warmupSteps, totalSteps, minLr);
    }

    /** The Adam paper's {@code alpha_t = alpha / sqrt(t)} (its convergence analysis, section 4). */
    static LrSchedule inverseSqrt() {
        return new InverseSqrt();
    }

    /** See {@link #constant()}. */
    record Constant() implements LrSchedule {
        @Override
        public double lr(long t, double baseLr) {
            return baseLr;
        }
    }

    /** See {@link #stepDecay(long, double)}. */
    record StepDecay(long stepSize, double gamma) implements LrSchedule {
        public StepDecay {
            if (stepSize < 1) {
                throw new IllegalArgumentException("Invalid step_size: " + stepSize + " (must be >= 1)");
            }
            if (!(gamma >= 0.0) || Double.isInfinite(gamma)) {
                throw new IllegalArgumentException("Invalid gamma: " + gamma + " (must be finite and >= 0)");
            }
        }

        @Override
        public double lr(long t, double baseLr) {
            return baseLr * Math.pow(gamma, (double) ((t - 1) / stepSize));
        }
    }

    /** See {@link #cosineWithWarmup(long, long, double)}. */
    record CosineWithWarmup(long warmupSteps, long totalSteps, double minLr) implements LrSchedule {
        public CosineWithWarmup {
            if (warmupSteps < 0) {
                throw new IllegalArgumentException("Invalid warmup steps: " + warmupSteps + " (must be >= 0)");
            }
            if (totalSteps <= warmupSteps) {
                throw new IllegalArgumentException("Invalid total steps: " + totalSteps
                        + " (must exceed the " + warmupSteps + " warm-up steps)");
            }
            if (!(minLr >= 0.0) || Double.isInfinite(minLr)) {
                throw new IllegalArgumentException("Invalid min_lr: " + minLr + " (must be finite and >= 0)");
            }
        }

        @Override
        public double lr(long t, double baseLr) {
            if (t <= warmupSteps) {
                return baseLr * t / warmupSteps;
            }
            if (t >= totalSteps) {
                return minLr;
            }
            double progress = (double) (t - warmupSteps) / (totalSteps - warmupSteps);
            return minLr + (baseLr - minLr) * 0.5 * (1.0 + Math.cos(Math.PI * progress));
        }
    }

    /** See {@link #inverseSqrt()}. */
    record InverseSqrt() implements LrSchedule {
        @Override
        public double lr(long t, double baseLr) {
            return baseLr / Math.sqrt((double) t);
        }
    }
}
