package org.adam4j.optim;

import java.util.List;
import java.util.Objects;

/**
 * A group's learning rate as a function of the optimizer's step {@code t} (1 for the first step) and the group's base
 * learning rate ({@code config().lr()}).
 *
 * <h2>PyTorch's schedulers</h2>
 * The factories named after {@code torch.optim.lr_scheduler}'s classes ({@link #stepLR}, {@link #multiStepLR},
 * {@link #exponentialLR}, {@link #cosineAnnealingLR}, {@link #linearLR}, {@link #oneCycleLR},
 * {@link #cosineAnnealingWarmRestarts}, {@link #sequentialLR}) take PyTorch's arguments (camel-cased: {@code T_max}
 * is {@code tMax}) and give PyTorch 1.13's learning rates, computed with its arithmetic (its recursive forms where it
 * uses them), within one ulp of double. Step {@code t} here is the {@code t}-th {@code optimizer.step()} of the
 * usual PyTorch loop
 * <pre>
 * scheduler = CosineAnnealingLR(optimizer, T_max)       # last_epoch = 0
 * for batch in data:
 *     ...; optimizer.step()                              # step t uses get_last_lr() at last_epoch = t - 1
 *     scheduler.step()
 * </pre>
 * so {@code lr(t, baseLr)} is PyTorch's {@code get_last_lr()} after {@code t - 1} calls of {@code scheduler.step()},
 * with the optimizer's {@code lr} as {@code baseLr}: the first step uses the scheduler's initial learning rate
 * ({@code baseLr} for {@code CosineAnnealingLR}, {@code baseLr * start_factor} for {@code LinearLR},
 * {@code max_lr / div_factor} for {@code OneCycleLR}). A schedule is stepped once per optimizer step, never per epoch.
 *
 * <p>The recursive forms make step {@code t} depend on every step before it; an internal memo of the last step
 * computed per schedule and base learning rate keeps a training loop's calls constant-time.
 *
 * <h2>Saving</h2>
 * The named schedules ({@link Named}) are saved with the optimizer's state and compared when it is loaded. Any other
 * implementation (a lambda, {@link #custom}) cannot be saved: {@code save} refuses it, unless it is wrapped by
 * {@link #lambda(LrSchedule, boolean) lambda(fn, true)}, which states that the caller gives {@code load} the same
 * function again; the file then records only that the schedule was custom.
 */
@FunctionalInterface
public interface LrSchedule {
    /**
     * {@return the learning rate of step {@code t}; must be finite and {@code >= 0}}
     *
     * @param t the step number, 1 for the first step
     * @param baseLr the group's configured learning rate
     */
    double lr(long t, double baseLr);

    /** {@return the base learning rate at every step} */
    static LrSchedule constant() {
        return new Constant();
    }

    /**
     * {@code baseLr * gamma^floor((t - 1) / stepSize)} computed in closed form, which can differ from PyTorch's
     * {@code StepLR} (repeated multiplication) in the last bits; {@link #stepLR} is PyTorch's.
     *
     * @param stepSize the number of steps between two decays
     * @param gamma the factor the learning rate is multiplied by at each decay
     * @return the schedule
     */
    static LrSchedule stepDecay(long stepSize, double gamma) {
        return new StepDecay(stepSize, gamma);
    }

    /**
     * Linear warm-up from {@code baseLr / warmupSteps} to {@code baseLr} over the first {@code warmupSteps} steps, then
     * a half cosine down to {@code minLr} at step {@code totalSteps}, and {@code minLr} after it. With no warm-up it is
     * one step ahead of PyTorch's {@code CosineAnnealingLR} (its step 1 already decays);
     * {@code cosineAnnealingLR(totalSteps, minLr)} is PyTorch's, and {@link #sequentialLR} of {@link #linearLR} and
     * {@link #cosineAnnealingLR} is PyTorch's warm-up then cosine.
     *
     * @param warmupSteps the number of steps of linear warm-up
     * @param totalSteps the number of steps of the whole schedule
     * @param minLr the learning rate at the end of the cosine
     * @return the schedule
     */
    static LrSchedule cosineWithWarmup(long warmupSteps, long totalSteps, double minLr) {
        return new CosineWithWarmup(warmupSteps, totalSteps, minLr);
    }

