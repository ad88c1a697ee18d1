package org.adam4j.reference;

/**
 * The 16-bit storage formats of parameters and gradients whose arithmetic is done in {@code float}: each converts a
 * {@code short} bit pattern to {@code float} exactly, and a {@code float} back by one of the three roundings of a
 * stepped parameter (to nearest even, stochastically, or with Kahan compensation). The methods are those of
 * {@link Bf16} and {@link Fp16}, for code written once for both formats.
 *
 * <p>Not to be confused with {@code org.adam4j.optim.Precision}, the element type of a parameter in the optimizer
 * API; this is the specification of the storage roundings that such a type will use.
 */
public enum LowPrecision {
    /** bfloat16: {@link Bf16}. */
    BF16 {
        @Override
        public float toFloat(short bits) {
            return Bf16.toFloat(bits);
        }

        @Override
        public short fromFloatNearestEven(float x) {
            return Bf16.fromFloatNearestEven(x);
        }

        @Override
        public short fromFloatStochastic(float x, int random) {
            return Bf16.fromFloatStochastic(x, random);
        }

        @Override
        public int kahanAdd(short param, short comp, float update) {
            return Bf16.kahanAdd(param, comp, update);
        }
    },
    /** IEEE binary16: {@link Fp16}. */
    FP16 {
        @Override
        public float toFloat(short bits) {
            return Fp16.toFloat(bits);
        }

        @Override
        public short fromFloatNearestEven(float x) {
            return Fp16.fromFloatNearestEven(x);
        }

        @Override
        public short fromFloatStochastic(float x, int random) {
            return Fp16.fromFloatStochastic(x, random);
        }

        @Override
        public int kahanAdd(short param, short comp, float update) {
            return Fp16.kahanAdd(param, comp, update);
        }
    };

    /** Bytes per element. */
    public static final int BYTES = 2;

    /**
     * The value of a bit pattern, exactly.
     *
     * @param bits the bit pattern
     * @return its value
     */
    public abstract float toFloat(short bits);

    /**
     * Rounds to the nearest representable value, ties to even.
     *
     * @param x the value
     * @return the bit pattern
     */
    public abstract short fromFloatNearestEven(float x);

    /**
     * Rounds stochastically with the given random bits.
     *
     * @param x the value
     * @param random 32 random bits, e.g. {@link StochasticBits#bits(long, long, long)}
     * @return the bit pattern
     */
    public abstract short fromFloatStochastic(float x, int random);

    /**
     * Rounds stochastically with the bits of element {@code index} at this seed and step.
     *
     * @param x the value
     * @param seed the run's seed
     * @param step the step number
     * @param index the element's global index
     * @return the bit pattern
     */
    public short fromFloatStochastic(float x, long seed, long step, long index) {
        return fromFloatStochastic(x, StochasticBits.bits(seed, step, index));
    }

    /**
     * Adds {@code update} to a Kahan-compensated parameter (see {@link Bf16#kahanAdd}).
     *
     * @param param the parameter's bits
     * @param comp the compensation's bits
     * @param update the update in {@code float}
     * @return the new bits, packed as in {@link #kahanPack}
     */
    public abstract int kahanAdd(short param, short comp, float update);

    /**
     * Packs a parameter's and its compensation's bits into one {@code int}, so that a Kahan step returns both without
     * allocating.
     *
     * @param param the parameter's bits
     * @param comp the compensation's bits
     * @return {@code param} in the low half, {@code comp} in the high half
     */
    public static int kahanPack(short param, short comp) {
        return (param & 0xFFFF) | (comp << 16);
    }

    /**
     * The parameter's bits of a {@link #kahanPack packed} pair.
     *
     * @param packed the pair
     * @return the low half
     */
    public static short kahanParam(int packed) {
        return (short) packed;
    }

    /**
     * The compensation's bits of a {@link #kahanPack packed} pair.
     *
     * @param packed the pair
     * @return the high half
     */
    public static short kahanComp(int packed) {
        return (short) (packed >>> 16);
    }

    /**
     * Widens {@code len} values to {@code float}.
     *
     * @param src the bit patterns
     * @param srcOff the first element read
     * @param dst where the values go
     * @param dstOff the first element written
     * @param len the number of elements
     */
    public void toFloat(short[] src, int srcOff, float[] dst, int dstOff, int len) {
        for (int i = 0; i < len; i++) {
            dst[dstOff + i] = toFloat(src[srcOff + i]);
        }
    }

    /**
     * Rounds {@code len} values to the nearest representable ones, ties to even.
     *
     * @param src the values
     * @param srcOff the first element read
     * @param dst where the bit patterns go
     * @param dstOff the first element written
     * @param len the number of elements
     */
    public void fromFloatNearestEven(float[] src, int srcOff, short[] dst, int dstOff, int len) {
        for (int i = 0; i < len; i++) {
            dst[dstOff + i] = fromFloatNearestEven(src[srcOff + i]);
        }
    }

    /**
     * Rounds {@code len} values stochastically; element {@code k} of the slice has global index
     * {@code firstIndex + k}.
     *
     * @param src the values
     * @param srcOff the first element read
     * @param dst where the bit patterns go
     * @param dstOff the first element written
     * @param len the number of elements
     * @param seed the run's seed
     * @param step the step number
     * @param firstIndex the global index of {@code src[srcOff]}
     */
    public void fromFloatStochastic(float[] src, int srcOff, short[] dst, int dstOff, int len, long seed, long step,
            long firstIndex) {
        for (int i = 0; i < len; i++) {
            dst[dstOff + i] = fromFloatStochastic(src[srcOff + i], seed, step, firstIndex + i);
        }
    }
}
