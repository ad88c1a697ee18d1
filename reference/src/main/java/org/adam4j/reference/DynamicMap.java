package org.adam4j.reference;

import java.util.Arrays;

/**
 * bitsandbytes' 256-entry dynamic quantization maps for 8-bit optimizer states, built the way
 * {@code bitsandbytes.functional.create_dynamic_map(signed, max_exponent_bits=7, total_bits=8)} builds them, and the
 * nearest-code search that {@link Blockwise8bit} uses.
 *
 * <h2>Construction</h2>
 * For each decimal exponent {@code i = 0..6}, bitsandbytes takes {@code n = 2^i + 1} (signed) or
 * {@code n = 2^(i+1) + 1} (unsigned) points {@code torch.linspace(0.1, 1, n)}, the means of adjacent points
 * {@code (b[k] + b[k+1]) / 2.0}, and scales them by {@code 10 ** (i - 6)}; the signed map also takes every such value
 * negated. It appends {@code 0} and {@code 1.0} and sorts. That gives 127 positive and 127 negative codes plus 0 and 1
 * (signed: 1, 2, 4, ..., 64 codes per decade from {@code 1e-6} to {@code 1}) or 254 positive codes plus 0 and 1
 * (unsigned: 2, 4, ..., 128 per decade). No code is produced by {@code additional_items}, which is
 * {@code 2^(7 - 7) - 1 = 0} for both.
 *
 * <p>Precision, as PyTorch 1.13 computes it on the CPU in the default dtype {@code float32}: {@code linspace} as
 * {@link #linspace} spells out (ATen's vectorized kernel, an AVX2 build); the mean is a {@code float} sum halved; the
 * Python scale {@code 10 ** (i - 6)} is a double ({@code 1e-6} ... {@code 0.1}, or the integer 1) that torch casts
 * to {@code float} before one {@code float} multiplication; negation is exact. The values are then sorted as Python
 * floats and stored as {@code float32}, which changes none of them. Both maps equal a PyTorch 1.13 run's, bit for
 * bit ({@code DynamicMapTest}, from {@code tools/pytorch/record_dynamic_map.py}); a PyTorch built for wider vectors
 * would compute some linspace points, and so some codes, an ulp apart.
 *
 * <h2>Nearest code</h2>
 * {@link #code(float)} returns the index of the code nearest to a value, comparing exact distances; a value exactly
 * halfway between two adjacent codes takes the lower code (the smaller value). Equivalently, the code is the number of
 * midpoints {@code (map[k] + map[k+1]) / 2} (exact, {@code k = 0..254}) strictly below the value. Because a
 * {@code float} is above an exact midpoint exactly when it is above that midpoint rounded down to a {@code float},
 * {@link #threshold(int)} gives those rounded-down midpoints and kernels may compare {@code float}s with them (a
 * branch-free count or a binary search) and match this search bit for bit. Values below the lowest code take code 0
 * and values above the highest take code 255. A NaN has no nearest code; {@link Blockwise8bit} never asks for one.
 *
 * <p>Why this tie rule: bitsandbytes' own searches disagree at ties. Its CPU {@code quantize_block}
 * ({@code csrc/cpu_ops.cpp}) takes the left neighbour of a binary search and moves right only if
 * {@code fabs(x - code[idx + 1]) < fabs(x - code[idx])} in {@code float}, so rounded-equal distances go to the lower
 * code; its CUDA {@code dQuantize} compares with a {@code float} midpoint {@code (upper + val) * 0.5f} and sends
 * {@code x == midpoint} to whichever neighbour its seven-step descent from code 127 landed on. The lower code is the
 * CPU's rule made exact: one strict comparison per midpoint, no dependence on a search path, identical for every lane
 * width. (Rounded {@code float} distances or midpoints can pick the farther code for values within an ulp of a
 * midpoint; this search never does.)
 */
public final class DynamicMap {
    /** The number of codes, 256. */
    public static final int SIZE = 256;
    /** The number of decimal exponents (decades) the map spans: {@code max_exponent_bits = 7}. */
    public static final int DECADES = 7;

    // Python's 10 ** (i - 6) as doubles; declared before the maps, which use them in static initialization.
    private static final double[] DECADE_SCALES = {1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0};

    /** The signed map, for Adam's first moment: {@code create_dynamic_map(signed=True)}. */
    public static final DynamicMap SIGNED = new DynamicMap(true);
    /** The unsigned map, for Adam's second moment: {@code create_dynamic_map(signed=False)}. */
    public static final DynamicMap UNSIGNED = new DynamicMap(false);

    private final boolean signed;
    private final float[] values;
    private final float[] thresholds;
    private final int zeroCode;

