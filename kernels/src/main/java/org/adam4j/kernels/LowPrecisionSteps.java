package org.adam4j.kernels;

import org.adam4j.reference.AdagradConfig;
import org.adam4j.reference.AdagradStep;
import org.adam4j.reference.AdamConfig;
import org.adam4j.reference.AdamStep;
import org.adam4j.reference.AdamaxConfig;
import org.adam4j.reference.AdamaxStep;
import org.adam4j.reference.LowPrecision;
import org.adam4j.reference.NAdamConfig;
import org.adam4j.reference.NAdamStep;
import org.adam4j.reference.OptimizerConfig;
import org.adam4j.reference.OptimizerStep;
import org.adam4j.reference.RAdamConfig;
import org.adam4j.reference.RAdamStep;
import org.adam4j.reference.RmspropConfig;
import org.adam4j.reference.RmspropStep;
import org.adam4j.reference.Rounding;
import org.adam4j.reference.SgdConfig;
import org.adam4j.reference.SgdStep;

/**
 * The place that binds each algorithm's step on 16-bit parameters and gradients ({@link LowPrecision} bit patterns,
 * {@code float} arithmetic and state) to its kernel operation and its reference, as {@code OptimizerSteps_F32} binds
 * the {@code float} steps: the exhaustive switches below are where an algorithm's 16-bit step is chosen. Adam (with
 * its AdamW and fully decoupled forms) has a loop of its own ({@link LowPrecisionAdamKernel}); every other algorithm
 * steps in tiles: the tile's parameters and gradients widened exactly into {@code float} copies, its state copied
 * beside them, the algorithm's {@code float} step by the kernel of the same name ({@code OptimizerSteps_F32}, bit for
 * bit its reference), the state copied back and each stepped parameter stored by the rounding
 * ({@link LowPrecision#store}). The arithmetic is the {@code float} step's, element for element, so a 16-bit run
 * differs from the {@code float} run only by the storage rounding; {@link #reference} is the same definition written
 * plainly over whole arrays. A {@code float} gradient (with 16-bit parameters) steps every algorithm in tiles, the
 * gradient copied into the tile as it is.
 */
public final class LowPrecisionSteps {
    /** Elements per tile of the tiled path: 4 KiB of each widened copy and state array, in L1. */
    static final int TILE = 1024;
    /** The most state arrays an algorithm keeps (Adam with AMSGrad, RMSprop centered with momentum). */
    private static final int MAX_STATE = 3;
    /** Each thread's tile copies: the parameters, the gradient, the state, and views of the state of each length. */
    private static final ThreadLocal<Tile> TILES = ThreadLocal.withInitial(Tile::new);

    private LowPrecisionSteps() {
    }

    /**
     * Whether the algorithm of {@code config} can step 16-bit parameters: every one can (Adam by its own loop, the
     * others in tiles); the switch is where a new algorithm must say so.
     *
     * @param config the configuration
     * @return {@code true}
     */
    public static boolean steps(OptimizerConfig config) {
        return switch (config) {
            case AdamConfig c -> true;
            case AdamaxConfig c -> true;
            case NAdamConfig c -> true;
            case RAdamConfig c -> true;
            case SgdConfig c -> true;
            case RmspropConfig c -> true;
            case AdagradConfig c -> true;
        };
    }

