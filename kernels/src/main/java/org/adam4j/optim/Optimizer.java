package org.adam4j.optim;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.adam4j.kernels.Adam8bit;
import org.adam4j.kernels.Adam8bitKernel;
import org.adam4j.kernels.AdamBf16States;
import org.adam4j.kernels.AdamBf16StatesKernel;
import org.adam4j.kernels.AdamKernel_F32;
import org.adam4j.kernels.AdamKernel_F64;
import org.adam4j.kernels.AdamKernels;
import org.adam4j.kernels.LowPrecisionAdam;
import org.adam4j.kernels.LowPrecisionAdamKernel;
import org.adam4j.kernels.ParallelChunks;
import org.adam4j.reference.AdagradConfig;
import org.adam4j.reference.AdamConfig;
import org.adam4j.reference.AdamLikeBuilder;
import org.adam4j.reference.AdamaxConfig;
import org.adam4j.reference.GradGuard;
import org.adam4j.reference.GradNorms;
import org.adam4j.reference.NAdamConfig;
import org.adam4j.reference.OptimizerConfig;
import org.adam4j.reference.OptimizerStep;
import org.adam4j.reference.RAdamConfig;
import org.adam4j.reference.RmspropConfig;
import org.adam4j.reference.Rounding;
import org.adam4j.reference.SgdConfig;
import org.adam4j.reference.WeightDecay;

/**
 * An optimizer over many parameters, as a training loop calls it: build one with PyTorch's names
 * ({@link #adam()}, {@link #adamW()}, {@link #adamax()}, {@link #nadam()}, {@link #radam()}, {@link #sgd(double)},
 * {@link #rmsprop()}, {@link #adagrad()}, or {@link #of(OptimizerConfig)} for an exact configuration), register value
 * and gradient pairs ({@code float[]} and {@code double[]} arrays or slices, EJML matrices, {@link MemorySegment}s, and
 * for Adam and AdamW {@code short[]} arrays or segments of {@link Precision#BF16} or {@link Precision#FP16} bit patterns
 * stepped in {@code float} and rounded back by their group's {@link Rounding}) in {@link ParamGroup}s, then call {@link #step()} after each backward pass and {@link #zeroGrad()} before the next.
 * The optimizer owns the state of every parameter (PyTorch's state arrays and scalars) and the step counts;
 * {@link #state()} and {@link #loadState} take and restore them as a value (PyTorch's {@code state_dict}), and
 * {@link #save} and {@link #load} as a file (see {@link StateFile}). One core serves every algorithm: the
 * configuration ({@code C}) declares the state and the per-step scalars, and {@code org.adam4j.kernels.OptimizerSteps}
 * binds the step to its kernel. Every group of one optimizer runs the same algorithm, as in PyTorch.
 *
 * <p>A step is bit-identical for every thread count and every kernel lane width: the update is element-wise and each
 * element goes through the same arithmetic whichever thread or vector handles it. With more than one thread the
 * parameters are cut into pieces here, once, and the caller's thread works through them with the pool's
 * ({@link ParallelChunks#runPieces}); the kernels it calls are the serial ones, so nothing waits on nested parallel
 * work.
 *
 * <p>One thread drives an optimizer: a call of {@link #step()}, {@link #zeroGrad()}, {@link #load} or
 * {@link #loadState} that overlaps another on the same optimizer is refused with an {@link IllegalStateException}
 * before it writes anything. {@link #close()} frees the state of segment parameters.
 *
 * @param <C> the algorithm's configuration type
 */
public final class Optimizer<C extends OptimizerConfig> implements AutoCloseable {
    /** Pieces are at least this many elements: below it the hand-off costs more than the work. */
    static final long MIN_PIECE = 1 << 15;
    /**
     * Piece boundaries are multiples of this many elements from the parameter's start: whole blocks of the guarded
     * step's reductions (and so whole cache lines), and whole blocks of {@link StatePrecision#BLOCKWISE_8BIT} states
     * (a multiple of {@link StatePrecision#BLOCK_SIZE}), so that a quantization block never straddles two threads.
     */
    static final long PIECE_ALIGN = GradNorms.BLOCK;
    /** Never started: only asked whether a segment may be touched by the optimizer's worker threads. */
    private static final Thread ANOTHER_THREAD = Thread.ofVirtual().unstarted(() -> { });

    private final List<ParamGroup<C>> groups = new ArrayList<>();
    private final Map<Object, Object> storages = new IdentityHashMap<>();
    private final Kernels kernels;
    private final int threads;
    /** What groups added after the first get, as PyTorch's defaults fill a new param group. */
    private final Rounding rounding;
    private final long roundingSeed;
    private final StatePrecision statePrecision;
    /** Runs a step's pieces on the caller and the pool; its own split of slices is not used here. */
    private final ParallelChunks chunks;
    private final AtomicBoolean busy = new AtomicBoolean();
    private Arena stateArena;
    private long steps;
    private boolean closed;
    /** The pieces of the current parameters, rebuilt after a registration. */
    private Plan plan;

    /** Unscale, skip, clip: what guards every step (the scale is the scaler's when there is one). */
    private final GradGuard guard;
    private final GradScaler scaler;
    private final boolean stepStats;
    private StepStats lastStats;

    private Optimizer(Builder<C, ?> b, C config) {
        this.guard = new GradGuard(b.gradScale, b.skipNonFinite || b.scaler != null, b.maxNorm, b.normType);
        this.scaler = b.scaler;
        this.stepStats = b.stepStats;
        this.kernels = Kernels.of(b.kernel);
        this.threads = b.threads;
        this.chunks = new ParallelChunks(b.threads, 1, b.executor);
        this.rounding = b.rounding;
        this.roundingSeed = b.roundingSeed;
        this.statePrecision = b.statePrecision;
        statePrecision.requireSupportedBy(config, "");
        groups.add(new ParamGroup<>(this, config, b.schedule, rounding, roundingSeed, statePrecision));
    }

    /**
     * Adam with PyTorch's defaults ({@code torch.optim.Adam}: lr 1e-3, betas (0.9, 0.999), eps 1e-8).
     *
     * @return a builder of Adam
     */
    public static AdamBuilder adam() {
        return new AdamBuilder(false, Preset.PYTORCH);
    }

    /**
     * Adam with a preset's betas and eps.
     *
     * @param preset the defaults to start from (betas and eps)
     * @return a builder of Adam
     */
    public static AdamBuilder adam(Preset preset) {
        return new AdamBuilder(false, Objects.requireNonNull(preset, "preset"));
    }

    /**
     * AdamW with PyTorch's defaults ({@code torch.optim.AdamW}: as Adam, decoupled weight decay 1e-2).
     *
     * @return a builder of AdamW
     */
    public static AdamBuilder adamW() {
        return new AdamBuilder(true, Preset.PYTORCH);
    }

    /**
     * AdamW with a preset ({@link Preset#PAPER}: the decay also follows the schedule, optimi's decouple_lr).
     *
     * @param preset the defaults to start from (betas and eps)
     * @return a builder of AdamW
     */
    public static AdamBuilder adamW(Preset preset) {
        return new AdamBuilder(true, Objects.requireNonNull(preset, "preset"));
    }

