package org.adam4j.optim;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.adam4j.kernels.AdamKernel_F32;
import org.adam4j.kernels.AdamKernel_F64;
import org.adam4j.reference.AdamStep;
import org.ejml.data.DMatrixRMaj;
import org.ejml.data.FMatrixRMaj;
import org.ejml.data.Matrix;

/**
 * One registered parameter: its value and gradient (memory the caller owns), its state (memory the optimizer owns:
 * {@code exp_avg}, {@code exp_avg_sq} and, with AMSGrad, {@code max_exp_avg_sq}, as PyTorch names them) and its step
 * count. Get one from a {@link ParamGroup}'s {@code add} methods.
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

    /** The first moment, read-only, in native byte order ({@code ValueLayout.JAVA_FLOAT} or {@code JAVA_DOUBLE}). */
    public MemorySegment expAvg() {
        return state(0).asReadOnly();
    }

    /** The second moment, read-only. */
    public MemorySegment expAvgSq() {
        return state(1).asReadOnly();
    }

    /**
     * The running maximum of the second moment, read-only.
     *
     * @throws IllegalStateException if the group does not use AMSGrad
     */
    public MemorySegment maxExpAvgSq() {
        MemorySegment s = state(2);
        if (s == null) {
            throw new IllegalStateException("no max_exp_avg_sq: " + this + " is in a group without AMSGrad");
        }
        return s.asReadOnly();
    }

    /** Where this parameter sits: its group's and its own index. */
    @Override
    public String toString() {
        return "parameter " + group.params().indexOf(this) + " of group " + group.index() + " " + Arrays.toString(shape)
                + " " + precision;
    }

    /** Records this parameter's state where later slices of the same memory find it. */
    abstract void commit(java.util.Map<Object, Object> storages);

    /** State segment {@code k} (0 {@code exp_avg}, 1 {@code exp_avg_sq}, 2 {@code max_exp_avg_sq} or null). */
    abstract MemorySegment state(int k);

    /** How many state segments this parameter has. */
    final int stateCount() {
        return state(2) == null ? 2 : 3;
    }

    /** The fused step over elements {@code [off, off + len)} of this parameter. */
    abstract void update(AdamStep s, long off, long len, AdamKernel_F32 kernel_F32, AdamKernel_F64 kernel_F64);

    /** Makes sure the memory is still there and shaped as registered; throws before anything is written. */
    void requireUsable() {
        for (int k = -2; k < 3; k++) {
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