    /**
     * One step of {@code s}'s algorithm over {@code [off, off + len)} of 16-bit parameters, the stepped parameter
     * stored by {@code rounding}: bit for bit {@link #reference}.
     *
     * @param kernel the 16-bit kernel; its name also picks the {@code float} kernel of the tiled path
     * @param s this step's scalars
     * @param fmt the format of {@code p}, {@code g} and {@code comp}
     * @param rounding how the stepped parameter is stored
     * @param p the parameters' bit patterns, updated in place
     * @param g the gradient's bit patterns
     * @param state the algorithm's state arrays in its order, {@code float}, as long as {@code p} (Adam:
     *     {@code exp_avg}, {@code exp_avg_sq}, and with AMSGrad {@code max_exp_avg_sq})
     * @param comp the Kahan compensation ({@link Rounding#KAHAN} only, else may be {@code null})
     * @param off the index of the slice's first element
     * @param len the number of elements in the slice
     * @param seed the stochastic rounding's seed
     * @param indexBase the global index of element {@code off}
     */
    public static void run(LowPrecisionAdamKernel kernel, OptimizerStep s, LowPrecision fmt, Rounding rounding,
            short[] p, short[] g, float[][] state, short[] comp, int off, int len, long seed, long indexBase) {
        // Adam's own loop reads the 16-bit gradient; every other algorithm steps in widened tiles
        switch (s) {
            case AdamStep a -> kernel.fused(a, fmt, rounding, p, g, state[0], state[1], a.amsgrad ? state[2] : null,
                    comp, off, len, seed, indexBase);
            case AdamaxStep a -> tiles(kernel, s, fmt, rounding, p, g, null, 0, state, comp, off, len, seed,
                    indexBase);
            case NAdamStep a -> tiles(kernel, s, fmt, rounding, p, g, null, 0, state, comp, off, len, seed, indexBase);
            case RAdamStep a -> tiles(kernel, s, fmt, rounding, p, g, null, 0, state, comp, off, len, seed, indexBase);
            case SgdStep a -> tiles(kernel, s, fmt, rounding, p, g, null, 0, state, comp, off, len, seed, indexBase);
            case RmspropStep a -> tiles(kernel, s, fmt, rounding, p, g, null, 0, state, comp, off, len, seed,
                    indexBase);
            case AdagradStep a -> tiles(kernel, s, fmt, rounding, p, g, null, 0, state, comp, off, len, seed,
                    indexBase);
        }
    }

    /**
     * The specification of every 16-bit step: {@code p} and {@code g} widened exactly, the algorithm's {@code float}
     * reference step ({@code OptimizerSteps_F32.reference}) on them and {@code state}, each stepped parameter stored by
     * {@code rounding} ({@link LowPrecision#store}, element {@code i} with global index {@code indexBase + i - off}).
     * For Adam it is {@code LowPrecisionAdamReference.fused}, bit for bit.
     *
     * @param s this step's scalars
     * @param fmt the format
     * @param rounding how the stepped parameter is stored
     * @param p the parameters' bit patterns, updated in place
     * @param g the gradient's bit patterns
     * @param state the algorithm's state arrays in its order
     * @param comp the Kahan compensation ({@link Rounding#KAHAN} only)
     * @param off the index of the slice's first element
     * @param len the number of elements in the slice
     * @param seed the stochastic rounding's seed
     * @param indexBase the global index of element {@code off}
     */
    public static void reference(OptimizerStep s, LowPrecision fmt, Rounding rounding, short[] p, short[] g,
            float[][] state, short[] comp, int off, int len, long seed, long indexBase) {
        float[] gf = new float[g.length];
        fmt.toFloat(g, off, gf, off, len);
        reference(s, fmt, rounding, p, gf, state, comp, off, len, seed, indexBase);
    }

    /**
     * {@link #reference} with a {@code float} gradient, used as it is: the definition of a 16-bit parameter's step
     * on a {@code float} gradient (one accumulated in {@code float}, or a 16-bit one unscaled and clipped in
     * {@code float} by the guarded step). The 16-bit-gradient form is this one on the widened gradient.
     *
     * @param s this step's scalars
     * @param fmt the format of {@code p} and {@code comp}
     * @param rounding how the stepped parameter is stored
     * @param p the parameters' bit patterns, updated in place
     * @param g the gradient, as long as {@code p}
     * @param state the algorithm's state arrays in its order
     * @param comp the Kahan compensation ({@link Rounding#KAHAN} only)
     * @param off the index of the slice's first element
     * @param len the number of elements in the slice
     * @param seed the stochastic rounding's seed
     * @param indexBase the global index of element {@code off}
     */
    public static void reference(OptimizerStep s, LowPrecision fmt, Rounding rounding, short[] p, float[] g,
            float[][] state, short[] comp, int off, int len, long seed, long indexBase) {
        float[] pf = new float[p.length];
        fmt.toFloat(p, off, pf, off, len);
        OptimizerSteps_F32.reference(s, pf, g, state, off, len);
        for (int i = off; i < off + len; i++) {
            fmt.store(rounding, p, comp, i, fmt.toFloat(p[i]), pf[i], seed, s.t, indexBase + (i - off));
        }
    }

