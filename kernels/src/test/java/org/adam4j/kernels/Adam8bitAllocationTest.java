package org.adam4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.adam4j.reference.AdamConfig;
import org.adam4j.reference.AdamStep;
import org.adam4j.reference.Blockwise8bit;
import org.adam4j.reference.DynamicMap;
import org.junit.jupiter.api.Test;

/**
 * Once compiled, the 8-bit Adam step allocates nothing per call at 128, 256 and 512 bits, plain and with decoupled
 * decay, L2 and maximize, over blocks with a tail and a short last block, after the other tests have run every width
 * and option through it: a Vector API operation the JIT does not compile boxes every vector, and that is what happens
 * to calls on a loop-carried vector once the Vector API's shared type profiles have seen two widths (see the vector
 * kernels' comments). The per-thread scratch is made by the first call and not counted. 64 bits is left out: JDK 25's
 * C2 intrinsifies none of its 2-lane {@code int} operations here, so it boxes throughout (the bits are the same).
 */
class Adam8bitAllocationTest {
    @Test
    void theVectorKernelsAllocateNothingPerCall() {
        assumeTrue(AdamKernels.vectorAvailable(), "no vector module");
        int n = 1003;
        float[] p = new float[n], g = new float[n];
        byte[] m = new byte[n], v = new byte[n];
        float[] mAbsmax = new float[Blockwise8bit.blocks(n, 256)], vAbsmax = new float[mAbsmax.length];
        Arrays.fill(m, (byte) DynamicMap.SIGNED.zeroCode());
        for (int i = 0; i < n; i++) {
            p[i] = 1 + i * 0x1p-12f;
            g[i] = (float) Math.sin(i);
        }
        AdamStep plain = AdamConfig.builder().lr(1e-4).build().step(3);
        AdamStep options = AdamConfig.builder().lr(1e-4).decoupled(0.01).l2(0.02).maximize(true).build().step(4);
        List<String> allocating = new ArrayList<>();
        for (Adam8bitKernel k : Adam8bit.all()) {
            if (k.lanes() * Float.SIZE <= 64) {
                continue;
            }
            Runnable calls = () -> {
                k.fused(plain, 256, p, g, m, mAbsmax, v, vAbsmax, 0, n);
                k.fused(options, 256, p, g, m, mAbsmax, v, vAbsmax, 256, n - 256);
            };
            long perCall = AllocationCounter.bytesPerCall(calls, 2, 2_000, 500, 20);
            if (perCall != 0) {
                allocating.add(k.name() + ": " + perCall + " bytes per call");
            }
        }
        assertEquals(List.of(), allocating);
    }
}
