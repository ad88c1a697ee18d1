package org.adam4j.optim;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import org.adam4j.kernels.LowPrecisionSteps;
import org.adam4j.reference.OptimizerConfig;
import org.adam4j.reference.OptimizerStep;
import org.adam4j.reference.Rounding;
import org.ejml.data.DMatrixRMaj;
import org.ejml.data.FMatrixRMaj;
import org.ejml.data.Matrix;

/**
 * Parameters that share hyperparameters and a learning-rate schedule, as a PyTorch param group. Every group of one
 * optimizer runs the same algorithm, with its own configuration ({@code C}). Every {@code add} checks its arguments
 * against everything registered before it and refuses, changing nothing, a gradient of another shape, memory
 * registered already, or a value or gradient that aliases another parameter's.
 *
 * <p>A group also says how its {@link Precision#BF16} and {@link Precision#FP16} parameters are rounded back to their
 * storage after each step ({@link #rounding()}, to nearest unless set) and the seed of stochastic rounding
 * ({@link #roundingSeed()}), as PyTorch keeps such options per group; {@code float} and {@code double} parameters are
 * stored exactly and ignore both. And it says how its parameters keep their optimizer state
 * ({@link #statePrecision()}: {@code float} unless set, or compact for Adam and AdamW).
 *
 * @param <C> the algorithm's configuration type
 */
public final class ParamGroup<C extends OptimizerConfig> {
    private final Optimizer<C> optimizer;
    private final List<Param> params = new ArrayList<>();
    private C config;
    private LrSchedule schedule;
    private Rounding rounding;
    private long roundingSeed;
    private StatePrecision statePrecision;
    /** The learning rate of the step being taken. */
    private double stepLr;
    /**
     * The step scalars of the last parameter step number and scalar state asked for: a group's parameters almost
     * always share them.
     */
    private OptimizerStep cached;
    private long cachedStep;
    private double[] cachedScalars;

    ParamGroup(Optimizer<C> optimizer, C config, LrSchedule schedule, Rounding rounding, long roundingSeed,
            StatePrecision statePrecision) {
        this.optimizer = optimizer;
        this.config = Objects.requireNonNull(config, "config");
        this.schedule = Objects.requireNonNull(schedule, "schedule");
        this.rounding = Objects.requireNonNull(rounding, "rounding");
        this.roundingSeed = roundingSeed;
        this.statePrecision = Objects.requireNonNull(statePrecision, "statePrecision");
    }

    /** {@return this group's position in {@link Optimizer#groups()}} */
    public int index() {
        return optimizer.groups().indexOf(this);
    }

    /** {@return the hyperparameters} */
    public C config() {
        return config;
    }

    /**
     * PyTorch's name of this group's configured algorithm ({@code adam}, {@code adamw}, {@code sgd}...).
     *
     * @return the algorithm's name, as {@link OptimizerConfig#algorithm()} gives it
     */
    public String algorithm() {
        return config.algorithm();
    }

    /**
     * Replaces the hyperparameters (for the following steps). The state each parameter keeps must stay the same:
     * turning AMSGrad, SGD's or RMSprop's momentum, or RMSprop's {@code centered} on or off in a group that has
     * parameters is refused, and so is a configuration that cannot keep the group's {@link #statePrecision()}
     * (AMSGrad with 8-bit states).
     *
     * @param config the configuration
     */
    public void config(C config) {
        optimizer.requireIdle("the configuration was not replaced");
        requireReplaceable(config, "group " + index());
        statePrecision.requireSupportedBy(config, "group " + index() + ": ");
        this.config = config;
        this.cached = null;
    }

    void requireReplaceable(C config, String where) {
        optimizer.requireSameAlgorithm(config, "it cannot switch to");
        if (!config.stateNames().equals(this.config.stateNames()) && !params.isEmpty()) {
            throw new IllegalArgumentException(where + ": cannot change the state of a group that has parameters: "
                    + this.config + " keeps " + this.config.stateNames() + ", " + config + " keeps "
                    + config.stateNames());
        }
    }

