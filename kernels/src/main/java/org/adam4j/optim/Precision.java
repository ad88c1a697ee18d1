package org.adam4j.optim;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.adam4j.reference.LowPrecision;

/**
 * The element type of a parameter, named with EJML's suffixes for {@code float} and {@code double}. A {@link #BF16}
 * or {@link #FP16} parameter is a {@code short[]} of bit patterns (or a heap segment over one) whose step is computed
 * in {@code float}: its gradient has its precision, its state arrays ({@code exp_avg}, {@code exp_avg_sq}...) are
 * {@code float} ({@link #statePrecision()}), and its Kahan compensation ({@code kahan_comp}) has its precision.
 *
 * <p>Everything that depends on the element type's representation (its bytes, its layout, new arrays of it) is
 * here, so that a new precision is added in one place.
 */
public enum Precision {
    /** {@code float}, 4 bytes. */
    F32(Float.BYTES, null),
    /** {@code double}, 8 bytes. */
    F64(Double.BYTES, null),
    /** bfloat16 ({@link org.adam4j.reference.Bf16}), 2 bytes: {@code short} bit patterns, stepped in {@code float}. */
    BF16(LowPrecision.BYTES, LowPrecision.BF16),
    /**
     * IEEE binary16 ({@link org.adam4j.reference.Fp16}), 2 bytes: {@code short} bit patterns, stepped in
     * {@code float}.
     */
    FP16(LowPrecision.BYTES, LowPrecision.FP16);

    private final int bytes;
    private final LowPrecision format;

    Precision(int bytes, LowPrecision format) {
        this.bytes = bytes;
        this.format = format;
    }

    /**
     * Bytes per element.
     *
     * @return the bytes per element: 4, 8, or 2 for {@link #BF16} and {@link #FP16}
     */
    public int bytes() {
        return bytes;
    }

    /**
     * The element type of the state arrays ({@code exp_avg}, {@code exp_avg_sq}...) of a parameter of this
     * precision: its own for {@link #F32} and {@link #F64}, {@link #F32} for the 16-bit formats, whose step is
     * computed in {@code float}.
     *
     * @return the precision of the state arrays
     */
    public Precision statePrecision() {
        return format == null ? this : F32;
    }

    /**
     * The 16-bit storage format of {@link #BF16} and {@link #FP16}.
     *
     * @return the format, or {@code null} for {@code float} and {@code double}
     */
    public LowPrecision format() {
        return format;
    }

    /** Whether this is a 16-bit format stepped in {@code float}. */
    boolean isLowPrecision() {
        return format != null;
    }

    /** The native-order layout of one element, unaligned. */
    ValueLayout layout() {
        return switch (this) {
            case F32 -> ValueLayout.JAVA_FLOAT_UNALIGNED;
            case F64 -> ValueLayout.JAVA_DOUBLE_UNALIGNED;
            case BF16, FP16 -> ValueLayout.JAVA_SHORT_UNALIGNED;
        };
    }

    /** New zeroed memory of {@code n} elements: a Java array when one is large enough, else automatic off-heap memory. */
    MemorySegment allocate(long n) {
        if (n > Integer.MAX_VALUE - 8) {
            return java.lang.foreign.Arena.ofAuto().allocate(n * bytes, bytes);
        }
        return switch (this) {
            case F32 -> MemorySegment.ofArray(new float[(int) n]);
            case F64 -> MemorySegment.ofArray(new double[(int) n]);
            case BF16, FP16 -> MemorySegment.ofArray(new short[(int) n]);
        };
    }

    /** An element of {@code a} widened to {@code double} exactly. */
    double element(MemorySegment a, long i) {
        return switch (this) {
            case F32 -> a.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i);
            case F64 -> a.getAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED, i);
            case BF16, FP16 -> format.toFloat(a.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i));
        };
    }
}
