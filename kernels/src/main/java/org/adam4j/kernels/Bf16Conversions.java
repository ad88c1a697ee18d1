package org.adam4j.kernels;

/**
 * Conversions between {@code float} and bfloat16 bit patterns over array slices, bit for bit those of
 * {@link org.adam4j.reference.Bf16} (round-to-nearest-even as {@code c10::BFloat16}, stochastic rounding keyed by
 * {@link org.adam4j.reference.StochasticBits}), at any lane width. The vector implementations are generated per width
 * ({@code org.adam4j.kernels.vector.Bf16Vectors_64} ... {@code _512}), each with its species a {@code static final}
 * constant. From 128 bits up they allocate nothing per call; at 64 bits the narrowing (2 {@code int} lanes into half
 * of the narrowest, 4-lane, {@code short} vector) is not intrinsified by JDK 25's C2 and boxes.
 *
 * <p>Every method checks both slices before it writes anything, and reads and writes nothing outside them.
 */
public interface Bf16Conversions {
    /** {@return the implementation's name, e.g. {@code vector-256}} */
    String name();

    /** {@return the {@code float} lanes of one vector} */
    int lanes();

    /**
     * Widens {@code len} bfloat16 values to {@code float}, exactly.
     *
     * @param src the bfloat16 bits
     * @param srcOff the first element read
     * @param dst where the values go
     * @param dstOff the first element written
     * @param len the number of elements
     * @throws IndexOutOfBoundsException if a slice is outside its array
     */
    void toFloat(short[] src, int srcOff, float[] dst, int dstOff, int len);

    /**
     * Rounds {@code len} values to the nearest bfloat16, ties to even.
     *
     * @param src the values
     * @param srcOff the first element read
     * @param dst where the bfloat16 bits go
     * @param dstOff the first element written
     * @param len the number of elements
     * @throws IndexOutOfBoundsException if a slice is outside its array
     */
    void fromFloatNearestEven(float[] src, int srcOff, short[] dst, int dstOff, int len);

    /**
     * Rounds {@code len} values stochastically; element {@code k} of the slice has global index
     * {@code firstIndex + k}, so the bits depend only on the values, the seed, the step and the indices.
     *
     * @param src the values
     * @param srcOff the first element read
     * @param dst where the bfloat16 bits go
     * @param dstOff the first element written
     * @param len the number of elements
     * @param seed the run's seed
     * @param step the step number
     * @param firstIndex the global index of {@code src[srcOff]}, at least 0
     * @throws IndexOutOfBoundsException if a slice is outside its array
     */
    void fromFloatStochastic(float[] src, int srcOff, short[] dst, int dstOff, int len, long seed, long step,
            long firstIndex);
}
