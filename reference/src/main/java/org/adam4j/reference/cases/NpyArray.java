package org.adam4j.reference.cases;

import java.util.Arrays;

/**
 * A 1-D or 2-D array of float32, float64, uint16 or uint8 read from or written to a {@code .npy} file, in C order.
 * Exactly one of {@link #f32()}, {@link #f64()}, {@link #u16()} and {@link #u8()} is non-null, as {@link #dtype()}
 * says. A uint16 array holds the bit patterns of 16-bit floats (bfloat16 or float16, as the case says): NumPy has no
 * bfloat16, so the cases store both formats' bits alike. A uint8 array holds the codes of 8-bit optimizer states.
 */
public final class NpyArray {
    /** The element types adam4j reads and writes. */
    public enum DType {
        /** {@code float32}, {@code <f4}. */
        F32("<f4", 4),
        /** {@code float64}, {@code <f8}. */
        F64("<f8", 8),
        /** {@code uint16}, {@code <u2}: the bit patterns of bfloat16 or float16 values. */
        U16("<u2", 2),
        /** {@code uint8}, {@code |u1} (a byte has no byte order): the codes of 8-bit optimizer states. */
        U8("|u1", 1);

        /** The .npy header's {@code descr}. */
        public final String descr;
        /** Bytes per element. */
        public final int bytes;

        DType(String descr, int bytes) {
            this.descr = descr;
            this.bytes = bytes;
        }

        /**
         * NumPy's name of the type.
         *
         * @return {@code float32}, {@code float64}, {@code uint16} or {@code uint8}
         */
        public String numpyName() {
            return switch (this) {
                case F32 -> "float32";
                case F64 -> "float64";
                case U16 -> "uint16";
                case U8 -> "uint8";
            };
        }
    }

    private final DType dtype;
    private final int[] shape;
    private final float[] f32;
    private final double[] f64;
    private final short[] u16;
    private final byte[] u8;

    private NpyArray(DType dtype, int[] shape, float[] f32, double[] f64, short[] u16, byte[] u8) {
        long count = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            count *= d;
        }
        int length = f32 != null ? f32.length : f64 != null ? f64.length : u16 != null ? u16.length : u8.length;
        if (shape.length < 1 || shape.length > 2 || count != length) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(shape) + " does not fit " + length + " elements (1-D or 2-D only)");
        }
        this.dtype = dtype;
        this.shape = shape.clone();
        this.f32 = f32;
        this.f64 = f64;
        this.u16 = u16;
        this.u8 = u8;
    }

    /**
     * {@return a float32 array over {@code data} (not copied)}
     *
     * @param data the elements in C order
     * @param shape the dimensions (1 or 2), whose product is {@code data.length}
     */
    public static NpyArray of(float[] data, int... shape) {
        return new NpyArray(DType.F32, shape, data, null, null, null);
    }

    /**
     * {@return a float64 array over {@code data} (not copied)}
     *
     * @param data the elements in C order
     * @param shape the dimensions (1 or 2), whose product is {@code data.length}
     */
    public static NpyArray of(double[] data, int... shape) {
        return new NpyArray(DType.F64, shape, null, data, null, null);
    }

    /**
     * {@return a uint16 array over {@code data} (not copied)}
     *
     * @param data the elements in C order (16-bit patterns)
     * @param shape the dimensions (1 or 2), whose product is {@code data.length}
     */
    public static NpyArray of(short[] data, int... shape) {
        return new NpyArray(DType.U16, shape, null, null, data, null);
    }

    /**
     * {@return a uint8 array over {@code data} (not copied)}
     *
     * @param data the elements in C order (8-bit codes, read as unsigned)
     * @param shape the dimensions (1 or 2), whose product is {@code data.length}
     */
    public static NpyArray of(byte[] data, int... shape) {
        return new NpyArray(DType.U8, shape, null, null, null, data);
    }

    /** {@return the element type} */
    public DType dtype() {
        return dtype;
    }

    /** {@return a copy of the shape} */
    public int[] shape() {
        return shape.clone();
    }

    /** {@return the number of dimensions, 1 or 2} */
    public int rank() {
        return shape.length;
    }

    /** {@return the number of elements} */
    public int length() {
        return f32 != null ? f32.length : f64 != null ? f64.length : u16 != null ? u16.length : u8.length;
    }

    /** {@return the data if float32, else {@code null}} */
    public float[] f32() {
        return f32;
    }

    /** {@return the data if float64, else {@code null}} */
    public double[] f64() {
        return f64;
    }

    /** {@return the data if uint16, else {@code null}} */
    public short[] u16() {
        return u16;
    }

    /** {@return the data if uint8, else {@code null}} */
    public byte[] u8() {
        return u8;
    }

    /**
     * {@return the data as floats (rounded if float64)}
     *
     * @throws IllegalStateException for uint16 and uint8, whose values are bit patterns or codes, not numbers
     */
    public float[] toF32() {
        requireFloats();
        if (f32 != null) {
            return f32.clone();
        }
        float[] out = new float[f64.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) f64[i];
        }
        return out;
    }

    /**
     * {@return the data as doubles (exact)}
     *
     * @throws IllegalStateException for uint16 and uint8, whose values are bit patterns or codes, not numbers
     */
    public double[] toF64() {
        requireFloats();
        if (f64 != null) {
            return f64.clone();
        }
        double[] out = new double[f32.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = f32[i];
        }
        return out;
    }

    /**
     * Element {@code i} in C order, as a double: for uint16 and uint8, the bit pattern or code as an unsigned number.
     *
     * @param i the element's index in the flattened array
     * @return element {@code i}, as a double
     */
    public double get(int i) {
        return f32 != null ? f32[i] : f64 != null ? f64[i] : u16 != null ? u16[i] & 0xffff : u8[i] & 0xff;
    }

    private void requireFloats() {
        if (u16 != null) {
            throw new IllegalStateException("a uint16 array holds 16-bit patterns; decode them with the case's format");
        }
        if (u8 != null) {
            throw new IllegalStateException("a uint8 array holds 8-bit codes; decode them with their map and absmax");
        }
    }

    @Override
    public String toString() {
        return "NpyArray(" + dtype.descr + ", shape " + Arrays.toString(shape) + ")";
    }
}
