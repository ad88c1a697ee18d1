package org.adam4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

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
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.adam4j.reference.AdamConfig;
import org.adam4j.reference.AdamReference_F32;
import org.adam4j.reference.AdamReference_F64;
import org.adam4j.reference.AdamStep;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Adam's segment operations of every kernel (each lane width, the scalar one, parallel ones on 1, 2 and 3 threads), on
 * native and on heap segments, against the reference's array operations on the same data, bit for bit: sizes around
 * lane multiples, random offsets, special values, several steps, and elements outside the slice that must stay as
 * they were. (The other algorithms' segment operations are held to their references by
 * {@code AlgorithmKernelEquivalenceTest}.)
 */
class SegmentKernelTest {
    private static final int STEPS = KernelEquivalenceTest.STEPS;
    private static final ValueLayout.OfFloat F = AdamReference_F32.LAYOUT;
    private static final ValueLayout.OfDouble D = AdamReference_F64.LAYOUT;
    /** Variants that between them take every branch of the kernels, for the long sizes. */
    private static final Set<String> LONG_SIZE_VARIANTS = Set.of("everything", "fully-decoupled-scheduled",
            "edge-zero-betas-eps-lr");

    /** For the float-only tests: every operand in use (AMSGrad), and the branches L2 and maximize. */
    private static final AdamConfig L2_AMSGRAD_MAXIMIZE =
            AdamConfig.builder().lr(0.01).l2(0.1).maximize(true).amsgrad(true).build();

    static List<AdamKernel_F32> kernels_F32() {
        List<AdamKernel_F32> all = new ArrayList<>(AdamKernels.all_F32());
        for (int threads = 1; threads <= 3; threads++) {
            all.add(AdamKernels.f32().parallel(threads));
        }
        return all;
    }

    /**
     * Sizes around the lane multiples on every variant; 1000, 4099 and, for the parallel kernel, one it splits three
     * ways on a few (the widths wider than the hardware's are emulated, slowly).
     */
    @TestFactory
    Stream<DynamicTest> everyKernelOnSegmentsMatchesTheArrayReference() {
        List<DynamicTest> tests = new ArrayList<>();
        for (boolean f32 : new boolean[] {true, false}) {
            List<Object> kernels = new ArrayList<>(f32 ? AdamKernels.all_F32() : AdamKernels.all_F64());
            for (int threads = 1; threads <= 3; threads++) {
                kernels.add(f32 ? AdamKernels.f32().parallel(threads) : AdamKernels.f64().parallel(threads));
            }
            for (Object kernel : kernels) {
                int lanes = f32 ? ((AdamKernel_F32) kernel).lanes() : ((AdamKernel_F64) kernel).lanes();
                boolean parallel = kernel.toString().contains("threads");
                for (KernelEquivalenceTest.Variant variant : KernelEquivalenceTest.variants()) {
                    List<Integer> sizes = new ArrayList<>(List.of(0, 1, lanes - 1, lanes, lanes + 1, 2 * lanes - 1,
                            2 * lanes + 1));
                    if (LONG_SIZE_VARIANTS.contains(variant.name())) {
                        sizes.addAll(List.of(1000, 4099));
                        if (parallel) {
                            sizes.add(3 * ParallelChunks.MIN_CHUNK + 77);
                        }
                    }
                    for (boolean heap : new boolean[] {false, true}) {
                        tests.add(DynamicTest.dynamicTest((f32 ? "f32 " : "f64 ") + kernel + " " + variant.name()
                                + (heap ? " heap" : " native"), () -> run(f32, kernel, variant, sizes, heap)));
                    }
                }
            }
        }
        return tests.stream();
    }

    private static void run(boolean f32, Object kernel, KernelEquivalenceTest.Variant variant, List<Integer> sizes,
            boolean heap) {
        SplittableRandom r = new SplittableRandom(variant.name().hashCode() * 31L + sizes.size());
        try (Arena arena = Arena.ofShared()) {
            for (int size : sizes) {
                for (boolean split : new boolean[] {false, true}) {
                    int off = r.nextInt(0, 9);
                    int n = off + size + 1 + r.nextInt(0, 3);
                    double special = r.nextBoolean() ? 0.0 : 0.1;
                    Operands ref = Operands.random(f32, n, r, special);
                    Segments ours = new Segments(ref, heap ? null : arena);
                    long[][] before = ours.bits();
                    for (long t = variant.firstStep(); t < variant.firstStep() + STEPS; t++) {
                        AdamStep s = variant.step(t);
                        ours.step(kernel, s, split, off, size);
                        ref.referenceFused(s, off, size);
                        long[][] got = ours.bits();
                        for (int a = 0; a < 5; a++) {
                            for (int i = 0; i < n; i++) {
                                if (got[a][i] != ref.bits(a, i)) {
                                    fail(kernel + (split ? " split " : " fused ") + variant.name() + " size " + size
                                            + " offset " + off + " step " + t + ": " + Operands.NAMES[a] + "[" + i
                                            + "] has bits " + Long.toHexString(got[a][i]) + ", the reference "
                                            + Long.toHexString(ref.bits(a, i)));
                                }
                                if (i < off || i >= off + size) {
                                    assertEquals(before[a][i], got[a][i], "written outside the slice");
                                }
                            }
                        }
                        ref.newGradient(r, special, off, size);
                        ours.copyOperand(ref, 1);
                    }
                }
            }
        }
    }

