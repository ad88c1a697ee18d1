package org.adam4j.optim;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.adam4j.reference.GradNormReference_F32;
import org.adam4j.reference.GradNormReference_F64;
import org.adam4j.kernels.LowPrecisionSteps;
import org.adam4j.reference.GradNorms;
import org.adam4j.reference.LowPrecision;
import org.adam4j.reference.OptimizerConfig;
import org.adam4j.reference.OptimizerStep;
import org.adam4j.reference.Rounding;
import org.adam4j.reference.StateVariable;
import org.ejml.data.DMatrixRMaj;
import org.ejml.data.FMatrixRMaj;
import org.ejml.data.Matrix;

/**
 * One registered parameter: its value and gradient (memory the caller owns), its state (memory the optimizer owns,
 * named as PyTorch names it and listed by its configuration's {@link OptimizerConfig#stateArrays()}: Adam's
 * {@code exp_avg}, {@code exp_avg_sq} and, with AMSGrad, {@code max_exp_avg_sq}; SGD's {@code momentum_buffer}...;
 * a {@link Precision#BF16} or {@link Precision#FP16} parameter in a group with {@link Rounding#KAHAN} also keeps
 * {@link #KAHAN_COMP}), its scalar state (NAdam's {@code mu_product}) and its step count. Get one from a
 * {@link ParamGroup}'s {@code add} methods.
 */
