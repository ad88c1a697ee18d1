package org.adam4j.kernels;

import static org.adam4j.kernels.BitAssertions.assertFloats;
import static org.adam4j.kernels.BitAssertions.assertShorts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.adam4j.reference.AdamConfig;
import org.adam4j.reference.AdamReference_F32;
import org.adam4j.reference.AdamStep;
import org.adam4j.reference.Bf16;
import org.adam4j.reference.LowPrecision;
import org.adam4j.reference.LowPrecisionAdamReference;
import org.adam4j.reference.Rounding;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every low-precision Adam kernel ({@link LowPrecisionAdam#all()}: scalar and each lane width) against
 * {@link LowPrecisionAdamReference}, bit for bit, for bfloat16 and fp16, each rounding, and plain Adam, AMSGrad,
 * decoupled (AdamW) and fully decoupled decay, L2, maximize: at sizes on both sides of every lane multiple, at two
 * offsets, over three steps with fresh gradients, with special values (NaN, infinities, signed zeros, subnormals, the
 * largest finite, random patterns) in every operand, and global indices that cross a multiple of {@code 2^32}. Every
 * element outside the slice keeps its marker. Moments are compared as {@link Arrays#equals(float[], float[])} does
 * (NaN canonical); parameters and compensations exactly.
 */
class LowPrecisionAdamKernelTest {
    private static final float[] SPECIALS = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f,
        Float.MIN_VALUE, 0x1p-130f, -0x1p-133f, 6e-8f, -0x1p-24f, 65504f, 70000f, 3e38f, -3.3e38f, 1e-30f, 1f, -1f};
    private static final short[] SPECIAL_PATTERNS = {0x7F80, (short) 0xFF80, 0x7FC0, (short) 0xFFC1, 0x7F81, 0x0001,
        (short) 0x8001, 0x007F, 0x0080, 0x7F7F, (short) 0xFF7F, 0x7C00, (short) 0xFC00, 0x7E00, 0x03FF, 0x7BFF,
        (short) 0x8000};
    private static final short SHORT_MARKER = 0x5A5A;
    private static final float FLOAT_MARKER = Float.intBitsToFloat(0x7FA5A5A5);

    static List<AdamConfig> configs() {
        AdamConfig d = AdamConfig.builder().lr(3e-3).build();
        return List.of(d, d.toBuilder().amsgrad(true).build(), d.toBuilder().decoupled(0.1).build(),
                d.toBuilder().decoupled(0.1).amsgrad(true).maximize(true).build(),
                d.toBuilder().l2(0.05).maximize(true).build(),
                d.toBuilder().fullyDecoupled(0.01, 0.01).epsilonHat(true).build());
    }

    private static List<Integer> sizes(int lanes) {
        // the kernels load a vector of shorts at a time: at 64 bits 4 lanes for a float vector of 2, else the
        // float lanes
        int shortLanes = Math.max(4, lanes);
        // 1023 to 1025 and 2100: around and past the float16 step's tiles of 1024 elements
        TreeSet<Integer> sizes = new TreeSet<>(List.of(0, 1, 2, 3, 100, 1000, 1023, 1024, 1025, 2100));
        for (int l : new int[] {lanes, shortLanes}) {
            for (int k = 1; k <= 4; k++) {
                sizes.addAll(List.of(k * l - 1, k * l, k * l + 1));
            }
        }
        return new ArrayList<>(sizes);
    }

    private static short randomPattern(SplittableRandom rnd, LowPrecision fmt, boolean specials) {
        int kind = rnd.nextInt(specials ? 10 : 7);
        return switch (kind) {
            case 7 -> SPECIAL_PATTERNS[rnd.nextInt(SPECIAL_PATTERNS.length)];
            case 8 -> fmt.fromFloatNearestEven(SPECIALS[rnd.nextInt(SPECIALS.length)]);
            case 9 -> (short) rnd.nextInt();
            default -> fmt.fromFloatNearestEven((float) (rnd.nextGaussian() * Math.scalb(1.0, rnd.nextInt(-12, 3))));
        };
    }

    private static float randomFloat(SplittableRandom rnd, boolean nonNegative) {
        float x = rnd.nextInt(12) == 0 ? SPECIALS[rnd.nextInt(SPECIALS.length)]
                : (float) (rnd.nextGaussian() * Math.scalb(1.0, rnd.nextInt(-20, 0)));
        return nonNegative && rnd.nextInt(12) != 0 ? Math.abs(x) : x;
    }

    /** The operands of one slice: the slice's elements random, every other element a marker. */
    private record Operands(short[] p, short[] g, float[] m, float[] v, float[] vmax, short[] comp) {
        static Operands random(SplittableRandom rnd, LowPrecision fmt, int n, int off, int len) {
            Operands o = new Operands(new short[n], new short[n], new float[n], new float[n], new float[n],
                    new short[n]);
            for (short[] a : new short[][] {o.p, o.g, o.comp}) {
                Arrays.fill(a, SHORT_MARKER);
            }
            for (float[] a : new float[][] {o.m, o.v, o.vmax}) {
                Arrays.fill(a, FLOAT_MARKER);
            }
            for (int i = off; i < off + len; i++) {
                o.p[i] = randomPattern(rnd, fmt, true);
                o.g[i] = randomPattern(rnd, fmt, true);
                o.comp[i] = rnd.nextInt(4) == 0 ? 0 : randomPattern(rnd, fmt, rnd.nextInt(8) == 0);
                o.m[i] = randomFloat(rnd, false);
                o.v[i] = randomFloat(rnd, true);
                o.vmax[i] = Math.max(o.v[i], randomFloat(rnd, true));
            }
            return o;
        }

        Operands copy() {
            return new Operands(p.clone(), g.clone(), m.clone(), v.clone(), vmax.clone(), comp.clone());
        }

        void step(LowPrecisionAdamKernel k, AdamStep s, LowPrecision fmt, Rounding r, int off, int len, long seed,
                long indexBase) {
            k.fused(s, fmt, r, p, g, m, v, vmax, comp, off, len, seed, indexBase);
        }

        void reference(AdamStep s, LowPrecision fmt, Rounding r, int off, int len, long seed, long indexBase) {
            LowPrecisionAdamReference.fused(s, fmt, r, p, g, m, v, vmax, comp, off, len, seed, indexBase);
        }

        void assertSameAs(Operands expected, String where) {
            assertShorts(expected.p, p, where + ": p");
            assertShorts(expected.g, g, where + ": g");
            assertShorts(expected.comp, comp, where + ": comp");
            assertFloats(expected.m, m, where + ": m");
            assertFloats(expected.v, v, where + ": v");
            assertFloats(expected.vmax, vmax, where + ": vmax");
        }

        /** Every element outside {@code [off, off + len)} still holds its marker. */
        void assertMarkedOutside(int off, int len, String where) {
            for (int i = 0; i < p.length; i++) {
                if (i < off || i >= off + len) {
                    for (short x : new short[] {p[i], g[i], comp[i]}) {
                        assertEquals(SHORT_MARKER, x, where + ": written outside the slice at " + i);
                    }
                    for (float x : new float[] {m[i], v[i], vmax[i]}) {
                        assertEquals(Float.floatToRawIntBits(FLOAT_MARKER), Float.floatToRawIntBits(x),
                                where + ": written outside the slice at " + i);
                    }
                }
            }
        }
    }

    @TestFactory
    Stream<DynamicTest> everyKernelIsTheReferenceBitForBit() {
        List<DynamicTest> tests = new ArrayList<>();
        for (LowPrecisionAdamKernel k : LowPrecisionAdam.all()) {
            for (LowPrecision fmt : LowPrecision.values()) {
                for (Rounding r : Rounding.values()) {
                    tests.add(DynamicTest.dynamicTest(k.name() + " " + fmt + " " + r, () -> matchesReference(k, fmt,
                            r)));
                }
            }
        }
        return tests.stream();
    }

    private static void matchesReference(LowPrecisionAdamKernel k, LowPrecision fmt, Rounding r) {
        SplittableRandom rnd = new SplittableRandom(1009L * k.lanes() + 31L * fmt.ordinal() + r.ordinal());
        List<AdamConfig> configs = configs();
        for (int len : sizes(k.lanes())) {
            for (int off : new int[] {0, 1 + rnd.nextInt(2 * Math.max(4, k.lanes()) + 3)}) {
                AdamConfig config = configs.get(rnd.nextInt(configs.size()));
                int n = off + len + 1 + rnd.nextInt(3);
                Operands expected = Operands.random(rnd, fmt, n, off, len);
                Operands actual = expected.copy();
                long seed = rnd.nextLong();
                // half the slices have global indices that cross a multiple of 2^32, where the key changes
                long indexBase = rnd.nextBoolean() ? rnd.nextLong(1L << 40)
                        : (3L << 32) - rnd.nextInt(Math.max(1, len + 1));
                for (long t = 1; t <= 3; t++) {
                    if (t > 1) {
                        for (int i = off; i < off + len; i++) {
                            expected.g[i] = randomPattern(rnd, fmt, true);
                        }
                        System.arraycopy(expected.g, 0, actual.g, 0, n);
                    }
                    AdamStep s = config.step(t);
                    String where = k.name() + " " + fmt + " " + r + " " + config + " len " + len + " off " + off
                            + " indexBase " + indexBase + " t " + t;
                    expected.reference(s, fmt, r, off, len, seed, indexBase);
                    actual.step(k, s, fmt, r, off, len, seed, indexBase);
                    actual.assertSameAs(expected, where);
                    actual.assertMarkedOutside(off, len, where);
                }
            }
        }
        // every configuration at one size that has a full vector and a tail
        for (AdamConfig config : configs) {
            int n = 9 * Math.max(4, k.lanes()) + 3;
            Operands expected = Operands.random(rnd, fmt, n + 2, 1, n);
            Operands actual = expected.copy();
            AdamStep s = config.step(5);
            expected.reference(s, fmt, r, 1, n, 11, 7);
            actual.step(k, s, fmt, r, 1, n, 11, 7);
            actual.assertSameAs(expected, k.name() + " " + fmt + " " + r + " " + config);
            actual.assertMarkedOutside(1, n, k.name() + " " + fmt + " " + r + " " + config);
        }
    }

    /**
     * Stochastic rounding's bits are those of (seed, step, global index) only: a slice stepped in one call, or split
     * into calls of random lengths (each given the global index of its first element), or by another width, gives
     * the same bits.
     */
    @Test
    void stochasticBitsDoNotDependOnWidthOrSplit() {
        SplittableRandom rnd = new SplittableRandom(17);
        int n = 1000, off = 3, len = 990;
        long indexBase = (1L << 32) - 400;
        for (LowPrecision fmt : LowPrecision.values()) {
            Operands start = Operands.random(rnd, fmt, n, off, len);
            AdamStep s = AdamConfig.builder().lr(1e-2).decoupled(0.01).build().step(9);
            Operands whole = start.copy();
            LowPrecisionAdam.kernel(AdamKernels.SCALAR).fused(s, fmt, Rounding.STOCHASTIC, whole.p, whole.g, whole.m,
                    whole.v, null, null, off, len, 123, indexBase);
            for (LowPrecisionAdamKernel k : LowPrecisionAdam.all()) {
                Operands oneCall = start.copy();
                oneCall.step(k, s, fmt, Rounding.STOCHASTIC, off, len, 123, indexBase);
                oneCall.assertSameAs(whole, k.name() + " " + fmt + " one call");
                for (int trial = 0; trial < 5; trial++) {
                    Operands split = start.copy();
                    int done = 0;
                    while (done < len) {
                        int part = Math.min(len - done, 1 + rnd.nextInt(70));
                        split.step(k, s, fmt, Rounding.STOCHASTIC, off + done, part, 123, indexBase + done);
                        done += part;
                    }
                    split.assertSameAs(whole, k.name() + " " + fmt + " split, trial " + trial);
                }
            }
            // and the key matters: another seed or another step number gives other bits
            Operands otherSeed = start.copy();
            otherSeed.reference(s, fmt, Rounding.STOCHASTIC, off, len, 124, indexBase);
            assertNotEquals(Arrays.toString(whole.p), Arrays.toString(otherSeed.p));
            Operands otherStep = start.copy();
            otherStep.reference(AdamConfig.builder().lr(1e-2).decoupled(0.01).build().step(10), fmt,
                    Rounding.STOCHASTIC, off, len, 123, indexBase);
            assertNotEquals(Arrays.toString(whole.p), Arrays.toString(otherStep.p));
        }
    }

    /**
     * The point of the two other roundings: a bfloat16 weight of 1.0 under Adam at lr 1e-4 with a steady gradient
     * steps by about {@code -1e-4} each time, below half its spacing ({@code 2^-9} just under 1), so rounded to
     * nearest it never moves in 100 steps, while the {@code float} step reaches about 0.99. Stochastic rounding brings
     * the mean of 4096 such weights (expected value exact, spread about {@code 1e-4}) within {@code 1e-3} of the
     * {@code float} result; Kahan compensation brings every weight within one spacing ({@code 2^-8}) of it. At every
     * width, with the same bits.
     */
    @Test
    void roundingToNearestStallsWhereStochasticAndKahanMove() {
        int n = 4096, steps = 100;
        AdamConfig config = AdamConfig.builder().lr(1e-4).build();
        float[] p32 = new float[n], g32 = new float[n], m32 = new float[n], v32 = new float[n];
        Arrays.fill(p32, 1f);
        for (int t = 1; t <= steps; t++) {
            for (int i = 0; i < n; i++) {
                g32[i] = gradient(i, t);
            }
            AdamReference_F32.fused(config.step(t), p32, g32, m32, v32, null, 0, n);
        }
        assertTrue(p32[0] < 0.991f && p32[0] > 0.989f, "the float step reaches about 0.99: " + p32[0]);

        for (LowPrecisionAdamKernel k : LowPrecisionAdam.all()) {
            short[][] results = new short[Rounding.values().length][];
            for (Rounding r : Rounding.values()) {
                short[] p = new short[n], g = new short[n], comp = new short[n];
                float[] m = new float[n], v = new float[n];
                Arrays.fill(p, Bf16.fromFloatNearestEven(1f));
                for (int t = 1; t <= steps; t++) {
                    for (int i = 0; i < n; i++) {
                        g[i] = Bf16.fromFloatNearestEven(gradient(i, t));
                    }
                    k.fused(config.step(t), LowPrecision.BF16, r, p, g, m, v, null, comp, 0, n, 2024, 0);
                }
                results[r.ordinal()] = p;
            }
            short[] nearest = results[Rounding.NEAREST.ordinal()];
            for (short x : nearest) {
                assertEquals(Bf16.fromFloatNearestEven(1f), x, k.name() + ": round-to-nearest moved a weight");
            }
            double mean = 0;
            for (short x : results[Rounding.STOCHASTIC.ordinal()]) {
                mean += Bf16.toFloat(x);
            }
            mean /= n;
            assertEquals(p32[0], mean, 1e-3, k.name() + ": mean of the stochastically rounded weights");
            short[] kahan = results[Rounding.KAHAN.ordinal()];
            for (int i = 0; i < n; i++) {
                assertEquals(p32[i], Bf16.toFloat(kahan[i]), 0x1p-8, k.name() + ": Kahan weight " + i);
                assertTrue(Bf16.toFloat(kahan[i]) < 1f, k.name() + ": Kahan weight " + i + " did not move");
            }
            if (k != LowPrecisionAdam.all().get(0)) {
                assertTrue(Arrays.equals(results[Rounding.STOCHASTIC.ordinal()], stochasticOfScalar(config, n, steps)),
                        k.name() + ": stochastic weights differ from the scalar kernel's");
            }
        }
    }

    /** A gradient of steady sign and slowly varying size, exact in bfloat16. */
    private static float gradient(int i, int t) {
        return Bf16.toFloat(Bf16.fromFloatNearestEven(1f + ((i * 7 + t) % 16) / 16f));
    }

    private static short[] stochasticOfScalar(AdamConfig config, int n, int steps) {
        short[] p = new short[n], g = new short[n];
        float[] m = new float[n], v = new float[n];
        Arrays.fill(p, Bf16.fromFloatNearestEven(1f));
        for (int t = 1; t <= steps; t++) {
            for (int i = 0; i < n; i++) {
                g[i] = Bf16.fromFloatNearestEven(gradient(i, t));
            }
            LowPrecisionAdamReference.fused(config.step(t), LowPrecision.BF16, Rounding.STOCHASTIC, p, g, m, v, null,
                    null, 0, n, 2024, 0);
        }
        return p;
    }

    @Test
    void everyKernelRefusesBadOperandsBeforeWriting() {
        AdamStep s = AdamConfig.builder().lr(1e-3).amsgrad(true).build().step(1);
        for (LowPrecisionAdamKernel k : LowPrecisionAdam.all()) {
            int n = 40;
            short[] p = new short[n], g = new short[n], comp = new short[n];
            Arrays.fill(g, Bf16.fromFloatNearestEven(1f));
            float[] m = new float[n], v = new float[n], vmax = new float[n];
            assertThrows(IllegalArgumentException.class, () -> k.fused(s, LowPrecision.BF16, Rounding.KAHAN, p, g, m,
                    v, vmax, new short[n - 1], 0, n, 0, 0));
            assertThrows(IllegalArgumentException.class, () -> k.fused(s, LowPrecision.BF16, Rounding.NEAREST, p, g,
                    m, v, null, null, 0, n, 0, 0));
            assertThrows(IllegalArgumentException.class, () -> k.fused(s, LowPrecision.BF16, Rounding.NEAREST, p, g,
                    m, v, vmax, null, 1, n, 0, 0));
            assertThrows(IllegalArgumentException.class, () -> k.fused(s, LowPrecision.BF16, Rounding.STOCHASTIC, p,
                    g, m, v, vmax, null, 0, n, 0, -5));
            assertTrue(Arrays.equals(new short[n], p) && Arrays.equals(new short[n], comp)
                    && Arrays.equals(new float[n], m) && Arrays.equals(new float[n], v)
                    && Arrays.equals(new float[n], vmax), k.name() + ": a refused call wrote");
        }
    }
}
