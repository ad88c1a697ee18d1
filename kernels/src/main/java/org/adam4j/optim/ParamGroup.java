package org.adam4j.optim;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import org.adam4j.reference.AdamConfig;
import org.adam4j.reference.RelativeConfig;
import org.ejml.data.DMatrixRMaj;
import org.ejml.data.FMatrixRMaj;
import org.ejml.data.Matrix;

/**
 * Parameters that share hyperparameters and a learning-rate schedule, as a PyTorch param group. The hyperparameters
 * are an {@link AdamConfig} (Adam, AdamW) or a {@link RelativeConfig} (AdaMax, NAdam, RAdam, SGD, RMSprop, AdaGrad);
 * every group of one optimizer has the same algorithm. Every {@code add}
 * checks its arguments against everything registered before it and refuses, changing nothing, a gradient of another
 * shape, memory registered already, or a value or gradient that aliases another parameter's.
 */
public final class ParamGroup {
    private final AdamOptimizer optimizer;
    private final List<Param> params = new ArrayList<>();
    /** An {@link AdamConfig} or a {@link RelativeConfig}. */
    private Object config;
    private LrSchedule schedule;
    /** The learning rate of the step being taken. */
    private double stepLr;
    /**
     * The step scalars of the last parameter step number (and NAdam {@code mu_product}) asked for: a group's
     * parameters almost always share them.
     */
    private Object cached;
    private long cachedStep;
    private double cachedMuProduct;

    ParamGroup(AdamOptimizer optimizer, Object config, LrSchedule schedule) {
        this.optimizer = optimizer;
        this.config = Algorithm.require(config);
        this.schedule = Objects.requireNonNull(schedule, "schedule");
    }

    /** This group's position in {@link AdamOptimizer#groups()}. */
    public int index() {
        return optimizer.groups().indexOf(this);
    }

    /**
     * Adam's or AdamW's hyperparameters.
     *
     * @throws IllegalStateException if this group runs one of the relatives (see {@link #relativeConfig()})
     */
    public AdamConfig config() {
        if (config instanceof AdamConfig c) {
            return c;
        }
        throw new IllegalStateException("group " + index() + " runs " + algorithm() + ", not Adam: use relativeConfig()");
    }

    /**
     * The relative's hyperparameters.
     *
     * @throws IllegalStateException if this group runs Adam or AdamW (see {@link #config()})
     */
    public RelativeConfig relativeConfig() {
        if (config instanceof RelativeConfig c) {
            return c;
        }
        throw new IllegalStateException("group " + index() + " runs Adam, not a relative: use config()");
    }

    /** {@code adam} (for Adam and AdamW) or the relative's PyTorch name ({@code sgd}, {@code nadam}...). */
    public String algorithm() {
        return Algorithm.name(config);
    }

    /**
     * Replaces the hyperparameters from the next step on (the state is kept).
     *
     * @throws IllegalArgumentException if it would turn AMSGrad on or off, which changes what state there is
     */
    public void config(AdamConfig config) {
        replace(config);
    }

    /**
     * Replaces a relative's hyperparameters from the next step on (the state is kept).
     *
     * @throws IllegalArgumentException if it is another algorithm, or changes which state arrays there are (SGD's or
     *     RMSprop's momentum turned on or off, RMSprop's {@code centered})
     */
    public void config(RelativeConfig config) {
        replace(config);
    }

    private void replace(Object config) {
        Algorithm.require(config);
        if (!Algorithm.name(config).equals(algorithm())) {
            throw new IllegalArgumentException("group " + index() + " runs " + algorithm() + "; it cannot switch to "
                    + Algorithm.name(config));
        }
        if (this.config instanceof AdamConfig a && config instanceof AdamConfig b && a.amsgrad() != b.amsgrad()
                && !params.isEmpty()) {
            throw new IllegalArgumentException("cannot turn AMSGrad " + (b.amsgrad() ? "on" : "off")
                    + " in a group that has parameters: it changes the state each parameter keeps");
        }
        if (!Algorithm.stateNames(config).equals(Algorithm.stateNames(this.config)) && !params.isEmpty()) {
            throw new IllegalArgumentException("cannot change the state of a group that has parameters: " + this.config
                    + " keeps " + Algorithm.stateNames(this.config) + ", " + config + " keeps "
                    + Algorithm.stateNames(config));
        }
        this.config = config;
        this.cached = null;
    }

    /** The configuration, whichever algorithm. */
    Object settings() {
        return config;
    }

    public LrSchedule schedule() {
        return schedule;
    }

    public void schedule(LrSchedule schedule) {
        this.schedule = Objects.requireNonNull(schedule, "schedule");
        this.cached = null;
    }

    /** The learning rate this group uses at optimizer step {@code t}. */
    public double lr(long t) {
        return schedule.lr(t, Algorithm.lr(config));
    }

    /** The parameters in the order they were added. */
    public List<Param> params() {
        return Collections.unmodifiableList(params);
    }

    /** A whole {@code float[]} and its gradient. */
    public Param add(float[] value, float[] grad) {
        requireArrays(value, grad, value == null ? 0 : value.length, grad == null ? 0 : grad.length);
        return add(value, grad, 0, value.length);
    }