    /** {@return the Adam paper's {@code alpha_t = alpha / sqrt(t)} (its convergence analysis, section 4)} */
    static LrSchedule inverseSqrt() {
        return new InverseSqrt();
    }

    /**
     * PyTorch's {@code StepLR(step_size, gamma)}: times {@code gamma} every {@code step_size} steps.
     *
     * @param stepSize the number of steps between two decays
     * @param gamma the factor the learning rate is multiplied by at each decay
     * @return the schedule
     */
    static StepLR stepLR(long stepSize, double gamma) {
        return new StepLR(stepSize, gamma);
    }

    /**
     * {@link #stepLR(long, double)} with PyTorch's default {@code gamma = 0.1}.
     *
     * @param stepSize the number of steps between two decays
     * @return the schedule
     */
    static StepLR stepLR(long stepSize) {
        return new StepLR(stepSize, 0.1);
    }

    /**
     * PyTorch's {@code MultiStepLR(milestones, gamma)}: times {@code gamma} when {@code last_epoch} (step - 1) reaches
     * each milestone (a milestone listed twice multiplies by {@code gamma^2} there, as PyTorch's {@code Counter}).
     *
     * @param milestones the steps at which the learning rate decays, increasing
     * @param gamma the factor the learning rate is multiplied by at each decay
     * @return the schedule
     */
    static MultiStepLR multiStepLR(List<Long> milestones, double gamma) {
        return new MultiStepLR(milestones, gamma);
    }

    /**
     * PyTorch's {@code ExponentialLR(gamma)}: times {@code gamma} every step.
     *
     * @param gamma the factor the learning rate is multiplied by at each decay
     * @return the schedule
     */
    static ExponentialLR exponentialLR(double gamma) {
        return new ExponentialLR(gamma);
    }

    /**
     * PyTorch's {@code CosineAnnealingLR(T_max, eta_min)}: {@code baseLr} at step 1 ({@code T_cur = 0}),
     * {@code eta_min} at step {@code T_max + 1}, then back up (PyTorch's schedule is periodic, not clamped).
     *
     * @param tMax the number of steps of the half cosine ({@code T_max})
     * @param etaMin the learning rate at the end of the cosine ({@code eta_min})
     * @return the schedule
     */
    static CosineAnnealingLR cosineAnnealingLR(long tMax, double etaMin) {
        return new CosineAnnealingLR(tMax, etaMin);
    }

    /**
     * {@link #cosineAnnealingLR(long, double)} with PyTorch's default {@code eta_min = 0}.
     *
     * @param tMax the number of steps of the half cosine ({@code T_max})
     * @return the schedule
     */
    static CosineAnnealingLR cosineAnnealingLR(long tMax) {
        return new CosineAnnealingLR(tMax, 0.0);
    }

    /**
     * PyTorch's {@code LinearLR(start_factor, end_factor, total_iters)}: {@code baseLr * start_factor} at step 1,
     * moving linearly to {@code baseLr * end_factor} at step {@code total_iters + 1} and staying there.
     *
     * @param startFactor the factor of the learning rate at the first step
     * @param endFactor the factor of the learning rate after {@code totalIters} steps
     * @param totalIters the number of steps over which the factor changes linearly
     * @return the schedule
     */
    static LinearLR linearLR(double startFactor, double endFactor, long totalIters) {
        return new LinearLR(startFactor, endFactor, totalIters);
    }

    /**
     * {@link #linearLR(double, double, long)} with PyTorch's defaults {@code (1/3, 1.0, 5)}.
     *
     * @return the schedule
     */
    static LinearLR linearLR() {
        return new LinearLR(1.0 / 3, 1.0, 5);
    }

