package org.adam4j.optim;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import org.ejml.data.DMatrixRMaj;
import org.ejml.data.FMatrixRMaj;
import org.ejml.data.Matrix;

/**
 * One registered parameter: its value and gradient (memory the caller owns), its state (memory the optimizer owns,
 * named as PyTorch names it: Adam's {@code exp_avg}, {@code exp_avg_sq} and, with AMSGrad, {@code max_exp_avg_sq};
 * the relatives' as their {@link org.adam4j.reference.RelativeConfig#stateNames()} list them) and its step count.
 * Get one from a {@link ParamGroup}'s {@code add} methods.
 */
public abstract sealed class Param permits ArrayParam_F32, ArrayParam_F64, SegmentParam_F32, SegmentParam_F64 {
    final ParamGroup group;
    final Precision precision;
    final long[] shape;
    final long size;
    /** The value's and the gradient's memory, as views for overlap checks, zeroing and copies. */
    final MemorySegment value;
    final MemorySegment grad;
    private final MatrixPair matrices;
    long step;
    /** NAdam's {@code mu_product}: the product of the momentum coefficients of this parameter's steps so far. */
    double muProduct = 1.0;

    Param(ParamGroup group, Precision precision, long[] shape, MemorySegment value, MemorySegment grad,
            MatrixPair matrices) {
        this.group = group;
        this.precision = precision;
        this.shape = shape.clone();
        this.size = value.byteSize() / precision.bytes();
        this.value = value;
        this.grad = grad;
        this.matrices = matrices;
    }

    public ParamGroup group() {
        return group;
    }

    public Precision precision() {
        return precision;
    }

    /** {@code [rows, cols]} for a matrix, {@code [elements]} otherwise. */
    public long[] shape() {
        return shape.clone();
    }

    /** Elements. */
    public long size() {
        return size;
    }

    /** How many steps have updated this parameter (PyTorch's {@code state['step']}). */
    public long step() {
        return step;
    }

    /** The names of this parameter's state arrays (PyTorch's), in the order {@link #state(String)} knows them. */
    public List<String> stateNames() {
        return Algorithm.stateNames(group.settings());
    }

    /**
     * The state array PyTorch calls {@code name} ({@code exp_avg}, {@code momentum_buffer}, {@code sum}...),
     * read-only, in native byte order ({@code ValueLayout.JAVA_FLOAT} or {@code JAVA_DOUBLE}).
     *
     * @throws IllegalArgumentException if this parameter's algorithm keeps no such state
     */
    public MemorySegment state(String name) {
        int k = stateNames().indexOf(name);
        if (k < 0) {
            throw new IllegalArgumentException("no state '" + name + "': " + this + " is stepped by "
                    + group.settings() + ", whose state is " + stateNames());
        }
        return state(k).asReadOnly();
    }

    /**
     * NAdam's {@code mu_product} ({@code mu_1 * ... * mu_t} over this parameter's steps; 1 before the first).
     *
     * @throws IllegalStateException if this parameter is not stepped by NAdam
     */
    public double muProduct() {
        if (!Algorithm.hasMuProduct(group.settings())) {
            throw new IllegalStateException("no mu_product: " + this + " is stepped by " + group.settings());
        }
        return muProduct;
    }

    /** The first moment, read-only, in native byte order ({@code ValueLayout.JAVA_FLOAT} or {@code JAVA_DOUBLE}). */
    public MemorySegment expAvg() {
        return state("exp_avg");
    }

    /** The second moment, read-only. */
    public MemorySegment expAvgSq() {
        return state("exp_avg_sq");
    }

    /**
     * The running maximum of the second moment, read-only.
     *
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
                + " " + precision;
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
    abstract void update(Object s, long off, long len, Algorithm.Kernels kernels);

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
