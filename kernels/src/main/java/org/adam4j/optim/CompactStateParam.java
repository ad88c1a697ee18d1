package org.adam4j.optim;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Map;
import org.adam4j.kernels.Adam8bitKernel;
import org.adam4j.kernels.AdamBf16StatesKernel;
import org.adam4j.reference.AdamConfig;
import org.adam4j.reference.AdamStep;
import org.adam4j.reference.GradNorms;
import org.adam4j.reference.OptimizerStep;
import org.adam4j.reference.Rounding;

/**
 * A parameter whose group keeps {@link StatePrecision#BLOCKWISE_8BIT} states: a {@link Precision#F32} one (a whole
 * {@code float[]}, a slice of one, an EJML matrix's data or a segment), or a whole {@code short[]} of
 * {@link Precision#BF16} or {@link Precision#FP16} bit patterns. Its state is its own, laid out by its
 * {@link StateLayout} (codes, absmax, then a 16-bit parameter's {@link Param#KAHAN_COMP}), with blocks counted from
 * the parameter's first element, as bitsandbytes counts them from a tensor's: slices of one buffer share no block and
 * no state array.
 *
 * <p>The 8-bit kernels index the codes as the parameter array ({@code m[i]} beside {@code p[i]}, blocks from
 * {@code p[0]}), so a whole array is stepped in place, and a {@code float} slice at an offset or off-heap memory
 * through copies: each run of whole blocks of a piece into the thread's arrays of {@link GradNorms#BLOCK} elements,
 * and a last, short block into arrays of its own length, then back. The same bits either way: a block is stepped
 * alone, from its own elements and absmax. A piece of a step starts on a multiple of {@link Optimizer#PIECE_ALIGN}, so
 * no block straddles two pieces, or two threads.
 *
 * <p>16-bit parameters are whole arrays only (the copies are {@code float}); the kernel keys their stochastic rounding
 * by the group's seed, the step and the element's global index ({@code firstIndex + i}), as the {@code float}-state
 * 16-bit parameters are keyed.
 */
final class CompactStateParam extends Param {
    private static final int BLOCK = StatePrecision.BLOCK_SIZE;
    private static final int TILE = GradNorms.BLOCK;
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    /** One thread's copies of a run of whole blocks, made on its first copied step: 8-bit states. */
    private static final ThreadLocal<Copies> TILES = ThreadLocal.withInitial(() -> new Copies(
            StateLayout.of(AdamConfig.builder().build(), Precision.F32, Rounding.NEAREST,
                    StatePrecision.BLOCKWISE_8BIT, TILE), TILE));
    /** Likewise for bf16 states (a third array for AMSGrad's {@code max_exp_avg_sq}). */
    private static final ThreadLocal<Copies> TILES_BF16 = ThreadLocal.withInitial(() -> new Copies(
            StateLayout.of(AdamConfig.builder().amsgrad(true).build(), Precision.F32,
                    Rounding.NEAREST, StatePrecision.BF16, TILE), TILE));

    static {
        if (TILE % BLOCK != 0 || Optimizer.PIECE_ALIGN % BLOCK != 0) {
            throw new AssertionError("pieces and copies must hold whole 8-bit blocks");
        }
    }

    /**
     * The value and gradient arrays ({@code float[]} or {@code short[]}) of a whole-array parameter, which the kernel
     * steps in place; else null.
     */
    private final Object p;
    private final Object g;
    /**
     * The state arrays of an array parameter in layout order ({@code byte[]} codes, {@code float[]} absmax, a
     * {@code short[]} compensation); else null.
     */
    private final Object[] heap;
    /** The state in layout order: views of {@link #heap}, or a segment parameter's, in the optimizer's arena. */
    private final MemorySegment[] state;
    /** Copies of a last, short block, for a parameter stepped through copies; else null. */
    private final Copies tail;

