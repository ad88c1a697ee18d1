package org.adam4j.optim;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.adam4j.reference.OptimizerStep;
import org.adam4j.reference.StateVariable;

/**
 * A {@link Precision#BF16} or {@link Precision#FP16} parameter in a {@code short[]} of bit patterns: a whole array or a
 * slice of one, its gradient a {@code short[]} of its precision or a {@code float[]}, stepped by
 * {@link org.adam4j.kernels.LowPrecisionSteps} ({@link Param#step16}) with {@code float} state arrays and, in a group with {@link org.adam4j.reference.Rounding#KAHAN}, a compensation array of the
 * parameter's precision. As for {@code float[]} parameters, the state arrays have the value array's length and every
 * slice of one value array shares them and its gradient array.
 */
final class LowPrecisionArrayParam extends Param {
    /** The state of one value array, shared by all its registered slices. */
    static final class Storage {
        final Precision precision;
        /** The gradient array: a {@code short[]} of the parameter's precision or a {@code float[]}. */
        final Object grad;
        final Map<String, float[]> state = new HashMap<>();
        short[] comp;

        Storage(Precision precision, Object grad) {
            this.precision = precision;
            this.grad = grad;
        }
    }

    private final short[] p;
    /** The gradient: 16-bit bit patterns of the parameter's precision, or {@code float}s (the other is null). */
    private final short[] g16;
    private final float[] g32;
    private final int off;
    private final Storage storage;
    /** The {@code float} state arrays in the order of the configuration's state arrays, set by {@link #commit}. */
    private float[][] arrays;
    /** The compensation, or {@code null} outside a Kahan group; set by {@link #commit}. */
    private short[] comp;

    private LowPrecisionArrayParam(ParamGroup<?> group, Precision precision, short[] p, Object g, int off, int len,
            Storage storage) {
        super(group, precision, g instanceof float[] ? Precision.F32 : precision, new long[] {len}, slice(p, off, len),
                g instanceof float[] f ? MemorySegment.ofArray(f).asSlice((long) off * Float.BYTES,
                        (long) len * Float.BYTES) : slice((short[]) g, off, len), null);
        this.p = p;
        this.g16 = g instanceof short[] s ? s : null;
        this.g32 = g instanceof float[] f ? f : null;
        this.off = off;
        this.storage = storage;
    }

    private static MemorySegment slice(short[] a, int off, int len) {
        return MemorySegment.ofArray(a).asSlice((long) off * Short.BYTES, (long) len * Short.BYTES);
    }

    /**
     * A parameter on {@code [off, off + len)} of {@code p} and {@code g} (a {@code short[]} of {@code precision} or a
     * {@code float[]}, already checked as for {@code float[]}), with the storage it shares with earlier slices of
     * {@code p}. Nothing is registered until {@link #commit}.
     */
    static LowPrecisionArrayParam create(ParamGroup<?> group, Precision precision, short[] p, Object g, int off,
            int len, Map<Object, Object> storages) {
        Storage s = (Storage) storages.get(p);
        if (s != null && s.grad != g) {
            throw new IllegalArgumentException("slices of one value array must share one gradient array: this value "
                    + "array is registered already with another gradient array");
        }
        if (s != null && s.precision != precision) {
            throw new IllegalArgumentException("slices of one value array must share one precision: this value array "
                    + "is registered already as " + s.precision + ", not " + precision);
        }
        return new LowPrecisionArrayParam(group, precision, p, g, off, len, s != null ? s : new Storage(precision, g));
    }

    @Override
    void commit(Map<Object, Object> storages) {
        storages.put(p, storage);
        List<StateVariable> vars = group.config().stateArrays();
        arrays = new float[vars.size()][];
        for (int k = 0; k < arrays.length; k++) {
            arrays[k] = storage.state.computeIfAbsent(vars.get(k).name(), n -> new float[p.length]);
            Arrays.fill(arrays[k], off, off + (int) size, (float) vars.get(k).initialValue());
        }
        if (hasKahanComp()) {
            if (storage.comp == null) {
                storage.comp = new short[p.length];
            }
            comp = storage.comp;
            // +0 in both formats
            Arrays.fill(comp, off, off + (int) size, (short) 0);
        }
    }

    @Override
    MemorySegment state(int k) {
        if (k < arrays.length) {
            return MemorySegment.ofArray(arrays[k]).asSlice((long) off * Float.BYTES, size * Float.BYTES);
        }
        return slice(comp, off, (int) size);
    }

    @Override
    void update(OptimizerStep s, long off, long len, Optimizer.Kernels k) {
        int at = this.off + (int) off;
        step16(s, k, p, g16, g32, at, arrays, comp, at, (int) len, firstIndex + off);
    }

    @Override
    boolean fusedWithStats(OptimizerStep s, long off, long len, Optimizer.Kernels k, double[] paramSums,
            double[] updateSums, double[] ratios, int at) {
        return false;
    }
}
