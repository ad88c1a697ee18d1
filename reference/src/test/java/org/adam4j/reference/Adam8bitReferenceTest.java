package org.adam4j.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Adam8bitReference} is, bit for bit, {@link Blockwise8bit#dequantize}, {@link AdamReference_F32#fused} on the
 * {@code float} copies and {@link Blockwise8bit#quantize}, for every Adam option but AMSGrad, block sizes from 1 up,
 * slices on block boundaries, short last blocks and special values; it writes nothing outside its slice and blocks,
 * refuses bad operands before writing, and over 200 steps on a quadratic it stays close to the {@code float} step.
 */
class Adam8bitReferenceTest {
    private static final float[] SPECIALS = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f,
        Float.MIN_VALUE, -0x1p-140f, 0x1p-126f, 3e38f, -3.3e38f, 1e-30f, 1f, -1f};
    private static final float FLOAT_MARKER = Float.intBitsToFloat(0x7FA5A5A5);
    private static final byte BYTE_MARKER = 0x5A;

    static List<AdamConfig> configs() {
        AdamConfig d = AdamConfig.builder().lr(3e-3).build();
        return List.of(d, d.toBuilder().decoupled(0.1).build(), d.toBuilder().l2(0.05).maximize(true).build(),
                d.toBuilder().fullyDecoupled(0.01, 0.01).epsilonHat(true).build(),
                d.toBuilder().betas(0.8, 0.95).eps(1e-6).biasCorrection(false).decoupled(0.2).maximize(true).build());
    }

    /** A parameter's operands and state; every element and block outside the slice holds a marker. */
    record State(int blockSize, float[] p, float[] g, byte[] m, float[] mAbsmax, byte[] v, float[] vAbsmax) {
        static State random(SplittableRandom rnd, int blockSize, int n, int off, int len, boolean specials) {
            int blocks = Blockwise8bit.blocks(n, blockSize);
            State st = new State(blockSize, new float[n], new float[n], new byte[n], new float[blocks], new byte[n],
                    new float[blocks]);
            Arrays.fill(st.p, FLOAT_MARKER);
            Arrays.fill(st.g, FLOAT_MARKER);
            Arrays.fill(st.m, BYTE_MARKER);
            Arrays.fill(st.v, BYTE_MARKER);
            Arrays.fill(st.mAbsmax, FLOAT_MARKER);
            Arrays.fill(st.vAbsmax, FLOAT_MARKER);
            for (int start = off; start < off + len; start += blockSize) {
                int stop = Math.min(off + len, start + blockSize);
                // a quarter of the blocks get special values, so that the others show they stay clean
                boolean special = specials && rnd.nextInt(4) == 0;
                int b = start / blockSize;
                st.mAbsmax[b] = absmax(rnd, special);
                st.vAbsmax[b] = absmax(rnd, special);
                for (int i = start; i < stop; i++) {
                    st.p[i] = value(rnd, special, 0);
                    st.g[i] = value(rnd, special, -4);
                    st.m[i] = (byte) rnd.nextInt(256);
                    st.v[i] = (byte) rnd.nextInt(256);
                }
            }
            return st;
        }

        private static float absmax(SplittableRandom rnd, boolean special) {
            if (special && rnd.nextInt(3) == 0) {
                return new float[] {0f, Float.NaN, Float.POSITIVE_INFINITY, Float.MIN_VALUE}[rnd.nextInt(4)];
            }
            return rnd.nextInt(8) == 0 ? 0f : (float) Math.scalb(rnd.nextDouble(), rnd.nextInt(-30, 0));
        }

        private static float value(SplittableRandom rnd, boolean special, int scale) {
            if (special && rnd.nextInt(40) == 0) {
                return SPECIALS[rnd.nextInt(SPECIALS.length)];
            }
            return (float) (rnd.nextGaussian() * Math.scalb(1.0, rnd.nextInt(-10, 2) + scale));
        }

        State copy() {
            return new State(blockSize, p.clone(), g.clone(), m.clone(), mAbsmax.clone(), v.clone(), vAbsmax.clone());
        }

        void step(AdamStep s, int off, int len) {
            Adam8bitReference.fused(s, blockSize, p, g, m, mAbsmax, v, vAbsmax, off, len);
        }

        /** The step as its specification composes it: dequantize, the float step, quantize. */
        void composed(AdamStep s, int off, int len) {
            int n = p.length, b = off / blockSize;
            float[] mf = new float[n], vf = new float[n];
            Blockwise8bit.dequantize(m, off, mAbsmax, b, blockSize, DynamicMap.SIGNED, mf, off, len);
            Blockwise8bit.dequantize(v, off, vAbsmax, b, blockSize, DynamicMap.UNSIGNED, vf, off, len);
            AdamReference_F32.fused(s, p, g, mf, vf, null, off, len);
            Blockwise8bit.quantize(mf, off, len, blockSize, DynamicMap.SIGNED, m, off, mAbsmax, b);
            Blockwise8bit.quantize(vf, off, len, blockSize, DynamicMap.UNSIGNED, v, off, vAbsmax, b);
        }

        void assertSameAs(State expected, String where) {
            assertFloats(expected.p, p, where + ": p");
            assertFloats(expected.g, g, where + ": g");
            assertBytes(expected.m, m, where + ": m");
            assertBytes(expected.v, v, where + ": v");
            assertFloats(expected.mAbsmax, mAbsmax, where + ": mAbsmax");
            assertFloats(expected.vAbsmax, vAbsmax, where + ": vAbsmax");
        }

        /** Every element and block outside the slice holds its marker, bit for bit. */
        void assertMarkedOutside(int off, int len, String where) {
            for (int i = 0; i < p.length; i++) {
                if (i < off || i >= off + len) {
                    for (float x : new float[] {p[i], g[i]}) {
                        assertEquals(0x7FA5A5A5, Float.floatToRawIntBits(x), where + ": written at " + i);
                    }
                    assertEquals(BYTE_MARKER, m[i], where + ": m written at " + i);
                    assertEquals(BYTE_MARKER, v[i], where + ": v written at " + i);
                }
            }
            for (int b = 0; b < mAbsmax.length; b++) {
                if (b < off / blockSize || b >= Blockwise8bit.blocks(off + len, blockSize)) {
                    assertEquals(0x7FA5A5A5, Float.floatToRawIntBits(mAbsmax[b]), where + ": mAbsmax at " + b);
                    assertEquals(0x7FA5A5A5, Float.floatToRawIntBits(vAbsmax[b]), where + ": vAbsmax at " + b);
                }
            }
        }
    }

    static void assertFloats(float[] expected, float[] actual, String where) {
        for (int i = 0; i < expected.length; i++) {
            int e = Float.floatToIntBits(expected[i]), a = Float.floatToIntBits(actual[i]);
            if (e != a) {
                assertEquals(Integer.toHexString(e), Integer.toHexString(a),
                        where + " at " + i + " (" + expected[i] + " vs " + actual[i] + ")");
            }
        }
    }

    static void assertBytes(byte[] expected, byte[] actual, String where) {
        for (int i = 0; i < expected.length; i++) {
            if (expected[i] != actual[i]) {
                assertEquals(expected[i] & 0xFF, actual[i] & 0xFF, where + " at " + i);
            }
        }
    }

    @Test
    void isDequantizeTheFloatStepAndQuantize() {
        SplittableRandom rnd = new SplittableRandom(88);
        List<AdamConfig> configs = configs();
        for (int blockSize : new int[] {1, 7, 64, 256, 300}) {
            for (int blocks : new int[] {1, 2, 5}) {
                for (int shortBy : new int[] {0, 1, blockSize / 2}) {
                    int n = blocks * blockSize - shortBy;
                    if (n <= 0) {
                        continue;
                    }
                    // the whole parameter, and a slice from its second block to its end
                    for (int off : new int[] {0, blocks > 1 ? blockSize : 0}) {
                        int len = n - off;
                        AdamConfig config = configs.get(rnd.nextInt(configs.size()));
                        State actual = State.random(rnd, blockSize, n, off, len, true);
                        State expected = actual.copy();
                        for (long t = 1; t <= 3; t++) {
                            AdamStep s = config.step(t);
                            String where = "block " + blockSize + " n " + n + " off " + off + " " + config + " t " + t;
                            expected.composed(s, off, len);
                            actual.step(s, off, len);
                            actual.assertSameAs(expected, where);
                            actual.assertMarkedOutside(off, len, where);
                            for (int i = off; i < n; i++) {
                                expected.g[i] = (float) (rnd.nextGaussian() * 1e-3);
                            }
                            System.arraycopy(expected.g, 0, actual.g, 0, n);
                        }
                    }
                }
            }
        }
        // every configuration, at the default block size
        for (AdamConfig config : configs) {
            int n = 3 * 256 + 17;
            State actual = State.random(rnd, 256, n, 0, n, true);
            State expected = actual.copy();
            AdamStep s = config.step(7);
            expected.composed(s, 0, n);
            Adam8bitReference.fused(s, actual.p, actual.g, actual.m, actual.mAbsmax, actual.v, actual.vAbsmax, 0, n);
            actual.assertSameAs(expected, config.toString());
        }
    }

    @Test
    void writesOnlyItsSliceAndItsBlocks() {
        SplittableRandom rnd = new SplittableRandom(3);
        int blockSize = 16, n = 10 * blockSize + 5;
        // blocks 2 to 5 of a parameter whose other elements and blocks are markers
        int off = 2 * blockSize, len = 4 * blockSize;
        State actual = State.random(rnd, blockSize, n, off, len, false);
        State expected = actual.copy();
        AdamStep s = configs().get(1).step(2);
        actual.step(s, off, len);
        expected.composed(s, off, len);
        actual.assertSameAs(expected, "slice");
        actual.assertMarkedOutside(off, len, "slice");
        // a short last block: the parameter's last 5 elements are a block of their own
        State tail = State.random(rnd, blockSize, n, n - 5, 5, false);
        State tailExpected = tail.copy();
        tail.step(s, n - 5, 5);
        tailExpected.composed(s, n - 5, 5);
        tail.assertSameAs(tailExpected, "short last block");
        tail.assertMarkedOutside(n - 5, 5, "short last block");
        assertTrue(Blockwise8bit.codable(tail.mAbsmax[n / blockSize]), "the short block was stepped");
    }

    @Test
    void aNonFiniteValuePoisonsItsBlockOnly() {
        int blockSize = 8, n = 3 * blockSize;
        float[] p = new float[n], g = new float[n], mAbsmax = new float[3], vAbsmax = new float[3];
        byte[] m = new byte[n], v = new byte[n];
        Arrays.fill(m, (byte) DynamicMap.SIGNED.zeroCode());
        for (int i = 0; i < n; i++) {
            p[i] = 1f + i;
            g[i] = 0.5f - (i % 3) * 0.25f;
        }
        g[3] = Float.NaN;
        g[blockSize + 2] = Float.NEGATIVE_INFINITY;
        // block 2 has an all-zero gradient: its moments stay zero
        Arrays.fill(g, 2 * blockSize, n, 0f);
        AdamStep s = AdamConfig.builder().lr(1e-2).build().step(1);
        Adam8bitReference.fused(s, blockSize, p, g, m, mAbsmax, v, vAbsmax, 0, n);
        assertEquals(Float.floatToRawIntBits(Float.NaN), Float.floatToRawIntBits(mAbsmax[0]), "canonical NaN");
        assertEquals(Float.floatToRawIntBits(Float.NaN), Float.floatToRawIntBits(vAbsmax[0]));
        assertEquals(Float.POSITIVE_INFINITY, mAbsmax[1]);
        assertEquals(Float.POSITIVE_INFINITY, vAbsmax[1]);
        assertEquals(0, Float.floatToRawIntBits(mAbsmax[2]), "+0 absmax");
        assertEquals(0, Float.floatToRawIntBits(vAbsmax[2]));
        for (int i = 0; i < 2 * blockSize; i++) {
            assertEquals(DynamicMap.SIGNED.zeroCode(), m[i] & 0xFF, "m code " + i);
            assertEquals(DynamicMap.UNSIGNED.zeroCode(), v[i] & 0xFF, "v code " + i);
            // this step used the float moments: only the non-finite elements' parameters are NaN
            assertEquals(i == 3 || i == blockSize + 2, Float.isNaN(p[i]), "p " + i + " = " + p[i]);
        }
        for (int i = 2 * blockSize; i < n; i++) {
            assertEquals(1f + i, p[i], "a zero gradient leaves the parameter");
        }
        // the next step: both poisoned blocks dequantize to NaN, so all their parameters become NaN
        Arrays.fill(g, 0.25f);
        Adam8bitReference.fused(s, blockSize, p, g, m, mAbsmax, v, vAbsmax, 0, n);
        for (int i = 0; i < n; i++) {
            assertEquals(i < 2 * blockSize, Float.isNaN(p[i]), "p " + i + " = " + p[i]);
        }
        assertTrue(Blockwise8bit.codable(mAbsmax[2]) && Blockwise8bit.codable(vAbsmax[2]));
    }

    @Test
    void refusesBadOperandsBeforeWriting() {
        int bs = 8, n = 20;
        AdamStep s = AdamConfig.builder().lr(1e-3).build().step(1);
        float[] p = new float[n], g = new float[n], ma = new float[3], va = new float[3];
        byte[] m = new byte[n], v = new byte[n];
        Arrays.fill(g, 1f);
        assertRefused("AMSGrad", () -> Adam8bitReference.fused(AdamConfig.builder().amsgrad(true).build().step(1),
                bs, p, g, m, ma, v, va, 0, n));
        assertRefused("null", () -> Adam8bitReference.fused(null, bs, p, g, m, ma, v, va, 0, n));
        assertRefused("blockSize", () -> Adam8bitReference.fused(s, 0, p, g, m, ma, v, va, 0, n));
        assertRefused("is null", () -> Adam8bitReference.fused(s, bs, p, g, m, null, v, va, 0, n));
        assertRefused("does not fit", () -> Adam8bitReference.fused(s, bs, p, g, m, ma, v, va, 8, 13));
        assertRefused("block boundary", () -> Adam8bitReference.fused(s, bs, p, g, m, ma, v, va, 4, 8));
        assertRefused("ends inside a block", () -> Adam8bitReference.fused(s, bs, p, g, m, ma, v, va, 0, 12));
        assertRefused("differ in length", () -> Adam8bitReference.fused(s, bs, p, g, new byte[n + 1], ma, v, va, 0,
                n));
        assertRefused("absmax values", () -> Adam8bitReference.fused(s, bs, p, g, m, ma, v, new float[2], 0, n));
        assertRefused("same array", () -> Adam8bitReference.fused(s, bs, p, g, m, ma, m, va, 0, n));
        assertRefused("same array", () -> Adam8bitReference.fused(s, bs, p, g, m, ma, v, ma, 0, n));
        assertRefused("same array", () -> Adam8bitReference.fused(s, bs, p, p, m, ma, v, va, 0, n));
        assertTrue(Arrays.equals(new float[n], p) && Arrays.equals(new byte[n], m) && Arrays.equals(new byte[n], v)
                && Arrays.equals(new float[3], ma) && Arrays.equals(new float[3], va), "a refused call wrote");
        // the slices that are accepted: whole blocks, and a short last block at the parameter's end
        Adam8bitReference.fused(s, bs, p, g, m, ma, v, va, 8, 8);
        Adam8bitReference.fused(s, bs, p, g, m, ma, v, va, 16, 4);
        Adam8bitReference.fused(s, bs, p, g, m, ma, v, va, 8, 0);
        assertEquals(0f, ma[0]);
        assertTrue(ma[1] > 0 && ma[2] > 0);
    }

    private static void assertRefused(String messagePart, Runnable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        assertTrue(e.getMessage().contains(messagePart), e.getMessage());
    }

    /**
     * On {@code f(p) = sum a_i (p_i - c_i)^2 / 2}, with curvatures {@code a_i} over two decades and a little gradient
     * noise, 200 AdamW steps with 8-bit states follow those with {@code float} states: both losses fall by more than
     * a factor of {@code 10^5}, to the level where the steps of size {@code lr} jitter about the minimum; there the
     * 8-bit run's loss is within 30% of the {@code float} run's (1.2 times it) and each parameter within 0.03 of the
     * {@code float} run's (0.022 at most), where the parameters have moved by about 1.1 on average.
     */
    @Test
    void tracksTheFloatStepOnAQuadratic() {
        int n = 1000;
        SplittableRandom rnd = new SplittableRandom(42);
        float[] a = new float[n], c = new float[n], p32 = new float[n], p8 = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) Math.pow(10, rnd.nextDouble(-1, 1));
            c[i] = (float) rnd.nextGaussian();
            p32[i] = p8[i] = (float) rnd.nextGaussian();
        }
        float[] m32 = new float[n], v32 = new float[n], mAbsmax = new float[Blockwise8bit.blocks(n, 256)];
        float[] vAbsmax = new float[mAbsmax.length];
        // a fresh state is zeroed arrays: absmax 0 makes every moment 0 whatever the codes
        byte[] m8 = new byte[n], v8 = new byte[n];
        AdamConfig config = AdamConfig.builder().lr(5e-2).decoupled(1e-3).build();
        double loss0 = loss(a, c, p32);
        float[] g32 = new float[n], g8 = new float[n];
        for (int t = 1; t <= 200; t++) {
            for (int i = 0; i < n; i++) {
                float noise = (float) (rnd.nextGaussian() * 1e-3);
                g32[i] = a[i] * (p32[i] - c[i]) + noise;
                g8[i] = a[i] * (p8[i] - c[i]) + noise;
            }
            AdamStep s = config.step(t);
            AdamReference_F32.fused(s, p32, g32, m32, v32, null, 0, n);
            Adam8bitReference.fused(s, p8, g8, m8, mAbsmax, v8, vAbsmax, 0, n);
        }
        double loss32 = loss(a, c, p32), loss8 = loss(a, c, p8);
        double maxDiff = 0;
        for (int i = 0; i < n; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(p8[i] - p32[i]));
        }
        assertTrue(loss32 < loss0 * 1e-5 && loss8 < loss0 * 1e-5, "losses " + loss0 + " -> " + loss32 + ", " + loss8);
        assertTrue(Math.abs(loss8 - loss32) < 0.3 * loss32, "losses " + loss32 + " (f32), " + loss8 + " (8-bit)");
        assertTrue(maxDiff < 0.03, "largest parameter difference " + maxDiff);
    }

    private static double loss(float[] a, float[] c, float[] p) {
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            double d = p[i] - c[i];
            sum += a[i] * d * d / 2;
        }
        return sum;
    }
}