    /**
     * One step of {@code s}'s algorithm over {@code [off, off + len)} of 16-bit parameters with a {@code float}
     * gradient read from {@code g[gOff]} on, bit for bit {@link #reference(OptimizerStep, LowPrecision, Rounding,
     * short[], float[], float[][], short[], int, int, long, long) reference}: every algorithm, Adam too (its own loop
     * reads 16-bit gradients), in the tiles of the {@code float} kernel of {@code kernel}'s width.
     *
     * @param kernel the 16-bit kernel, whose name picks the {@code float} kernel
     * @param s this step's scalars
     * @param fmt the format of {@code p} and {@code comp}
     * @param rounding how the stepped parameter is stored
     * @param p the parameters' bit patterns, updated in place
     * @param g the gradient
     * @param gOff the index in {@code g} of element {@code off}'s gradient
     * @param state the algorithm's state arrays in its order, as long as {@code p}
     * @param comp the Kahan compensation ({@link Rounding#KAHAN} only, else may be {@code null})
     * @param off the index of the slice's first element in {@code p} and {@code state}
     * @param len the number of elements in the slice
     * @param seed the stochastic rounding's seed
     * @param indexBase the global index of element {@code off}
     */
    public static void run(LowPrecisionAdamKernel kernel, OptimizerStep s, LowPrecision fmt, Rounding rounding,
            short[] p, float[] g, int gOff, float[][] state, short[] comp, int off, int len, long seed,
            long indexBase) {
        java.util.Objects.checkFromIndexSize(gOff, len, g.length);
        tiles(kernel, s, fmt, rounding, p, null, g, gOff - off, state, comp, off, len, seed, indexBase);
    }

    /** The tiled step on a 16-bit gradient {@code g16}, or on a {@code float} one {@code g32} at {@code i + shift}. */
    private static void tiles(LowPrecisionAdamKernel kernel, OptimizerStep s, LowPrecision fmt, Rounding rounding,
            short[] p, short[] g16, float[] g32, int shift, float[][] state, short[] comp, int off, int len, long seed,
            long indexBase) {
        java.util.Objects.checkFromIndexSize(off, len, p.length);
        if (g16 != null) {
            java.util.Objects.checkFromIndexSize(off, len, g16.length);
        }
        if (state.length > MAX_STATE) {
            throw new IllegalArgumentException(state.length + " state arrays, more than any algorithm keeps");
        }
        AdamKernel_F32 f32 = AdamKernels.f32(kernel.name());
        Tile tile = TILES.get();
        float[][] st = tile.views[state.length];
        for (int t = off; t < off + len; t += TILE) {
            int n = Math.min(TILE, off + len - t);
            fmt.toFloat(p, t, tile.p, 0, n);
            if (g16 != null) {
                fmt.toFloat(g16, t, tile.g, 0, n);
            } else {
                System.arraycopy(g32, t + shift, tile.g, 0, n);
            }
            for (int k = 0; k < st.length; k++) {
                System.arraycopy(state[k], t, st[k], 0, n);
            }
            OptimizerSteps_F32.run(f32, s, tile.p, tile.g, st, 0, n);
            for (int k = 0; k < st.length; k++) {
                System.arraycopy(st[k], 0, state[k], t, n);
            }
            for (int i = 0; i < n; i++) {
                fmt.store(rounding, p, comp, t + i, fmt.toFloat(p[t + i]), tile.p[i], seed, s.t,
                        indexBase + (t + i - off));
            }
        }
    }

    /** One thread's tile copies. */
    private static final class Tile {
        final float[] p = new float[TILE];
        final float[] g = new float[TILE];
        final float[][][] views = new float[MAX_STATE + 1][][];

        Tile() {
            float[][] state = new float[MAX_STATE][TILE];
            for (int k = 0; k <= MAX_STATE; k++) {
                views[k] = java.util.Arrays.copyOf(state, k);
            }
        }
    }
}