    private CompactStateParam(ParamGroup<?> group, Precision precision, long[] shape, MemorySegment value,
            MemorySegment grad, MatrixPair matrices, Object p, Object g, Arena arena) {
        super(group, precision, shape, value, grad, matrices);
        List<StateLayout.Array> arrays = layout.arrays();
        this.state = new MemorySegment[arrays.size()];
        this.heap = arena == null ? new Object[arrays.size()] : null;
        for (int k = 0; k < state.length; k++) {
            StateLayout.Array a = arrays.get(k);
            // fresh memory is zeroed: zero codes with a zero absmax (the reference's fresh state), +0 compensations
            if (arena == null) {
                MemorySegment s = a.element().allocate(a.length());
                heap[k] = s.heapBase().orElseThrow();
                state[k] = s;
            } else {
                state[k] = arena.allocate(a.bytes(), 64);
            }
        }
        boolean inPlace = p != null && value.address() == 0 && value.byteSize() == grad.byteSize()
                && size == java.lang.reflect.Array.getLength(p);
        if (!inPlace && precision != Precision.F32) {
            throw new IllegalStateException(this + ": 16-bit parameters with compact states are whole arrays");
        }
        this.p = inPlace ? p : null;
        this.g = inPlace ? g : null;
        this.tail = inPlace || size % BLOCK == 0 ? null : new Copies(layout, (int) (size % BLOCK));
    }

    /** Elements {@code [off, off + len)} of {@code value} and {@code grad}, already checked. */
    static CompactStateParam ofArray(ParamGroup<?> group, long[] shape, float[] value, float[] grad, int off, int len,
            MatrixPair matrices) {
        return new CompactStateParam(group, Precision.F32, shape, slice(MemorySegment.ofArray(value), off, len, 4),
                slice(MemorySegment.ofArray(grad), off, len, 4), matrices, value, grad, null);
    }

    /** A whole {@code short[]} of {@code precision} bit patterns, already checked. */
    static CompactStateParam ofArray(ParamGroup<?> group, Precision precision, short[] value, short[] grad) {
        return new CompactStateParam(group, precision, new long[] {value.length}, MemorySegment.ofArray(value),
                MemorySegment.ofArray(grad), null, value, grad, null);
    }

    /** A {@code float} parameter in segments (not heap segments over arrays), its state in {@code arena}. */
    static CompactStateParam ofSegment(ParamGroup<?> group, MemorySegment value, MemorySegment grad, Arena arena) {
        return new CompactStateParam(group, Precision.F32, new long[] {value.byteSize() / Float.BYTES}, value, grad,
                null, null, null, arena);
    }

    private static MemorySegment slice(MemorySegment a, int off, int len, int bytes) {
        return a.asSlice((long) off * bytes, (long) len * bytes);
    }

    @Override
    void commit(Map<Object, Object> storages) {
        // the state is this parameter's own: nothing to share
    }

    @Override
    MemorySegment state(int k) {
        return state[k];
    }

    @Override
    void update(OptimizerStep s, long off, long len, Optimizer.Kernels k) {
        AdamStep step = (AdamStep) s;
        if (p != null) {
            run(k, step, p, g, heap, (int) off, (int) len, firstIndex + off);
            return;
        }
        Copies tile = statePrecision == StatePrecision.BF16 ? TILES_BF16.get() : TILES.get();
        for (long o = off, end = off + len; o < end; ) {
            int n = (int) Math.min(TILE, end - o);
            // a piece ends inside a block only at the parameter's end
            int whole = n - n % BLOCK;
            if (whole > 0) {
                runCopied(k, step, tile, o, whole);
            }
            if (whole < n) {
                runCopied(k, step, tail, o + whole, n - whole);
            }
            o += n;
        }
    }