public abstract sealed class Param permits ArrayParam_F32, ArrayParam_F64, SegmentParam_F32, SegmentParam_F64,
        LowPrecisionArrayParam, LowPrecisionSegmentParam, CompactStateParam {
    /**
     * optimi's name of the Kahan compensation of a 16-bit parameter ({@code state["kahan_comp"]}): what rounding the
     * parameter to its storage lost, in the parameter's precision, the last of its state arrays.
     */
    public static final String KAHAN_COMP = "kahan_comp";
    /** One thread's block of a 16-bit gradient: its bits, and widened (the guarded step's reductions and steps). */
    private static final ThreadLocal<short[]> GRAD_BITS = ThreadLocal.withInitial(() -> new short[GradNorms.BLOCK]);
    static final ThreadLocal<float[]> WIDENED = ThreadLocal.withInitial(() -> new float[GradNorms.BLOCK]);

    final ParamGroup<?> group;
    final Precision precision;
    /** The gradient's element type: the parameter's, or {@code float} for a 16-bit parameter given one. */
    final Precision gradPrecision;
    final long[] shape;
    final long size;
    /** How its state is kept, and so which arrays it has: fixed, since a group's is once it has parameters. */
    final StatePrecision statePrecision;
    /** Its state arrays; fixed, as the group's state names, state precision and (for 16-bit ones) Kahan are. */
    final StateLayout layout;
    private final List<String> names;
    /** The value's and the gradient's memory, as views for overlap checks, zeroing and copies. */
    final MemorySegment value;
    final MemorySegment grad;
    private final MatrixPair matrices;
    long step;
    /** Whether the next step has a gradient for this parameter; see {@link #hasGrad()}. */
    private volatile boolean hasGrad = true;
    /** The scalar state, in {@link OptimizerConfig#scalarStates()} order (NAdam's {@code mu_product}). */
    final double[] scalars;
    /**
     * The global index of element 0, which keys stochastic rounding: the sizes of every parameter before this one in
     * {@link Optimizer#params()} summed (set when the optimizer plans a step).
     */
    long firstIndex;
    /**
     * The guarded step's unscaling and clipping factors for this step, for a 16-bit gradient, which is not rescaled in
     * place (its 16 bits would round the unscaled values): its step widens it and applies them in {@code float}, as
     * the {@code float} path's in-place rescale does ({@link #rescaleGrad}); 1 and 1 outside a guarded step.
     */
    float gradUnscale = 1f;
    float gradClip = 1f;

    Param(ParamGroup<?> group, Precision precision, long[] shape, MemorySegment value, MemorySegment grad,
            MatrixPair matrices) {
        this(group, precision, precision, shape, value, grad, matrices);
    }

    Param(ParamGroup<?> group, Precision precision, Precision gradPrecision, long[] shape, MemorySegment value,
            MemorySegment grad, MatrixPair matrices) {
        this.group = group;
        this.precision = precision;
        this.gradPrecision = gradPrecision;
        this.shape = shape.clone();
        this.size = value.byteSize() / precision.bytes();
        this.value = value;
        this.grad = grad;
        this.matrices = matrices;
        this.statePrecision = group.statePrecision();
        this.layout = StateLayout.of(group.config(), precision, group.rounding(), statePrecision, size);
        this.names = layout.names();
        List<StateVariable> s = group.config().scalarStates();
        this.scalars = new double[s.size()];
        for (int k = 0; k < scalars.length; k++) {
            scalars[k] = s.get(k).initialValue();
        }
    }

    /** {@return the group this parameter is in} */
    public ParamGroup<?> group() {
        return group;
    }

    /**
     * Whether this parameter has a gradient for the next step (PyTorch's {@code p.grad is not None}). A parameter
     * without one is skipped by {@link Optimizer#step()}, as PyTorch skips it: no weight decay, no state change, and
     * its step count does not advance, so its next step uses its own count for bias correction.
     *
     * @return whether the next step updates this parameter
     */
    public boolean hasGrad() {
        return hasGrad;
    }

    /** PyTorch's {@code p.grad = None}: the following steps skip this parameter until {@link #markGrad()}. */
    public void clearGrad() {
        hasGrad = false;
    }

    /** Says that the gradient memory holds a gradient for the next step (after {@code zeroGrad(true)}). */
    public void markGrad() {
        hasGrad = true;
    }

    /**
     * {@return the element type of the value and the gradient (and of the state arrays but for a 16-bit parameter's,
     * which are {@link Precision#statePrecision()})}
     */
    public Precision precision() {
        return precision;
    }

    /**
     * {@return the element type of the gradient: the parameter's {@link #precision()}, or {@link Precision#F32} for a
     * 16-bit parameter registered with a {@code float} gradient (gradients accumulated in {@code float}). Gradients
     * are not part of the state, so {@link Optimizer#state()} and the state file do not record it}
     */
    public Precision gradPrecision() {
        return gradPrecision;
    }

    /**
     * {@code [rows, cols]} for a matrix, {@code [elements]} otherwise.
     *
     * @return a copy of the shape: {@code [rows, cols]} for a matrix, {@code [elements]} otherwise
     */
    public long[] shape() {
        return shape.clone();
    }

    /**
     * Elements.
     *
     * @return the number of elements
     */
    public long size() {
        return size;
    }

    /** {@return how many steps have updated this parameter (PyTorch's {@code state['step']})} */
    public long step() {
        return step;
    }

    /**
     * {@return the names of this parameter's state arrays (PyTorch's), in the order {@link #state(String)} knows them:
     * its algorithm's, then, with {@link StatePrecision#BLOCKWISE_8BIT} states, each one's absmax
     * ({@code exp_avg_absmax}, {@code exp_avg_sq_absmax}), then {@link #KAHAN_COMP} for a 16-bit parameter in a group
     * with {@link Rounding#KAHAN}}
     */
    public List<String> stateNames() {
        return names;
    }

    /** {@return how this parameter keeps its state: its group's {@link ParamGroup#statePrecision()}} */
    public StatePrecision statePrecision() {
        return statePrecision;
    }

    /**
     * {@return the bytes of this parameter's state: every state array of {@link #stateNames()} at its precision (the
     * moments in {@code float} for a 16-bit parameter, its {@link #KAHAN_COMP} in 16 bits; with 8-bit states a byte
     * per element and moment plus a {@code float} absmax per block of {@link StatePrecision#BLOCK_SIZE} and moment);
     * not the parameter or its gradient}
     */
    public long stateBytes() {
        return layout.bytes();
    }

    /** Whether this parameter keeps {@link #KAHAN_COMP}: a 16-bit one in a group that rounds with Kahan's sum. */
    final boolean hasKahanComp() {
        return names.contains(KAHAN_COMP);
    }

    /**
     * The state array PyTorch calls {@code name} ({@code exp_avg}, {@code momentum_buffer}, {@code sum}...; optimi's
     * {@code kahan_comp}), read-only, in native byte order ({@code ValueLayout.JAVA_FLOAT} or {@code JAVA_DOUBLE};
     * {@code JAVA_SHORT} bit patterns for the compensation of a 16-bit parameter and for {@link StatePrecision#BF16}
     * moments; with {@link StatePrecision#BLOCKWISE_8BIT} states, {@code exp_avg} and {@code exp_avg_sq} are
     * {@code JAVA_BYTE} codes, one per element, read as unsigned, and {@code exp_avg_absmax} and
     * {@code exp_avg_sq_absmax} {@code JAVA_FLOAT}s, one per block).
     *
     * @param name PyTorch's name of the state array (one of {@link #stateNames()})
     * @return the state array, read-only, in native byte order
     * @throws IllegalArgumentException if this parameter's algorithm keeps no such state
     */
    public MemorySegment state(String name) {
        int k = stateNames().indexOf(name);
        if (k < 0) {
            throw new IllegalArgumentException("no state '" + name + "': " + this + " is stepped by "
                    + group.config() + ", whose state is " + stateNames());
        }
        return state(k).asReadOnly();
    }

    /**
     * The scalar state PyTorch calls {@code name} (NAdam's {@code mu_product}: {@code mu_1 * ... * mu_t} over this
     * parameter's steps, 1 before the first).
     *
     * @param name PyTorch's name of the scalar state ({@code mu_product})
     * @return the value
     * @throws IllegalArgumentException if this parameter's algorithm keeps no such scalar
     */
    public double scalar(String name) {
        List<StateVariable> s = group.config().scalarStates();
        for (int k = 0; k < s.size(); k++) {
            if (s.get(k).name().equals(name)) {
                return scalars[k];
            }
        }
        throw new IllegalArgumentException("no scalar state '" + name + "': " + this + " is stepped by "
                + group.config() + ", whose scalar state is " + s.stream().map(StateVariable::name).toList());
    }

    /**
     * {@return the first moment, read-only, in native byte order ({@code ValueLayout.JAVA_FLOAT} or {@code
     * JAVA_DOUBLE}; compact states as {@link #state(String)} says)}
     */
    public MemorySegment expAvg() {
        return state("exp_avg");
    }

    /** {@return the second moment, read-only} */
    public MemorySegment expAvgSq() {
        return state("exp_avg_sq");
    }

    /**
     * The running maximum of the second moment, read-only.
     *
     * @return AMSGrad's running maximum, read-only
     * @throws IllegalStateException if the group does not use AMSGrad
     */
    public MemorySegment maxExpAvgSq() {
        if (!stateNames().contains("max_exp_avg_sq")) {
            throw new IllegalStateException("no max_exp_avg_sq: " + this + " is in a group without AMSGrad");
        }
        return state("max_exp_avg_sq");
    }

    /** Where this parameter sits: its group's and its own index. */
    @Override
    public String toString() {
        return "parameter " + group.params().indexOf(this) + " of group " + group.index() + " " + Arrays.toString(shape)
                + " " + precision + (statePrecision.isCompact() ? " with " + statePrecision.label() + " states" : "");
    }

    /** Records this parameter's state where later slices of the same memory find it. */
    abstract void commit(java.util.Map<Object, Object> storages);

    /** State segment {@code k}, of the name {@code stateNames().get(k)}. */
    abstract MemorySegment state(int k);

    /** How many state segments this parameter has. */
    final int stateCount() {
        return stateNames().size();
    }

    /** One step of its group's algorithm ({@code s} its scalars) over elements {@code [off, off + len)}. */
    abstract void update(OptimizerStep s, long off, long len, Optimizer.Kernels kernels);

    /**
     * The guarded step's first pass over elements {@code [off, off + len)} of the gradient (a run of whole blocks):
     * each block's sum of squares of the unscaled gradient into {@code sums} from {@code at} (when {@code sums} is
     * not {@code null}), and the largest unscaled absolute value (0 when {@code maxAbs} is {@code false}). A 16-bit
     * gradient is widened block by block into a {@code float} copy and reduced by the {@code float} loops: the
     * widening is exact and each block's sum is the block's alone, so it has the bits of a {@code float} gradient of
     * the same values.
     */
    final double reduceGrad(double invScale, long off, long len, double[] sums, int at, boolean maxAbs,
            Optimizer.Kernels k) {
        return switch (gradPrecision) {
            case F32 -> {
                if (sums != null) {
                    k.kernel_F32().blockSums(grad, (float) invScale, off, len, sums, at);
                }
                yield maxAbs ? k.kernel_F32().maxAbs(grad, (float) invScale, off, len) : 0.0;
            }
            case F64 -> {
                if (sums != null) {
                    k.kernel_F64().blockSums(grad, invScale, off, len, sums, at);
                }
                yield maxAbs ? k.kernel_F64().maxAbs(grad, invScale, off, len) : 0.0;
            }
            case BF16, FP16 -> {
                float[] w = WIDENED.get();
                double max = 0.0;
                for (long o = off, b = at; o < off + len; o += GradNorms.BLOCK, b++) {
                    int n = widenGrad(o, (int) Math.min(GradNorms.BLOCK, off + len - o), w);
                    if (sums != null) {
                        k.kernel_F32().blockSums(w, (float) invScale, 0, n, sums, (int) b);
                    }
                    if (maxAbs) {
                        max = Math.max(max, k.kernel_F32().maxAbs(w, (float) invScale, 0, n));
                    }
                }
                yield max;
            }
        };
    }

    /** How many unscaled gradient elements are NaN or infinite (the rare path after a non-finite sum). */
    final long countNonFinite(double invScale) {
        return switch (gradPrecision) {
            case F32 -> GradNormReference_F32.nonFinite(grad, (float) invScale, 0, size);
            case F64 -> GradNormReference_F64.nonFinite(grad, invScale, 0, size);
            case BF16, FP16 -> {
                float[] w = WIDENED.get();
                long count = 0;
                for (long o = 0; o < size; o += GradNorms.BLOCK) {
                    int n = widenGrad(o, (int) Math.min(GradNorms.BLOCK, size - o), w);
                    count += GradNormReference_F32.nonFinite(w, (float) invScale, 0, n);
                }
                yield count;
            }
        };
    }

    /**
     * Unscales and clips the gradient in place over {@code [off, off + len)}, as PyTorch leaves {@code p.grad}; a
     * 16-bit gradient is left as it is, its step applies the factors ({@link #gradUnscale}).
     */
    final void rescaleGrad(double invScale, double coef, long off, long len, Optimizer.Kernels k) {
        switch (gradPrecision) {
            case F32 -> k.kernel_F32().scale(grad, (float) invScale, (float) coef, off, len);
            case F64 -> k.kernel_F64().scale(grad, invScale, coef, off, len);
            case BF16, FP16 -> { }
        }
    }

    /** Elements {@code [o, o + n)} of the 16-bit gradient widened into {@code w}; returns {@code n}. */
    private int widenGrad(long o, int n, float[] w) {
        short[] bits = GRAD_BITS.get();
        MemorySegment.copy(grad, ValueLayout.JAVA_SHORT_UNALIGNED, o * Short.BYTES, bits, 0, n);
        gradPrecision.format().toFloat(bits, 0, w, 0, n);
        return n;
    }

    /**
     * {@code n} elements of a 16-bit gradient from {@code g[off]} widened into {@code w} and unscaled and clipped in
     * {@code float} by this step's factors ({@link #gradUnscale}, {@link #gradClip}) with the {@code float} path's
     * loop, {@code (g * unscale) * clip}: the gradient a 16-bit parameter's guarded step uses.
     */
    final float[] unscaledGrad(short[] g, int off, int n, float[] w, Optimizer.Kernels k) {
        gradPrecision.format().toFloat(g, off, w, 0, n);
        k.kernel_F32().scale(w, gradUnscale, gradClip, 0, n);
        return w;
    }

    /**
     * A 16-bit parameter's step over {@code [at, at + n)} of {@code p} and {@code state}, with its gradient as it was
     * registered: a {@code float} one ({@code g32}, element {@code at}'s at {@code gAt}) used as it is; a 16-bit one
     * ({@code g16}, at {@code gAt}) read by the 16-bit kernels, or, when this step unscales or clips it, widened and
     * rescaled in {@code float} a block at a time ({@link #unscaledGrad}) and stepped as a {@code float} one. Every
     * path is {@link LowPrecisionSteps#reference} on the {@code float} gradient it uses.
     */
    final void step16(OptimizerStep s, Optimizer.Kernels k, short[] p, short[] g16, float[] g32, int gAt,
            float[][] state, short[] comp, int at, int n, long index) {
        LowPrecision fmt = precision.format();
        if (g32 != null) {
            LowPrecisionSteps.run(k.lowPrecision(), s, fmt, group.rounding(), p, g32, gAt, state, comp, at, n,
                    group.roundingSeed(), index);
        } else if (gradUnscale != 1f || gradClip != 1f) {
            float[] w = WIDENED.get();
            for (int o = 0; o < n; o += GradNorms.BLOCK) {
                int m = Math.min(GradNorms.BLOCK, n - o);
                LowPrecisionSteps.run(k.lowPrecision(), s, fmt, group.rounding(), p, unscaledGrad(g16, gAt + o, m, w,
                        k), 0, state, comp, at + o, m, group.roundingSeed(), index + o);
            }
        } else {
            if (gAt != at) {
                throw new IllegalStateException("the 16-bit kernels read p[i] and g[i] at one index");
            }
            LowPrecisionSteps.run(k.lowPrecision(), s, fmt, group.rounding(), p, g16, state, comp, at, n,
                    group.roundingSeed(), index);
        }
    }

    /**
     * {@link #update} over {@code [off, off + len)} (a run of whole blocks) one block at a time, each block's
     * parameters copied before and after into {@code scratch} (in cache), for the step statistics: per block the sum
     * of squares of the parameters before, of the update, and the largest relative update, at {@code at} onwards. A
     * 16-bit parameter's copies are widened to {@code float}: its update is {@code after - before} in {@code float}.
     */
    final void updateWithStats(OptimizerStep s, long off, long len, Optimizer.Kernels k, StatsScratch scratch,
            double[] paramSums, double[] updateSums, double[] ratios, int at) {
        if (fusedWithStats(s, off, len, k, paramSums, updateSums, ratios, at)) {
            return;
        }
        for (long o = off, b = at; o < off + len; o += GradNorms.BLOCK, b++) {
            int n = (int) Math.min(GradNorms.BLOCK, off + len - o);
            switch (precision) {
                case F32 -> {
                    float[] before = scratch.f32Before(), after = scratch.f32After();
                    MemorySegment.copy(value, ValueLayout.JAVA_FLOAT_UNALIGNED, o * Float.BYTES, before, 0, n);
                    update(s, o, n, k);
                    MemorySegment.copy(value, ValueLayout.JAVA_FLOAT_UNALIGNED, o * Float.BYTES, after, 0, n);
                    ratios[(int) b] = k.kernel_F32().updateStats(before, after, n, paramSums, updateSums, (int) b);
                }
                case F64 -> {
                    double[] before = scratch.f64Before(), after = scratch.f64After();
                    MemorySegment.copy(value, ValueLayout.JAVA_DOUBLE_UNALIGNED, o * Double.BYTES, before, 0, n);
                    update(s, o, n, k);
                    MemorySegment.copy(value, ValueLayout.JAVA_DOUBLE_UNALIGNED, o * Double.BYTES, after, 0, n);
                    ratios[(int) b] = k.kernel_F64().updateStats(before, after, n, paramSums, updateSums, (int) b);
                }
                case BF16, FP16 -> {
                    float[] before = scratch.f32Before(), after = scratch.f32After();
                    short[] bits = scratch.bits();
                    MemorySegment.copy(value, ValueLayout.JAVA_SHORT_UNALIGNED, o * Short.BYTES, bits, 0, n);
                    precision.format().toFloat(bits, 0, before, 0, n);
                    update(s, o, n, k);
                    MemorySegment.copy(value, ValueLayout.JAVA_SHORT_UNALIGNED, o * Short.BYTES, bits, 0, n);
                    precision.format().toFloat(bits, 0, after, 0, n);
                    ratios[(int) b] = k.kernel_F32().updateStats(before, after, n, paramSums, updateSums, (int) b);
                }
            }
        }
    }

    /**
     * {@link #updateWithStats} in the step's own pass, where the kernel has such a loop for the algorithm
     * ({@code OptimizerSteps.runWithStats}); {@code false}, touching nothing, otherwise.
     */
    abstract boolean fusedWithStats(OptimizerStep s, long off, long len, Optimizer.Kernels k, double[] paramSums,
            double[] updateSums, double[] ratios, int at);

    /** One thread's block-sized copies of parameters for {@link #updateWithStats}, made on first use. */
    static final class StatsScratch {
        private float[] f32Before, f32After;
        private double[] f64Before, f64After;
        private short[] bits;

        short[] bits() {
            return bits != null ? bits : (bits = new short[GradNorms.BLOCK]);
        }

        float[] f32Before() {
            return f32Before != null ? f32Before : (f32Before = new float[GradNorms.BLOCK]);
        }

        float[] f32After() {
            return f32After != null ? f32After : (f32After = new float[GradNorms.BLOCK]);
        }

        double[] f64Before() {
            return f64Before != null ? f64Before : (f64Before = new double[GradNorms.BLOCK]);
        }

        double[] f64After() {
            return f64After != null ? f64After : (f64After = new double[GradNorms.BLOCK]);
        }
    }

    /** This parameter's part of {@link Optimizer#state()}: copies of the state arrays, or views of them. */
    final OptimizerState.ParamState snapshot(boolean copy) {
        Map<String, MemorySegment> arrays = new LinkedHashMap<>();
        List<String> names = stateNames();
        for (int k = 0; k < names.size(); k++) {
            MemorySegment s = state(k);
            if (copy) {
                s = layout.arrays().get(k).element().allocate(layout.arrays().get(k).length()).copyFrom(s);
            }
            arrays.put(names.get(k), s.asReadOnly());
        }
        Map<String, Double> sc = new LinkedHashMap<>();
        List<StateVariable> sv = group.config().scalarStates();
        for (int k = 0; k < sv.size(); k++) {
            sc.put(sv.get(k).name(), scalars[k]);
        }
        return new OptimizerState.ParamState(precision, shape, step, sc, arrays, statePrecision);
    }

    /** Refuses a saved parameter state that does not fit this parameter; {@code where} names the source. */
    final void requireRestorable(OptimizerState.ParamState s, long optimizerSteps, String where) {
        if (s.precision() != precision || !Arrays.equals(s.shape(), shape)) {
            throw new IllegalArgumentException(where + " does not match this optimizer: " + this + " was saved with "
                    + "the shape " + Arrays.toString(s.shape()) + " " + s.precision());
        }
        if (s.statePrecision() != statePrecision) {
            throw new IllegalArgumentException(where + " does not match this optimizer: " + this + " was saved with "
                    + s.statePrecision().label() + " states");
        }
        if (!s.arrays().keySet().equals(new java.util.LinkedHashSet<>(stateNames()))) {
            throw new IllegalArgumentException(where + ": " + this + " keeps " + stateNames() + ", the saved state "
                    + s.arrays().keySet());
        }
        if (s.step() < 0 || s.step() > optimizerSteps) {
            throw new IllegalArgumentException(where + ": " + this + " has step count " + s.step() + ", outside [0, "
                    + optimizerSteps + "] (the optimizer's steps)");
        }
        List<String> scalarNames = group.config().scalarStates().stream().map(StateVariable::name).toList();
        if (!s.scalars().keySet().equals(new java.util.LinkedHashSet<>(scalarNames))) {
            throw new IllegalArgumentException(where + ": " + this + " keeps scalars " + scalarNames
                    + ", the saved state " + s.scalars().keySet());
        }
        for (StateVariable v : group.config().scalarStates()) {
            double x = s.scalars().get(v.name());
            if (Double.isNaN(x) || !v.admits(x)) {
                throw new IllegalArgumentException(where + ": " + this + " has " + v.name() + " " + x + ", outside ["
                        + v.min() + ", " + v.max() + "]");
            }
        }
        for (StateLayout.Array k : layout.arrays()) {
            MemorySegment a = s.arrays().get(k.name());
            int bytes = k.element().bytes();
            if (a.byteSize() != k.length() * bytes) {
                throw new IllegalArgumentException(where + ": " + this + " keeps " + k.length() + " elements in "
                        + k.name() + ", its saved " + k.name() + " has " + a.byteSize() / bytes);
            }
        }
        for (StateLayout.Array k : layout.arrays()) {
            MemorySegment a = s.arrays().get(k.name());
            long bad = k.firstInadmissible(a);
            if (bad >= 0) {
                throw new IllegalArgumentException(where + ": " + this + " has " + k.name() + "[" + bad + "] = "
                        + k.element().element(a, bad) + ", " + k.inadmissible());
            }
        }
    }

    /** Copies a checked saved state in. */
    final void restore(OptimizerState.ParamState s) {
        List<String> names = stateNames();
        for (int k = 0; k < names.size(); k++) {
            state(k).copyFrom(s.arrays().get(names.get(k)));
        }
        List<StateVariable> sv = group.config().scalarStates();
        for (int k = 0; k < sv.size(); k++) {
            scalars[k] = s.scalars().get(sv.get(k).name());
        }
        step = s.step();
    }

    /** Makes sure the memory is still there and shaped as registered; throws before anything is written. */
    void requireUsable() {
        for (int k = -2; k < stateCount(); k++) {
            MemorySegment s = k == -2 ? value : k == -1 ? grad : state(k);
            if (s != null && !s.scope().isAlive()) {
                throw new IllegalStateException(this + ": the arena of its " + (k == -2 ? "value" : k == -1
                        ? "gradient" : "state") + " segment is closed; nothing was stepped");
            }
        }
        if (matrices != null) {
            matrices.requireUnchanged(this);
        }
    }

    void zeroGrad() {
        grad.fill((byte) 0);
        hasGrad = true;
    }

    /** EJML matrices registered as a value and gradient pair, remembered to catch a reshape after registration. */
    record MatrixPair(Matrix value, Matrix grad, int rows, int cols, Object valueData, Object gradData) {
        static MatrixPair of(Matrix value, Matrix grad) {
            return new MatrixPair(value, grad, value.getNumRows(), value.getNumCols(), data(value), data(grad));
        }

        static Object data(Matrix m) {
            return m instanceof FMatrixRMaj f ? f.data : ((DMatrixRMaj) m).data;
        }

        void requireUnchanged(Param p) {
            requireUnchanged(p, "value", value, valueData);
            requireUnchanged(p, "gradient", grad, gradData);
        }

        private void requireUnchanged(Param p, String which, Matrix m, Object data) {
            if (m.getNumRows() != rows || m.getNumCols() != cols || data(m) != data) {
                throw new IllegalStateException(p + ": its " + which + " matrix was registered as " + rows + "x" + cols
                        + " but is now " + m.getNumRows() + "x" + m.getNumCols()
                        + (data(m) != data ? " with a new data array" : "")
                        + " (reshaped after registration); nothing was stepped");
            }
        }
    }
}