    /**
     * {@code torch.optim.Adamax}: lr 2e-3, betas (0.9, 0.999), eps 1e-8.
     *
     * @return a builder of Adamax
     */
    public static AdamaxBuilder adamax() {
        return new AdamaxBuilder();
    }

    /**
     * {@code torch.optim.NAdam}: lr 2e-3, betas (0.9, 0.999), eps 1e-8, momentum_decay 4e-3.
     *
     * @return a builder of NAdam
     */
    public static NAdamBuilder nadam() {
        return new NAdamBuilder();
    }

    /**
     * {@code torch.optim.RAdam}: lr 1e-3, betas (0.9, 0.999), eps 1e-8.
     *
     * @return a builder of RAdam
     */
    public static RAdamBuilder radam() {
        return new RAdamBuilder();
    }

    /**
     * {@code torch.optim.SGD}, whose learning rate has no default; then momentum, dampening, Nesterov.
     *
     * @param lr the learning rate (finite and >= 0)
     * @return a builder of SGD
     */
    public static SgdBuilder sgd(double lr) {
        return new SgdBuilder(lr);
    }

    /**
     * {@code torch.optim.RMSprop}: lr 1e-2, alpha 0.99, eps 1e-8.
     *
     * @return a builder of RMSprop
     */
    public static RmspropBuilder rmsprop() {
        return new RmspropBuilder();
    }

    /**
     * {@code torch.optim.Adagrad}: lr 1e-2, eps 1e-10.
     *
     * @return a builder of Adagrad
     */
    public static AdagradBuilder adagrad() {
        return new AdagradBuilder();
    }

    /**
     * {@return an optimizer whose first group has exactly {@code config} (any algorithm)}
     *
     * @param config the configuration
     * @param <C> the configuration's type
     */
    public static <C extends OptimizerConfig> ConfigBuilder<C> of(C config) {
        return new ConfigBuilder<>(Objects.requireNonNull(config, "config"));
    }

    /** {@return the group created with the optimizer; parameters added to it get the builder's configuration} */
    public ParamGroup<C> defaultGroup() {
        return groups.get(0);
    }

    /**
     * A new group with its own hyperparameters and schedule (PyTorch's {@code add_param_group}). It runs this
     * optimizer's algorithm: a configuration of another is refused. Its rounding, seed and state precision are the
     * builder's ({@link Builder#rounding}, {@link Builder#roundingSeed}, {@link Builder#statePrecision}) until set on
     * the group; a configuration that cannot keep the builder's state precision (AMSGrad with 8-bit states) is
     * refused: build the optimizer with {@link StatePrecision#F32} states then, and set the compact ones per group.
     *
     * @param config the configuration
     * @param schedule the learning rate schedule
     * @return the new group, empty
     */
    public ParamGroup<C> addGroup(C config, LrSchedule schedule) {
        requireOpen();
        requireIdle("no group was added");
        requireSameAlgorithm(config, "a group cannot run");
        statePrecision.requireSupportedBy(config, "a new group gets the builder's state precision, "
                + statePrecision.label() + " (set F32 there and " + statePrecision.label() + " per group instead): ");
        ParamGroup<C> g = new ParamGroup<>(this, config, schedule, rounding, roundingSeed, statePrecision);
        groups.add(g);
        return g;
    }

    void requireSameAlgorithm(OptimizerConfig config, String what) {
        Objects.requireNonNull(config, "config");
        if (config.getClass() != groups.get(0).config().getClass()) {
            throw new IllegalArgumentException("this optimizer runs " + algorithm() + "; " + what + " "
                    + config.algorithm() + " (one algorithm per optimizer, as in PyTorch)");
        }
    }

    /**
     * PyTorch's name of the algorithm as configured in the default group: {@code adam}, {@code adamw},
     * {@code adamax}, {@code nadam}, {@code radam}, {@code sgd}, {@code rmsprop} or {@code adagrad}.
     *
     * @return the algorithm's name, as {@link OptimizerConfig#algorithm()} gives it (Adam's and AdamW's groups name the
     *     default group's form)
     */
    public String algorithm() {
        return groups.get(0).config().algorithm();
    }

    /** {@return the groups, the default one first} */
    public List<ParamGroup<C>> groups() {
        return Collections.unmodifiableList(groups);
    }

    /**
     * {@return the bytes the optimizer's state holds, over every parameter ({@link Param#stateBytes()}): Adam's two
     * {@code float} moments are 8 bytes per {@code float} parameter, 16 per {@code double} one, 8 per bf16 parameter
     * (10 with Kahan's compensation); with {@link StatePrecision#BLOCKWISE_8BIT} states 2 bytes of codes per
     * parameter and 8 of absmax per block of 256 (a parameter of {@code n} elements: {@code 2 n + 8 ceil(n / 256)});
     * SGD without momentum holds none}
     */
    public long stateBytes() {
        long bytes = 0;
        for (Param p : params()) {
            bytes += p.stateBytes();
        }
        return bytes;
    }

    /** {@return every parameter, group by group, in registration order} */
    public List<Param> params() {
        List<Param> all = new ArrayList<>();
        for (ParamGroup<C> g : groups) {
            all.addAll(g.params());
        }
        return all;
    }

    /** {@return how many times {@link #step()} has run (restored by {@link #load})} */
    public long steps() {
        return steps;
    }

    /** {@return the threads a step runs on} */
    public int threads() {
        return threads;
    }

    /** {@return the kernel's name: {@code scalar} or {@code vector-<bits>}} */
    public String kernelName() {
        return kernels.kernel_F32().name();
    }

