package org.adam4j.reference;

/**
 * IEEE 754 binary16 ("half", fp16) storage of {@code float} values, as {@code short} bit patterns: sign, 5-bit
 * exponent (bias 15), 10 fraction bits; the largest finite value is 65504, the smallest normal {@code 2^-14}, the
 * smallest subnormal {@code 2^-24}. Arithmetic stays in {@code float}; these are the conversions to and from storage
 * and the specification every kernel's conversions match bit for bit.
 *
 * <p>Round-to-nearest-even is {@code torch.Tensor.half()}'s: IEEE round-to-nearest-even with gradual underflow
 * (values at or below {@code 2^-25} become zero, ties to even), overflow to infinity at and above 65520 (the midpoint
 * between 65504 and {@code 2^16}, whose tie goes to the even {@code 2^16}), and any NaN becomes {@code 0x7E00} with
 * its sign, as {@code c10::Half}'s scalar conversion ({@code fp16_ieee_from_fp32_value}) gives.
 *
 * <p>Stochastic rounding works on the binary16 grid, subnormals included: for {@code |x|} between the binary16
 * magnitudes {@code lo <= |x| < hi} (with {@code hi = 2^16}, standing for infinity, above 65504), the dropped part
 * {@code f = (|x| - lo) / (hi - lo)} is taken as a 32-bit binary fraction {@code D = floor(f * 2^32)}, and the result
 * is {@code hi} exactly when {@code D + random} carries out of 32 bits (as unsigned integers), so with probability
 * {@code D / 2^32}, else {@code lo}; the sign is kept. For {@code |x| >= 2^-33} the dropped part has at most 32 bits,
 * so {@code D / 2^32 = f} and the expected result is the input exactly; below, the probability is {@code f}
 * truncated to 32 bits (a bias under {@code 2^-32} of the spacing {@code 2^-24}). Values already representable
 * (including signed zeros and infinities) are never changed; any NaN becomes {@code 0x7E00} with its sign; values at
 * or above {@code 2^16} become infinite. In the normal range this is torchao's add-and-truncate with 13 bits:
 * {@code (bits + (random >>> 19))} with the low 13 bits dropped.
 */
public final class Fp16 {
    /** The NaN a positive NaN converts to ({@code 0x7E00}); a negative one converts to {@code 0xFE00}. */
    public static final short NAN = 0x7E00;
    /** Positive infinity. */
    public static final short POSITIVE_INFINITY = 0x7C00;
    /** The largest finite value, 65504. */
    public static final short MAX_VALUE = 0x7BFF;
    /** The smallest positive normal value, {@code 2^-14}. */
    public static final short MIN_NORMAL = 0x0400;
    /** The smallest positive (subnormal) value, {@code 2^-24}. */
    public static final short MIN_VALUE = 0x0001;

    /** {@code 2^16} as {@code float} bits: every rounding of a magnitude at or above it is infinite. */
    private static final int OVERFLOW_BITS = 0x47800000;
    /** The biased {@code float} exponent of {@code 2^-14}, the smallest normal binary16. */
    private static final int MIN_NORMAL_EXPONENT = 113;

    private Fp16() {
    }

    /**
     * The value of a binary16 bit pattern, exactly ({@code Float.float16ToFloat}: widening is exact; NaN patterns
     * give a NaN).
     *
     * @param bits the binary16 bits
     * @return the value
     */
    public static float toFloat(short bits) {
        return Float.float16ToFloat(bits);
    }

    /**
     * Rounds to the nearest binary16, ties to even, as {@code torch.Tensor.half()} does.
     *
     * @param x the value
     * @return its binary16 bits; {@code 0x7E00} with the sign of {@code x} for any NaN
     */
    public static short fromFloatNearestEven(float x) {
        // Float.floatToFloat16 is IEEE binary16 round-to-nearest-even (Fp16Test holds it to an independent rounding
        // over every float's high bits and ties), which is what torch.Tensor.half() computes. Its NaN result keeps
        // payload bits, and its intrinsic (vcvtps2ph) and its Java code need not agree on them, so NaNs are made
        // c10::Half's canonical NaN here.
        if (Float.isNaN(x)) {
            return (short) (((Float.floatToRawIntBits(x) >>> 16) & 0x8000) | NAN);
        }
        return Float.floatToFloat16(x);
    }

    /**
     * Rounds stochastically with the given random bits (see the class description).
     *
     * @param x the value
     * @param random 32 random bits
     * @return its binary16 bits; {@code 0x7E00} with the sign of {@code x} for any NaN
     */
    public static short fromFloatStochastic(float x, int random) {
        int bits = Float.floatToRawIntBits(x);
        int sign = (bits >>> 16) & 0x8000;
        int magnitude = bits & 0x7FFFFFFF;
        if (magnitude > 0x7F800000) {
            return (short) (sign | NAN);
        }
        if (magnitude >= OVERFLOW_BITS) {
            return (short) (sign | POSITIVE_INFINITY);
        }
        int exponent = magnitude >>> 23;
        int fraction = magnitude & 0x7FFFFF;
        int truncated;
        int dropped;
        if (exponent >= MIN_NORMAL_EXPONENT) {
            truncated = ((exponent - (MIN_NORMAL_EXPONENT - 1)) << 10) | (fraction >>> 13);
            dropped = fraction << 19;
        } else {
            // Subnormal binary16: the magnitude is significand * 2^-24 / 2^shift, so the grid index is the
            // significand's bits above the shift and the dropped fraction those below.
            int significand = exponent == 0 ? fraction : fraction | 0x800000;
            int shift = 126 - Math.max(exponent, 1);
            truncated = shift >= 24 ? 0 : significand >>> shift;
            if (shift <= 32) {
                dropped = (int) ((long) significand << (32 - shift));
            } else {
                dropped = shift - 32 >= 24 ? 0 : significand >>> (shift - 32);
            }
        }
        // A carry out of the fraction moves to the next binade, and from 65504 to infinity, by itself.
        int roundAway = Integer.compareUnsigned(dropped + random, dropped) < 0 ? 1 : 0;
        return (short) (sign | (truncated + roundAway));
    }

    /**
     * Adds {@code update} to a parameter stored with Kahan compensation, as optimi's Adam does with PyTorch's
     * float16 operations (each rounds to nearest even); all in {@code float}, {@code R} rounding to binary16:
     *
     * <pre>{@code
     * c  = R(comp + update)        // kahan_comp.add_(update)
     * p' = R(param + c)            // param.add_(kahan_comp)
     * d  = R(param - p')           // tmp = param_before - param
     * c' = R(c + d)                // kahan_comp.add_(tmp)
     * }</pre>
     *
     * @param param the parameter's binary16 bits
     * @param comp the compensation's binary16 bits
     * @param update the update in {@code float}
     * @return the new bits, packed as in {@link LowPrecision#kahanPack}
     */
    public static int kahanAdd(short param, short comp, float update) {
        float p = toFloat(param);
        short c = fromFloatNearestEven(toFloat(comp) + update);
        short stepped = fromFloatNearestEven(p + toFloat(c));
        short lost = fromFloatNearestEven(p - toFloat(stepped));
        return LowPrecision.kahanPack(stepped, fromFloatNearestEven(toFloat(c) + toFloat(lost)));
    }
}