    /** Elements {@code [off, off + len)} of {@code value}, with the same elements of {@code grad} as its gradient. */
    public Param add(float[] value, float[] grad, int off, int len) {
        requireArrays(value, grad, value == null ? 0 : value.length, grad == null ? 0 : grad.length);
        requireSlice(off, len, value.length);
        requireNoAlias(MemorySegment.ofArray(value), MemorySegment.ofArray(grad), off, len, Float.BYTES);
        return commit(ArrayParam_F32.create(this, new long[] {len}, value, grad, off, len, optimizer.storages(),
                null));
    }

    /** A whole {@code double[]} and its gradient. */
    public Param add(double[] value, double[] grad) {
        requireArrays(value, grad, value == null ? 0 : value.length, grad == null ? 0 : grad.length);
        return add(value, grad, 0, value.length);
    }

    /** Elements {@code [off, off + len)} of {@code value}, with the same elements of {@code grad} as its gradient. */
    public Param add(double[] value, double[] grad, int off, int len) {
        requireArrays(value, grad, value == null ? 0 : value.length, grad == null ? 0 : grad.length);
        requireSlice(off, len, value.length);
        requireNoAlias(MemorySegment.ofArray(value), MemorySegment.ofArray(grad), off, len, Double.BYTES);
        return commit(ArrayParam_F64.create(this, new long[] {len}, value, grad, off, len, optimizer.storages(),
                null));
    }

    /**
     * An EJML matrix and its gradient, of the same shape. The optimizer steps the matrices' {@code data} arrays; a
     * matrix reshaped after this (a new shape or a new {@code data} array) is refused by the next {@link
     * AdamOptimizer#step()}.
     */
    public Param add(FMatrixRMaj value, FMatrixRMaj grad) {
        requireMatrices(value, grad);
        requireNoAlias(MemorySegment.ofArray(value.data), MemorySegment.ofArray(grad.data), 0,
                value.getNumElements(), Float.BYTES);
        return commit(ArrayParam_F32.create(this, shapeOf(value), value.data, grad.data, 0,
                value.getNumElements(), optimizer.storages(), Param.MatrixPair.of(value, grad)));
    }

    /** As {@link #add(FMatrixRMaj, FMatrixRMaj)}, in double precision. */
    public Param add(DMatrixRMaj value, DMatrixRMaj grad) {
        requireMatrices(value, grad);
        requireNoAlias(MemorySegment.ofArray(value.data), MemorySegment.ofArray(grad.data), 0,
                value.getNumElements(), Double.BYTES);
        return commit(ArrayParam_F64.create(this, shapeOf(value), value.data, grad.data, 0,
                value.getNumElements(), optimizer.storages(), Param.MatrixPair.of(value, grad)));
    }

    /**
     * Segments of native-order elements of {@code precision} (off-heap, memory-mapped, shared with native code; any
     * size, beyond 2^31 elements too). Take a slice with {@link MemorySegment#asSlice}. Their arenas must stay open
     * while the optimizer steps them, and be shared (or global, or automatic) if the optimizer has more than one
     * thread.
     */
    public Param add(Precision precision, MemorySegment value, MemorySegment grad) {
        Objects.requireNonNull(precision, "precision");
        if (!Algorithm.segments(config)) {
            throw new IllegalArgumentException("MemorySegment parameters are stepped by Adam and AdamW only; the "
                    + "kernels of " + algorithm() + " step float[] and double[] arrays: register arrays or EJML "
                    + "matrices");
        }
        if (value == null || grad == null) {
            throw new IllegalArgumentException(value == null ? "value segment is null" : "gradient segment is null");
        }
        for (MemorySegment s : new MemorySegment[] {value, grad}) {
            String which = s == value ? "value" : "gradient";
            if (s.byteSize() % precision.bytes() != 0) {
                throw new IllegalArgumentException("the " + which + " segment has " + s.byteSize()
                        + " bytes, not a whole number of " + precision + " elements");
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
        if (value.byteSize() != grad.byteSize()) {
            throw new IllegalArgumentException("gradient of the wrong shape: the value has "
                    + value.byteSize() / precision.bytes() + " elements, the gradient "
                    + grad.byteSize() / precision.bytes());
        }
        optimizer.requireNoAlias(value, grad);
        Param p = precision == Precision.F32 ? new SegmentParam_F32(this, value, grad, optimizer.stateArena())
                : new SegmentParam_F64(this, value, grad, optimizer.stateArena());
        return commit(p);
    }

    private void requireNoAlias(MemorySegment value, MemorySegment grad, int off, int len, int bytes) {
        optimizer.requireNoAlias(value.asSlice((long) off * bytes, (long) len * bytes),
                grad.asSlice((long) off * bytes, (long) len * bytes));
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
    Object scalars(Param p) {
        long t = org.adam4j.reference.AdamStep.next(p.step);
        if (cached == null || cachedStep != t || Double.compare(cachedMuProduct, p.muProduct) != 0) {
            cached = Algorithm.scalars(config, t, stepLr, p.muProduct);
            cachedStep = t;
            cachedMuProduct = p.muProduct;
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
