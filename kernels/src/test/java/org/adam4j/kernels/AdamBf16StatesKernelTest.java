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
import org.adam4j.reference.AdamBf16StatesReference;
import org.adam4j.reference.AdamConfig;
import org.adam4j.reference.AdamStep;
import org.adam4j.reference.Bf16;
import org.adam4j.reference.LowPrecision;
import org.adam4j.reference.Rounding;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every bf16-state Adam kernel ({@link AdamBf16States#all()}: scalar and each lane width) against
 * {@link AdamBf16StatesReference}, bit for bit, for {@code float}, bfloat16 and float16 parameters, each rounding, and
 * plain Adam, AMSGrad, decoupled (AdamW) and fully decoupled decay, L2, maximize: at sizes on both sides of every lane
 * multiple and of the 16-bit path's tiles, at two offsets, over three steps with fresh gradients, with special values
 * (NaN, infinities, signed zeros, subnormals, the largest finite, random bit patterns) in every operand, and global
 * indices that cross a multiple of {@code 2^32}. Every element outside the slice keeps its marker. {@code float}
 * parameters are compared as {@link Float#floatToIntBits} does (a NaN's sign is unspecified); all {@code short}
 * operands exactly.
 */
class AdamBf16StatesKernelTest {
    private static final float[] SPECIALS = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f,
        Float.MIN_VALUE, 0x1p-130f, -0x1p-133f, 6e-8f, -0x1p-24f, 65504f, 70000f, 3e38f, -3.3e38f, 1e-30f, 1f, -1f,
        Float.MAX_VALUE, Float.intBitsToFloat(0x7F7F8000), Float.intBitsToFloat(0x3F808000)};
    /** bfloat16 (and a few float16) patterns: NaNs of both signs, infinities, the largest finite, subnormals, zeros. */
    private static final short[] SPECIAL_PATTERNS = {0x7F80, (short) 0xFF80, 0x7FC0, (short) 0xFFC1, 0x7F81, 0x0001,
        (short) 0x8001, 0x007F, 0x0080, 0x7F7F, (short) 0xFF7F, 0x7C00, (short) 0xFC00, 0x7E00, 0x03FF, 0x7BFF,
        (short) 0x8000, 0};
    private static final short SHORT_MARKER = 0x5A5A;
    private static final float FLOAT_MARKER = Float.intBitsToFloat(0x7FA5A5A5);

    /** How the parameters are kept: {@code float}, or a 16-bit format. */
    enum Storage {
        F32(null), BF16(LowPrecision.BF16), FP16(LowPrecision.FP16);

        final LowPrecision fmt;

        Storage(LowPrecision fmt) {
            this.fmt = fmt;
        }
    }

    static List<AdamConfig> configs() {
        AdamConfig d = AdamConfig.builder().lr(3e-3).build();
        return List.of(d, d.toBuilder().amsgrad(true).build(), d.toBuilder().decoupled(0.1).build(),
                d.toBuilder().decoupled(0.1).amsgrad(true).maximize(true).build(),
                d.toBuilder().l2(0.05).maximize(true).build(),
                d.toBuilder().fullyDecoupled(0.01, 0.01).epsilonHat(true).build(),
                d.toBuilder().betas(0.5, 0.75).eps(1e-3).biasCorrection(false).l2(0.01).amsgrad(true).build());
    }

    private static List<Integer> sizes(int lanes) {
        // the kernels load a vector of shorts at a time: at 64 bits 4 lanes for a float vector of 2, else the
        // float lanes; 1023 to 1025 and 2100: around and past the 16-bit parameters' tiles of 1024 elements
        int shortLanes = Math.max(4, lanes);
        TreeSet<Integer> sizes = new TreeSet<>(List.of(0, 1, 2, 3, 100, 1023, 1024, 1025, 2100));
        for (int l : new int[] {lanes, shortLanes}) {
            for (int k = 1; k <= 4; k++) {
                sizes.addAll(List.of(k * l - 1, k * l, k * l + 1));
            }
        }
        return new ArrayList<>(sizes);
    }

    private static short randomPattern(SplittableRandom rnd, LowPrecision fmt, int scaleFrom, boolean nonNegative) {
        int kind = rnd.nextInt(10);
        short x = switch (kind) {
            case 7 -> SPECIAL_PATTERNS[rnd.nextInt(SPECIAL_PATTERNS.length)];
            case 8 -> fmt.fromFloatNearestEven(SPECIALS[rnd.nextInt(SPECIALS.length)]);
            case 9 -> (short) rnd.nextInt();
            default -> fmt.fromFloatNearestEven(
                    (float) (rnd.nextGaussian() * Math.scalb(1.0, rnd.nextInt(scaleFrom, scaleFrom + 15))));
        };
        return nonNegative && kind < 7 ? (short) (x & 0x7FFF) : x;
    }

    private static float randomFloat(SplittableRandom rnd) {
        return rnd.nextInt(10) == 0 ? SPECIALS[rnd.nextInt(SPECIALS.length)]
                : (float) (rnd.nextGaussian() * Math.scalb(1.0, rnd.nextInt(-12, 3)));
    }

    /** The operands of one slice: the slice's elements random, every other element a marker. */
    private record Operands(Storage storage, float[] pf, float[] gf, short[] p, short[] g, short[] comp, short[] m,
            short[] v, short[] vmax) {
        static Operands random(SplittableRandom rnd, Storage storage, int n, int off, int len) {
            Operands o = new Operands(storage, new float[n], new float[n], new short[n], new short[n], new short[n],
                    new short[n], new short[n], new short[n]);
            for (short[] a : new short[][] {o.p, o.g, o.comp, o.m, o.v, o.vmax}) {
                Arrays.fill(a, SHORT_MARKER);
            }
            Arrays.fill(o.pf, FLOAT_MARKER);
            Arrays.fill(o.gf, FLOAT_MARKER);
            LowPrecision fmt = storage.fmt == null ? LowPrecision.BF16 : storage.fmt;
            for (int i = off; i < off + len; i++) {
                o.pf[i] = randomFloat(rnd);
                o.p[i] = randomPattern(rnd, fmt, -12, false);
                o.comp[i] = rnd.nextInt(4) == 0 ? 0 : randomPattern(rnd, fmt, -24, false);
                o.m[i] = randomPattern(rnd, LowPrecision.BF16, -20, false);
                o.v[i] = randomPattern(rnd, LowPrecision.BF16, -40, true);
                o.vmax[i] = randomPattern(rnd, LowPrecision.BF16, -40, true);
            }
            o.freshGradient(rnd, off, len);
            return o;
        }

        void freshGradient(SplittableRandom rnd, int off, int len) {
            LowPrecision fmt = storage.fmt == null ? LowPrecision.BF16 : storage.fmt;
            for (int i = off; i < off + len; i++) {
                gf[i] = randomFloat(rnd);
                g[i] = randomPattern(rnd, fmt, -12, false);
            }
        }

        Operands copy() {
            return new Operands(storage, pf.clone(), gf.clone(), p.clone(), g.clone(), comp.clone(), m.clone(),
                    v.clone(), vmax.clone());
        }

        void step(AdamBf16StatesKernel k, AdamStep s, Rounding r, int off, int len, long seed, long indexBase) {
            if (storage.fmt == null) {
                k.fused(s, r, pf, gf, m, v, vmax, off, len, seed, indexBase);
            } else {
                k.fused(s, storage.fmt, r, p, g, m, v, vmax, comp, off, len, seed, indexBase);
            }
        }

        void reference(AdamStep s, Rounding r, int off, int len, long seed, long indexBase) {
            if (storage.fmt == null) {
                AdamBf16StatesReference.fused(s, r, pf, gf, m, v, vmax, off, len, seed, indexBase);
            } else {
                AdamBf16StatesReference.fused(s, storage.fmt, r, p, g, m, v, vmax, comp, off, len, seed, indexBase);
            }
        }

        void assertSameAs(Operands expected, String where) {
            assertShorts(expected.p, p, where + ": p");
            assertShorts(expected.g, g, where + ": g");
            assertShorts(expected.comp, comp, where + ": comp");
            assertShorts(expected.m, m, where + ": m");
            assertShorts(expected.v, v, where + ": v");
            assertShorts(expected.vmax, vmax, where + ": vmax");
            assertFloats(expected.pf, pf, where + ": p (float)");
            assertFloats(expected.gf, gf, where + ": g (float)");
        }

        /** Every element outside {@code [off, off + len)} still holds its marker. */
        void assertMarkedOutside(int off, int len, String where) {
            for (int i = 0; i < p.length; i++) {
                if (i < off || i >= off + len) {
                    for (short x : new short[] {p[i], g[i], comp[i], m[i], v[i], vmax[i]}) {
                        assertEquals(SHORT_MARKER, x, where + ": written outside the slice at " + i);
                    }
                    for (float x : new float[] {pf[i], gf[i]}) {
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
        for (AdamBf16StatesKernel k : AdamBf16States.all()) {
            for (Storage storage : Storage.values()) {
                for (Rounding r : Rounding.values()) {
                    tests.add(DynamicTest.dynamicTest(k.name() + " " + storage + " " + r,
                            () -> matchesReference(k, storage, r)));
                }
            }
        }
        return tests.stream();
    }

    private static void matchesReference(AdamBf16StatesKernel k, Storage storage, Rounding r) {
        SplittableRandom rnd = new SplittableRandom(1009L * k.lanes() + 31L * storage.ordinal() + r.ordinal());
        List<AdamConfig> configs = configs();
        for (int len : sizes(k.lanes())) {
            for (int off : new int[] {0, 1 + rnd.nextInt(2 * Math.max(4, k.lanes()) + 3)}) {
                AdamConfig config = configs.get(rnd.nextInt(configs.size()));
                int n = off + len + 1 + rnd.nextInt(3);
                Operands expected = Operands.random(rnd, storage, n, off, len);
                Operands actual = expected.copy();
                long seed = rnd.nextLong();
                // half the slices have global indices that cross a multiple of 2^32, where the keys change
                long indexBase = rnd.nextBoolean() ? rnd.nextLong(1L << 40)
                        : (3L << 32) - rnd.nextInt(Math.max(1, len + 1));
                for (long t = 1; t <= 3; t++) {
                    if (t > 1) {
                        expected.freshGradient(rnd, off, len);
                        System.arraycopy(expected.g, 0, actual.g, 0, n);
                        System.arraycopy(expected.gf, 0, actual.gf, 0, n);
                    }
                    AdamStep s = config.step(t);
                    String where = k.name() + " " + storage + " " + r + " " + config + " len " + len + " off " + off
                            + " indexBase " + indexBase + " t " + t;
                    expected.reference(s, r, off, len, seed, indexBase);
                    actual.step(k, s, r, off, len, seed, indexBase);
                    actual.assertSameAs(expected, where);
                    actual.assertMarkedOutside(off, len, where);
                }
            }
        }
        // every configuration at one size that has full vectors and a tail
        for (AdamConfig config : configs) {
            int n = 9 * Math.max(4, k.lanes()) + 3;
            Operands expected = Operands.random(rnd, storage, n + 2, 1, n);
            Operands actual = expected.copy();
            AdamStep s = config.step(5);
            expected.reference(s, r, 1, n, 11, 7);
            actual.step(k, s, r, 1, n, 11, 7);
            actual.assertSameAs(expected, k.name() + " " + storage + " " + r + " " + config);
            actual.assertMarkedOutside(1, n, k.name() + " " + storage + " " + r + " " + config);
        }
    }

    /**
     * The states' stochastic bits, and a 16-bit parameter's, are those of (seed, step, global index) only: a slice
     * stepped in one call, or split into calls of random lengths (each given the global index of its first element),
     * or by another width, gives the same bits; another seed or step gives others.
     */
    @Test
    void stochasticBitsDoNotDependOnWidthOrSplit() {
        SplittableRandom rnd = new SplittableRandom(17);
        int n = 2600, off = 3, len = 2590;
        long indexBase = (1L << 32) - 1500;
        AdamConfig config = AdamConfig.builder().lr(1e-2).decoupled(0.01).amsgrad(true).build();
        for (Storage storage : Storage.values()) {
            Operands start = Operands.random(rnd, storage, n, off, len);
            AdamStep s = config.step(9);
            Operands whole = start.copy();
            whole.reference(s, Rounding.STOCHASTIC, off, len, 123, indexBase);
            for (AdamBf16StatesKernel k : AdamBf16States.all()) {
                Operands oneCall = start.copy();
                oneCall.step(k, s, Rounding.STOCHASTIC, off, len, 123, indexBase);
                oneCall.assertSameAs(whole, k.name() + " " + storage + " one call");
                for (int trial = 0; trial < 3; trial++) {
                    Operands split = start.copy();
                    int done = 0;
                    while (done < len) {
                        int part = Math.min(len - done, 1 + rnd.nextInt(trial == 0 ? 70 : 1500));
                        split.step(k, s, Rounding.STOCHASTIC, off + done, part, 123, indexBase + done);
                        done += part;
                    }
                    split.assertSameAs(whole, k.name() + " " + storage + " split, trial " + trial);
                }
            }
            Operands otherSeed = start.copy();
            otherSeed.reference(s, Rounding.STOCHASTIC, off, len, 124, indexBase);
            assertNotEquals(Arrays.toString(whole.m), Arrays.toString(otherSeed.m));
            assertNotEquals(Arrays.toString(whole.v), Arrays.toString(otherSeed.v));
            Operands otherStep = start.copy();
            otherStep.reference(config.step(10), Rounding.STOCHASTIC, off, len, 123, indexBase);
            assertNotEquals(Arrays.toString(whole.m), Arrays.toString(otherStep.m));
        }
    }

    /**
     * A long run at every width equals the scalar kernel's: 300 steps of AdamW on 1000 {@code float} parameters with
     * stochastically rounded states, each step's gradient depending on the parameters, so that any difference would
     * grow.
     */
    @Test
    void aLongStochasticRunIsTheSameAtEveryWidth() {
        int n = 1000, steps = 300;
        AdamConfig config = AdamConfig.builder().lr(1e-2).decoupled(0.01).build();
        float[] want = null;
        for (AdamBf16StatesKernel k : AdamBf16States.all()) {
            float[] p = new float[n], g = new float[n];
            short[] m = new short[n], v = new short[n];
            for (int i = 0; i < n; i++) {
                p[i] = (float) Math.sin(i);
            }
            for (int t = 1; t <= steps; t++) {
                for (int i = 0; i < n; i++) {
                    g[i] = p[i] - (float) Math.cos(i * 0.1);
                }
                k.fused(config.step(t), Rounding.STOCHASTIC, p, g, m, v, null, 0, n, 5, 1000);
            }
            if (want == null) {
                want = p;
            } else {
                assertTrue(Arrays.equals(want, p), k.name() + " differs from the scalar kernel");
            }
        }
    }

    @Test
    void everyKernelRefusesBadOperandsBeforeWriting() {
        AdamStep s = AdamConfig.builder().lr(1e-3).amsgrad(true).build().step(1);
        for (AdamBf16StatesKernel k : AdamBf16States.all()) {
            int n = 40;
            float[] p = new float[n], g = new float[n];
            short[] p16 = new short[n], g16 = new short[n], comp = new short[n];
            Arrays.fill(g, 1f);
            Arrays.fill(g16, Bf16.fromFloatNearestEven(1f));
            short[] m = new short[n], v = new short[n], vmax = new short[n];
            assertThrows(IllegalArgumentException.class, () -> k.fused(s, Rounding.NEAREST, p, g, m, v, null, 0, n, 0,
                    0));
            assertThrows(IllegalArgumentException.class, () -> k.fused(s, Rounding.NEAREST, p, g, m, v, vmax, 1, n, 0,
                    0));
            assertThrows(IllegalArgumentException.class, () -> k.fused(s, Rounding.STOCHASTIC, p, g, m, v, vmax, 0, n,
                    0, -5));
            assertThrows(IllegalArgumentException.class, () -> k.fused(s, Rounding.NEAREST, p, g, m, m, vmax, 0, n, 0,
                    0));
            assertThrows(IllegalArgumentException.class, () -> k.fused(s, LowPrecision.BF16, Rounding.KAHAN, p16, g16,
                    m, v, vmax, new short[n - 1], 0, n, 0, 0));
            assertThrows(IllegalArgumentException.class, () -> k.fused(s, LowPrecision.BF16, Rounding.NEAREST, p16,
                    g16, m, v, p16, null, 0, n, 0, 0));
            assertTrue(Arrays.equals(new float[n], p) && Arrays.equals(new short[n], p16)
                    && Arrays.equals(new short[n], comp) && Arrays.equals(new short[n], m)
                    && Arrays.equals(new short[n], v) && Arrays.equals(new short[n], vmax),
                    k.name() + ": a refused call wrote");
        }
    }
}
