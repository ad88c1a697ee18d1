package org.adam4j.reference;

/**
 * An independent formulation of the 16-bit roundings, in {@code double} arithmetic rather than bit arithmetic: the
 * grid's spacing from the exponent, {@code Math.rint} for ties to even, {@code Math.floor} for truncation, and an
 * encoder from an exact grid value to its bits. Every value here is exact in {@code double} (a {@code float} divided
 * or multiplied by a power of two, a difference of two nearby {@code float}s), so it computes the mathematical
 * rounding, not an approximation of it.
 */
record RoundingOracle(int fractionBits, int minExponent, int bias, double overflow) {
    static final RoundingOracle BF16 = new RoundingOracle(7, -126, 127, 0x1p128);
    static final RoundingOracle FP16 = new RoundingOracle(10, -14, 15, 0x1p16);

    /** The distance between grid values around the magnitude {@code a}. */
    double spacing(double a) {
        int e = a == 0 ? minExponent : Math.max(Math.getExponent(a), minExponent);
        return Math.scalb(1.0, e - fractionBits);
    }

    int infinityBits() {
        return (2 * bias + 1) << fractionBits;
    }

    /** The bits of a grid magnitude, or of infinity at and above the overflow threshold. */
    int encode(double a) {
        if (a >= overflow) {
            return infinityBits();
        }
        if (a < Math.scalb(1.0, minExponent)) {
            return (int) (a / Math.scalb(1.0, minExponent - fractionBits));
        }
        int e = Math.getExponent(a);
        return ((e + bias) << fractionBits) | ((int) (a / Math.scalb(1.0, e - fractionBits)) - (1 << fractionBits));
    }

    static int signBit(float x) {
        return (Float.floatToRawIntBits(x) >>> 16) & 0x8000;
    }

    /** Round-to-nearest-even of a non-NaN value. */
    short nearestEven(float x) {
        double a = Math.abs((double) x);
        if (Double.isInfinite(a)) {
            return (short) (signBit(x) | infinityBits());
        }
        double s = spacing(a);
        return (short) (signBit(x) | encode(Math.rint(a / s) * s));
    }

    /** The magnitude truncated to the grid. */
    double truncated(float x) {
        double a = Math.abs((double) x);
        double s = spacing(a);
        return Math.floor(a / s) * s;
    }

    /** The dropped part of a finite value as a 32-bit binary fraction of the spacing, truncated. */
    long dropped32(float x) {
        double a = Math.abs((double) x);
        double s = spacing(a);
        return (long) Math.floor((a - truncated(x)) / s * 0x1p32);
    }

    /** Stochastic rounding of a finite value: away from zero when dropped32 + random carries out of 32 bits. */
    short stochastic(float x, int random) {
        double lo = truncated(x);
        boolean away = dropped32(x) + Integer.toUnsignedLong(random) >= 0x1p32;
        return (short) (signBit(x) | encode(away ? lo + spacing(Math.abs((double) x)) : lo));
    }
}