    /**
     * PyTorch's {@code OneCycleLR(max_lr, total_steps, pct_start, anneal_strategy, div_factor, final_div_factor,
     * three_phase)} with {@code cycle_momentum=False} (a schedule sets the learning rate only). The group's base
     * learning rate is ignored, as PyTorch ignores the optimizer's {@code lr}: the cycle starts at
     * {@code max_lr / div_factor}. Steps 1 to {@code total_steps + 1} are defined; a later one throws
     * {@link IllegalStateException}, as PyTorch raises.
     *
     * @param maxLr the maximum learning rate, which the decay's learning rate is divided by (finite and > 0)
     * @param totalSteps the number of steps of the whole schedule
     * @param pctStart the fraction of the steps spent increasing the learning rate
     * @param annealStrategy how the learning rate is annealed: cosine or linear
     * @param divFactor the initial learning rate is {@code maxLr / divFactor}
     * @param finalDivFactor the final learning rate is the initial one divided by {@code finalDivFactor}
     * @param threePhase whether to use a third phase that anneals to the final learning rate (else two phases)
     * @return the schedule
     */
    static OneCycleLR oneCycleLR(double maxLr, long totalSteps, double pctStart, AnnealStrategy annealStrategy,
            double divFactor, double finalDivFactor, boolean threePhase) {
        return new OneCycleLR(maxLr, totalSteps, pctStart, annealStrategy, divFactor, finalDivFactor, threePhase);
    }

    /**
     * {@link #oneCycleLR(double, long, double, AnnealStrategy, double, double, boolean)} with PyTorch's defaults.
     *
     * @param maxLr the maximum learning rate, which the decay's learning rate is divided by (finite and > 0)
     * @param totalSteps the number of steps of the whole schedule
     * @return the schedule
     */
    static OneCycleLR oneCycleLR(double maxLr, long totalSteps) {
        return new OneCycleLR(maxLr, totalSteps, 0.3, AnnealStrategy.COS, 25.0, 1e4, false);
    }

    /**
     * PyTorch's {@code CosineAnnealingWarmRestarts(T_0, T_mult, eta_min)}: a cosine from {@code baseLr} to
     * {@code eta_min} over {@code T_0} steps, restarting at {@code baseLr}, each period {@code T_mult} times the last.
     *
     * @param t0 the number of steps of the first restart period ({@code T_0}), >= 1
     * @param tMult the factor by which each period is longer than the previous one ({@code T_mult}), >= 1
     * @param etaMin the learning rate at the end of the cosine ({@code eta_min})
     * @return the schedule
     */
    static CosineAnnealingWarmRestarts cosineAnnealingWarmRestarts(long t0, long tMult, double etaMin) {
        return new CosineAnnealingWarmRestarts(t0, tMult, etaMin);
    }

    /**
     * {@link #cosineAnnealingWarmRestarts(long, long, double)} with PyTorch's defaults {@code T_mult = 1, eta_min = 0}.
     *
     * @param t0 the number of steps of the first restart period ({@code T_0}), >= 1
     * @return the schedule
     */
    static CosineAnnealingWarmRestarts cosineAnnealingWarmRestarts(long t0) {
        return new CosineAnnealingWarmRestarts(t0, 1, 0.0);
    }

    /**
     * PyTorch's {@code SequentialLR(schedulers, milestones)}: {@code schedulers[i]} runs from {@code last_epoch}
     * (step - 1) {@code milestones[i - 1]}, restarted there at its own step 1 from the base learning rate (PyTorch's
     * {@code scheduler.step(0)}). Milestones are strictly increasing and {@code >= 1}, one fewer than the schedulers.
     *
     * @param schedulers the schedules to run one after the other
     * @param milestones the steps at which the learning rate decays, increasing
     * @return the schedule
     */
    static SequentialLR sequentialLR(List<? extends Phase> schedulers, List<Long> milestones) {
        return new SequentialLR(List.copyOf(schedulers), milestones);
    }

    /**
     * A custom schedule that {@code save} refuses (the file could not restore it). The same as passing {@code fn}
     * itself; use {@link #lambda(LrSchedule, boolean) lambda(fn, true)} to make it savable.
     *
     * @param fn the learning rate as a function of the step and the group's learning rate
     * @return the schedule
     */
    static LrSchedule custom(LrSchedule fn) {
        return new Lambda(fn, false);
    }