    /**
     * Refuses a rounding that changes the state of this group's 16-bit parameters: {@link Rounding#KAHAN} keeps a
     * compensation array that the other roundings do not.
     */
    void requireRoundingReplaceable(Rounding rounding, String where) {
        Objects.requireNonNull(rounding, "rounding");
        if ((rounding == Rounding.KAHAN) != (this.rounding == Rounding.KAHAN)
                && params.stream().anyMatch(p -> p.precision().isLowPrecision())) {
            throw new IllegalArgumentException(where + ": cannot switch the rounding of a group with 16-bit "
                    + "parameters from " + this.rounding + " to " + rounding + " (Kahan rounding keeps "
                    + Param.KAHAN_COMP + ", the others do not)");
        }
    }

    /**
     * Refuses another state precision once the group has parameters: each parameter's state arrays were made for the
     * group's.
     */
    void requireStatePrecisionReplaceable(StatePrecision statePrecision, String where) {
        Objects.requireNonNull(statePrecision, "statePrecision");
        if (statePrecision != this.statePrecision && !params.isEmpty()) {
            throw new IllegalStateException(where + ": cannot switch the state precision of a group that has "
                    + "parameters from " + this.statePrecision.label() + " to " + statePrecision.label() + " (their "
                    + "state is kept in " + this.statePrecision.label() + "): set it before adding parameters");
        }
    }

    void restore(C config, LrSchedule schedule, Rounding rounding, long roundingSeed, StatePrecision statePrecision) {
        this.config = config;
        this.schedule = schedule;
        this.rounding = rounding;
        this.roundingSeed = roundingSeed;
        this.statePrecision = statePrecision;
        this.cached = null;
    }

    /**
     * {@return how this group's parameters keep their optimizer state: {@link StatePrecision#F32} unless set (on the
     * group, or on the optimizer's builder for every group)}
     */
    public StatePrecision statePrecision() {
        return statePrecision;
    }

    /**
     * Sets how this group's parameters keep their optimizer state, before any is added: {@link StatePrecision#F32},
     * or compact for Adam and AdamW ({@link StatePrecision#BLOCKWISE_8BIT}: bitsandbytes' 8-bit blockwise moments,
     * without AMSGrad; {@link StatePrecision#BF16}: bf16 moments, AMSGrad's too). Compact states are for
     * {@link Precision#F32} parameters and whole {@code short[]} arrays of 16-bit ones: {@code add} refuses
     * {@code double} parameters and 16-bit slices and off-heap segments in such a group.
     *
     * @param statePrecision the state precision
     * @throws IllegalArgumentException if the group's configuration cannot keep it ({@link
     *     StatePrecision#supportedBy})
     * @throws IllegalStateException if the group has parameters already (their state exists) and it differs
     */
    public void statePrecision(StatePrecision statePrecision) {
        optimizer.requireIdle("the state precision was not replaced");
        requireStatePrecisionReplaceable(statePrecision, "group " + index());
        statePrecision.requireSupportedBy(config, "group " + index() + ": ");
        this.statePrecision = statePrecision;
        this.cached = null;
    }

    /**
     * {@return how this group's {@link Precision#BF16} and {@link Precision#FP16} parameters are stored after each
     * step: {@link Rounding#NEAREST} unless set}
     */
    public Rounding rounding() {
        return rounding;
    }

    /**
     * Sets how this group's 16-bit parameters are stored after each step (for the following steps). A switch to or
     * from {@link Rounding#KAHAN} in a group that has 16-bit parameters is refused: it would add or drop their
     * {@link Param#KAHAN_COMP} state.
     *
     * @param rounding the rounding
     */
    public void rounding(Rounding rounding) {
        optimizer.requireIdle("the rounding was not replaced");
        requireRoundingReplaceable(rounding, "group " + index());
        this.rounding = rounding;
    }

    /**
     * The seed of {@link Rounding#STOCHASTIC}: an element's random bits are
     * {@link org.adam4j.reference.StochasticBits#bits(long, long, long) StochasticBits.bits(seed, t, index)}, with
     * {@code t} its parameter's step number ({@link Param#step()} plus one) and {@code index} its position in the
     * optimizer's parameters laid end to end ({@link Optimizer#params()} order, every earlier parameter counting its
     * size). The seed is in {@link Optimizer#state()} and the state file, so a resumed run continues the same stream.
     *
     * @return the seed; 0 unless set
     */
    public long roundingSeed() {
        return roundingSeed;
    }

    /**
     * Sets the seed of {@link Rounding#STOCHASTIC} for the following steps.
     *
     * @param seed the seed
     */
    public void roundingSeed(long seed) {
        optimizer.requireIdle("the rounding seed was not replaced");
        this.roundingSeed = seed;
    }

