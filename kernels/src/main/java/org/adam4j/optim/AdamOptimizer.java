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
import org.adam4j.kernels.AdamKernels;
import org.adam4j.kernels.ParallelChunks;
import org.adam4j.reference.AdagradConfig;
import org.adam4j.reference.AdamConfig;
import org.adam4j.reference.AdamStep;
import org.adam4j.reference.AdamaxConfig;
import org.adam4j.reference.NAdamConfig;
import org.adam4j.reference.NAdamStep;
import org.adam4j.reference.RAdamConfig;
import org.adam4j.reference.RelativeConfig;
import org.adam4j.reference.RmspropConfig;
import org.adam4j.reference.SgdConfig;
import org.adam4j.reference.WeightDecay;

/**
 * Adam, AdamW and their relatives (AdaMax, NAdam, RAdam, SGD, RMSprop, AdaGrad; built with {@link #of(RelativeConfig)}
 * or {@link #adamax()}, {@link #nadam()}, {@link #radam()}, {@link #sgd(double)}, {@link #rmsprop()},
 * {@link #adagrad()}) over many parameters, as a training loop calls them: register value and gradient pairs
 * ({@code float[]} and {@code double[]} arrays or slices, EJML matrices, {@link MemorySegment}s) in
 * {@link ParamGroup}s, then call {@link #step()} after each backward pass and {@link #zeroGrad()} before the next.
 * The optimizer owns the state of every parameter (PyTorch's state arrays, and NAdam's {@code mu_product}) and the
 * step counts, and can {@link #save} and {@link #load} them (see {@link StateFile} for the format). One core serves
 * every algorithm: only the per-step scalars and the kernel a parameter's step calls depend on it. Every group of
 * one optimizer runs the same algorithm, as in PyTorch; segment parameters are Adam's and AdamW's only (the
 * relatives' kernels step arrays).
 *
 * <p>A step is bit-identical for every thread count and every kernel lane width: the update is element-wise and each
 * element goes through the same arithmetic whichever thread or vector handles it. With more than one thread the
 * parameters are cut into pieces here, once, and the caller's thread works through them with the pool's
 * ({@link ParallelChunks#runPieces}); the kernels it calls are the serial ones, so nothing waits on nested parallel
 * work.
 *
 * <p>Not thread-safe: one thread drives an optimizer. {@link #close()} frees the state of segment parameters.
 */
public final class AdamOptimizer implements AutoCloseable {
    /** Pieces are at least this many elements: below it the hand-off costs more than the work. */
    static final long MIN_PIECE = 1 << 15;
    /** Piece boundaries are multiples of this many elements from the parameter's start (a cache line of floats). */
    static final long PIECE_ALIGN = 16;
    /** Never started: only asked whether a segment may be touched by the optimizer's worker threads. */
    private static final Thread ANOTHER_THREAD = Thread.ofVirtual().unstarted(() -> { });

    private final List<ParamGroup> groups = new ArrayList<>();
    private final Map<Object, Object> storages = new IdentityHashMap<>();
    private final Algorithm.Kernels kernels;
    private final int threads;
    /** Runs a step's pieces on the caller and the pool; its own split of slices is not used here. */
    private final ParallelChunks chunks;
    private Arena stateArena;
    private long steps;
    private boolean closed;
    /** The pieces of the current parameters, rebuilt after a registration. */
    private Plan plan;

    private AdamOptimizer(Builder b, Object config) {
        this.kernels = Algorithm.Kernels.of(b.kernel);
        this.threads = b.threads;
        this.chunks = new ParallelChunks(b.threads, 1, b.executor);
        groups.add(new ParamGroup(this, config, b.schedule));
    }

    /** {@code torch.optim.Adam}'s defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, no weight decay. */
    public static Builder adam() {
        return new Builder(false, Preset.PYTORCH);
    }

    /** Adam with a preset's defaults; weight decay, if set, is L2 (added to the gradient). */
    public static Builder adam(Preset preset) {
        return new Builder(false, Objects.requireNonNull(preset, "preset"));
    }

    /** {@code torch.optim.AdamW}'s defaults: as {@link #adam()} with decoupled weight decay 1e-2. */
    public static Builder adamW() {
        return new Builder(true, Preset.PYTORCH);
    }

    /** AdamW with a preset's defaults. */
    public static Builder adamW(Preset preset) {
        return new Builder(true, Objects.requireNonNull(preset, "preset"));
    }