    /**
     * A custom schedule; {@code suppliedAgainOnLoad} states that the caller builds the optimizer given to
     * {@code load} with the same function, so {@code save} may write the state, recording only "custom" for it.
     *
     * @param fn the learning rate as a function of the step and the group's learning rate
     * @param suppliedAgainOnLoad {@code true} to state that the optimizer given to {@code load} is built with the same
     *     function
     * @return the schedule
     */
    static Lambda lambda(LrSchedule fn, boolean suppliedAgainOnLoad) {
        return new Lambda(fn, suppliedAgainOnLoad);
    }

    /** How {@link OneCycleLR} anneals: PyTorch's {@code anneal_strategy} {@code 'cos'} or {@code 'linear'}. */
    enum AnnealStrategy {
        /** Cosine annealing, {@code 'cos'}. */
        COS,
        /** Linear annealing, {@code 'linear'}. */
        LINEAR
    }

    /** The schedules a state file records by name and parameters; anything else is custom. */
    sealed interface Named extends LrSchedule permits Constant, StepDecay, CosineWithWarmup, InverseSqrt, OneCycleLR,
            SequentialLR, Phase {
    }

    /** The PyTorch schedulers {@link SequentialLR} can chain (OneCycleLR sets the group's initial lr itself). */
    sealed interface Phase extends Named permits StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, LinearLR,
            CosineAnnealingWarmRestarts {
        @Override
        default double lr(long t, double baseLr) {
            return PyTorchSchedules.phase(this, PyTorchSchedules.epoch(t), baseLr, true);
        }
    }

    /** See {@link #constant()}. */
    record Constant() implements Named {
        @Override
        public double lr(long t, double baseLr) {
            return baseLr;
        }
    }

    /**
     * See {@link #stepDecay(long, double)}.
     *
     * @param stepSize the number of steps between two decays
     * @param gamma the factor the learning rate is multiplied by at each decay
     */
    record StepDecay(long stepSize, double gamma) implements Named {
        /** Validates the arguments, with PyTorch's messages where PyTorch checks them. */
        public StepDecay {
            if (stepSize < 1) {
                throw new IllegalArgumentException("Invalid step_size: " + stepSize + " (must be >= 1)");
            }
            PyTorchSchedules.requireFactor("gamma", gamma);
        }

        @Override
        public double lr(long t, double baseLr) {
            return baseLr * Math.pow(gamma, (double) ((t - 1) / stepSize));
        }
    }