    /** {@return the learning-rate schedule} */
    public LrSchedule schedule() {
        return schedule;
    }

    /**
     * Replaces the learning-rate schedule (for the following steps).
     *
     * @param schedule the learning rate schedule
     */
    public void schedule(LrSchedule schedule) {
        optimizer.requireIdle("the schedule was not replaced");
        this.schedule = Objects.requireNonNull(schedule, "schedule");
        this.cached = null;
    }

    /**
     * {@return the learning rate this group uses at optimizer step {@code t}}
     *
     * @param t the step number, 1 for the first step
     */
    public double lr(long t) {
        return schedule.lr(t, config.lr());
    }

    /** {@return the parameters in the order they were added} */
    public List<Param> params() {
        return Collections.unmodifiableList(params);
    }

    /**
     * Registers a whole {@code float[]} and its gradient.
     *
     * @param value the parameter's values, updated in place by each step
     * @param grad the gradient, of the same shape
     * @return the registered parameter
     */
    public Param add(float[] value, float[] grad) {
        requireArrays(value, grad, value == null ? 0 : value.length, grad == null ? 0 : grad.length);
        return add(value, grad, 0, value.length);
    }

    /**
     * Elements {@code [off, off + len)} of {@code value}, with the same elements of {@code grad} as its gradient.
     *
     * @param value the parameter's values, updated in place by each step
     * @param grad the gradient, of the same shape
     * @param off the index of the slice's first element (in elements, not bytes)
     * @param len the number of elements in the slice
     * @return the registered parameter
     */
    public Param add(float[] value, float[] grad, int off, int len) {
        requireArrays(value, grad, value == null ? 0 : value.length, grad == null ? 0 : grad.length);
        requireSlice(off, len, value.length);
        requireNoAlias(MemorySegment.ofArray(value), MemorySegment.ofArray(grad), off, len, Float.BYTES);
        if (statePrecision.isCompact()) {
            return commit(CompactStateParam.ofArray(this, new long[] {len}, value, grad, off, len, null));
        }
        return commit(ArrayParam_F32.create(this, new long[] {len}, value, grad, off, len, optimizer.storages(),
                null));
    }

    /**
     * Registers a whole {@code double[]} and its gradient.
     *
     * @param value the parameter's values, updated in place by each step
     * @param grad the gradient, of the same shape
     * @return the registered parameter
     */
    public Param add(double[] value, double[] grad) {
        requireArrays(value, grad, value == null ? 0 : value.length, grad == null ? 0 : grad.length);
        return add(value, grad, 0, value.length);
    }

    /**
     * Elements {@code [off, off + len)} of {@code value}, with the same elements of {@code grad} as its gradient.
     *
     * @param value the parameter's values, updated in place by each step
     * @param grad the gradient, of the same shape
     * @param off the index of the slice's first element (in elements, not bytes)
     * @param len the number of elements in the slice
     * @return the registered parameter
     */
    public Param add(double[] value, double[] grad, int off, int len) {
        requireArrays(value, grad, value == null ? 0 : value.length, grad == null ? 0 : grad.length);
        statePrecision.requireSupportedFor(Precision.F64);
        requireSlice(off, len, value.length);
        requireNoAlias(MemorySegment.ofArray(value), MemorySegment.ofArray(grad), off, len, Double.BYTES);
        return commit(ArrayParam_F64.create(this, new long[] {len}, value, grad, off, len, optimizer.storages(),
                null));
    }

    /**
     * Registers a whole {@code short[]} of {@link Precision#BF16} or {@link Precision#FP16} bit patterns and its
     * gradient, in the same precision. The step is computed in {@code float} ({@link LowPrecisionSteps#reference}
     * says how, bit for bit, at every kernel width and thread count), the state arrays are {@code float}, and the
     * stepped parameter is stored by the group's {@link #rounding()}. Every algorithm steps such parameters, with the
     * guarded step too (its reductions read the gradient widened to {@code float}, its unscaling and clipping are
     * applied in {@code float} as the step reads the gradient, which is left as it was); a group with
     * {@link StatePrecision#BLOCKWISE_8BIT} states takes them without a guarded step only.
     *
     * @param precision {@link Precision#BF16} or {@link Precision#FP16}
     * @param value the parameter's bit patterns, updated in place by each step
     * @param grad the gradient's bit patterns, of the same length
     * @return the registered parameter
     * @throws IllegalArgumentException for another precision, 8-bit states with a guarded step, or arrays refused as
     *     for {@link #add(float[], float[])}
     */
    public Param add(Precision precision, short[] value, short[] grad) {
        requireArrays(value, grad, value == null ? 0 : value.length, grad == null ? 0 : grad.length);
        return add(precision, value, grad, 0, value.length);
    }

