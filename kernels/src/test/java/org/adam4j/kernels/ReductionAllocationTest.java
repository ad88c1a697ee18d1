package org.adam4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The guarded step's passes ({@code sumOfSquares}, {@code blockSums}, {@code maxAbs}, {@code scale},
 * {@code updateStats}, Adam's {@code fusedWithStats}) allocate nothing per call once compiled, at every lane width, on
 * arrays and native segments, with a partial last row (the one-lane {@code double} kernel, which the JIT never
 * compiles, aside): a Vector API operation the JIT does not compile at some width boxes every vector (masked loads and
 * {@code slice} did, before the tail was summed on its own).
 */
class ReductionAllocationTest {
    @Test
    void everyKernelsReductionsAllocateNothingPerCall() {
        int n = 2 * 2048 + 37;
        float[] x = new float[n], y = new float[n], before = new float[n];
        double[] dx = new double[n], out = new double[8];
        // Adam's step with its statistics in one pass (the 512-bit float loop; the others decline and write nothing)
        float[] p = new float[n], g = new float[n], m = new float[n], v = new float[n];
        org.adam4j.reference.AdamStep adam = org.adam4j.reference.AdamConfig.builder().lr(1e-4).build().step(3);
        for (int i = 0; i < n; i++) {
            x[i] = (float) Math.sin(i);
            y[i] = x[i] * 1.001f;
            dx[i] = Math.cos(i);
            p[i] = (float) Math.cos(i);
            g[i] = (float) Math.sin(0.5 * i);
        }
        List<String> allocating = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(4L * n, 64);
            MemorySegment.copy(x, 0, seg, java.lang.foreign.ValueLayout.JAVA_FLOAT, 0, n);
            List<AdamKernel_F32> f32 = AdamKernels.all_F32();
            List<AdamKernel_F64> f64 = AdamKernels.all_F64();
            assertTrue(f32.size() >= 1);
            for (int k = 0; k < f32.size(); k++) {
                AdamKernel_F32 a = f32.get(k);
                // a double vector of 64 bits holds one lane, which C2 never compiles (see ./adam4j info)
                AdamKernel_F64 b = f64.get(k).lanes() == 1 && !f64.get(k).name().equals(AdamKernels.SCALAR)
                        ? f64.get(0) : f64.get(k);
                double[] sink = new double[1];
                Runnable calls = () -> {
                    sink[0] += a.sumOfSquares(x, 0.5f, 0, n);
                    a.blockSums(x, 1f, 1, n - 1, out, 0);
                    sink[0] += a.sumOfSquares(seg, 1f, 3, n - 3);
                    sink[0] += a.maxAbs(x, 2f, 0, n) + a.maxAbs(seg, 1f, 0, n);
                    a.scale(x, 1f, 1f, 0, n);
                    sink[0] += a.updateStats(before, y, 2048, out, out, 1) + a.updateStats(before, y, 37, out, out, 2);
                    sink[0] += a.fusedWithStats(adam, p, g, m, v, null, 0, n, out, out, out, 0) ? out[2] : 0;
                    sink[0] += b.sumOfSquares(dx, 1.0, 0, n) + b.maxAbs(dx, 1.0, 0, n);
                };
                long perCall = AllocationCounter.bytesPerCall(calls, 10, 3_000, 300, 20);
                if (perCall != 0) {
                    allocating.add(a.name() + ": " + perCall + " bytes per call");
                }
                assertTrue(Double.isFinite(sink[0]));
            }
        }
        assertEquals(List.of(), allocating);
    }
}
