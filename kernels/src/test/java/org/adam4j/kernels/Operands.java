package org.adam4j.kernels;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.adam4j.reference.AdamReference_F32;
import org.adam4j.reference.AdamReference_F64;
import org.adam4j.reference.AdamStep;

/**
 * The five operands of an Adam step (p, g, m, v, vmax) in one precision, for tests that run the same scenario on
 * float and double kernels alike. Arrays are {@code float[]} or {@code double[]} behind {@code Object}.
 */
final class Operands {
    static final String[] NAMES = {"p", "g", "m", "v", "vmax"};

    private static final float[] SPECIAL_F32 = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f,
        Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL / 3, -1e-40f, Float.MAX_VALUE, -Float.MAX_VALUE,
        1e30f, -3e37f, 1e19f};
    private static final double[] SPECIAL_F64 = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0d,
        -0d, Double.MIN_VALUE, -Double.MIN_VALUE, Double.MIN_NORMAL / 3, -1e-310, Double.MAX_VALUE, -Double.MAX_VALUE,
        1e300, -3e307, 1e154};

    final boolean f32;
    final Object[] arrays = new Object[5];

    private Operands(boolean f32) {
        this.f32 = f32;
    }

    /**
     * Random operands of length {@code n}: ordinary magnitudes from 1e-4 to 10, with a fraction {@code special} of
     * NaN, infinities, signed zeros, subnormals and values near overflow. {@code v} and {@code vmax} are mostly
     * non-negative, as the moments are, but get the specials too.
     */
    static Operands random(boolean f32, int n, SplittableRandom r, double special) {
        Operands o = new Operands(f32);
        for (int a = 0; a < 5; a++) {
            o.arrays[a] = f32 ? new float[n] : new double[n];
            for (int i = 0; i < n; i++) {
                o.set(a, i, value(f32, r, special, a >= 3));
            }
        }
        return o;
    }

    /** A new gradient inside the slice, for the next step. */
    void newGradient(SplittableRandom r, double special, int off, int len) {
        for (int i = off; i < off + len; i++) {
            set(1, i, value(f32, r, special, false));
        }
    }

    private static double value(boolean f32, SplittableRandom r, double special, boolean nonNegative) {
        if (r.nextDouble() < special) {
            return f32 ? SPECIAL_F32[r.nextInt(SPECIAL_F32.length)] : SPECIAL_F64[r.nextInt(SPECIAL_F64.length)];
        }
        double mag = Math.pow(10, r.nextDouble(-4, 1));
        return nonNegative || r.nextBoolean() ? mag : -mag;
    }

    int length() {
        return f32 ? ((float[]) arrays[0]).length : ((double[]) arrays[0]).length;
    }

    void set(int a, int i, double value) {
        if (f32) {
            ((float[]) arrays[a])[i] = (float) value;
        } else {
            ((double[]) arrays[a])[i] = value;
        }
    }

    /** The bits of element {@code i} of operand {@code a}, NaNs canonical (Java leaves NaN payloads unspecified). */
    long bits(int a, int i) {
        return f32 ? Float.floatToIntBits(((float[]) arrays[a])[i]) : Double.doubleToLongBits(((double[]) arrays[a])[i]);
    }

    Operands copy() {
        Operands o = new Operands(f32);
        for (int a = 0; a < 5; a++) {
            o.arrays[a] = f32 ? ((float[]) arrays[a]).clone() : ((double[]) arrays[a]).clone();
        }
        return o;
    }

    private float[] f(int a) {
        return (float[]) arrays[a];
    }

    private double[] d(int a) {
        return (double[]) arrays[a];
    }

    /** The specification: the reference's fused step. */
    void referenceFused(AdamStep s, int off, int len) {
        if (f32) {
            AdamReference_F32.fused(s, f(0), f(1), f(2), f(3), f(4), off, len);
        } else {
            AdamReference_F64.fused(s, d(0), d(1), d(2), d(3), d(4), off, len);
        }
    }

    /** {@code kernel} is an {@link AdamKernel_F32} or {@link AdamKernel_F64} of this precision. */
    void fused(Object kernel, AdamStep s, int off, int len) {
        if (f32) {
            ((AdamKernel_F32) kernel).fused(s, f(0), f(1), f(2), f(3), f(4), off, len);
        } else {
            ((AdamKernel_F64) kernel).fused(s, d(0), d(1), d(2), d(3), d(4), off, len);
        }
    }

    /** The moment update then the parameter step, as two passes. */
    void split(Object kernel, AdamStep s, int off, int len) {
        if (f32) {
            AdamKernel_F32 k = (AdamKernel_F32) kernel;
            k.moments(s, f(0), f(1), f(2), f(3), f(4), off, len);
            k.params(s, f(0), f(2), f(3), f(4), off, len);
        } else {
            AdamKernel_F64 k = (AdamKernel_F64) kernel;
            k.moments(s, d(0), d(1), d(2), d(3), d(4), off, len);
            k.params(s, d(0), d(2), d(3), d(4), off, len);
        }
    }

    /** The first operand and index where the two differ in bits, or null. */
    String firstDifference(Operands other) {
        for (int a = 0; a < 5; a++) {
            for (int i = 0; i < length(); i++) {
                if (bits(a, i) != other.bits(a, i)) {
                    return NAMES[a] + "[" + i + "] = " + value(a, i) + " but the reference has " + other.value(a, i);
                }
            }
        }
        return null;
    }

    double value(int a, int i) {
        return f32 ? f(a)[i] : d(a)[i];
    }

    @Override
    public String toString() {
        return f32 ? Arrays.toString(f(0)) : Arrays.toString(d(0));
    }
}