    /**
     * Elements {@code [off, off + len)} of a {@code short[]} of 16-bit bit patterns, with the same elements of
     * {@code grad} as its gradient; see {@link #add(Precision, short[], short[])}.
     *
     * @param precision {@link Precision#BF16} or {@link Precision#FP16}
     * @param value the parameter's bit patterns, updated in place by each step
     * @param grad the gradient's bit patterns, of the same length
     * @param off the index of the slice's first element (in elements, not bytes)
     * @param len the number of elements in the slice
     * @return the registered parameter
     * @throws IllegalArgumentException as {@link #add(Precision, short[], short[])}, or for a slice that does not fit
     */
    public Param add(Precision precision, short[] value, short[] grad, int off, int len) {
        requireSupported16Bit(precision, precision);
        requireArrays(value, grad, value == null ? 0 : value.length, grad == null ? 0 : grad.length);
        requireSlice(off, len, value.length);
        if (statePrecision.isCompact() && (off != 0 || len != value.length)) {
            throw new IllegalArgumentException("state precision " + statePrecision.label() + " for " + precision
                    + " parameters takes whole short[] arrays, not yet slices ([" + off + ", " + (off + len) + ") of "
                    + value.length + "): their compact states are stepped in place, and only whole arrays are");
        }
        requireNoAlias(MemorySegment.ofArray(value), MemorySegment.ofArray(grad), off, len, Short.BYTES,
                Short.BYTES);
        if (statePrecision.isCompact()) {
            return commit(CompactStateParam.ofArray(this, precision, value, grad));
        }
        return commit(LowPrecisionArrayParam.create(this, precision, value, grad, off, len, optimizer.storages()));
    }

    /**
     * Registers a whole {@code short[]} of {@link Precision#BF16} or {@link Precision#FP16} bit patterns with a
     * {@code float} gradient (one accumulated in {@code float}, the usual case): the step widens the parameter, uses
     * the gradient as it is, and stores the parameter by the group's {@link #rounding()}
     * ({@link LowPrecisionSteps#reference(OptimizerStep, org.adam4j.reference.LowPrecision, Rounding, short[],
     * float[], float[][], short[], int, int, long, long)}, bit for bit); {@link Param#gradPrecision()} is
     * {@link Precision#F32}. A 16-bit gradient holding the same values gives the same bits. Refused in a group with
     * compact states.
     *
     * @param precision {@link Precision#BF16} or {@link Precision#FP16}
     * @param value the parameter's bit patterns, updated in place by each step
     * @param grad the gradient, of the same length
     * @return the registered parameter
     * @throws IllegalArgumentException as {@link #add(Precision, short[], short[])}, or in a group with compact states
     */
    public Param add(Precision precision, short[] value, float[] grad) {
        requireArrays(value, grad, value == null ? 0 : value.length, grad == null ? 0 : grad.length);
        return add(precision, value, grad, 0, value.length);
    }

    /**
     * Elements {@code [off, off + len)} of a {@code short[]} of 16-bit bit patterns, with the same elements of the
     * {@code float} gradient {@code grad}; see {@link #add(Precision, short[], float[])}.
     *
     * @param precision {@link Precision#BF16} or {@link Precision#FP16}
     * @param value the parameter's bit patterns, updated in place by each step
     * @param grad the gradient, of the same length
     * @param off the index of the slice's first element (in elements, not bytes)
     * @param len the number of elements in the slice
     * @return the registered parameter
     * @throws IllegalArgumentException as {@link #add(Precision, short[], float[])}, or for a slice that does not fit
     */
    public Param add(Precision precision, short[] value, float[] grad, int off, int len) {
        requireSupported16Bit(precision, Precision.F32);
        requireArrays(value, grad, value == null ? 0 : value.length, grad == null ? 0 : grad.length);
        requireSlice(off, len, value.length);
        requireNoAlias(MemorySegment.ofArray(value), MemorySegment.ofArray(grad), off, len, Short.BYTES,
                Float.BYTES);
        return commit(LowPrecisionArrayParam.create(this, precision, value, grad, off, len, optimizer.storages()));
    }

