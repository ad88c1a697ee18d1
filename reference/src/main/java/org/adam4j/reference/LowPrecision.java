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
     * Stores a stepped parameter {@code p[i]} by {@code rounding}, as every 16-bit step does
     * ({@link LowPrecisionAdamReference} says what each rounding stores): to nearest even; stochastically with the
     * bits of ({@code seed}, {@code step}, {@code index}); or Kahan-compensated with {@code comp[i]}, the update being
     * {@code pNew - pOld} in float. A NaN parameter or compensation is stored as the format's positive quiet NaN.
     *
     * @param rounding how to store
     * @param p the parameters' bit patterns
     * @param comp the compensation's bit patterns ({@link Rounding#KAHAN} only)
     * @param i the element
     * @param pOld the parameter before the step, widened
     * @param pNew the stepped parameter in float
     * @param seed the stochastic rounding's seed
     * @param step the step number
     * @param index the element's global index
     */
    public void store(Rounding rounding, short[] p, short[] comp, int i, float pOld, float pNew, long seed, long step,
            long index) {
        switch (rounding) {
            case NEAREST -> p[i] = positiveNaN(fromFloatNearestEven(pNew));
            case STOCHASTIC -> p[i] = positiveNaN(fromFloatStochastic(pNew, seed, step, index));
            case KAHAN -> {
                int packed = kahanAdd(p[i], comp[i], pNew - pOld);
                p[i] = positiveNaN(kahanParam(packed));
                comp[i] = positiveNaN(kahanComp(packed));
            }
        }
    }

    /**
     * The format's positive quiet NaN for any NaN pattern, other patterns unchanged. Java, like IEEE 754, leaves the
     * sign of a NaN that arithmetic produces unspecified, and the interpreter, the JIT's scalar code and vector
     * instructions do produce different signs for the same operands; binary16's rounding keeps the sign of a NaN
     * ({@code c10::Half} does), so a NaN result would otherwise differ from run to run.
     */
    private short positiveNaN(short bits) {
        if (this == BF16) {
            return (bits & 0x7FFF) > Bf16.POSITIVE_INFINITY ? Bf16.NAN : bits;
        }
        return (bits & 0x7FFF) > Fp16.POSITIVE_INFINITY ? Fp16.NAN : bits;
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