    /**
     * See {@link #cosineWithWarmup(long, long, double)}.
     *
     * @param warmupSteps the number of steps of linear warm-up
     * @param totalSteps the number of steps of the whole schedule
     * @param minLr the learning rate at the end of the cosine
     */
    record CosineWithWarmup(long warmupSteps, long totalSteps, double minLr) implements Named {
        /** Validates the arguments, with PyTorch's messages where PyTorch checks them. */
        public CosineWithWarmup {
            if (warmupSteps < 0) {
                throw new IllegalArgumentException("Invalid warmup steps: " + warmupSteps + " (must be >= 0)");
            }
            if (totalSteps <= warmupSteps) {
                throw new IllegalArgumentException("Invalid total steps: " + totalSteps
                        + " (must exceed the " + warmupSteps + " warm-up steps)");
            }
            PyTorchSchedules.requireLr("min_lr", minLr);
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
    record InverseSqrt() implements Named {
        @Override
        public double lr(long t, double baseLr) {
            return baseLr / Math.sqrt((double) t);
        }
    }

    /**
     * See {@link #stepLR(long, double)}.
     *
     * @param stepSize the number of steps between two decays
     * @param gamma the factor the learning rate is multiplied by at each decay
     */
    record StepLR(long stepSize, double gamma) implements Phase {
        /** Validates the arguments, with PyTorch's messages where PyTorch checks them. */
        public StepLR {
            if (stepSize < 1) {
                throw new IllegalArgumentException("Invalid step_size: " + stepSize + " (must be >= 1)");
            }
            PyTorchSchedules.requireFactor("gamma", gamma);
        }
    }

    /**
     * See {@link #multiStepLR(List, double)}.
     *
     * @param milestones the steps at which the learning rate decays, increasing
     * @param gamma the factor the learning rate is multiplied by at each decay
     */
    record MultiStepLR(List<Long> milestones, double gamma) implements Phase {
        /** Validates the arguments, with PyTorch's messages where PyTorch checks them. */
        public MultiStepLR {
            milestones = List.copyOf(milestones);
            for (long m : milestones) {
                if (m < 0) {
                    throw new IllegalArgumentException("Invalid milestone: " + m + " (must be >= 0)");
                }
            }
            PyTorchSchedules.requireFactor("gamma", gamma);
        }
    }

    /**
     * See {@link #exponentialLR(double)}.
     *
     * @param gamma the factor the learning rate is multiplied by at each decay
     */
    record ExponentialLR(double gamma) implements Phase {
        /** Validates the arguments, with PyTorch's messages where PyTorch checks them. */
        public ExponentialLR {
            PyTorchSchedules.requireFactor("gamma", gamma);
        }
    }

    /**
     * See {@link #cosineAnnealingLR(long, double)}.
     *
     * @param tMax the number of steps of the half cosine ({@code T_max})
     * @param etaMin the learning rate at the end of the cosine ({@code eta_min})
     */
    record CosineAnnealingLR(long tMax, double etaMin) implements Phase {
        /** Validates the arguments, with PyTorch's messages where PyTorch checks them. */
        public CosineAnnealingLR {
            if (tMax < 1) {
                throw new IllegalArgumentException("Invalid T_max: " + tMax + " (must be >= 1)");
            }
            PyTorchSchedules.requireLr("eta_min", etaMin);
        }
    }

    /**
     * See {@link #linearLR(double, double, long)}.
     *
     * @param startFactor the factor of the learning rate at the first step
     * @param endFactor the factor of the learning rate after {@code totalIters} steps
     * @param totalIters the number of steps over which the factor changes linearly
     */
    record LinearLR(double startFactor, double endFactor, long totalIters) implements Phase {
        /** Validates the arguments, with PyTorch's messages where PyTorch checks them. */
        public LinearLR {
            if (!(startFactor > 0.0 && startFactor <= 1.0)) {
                // PyTorch allows 0, which divides by zero at its second step
                throw new IllegalArgumentException("Invalid start_factor: " + startFactor + " (must be in (0, 1])");
            }
            if (!(endFactor >= 0.0 && endFactor <= 1.0)) {
                throw new IllegalArgumentException("Invalid end_factor: " + endFactor + " (must be in [0, 1])");
            }
            if (totalIters < 1) {
                throw new IllegalArgumentException("Invalid total_iters: " + totalIters + " (must be >= 1)");
            }
        }
    }

    /**
     * See {@link #cosineAnnealingWarmRestarts(long, long, double)}.
     *
     * @param t0 the number of steps of the first restart period ({@code T_0}), >= 1
     * @param tMult the factor by which each period is longer than the previous one ({@code T_mult}), >= 1
     * @param etaMin the learning rate at the end of the cosine ({@code eta_min})
     */
    record CosineAnnealingWarmRestarts(long t0, long tMult, double etaMin) implements Phase {
        /** Validates the arguments, with PyTorch's messages where PyTorch checks them. */
        public CosineAnnealingWarmRestarts {
            if (t0 < 1) {
                throw new IllegalArgumentException("Invalid T_0: " + t0 + " (must be >= 1)");
            }
            if (tMult < 1) {
                throw new IllegalArgumentException("Invalid T_mult: " + tMult + " (must be >= 1)");
            }
            PyTorchSchedules.requireLr("eta_min", etaMin);
        }
    }

    /**
     * See {@link #oneCycleLR(double, long, double, AnnealStrategy, double, double, boolean)}.
     *
     * @param maxLr the maximum learning rate, which the decay's learning rate is divided by (finite and > 0)
     * @param totalSteps the number of steps of the whole schedule
     * @param pctStart the fraction of the steps spent increasing the learning rate
     * @param annealStrategy how the learning rate is annealed: cosine or linear
     * @param divFactor the initial learning rate is {@code maxLr / divFactor}
     * @param finalDivFactor the final learning rate is the initial one divided by {@code finalDivFactor}
     * @param threePhase whether to use a third phase that anneals to the final learning rate (else two phases)
     */
    record OneCycleLR(double maxLr, long totalSteps, double pctStart, AnnealStrategy annealStrategy, double divFactor,
            double finalDivFactor, boolean threePhase) implements Named {
        /** Validates the arguments, with PyTorch's messages where PyTorch checks them. */
        public OneCycleLR {
            PyTorchSchedules.requireLr("max_lr", maxLr);
            if (totalSteps < 1) {
                throw new IllegalArgumentException("Invalid total_steps: " + totalSteps + " (must be >= 1)");
            }
            if (!(pctStart >= 0.0 && pctStart <= 1.0)) {
                throw new IllegalArgumentException("Invalid pct_start: " + pctStart + " (must be in [0, 1])");
            }
            Objects.requireNonNull(annealStrategy, "anneal_strategy");
            if (!(divFactor > 0.0) || Double.isInfinite(divFactor)) {
                throw new IllegalArgumentException("Invalid div_factor: " + divFactor + " (must be finite and > 0)");
            }
            if (!(finalDivFactor > 0.0) || Double.isInfinite(finalDivFactor)) {
                throw new IllegalArgumentException("Invalid final_div_factor: " + finalDivFactor
                        + " (must be finite and > 0)");
            }
        }

        @Override
        public double lr(long t, double baseLr) {
            return PyTorchSchedules.oneCycle(this, PyTorchSchedules.epoch(t));
        }
    }

    /**
     * See {@link #sequentialLR(List, List)}.
     *
     * @param schedulers the schedules to run one after the other
     * @param milestones the steps at which the learning rate decays, increasing
     */
    record SequentialLR(List<Phase> schedulers, List<Long> milestones) implements Named {
        /** Validates the arguments, with PyTorch's messages where PyTorch checks them. */
        public SequentialLR {
            schedulers = List.copyOf(schedulers);
            milestones = List.copyOf(milestones);
            if (schedulers.isEmpty() || milestones.size() != schedulers.size() - 1) {
                throw new IllegalArgumentException("SequentialLR expects one more scheduler than milestones, got "
                        + schedulers.size() + " schedulers and " + milestones.size() + " milestones");
            }
            long previous = 0;
            for (long m : milestones) {
                if (m <= previous) {
                    throw new IllegalArgumentException("Invalid milestones: " + milestones
                            + " (must be strictly increasing and >= 1)");
                }
                previous = m;
            }
        }

        @Override
        public double lr(long t, double baseLr) {
            long epoch = PyTorchSchedules.epoch(t);
            int idx = 0;
            while (idx < milestones.size() && milestones.get(idx) <= epoch) {
                idx++;
            }
            long start = idx == 0 ? 0 : milestones.get(idx - 1);
            return PyTorchSchedules.phase(schedulers.get(idx), epoch - start, baseLr, idx == 0);
        }
    }

    /**
     * See {@link #lambda(LrSchedule, boolean)} and {@link #custom(LrSchedule)}.
     *
     * @param fn the learning rate as a function of the step and the group's learning rate
     * @param suppliedAgainOnLoad {@code true} to state that the optimizer given to {@code load} is built with the same
     *     function
     */
    record Lambda(LrSchedule fn, boolean suppliedAgainOnLoad) implements LrSchedule {
        /** Validates the arguments, with PyTorch's messages where PyTorch checks them. */
        public Lambda {
            Objects.requireNonNull(fn, "fn");
            if (fn instanceof Named) {
                throw new IllegalArgumentException(fn + " is saved by name; it needs no lambda wrapper");
            }
        }

        @Override
        public double lr(long t, double baseLr) {
            return fn.lr(t, baseLr);
        }
    }
}