    /**
     * One step of every parameter: each at its own step count (PyTorch's {@code state['step']} plus one) and its
     * group's scheduled learning rate. Before writing anything it checks that every parameter's memory is still
     * there and shaped as registered and that every schedule gives a usable learning rate.
     *
     * <p>With a guard ({@link Builder#gradScale}, {@link Builder#gradScaler}, {@link Builder#skipNonFinite},
     * {@link Builder#clipGradNorm}) the step goes as PyTorch's usual loop: one pass over every gradient computes the
     * unscaled gradients' global norm (in {@link org.adam4j.reference.GradNorms}' fixed order, the same bits for any
     * thread count and kernel) and sees any NaN or infinity; a step with one is skipped under {@code skipNonFinite}
     * and writes nothing at all (parameters, state, gradients, step counts, schedule position); otherwise the
     * gradients are unscaled and clipped in place ({@code (g * (1 / scale)) * clip_coef}, PyTorch's two roundings,
     * left so as PyTorch leaves {@code p.grad}) and the step runs. A {@link GradScaler} then backs off or grows.
     * A {@link Precision#BF16} or {@link Precision#FP16} gradient is reduced widened to {@code float} (the bits of a
     * {@code float} gradient of its values) and is not rescaled in place: its step widens it and applies the same two
     * {@code float} multiplications as it reads it, so the caller's 16-bit gradient is left as it was.
     *
     * @return {@code true} if the step was taken, {@code false} if it was skipped
     * @throws IllegalStateException if a check fails or another call is using this optimizer; nothing is stepped
     */
    public boolean step() {
        enter();
        try {
            Plan p = plan();
            long t = OptimizerStep.next(steps);
            for (ParamGroup<C> g : groups) {
                g.prepare(t);
            }
            OptimizerStep[] scalars = p.scalars;
            for (int i = 0; i < p.params.length; i++) {
                Param q = p.params[i];
                q.requireUsable();
                // PyTorch skips a parameter whose grad is None: its scalars stay unset and its pieces do nothing
                scalars[i] = q.hasGrad() ? q.group.scalars(q) : null;
            }
            GradGuard g = scaler == null ? guard : guard.withGradScale(scaler.scale());
            double inv32 = g.invScale_F32(), inv64 = g.invScale_F64();
            double gradNorm = Double.NaN, coef32 = 1.0, coef64 = 1.0;
            long nonFinite = -1;
            if (g.needsNorm() || stepStats) {
                boolean inf = g.clipsByMaxAbs();
                boolean sums = !inf || stepStats;
                p.prepareReduction(sums);
                chunks.runPieces(p.pieces(), k -> p.reduce(k, kernels, inv32, inv64, sums, inf));
                double sumOfSquares = sums ? p.gradSumOfSquares() : Double.NaN;
                double maxAbs = inf ? p.gradMaxAbs() : Double.NaN;
                gradNorm = Math.sqrt(sumOfSquares);
                nonFinite = Double.isFinite(sums ? sumOfSquares : maxAbs) ? 0 : p.countNonFinite(inv32, inv64);
                if (g.skipNonFinite() && nonFinite > 0) {
                    if (scaler != null) {
                        scaler.update(true);
                    }
                    lastStats = new StepStats(steps, true, g.gradScale(), gradNorm, Double.NaN, nonFinite,
                            Double.NaN, Double.NaN, Double.NaN);
                    return false;
                }
                if (g.clips()) {
                    double total = g.totalNorm(sumOfSquares, maxAbs);
                    coef32 = g.clipCoef_F32(total);
                    coef64 = g.clipCoef_F64(total);
                }
            }
            // a 16-bit gradient is rescaled as its step reads it; 1 and 1 leave it as it is
            for (Param q : p.params) {
                q.gradUnscale = (float) inv32;
                q.gradClip = (float) coef32;
            }
            if (inv32 != 1.0 || inv64 != 1.0 || coef32 != 1.0 || coef64 != 1.0) {
                double c32 = coef32, c64 = coef64;
                chunks.runPieces(p.pieces(), k -> p.rescale(k, kernels, inv32, c32, inv64, c64));
            }
            if (stepStats) {
                p.prepareStats();
                chunks.runPieces(p.pieces(), k -> p.runWithStats(k, kernels));
            } else {
                chunks.runPieces(p.pieces(), k -> p.run(k, kernels));
            }
            for (int i = 0; i < p.params.length; i++) {
                Param q = p.params[i];
                if (scalars[i] != null) {
                    q.step++;
                    scalars[i].scalarsAfter(q.scalars);
                }
            }
            steps = t;
            if (scaler != null) {
                scaler.update(false);
            }
            // coef32 stays 1 without clipping
            lastStats = new StepStats(steps, false, g.gradScale(), gradNorm, coef32, nonFinite,
                    stepStats ? Math.sqrt(p.paramSumOfSquares()) : Double.NaN,
                    stepStats ? Math.sqrt(p.updateSumOfSquares()) : Double.NaN,
                    stepStats ? p.maxUpdateRatio() : Double.NaN);
            return true;
        } finally {
            exit();
        }
    }

    /**
     * What the last {@link #step()} did and saw; {@code null} before the first.
     *
     * @return the last step's statistics
     */
    public StepStats lastStats() {
        return lastStats;
    }

    /**
     * The loss scaler this optimizer unscales by and updates, if it was built with one.
     *
     * @return the scaler, or {@code null}
     */
    public GradScaler gradScaler() {
        return scaler;
    }

    /**
     * What guards each step: the fixed scale (the scaler's replaces it), the skip, the clipping.
     *
     * @return the guard
     */
    public GradGuard guard() {
        return guard;
    }

    /** Sets every registered gradient to zero (each parameter then has a gradient: {@link Param#hasGrad()}). */
    public void zeroGrad() {
        zeroGrad(false);
    }

    /**
     * PyTorch's {@code zero_grad(set_to_none)}: with {@code setToNone}, every parameter is marked as having no gradient
     * ({@link Param#clearGrad()}; the memory is left as it is) and {@link #step()} skips it until the caller marks the
     * gradient it wrote ({@link Param#markGrad()}); without, every gradient is set to zero and present.
     *
     * @param setToNone {@code true} to mark every gradient absent, as PyTorch's {@code zero_grad(set_to_none=True)}
     */
    public void zeroGrad(boolean setToNone) {
        enter();
        try {
            Plan p = plan();
            for (Param q : p.params) {
                q.requireUsable();
            }
            for (Param q : p.params) {
                if (setToNone) {
                    q.clearGrad();
                } else {
                    q.zeroGrad();
                }
            }
        } finally {
            exit();
        }
    }

    /**
     * A snapshot of the whole state, as PyTorch's {@code state_dict()}: per group its configuration (the
     * hyperparameters) and schedule, per parameter its step count, scalar state and state arrays by PyTorch's names
     * (copies, read-only). The parameter values themselves are the caller's.
     *
     * @return an immutable copy of the whole state
     */
    public OptimizerState state() {
        enter();
        try {
            requireUsable();
            return snapshot(true);
        } finally {
            exit();
        }
    }

    /** The state with views of the live arrays instead of copies, for writing them out. */
    OptimizerState snapshot(boolean copy) {
        List<OptimizerState.Group> gs = new ArrayList<>();
        for (ParamGroup<C> g : groups) {
            List<OptimizerState.ParamState> ps = new ArrayList<>();
            for (Param q : g.params()) {
                ps.add(q.snapshot(copy));
            }
            gs.add(new OptimizerState.Group(g.config(), g.schedule(), ps, g.rounding(), g.roundingSeed(),
                    g.statePrecision()));
        }
        return new OptimizerState(steps, gs, scaler == null ? null : scaler.state());
    }

    /**
     * Restores a {@link #state()} (of this optimizer or another with the same layout: groups, parameter order,
     * precisions, shapes, state arrays and state precisions) and, as PyTorch's {@code load_state_dict}, takes its
     * hyperparameters, schedules, roundings and rounding seeds (and the state precision of a group without
     * parameters). Everything is checked before anything changes.
     *
     * @param state the state to restore
     * @throws IllegalArgumentException if the layout or the algorithm differs; the optimizer is unchanged
     */
    public void loadState(OptimizerState state) {
        enter();
        try {
            requireUsable();
            restore(state, "the state");
        } finally {
            exit();
        }
    }

