package org.adam4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import org.adam4j.reference.AdamConfig;
import org.adam4j.reference.AdamStep;
import org.adam4j.reference.Bf16;
import org.adam4j.reference.LowPrecision;
import org.adam4j.reference.Rounding;
import org.junit.jupiter.api.Test;

/**
 * Once compiled, the bfloat16 and float16 Adam steps rounded to nearest allocate nothing per call at 128, 256 and 512
 * bits (float16's widened copies are each thread's, made on its first call), plain
 * and with AMSGrad and decoupled decay (after the other tests have run every option through it), over a slice with a
 * tail: a Vector API operation the JIT does not compile boxes every vector.
 *
 * <p>Not yet so, and left out: 64 bits, where the narrowing of {@code Bf16Vectors_64} (2 {@code int} lanes into half
 * of a 4-lane {@code short} vector) is not intrinsified by JDK 25's C2 and boxes, as in {@code Bf16ConversionsTest};
 * stochastic rounding once more than one set of options has run (its loop then reaches C2's node count limit for
 * inlining, NodeCountInliningCutoff, and boxes: about 20 to 30 bytes per element; with one set of options it
 * allocates nothing); and Kahan rounding, whose passes reach that limit at every width (see
 * {@code VectorLowPrecisionAdam_256.kahan}).
 */
class LowPrecisionAdamAllocationTest {
    @Test
    void theVectorKernelsAllocateNothingPerCall() {
        assumeTrue(AdamKernels.vectorAvailable(), "no vector module");
        int n = 1003;
        short[] p = new short[n], g = new short[n];
        float[] m = new float[n], v = new float[n], vmax = new float[n];
        short[] h = new short[n], hg = new short[n];
        for (int i = 0; i < n; i++) {
            p[i] = Bf16.fromFloatNearestEven(1 + i * 0x1p-12f);
            g[i] = Bf16.fromFloatNearestEven((float) Math.sin(i));
            h[i] = org.adam4j.reference.Fp16.fromFloatNearestEven(1 + i * 0x1p-12f);
            hg[i] = org.adam4j.reference.Fp16.fromFloatNearestEven((float) Math.sin(i));
        }
        AdamStep plain = AdamConfig.builder().lr(1e-4).build().step(3);
        AdamStep adamw = AdamConfig.builder().lr(1e-4).decoupled(0.01).amsgrad(true).build().step(4);
        List<String> allocating = new ArrayList<>();
        for (LowPrecisionAdamKernel k : LowPrecisionAdam.all()) {
            if (k.lanes() * Float.SIZE <= 64) {
                continue;
            }
            Runnable calls = () -> {
                k.fused(plain, LowPrecision.BF16, Rounding.NEAREST, p, g, m, v, null, null, 0, n, 5, 0);
                k.fused(adamw, LowPrecision.BF16, Rounding.NEAREST, p, g, m, v, vmax, null, 1, n - 1, 5, 0);
                k.fused(plain, LowPrecision.FP16, Rounding.NEAREST, h, hg, m, v, null, null, 0, n, 5, 0);
                k.fused(adamw, LowPrecision.FP16, Rounding.NEAREST, h, hg, m, v, vmax, null, 1, n - 1, 5, 0);
            };
            long perCall = AllocationCounter.bytesPerCall(calls, 2, 2_000, 500, 20);
            if (perCall != 0) {
                allocating.add(k.name() + ": " + perCall + " bytes per call");
            }
        }
        assertEquals(List.of(), allocating);
    }
}