    /**
     * Refuses a 16-bit parameter with a {@code gradPrecision} gradient where the optimizer has no step for it; see
     * {@link #add(Precision, short[], short[])}.
     */
    private void requireSupported16Bit(Precision precision, Precision gradPrecision) {
        Objects.requireNonNull(precision, "precision");
        Objects.requireNonNull(gradPrecision, "gradPrecision");
        if (!precision.isLowPrecision()) {
            throw new IllegalArgumentException("a short[] holds BF16 or FP16 bit patterns, not " + precision
                    + ": add a " + (precision == Precision.F32 ? "float[]" : "double[]") + " instead");
        }
        if (gradPrecision != precision && gradPrecision != Precision.F32) {
            throw new IllegalArgumentException("a " + precision + " parameter takes a " + precision + " or F32 "
                    + "gradient, not " + gradPrecision);
        }
        statePrecision.requireSupportedFor(precision);
        if (!LowPrecisionSteps.steps(config)) {
            throw new IllegalArgumentException(config.algorithm() + " cannot step " + precision + " parameters yet");
        }
        if (statePrecision.isCompact()) {
            if (gradPrecision != precision) {
                throw new IllegalArgumentException("state precision " + statePrecision.label() + " for " + precision
                        + " parameters takes " + precision + " gradients, not yet F32 ones (the compact-state kernels "
                        + "read 16-bit gradients)");
            }
            String guard = optimizer.guardedOption();
            if (guard != null) {
                throw new IllegalArgumentException("the guarded step (" + guard + ") cannot rescale the " + precision
                        + " gradients of " + statePrecision.label() + " states yet (the compact-state kernels read "
                        + "16-bit gradients): use F32 states for " + precision + " parameters, or an optimizer without it");
            }
        }
    }

    /**
     * An EJML matrix and its gradient, of the same shape. The optimizer steps the matrices' {@code data} arrays; a
     * matrix reshaped after this (a new shape or a new {@code data} array) is refused by the next {@link
     * Optimizer#step()}.
     *
     * @param value the parameter's values, updated in place by each step
     * @param grad the gradient, of the same shape
     * @return the registered parameter
     */
    public Param add(FMatrixRMaj value, FMatrixRMaj grad) {
        requireMatrices(value, grad);
        requireNoAlias(MemorySegment.ofArray(value.data), MemorySegment.ofArray(grad.data), 0,
                value.getNumElements(), Float.BYTES);
        if (statePrecision.isCompact()) {
            return commit(CompactStateParam.ofArray(this, shapeOf(value), value.data, grad.data, 0,
                    value.getNumElements(), Param.MatrixPair.of(value, grad)));
        }
        return commit(ArrayParam_F32.create(this, shapeOf(value), value.data, grad.data, 0,
                value.getNumElements(), optimizer.storages(), Param.MatrixPair.of(value, grad)));
    }

    /**
     * As {@link #add(FMatrixRMaj, FMatrixRMaj)}, in double precision.
     *
     * @param value the parameter's values, updated in place by each step
     * @param grad the gradient, of the same shape
     * @return the registered parameter
     */
    public Param add(DMatrixRMaj value, DMatrixRMaj grad) {
        requireMatrices(value, grad);
        statePrecision.requireSupportedFor(Precision.F64);
        requireNoAlias(MemorySegment.ofArray(value.data), MemorySegment.ofArray(grad.data), 0,
                value.getNumElements(), Double.BYTES);
        return commit(ArrayParam_F64.create(this, shapeOf(value), value.data, grad.data, 0,
                value.getNumElements(), optimizer.storages(), Param.MatrixPair.of(value, grad)));
    }

    /**
     * Segments of native-order elements of {@code precision} (off-heap, memory-mapped, shared with native code; any
     * size, beyond 2^31 elements too). Take a slice with {@link MemorySegment#asSlice}. Their arenas must stay open
     * while the optimizer steps them, and be shared (or global, or automatic) if the optimizer has more than one
     * thread. {@link Precision#BF16} and {@link Precision#FP16} segments hold bit patterns and are refused as
     * {@link #add(Precision, short[], short[])} refuses them; heap segments over {@code short[]} arrays of one length
     * at one offset are stepped as those arrays' slices, other ones (off-heap) through block-sized copies into arrays,
     * since the 16-bit kernels step arrays: the same bits, at the cost of the copies.
     *
     * @param precision the element type of the segments
     * @param value the parameter's values, updated in place by each step
     * @param grad the gradient, of the same shape
     * @return the registered parameter
     */
    public Param add(Precision precision, MemorySegment value, MemorySegment grad) {
        Objects.requireNonNull(precision, "precision");
        return add(precision, value, precision, grad);
    }

