package org.adam4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.adam4j.reference.AdagradConfig;
import org.adam4j.reference.AdagradReference_F32;
import org.adam4j.reference.AdamConfig;
import org.adam4j.reference.AdamStep;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The facade's choice and its refusals. Runs twice (see kernels/pom.xml): with the vector module, and without it,
 * where the facade must fall back to the scalar kernels.
 */
class AdamKernelsTest {
    static final boolean SCALAR_ONLY = Boolean.getBoolean("adam4j.expectScalarOnly");

    @Test
    void choosesThePreferredWidthOnceOrFallsBackToScalar() {
        assertEquals(!SCALAR_ONLY, AdamKernels.vectorAvailable());
        if (SCALAR_ONLY) {
            assertEquals("scalar", AdamKernels.f32().name());
            assertEquals("scalar", AdamKernels.f64().name());
            assertEquals(List.of("scalar"), AdamKernels.names());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> AdamKernels.f32("vector-256"));
            assertTrue(e.getMessage().contains("--add-modules jdk.incubator.vector"), e.getMessage());
        } else {
            int bits = AdamKernels.preferredBits_F32().orElseThrow();
            assertEquals("vector-" + bits, AdamKernels.f32().name());
            assertSame(AdamKernels.f32(), AdamKernels.f32("vector"));
            assertSame(AdamKernels.f64(), AdamKernels.f64("vector"));
            assertEquals(List.of("scalar", "vector", "vector-64", "vector-128", "vector-256", "vector-512"),
                    AdamKernels.names());
            for (int w : AdamKernels.WIDTHS) {
                assertEquals(w / 32, AdamKernels.f32("vector-" + w).lanes());
                assertEquals(Math.max(1, w / 64), AdamKernels.f64("VECTOR-" + w).lanes());
            }
        }
        assertSame(AdamKernels.f32(), AdamKernels.f32(), "chosen once");
    }

    /** The kernel the facade picks runs the other algorithms too, with their references' bits. */
    @Test
    void theDefaultKernelComputesTheReferencesBitsForEveryAlgorithm() {
        AdagradConfig c = AdagradConfig.builder().lrDecay(0.1).weightDecay(0.01).build();
        int n = 37;
        float[] p = new float[n], g = new float[n], sum = new float[n];
        for (int i = 0; i < n; i++) {
            p[i] = (float) Math.sin(i);
            g[i] = (float) Math.cos(3 * i);
        }
        float[] p2 = p.clone(), sum2 = sum.clone();
        for (int t = 1; t <= 3; t++) {
            AdamKernels.f32().adagrad(c.step(t), p, g, sum, 0, n);
            AdagradReference_F32.step(c.step(t), p2, g, sum2, 0, n);
        }
        assertTrue(java.util.Arrays.equals(p2, p) && java.util.Arrays.equals(sum2, sum));
        assertTrue(p[0] != 0f, "the step moved the parameters");
    }

    @Test
    void unknownNamesAreRefusedListingTheKnownOnes() {
        for (String bad : new String[] {"vector-32", "avx", "vector-", "", "vector-1024"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AdamKernels.f32(bad));
            assertTrue(e.getMessage().contains("expected one of scalar, vector, vector-64"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> AdamKernels.f64(bad));
        }
        assertThrows(IllegalArgumentException.class, () -> AdamKernels.f32(null));
        assertThrows(IllegalArgumentException.class, () -> AdamKernels.f32("scalar").parallel(0));
    }

    /** Every kernel refuses a bad call with a clear message before writing anything. */
    @Test
    void badSlicesAreRefusedBeforeAnythingIsWritten() {
        AdamStep s = AdamConfig.defaults().step(1);
        AdamStep ams = AdamConfig.builder().amsgrad(true).build().step(1);
        List<Object> kernels = new ArrayList<>(AdamKernels.all_F32());
        kernels.add(AdamKernels.f32().parallel(2));
        for (Object k : kernels) {
            AdamKernel_F32 kernel = (AdamKernel_F32) k;
            float[] p = arr(10), g = arr(10), m = arr(10), v = arr(10), vmax = arr(10);
            float[][] all = {p, g, m, v, vmax};
            float[][] before = {p.clone(), g.clone(), m.clone(), v.clone(), vmax.clone()};
            refused("does not fit arrays of length 10", () -> kernel.fused(s, p, g, m, v, vmax, -1, 3));
            refused("does not fit arrays of length 10", () -> kernel.fused(s, p, g, m, v, vmax, 0, -1));
            refused("does not fit arrays of length 10", () -> kernel.fused(s, p, g, m, v, vmax, 8, 3));
            refused("does not fit arrays of length 10", () -> kernel.fused(s, p, g, m, v, vmax, 1, Integer.MAX_VALUE));
            refused("g has 9", () -> kernel.fused(s, p, arr(9), m, v, vmax, 0, 9));
            refused("v has 11", () -> kernel.moments(s, p, g, m, arr(11), vmax, 0, 5));
            refused("same array", () -> kernel.fused(s, p, p, m, v, vmax, 0, 10));
            refused("same array", () -> kernel.fused(s, p, g, m, m, vmax, 0, 10));
            refused("same array", () -> kernel.params(s, p, m, p, vmax, 0, 10));
            refused("same array", () -> kernel.fused(ams, p, g, m, v, v, 0, 10));
            refused("vmax", () -> kernel.fused(ams, p, g, m, v, null, 0, 10));
            refused("vmax has 3", () -> kernel.params(ams, p, m, v, arr(3), 0, 3));
            refused("p is null", () -> kernel.fused(s, null, g, m, v, vmax, 0, 0));
            refused("step scalars are null", () -> kernel.fused(null, p, g, m, v, vmax, 0, 1));
            for (int a = 0; a < all.length; a++) {
                for (int i = 0; i < 10; i++) {
                    assertEquals(Float.floatToIntBits(before[a][i]), Float.floatToIntBits(all[a][i]),
                            kernel + " wrote before refusing");
                }
            }
            // vmax is not needed, and not looked at, without AMSGrad
            kernel.fused(s, p, g, m, v, null, 0, 10);
        }
        AdamKernel_F64 k64 = AdamKernels.f64();
        double[] p = new double[4];
        refused("same array", () -> k64.fused(s, p, p, new double[4], new double[4], null, 0, 4));
        refused("does not fit", () -> k64.params(s, p, new double[4], new double[4], null, 2, 3));
    }

    @Test
    void theParallelPathSplitsOnCacheLinesAndGivesTheSameBits() {
        int n = 5 * ParallelChunks.MIN_CHUNK + 13;
        List<int[]> chunks = java.util.Collections.synchronizedList(new ArrayList<>());
        new ParallelChunks(4, 16, null).run(3, n, (off, len) -> chunks.add(new int[] {off, len}));
        chunks.sort(java.util.Comparator.comparingInt(c -> c[0]));
        assertEquals(4, chunks.size());
        int next = 3;
        for (int[] c : chunks) {
            assertEquals(next, c[0], "chunks tile the slice");
            next = c[0] + c[1];
            if (c[0] != 3) {
                assertEquals(0, c[0] % 16, "inner boundaries fall on a cache line");
            }
        }
        assertEquals(3 + n, next);
        RuntimeException boom = assertThrows(RuntimeException.class,
                () -> new ParallelChunks(3, 16, null).run(0, n, (off, len) -> {
                    if (off > 0) {
                        throw new IllegalStateException("chunk failed");
                    }
                }));
        assertEquals("chunk failed", boom.getMessage(), "a worker's failure reaches the caller");

        SplittableRandom r = new SplittableRandom(7);
        Operands one = Operands.random(true, n, r, 0.0);
        Operands seven = one.copy();
        AdamStep s = AdamConfig.defaults().step(1);
        one.fused(AdamKernels.f32(), s, 0, n);
        seven.fused(AdamKernels.f32().parallel(7, Runnable::run), s, 0, n);
        assertEquals(null, seven.firstDifference(one));
    }

    private static float[] arr(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = 0.25f * (i + 1);
        }
        return a;
    }

    private static void refused(String part, Executable e) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
        assertTrue(ex.getMessage().contains(part), "message '" + ex.getMessage() + "' lacks '" + part + "'");
    }
}