    /**
     * The operands of an {@link Operands} copied into segments of the same precision: native ones from
     * {@code arena}, or heap ones wrapping arrays without it.
     */
    private static final class Segments {
        final boolean f32;
        final MemorySegment[] s = new MemorySegment[5];

        Segments(Operands o, Arena arena) {
            this.f32 = o.f32;
            for (int a = 0; a < 5; a++) {
                s[a] = arena != null ? arena.allocate((long) o.length() * (f32 ? Float.BYTES : Double.BYTES), 64)
                        : f32 ? MemorySegment.ofArray(new float[o.length()])
                        : MemorySegment.ofArray(new double[o.length()]);
                copyOperand(o, a);
            }
        }

        void copyOperand(Operands o, int a) {
            if (f32) {
                MemorySegment.copy((float[]) o.arrays[a], 0, s[a], F, 0, o.length());
            } else {
                MemorySegment.copy((double[]) o.arrays[a], 0, s[a], D, 0, o.length());
            }
        }

        void step(Object kernel, AdamStep st, boolean split, long off, long len) {
            if (f32) {
                AdamKernel_F32 k = (AdamKernel_F32) kernel;
                if (split) {
                    k.moments(st, s[0], s[1], s[2], s[3], s[4], off, len);
                    k.params(st, s[0], s[2], s[3], s[4], off, len);
                } else {
                    k.fused(st, s[0], s[1], s[2], s[3], s[4], off, len);
                }
            } else {
                AdamKernel_F64 k = (AdamKernel_F64) kernel;
                if (split) {
                    k.moments(st, s[0], s[1], s[2], s[3], s[4], off, len);
                    k.params(st, s[0], s[2], s[3], s[4], off, len);
                } else {
                    k.fused(st, s[0], s[1], s[2], s[3], s[4], off, len);
                }
            }
        }

        /** Every element's bits, NaNs canonical. */
        long[][] bits() {
            long[][] b = new long[5][];
            for (int a = 0; a < 5; a++) {
                b[a] = new long[(int) (s[a].byteSize() / (f32 ? Float.BYTES : Double.BYTES))];
                for (int i = 0; i < b[a].length; i++) {
                    b[a][i] = f32 ? Float.floatToIntBits(s[a].getAtIndex(F, i))
                            : Double.doubleToLongBits(s[a].getAtIndex(D, i));
                }
            }
            return b;
        }
    }

    /** Random values with the special ones sprinkled in, for the float-only tests below. */
    static double[] data(SplittableRandom r, int n, boolean nonNegative) {
        double[] specials = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.0, -0.0,
            Float.MIN_VALUE, 3e38, -3e38, 1e-40};
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            double x = r.nextInt(13) == 0 ? specials[r.nextInt(specials.length)] : r.nextGaussian();
            a[i] = nonNegative ? Math.abs(x) : x;
        }
        return a;
    }

    /** Heap and native operands mixed in one call, the gradient read-only, give the array reference's bits. */
    @Test
    void mixedHeapAndNativeSegmentsGiveTheSameBits() {
        AdamConfig c = L2_AMSGRAD_MAXIMIZE;
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
            try (Arena arena = Arena.ofShared()) {
                // p, m and vmax wrap arrays; g (read-only) and v are native copies.
                MemorySegment[] s = new MemorySegment[5];
                for (int j = 0; j < 5; j++) {
                    if (j % 2 == 0) {
                        s[j] = MemorySegment.ofArray(b[j]);
                    } else {
                        s[j] = arena.allocate((long) n * Float.BYTES);
                        MemorySegment.copy(b[j], 0, s[j], F, 0, n);
                    }
                }
                for (int t = 1; t <= STEPS; t++) {
                    AdamStep st = c.step(t);
                    AdamReference_F32.fused(st, a[0], a[1], a[2], a[3], a[4], 3, n - 5);
                    k.fused(st, s[0], s[1].asReadOnly(), s[2], s[3], s[4], 3, n - 5);
                }
                for (int j = 0; j < 5; j++) {
                    float[] got = s[j].toArray(F);
                    for (int i = 0; i < n; i++) {
                        assertEquals(Float.floatToIntBits(a[j][i]), Float.floatToIntBits(got[i]),
                                k + " operand " + j + " element " + i);
                    }
                }
            }
            for (int j = 0; j < 5; j++) {
                b[j] = a[j].clone();
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
        AdamConfig c = L2_AMSGRAD_MAXIMIZE;
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
