package org.adam4j.reference;

import java.util.Objects;

/**
 * bitsandbytes' 8-bit blockwise quantization ({@code quantize_blockwise} / {@code dequantize_blockwise}) in plain
 * scalar Java: the specification the vectorized kernels match bit for bit.
 *
 * <p>A slice of {@code len} values is cut into blocks of {@code blockSize} from its start (the last block may be
 * short). Each block stores one {@code float} absmax and one byte per value, the {@link DynamicMap} code read as
 * unsigned (0..255):
 * <ul>
 *   <li>{@code absmax = max |x|} over the block, a NaN if any value is NaN (Java's {@link Math#max(float, float)};
 *       bitsandbytes' {@code fmax} would skip NaNs, hiding them in an optimizer state);</li>
 *   <li>a {@link #codable codable} absmax (finite, with a finite reciprocal): each value's code is
 *       {@link DynamicMap#code(float) map.code(x * (1f / absmax))}, the value multiplied by the absmax's
 *       {@code float} reciprocal, as bitsandbytes' CUDA {@code kQuantizeBlockwise} computes it (its CPU
 *       {@code quantize_block} divides, which can differ by an ulp; a division costs a vector kernel as much as the
 *       whole Adam step's other arithmetic, a multiplication almost nothing). The product may exceed 1 in magnitude
 *       by an ulp; it then takes the map's end code, as any value beyond the last threshold does;</li>
 *   <li>absmax zero (an all-zero block, signed zeros included), or so small that its reciprocal overflows (below
 *       {@code 2^-128}, a subnormal): every code is the map's zero code, the absmax is stored as it is and the block
 *       dequantizes to zeros (bitsandbytes would compute {@code 0 / 0}, or infinities);</li>
 *   <li>absmax NaN or infinite: every code is the zero code and the absmax is stored as it is, so every value of
 *       the block dequantizes to {@code 0 * absmax}, a NaN: one non-finite value poisons its block, visibly.</li>
 * </ul>
 * Dequantization is {@code map.value(code) * absmax} in {@code float}, as {@code kDequantizeBlockwise} computes it.
 *
 * <p>Arguments are checked before anything is written; codes and absmax are written only for the slice's values and
 * blocks.
 */
public final class Blockwise8bit {
    /** bitsandbytes' default block size for optimizer states, 256 values. */
    public static final int DEFAULT_BLOCK_SIZE = 256;

    private Blockwise8bit() {
    }

    /**
     * The number of blocks a slice of {@code len} values takes: {@code ceil(len / blockSize)}.
     *
     * @param len the number of values, at least 0
     * @param blockSize the block size, at least 1
     * @return the number of absmax values
     * @throws IllegalArgumentException if {@code len < 0} or {@code blockSize < 1}
     */
    public static int blocks(int len, int blockSize) {
        if (len < 0) {
            throw new IllegalArgumentException("len " + len + " < 0");
        }
        if (blockSize < 1) {
            throw new IllegalArgumentException("blockSize " + blockSize + " < 1");
        }
        return len / blockSize + (len % blockSize == 0 ? 0 : 1);
    }

    /**
     * Quantizes {@code x[off, off + len)} into {@code codes[0, len)} and {@code absmax[0, blocks(len, blockSize))}.
     *
     * @param x the values
     * @param off the first value
     * @param len the number of values
     * @param blockSize values per block, at least 1
     * @param map the code book
     * @param codes receives one code per value
     * @param absmax receives one absmax per block
     * @throws NullPointerException if an array or the map is null
     * @throws IllegalArgumentException if {@code len < 0} or {@code blockSize < 1}
     * @throws IndexOutOfBoundsException if the slice or an output does not fit its array
     */
    public static void quantize(float[] x, int off, int len, int blockSize, DynamicMap map, byte[] codes,
            float[] absmax) {
        quantize(x, off, len, blockSize, map, codes, 0, absmax, 0);
    }

