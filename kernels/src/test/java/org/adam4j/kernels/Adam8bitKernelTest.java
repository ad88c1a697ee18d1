package org.adam4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.adam4j.reference.Adam8bitReference;
import org.adam4j.reference.AdamConfig;
import org.adam4j.reference.AdamStep;
import org.adam4j.reference.Blockwise8bit;
import org.adam4j.reference.DynamicMap;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every 8-bit Adam kernel ({@link Adam8bit#all()}: scalar and each lane width) against {@link Adam8bitReference}, bit
 * for bit: block sizes that are and are not lane multiples, parameters and slices on both sides of every lane, byte
 * vector and block multiple, slices starting on later blocks and ending on a block boundary before the parameter's end
 * (every element and absmax outside the slice keeps its marker) or at its end (a short last block), every Adam option
 * but AMSGrad, three steps with fresh gradients, special values (NaN, infinities, signed zeros, subnormals, huge) in
 * the parameters, gradients and absmax, and values on both sides of every threshold of the code search. Parameters are
 * compared as {@link Float#floatToIntBits} does (a NaN's sign is unspecified); codes and absmax exactly.
 */
class Adam8bitKernelTest {
    private static final float[] SPECIALS = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f,
        Float.MIN_VALUE, -0x1p-140f, 0x1p-126f, -0x1p-127f, 3e38f, -3.3e38f, 1e-30f, 1f, -1f, 1e19f};
    private static final float FLOAT_MARKER = Float.intBitsToFloat(0x7FA5A5A5);
    private static final byte BYTE_MARKER = 0x5A;

    static List<AdamConfig> configs() {
        AdamConfig d = AdamConfig.builder().lr(3e-3).build();
        return List.of(d, d.toBuilder().decoupled(0.1).build(), d.toBuilder().l2(0.05).maximize(true).build(),
                d.toBuilder().fullyDecoupled(0.01, 0.01).epsilonHat(true).build(),
                d.toBuilder().betas(0.8, 0.95).eps(1e-6).biasCorrection(false).decoupled(0.2).maximize(true).build(),
                d.toBuilder().l2(0.01).epsilonHat(true).eps(1e-3).build());
    }

    /** A parameter's operands and state; every element and block outside the slice holds a marker. */
    private record State(float[] p, float[] g, byte[] m, float[] mAbsmax, byte[] v, float[] vAbsmax) {
        static State random(SplittableRandom rnd, int blockSize, int n, int off, int len) {
            int blocks = Blockwise8bit.blocks(n, blockSize);
            State st = new State(new float[n], new float[n], new byte[n], new float[blocks], new byte[n],
                    new float[blocks]);
            Arrays.fill(st.p, FLOAT_MARKER);
            Arrays.fill(st.g, FLOAT_MARKER);
            Arrays.fill(st.m, BYTE_MARKER);
            Arrays.fill(st.v, BYTE_MARKER);
            Arrays.fill(st.mAbsmax, FLOAT_MARKER);
            Arrays.fill(st.vAbsmax, FLOAT_MARKER);
            for (int start = off; start < off + len; start += blockSize) {
                // a sixth of the blocks get special values: NaN and infinity poison a block, so most stay clean
                boolean special = rnd.nextInt(6) == 0;
                int b = start / blockSize;
                st.mAbsmax[b] = absmax(rnd, special);
                st.vAbsmax[b] = absmax(rnd, special);
                for (int i = start; i < Math.min(off + len, start + blockSize); i++) {
                    st.p[i] = value(rnd, special, 0);
                    st.g[i] = value(rnd, special, -4);
                    st.m[i] = (byte) rnd.nextInt(256);
                    st.v[i] = (byte) rnd.nextInt(256);
                }
            }
            return st;
        }

        static float absmax(SplittableRandom rnd, boolean special) {
            if (special && rnd.nextInt(2) == 0) {
                return new float[] {0f, Float.NaN, Float.POSITIVE_INFINITY, Float.MIN_VALUE, 0x1p-130f,
                    3e38f}[rnd.nextInt(6)];
            }
            return rnd.nextInt(10) == 0 ? 0f : (float) Math.scalb(rnd.nextDouble(), rnd.nextInt(-30, 0));
        }

        static float value(SplittableRandom rnd, boolean special, int scale) {
            if (special && rnd.nextInt(30) == 0) {
                return SPECIALS[rnd.nextInt(SPECIALS.length)];
            }
            return (float) (rnd.nextGaussian() * Math.scalb(1.0, rnd.nextInt(-10, 2) + scale));
        }

        State copy() {
            return new State(p.clone(), g.clone(), m.clone(), mAbsmax.clone(), v.clone(), vAbsmax.clone());
        }

        void step(Adam8bitKernel k, AdamStep s, int blockSize, int off, int len) {
            k.fused(s, blockSize, p, g, m, mAbsmax, v, vAbsmax, off, len);
        }

        void reference(AdamStep s, int blockSize, int off, int len) {
            Adam8bitReference.fused(s, blockSize, p, g, m, mAbsmax, v, vAbsmax, off, len);
        }

        void assertSameAs(State expected, String where) {
            for (int i = 0; i < p.length; i++) {
                int e = Float.floatToIntBits(expected.p[i]), a = Float.floatToIntBits(p[i]);
                if (e != a) {
                    assertEquals(Integer.toHexString(e), Integer.toHexString(a), where + ": p at " + i);
                }
                if (expected.m[i] != m[i] || expected.v[i] != v[i]) {
                    assertEquals(expected.m[i] & 0xFF, m[i] & 0xFF, where + ": m at " + i);
                    assertEquals(expected.v[i] & 0xFF, v[i] & 0xFF, where + ": v at " + i);
                }
            }
            assertEquals(Arrays.toString(expected.g), Arrays.toString(g), where + ": g");
            for (int b = 0; b < mAbsmax.length; b++) {
                assertEquals(Float.floatToRawIntBits(expected.mAbsmax[b]), Float.floatToRawIntBits(mAbsmax[b]),
                        where + ": mAbsmax at " + b);
                assertEquals(Float.floatToRawIntBits(expected.vAbsmax[b]), Float.floatToRawIntBits(vAbsmax[b]),
                        where + ": vAbsmax at " + b);
            }
        }

        void assertMarkedOutside(int blockSize, int off, int len, String where) {
            for (int i = 0; i < p.length; i++) {
                if (i < off || i >= off + len) {
                    assertEquals(0x7FA5A5A5, Float.floatToRawIntBits(p[i]), where + ": p written at " + i);
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

    /** Lengths on both sides of every multiple (up to 4) of the lanes, of a byte vector's 8 lanes and of a block. */
    private static TreeSet<Integer> lengths(int lanes, int blockSize) {
        TreeSet<Integer> sizes = new TreeSet<>(List.of(1, 2, 3));
        for (int unit : new int[] {lanes, Math.max(8, lanes), blockSize}) {
            for (int k = 1; k <= 4; k++) {
                for (int d = -1; d <= 1; d++) {
                    if (k * unit + d > 0) {
                        sizes.add(k * unit + d);
                    }
                }
            }
        }
        return sizes;
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
        SplittableRandom rnd = new SplittableRandom(4099L * k.lanes());
        List<AdamConfig> configs = configs();
        int lanes = k.lanes();
        for (int blockSize : new int[] {256, 1, 5, 3 * lanes + 1, 4 * Math.max(8, lanes), 100}) {
            for (int len : lengths(lanes, blockSize)) {
                // slices from block 0, 1 or 2: one to the parameter's end, one of whole blocks with a marked rest
                for (int startBlock = 0; startBlock <= 2; startBlock++) {
                    int off = startBlock * blockSize;
                    int wholeBlocks = len - len % blockSize;
                    int[][] slices = {{off + len, len}, {off + len + 1 + rnd.nextInt(2 * blockSize), wholeBlocks}};
                    for (int[] slice : slices) {
                        int n = slice[0], sliceLen = slice[1];
                        if (slice == slices[1] && sliceLen == 0) {
                            continue;
                        }
                        checkSteps(k, rnd, configs.get(rnd.nextInt(configs.size())), blockSize, n, off, sliceLen);
                    }
                }
            }
        }
        // every configuration at the default block size, with a short last block
        for (AdamConfig config : configs) {
            checkSteps(k, rnd, config, 256, 3 * 256 + 3 * lanes + 1, 256, 2 * 256 + 3 * lanes + 1);
        }
    }

    private static void checkSteps(Adam8bitKernel k, SplittableRandom rnd, AdamConfig config, int blockSize, int n,
            int off, int len) {
        State expected = State.random(rnd, blockSize, n, off, len);
        State actual = expected.copy();
        for (long t = 1; t <= 3; t++) {
            if (t > 1) {
                for (int i = off; i < off + len; i++) {
                    expected.g[i] = State.value(rnd, rnd.nextInt(20) == 0, -4);
                }
                System.arraycopy(expected.g, 0, actual.g, 0, n);
            }
            AdamStep s = config.step(t);
            String where = k.name() + " " + config + " block " + blockSize + " n " + n + " slice [" + off + ", "
                    + (off + len) + ") t " + t;
            expected.reference(s, blockSize, off, len);
            actual.step(k, s, blockSize, off, len);
            actual.assertSameAs(expected, where);
            actual.assertMarkedOutside(blockSize, off, len, where);
        }
    }

    /**
     * The code search at its boundaries: with {@code beta1 = beta2 = 0} the new moments are {@code g} and
     * {@code g * g}, and one element of 1 makes each block's absmax 1, so the quotient is the moment itself: every
     * threshold of the signed map, its neighbours one ulp away, and squares near every threshold of the unsigned map,
     * at every width.
     */
    @Test
    void codesAtEveryThresholdAreTheReferences() {
        AdamStep s = AdamConfig.builder().lr(1e-3).betas(0, 0).build().step(1);
        DynamicMap signed = DynamicMap.SIGNED, unsigned = DynamicMap.UNSIGNED;
        int n = 255 * 3 + 255 * 4 + 1;
        float[] g = new float[n];
        int i = 0;
        g[i++] = 1f;
        for (int k = 0; k < 255; k++) {
            float t = signed.threshold(k);
            g[i++] = t;
            g[i++] = Math.nextUp(t);
            g[i++] = Math.nextDown(t);
        }
        for (int k = 0; k < 255; k++) {
            // g * g lands within an ulp or two of the threshold, on either side
            float root = (float) Math.sqrt(unsigned.threshold(k));
            g[i++] = root;
            g[i++] = Math.nextUp(root);
            g[i++] = Math.nextDown(root);
            g[i++] = -Math.nextUp(Math.nextUp(root));
        }
        for (int blockSize : new int[] {n, 256}) {
            State start = new State(new float[n], g, new byte[n], new float[Blockwise8bit.blocks(n, blockSize)],
                    new byte[n], new float[Blockwise8bit.blocks(n, blockSize)]);
            for (int b = 0; b < start.mAbsmax.length; b++) {
                // one element of 1 per block makes every absmax 1
                start.g[b * blockSize] = 1f;
            }
            State expected = start.copy();
            expected.reference(s, blockSize, 0, n);
            for (int b = 0; b < expected.mAbsmax.length; b++) {
                assertEquals(1f, expected.mAbsmax[b]);
                assertEquals(1f, expected.vAbsmax[b]);
            }
            for (Adam8bitKernel k : Adam8bit.all()) {
                State actual = start.copy();
                actual.step(k, s, blockSize, 0, n);
                actual.assertSameAs(expected, k.name() + " block " + blockSize);
            }
        }
    }

    /** A block larger than the parameter is one short block: the scratch is the slice's length, not the block's. */
    @Test
    void aBlockLargerThanTheParameterIsOneBlock() {
        SplittableRandom rnd = new SplittableRandom(12);
        int n = 333;
        for (Adam8bitKernel k : Adam8bit.all()) {
            State expected = State.random(rnd, Integer.MAX_VALUE, n, 0, n);
            State actual = expected.copy();
            AdamStep s = configs().get(1).step(2);
            expected.reference(s, Integer.MAX_VALUE, 0, n);
            actual.step(k, s, Integer.MAX_VALUE, 0, n);
            actual.assertSameAs(expected, k.name());
        }
    }

    @Test
    void everyKernelRefusesBadOperandsBeforeWriting() {
        AdamStep s = AdamConfig.builder().lr(1e-3).build().step(1);
        AdamStep amsgrad = AdamConfig.builder().lr(1e-3).amsgrad(true).build().step(1);
        for (Adam8bitKernel k : Adam8bit.all()) {
            int bs = 16, n = 40;
            float[] p = new float[n], g = new float[n], ma = new float[3], va = new float[3];
            byte[] m = new byte[n], v = new byte[n];
            Arrays.fill(g, 1f);
            assertThrows(IllegalArgumentException.class, () -> k.fused(amsgrad, bs, p, g, m, ma, v, va, 0, n));
            assertThrows(IllegalArgumentException.class, () -> k.fused(s, bs, p, g, m, ma, v, va, 8, 32));
            assertThrows(IllegalArgumentException.class, () -> k.fused(s, bs, p, g, m, ma, v, va, 0, 24));
            assertThrows(IllegalArgumentException.class, () -> k.fused(s, bs, p, g, m, ma, v, new float[2], 0, n));
            assertThrows(IllegalArgumentException.class, () -> k.fused(s, bs, p, g, m, ma, m, va, 0, n));
            assertThrows(IllegalArgumentException.class, () -> k.fused(s, 0, p, g, m, ma, v, va, 0, n));
            assertTrue(Arrays.equals(new float[n], p) && Arrays.equals(new byte[n], m)
                    && Arrays.equals(new byte[n], v) && Arrays.equals(new float[3], ma)
                    && Arrays.equals(new float[3], va), k.name() + ": a refused call wrote");
        }
    }
}