    /**
     * An optimizer whose first group has exactly {@code config}; the builder's hyperparameter setters are then
     * refused (its threads, executor, kernel and schedule still apply).
     */
    public static Builder of(AdamConfig config) {
        Builder b = new Builder(false, Preset.PYTORCH);
        b.exact = Objects.requireNonNull(config, "config");
        return b;
    }

    /**
     * An optimizer running one of Adam's relatives, whose first group has exactly {@code config}; as with
     * {@link #of(AdamConfig)}, the builder's hyperparameter setters are refused.
     */
    public static Builder of(RelativeConfig config) {
        Builder b = new Builder(false, Preset.PYTORCH);
        b.exact = Objects.requireNonNull(config, "config");
        return b;
    }

    /** {@code torch.optim.Adamax}'s defaults (lr 2e-3). */
    public static Builder adamax() {
        return of(AdamaxConfig.defaults());
    }

    /** {@code torch.optim.NAdam}'s defaults (lr 2e-3, momentum_decay 4e-3). */
    public static Builder nadam() {
        return of(NAdamConfig.defaults());
    }

    /** {@code torch.optim.RAdam}'s defaults (lr 1e-3). */
    public static Builder radam() {
        return of(RAdamConfig.defaults());
    }

    /** {@code torch.optim.SGD} with no momentum; as in PyTorch the learning rate has no default. */
    public static Builder sgd(double lr) {
        return of(SgdConfig.builder().lr(lr).build());
    }

    /** {@code torch.optim.RMSprop}'s defaults (lr 1e-2, alpha 0.99). */
    public static Builder rmsprop() {
        return of(RmspropConfig.defaults());
    }

    /** {@code torch.optim.Adagrad}'s defaults (lr 1e-2). */
    public static Builder adagrad() {
        return of(AdagradConfig.defaults());
    }

    /** The group {@link Builder#build()} made, with the builder's configuration and schedule. */
    public ParamGroup defaultGroup() {
        return groups.get(0);
    }

    /** A new group with its own hyperparameters and schedule. */
    public ParamGroup addGroup(AdamConfig config, LrSchedule schedule) {
        return group(config, schedule);
    }

    /** A new group of a relative's optimizer, with its own hyperparameters and schedule. */
    public ParamGroup addGroup(RelativeConfig config, LrSchedule schedule) {
        return group(config, schedule);
    }

    /** The algorithm every group runs: {@code adam} (Adam and AdamW) or a relative's name such as {@code sgd}. */
    public String algorithm() {
        return groups.get(0).algorithm();
    }

    private ParamGroup group(Object config, LrSchedule schedule) {
        requireOpen();
        Algorithm.require(config);
        if (!Algorithm.name(config).equals(algorithm())) {
            throw new IllegalArgumentException("this optimizer runs " + algorithm() + "; a group cannot run "
                    + Algorithm.name(config) + " (one algorithm per optimizer, as in PyTorch)");
        }
        ParamGroup g = new ParamGroup(this, config, schedule);
        groups.add(g);
        return g;
    }

    public List<ParamGroup> groups() {
        return Collections.unmodifiableList(groups);
    }

    /** Every parameter, group by group, each group's in the order added (the order of the saved state). */
    public List<Param> params() {
        List<Param> all = new ArrayList<>();
        for (ParamGroup g : groups) {
            all.addAll(g.params());
        }
        return all;
    }

    /** How many times {@link #step()} has run; the step a schedule sees next is this plus one. */
    public long steps() {
        return steps;
    }

    public int threads() {
        return threads;
    }

    /** The kernels that do the arithmetic. */
    public String kernelName() {
        return kernels.adam_F32().name();
    }

    /**
     * Updates every registered parameter from its gradient. Before anything is written it checks that every
     * parameter's memory is still there and shaped as registered, that no step count would overflow and that every
     * schedule gives a valid learning rate; any failure throws {@link IllegalStateException} and steps nothing.
     */
    public void step() {
        requireOpen();
        Plan p = plan();
        long t = AdamStep.next(steps);
        for (ParamGroup g : groups) {
            g.prepare(t);
        }
        Object[] scalars = p.scalars;
        for (int i = 0; i < p.params.length; i++) {
            Param q = p.params[i];
            q.requireUsable();
            scalars[i] = q.group.scalars(q);
        }
        chunks.runPieces(p.pieces(), k -> p.run(k, kernels));
        for (int i = 0; i < p.params.length; i++) {
            Param q = p.params[i];
            q.step++;
            if (scalars[i] instanceof NAdamStep n) {
                q.muProduct = n.muProduct;
            }
        }
        steps = t;
    }

