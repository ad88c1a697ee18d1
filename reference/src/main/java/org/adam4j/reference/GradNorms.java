package org.adam4j.reference;

/**
 * The fixed shape of every reduction of the guarded step ({@link GradGuard}), so that its bits depend only on the
 * values and their order in the parameter, never on the lane width, the thread count or how a caller cut the work:
 *
 * <ol>
 *   <li>a parameter's elements are cut into blocks of {@link #BLOCK} consecutive elements, counted from its first
 *       element (the last block may be shorter);</li>
 *   <li>within a block's whole rows of {@link #LANES} elements, element {@code i} goes to virtual lane
 *       {@code i % LANES}; each lane accumulates its elements in order, in {@code double};</li>
 *   <li>the {@link #LANES} lane sums are added pairwise by halving: lane {@code j} takes lane {@code j + 8}, then
 *       {@code j + 4}, {@code j + 2}, {@code j + 1} (the order a vector's lanes are reduced in by halving, at any width
 *       that divides {@link #LANES});</li>
 *   <li>the elements of the block's last, partial row (only a parameter's last block can have one) are summed in
 *       order on their own, and that sum is added last: the block's sum (a vector loop then needs no masked loads,
 *       which the JIT does not compile at every width);</li>
 *   <li>the block sums are added in a binary tree whose left subtree always holds the largest power of two of blocks
 *       smaller than the count ({@link #leftBlocks}): a contiguous run of blocks of that shape is a subtree, so threads
 *       can reduce their parts and the parts combine to the same bits;</li>
 *   <li>an optimizer adds its parameters' sums in its parameters' order.</li>
 * </ol>
 *
 * <p>Squares of {@code float} values are exact in {@code double} (24-bit significands square to at most 48 bits) and
 * cannot overflow it, so for {@code float} data the only rounding is in the additions: with {@code n} elements the
 * computed sum of squares {@code S} of exact sum {@code E} satisfies {@code |S - E| <= gamma(k) * E}, where
 * {@code k = BLOCK / LANES + log2(LANES) + 1 + ceil(log2(ceil(n / BLOCK)))} additions stand between any term and
 * the result and {@code gamma(k) = k * 2^-53 / (1 - k * 2^-53)}: at most 153 additions for {@code n < 2^31},
 * a relative error below {@code 1.7e-14}. For {@code double} data each square's fused multiply-add adds one rounding
 * to each term ({@code k + 1}).
 */
public final class GradNorms {
    /** Elements per block: a block's lane sums fit in registers and its partial sum is one {@code double}. */
    public static final int BLOCK = 2048;
    /**
     * Virtual lanes of a block: 16, so that a 512-bit vector of 8 {@code double}s keeps two independent accumulators
     * and narrower vectors keep more (the additions' latency, not their count, bounds a sum).
     */
    public static final int LANES = 16;

    private GradNorms() {
    }

    /**
     * The number of blocks of {@code len} elements.
     *
     * @param len the number of elements, at least 0
     * @return {@code ceil(len / BLOCK)}
     */
    public static long blocks(long len) {
        return (len + BLOCK - 1) / BLOCK;
    }

    /**
     * How a run of {@code blocks} block sums splits in the tree: the left subtree's count, the largest power of two
     * smaller than {@code blocks}.
     *
     * @param blocks the number of blocks in the run, at least 2
     * @return the number of blocks in the run's left subtree
     */
    public static long leftBlocks(long blocks) {
        return Long.highestOneBit(blocks - 1);
    }

    /**
     * The tree sum of {@code count} block sums {@code sums[from, from + count)} (0 for none).
     *
     * @param sums the block sums, in block order
     * @param from the index of the first
     * @param count how many
     * @return their sum, added in the tree's order
     */
    public static double tree(double[] sums, int from, int count) {
        if (count <= 1) {
            return count == 1 ? sums[from] : 0.0;
        }
        int left = (int) leftBlocks(count);
        return tree(sums, from, left) + tree(sums, from + left, count - left);
    }
}
