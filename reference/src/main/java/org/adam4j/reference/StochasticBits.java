package org.adam4j.reference;

/**
 * The random bits of stochastic rounding: 32 bits for each (seed, step, element index), a pure function of the three,
 * so that a rounding's bits depend on nothing else: not the lane width, not how the elements were split between calls
 * or threads, not what ran before. A resumed run that keeps the seed and the step number rounds as the uninterrupted
 * run would have.
 *
 * <p>The function is counter-based, in two parts:
 *
 * <ol>
 *   <li>a 32-bit key per (seed, step, high half of the index), computed once per call:
 *       {@code key = (int) (mix64(mix64(mix64(seed + GOLDEN_GAMMA) + step) + (index >>> 32)) >>> 32)}, where
 *       {@link #mix64} is SplitMix64's output function (so {@code mix64(seed + GOLDEN_GAMMA)} is the first
 *       {@code nextLong()} of a {@code java.util.SplittableRandom} seeded with {@code seed}), and each further word is
 *       absorbed by adding it and mixing again;</li>
 *   <li>per element: {@code bits = fmix32(key + INDEX_GAMMA * (int) index)}, where {@link #fmix32} is MurmurHash3's
 *       32-bit finalizer: the {@code (int) index}-th output of a SplitMix-style Weyl sequence started at the key.</li>
 * </ol>
 *
 * <p>The per-element part is 32-bit integer work (two multiplies, three shifts, three xors) so that a vector kernel
 * computes it in {@code int} lanes, as many as its {@code float} lanes; the 64-bit mixing happens once per call. Within
 * a run of {@code 2^32} consecutive indices with the same high half, {@code fmix32} of the distinct Weyl values gives
 * distinct outputs (both steps are bijections), so no two elements of a parameter smaller than {@code 2^32} elements
 * see the same bits in one step. Across steps the key changes entirely.
 */
public final class StochasticBits {
    /** SplitMix64's increment (the odd integer closest to {@code 2^64} divided by the golden ratio). */
    public static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
    /** The 32-bit Weyl increment of the per-element counter: the high half of {@link #GOLDEN_GAMMA}, odd. */
    public static final int INDEX_GAMMA = 0x9E3779B9;
    /** MurmurHash3 {@code fmix32}'s first multiplier. */
    public static final int FMIX32_C1 = 0x85EBCA6B;
    /** MurmurHash3 {@code fmix32}'s second multiplier. */
    public static final int FMIX32_C2 = 0xC2B2AE35;

    private StochasticBits() {
    }

    /**
     * SplitMix64's output function (Stafford's "Mix13"), a bijection of 64-bit values.
     *
     * @param z the value to mix
     * @return {@code z} mixed: {@code z ^= z >>> 30; z *= 0xBF58476D1CE4E5B9; z ^= z >>> 27; z *= 0x94D049BB133111EB;
     *     z ^= z >>> 31}
     */
    public static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * MurmurHash3's 32-bit finalizer, a bijection of 32-bit values.
     *
     * @param h the value to mix
     * @return {@code h} mixed: {@code h ^= h >>> 16; h *= 0x85EBCA6B; h ^= h >>> 13; h *= 0xC2B2AE35; h ^= h >>> 16}
     */
    public static int fmix32(int h) {
        h = (h ^ (h >>> 16)) * FMIX32_C1;
        h = (h ^ (h >>> 13)) * FMIX32_C2;
        return h ^ (h >>> 16);
    }

    /**
     * The key shared by every index with the same high 32 bits as {@code index}, at this seed and step.
     *
     * @param seed the run's seed
     * @param step the step number
     * @param index a global element index, at least 0; only its high 32 bits matter
     * @return the 32-bit key
     */
    public static int key(long seed, long step, long index) {
        long h = mix64(seed + GOLDEN_GAMMA);
        h = mix64(h + step);
        h = mix64(h + (index >>> 32));
        return (int) (h >>> 32);
    }

    /**
     * The bits of an element, from the key of its index's high half.
     *
     * @param key {@link #key(long, long, long)} of the same {@code index}
     * @param index the global element index; only its low 32 bits matter here
     * @return {@code fmix32(key + INDEX_GAMMA * (int) index)}
     */
    public static int bits(int key, long index) {
        return fmix32(key + INDEX_GAMMA * (int) index);
    }

    /**
     * The bits of element {@code index} at this seed and step.
     *
     * @param seed the run's seed
     * @param step the step number
     * @param index the global element index, at least 0
     * @return 32 random bits
     */
    public static int bits(long seed, long step, long index) {
        return bits(key(seed, step, index), index);
    }
}