    /**
     * As {@link #add(Precision, MemorySegment, MemorySegment)}, with a gradient of its own element type: the
     * parameter's, or {@link Precision#F32} for a {@link Precision#BF16} or {@link Precision#FP16} parameter (as
     * {@link #add(Precision, short[], float[])}; a heap segment over a {@code short[]} with one over a {@code float[]}
     * of the same length at the same element is stepped as those arrays). A {@code float} or {@code double}
     * parameter's gradient has its precision: 16-bit gradients of them are refused.
     *
     * @param precision the element type of the value segment
     * @param value the parameter's values, updated in place by each step
     * @param gradPrecision the element type of the gradient segment
     * @param grad the gradient, of as many elements
     * @return the registered parameter
     */
    public Param add(Precision precision, MemorySegment value, Precision gradPrecision, MemorySegment grad) {
        Objects.requireNonNull(precision, "precision");
        Objects.requireNonNull(gradPrecision, "gradPrecision");
        if (gradPrecision != precision && !(precision.isLowPrecision() && gradPrecision == Precision.F32)) {
            throw new IllegalArgumentException("a " + precision + " parameter takes a gradient of its precision"
                    + (precision.isLowPrecision() ? " or F32" : "") + ", not " + gradPrecision
                    + (precision.isLowPrecision() ? "" : " (widen it into a " + precision + " gradient)"));
        }
        if (value == null || grad == null) {
            throw new IllegalArgumentException(value == null ? "value segment is null" : "gradient segment is null");
        }
        for (MemorySegment s : new MemorySegment[] {value, grad}) {
            String which = s == value ? "value" : "gradient";
            Precision e = s == value ? precision : gradPrecision;
            if (s.byteSize() % e.bytes() != 0) {
                throw new IllegalArgumentException("the " + which + " segment has " + s.byteSize()
                        + " bytes, not a whole number of " + e + " elements");
            }
            if (!s.scope().isAlive()) {
                throw new IllegalArgumentException("the " + which + " segment's arena is closed");
            }
            if (s == value && s.isReadOnly()) {
                throw new IllegalArgumentException("the value segment is read-only");
            }
            if (optimizer.threads() > 1 && !optimizer.sharedAccess(s)) {
                throw new IllegalArgumentException("the " + which + " segment is confined to one thread, but this "
                        + "optimizer steps with " + optimizer.threads() + " threads: allocate it in a shared arena");
            }
        }
        long elements = value.byteSize() / precision.bytes();
        if (elements != grad.byteSize() / gradPrecision.bytes()) {
            throw new IllegalArgumentException("gradient of the wrong shape: the value has " + elements
                    + " elements, the gradient " + grad.byteSize() / gradPrecision.bytes());
        }
        // A heap segment over an array is that array's slice: stepped by the array loops, which allocate nothing
        Object va = value.heapBase().orElse(null);
        Object ga = grad.heapBase().orElse(null);
        long at = value.address();
        if (at % precision.bytes() == 0 && grad.address() % gradPrecision.bytes() == 0
                && at / precision.bytes() == grad.address() / gradPrecision.bytes() && elements <= Integer.MAX_VALUE
                && va != null && ga != null && java.lang.reflect.Array.getLength(va)
                        == java.lang.reflect.Array.getLength(ga)) {
            int off = (int) (at / precision.bytes());
            int len = (int) elements;
            if (precision == Precision.F32 && va instanceof float[] v && ga instanceof float[] g) {
                return add(v, g, off, len);
            }
            if (precision == Precision.F64 && va instanceof double[] v && ga instanceof double[] g) {
                return add(v, g, off, len);
            }
            if (precision.isLowPrecision() && va instanceof short[] v && ga instanceof short[] g
                    && gradPrecision == precision) {
                return add(precision, v, g, off, len);
            }
            if (precision.isLowPrecision() && va instanceof short[] v && ga instanceof float[] g) {
                return add(precision, v, g, off, len);
            }
        }
        if (precision.isLowPrecision()) {
            requireSupported16Bit(precision, gradPrecision);
            if (statePrecision.isCompact()) {
                throw new IllegalArgumentException("state precision " + statePrecision.label() + " for " + precision
                        + " parameters takes whole short[] arrays (or heap segments over them), not yet off-heap "
                        + "segments");
            }
        }
        statePrecision.requireSupportedFor(precision);
        optimizer.requireNoAlias(value, grad);
        Param p = switch (precision) {
            case F32 -> statePrecision.isCompact() ? CompactStateParam.ofSegment(this, value, grad,
                    optimizer.stateArena()) : new SegmentParam_F32(this, value, grad, optimizer.stateArena());
            case F64 -> new SegmentParam_F64(this, value, grad, optimizer.stateArena());
            case BF16, FP16 -> new LowPrecisionSegmentParam(this, precision, gradPrecision, value, grad,
                    optimizer.stateArena());
        };
        return commit(p);
    }

