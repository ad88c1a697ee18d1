package org.adam4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.adam4j.reference.AdamConfig;
import org.adam4j.reference.AdamReference_F32;
import org.adam4j.reference.AdamReference_F64;
import org.adam4j.reference.AdamStep;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The segment operations of every kernel (each lane width, the scalar one, a parallel one) against the reference's
 * array operations on the same data, bit for bit: sizes around lane multiples, random offsets, special values,
 * several steps, and elements outside the slice that must stay as they were.
 */
class SegmentKernelTest {
    private static final int STEPS = 7;
    private static final ValueLayout.OfFloat F = AdamReference_F32.LAYOUT;
    private static final ValueLayout.OfDouble D = AdamReference_F64.LAYOUT;

    static List<AdamConfig> configs() {
        return List.of(
                AdamConfig.defaults(),
                AdamConfig.builder().lr(0.01).l2(0.1).maximize(true).amsgrad(true).build(),
                AdamConfig.builder().lr(0.003).decoupled(0.05).epsilonHat(true).build(),
                AdamConfig.builder().lr(0.002).fullyDecoupled(0.1, 0.004).betas(0.8, 0.99).eps(1e-6).build(),
                AdamConfig.builder().biasCorrection(false).amsgrad(true).eps(0).build());
    }

    static List<AdamKernel_F32> kernels_F32() {
        List<AdamKernel_F32> all = new ArrayList<>(AdamKernels.all_F32());
        all.add(AdamKernels.f32().parallel(3));
        return all;
    }

    static List<AdamKernel_F64> kernels_F64() {
        List<AdamKernel_F64> all = new ArrayList<>(AdamKernels.all_F64());
        all.add(AdamKernels.f64().parallel(3));
        return all;
    }

    /** Around lane multiples, and long enough for the parallel kernel to split (it splits at 4096 per thread). */
    static int[] sizes(int lanes) {
        return new int[] {0, 1, lanes - 1, lanes, lanes + 1, 2 * lanes - 1, 2 * lanes + 1, 1000, 4099, 3 * 4096 + 7};
    }

    /**
     * Every configuration on the short sizes; on the long ones two that between them take every branch (wider
     * vectors than the hardware's are emulated, slowly).
     */
    static List<AdamConfig> configs(int len) {
        List<AdamConfig> all = configs();
        return len <= 1000 ? all : List.of(all.get(1), all.get(3));
    }