    /**
     * The kernel of the state precision over {@code [off, off + len)} of arrays laid out as this parameter's, element
     * {@code off} being element {@code index} of the optimizer's parameters laid end to end.
     */
    private void run(Optimizer.Kernels k, AdamStep s, Object p, Object g, Object[] st, int off, int len, long index) {
        Rounding rounding = group.rounding();
        long seed = group.roundingSeed();
        switch (statePrecision) {
            case BLOCKWISE_8BIT -> {
                Adam8bitKernel kernel = k.blockwise8bit();
                if (p instanceof float[] f) {
                    kernel.fused(s, BLOCK, f, (float[]) g, (byte[]) st[0], (float[]) st[2], (byte[]) st[1],
                            (float[]) st[3], off, len);
                } else {
                    kernel.fused(s, BLOCK, precision.format(), rounding, (short[]) p, (short[]) g, (byte[]) st[0],
                            (float[]) st[2], (byte[]) st[1], (float[]) st[3], st.length > 4 ? (short[]) st[4] : null,
                            off, len, seed, index - off);
                }
            }
            case BF16 -> {
                AdamBf16StatesKernel kernel = k.bf16States();
                short[] vmax = s.amsgrad ? (short[]) st[2] : null;
                if (p instanceof float[] f) {
                    kernel.fused(s, rounding, f, (float[]) g, (short[]) st[0], (short[]) st[1], vmax, off, len, seed,
                            index);
                } else {
                    short[] comp = rounding == Rounding.KAHAN ? (short[]) st[st.length - 1] : null;
                    kernel.fused(s, precision.format(), rounding, (short[]) p, (short[]) g, (short[]) st[0],
                            (short[]) st[1], vmax, comp, off, len, seed, index);
                }
            }
            case F32 -> throw new IllegalStateException(this + ": f32 states are not compact");
        }
    }

    /** Steps elements {@code [o, o + n)}, whole blocks or the last one, through the arrays of {@code c}. */
    private void runCopied(Optimizer.Kernels kernels, AdamStep s, Copies c, long o, int n) {
        MemorySegment.copy(value, FLOAT, o * Float.BYTES, c.p, 0, n);
        MemorySegment.copy(grad, FLOAT, o * Float.BYTES, c.g, 0, n);
        for (int k = 0; k < state.length; k++) {
            StateLayout.Array a = layout.arrays().get(k);
            long at = a.absmax() ? o / BLOCK : o;
            MemorySegment.copy(state[k], a.element().layout(), at * a.element().bytes(), c.state[k], 0,
                    a.absmax() ? (int) StateLayout.blocks(n) : n);
        }
        run(kernels, s, c.p, c.g, c.state, 0, n, firstIndex + o);
        MemorySegment.copy(c.p, 0, value, FLOAT, o * Float.BYTES, n);
        for (int k = 0; k < state.length; k++) {
            StateLayout.Array a = layout.arrays().get(k);
            long at = a.absmax() ? o / BLOCK : o;
            MemorySegment.copy(c.state[k], 0, state[k], a.element().layout(), at * a.element().bytes(),
                    a.absmax() ? (int) StateLayout.blocks(n) : n);
        }
    }

    @Override
    boolean fusedWithStats(OptimizerStep s, long off, long len, Optimizer.Kernels k, double[] paramSums,
            double[] updateSums, double[] ratios, int at) {
        return false;
    }

    /**
     * Arrays for a copy of {@code n} elements of a {@code float} parameter and their blocks, in layout order: the
     * kernel takes the copies as a parameter of its own (codes as long as it, an absmax per block), so a short last
     * block needs arrays of exactly its length.
     */
    private static final class Copies {
        final float[] p;
        final float[] g;
        final Object[] state;

        /** Copies for {@code n} elements of {@code layout}'s arrays (of its length, which is not {@code n}). */
        Copies(StateLayout layout, int n) {
            p = new float[n];
            g = new float[n];
            List<StateLayout.Array> arrays = layout.arrays();
            state = new Object[arrays.size()];
            for (int k = 0; k < state.length; k++) {
                StateLayout.Array a = arrays.get(k);
                state[k] = a.element().allocate(a.absmax() ? StateLayout.blocks(n) : n).heapBase().orElseThrow();
            }
        }
    }
}
