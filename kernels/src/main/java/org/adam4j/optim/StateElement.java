package org.adam4j.optim;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The element type of a state array: a parameter {@link Precision} (moments, absmax, Kahan's compensation) or
 * {@link #U8}, the unsigned byte codes of {@link StatePrecision#BLOCKWISE_8BIT} moments, which are no parameter's
 * precision. Each has its code in the state file, frozen there.
 */
enum StateElement {
    F32(Precision.F32, 1),
    F64(Precision.F64, 2),
    BF16(Precision.BF16, 3),
    FP16(Precision.FP16, 4),
    /** One byte per element: a code of a {@link org.adam4j.reference.DynamicMap}. */
    U8(null, 5);

    private final Precision precision;
    private final int fileCode;

    StateElement(Precision precision, int fileCode) {
        this.precision = precision;
        this.fileCode = fileCode;
    }

    /** The element type of a {@code precision} array. */
    static StateElement of(Precision precision) {
        return switch (precision) {
            case F32 -> F32;
            case F64 -> F64;
            case BF16 -> BF16;
            case FP16 -> FP16;
        };
    }

    /** The element type of a state file code, or {@code null} for an unknown code. */
    static StateElement ofFileCode(int code) {
        for (StateElement e : values()) {
            if (e.fileCode == code) {
                return e;
            }
        }
        return null;
    }

    /** {@return the precision of a floating-point element, {@code null} for {@link #U8}} */
    Precision precision() {
        return precision;
    }

    int fileCode() {
        return fileCode;
    }

    int bytes() {
        return precision == null ? Byte.BYTES : precision.bytes();
    }

    /** The native-order layout of one element, unaligned. */
    ValueLayout layout() {
        return precision == null ? ValueLayout.JAVA_BYTE : precision.layout();
    }

    /** New zeroed memory of {@code n} elements (a Java array when one is large enough). */
    MemorySegment allocate(long n) {
        if (precision != null) {
            return precision.allocate(n);
        }
        return n > Integer.MAX_VALUE - 8 ? java.lang.foreign.Arena.ofAuto().allocate(n)
                : MemorySegment.ofArray(new byte[(int) n]);
    }

    /** Element {@code i} of {@code a}, widened to {@code double} exactly ({@link #U8}: the code, 0 to 255). */
    double element(MemorySegment a, long i) {
        return precision == null ? a.get(ValueLayout.JAVA_BYTE, i) & 0xFF : precision.element(a, i);
    }

    @Override
    public String toString() {
        return precision == null ? "U8" : precision.toString();
    }
}