    private void requireNoAlias(MemorySegment value, MemorySegment grad, int off, int len, int bytes) {
        requireNoAlias(value, grad, off, len, bytes, bytes);
    }

    private void requireNoAlias(MemorySegment value, MemorySegment grad, int off, int len, int bytes, int gradBytes) {
        optimizer.requireNoAlias(value.asSlice((long) off * bytes, (long) len * bytes),
                grad.asSlice((long) off * gradBytes, (long) len * gradBytes));
    }

    private Param commit(Param p) {
        p.commit(optimizer.storages());
        params.add(p);
        optimizer.registered();
        return p;
    }

    /** Fixes the learning rate of optimizer step {@code t}; refuses one that is negative or not finite. */
    void prepare(long t) {
        double lr = lr(t);
        if (!(lr >= 0.0) || Double.isInfinite(lr)) {
            throw new IllegalStateException("the learning-rate schedule of group " + index() + " gives " + lr
                    + " at step " + t + " (must be finite and >= 0); nothing was stepped");
        }
        stepLr = lr;
        cached = null;
    }

    /** The step scalars of {@code p}'s next step at the learning rate {@link #prepare} fixed. */
    OptimizerStep scalars(Param p) {
        long t = OptimizerStep.next(p.step);
        if (cached == null || cachedStep != t || !Arrays.equals(cachedScalars, p.scalars)) {
            cached = config.step(t, stepLr, p.scalars);
            cachedStep = t;
            cachedScalars = p.scalars.clone();
        }
        return cached;
    }

    private static long[] shapeOf(Matrix m) {
        return new long[] {m.getNumRows(), m.getNumCols()};
    }

    private static void requireMatrices(Matrix value, Matrix grad) {
        if (value == null || grad == null) {
            throw new IllegalArgumentException(value == null ? "value matrix is null" : "gradient matrix is null");
        }
        if (value.getNumRows() != grad.getNumRows() || value.getNumCols() != grad.getNumCols()) {
            throw new IllegalArgumentException("gradient of the wrong shape: the value is " + value.getNumRows() + "x"
                    + value.getNumCols() + ", the gradient " + grad.getNumRows() + "x" + grad.getNumCols());
        }
        int valueLength = java.lang.reflect.Array.getLength(Param.MatrixPair.data(value));
        int gradLength = java.lang.reflect.Array.getLength(Param.MatrixPair.data(grad));
        if (valueLength != gradLength) {
            // EJML keeps the larger array when a matrix is reshaped smaller; the kernels need arrays of one length.
            throw new IllegalArgumentException("the value's data array has " + valueLength + " elements, the "
                    + "gradient's " + gradLength + ": give both matrices data arrays of one length");
        }
    }

    private static void requireArrays(Object value, Object grad, int valueLength, int gradLength) {
        if (value == null || grad == null) {
            throw new IllegalArgumentException(value == null ? "value array is null" : "gradient array is null");
        }
        if (valueLength != gradLength) {
            throw new IllegalArgumentException("gradient of the wrong shape: the value array has " + valueLength
                    + " elements, the gradient array " + gradLength);
        }
    }

    private static void requireSlice(int off, int len, int length) {
        if (off < 0 || len < 0 || off > length - len) {
            throw new IllegalArgumentException(
                    "slice [" + off + ", " + off + " + " + len + ") does not fit arrays of length " + length);
        }
    }
}