    /**
     * Quantizes {@code x[off, off + len)} into {@code codes[codesOff, codesOff + len)} and
     * {@code absmax[absmaxOff, absmaxOff + blocks(len, blockSize))}.
     *
     * @param x the values
     * @param off the first value
     * @param len the number of values
     * @param blockSize values per block, at least 1
     * @param map the code book
     * @param codes receives one code per value
     * @param codesOff where the first code goes
     * @param absmax receives one absmax per block
     * @param absmaxOff where the first absmax goes
     * @throws NullPointerException if an array or the map is null
     * @throws IllegalArgumentException if {@code len < 0} or {@code blockSize < 1}
     * @throws IndexOutOfBoundsException if the slice or an output does not fit its array
     */
    public static void quantize(float[] x, int off, int len, int blockSize, DynamicMap map, byte[] codes,
            int codesOff, float[] absmax, int absmaxOff) {
        Objects.requireNonNull(x, "x");
        Objects.requireNonNull(map, "map");
        Objects.requireNonNull(codes, "codes");
        Objects.requireNonNull(absmax, "absmax");
        int nBlocks = blocks(len, blockSize);
        Objects.checkFromIndexSize(off, len, x.length);
        Objects.checkFromIndexSize(codesOff, len, codes.length);
        Objects.checkFromIndexSize(absmaxOff, nBlocks, absmax.length);
        byte zero = (byte) map.zeroCode();
        for (int b = 0; b < nBlocks; b++) {
            int start = b * blockSize;
            int end = Math.min(len, start + blockSize);
            float max = GradNormReference_F32.maxAbs(x, 1f, off + start, end - start);
            absmax[absmaxOff + b] = max;
            boolean codable = codable(max);
            for (int i = start; i < end; i++) {
                codes[codesOff + i] = codable ? (byte) map.code(x[off + i] * (1f / max)) : zero;
            }
        }
    }

    /**
     * Whether a block with this absmax has codes other than the zero code: the absmax and its {@code float}
     * reciprocal are both finite (so it is not zero, NaN, infinite or a subnormal below {@code 2^-128}).
     *
     * @param absmax a block's largest magnitude
     * @return {@code true} if its values are quantized as {@code map.code(x * (1f / absmax))}
     */
    public static boolean codable(float absmax) {
        return Float.isFinite(absmax) && Float.isFinite(1f / absmax);
    }

    /**
     * Dequantizes {@code codes[0, len)} with {@code absmax[0, blocks(len, blockSize))} into
     * {@code out[off, off + len)}.
     *
     * @param codes one code per value
     * @param absmax one absmax per block
     * @param blockSize values per block, at least 1
     * @param map the code book the codes were made with
     * @param out receives the values
     * @param off where the first value goes
     * @param len the number of values
     * @throws NullPointerException if an array or the map is null
     * @throws IllegalArgumentException if {@code len < 0} or {@code blockSize < 1}
     * @throws IndexOutOfBoundsException if an input or the slice does not fit its array
     */
    public static void dequantize(byte[] codes, float[] absmax, int blockSize, DynamicMap map, float[] out, int off,
            int len) {
        dequantize(codes, 0, absmax, 0, blockSize, map, out, off, len);
    }

    /**
     * Dequantizes {@code codes[codesOff, codesOff + len)} with
     * {@code absmax[absmaxOff, absmaxOff + blocks(len, blockSize))} into {@code out[off, off + len)}:
     * {@code out[off + i] = map.value(code & 0xFF) * absmax[block of i]}.
     *
     * @param codes one code per value
     * @param codesOff the first code
     * @param absmax one absmax per block
     * @param absmaxOff the first absmax
     * @param blockSize values per block, at least 1
     * @param map the code book the codes were made with
     * @param out receives the values
     * @param off where the first value goes
     * @param len the number of values
     * @throws NullPointerException if an array or the map is null
     * @throws IllegalArgumentException if {@code len < 0} or {@code blockSize < 1}
     * @throws IndexOutOfBoundsException if an input or the slice does not fit its array
     */
    public static void dequantize(byte[] codes, int codesOff, float[] absmax, int absmaxOff, int blockSize,
            DynamicMap map, float[] out, int off, int len) {
        Objects.requireNonNull(codes, "codes");
        Objects.requireNonNull(absmax, "absmax");
        Objects.requireNonNull(map, "map");
        Objects.requireNonNull(out, "out");
        int nBlocks = blocks(len, blockSize);
        Objects.checkFromIndexSize(codesOff, len, codes.length);
        Objects.checkFromIndexSize(absmaxOff, nBlocks, absmax.length);
        Objects.checkFromIndexSize(off, len, out.length);
        for (int i = 0; i < len; i++) {
            out[off + i] = map.value(codes[codesOff + i] & 0xFF) * absmax[absmaxOff + i / blockSize];
        }
    }
}
