package org.adam4j.reference;

/**
 * bfloat16 storage of {@code float} values, as {@code short} bit patterns: the high 16 bits of the {@code float}
 * (sign, the same 8-bit exponent, 7 fraction bits). Arithmetic stays in {@code float}; these are the conversions to
 * and from storage and the specification every kernel's conversions match bit for bit.
 *
 * <p>Round-to-nearest-even is PyTorch's {@code c10::BFloat16} conversion ({@code round_to_nearest_even}): any NaN
 * becomes {@link #NAN} ({@code 0x7FC0}, positive), infinities stay infinite, and otherwise
 * {@code (bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16}, whose carry out of the fraction rolls the exponent over,
 * up to infinity for values at or above the midpoint between the largest finite bfloat16 and {@code 2^128}.
 *
 * <p>Stochastic rounding is torchao's: add 16 random bits to the 16 bits that are dropped and truncate,
 * {@code (bits + (random >>> 16)) >>> 16}. It rounds away from zero with probability (dropped bits) / 2^16, which is
 * exactly the distance to the truncated value in units of the bfloat16 spacing (including subnormals, which are
 * integers in the same bit arithmetic), so the expected result is the input exactly. Values already representable
 * are never changed; signed zeros and infinities keep their bits; any NaN becomes {@link #NAN} as in
 * round-to-nearest (adding to a NaN's bits could otherwise turn it into an infinity or a zero); a finite value above
 * the largest finite bfloat16 becomes infinite with probability its distance from that value in units of its
 * spacing, as the bit arithmetic gives.
 */
public final class Bf16 {
    /** The NaN every NaN converts to: PyTorch's {@code 0x7FC0}, positive and quiet. */
    public static final short NAN = 0x7FC0;
    /** Positive infinity. */
    public static final short POSITIVE_INFINITY = 0x7F80;
    /** The largest finite value, {@code (2 - 2^-7) * 2^127}. */
    public static final short MAX_VALUE = 0x7F7F;
    /** The smallest positive normal value, {@code 2^-126}. */
    public static final short MIN_NORMAL = 0x0080;
    /** The smallest positive (subnormal) value, {@code 2^-133}. */
    public static final short MIN_VALUE = 0x0001;

    private Bf16() {
    }

    /**
     * The value of a bfloat16 bit pattern, exactly (NaN patterns give a NaN).
     *
     * @param bits the bfloat16 bits
     * @return the {@code float} with {@code bits} as its high half and zeros below
     */
    public static float toFloat(short bits) {
        return Float.intBitsToFloat(bits << 16);
    }

    /**
     * Rounds to the nearest bfloat16, ties to even, as {@code c10::BFloat16} does.
     *
     * @param x the value
     * @return its bfloat16 bits; {@link #NAN} for any NaN
     */
    public static short fromFloatNearestEven(float x) {
        if (Float.isNaN(x)) {
            return NAN;
        }
        int bits = Float.floatToRawIntBits(x);
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }

    /**
     * Rounds stochastically with the given random bits (see the class description).
     *
     * @param x the value
     * @param random 32 random bits, of which the high 16 are used
     * @return its bfloat16 bits; {@link #NAN} for any NaN
     */
    public static short fromFloatStochastic(float x, int random) {
        int bits = Float.floatToRawIntBits(x);
        if ((bits & 0x7FFFFFFF) > 0x7F800000) {
            return NAN;
        }
        return (short) ((bits + (random >>> 16)) >>> 16);
    }

    /**
     * Adds {@code update} to a parameter stored with Kahan compensation, as optimi's Adam does with PyTorch's
     * bfloat16 operations (each rounds to nearest even); all in {@code float}, {@code R} rounding to bfloat16:
     *
     * <pre>{@code
     * c  = R(comp + update)        // kahan_comp.add_(update)
     * p' = R(param + c)            // param.add_(kahan_comp)
     * d  = R(param - p')           // tmp = param_before - param
     * c' = R(c + d)                // kahan_comp.add_(tmp)
     * }</pre>
     *
     * <p>The compensation holds what rounding the parameter lost, so updates smaller than half the parameter's
     * spacing accumulate there until they move the parameter.
     *
     * @param param the parameter's bfloat16 bits
     * @param comp the compensation's bfloat16 bits
     * @param update the update in {@code float}, e.g. {@code -lr * m / (sqrt(v) + eps)}
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