    @SuppressWarnings("unchecked")
    private void restore(OptimizerState state, String where) {
        Objects.requireNonNull(state, "state");
        if (!state.groups().isEmpty() && state.groups().get(0).config().getClass() != groups.get(0).config().getClass()) {
            throw new IllegalArgumentException(where + " holds the state of another optimizer ('"
                    + state.algorithm() + "'); this one is '" + algorithm() + "'");
        }
        if (state.gradScaler() != null && scaler == null) {
            throw new IllegalArgumentException(where + " holds a loss scaler's state, but this optimizer was built "
                    + "without a GradScaler");
        }
        if (state.groups().size() != groups.size()) {
            throw new IllegalArgumentException(where + " does not match this optimizer: it has "
                    + state.groups().size() + " parameter groups, this optimizer " + groups.size());
        }
        for (int i = 0; i < groups.size(); i++) {
            OptimizerState.Group sg = state.groups().get(i);
            ParamGroup<C> g = groups.get(i);
            if (sg.config().getClass() != g.config().getClass()) {
                throw new IllegalArgumentException(where + " holds the state of another optimizer ('"
                        + sg.config().algorithm() + "'); this one is '" + algorithm() + "'");
            }
            g.requireReplaceable((C) sg.config(), where + "'s group " + i);
            g.requireRoundingReplaceable(sg.rounding(), where + "'s group " + i);
            // a group with parameters takes no other state precision: requireRestorable refuses their arrays
            sg.statePrecision().requireSupportedBy(sg.config(), where + "'s group " + i + ": ");
            if (sg.schedule() == StateFile.CUSTOM && StateFile.isBuiltIn(g.schedule())) {
                throw new IllegalArgumentException(where + " does not match this optimizer: group " + i + " was "
                        + "saved with a custom schedule, which must be supplied again, but has " + g.schedule()
                        + " here");
            }
            if (sg.params().size() != g.params().size()) {
                throw new IllegalArgumentException(where + " does not match this optimizer: group " + i + " has "
                        + sg.params().size() + " parameters there, " + g.params().size() + " here");
            }
            for (int k = 0; k < g.params().size(); k++) {
                g.params().get(k).requireRestorable(sg.params().get(k), state.steps(), where);
            }
        }
        for (int i = 0; i < groups.size(); i++) {
            OptimizerState.Group sg = state.groups().get(i);
            ParamGroup<C> g = groups.get(i);
            g.restore((C) sg.config(), sg.schedule() == StateFile.CUSTOM ? g.schedule() : sg.schedule(), sg.rounding(),
                    sg.roundingSeed(), sg.statePrecision());
            for (int k = 0; k < g.params().size(); k++) {
                g.params().get(k).restore(sg.params().get(k));
            }
        }
        steps = state.steps();
        if (state.gradScaler() != null) {
            scaler.load(state.gradScaler());
        }
    }

    /**
     * Writes the whole state ({@link #state()}) to {@code file} atomically: a temporary file in the same directory,
     * forced to disk and renamed over it. See {@link StateFile} for the format.
     *
     * @param file the file
     * @throws IOException if the file cannot be read or written
     */
    public void save(Path file) throws IOException {
        enter();
        try {
            requireUsable();
            StateFile.write(snapshot(false), file);
        } finally {
            exit();
        }
    }

    /**
     * Restores a state saved by {@link #save} into this optimizer (built and registered the same way), taking the
     * file's hyperparameters and schedules as {@link #loadState} does.
     *
     * @param file the file
     * @throws IllegalArgumentException if the file is not a state file of this layout; the optimizer is unchanged
     * @throws IOException if the file cannot be read or written
     */
    public void load(Path file) throws IOException {
        enter();
        try {
            requireUsable();
            restore(StateFile.read(file), file.toString());
        } finally {
            exit();
        }
    }

    /** Frees the off-heap state of segment parameters; the optimizer cannot be used afterwards. */
    @Override
    public void close() {
        requireIdle("it stays open");
        if (!closed) {
            closed = true;
            if (stateArena != null) {
                stateArena.close();
            }
        }
    }

    @Override
    public String toString() {
        return "Optimizer(" + algorithm() + ", " + groups.size() + " groups, " + plan().params.length
                + " parameters, " + steps + " steps, " + kernels.kernel_F32().name() + ", " + threads + " threads)";
    }

    private void enter() {
        requireOpen();
        if (!busy.compareAndSet(false, true)) {
            throw new IllegalStateException("another call is using this optimizer (one thread drives an optimizer); "
                    + "nothing was done");
        }
    }

    private void exit() {
        busy.set(false);
    }

    /** Refuses a change of structure while another call is stepping, loading or saving. */
    void requireIdle(String consequence) {
        if (busy.get()) {
            throw new IllegalStateException("another call is using this optimizer; " + consequence);
        }
    }

    private void requireUsable() {
        for (Param q : plan().params) {
            q.requireUsable();
        }
    }

    Map<Object, Object> storages() {
        return storages;
    }

    Arena stateArena() {
        requireOpen();
        if (stateArena == null) {
            stateArena = Arena.ofShared();
        }
        return stateArena;
    }

    boolean sharedAccess(MemorySegment s) {
        return s.isAccessibleBy(ANOTHER_THREAD);
    }

    void registered() {
        plan = null;
    }

    /** Refuses memory already registered (as a value or a gradient) or a value that is its own gradient. */
    void requireNoAlias(MemorySegment value, MemorySegment grad) {
        requireOpen();
        requireIdle("nothing was registered");
        if (overlap(value, grad)) {
            throw new IllegalArgumentException("the value and the gradient are the same memory");
        }
        for (Param q : params()) {
            if (overlap(value, q.value)) {
                throw new IllegalArgumentException("the same memory is registered twice: the value overlaps the "
                        + "value of " + q);
            }
            if (overlap(value, q.grad)) {
                throw new IllegalArgumentException("the value is aliased with the gradient of " + q);
            }
            if (overlap(grad, q.value)) {
                throw new IllegalArgumentException("the gradient is aliased with the value of " + q);
            }
            if (overlap(grad, q.grad)) {
                throw new IllegalArgumentException("the gradient is already the gradient of " + q);
            }
        }
    }