    /** Random values with the special ones sprinkled in: NaN, infinities, signed zeros, subnormals, huge. */
    static double[] data(SplittableRandom r, int n, boolean nonNegative) {
        double[] specials = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.0, -0.0,
            Float.MIN_VALUE, Double.MIN_VALUE, 3e38, -3e38, 1e300, 1e-40};
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            double x = r.nextInt(13) == 0 ? specials[r.nextInt(specials.length)] : r.nextGaussian();
            a[i] = nonNegative ? Math.abs(x) : x;
        }
        return a;
    }

    @Test
    void floatSegmentsMatchTheArrayReference() {
        SplittableRandom r = new SplittableRandom(11);
        try (Arena arena = Arena.ofConfined()) {
            for (AdamKernel_F32 k : kernels_F32()) {
                for (int len : sizes(k.lanes())) {
                    for (AdamConfig c : configs(len)) {
                        int off = r.nextInt(9);
                        int n = off + len + 1 + r.nextInt(3);
                        for (boolean split : new boolean[] {false, true}) {
                            check(new Operands_F32(k, data(r, n), arena), c, off, len, split);
                        }
                    }
                }
            }
        }
    }

    @Test
    void doubleSegmentsMatchTheArrayReference() {
        SplittableRandom r = new SplittableRandom(12);
        try (Arena arena = Arena.ofConfined()) {
            for (AdamKernel_F64 k : kernels_F64()) {
                for (int len : sizes(k.lanes())) {
                    for (AdamConfig c : configs(len)) {
                        int off = r.nextInt(9);
                        int n = off + len + 1 + r.nextInt(3);
                        for (boolean split : new boolean[] {false, true}) {
                            check(new Operands_F64(k, data(r, n), arena), c, off, len, split);
                        }
                    }
                }
            }
        }
    }

    /** p, g, m, v, vmax: the last two must not be negative. */
    static double[][] data(SplittableRandom r, int n) {
        double[][] d = new double[5][];
        for (int j = 0; j < 5; j++) {
            d[j] = data(r, n, j >= 3);
        }
        return d;
    }

    /**
     * The same data as arrays (for the reference) and as native segments (for the kernel), in one precision. Operand
     * j is p, g, m, v, vmax for j = 0..4.
     */
    private abstract static class Operands {
        final MemorySegment[] s = new MemorySegment[5];
        final int n;

        Operands(int n) {
            this.n = n;
        }

        /** One step of the reference on the arrays: fused, or moments then params. */
        abstract void reference(AdamStep st, boolean split, int off, int len);

        /** The same step of the kernel on the segments. */
        abstract void kernel(AdamStep st, boolean split, long off, long len);

        /** Element i of array operand j as canonical bits (every NaN alike). */
        abstract long arrayBits(int j, int i);

        abstract long segmentBits(int j, int i);

        abstract String kernelName();
    }

    private static final class Operands_F32 extends Operands {
        final AdamKernel_F32 k;
        final float[][] a = new float[5][];

        Operands_F32(AdamKernel_F32 k, double[][] d, Arena arena) {
            super(d[0].length);
            this.k = k;
            for (int j = 0; j < 5; j++) {
                a[j] = new float[n];
                s[j] = arena.allocate((long) n * Float.BYTES, 64);
                for (int i = 0; i < n; i++) {
                    a[j][i] = (float) d[j][i];
                    s[j].setAtIndex(F, i, (float) d[j][i]);
                }
            }
        }

        @Override
        void reference(AdamStep st, boolean split, int off, int len) {
            if (split) {
                AdamReference_F32.moments(st, a[0], a[1], a[2], a[3], a[4], off, len);
                AdamReference_F32.params(st, a[0], a[2], a[3], a[4], off, len);
            } else {
                AdamReference_F32.fused(st, a[0], a[1], a[2], a[3], a[4], off, len);
            }
        }

        @Override
        void kernel(AdamStep st, boolean split, long off, long len) {
            if (split) {
                k.moments(st, s[0], s[1], s[2], s[3], s[4], off, len);
                k.params(st, s[0], s[2], s[3], s[4], off, len);
            } else {
                k.fused(st, s[0], s[1], s[2], s[3], s[4], off, len);
            }
        }

        @Override
        long arrayBits(int j, int i) {
            return Float.floatToIntBits(a[j][i]);
        }

        @Override
        long segmentBits(int j, int i) {
            return Float.floatToIntBits(s[j].getAtIndex(F, i));
        }

        @Override
        String kernelName() {
            return k.toString();
        }
    }

    private static final class Operands_F64 extends Operands {
        final AdamKernel_F64 k;
        final double[][] a = new double[5][];

        Operands_F64(AdamKernel_F64 k, double[][] d, Arena arena) {
            super(d[0].length);
            this.k = k;
            for (int j = 0; j < 5; j++) {
                a[j] = d[j].clone();
                s[j] = arena.allocate((long) n * Double.BYTES, 64);
                MemorySegment.copy(a[j], 0, s[j], D, 0, n);
            }
        }

        @Override
        void reference(AdamStep st, boolean split, int off, int len) {
            if (split) {
                AdamReference_F64.moments(st, a[0], a[1], a[2], a[3], a[4], off, len);
                AdamReference_F64.params(st, a[0], a[2], a[3], a[4], off, len);
            } else {
                AdamReference_F64.fused(st, a[0], a[1], a[2], a[3], a[4], off, len);
            }
        }

        @Override
        void kernel(AdamStep st, boolean split, long off, long len) {
            if (split) {
                k.moments(st, s[0], s[1], s[2], s[3], s[4], off, len);
                k.params(st, s[0], s[2], s[3], s[4], off, len);
            } else {
                k.fused(st, s[0], s[1], s[2], s[3], s[4], off, len);
            }
        }

        @Override
        long arrayBits(int j, int i) {
            return Double.doubleToLongBits(a[j][i]);
        }

        @Override
        long segmentBits(int j, int i) {
            return Double.doubleToLongBits(s[j].getAtIndex(D, i));
        }

        @Override
        String kernelName() {
            return k.toString();
        }
    }

    /** Steps both sides {@link #STEPS} times, comparing every element after each; outside the slice nothing moves. */
    private static void check(Operands o, AdamConfig c, int off, int len, boolean split) {
        long[][] before = new long[5][o.n];
        for (int j = 0; j < 5; j++) {
            for (int i = 0; i < o.n; i++) {
                before[j][i] = o.segmentBits(j, i);
            }
        }
        for (int t = 1; t <= STEPS; t++) {
            AdamStep st = c.step(t);
            o.reference(st, split, off, len);
            o.kernel(st, split, off, len);
            for (int j = 0; j < 5; j++) {
                for (int i = 0; i < o.n; i++) {
                    if (o.arrayBits(j, i) != o.segmentBits(j, i)) {
                        throw new AssertionError(o.kernelName() + " " + c + (split ? " moments+params" : " fused")
                                + " n=" + o.n + " off=" + off + " len=" + len + " step " + t + " operand " + j
                                + " element " + i + ": reference bits " + Long.toHexString(o.arrayBits(j, i))
                                + ", segment bits " + Long.toHexString(o.segmentBits(j, i)));
                    }
                }
            }
        }
        for (int j = 0; j < 5; j++) {
            for (int i = 0; i < o.n; i++) {
                if (i < off || i >= off + len) {
                    assertEquals(before[j][i], o.segmentBits(j, i), "element " + i + " outside the slice was written");
                }
            }
        }
    }

    @Test
    void heapSegmentsTakeTheReferenceLoopWithTheSameBits() {
        AdamConfig c = configs().get(1);
        SplittableRandom r = new SplittableRandom(5);
        int n = 1031;
        float[][] a = new float[5][n];
        float[][] b = new float[5][n];
        for (int j = 0; j < 5; j++) {
            double[] d = data(r, n, j >= 3);
            for (int i = 0; i < n; i++) {
                a[j][i] = b[j][i] = (float) d[i];
            }
        }
        for (AdamKernel_F32 k : kernels_F32()) {
            for (int t = 1; t <= STEPS; t++) {
                AdamStep st = c.step(t);
                AdamReference_F32.fused(st, a[0], a[1], a[2], a[3], a[4], 3, n - 5);
                k.fused(st, MemorySegment.ofArray(b[0]), MemorySegment.ofArray(b[1]), MemorySegment.ofArray(b[2]),
                        MemorySegment.ofArray(b[3]), MemorySegment.ofArray(b[4]), 3, n - 5);
            }
            for (int j = 0; j < 5; j++) {
                for (int i = 0; i < n; i++) {
                    assertEquals(Float.floatToIntBits(a[j][i]), Float.floatToIntBits(b[j][i]), k + " element " + i);
                }
            }
        }
    }

    /**
     * A slice starting past element 2^31 of memory-mapped operands (a sparse file: only the touched pages take disk
     * and memory), against the same data in small heap arrays.
     */
    @Test
    void aSliceBeyondElement2To31OfMappedSegments(@TempDir Path dir) throws IOException {
        long start = (1L << 31) + 5;
        int len = 3 * 4096 + 7; // long enough for the parallel kernel to split it
        long n = start + len + 3;
        int local = 5; // where the slice starts in the heap copy
        int m = local + len + 3;
        AdamConfig c = configs().get(1);
        for (AdamKernel_F32 k : kernels_F32()) {
            Path file = dir.resolve("operands-" + k.name() + ".f32");
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                    StandardOpenOption.WRITE, StandardOpenOption.SPARSE);
                    Arena arena = Arena.ofShared()) {
                long bytes = n * Float.BYTES;
                MemorySegment all = ch.map(FileChannel.MapMode.READ_WRITE, 0, 5 * bytes, arena);
                MemorySegment[] s = new MemorySegment[5];
                float[][] a = new float[5][m];
                SplittableRandom r = new SplittableRandom(99);
                for (int j = 0; j < 5; j++) {
                    s[j] = all.asSlice(j * bytes, bytes);
                    double[] d = data(r, m, j >= 3);
                    for (int i = 0; i < m; i++) {
                        a[j][i] = (float) d[i];
                        s[j].setAtIndex(F, start - local + i, (float) d[i]);
                    }
                }
                for (int t = 1; t <= STEPS; t++) {
                    AdamStep st = c.step(t);
                    AdamReference_F32.fused(st, a[0], a[1], a[2], a[3], a[4], local, len);
                    k.fused(st, s[0], s[1], s[2], s[3], s[4], start, len);
                }
                for (int j = 0; j < 5; j++) {
                    for (int i = 0; i < m; i++) {
                        float got = s[j].getAtIndex(F, start - local + i);
                        assertEquals(Float.floatToIntBits(a[j][i]), Float.floatToIntBits(got),
                                k + " operand " + j + " element " + (start - local + i));
                    }
                }
                assertEquals(0f, s[0].getAtIndex(F, 0), "the untouched start of the file reads as zeros");
            }
            Files.delete(file);
        }
    }

    @Test
    void badSegmentsAreRefusedBeforeAnythingIsWritten() {
        AdamKernel_F32 k = AdamKernels.f32();
        AdamStep st = AdamConfig.defaults().step(1);
        MemorySegment[] s = new MemorySegment[4];
        Arena closed = Arena.ofConfined();
        try (Arena arena = Arena.ofConfined()) {
            for (int j = 0; j < 4; j++) {
                s[j] = arena.allocate(64 * Float.BYTES);
                s[j].setAtIndex(F, 0, 1f + j);
            }
            MemorySegment dead = closed.allocate(64 * Float.BYTES);
            closed.close();
            var e = assertThrows(IllegalArgumentException.class, () -> k.fused(st, dead, s[1], s[2], s[3], null));
            assertTrue(e.getMessage().contains("arena is closed"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> k.fused(st, s[0], s[1], s[2], s[3].asSlice(0, 60 * Float.BYTES), null));
            assertTrue(e.getMessage().contains("v has 60"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> k.fused(st, s[0], s[1], s[2], s[3], null, 60, 5));
            assertTrue(e.getMessage().contains("does not fit"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> k.fused(st, s[0], s[1], s[0], s[3], null));
            assertTrue(e.getMessage().contains("overlap"), e.getMessage());
            MemorySegment big = arena.allocate(128 * Float.BYTES);
            e = assertThrows(IllegalArgumentException.class, () -> k.fused(st, big.asSlice(0, 256),
                    s[1], big.asSlice(128, 256), s[3], null));
            assertTrue(e.getMessage().contains("overlap"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> k.fused(st, s[0].asReadOnly(), s[1], s[2], s[3], null));
            assertTrue(e.getMessage().contains("read-only"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> k.fused(st, s[0].asSlice(0, 7), s[1].asSlice(0, 7), s[2].asSlice(0, 7), s[3].asSlice(0, 7),
                            null));
            assertTrue(e.getMessage().contains("not a whole number"), e.getMessage());
            for (int j = 0; j < 4; j++) {
                assertEquals(1f + j, s[j].getAtIndex(F, 0), "operand " + j + " was written by a refused call");
            }
            assertFalse(dead.scope().isAlive());
        }
    }
}