    /** Sets every gradient to zero (the memory is the caller's; PyTorch's {@code set_to_none} has no equivalent). */
    public void zeroGrad() {
        requireOpen();
        Plan p = plan();
        for (Param q : p.params) {
            q.requireUsable();
        }
        for (Param q : p.params) {
            q.zeroGrad();
        }
    }

    /**
     * Writes the whole state (configuration, groups, step counts, every moment) to {@code file} in the format of
     * {@link StateFile}: to a temporary file beside it, forced to disk, then renamed over {@code file} atomically, so
     * a crash leaves either the old file or the new one.
     */
    public void save(Path file) throws IOException {
        requireOpen();
        for (Param q : plan().params) {
            q.requireUsable();
        }
        StateFile.write(this, file);
    }

    /**
     * Restores the state that {@link #save} wrote, into this optimizer whose groups and parameters must be built as
     * those of the saved one (the same hyperparameters, schedules, shapes and precisions, in the same order). A file
     * that is truncated, corrupted, not an adam4j state file, of a newer format, or of another optimizer or shapes is
     * refused with an {@link IllegalArgumentException} saying which, and this optimizer is left as it was.
     */
    public void load(Path file) throws IOException {
        requireOpen();
        for (Param q : plan().params) {
            q.requireUsable();
        }
        StateFile.read(this, file);
    }

