package org.adam4j.reference.cases;

import java.util.Arrays;

/**
 * A 1-D or 2-D array of float32 or float64 read from or written to a {@code .npy} file, in C order. Exactly one of
 * {@link #f32()} and {@link #f64()} is non-null, as {@link #dtype()} says.
 */
public final class NpyArray {
    /** The element types adam4j reads and writes. */
    public enum DType {
        /** {@code float32}, {@code <f4}. */
        F32("<f4", 4),
        /** {@code float64}, {@code <f8}. */
        F64("<f8", 8);

        /** The .npy header's {@code descr}. */
        public final String descr;
        /** Bytes per element. */
        public final int bytes;

        DType(String descr, int bytes) {
            this.descr = descr;
            this.bytes = bytes;
        }

        /**
         * {@code float32} or {@code float64}, as case.json names it.
         *
         * @return {@code float32} or {@code float64}
         */
        public String numpyName() {
            return this == F32 ? "float32" : "float64";
        }
    }

    private final DType dtype;
    private final int[] shape;
    private final float[] f32;
    private final double[] f64;

    private NpyArray(DType dtype, int[] shape, float[] f32, double[] f64) {
        long count = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            count *= d;
        }
        int length = f32 != null ? f32.length : f64.length;
        if (shape.length < 1 || shape.length > 2 || count != length) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(shape) + " does not fit " + length + " elements (1-D or 2-D only)");
        }
        this.dtype = dtype;
        this.shape = shape.clone();
        this.f32 = f32;
        this.f64 = f64;
    }

    /**
     * {@return a float32 array over {@code data} (not copied)}
     *
     * @param data the elements in C order
     * @param shape the dimensions (1 or 2), whose product is {@code data.length}
     */
    public static NpyArray of(float[] data, int... shape) {
        return new NpyArray(DType.F32, shape, data, null);
    }

    /**
     * {@return a float64 array over {@code data} (not copied)}
     *
     * @param data the elements in C order
     * @param shape the dimensions (1 or 2), whose product is {@code data.length}
     */
    public static NpyArray of(double[] data, int... shape) {
        return new NpyArray(DType.F64, shape, null, data);
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
        return f32 != null ? f32.length : f64.length;
    }

    /** {@return the data if float32, else {@code null}} */
    public float[] f32() {
        return f32;
    }

    /** {@return the data if float64, else {@code null}} */
    public double[] f64() {
        return f64;
    }

    /** {@return the data as floats (rounded if float64)} */
    public float[] toF32() {
        if (f32 != null) {
            return f32.clone();
        }
        float[] out = new float[f64.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) f64[i];
        }
        return out;
    }

    /** {@return the data as doubles (exact)} */
    public double[] toF64() {
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
     * Element {@code i} in C order, as a double.
     *
     * @param i the element's index in the flattened array
     * @return element {@code i}, as a double
     */
    public double get(int i) {
        return f32 != null ? f32[i] : f64[i];
    }

    @Override
    public String toString() {
        return "NpyArray(" + dtype.descr + ", shape " + Arrays.toString(shape) + ")";
    }
}
