package org.adam4j.optim;

import java.util.concurrent.atomic.AtomicReferenceArray;
import org.adam4j.optim.LrSchedule.AnnealStrategy;
import org.adam4j.optim.LrSchedule.CosineAnnealingLR;
import org.adam4j.optim.LrSchedule.CosineAnnealingWarmRestarts;
import org.adam4j.optim.LrSchedule.ExponentialLR;
import org.adam4j.optim.LrSchedule.LinearLR;
import org.adam4j.optim.LrSchedule.MultiStepLR;
import org.adam4j.optim.LrSchedule.OneCycleLR;
import org.adam4j.optim.LrSchedule.Phase;
import org.adam4j.optim.LrSchedule.StepLR;

/**
 * PyTorch 1.13's {@code torch/optim/lr_scheduler.py} arithmetic, operation for operation: the same associativity,
 * int-to-double conversions and Python floor modulo, with {@code cos} and {@code pow} correctly rounded
 * ({@link CorrectlyRounded}), which glibc's (Python's) are but for rare last-bit errors. PyTorch's recursive
 * {@code get_lr()} computes the learning rate of {@code last_epoch} from the group's current one; {@link #phase}
 * replays that recursion from epoch 0.
 */
final class PyTorchSchedules {
    private static final int MEMO_SLOTS = 256;
    /** The last epoch computed per (phase, base lr, start), so that a training loop's next call is one recursion. */
    private static final AtomicReferenceArray<Memo> MEMO = new AtomicReferenceArray<>(MEMO_SLOTS);

    private record Memo(Phase phase, long baseBits, boolean fresh, long epoch, double lr) {
    }

    private PyTorchSchedules() {
    }

    static void requireFactor(String name, double x) {
        if (!(x >= 0.0) || Double.isInfinite(x)) {
            throw new IllegalArgumentException("Invalid " + name + ": " + x + " (must be finite and >= 0)");
        }
    }

    static void requireLr(String name, double x) {
        requireFactor(name, x);
    }

    /** PyTorch's {@code last_epoch} when the optimizer runs step {@code t}. */
    static long epoch(long t) {
        if (t < 1) {
            throw new IllegalArgumentException("Invalid step: " + t + " (the first optimizer step is 1)");
        }
        return t - 1;
    }

    /**
     * The learning rate of {@code phase} at its own {@code last_epoch} {@code epoch}: {@code fresh} when it was
     * constructed on an optimizer whose lr is {@code baseLr} (its {@code _initial_step}), otherwise restarted by
     * {@code SequentialLR}'s {@code scheduler.step(0)}, which takes the closed form at epoch 0.
     */
    /**
     * The most steps a recursive schedule catches up in one call (about 10 s at some 10^8 steps per second): a
     * loaded state's step count is checked only against its own file, so an absurd one must not hang {@code step()}.
     */
    static final long MAX_RECURSIVE_STEPS = 1L << 30;

    static double phase(Phase phase, long epoch, double baseLr, boolean fresh) {
        long baseBits = Double.doubleToRawLongBits(baseLr);
        int slot = Math.floorMod(31 * (31 * phase.hashCode() + Long.hashCode(baseBits)) + (fresh ? 1 : 0), MEMO_SLOTS);
        Memo m = MEMO.get(slot);
        long e;
        double lr;
        if (m != null && m.epoch <= epoch && m.baseBits == baseBits && m.fresh == fresh && m.phase.equals(phase)) {
            e = m.epoch;
            lr = m.lr;
        } else {
            e = 0;
            lr = fresh ? initial(phase, baseLr) : closedFormAtZero(phase, baseLr);
        }
        if (epoch - e > MAX_RECURSIVE_STEPS) {
            throw new IllegalStateException(phase + " computes the learning rate of step " + epoch + " step by step, "
                    + "as PyTorch does, from step " + e + ": more than " + MAX_RECURSIVE_STEPS + " steps at once is "
                    + "refused (a state with such a step count is not a real run's); nothing was stepped");
        }
        while (e < epoch) {
            e++;
            lr = next(phase, e, lr, baseLr);
        }
        if (m == null || m.epoch != epoch) {
            MEMO.set(slot, new Memo(phase, baseBits, fresh, epoch, lr));
        }
        return lr;
    }

    /** {@code get_lr()} at {@code last_epoch} 0 on a group whose lr is still {@code baseLr}. */
    private static double initial(Phase phase, double base) {
        return switch (phase) {
            case StepLR s -> base;
            case MultiStepLR s -> {
                long count = count(s, 0);
                yield count == 0 ? base : base * CorrectlyRounded.pow(s.gamma(), count);
            }
            case ExponentialLR s -> base;
            case CosineAnnealingLR s -> base;
            case LinearLR s -> base * s.startFactor();
            case CosineAnnealingWarmRestarts s -> warmRestarts(s, 0, base);
        };
    }