    /** Frees the state of segment parameters; the optimizer cannot be used after. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            if (stateArena != null) {
                stateArena.close();
            }
        }
    }

    @Override
    public String toString() {
        return "AdamOptimizer(" + algorithm() + ", " + groups.size() + " groups, " + plan().params.length
                + " parameters, " + steps + " steps, " + kernels.adam_F32().name() + ", " + threads + " threads)";
    }

    void restoreSteps(long steps) {
        this.steps = steps;
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

    /** Refuses a new parameter's memory if it overlaps its own gradient or any registered value or gradient. */
    void requireNoAlias(MemorySegment value, MemorySegment grad) {
        requireOpen();
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

    /** The parameters of a step cut into pieces: parameter index, offset and length of each, in a fixed order. */
    private static final class Plan {
        final Param[] params;
        final Object[] scalars;
        final int[] param;
        final long[] off;
        final long[] len;

        Plan(List<Param> list, int threads) {
            params = list.toArray(new Param[0]);
            scalars = new Object[params.length];
            long total = 0;
            for (Param q : params) {
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
            for (int k = 0; k < pieces.size(); k++) {
                param[k] = (int) pieces.get(k)[0];
                off[k] = pieces.get(k)[1];
                len[k] = pieces.get(k)[2];
            }
        }

        int pieces() {
            return param.length;
        }

        void run(int k, Algorithm.Kernels kernels) {
            int i = param[k];
            params[i].update(scalars[i], off[k], len[k], kernels);
        }

        private static long ceilTo(long x, long m) {
            return (x + m - 1) / m * m;
        }
    }

    /**
     * The optimizer's construction, with PyTorch's argument names ({@code lr}, {@code betas}, {@code eps},
     * {@code weight_decay}, {@code amsgrad}, {@code maximize}) and optimi's ({@code decouple_lr}, {@code max_lr}).
     * Each setter refuses a bad value at once.
     */
    public static final class Builder {
        private final boolean adamW;
        private final AdamConfig.Builder config = AdamConfig.builder();
        /** An {@link AdamConfig} or {@link RelativeConfig} taken whole, or null. */
        private Object exact;
        private double weightDecay;
        private boolean decoupleLr;
        private double maxLr = Double.NaN;
        private LrSchedule schedule = LrSchedule.constant();
        private int threads = 1;
        private Executor executor;
        private String kernel;

        private Builder(boolean adamW, Preset preset) {
            this.adamW = adamW;
            config.lr(Preset.LR).betas(preset.beta1, preset.beta2).eps(preset.eps);
            weightDecay = adamW ? Preset.ADAMW_WEIGHT_DECAY : 0.0;
            decoupleLr = adamW && preset == Preset.PAPER;
        }

        public Builder lr(double lr) {
            requireNotExact();
            config.lr(lr);
            return this;
        }

        public Builder betas(double beta1, double beta2) {
            requireNotExact();
            config.betas(beta1, beta2);
            return this;
        }

        public Builder eps(double eps) {
            requireNotExact();
            config.eps(eps);
            return this;
        }

        /** L2 (added to the gradient) for Adam, decoupled ({@code p *= 1 - lr*wd}) for AdamW. */
        public Builder weightDecay(double weightDecay) {
            requireNotExact();
            // refused now, with AdamConfig's own message; the mode is known only at build()
            AdamConfig.builder().weightDecay(weightDecay, WeightDecay.L2);
            this.weightDecay = weightDecay;
            return this;
        }

        /**
         * optimi's {@code decouple_lr}: fully decoupled decay, {@code p *= 1 - (lr / max_lr) * wd}, following the
         * schedule but not the learning rate's magnitude. {@code max_lr} defaults to {@code lr}.
         */
        public Builder decoupleLr(boolean decoupleLr) {
            requireNotExact();
            this.decoupleLr = decoupleLr;
            return this;
        }

        public Builder maxLr(double maxLr) {
            requireNotExact();
            AdamConfig.builder().maxLr(maxLr); // refused now, with AdamConfig's own message
            this.maxLr = maxLr;
            return this;
        }

        public Builder amsgrad(boolean amsgrad) {
            requireNotExact();
            config.amsgrad(amsgrad);
            return this;
        }

        public Builder maximize(boolean maximize) {
            requireNotExact();
            config.maximize(maximize);
            return this;
        }

        /** TensorFlow's and the paper's section-2 form: {@code eps} added before bias correction. */
        public Builder epsilonHat(boolean epsilonHat) {
            requireNotExact();
            config.epsilonHat(epsilonHat);
            return this;
        }

        public Builder biasCorrection(boolean biasCorrection) {
            requireNotExact();
            config.biasCorrection(biasCorrection);
            return this;
        }

        /** The first group's learning-rate schedule; constant unless set. */
        public Builder schedule(LrSchedule schedule) {
            this.schedule = Objects.requireNonNull(schedule, "schedule");
            return this;
        }

        /** Steps with this many threads (the caller's and those of a shared daemon pool); 1 unless set. */
        public Builder threads(int threads) {
            this.threads = ParallelChunks.checkThreads(threads);
            return this;
        }

        /** Steps with the caller's thread and up to {@code threads - 1} tasks on {@code executor}. */
        public Builder executor(Executor executor, int threads) {
            threads(threads);
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /** A kernel by name ({@code scalar}, {@code vector}, {@code vector-256}...; see {@link AdamKernels}). */
        public Builder kernel(String name) {
            AdamKernels.f32(name);
            AdamKernels.relatives_F32(name);
            this.kernel = name;
            return this;
        }

        private void requireNotExact() {
            if (exact != null) {
                throw new IllegalStateException("AdamOptimizer.of(config) takes the configuration whole: set "
                        + "hyperparameters on the " + exact.getClass().getSimpleName());
            }
        }

        /**
         * The Adam configuration the first group gets.
         *
         * @throws IllegalStateException if this builds a relative (see {@link #relativeConfig()})
         */
        public AdamConfig config() {
            if (exact instanceof RelativeConfig r) {
                throw new IllegalStateException("this builds " + r.optimizer() + ", not Adam: use relativeConfig()");
            }
            if (exact != null) {
                return (AdamConfig) exact;
            }
            AdamConfig.Builder c = config.build().toBuilder();
            if (weightDecay != 0.0 || decoupleLr) {
                if (!adamW && !decoupleLr) {
                    c.l2(weightDecay);
                } else if (decoupleLr) {
                    c.fullyDecoupled(weightDecay, Double.isNaN(maxLr) ? c.build().lr() : maxLr);
                } else {
                    c.decoupled(weightDecay);
                }
            }
            return c.build();
        }

        /** The relative's configuration the first group gets, or null if this builds Adam or AdamW. */
        public RelativeConfig relativeConfig() {
            return exact instanceof RelativeConfig r ? r : null;
        }

        public AdamOptimizer build() {
            return new AdamOptimizer(this, exact instanceof RelativeConfig r ? r : config());
        }
    }
}
