package org.adam4j.optim;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Map;
import org.adam4j.reference.GradNorms;
import org.adam4j.reference.OptimizerStep;
import org.adam4j.reference.StateVariable;

/**
 * A {@link Precision#BF16} or {@link Precision#FP16} parameter in {@link MemorySegment}s of native-order 16-bit bit
 * patterns that are not heap segments over {@code short[]} arrays (off-heap, memory-mapped, any size), its gradient in
 * its precision or in native-order {@code float}s. Its state lives
 * in the optimizer's arena, {@code float} moments and, in a Kahan group, a compensation in its own precision. The
 * 16-bit kernels step arrays, so a step copies each block of {@link GradNorms#BLOCK} elements of every operand into
 * the thread's arrays, steps them with the same kernel, and copies what the step wrote back: the same bits as an array
 * parameter (the step is element-wise, and each element keeps its global index), at the cost of the copies.
 */
final class LowPrecisionSegmentParam extends Param {
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    /** One thread's copies of a block, made on its first 16-bit segment step. */
    private static final ThreadLocal<Block> BLOCKS = ThreadLocal.withInitial(Block::new);

    private final MemorySegment[] state;
    private final MemorySegment comp;

    LowPrecisionSegmentParam(ParamGroup<?> group, Precision precision, Precision gradPrecision, MemorySegment p,
            MemorySegment g, Arena stateArena) {
        super(group, precision, gradPrecision, new long[] {p.byteSize() / precision.bytes()}, p, g, null);
        List<StateVariable> vars = group.config().stateArrays();
        this.state = new MemorySegment[vars.size()];
        for (int k = 0; k < state.length; k++) {
            // an arena's memory starts zeroed
            state[k] = stateArena.allocate(size * Float.BYTES, 64);
            float initial = (float) vars.get(k).initialValue();
            if (initial != 0) {
                for (long i = 0; i < size; i++) {
                    state[k].setAtIndex(FLOAT, i, initial);
                }
            }
        }
        this.comp = hasKahanComp() ? stateArena.allocate(size * precision.bytes(), 64) : null;
    }

    @Override
    void commit(Map<Object, Object> storages) {
        // the state is this parameter's own: nothing to share
    }

    @Override
    MemorySegment state(int k) {
        return k < state.length ? state[k] : comp;
    }

    @Override
    void update(OptimizerStep s, long off, long len, Optimizer.Kernels k) {
        Block b = BLOCKS.get();
        float[][] st = b.views[state.length];
        for (long o = off, end = off + len; o < end; o += GradNorms.BLOCK) {
            int n = (int) Math.min(GradNorms.BLOCK, end - o);
            long at16 = o * Short.BYTES, at32 = o * Float.BYTES;
            MemorySegment.copy(value, SHORT, at16, b.p, 0, n);
            boolean f32 = gradPrecision == Precision.F32;
            if (f32) {
                MemorySegment.copy(grad, FLOAT, at32, b.gf, 0, n);
            } else {
                MemorySegment.copy(grad, SHORT, at16, b.g, 0, n);
            }
            for (int j = 0; j < st.length; j++) {
                MemorySegment.copy(state[j], FLOAT, at32, st[j], 0, n);
            }
            if (comp != null) {
                MemorySegment.copy(comp, SHORT, at16, b.comp, 0, n);
            }
            step16(s, k, b.p, f32 ? null : b.g, f32 ? b.gf : null, 0, st, comp != null ? b.comp : null, 0, n,
                    firstIndex + o);
            MemorySegment.copy(b.p, 0, value, SHORT, at16, n);
            for (int j = 0; j < st.length; j++) {
                MemorySegment.copy(st[j], 0, state[j], FLOAT, at32, n);
            }
            if (comp != null) {
                MemorySegment.copy(b.comp, 0, comp, SHORT, at16, n);
            }
        }
    }

    @Override
    boolean fusedWithStats(OptimizerStep s, long off, long len, Optimizer.Kernels k, double[] paramSums,
            double[] updateSums, double[] ratios, int at) {
        return false;
    }

    /** Block-sized arrays for one thread's copies. */
    private static final class Block {
        final short[] p = new short[GradNorms.BLOCK];
        final short[] g = new short[GradNorms.BLOCK];
        final float[] gf = new float[GradNorms.BLOCK];
        final short[] comp = new short[GradNorms.BLOCK];
        /** Block copies of up to three state arrays, as many as the algorithm keeps: {@code views[count]}. */
        final float[][][] views = new float[4][][];

        Block() {
            float[][] state = new float[3][GradNorms.BLOCK];
            for (int k = 0; k < views.length; k++) {
                views[k] = java.util.Arrays.copyOf(state, k);
            }
        }
    }
}
