package org.adam4j.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.adam4j.reference.Adam8bitReference;
import org.adam4j.reference.AdamConfig;
import org.adam4j.reference.AdamStep;
import org.adam4j.reference.Blockwise8bit;
import org.adam4j.reference.LowPrecision;
import org.adam4j.reference.Rounding;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every 8-bit Adam kernel on bfloat16 and binary16 parameters and gradients against
 * {@link Adam8bitReference#fused(AdamStep, int, LowPrecision, Rounding, short[], short[], byte[], float[], byte[],
 * float[], short[], int, int, long)}, bit for bit: each rounding, block sizes that are and are not lane multiples,
 * lengths on both sides of lane and block multiples, a slice starting on block 1 with markers before and after it,
 * special values (NaN, infinities, signed zeros, subnormals of both formats, the largest finite), three steps; and a
 * step split into per-block calls gives the bits of one call (the stochastic stream is keyed by the element's index).
 */
class Adam8bitLowPrecisionTest {
    private static final short MARKER = 0x5A5A;
    private static final byte BYTE_MARKER = 0x5A;
    /** The arrays' element 0 is element 1000003 of the optimizer's sequence. */
    private static final long INDEX_BASE = 1_000_003L;

    /** One parameter's operands and state, with markers outside the slice. */
    private record State(short[] p, short[] g, short[] comp, byte[] m, float[] mAbsmax, byte[] v, float[] vAbsmax) {
        static State random(SplittableRandom rnd, LowPrecision fmt, int blockSize, int n, int off, int len) {
            int blocks = Blockwise8bit.blocks(n, blockSize);
            State st = new State(new short[n], new short[n], new short[n], new byte[n], new float[blocks],
                    new byte[n], new float[blocks]);
            Arrays.fill(st.p, MARKER);
            Arrays.fill(st.g, MARKER);
            Arrays.fill(st.comp, MARKER);
            Arrays.fill(st.m, BYTE_MARKER);
            Arrays.fill(st.v, BYTE_MARKER);
            Arrays.fill(st.mAbsmax, Float.NaN);
            Arrays.fill(st.vAbsmax, Float.NaN);
            for (int start = off; start < off + len; start += blockSize) {
                boolean special = rnd.nextInt(5) == 0;
                st.mAbsmax[start / blockSize] = rnd.nextInt(8) == 0 ? 0f : (float) Math.scalb(rnd.nextDouble(), -8);
                st.vAbsmax[start / blockSize] = rnd.nextInt(8) == 0 ? 0f : (float) Math.scalb(rnd.nextDouble(), -16);
                for (int i = start; i < Math.min(off + len, start + blockSize); i++) {
                    st.p[i] = fmt.fromFloatNearestEven(value(rnd, fmt, special, 0));
                    st.g[i] = fmt.fromFloatNearestEven(value(rnd, fmt, special, -4));
                    st.comp[i] = fmt.fromFloatNearestEven((float) (rnd.nextGaussian() * 0x1p-12));
                    st.m[i] = (byte) rnd.nextInt(256);
                    st.v[i] = (byte) rnd.nextInt(256);
                }
            }
            return st;
        }

        static float value(SplittableRandom rnd, LowPrecision fmt, boolean special, int scale) {
            if (special && rnd.nextInt(20) == 0) {
                float largest = fmt == LowPrecision.BF16 ? 0x1.FEp127f : 65504f;
                float subnormal = fmt == LowPrecision.BF16 ? 0x1p-130f : 0x1p-20f;
                float[] specials = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, largest,
                    -largest, subnormal, -subnormal, 1f};
                return specials[rnd.nextInt(specials.length)];
            }
            return (float) (rnd.nextGaussian() * Math.scalb(1.0, rnd.nextInt(-8, 2) + scale));
        }

        State copy() {
            return new State(p.clone(), g.clone(), comp.clone(), m.clone(), mAbsmax.clone(), v.clone(),
                    vAbsmax.clone());
        }

        void assertSameAs(State expected, String where) {
            assertArrayEquals(expected.p, p, where + ": p");
            assertArrayEquals(expected.g, g, where + ": g");
            assertArrayEquals(expected.comp, comp, where + ": comp");
            assertArrayEquals(expected.m, m, where + ": m");
            assertArrayEquals(expected.v, v, where + ": v");
            assertArrayEquals(expected.mAbsmax, mAbsmax, where + ": mAbsmax");
            assertArrayEquals(expected.vAbsmax, vAbsmax, where + ": vAbsmax");
        }
    }

    @TestFactory
    Stream<DynamicTest> everyKernelIsTheReferenceBitForBit() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Adam8bitKernel k : Adam8bit.all()) {
            tests.add(DynamicTest.dynamicTest(k.name(), () -> matchesReference(k)));
        }
        return tests.stream();
    }

    private static void matchesReference(Adam8bitKernel k) {
        SplittableRandom rnd = new SplittableRandom(7919L * k.lanes());
        List<AdamConfig> configs = Adam8bitKernelTest.configs();
        int lanes = k.lanes();
        for (LowPrecision fmt : LowPrecision.values()) {
            for (Rounding rounding : Rounding.values()) {
                for (int blockSize : new int[] {256, 3 * lanes + 1, 4 * Math.max(8, lanes)}) {
                    for (int len : new int[] {1, lanes - 1, lanes + 1, 2 * blockSize - 1, 2 * blockSize,
                        2 * blockSize + lanes + 1}) {
                        if (len < 1) {
                            continue;
                        }
                        int off = blockSize;
                        boolean toEnd = rnd.nextBoolean() || len % blockSize != 0;
                        int n = toEnd ? off + len : off + len + 1 + rnd.nextInt(blockSize);
                        State expected = State.random(rnd, fmt, blockSize, n, off, len);
                        State actual = expected.copy();
                        AdamConfig config = configs.get(rnd.nextInt(configs.size()));
                        long seed = rnd.nextLong();
                        for (long t = 1; t <= 3; t++) {
                            AdamStep s = config.step(t);
                            String where = k.name() + " " + fmt + " " + rounding + " " + config + " block "
                                    + blockSize + " n " + n + " slice [" + off + ", " + (off + len) + ") t " + t;
                            Adam8bitReference.fused(s, blockSize, fmt, rounding, expected.p, expected.g, expected.m,
                                    expected.mAbsmax, expected.v, expected.vAbsmax, expected.comp, off, len, seed,
                                    INDEX_BASE);
                            k.fused(s, blockSize, fmt, rounding, actual.p, actual.g, actual.m, actual.mAbsmax,
                                    actual.v, actual.vAbsmax, actual.comp, off, len, seed, INDEX_BASE);
                            actual.assertSameAs(expected, where);
                            for (int i = 0; i < n; i++) {
                                if (i < off || i >= off + len) {
                                    assertEquals(MARKER, actual.p[i], where + ": p written at " + i);
                                    assertEquals(BYTE_MARKER, actual.m[i], where + ": m written at " + i);
                                }
                            }
                            assertEquals(Float.NaN, actual.mAbsmax[0], where + ": absmax of block 0 written");
                        }
                    }
                }
            }
        }
    }

    @Test
    void perBlockCallsGiveTheBitsOfOneCall() {
        AdamStep s = AdamConfig.builder().lr(1e-2).decoupled(0.1).build().step(5);
        for (Adam8bitKernel k : Adam8bit.all()) {
            for (LowPrecision fmt : LowPrecision.values()) {
                int n = 5 * 256 + 17;
                State whole = State.random(new SplittableRandom(11), fmt, 256, n, 0, n);
                State pieces = whole.copy();
                k.fused(s, 256, fmt, Rounding.STOCHASTIC, whole.p, whole.g, whole.m, whole.mAbsmax, whole.v,
                        whole.vAbsmax, null, 0, n, 42L, INDEX_BASE);
                for (int off = 0; off < n; off += 256) {
                    k.fused(s, 256, fmt, Rounding.STOCHASTIC, pieces.p, pieces.g, pieces.m, pieces.mAbsmax,
                            pieces.v, pieces.vAbsmax, null, off, Math.min(256, n - off), 42L, INDEX_BASE);
                }
                pieces.assertSameAs(whole, k.name() + " " + fmt);
                // the index base is part of the key: another base rounds other elements up
                State shifted = State.random(new SplittableRandom(11), fmt, 256, n, 0, n);
                k.fused(s, 256, fmt, Rounding.STOCHASTIC, shifted.p, shifted.g, shifted.m, shifted.mAbsmax,
                        shifted.v, shifted.vAbsmax, null, 0, n, 42L, INDEX_BASE + 1);
                assertFalse(Arrays.equals(whole.p, shifted.p), k.name() + " " + fmt + ": index base ignored");
            }
        }
    }

    @Test
    void refusedOperandsWriteNothing() {
        AdamStep s = AdamConfig.builder().build().step(1);
        for (Adam8bitKernel k : Adam8bit.all()) {
            State st = State.random(new SplittableRandom(3), LowPrecision.BF16, 256, 300, 0, 300);
            State before = st.copy();
            assertThrows(IllegalArgumentException.class, () -> k.fused(s, 256, LowPrecision.BF16, Rounding.KAHAN,
                    st.p, st.g, st.m, st.mAbsmax, st.v, st.vAbsmax, null, 0, 300, 1L, 0L), "Kahan without comp");
            assertThrows(IllegalArgumentException.class, () -> k.fused(s, 256, LowPrecision.BF16, Rounding.NEAREST,
                    st.p, st.p, st.m, st.mAbsmax, st.v, st.vAbsmax, null, 0, 300, 1L, 0L), "p as g");
            assertThrows(IllegalArgumentException.class, () -> k.fused(s, 256, null, Rounding.NEAREST,
                    st.p, st.g, st.m, st.mAbsmax, st.v, st.vAbsmax, null, 0, 300, 1L, 0L), "no format");
            assertThrows(IllegalArgumentException.class, () -> k.fused(s, 256, LowPrecision.FP16, Rounding.NEAREST,
                    st.p, st.g, st.m, st.mAbsmax, st.v, st.vAbsmax, null, 0, 100, 1L, 0L), "slice ends inside a block");
            assertThrows(IllegalArgumentException.class, () -> k.fused(s, 256, LowPrecision.BF16, Rounding.NEAREST,
                    st.p, st.g, st.m, st.mAbsmax, st.v, st.vAbsmax, null, 0, 300, 1L, -1L), "negative index base");
            st.assertSameAs(before, k.name());
        }
    }
}