    /** {@code _get_closed_form_lr()} at {@code last_epoch} 0 (CosineAnnealingWarmRestarts: its {@code step(0)}). */
    private static double closedFormAtZero(Phase phase, double base) {
        return switch (phase) {
            case StepLR s -> base * CorrectlyRounded.pow(s.gamma(), 0);
            case MultiStepLR s -> {
                long atOrBefore = 0;
                for (long m : s.milestones()) {
                    atOrBefore += m <= 0 ? 1 : 0;
                }
                yield base * CorrectlyRounded.pow(s.gamma(), atOrBefore);
            }
            case ExponentialLR s -> base * CorrectlyRounded.pow(s.gamma(), 0);
            case CosineAnnealingLR s ->
                    s.etaMin() + (base - s.etaMin()) * (1 + CorrectlyRounded.cos(Math.PI * 0 / s.tMax())) / 2;
            case LinearLR s -> base * (s.startFactor()
                    + (s.endFactor() - s.startFactor()) * Math.min(s.totalIters(), 0) / s.totalIters());
            case CosineAnnealingWarmRestarts s -> warmRestarts(s, 0, base);
        };
    }

    /** {@code get_lr()} at {@code last_epoch} {@code e >= 1}, from the group's lr {@code lr} of epoch {@code e - 1}. */
    private static double next(Phase phase, long e, double lr, double base) {
        return switch (phase) {
            case StepLR s -> e % s.stepSize() != 0 ? lr : lr * s.gamma();
            case MultiStepLR s -> {
                long count = count(s, e);
                yield count == 0 ? lr : lr * CorrectlyRounded.pow(s.gamma(), count);
            }
            case ExponentialLR s -> lr * s.gamma();
            case CosineAnnealingLR s -> {
                long tMax = s.tMax();
                double eta = s.etaMin();
                if (Math.floorMod(e - 1 - tMax, 2 * tMax) == 0) {
                    yield lr + (base - eta) * (1 - CorrectlyRounded.cos(Math.PI / tMax)) / 2;
                }
                yield (1 + CorrectlyRounded.cos(Math.PI * e / tMax)) / (1 + CorrectlyRounded.cos(Math.PI * (e - 1) / tMax))
                        * (lr - eta) + eta;
            }
            case LinearLR s -> {
                if (e > s.totalIters()) {
                    yield lr;
                }
                double span = s.endFactor() - s.startFactor();
                yield lr * (1. + span / (s.totalIters() * s.startFactor() + (e - 1) * span));
            }
            case CosineAnnealingWarmRestarts s -> warmRestarts(s, e, base);
        };
    }

    private static long count(MultiStepLR s, long e) {
        long count = 0;
        for (long m : s.milestones()) {
            count += m == e ? 1 : 0;
        }
        return count;
    }

    /** Its {@code get_lr()} once {@code step()} has advanced {@code T_cur} one by one to {@code epoch}. */
    private static double warmRestarts(CosineAnnealingWarmRestarts s, long epoch, double base) {
        long tCur;
        long tI = s.t0();
        if (s.tMult() == 1) {
            tCur = epoch % tI;
        } else {
            tCur = epoch;
            while (tCur >= tI) {
                tCur -= tI;
                tI *= s.tMult();
            }
        }
        return s.etaMin() + (base - s.etaMin()) * (1 + CorrectlyRounded.cos(Math.PI * tCur / tI)) / 2;
    }

    /** OneCycleLR's {@code get_lr()} at {@code last_epoch} {@code stepNum}. */
    static double oneCycle(OneCycleLR s, long stepNum) {
        if (stepNum > s.totalSteps()) {
            throw new IllegalStateException("Tried to step " + (stepNum + 1) + " times. The specified number of total"
                    + " steps is " + s.totalSteps() + " (OneCycleLR defines steps 1 to total_steps + 1)");
        }
        double initialLr = s.maxLr() / s.divFactor();
        double minLr = initialLr / s.finalDivFactor();
        double[] ends;
        double[] starts;
        double[] targets;
        if (s.threePhase()) {
            ends = new double[] {s.pctStart() * s.totalSteps() - 1, 2 * s.pctStart() * s.totalSteps() - 2,
                    s.totalSteps() - 1};
            starts = new double[] {initialLr, s.maxLr(), initialLr};
            targets = new double[] {s.maxLr(), initialLr, minLr};
        } else {
            ends = new double[] {s.pctStart() * s.totalSteps() - 1, s.totalSteps() - 1};
            starts = new double[] {initialLr, s.maxLr()};
            targets = new double[] {s.maxLr(), minLr};
        }
        double startStep = 0;
        for (int i = 0; ; i++) {
            if (stepNum <= ends[i] || i == ends.length - 1) {
                double pct = (stepNum - startStep) / (ends[i] - startStep);
                return s.annealStrategy() == AnnealStrategy.COS
                        ? targets[i] + (starts[i] - targets[i]) / 2.0 * (CorrectlyRounded.cos(Math.PI * pct) + 1)
                        : (targets[i] - starts[i]) * pct + starts[i];
            }
            startStep = ends[i];
        }
    }
}