    private DynamicMap(boolean signed) {
        this.signed = signed;
        this.values = construct(signed);
        this.thresholds = new float[SIZE - 1];
        for (int k = 0; k < SIZE - 1; k++) {
            // Two adjacent float codes sum exactly in double (their exponents differ by a few bits at most, or one
            // is zero), and halving is exact: this is the true midpoint.
            double midpoint = ((double) values[k] + values[k + 1]) * 0.5;
            float t = (float) midpoint;
            if (t > midpoint) {
                t = Math.nextDown(t);
            }
            thresholds[k] = t;
        }
        this.zeroCode = Arrays.binarySearch(values, 0f);
    }

    private static float[] construct(boolean signed) {
        float[] data = new float[SIZE];
        int n = 0;
        for (int i = 0; i < DECADES; i++) {
            int points = signed ? (1 << i) + 1 : (1 << (i + 1)) + 1;
            float[] boundaries = linspace(0.1f, 1f, points);
            // Python's 10 ** (i - 6): a correctly rounded double for negative exponents, the integer 1 for i = 6;
            // torch casts the scalar to the tensor's float before multiplying.
            float scale = (float) DECADE_SCALES[i];
            for (int k = 0; k + 1 < points; k++) {
                float mean = (boundaries[k] + boundaries[k + 1]) / 2.0f;
                float v = scale * mean;
                data[n++] = v;
                if (signed) {
                    data[n++] = -v;
                }
            }
        }
        data[n++] = 0f;
        data[n++] = 1f;
        if (n != SIZE) {
            throw new AssertionError("dynamic map has " + n + " entries");
        }
        Arrays.sort(data);
        return data;
    }

    /** Lanes of the {@code Vectorized<float>} that PyTorch 1.13's CPU kernels are compiled for here (AVX2). */
    private static final int TORCH_LANES = 8;

    /**
     * {@code torch.linspace(start, end, steps)} in {@code float32} exactly as PyTorch 1.13's CPU {@code linspace_kernel}
     * computes it (AVX2 build: {@code cpu_serial_kernel_vec} writes runs of two 8-lane vectors, then the rest one by
     * one). A point's base is {@code start + step * idx} for {@code idx < steps / 2}, else {@code end - step * (steps
     * - 1 - idx)}, each contracted by the compiler into one fused multiply-add; a vector's lane {@code k} is
     * {@code base + k * step} with both operations rounded (the {@code Vectorized::arange} constructor). Recorded
     * against a torch run (tools/pytorch/record_dynamic_map.py): every other combination of fused and rounded
     * operations, and 16 lanes, miss some points.
     *
     * @param start the first point
     * @param end the last point
     * @param steps the number of points, at least 2
     * @return the points
     */
    static float[] linspace(float start, float end, int steps) {
        float step = (end - start) / (float) (steps - 1);
        int halfway = steps / 2;
        float[] out = new float[steps];
        int idx = 0;
        for (; idx <= steps - 2 * TORCH_LANES; idx += 2 * TORCH_LANES) {
            for (int v = idx; v < idx + 2 * TORCH_LANES; v += TORCH_LANES) {
                float base = linspacePoint(start, end, step, steps, halfway, v);
                for (int k = 0; k < TORCH_LANES; k++) {
                    out[v + k] = base + k * step;
                }
            }
        }
        for (; idx < steps; idx++) {
            out[idx] = linspacePoint(start, end, step, steps, halfway, idx);
        }
        return out;
    }

    private static float linspacePoint(float start, float end, float step, int steps, int halfway, int idx) {
        return idx < halfway ? Math.fma(step, (float) idx, start) : Math.fma(-step, (float) (steps - idx - 1), end);
    }

    /**
     * Whether this is the signed map (negative codes present).
     *
     * @return {@code true} for {@link #SIGNED}
     */
    public boolean signed() {
        return signed;
    }

    /**
     * The value of a code.
     *
     * @param code the code, 0 to 255
     * @return {@code map[code]}
     * @throws IndexOutOfBoundsException if {@code code} is outside 0..255
     */
    public float value(int code) {
        return values[code];
    }

    /**
     * A copy of the 256 values, ascending.
     *
     * @return the map
     */
    public float[] values() {
        return values.clone();
    }

    /**
     * The code whose value is 0: 127 in the signed map, 0 in the unsigned map.
     *
     * @return the index of 0
     */
    public int zeroCode() {
        return zeroCode;
    }

    /**
     * The largest {@code float} at or below the exact midpoint of codes {@code k} and {@code k + 1}: a {@code float}
     * {@code x} takes a code above {@code k} exactly when {@code x > threshold(k)}.
     *
     * @param k 0 to 254
     * @return the rounded-down midpoint
     * @throws IndexOutOfBoundsException if {@code k} is outside 0..254
     */
    public float threshold(int k) {
        return thresholds[k];
    }

    /**
     * The nearest code to a value (ties to the lower code): the number of thresholds strictly below {@code x}.
     *
     * @param x a value, normally in [-1, 1] (unsigned map: [0, 1]); not NaN
     * @return the code, 0 to 255
     */
    public int code(float x) {
        int lo = 0;
        int hi = SIZE - 1;
        // Invariant: thresholds[0 .. lo) < x, thresholds[hi .. 255) >= x.
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (x > thresholds[mid]) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