    private static boolean overlap(MemorySegment a, MemorySegment b) {
        return a.byteSize() > 0 && b.byteSize() > 0 && a.asOverlappingSlice(b).isPresent();
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("the optimizer is closed");
        }
    }

    private Plan plan() {
        if (plan == null) {
            plan = new Plan(params(), threads);
        }
        return plan;
    }

    /**
     * The kernels a step calls, one per precision and state precision, of one kind (the 16-bit and the 8-bit one of
     * the {@code float} one's width).
     */
    record Kernels(AdamKernel_F32 kernel_F32, AdamKernel_F64 kernel_F64, LowPrecisionAdamKernel lowPrecision,
            Adam8bitKernel blockwise8bit, AdamBf16StatesKernel bf16States) {
        static Kernels of(String name) {
            AdamKernel_F32 f32 = name == null ? AdamKernels.f32() : AdamKernels.f32(name);
            return new Kernels(f32, name == null ? AdamKernels.f64() : AdamKernels.f64(name),
                    LowPrecisionAdam.kernel(f32.name()), Adam8bit.kernel(f32.name()),
                    AdamBf16States.kernel(f32.name()));
        }
    }

    /**
     * The first guarded-step option this optimizer was built with, by its builder method's name, or {@code null}: the
     * 8-bit kernels read 16-bit gradients, so their groups take 16-bit parameters only without one.
     */
    String guardedOption() {
        if (scaler != null) {
            return "gradScaler";
        }
        if (guard.gradScale() != 1.0) {
            return "gradScale";
        }
        if (guard.skipNonFinite()) {
            return "skipNonFinite";
        }
        if (guard.clips()) {
            return "clipGradNorm";
        }
        return stepStats ? "stepStats" : null;
    }

    /**
     * Every parameter cut into pieces of a step's work (runs of whole {@link GradNorms#BLOCK}s), with a slot for each
     * parameter's scalars of the step and, made on first use, the per-block sums of the guarded step's reductions.
     */
    private static final class Plan {
        final Param[] params;
        final OptimizerStep[] scalars;
        final int[] param;
        final long[] off;
        final long[] len;
        /** Each parameter's first block in the block arrays. */
        final int[] blockAt;
        final int blocks;
        double[] gradSums;
        final double[] pieceMax;
        double[] paramSums;
        double[] updateSums;
        double[] ratios;
        Param.StatsScratch[] scratch;

        Plan(List<Param> list, int threads) {
            params = list.toArray(new Param[0]);
            scalars = new OptimizerStep[params.length];
            long total = 0;
            for (Param q : params) {
                q.firstIndex = total;
                total += q.size;
            }
            // A few pieces per thread, so uneven tensors still spread evenly; one piece per parameter on one thread.
            long piece = threads == 1 ? Long.MAX_VALUE
                    : Math.max(MIN_PIECE, ceilTo(total / (4L * threads) + 1, PIECE_ALIGN));
            List<long[]> pieces = new ArrayList<>();
            for (int i = 0; i < params.length; i++) {
                long size = params[i].size;
                for (long o = 0; o < size; o += piece) {
                    pieces.add(new long[] {i, o, Math.min(piece, size - o)});
                }
            }
            param = new int[pieces.size()];
            off = new long[pieces.size()];
            len = new long[pieces.size()];
            pieceMax = new double[pieces.size()];
            blockAt = new int[params.length];
            long b = 0;
            for (int i = 0; i < params.length; i++) {
                blockAt[i] = (int) b;
                b += GradNorms.blocks(params[i].size);
            }
            if (b > Integer.MAX_VALUE - 8) {
                throw new IllegalStateException("too many elements for the guarded step's block sums: " + total);
            }
            blocks = (int) b;
            for (int k = 0; k < pieces.size(); k++) {
                param[k] = (int) pieces.get(k)[0];
                off[k] = pieces.get(k)[1];
                len[k] = pieces.get(k)[2];
            }
        }

        int pieces() {
            return param.length;
        }

        void run(int k, Kernels kernels) {
            int i = param[k];
            if (scalars[i] != null) {
                params[i].update(scalars[i], off[k], len[k], kernels);
            }
        }

        void prepareReduction(boolean sums) {
            if (sums && gradSums == null) {
                gradSums = new double[blocks];
            }
            java.util.Arrays.fill(pieceMax, 0.0);
        }

        /** Piece {@code k}'s part of the gradient pass: its blocks' sums, and its largest absolute value. */
        void reduce(int k, Kernels kernels, double inv32, double inv64, boolean sums, boolean maxAbs) {
            int i = param[k];
            if (scalars[i] != null) {
                Param q = params[i];
                pieceMax[k] = q.reduceGrad(q.gradPrecision == Precision.F64 ? inv64 : inv32, off[k], len[k],
                        sums ? gradSums : null, blockAt[i] + (int) (off[k] / GradNorms.BLOCK), maxAbs, kernels);
            }
        }

        /** The parameters' tree sums, added in parameter order. */
        double gradSumOfSquares() {
            return sumOver(gradSums);
        }

        private double sumOver(double[] sums) {
            double total = 0.0;
            for (int i = 0; i < params.length; i++) {
                if (scalars[i] != null) {
                    total += GradNorms.tree(sums, blockAt[i], (int) GradNorms.blocks(params[i].size));
                }
            }
            return total;
        }

        double gradMaxAbs() {
            double max = 0.0;
            for (double m : pieceMax) {
                max = Math.max(max, m);
            }
            return max;
        }

        long countNonFinite(double inv32, double inv64) {
            long n = 0;
            for (int i = 0; i < params.length; i++) {
                if (scalars[i] != null) {
                    n += params[i].countNonFinite(params[i].gradPrecision == Precision.F64 ? inv64 : inv32);
                }
            }
            return n;
        }

        void rescale(int k, Kernels kernels, double inv32, double coef32, double inv64, double coef64) {
            int i = param[k];
            if (scalars[i] != null) {
                Param q = params[i];
                boolean f64 = q.gradPrecision == Precision.F64;
                q.rescaleGrad(f64 ? inv64 : inv32, f64 ? coef64 : coef32, off[k], len[k], kernels);
            }
        }

        void prepareStats() {
            if (paramSums == null) {
                paramSums = new double[blocks];
                updateSums = new double[blocks];
                ratios = new double[blocks];
                scratch = new Param.StatsScratch[param.length];
                for (int k = 0; k < scratch.length; k++) {
                    scratch[k] = new Param.StatsScratch();
                }
            }
            java.util.Arrays.fill(ratios, 0.0);
        }

        void runWithStats(int k, Kernels kernels) {
            int i = param[k];
            if (scalars[i] != null) {
                params[i].updateWithStats(scalars[i], off[k], len[k], kernels, scratch[k], paramSums, updateSums,
                        ratios, blockAt[i] + (int) (off[k] / GradNorms.BLOCK));
            }
        }

        double paramSumOfSquares() {
            return sumOver(paramSums);
        }

        double updateSumOfSquares() {
            return sumOver(updateSums);
        }

        double maxUpdateRatio() {
            double max = 0.0;
            for (int i = 0; i < params.length; i++) {
                if (scalars[i] != null) {
                    for (int b = blockAt[i], end = b + (int) GradNorms.blocks(params[i].size); b < end; b++) {
                        max = Math.max(max, ratios[b]);
                    }
                }
            }
            return max;
        }

        private static long ceilTo(long x, long m) {
            return (x + m - 1) / m * m;
        }
    }

    /**
     * What every optimizer's construction shares: the first group's schedule, the threads and the kernel. Each
     * algorithm's builder adds its own hyperparameters, with PyTorch's names, each refused at once when bad.
     *
     * @param <C> the configuration it builds
     * @param <B> the builder itself, returned by every setter
     */
    public abstract static sealed class Builder<C extends OptimizerConfig, B extends Builder<C, B>>
            permits AdamBuilder, AdamLike, SgdBuilder, RmspropBuilder, AdagradBuilder, ConfigBuilder {
        private LrSchedule schedule = LrSchedule.constant();
        private int threads = 1;
        private Executor executor;
        private String kernel;
        private double gradScale = 1.0;
        private GradScaler scaler;
        private boolean skipNonFinite;
        private double maxNorm = Double.POSITIVE_INFINITY;
        private double normType = 2.0;
        private boolean stepStats;
        private Rounding rounding = Rounding.NEAREST;
        private long roundingSeed;
        private StatePrecision statePrecision = StatePrecision.F32;

        Builder() {
        }

        @SuppressWarnings("unchecked")
        final B self() {
            return (B) this;
        }

        /**
         * Sets the first group's learning-rate schedule; constant unless set.
         *
         * @param schedule the learning rate schedule
         * @return this builder
         */
        public B schedule(LrSchedule schedule) {
            this.schedule = Objects.requireNonNull(schedule, "schedule");
            return self();
        }

        /**
         * Steps with this many threads (the caller's and those of a shared daemon pool); 1 unless set.
         *
         * @param threads the number of threads, from 1 to {@link org.adam4j.kernels.ParallelChunks#MAX_THREADS}
         * @return this builder
         */
        public B threads(int threads) {
            ParallelChunks.checkThreads(threads);
            this.threads = threads;
            return self();
        }

        /**
         * Steps with the caller's thread and up to {@code threads - 1} tasks on {@code executor}.
         *
         * @param executor the executor that runs the helper tasks
         * @param threads the number of threads, from 1 to {@link org.adam4j.kernels.ParallelChunks#MAX_THREADS}
         * @return this builder
         */
        public B executor(Executor executor, int threads) {
            threads(threads);
            this.executor = Objects.requireNonNull(executor, "executor");
            return self();
        }

        /**
         * Selects a kernel by name ({@code scalar}, {@code vector}, {@code vector-256}...; see {@link AdamKernels}).
         *
         * @param name {@code scalar}, {@code vector} or {@code vector-<bits>}
         * @return this builder
         */
        public B kernel(String name) {
            AdamKernels.f32(name);
            this.kernel = name;
            return self();
        }

        /**
         * Gradients hold the loss times {@code scale}: each step multiplies them by {@code 1 / scale} first
         * ({@code GradScaler.unscale_}'s {@code inv_scale}, computed in double and rounded to the gradient's
         * precision). For a scale that adapts, see {@link #gradScaler}.
         *
         * @param scale the fixed loss scale, finite and positive; 1 unless set
         * @return this builder
         */
        public B gradScale(double scale) {
            new GradGuard(scale, false, Double.POSITIVE_INFINITY, 2.0);
            this.gradScale = scale;
            return self();
        }

        /**
         * Unscales by {@code scaler}'s current scale, skips a step whose unscaled gradients hold a NaN or an
         * infinity (as {@code GradScaler.step} does), and updates the scaler after each step; the scaler is saved
         * with the state.
         *
         * @param scaler the loss scaler, used by this optimizer only
         * @return this builder
         */
        public B gradScaler(GradScaler scaler) {
            this.scaler = Objects.requireNonNull(scaler, "scaler");
            return self();
        }

        /**
         * Skips a step (writing nothing) whose unscaled gradients hold a NaN or an infinity; {@link Optimizer#step()}
         * returns {@code false} then.
         *
         * @param skip whether to skip such steps; {@code false} unless set (a {@link #gradScaler} implies it)
         * @return this builder
         */
        public B skipNonFinite(boolean skip) {
            this.skipNonFinite = skip;
            return self();
        }

        /**
         * {@code torch.nn.utils.clip_grad_norm_(all parameters, maxNorm, normType)} before each step (after
         * unscaling): the global norm over every gradient, and every gradient multiplied by
         * {@code min(maxNorm / (norm + 1e-6), 1)}.
         *
         * @param maxNorm the largest norm, positive
         * @param normType 2 or {@link Double#POSITIVE_INFINITY}
         * @return this builder
         */
        public B clipGradNorm(double maxNorm, double normType) {
            new GradGuard(1.0, false, maxNorm, normType);
            this.maxNorm = maxNorm;
            this.normType = normType;
            return self();
        }

        /**
         * Computes the parameter norm, the update norm and the largest relative update in each step
         * ({@link Optimizer#lastStats()}), block by block in cache beside the step; the gradient norm comes with
         * them.
         *
         * @param on whether to compute them; {@code false} unless set
         * @return this builder
         */
        public B stepStats(boolean on) {
            this.stepStats = on;
            return self();
        }

        /**
         * How {@link Precision#BF16} and {@link Precision#FP16} parameters are stored after each step, in the first
         * group and in groups added later (each group may set its own: {@link ParamGroup#rounding(Rounding)}).
         *
         * @param rounding {@link Rounding#NEAREST} (unless set), {@link Rounding#STOCHASTIC} or
         *     {@link Rounding#KAHAN} (which keeps a {@link Param#KAHAN_COMP} array per 16-bit parameter)
         * @return this builder
         */
        public B rounding(Rounding rounding) {
            this.rounding = Objects.requireNonNull(rounding, "rounding");
            return self();
        }

        /**
         * The seed of {@link Rounding#STOCHASTIC} in the first group and in groups added later; see
         * {@link ParamGroup#roundingSeed()} for how it keys the random bits.
         *
         * @param seed the seed; 0 unless set
         * @return this builder
         */
        public B roundingSeed(long seed) {
            this.roundingSeed = seed;
            return self();
        }

        /**
         * How the parameters of the first group, and of groups added later, keep their optimizer state (each group may
         * set its own before it has parameters: {@link ParamGroup#statePrecision(StatePrecision)}). Compact states are
         * for Adam and AdamW: {@link StatePrecision#BLOCKWISE_8BIT}, bitsandbytes' 8-bit blockwise moments (2 bytes per
         * parameter and 8 per block of 256 where {@code float} moments take 8 per parameter), without AMSGrad, on
         * {@link Precision#F32} parameters and whole arrays of 16-bit ones; {@link StatePrecision#BF16} is not
         * supported yet. {@link #build()} refuses a configuration that cannot keep it.
         *
         * @param statePrecision {@link StatePrecision#F32} unless set
         * @return this builder
         */
        public B statePrecision(StatePrecision statePrecision) {
            this.statePrecision = Objects.requireNonNull(statePrecision, "statePrecision");
            return self();
        }

        /** {@return the configuration the first group gets} */
        public abstract C config();

        /**
         * {@return the optimizer, with an empty default group}
         *
         * @throws IllegalArgumentException if the configuration cannot keep the {@link #statePrecision} (another
         *     algorithm than Adam and AdamW, or AMSGrad with 8-bit states)
         */
        public Optimizer<C> build() {
            return new Optimizer<>(this, config());
        }
    }

    /**
     * {@link #of(OptimizerConfig)}: the configuration taken whole.
     *
     * @param <C> the configuration it builds
     */
    public static final class ConfigBuilder<C extends OptimizerConfig> extends Builder<C, ConfigBuilder<C>> {
        private final C config;

        private ConfigBuilder(C config) {
            this.config = config;
        }

        @Override
        public C config() {
            return config;
        }
    }

    /**
     * Adam and AdamW, with PyTorch's argument names ({@code lr}, {@code betas}, {@code eps}, {@code weight_decay},
     * {@code amsgrad}, {@code maximize}) and optimi's ({@code decouple_lr}, {@code max_lr}).
     */
    public static final class AdamBuilder extends Builder<AdamConfig, AdamBuilder> {
        private final boolean adamW;
        private final AdamConfig.Builder config = AdamConfig.builder();
        private double weightDecay;
        private boolean decoupleLr;
        private double maxLr = Double.NaN;

        private AdamBuilder(boolean adamW, Preset preset) {
            this.adamW = adamW;
            config.lr(Preset.LR).betas(preset.beta1, preset.beta2).eps(preset.eps);
            weightDecay = adamW ? Preset.ADAMW_WEIGHT_DECAY : 0.0;
            decoupleLr = adamW && preset == Preset.PAPER;
        }

        /**
         * Sets the learning rate.
         *
         * @param lr the learning rate (finite and >= 0)
         * @return this builder
         */
        public AdamBuilder lr(double lr) {
            config.lr(lr);
            return this;
        }

        /**
         * Sets the moments' decay rates, each in [0, 1).
         *
         * @param beta1 the coefficient of the running average of the gradient (in [0, 1))
         * @param beta2 the coefficient of the running average of the squared gradient (in [0, 1))
         * @return this builder
         */
        public AdamBuilder betas(double beta1, double beta2) {
            config.betas(beta1, beta2);
            return this;
        }

        /**
         * Sets the term added to the denominator.
         *
         * @param eps the term added to the denominator for numerical stability (finite and >= 0)
         * @return this builder
         */
        public AdamBuilder eps(double eps) {
            config.eps(eps);
            return this;
        }

        /**
         * L2 (added to the gradient) for Adam, decoupled ({@code p *= 1 - lr*wd}) for AdamW.
         *
         * @param weightDecay the weight decay coefficient (finite and >= 0)
         * @return this builder
         */
        public AdamBuilder weightDecay(double weightDecay) {
            // refused now, with AdamConfig's own message; the mode is known only at config()
            AdamConfig.builder().weightDecay(weightDecay, WeightDecay.L2);
            this.weightDecay = weightDecay;
            return this;
        }

        /**
         * optimi's {@code decouple_lr}: fully decoupled decay, {@code p *= 1 - (lr / max_lr) * wd}, following the
         * schedule but not the learning rate's magnitude. {@code max_lr} defaults to {@code lr}.
         *
         * @param decoupleLr optimi's {@code decouple_lr}: scale the weight decay by {@code lr / max_lr} instead of
         *     {@code lr}
         * @return this builder
         */
        public AdamBuilder decoupleLr(boolean decoupleLr) {
            this.decoupleLr = decoupleLr;
            return this;
        }

        /**
         * optimi's {@code max_lr}, the learning rate fully decoupled decay divides by.
         *
         * @param maxLr the maximum learning rate, which the decay's learning rate is divided by (finite and > 0)
         * @return this builder
         */
        public AdamBuilder maxLr(double maxLr) {
            AdamConfig.builder().maxLr(maxLr); // refused now, with AdamConfig's own message
            this.maxLr = maxLr;
            return this;
        }

        /**
         * PyTorch's AMSGrad: the denominator uses the running maximum of the second moment.
         *
         * @param amsgrad whether to use AMSGrad (the running maximum of {@code v}, in {@code max_exp_avg_sq})
         * @return this builder
         */
        public AdamBuilder amsgrad(boolean amsgrad) {
            config.amsgrad(amsgrad);
            return this;
        }

        /**
         * Maximizes the objective (the gradient is negated).
         *
         * @param maximize whether to maximize the objective instead of minimizing it (step along the gradient)
         * @return this builder
         */
        public AdamBuilder maximize(boolean maximize) {
            config.maximize(maximize);
            return this;
        }

        /**
         * TensorFlow's and the paper's section-2 form: {@code eps} added before bias correction.
         *
         * @param epsilonHat whether to add {@code eps} before the bias correction (TensorFlow's form)
         * @return this builder
         */
        public AdamBuilder epsilonHat(boolean epsilonHat) {
            config.epsilonHat(epsilonHat);
            return this;
        }

        /**
         * Sets whether the moments are bias-corrected (true unless set).
         *
         * @param biasCorrection whether to correct the moments' bias towards zero
         * @return this builder
         */
        public AdamBuilder biasCorrection(boolean biasCorrection) {
            config.biasCorrection(biasCorrection);
            return this;
        }

        @Override
        public AdamConfig config() {
            AdamConfig.Builder c = config.build().toBuilder();
            if (weightDecay != 0.0 || decoupleLr) {
                if (!adamW && !decoupleLr) {
                    c.l2(weightDecay);
                } else if (decoupleLr) {
                    c.fullyDecoupled(weightDecay, Double.isNaN(maxLr) ? c.build().lr() : maxLr);
                } else {
                    c.decoupled(weightDecay);
                }
            } else if (adamW) {
                c.decoupled(0.0);
            }
            return c.build();
        }
    }

    /**
     * What AdaMax, NAdam and RAdam share with Adam: {@code lr}, {@code betas}, {@code eps} and
     * {@code weight_decay}, set on the configuration's own builder.
     *
     * @param <C> the configuration it builds
     * @param <CB> the configuration's own builder, which validates each value
     * @param <B> the builder itself, returned by every setter
     */
    public abstract static sealed class AdamLike<C extends OptimizerConfig, CB extends AdamLikeBuilder<CB>,
            B extends AdamLike<C, CB, B>> extends Builder<C, B> permits AdamaxBuilder, NAdamBuilder, RAdamBuilder {
        final CB config;

        AdamLike(CB config) {
            this.config = config;
        }

        /**
         * Sets the learning rate.
         *
         * @param lr the learning rate (finite and >= 0)
         * @return this builder
         */
        public B lr(double lr) {
            config.lr(lr);
            return self();
        }

        /**
         * Sets the moments' decay rates, each in [0, 1).
         *
         * @param beta1 the coefficient of the running average of the gradient (in [0, 1))
         * @param beta2 the coefficient of the running average of the squared gradient (in [0, 1))
         * @return this builder
         */
        public B betas(double beta1, double beta2) {
            config.betas(beta1, beta2);
            return self();
        }

        /**
         * Sets the term added to the denominator.
         *
         * @param eps the term added to the denominator for numerical stability (finite and >= 0)
         * @return this builder
         */
        public B eps(double eps) {
            config.eps(eps);
            return self();
        }

        /**
         * Weight decay: coupled L2 ({@code g += weight_decay * p}), as PyTorch 1.13 has it, or with NAdam's and
         * RAdam's {@code decoupledWeightDecay(true)} decoupled.
         *
         * @param weightDecay the weight decay coefficient (finite and >= 0)
         * @return this builder
         */
        public B weightDecay(double weightDecay) {
            config.weightDecay(weightDecay);
            return self();
        }

        /**
         * Maximizes the objective: the gradient is negated first.
         *
         * @param maximize whether to maximize
         * @return this builder
         */
        public B maximize(boolean maximize) {
            config.maximize(maximize);
            return self();
        }
    }

    /** {@code torch.optim.Adamax}. */
    public static final class AdamaxBuilder extends AdamLike<AdamaxConfig, AdamaxConfig.Builder, AdamaxBuilder> {
        private AdamaxBuilder() {
            super(AdamaxConfig.builder());
        }

        @Override
        public AdamaxConfig config() {
            return config.build();
        }
    }

    /** {@code torch.optim.NAdam}. */
    public static final class NAdamBuilder extends AdamLike<NAdamConfig, NAdamConfig.Builder, NAdamBuilder> {
        private NAdamBuilder() {
            super(NAdamConfig.builder());
        }

        /**
         * PyTorch's {@code momentum_decay} (4e-3 unless set).
         *
         * @param momentumDecay NAdam's {@code momentum_decay} ({@code psi}), finite and >= 0
         * @return this builder
         */
        public NAdamBuilder momentumDecay(double momentumDecay) {
            config.momentumDecay(momentumDecay);
            return this;
        }

        /**
         * PyTorch's {@code decoupled_weight_decay} (2.1 on): {@code p *= 1 - lr * weight_decay} before the moments,
         * instead of the coupled L2 {@code g += weight_decay * p}.
         *
         * @param decoupledWeightDecay whether the decay is decoupled
         * @return this builder
         */
        public NAdamBuilder decoupledWeightDecay(boolean decoupledWeightDecay) {
            config.decoupledWeightDecay(decoupledWeightDecay);
            return this;
        }

        @Override
        public NAdamConfig config() {
            return config.build();
        }
    }

    /** {@code torch.optim.RAdam}. */
    public static final class RAdamBuilder extends AdamLike<RAdamConfig, RAdamConfig.Builder, RAdamBuilder> {
        private RAdamBuilder() {
            super(RAdamConfig.builder());
        }

        /**
         * PyTorch's {@code decoupled_weight_decay} (2.1 on): {@code p *= 1 - lr * weight_decay} before the moments,
         * instead of the coupled L2 {@code g += weight_decay * p}.
         *
         * @param decoupledWeightDecay whether the decay is decoupled
         * @return this builder
         */
        public RAdamBuilder decoupledWeightDecay(boolean decoupledWeightDecay) {
            config.decoupledWeightDecay(decoupledWeightDecay);
            return this;
        }

        @Override
        public RAdamConfig config() {
            return config.build();
        }
    }

    /** {@code torch.optim.SGD}: momentum, dampening, Nesterov, coupled weight decay, maximize. */
    public static final class SgdBuilder extends Builder<SgdConfig, SgdBuilder> {
        private final SgdConfig.Builder config = SgdConfig.builder();

        private SgdBuilder(double lr) {
            config.lr(lr);
        }

        /**
         * Sets the learning rate.
         *
         * @param lr the learning rate (finite and >= 0)
         * @return this builder
         */
        public SgdBuilder lr(double lr) {
            config.lr(lr);
            return this;
        }

        /**
         * Sets the momentum factor (0: no momentum buffer).
         *
         * @param momentum the momentum factor (0 for none)
         * @return this builder
         */
        public SgdBuilder momentum(double momentum) {
            config.momentum(momentum);
            return this;
        }

        /**
         * Dampening of the momentum's gradient term.
         *
         * @param dampening the dampening of the momentum
         * @return this builder
         */
        public SgdBuilder dampening(double dampening) {
            config.dampening(dampening);
            return this;
        }

        /**
         * Coupled L2 weight decay.
         *
         * @param weightDecay the weight decay coefficient (finite and >= 0)
         * @return this builder
         */
        public SgdBuilder weightDecay(double weightDecay) {
            config.weightDecay(weightDecay);
            return this;
        }

        /**
         * Nesterov momentum (needs a momentum and zero dampening, checked at {@link #config()}).
         *
         * @param nesterov whether to use Nesterov momentum
         * @return this builder
         */
        public SgdBuilder nesterov(boolean nesterov) {
            config.nesterov(nesterov);
            return this;
        }

        /**
         * Maximizes the objective (the gradient is negated).
         *
         * @param maximize whether to maximize the objective instead of minimizing it (step along the gradient)
         * @return this builder
         */
        public SgdBuilder maximize(boolean maximize) {
            config.maximize(maximize);
            return this;
        }

        @Override
        public SgdConfig config() {
            return config.build();
        }
    }

    /** {@code torch.optim.RMSprop}. */
    public static final class RmspropBuilder extends Builder<RmspropConfig, RmspropBuilder> {
        private final RmspropConfig.Builder config = RmspropConfig.builder();

        private RmspropBuilder() {
        }

        /**
         * Sets the learning rate.
         *
         * @param lr the learning rate (finite and >= 0)
         * @return this builder
         */
        public RmspropBuilder lr(double lr) {
            config.lr(lr);
            return this;
        }

        /**
         * Sets the smoothing constant of the squared-gradient average.
         *
         * @param alpha the smoothing constant of the squared-gradient average
         * @return this builder
         */
        public RmspropBuilder alpha(double alpha) {
            config.alpha(alpha);
            return this;
        }

        /**
         * Sets the term added to the denominator.
         *
         * @param eps the term added to the denominator for numerical stability (finite and >= 0)
         * @return this builder
         */
        public RmspropBuilder eps(double eps) {
            config.eps(eps);
            return this;
        }

        /**
         * Coupled L2 weight decay.
         *
         * @param weightDecay the weight decay coefficient (finite and >= 0)
         * @return this builder
         */
        public RmspropBuilder weightDecay(double weightDecay) {
            config.weightDecay(weightDecay);
            return this;
        }

        /**
         * Sets the momentum factor (0: no momentum buffer).
         *
         * @param momentum the momentum factor (0 for none)
         * @return this builder
         */
        public RmspropBuilder momentum(double momentum) {
            config.momentum(momentum);
            return this;
        }

        /**
         * Normalizes by the estimated variance (keeps {@code grad_avg}).
         *
         * @param centered whether to normalize by the variance of the gradient (keeps {@code grad_avg})
         * @return this builder
         */
        public RmspropBuilder centered(boolean centered) {
            config.centered(centered);
            return this;
        }

        /**
         * Maximizes the objective (the gradient is negated).
         *
         * @param maximize whether to maximize the objective instead of minimizing it (step along the gradient)
         * @return this builder
         */
        public RmspropBuilder maximize(boolean maximize) {
            config.maximize(maximize);
            return this;
        }

        @Override
        public RmspropConfig config() {
            return config.build();
        }
    }

    /** {@code torch.optim.Adagrad}. */
    public static final class AdagradBuilder extends Builder<AdagradConfig, AdagradBuilder> {
        private final AdagradConfig.Builder config = AdagradConfig.builder();

        private AdagradBuilder() {
        }

        /**
         * Sets the learning rate.
         *
         * @param lr the learning rate (finite and >= 0)
         * @return this builder
         */
        public AdagradBuilder lr(double lr) {
            config.lr(lr);
            return this;
        }

        /**
         * PyTorch's {@code lr_decay}: the step's rate is {@code lr / (1 + (t - 1) * lr_decay)}.
         *
         * @param lrDecay the learning rate decay: step {@code t} uses {@code lr / (1 + (t - 1) * lr_decay)}
         * @return this builder
         */
        public AdagradBuilder lrDecay(double lrDecay) {
            config.lrDecay(lrDecay);
            return this;
        }

        /**
         * Coupled L2 weight decay.
         *
         * @param weightDecay the weight decay coefficient (finite and >= 0)
         * @return this builder
         */
        public AdagradBuilder weightDecay(double weightDecay) {
            config.weightDecay(weightDecay);
            return this;
        }

        /**
         * Sets the value {@code sum} starts from.
         *
         * @param value the value the {@code sum} state starts at (finite and >= 0)
         * @return this builder
         */
        public AdagradBuilder initialAccumulatorValue(double value) {
            config.initialAccumulatorValue(value);
            return this;
        }

        /**
         * Sets the term added to the denominator.
         *
         * @param eps the term added to the denominator for numerical stability (finite and >= 0)
         * @return this builder
         */
        public AdagradBuilder eps(double eps) {
            config.eps(eps);
            return this;
        }

        /**
         * Maximizes the objective (the gradient is negated).
         *
         * @param maximize whether to maximize the objective instead of minimizing it (step along the gradient)
         * @return this builder
         */
        public AdagradBuilder maximize(boolean maximize) {
            config.maximize(maximize);
            return this;
        }

        @Override
        public AdagradConfig config() {
            return config.build();
        }
    }
}
