package org.adam4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.adam4j.reference.AdamConfig;
import org.adam4j.reference.AdamStep;
import org.adam4j.reference.RmspropConfig;
import org.adam4j.reference.RmspropStep;
import org.adam4j.reference.SgdConfig;
import org.adam4j.reference.SgdStep;
import org.junit.jupiter.api.Test;

/**
 * The segment operations allocate nothing per call once compiled, on native segments and on heap segments over
 * arrays (which take the array loops through {@code MemorySegment.heapBase}, whose {@code Optional} the JIT must not
 * keep), also in one JVM that runs both kinds through the same kernel, as an application mixing them would.
 */
class SegmentAllocationTest {
    @Test
    void nativeAndHeapSegmentStepsAllocateNothingPerCall() {
        int n = 1024;
        AdamKernel_F32 k = AdamKernels.f32();
        AdamStep adam = AdamConfig.builder().decoupled(0.01).build().step(5);
        SgdStep sgd = SgdConfig.builder().lr(0.01).momentum(0.9).build().step(5);
        RmspropStep rms = RmspropConfig.builder().centered(true).momentum(0.5).build().step(5);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment[] nat = new MemorySegment[5];
            MemorySegment[] heap = new MemorySegment[5];
            for (int i = 0; i < 5; i++) {
                nat[i] = arena.allocate(4L * n, 64);
                heap[i] = MemorySegment.ofArray(new float[n]);
                nat[i].fill((byte) 0x3c);
                heap[i].fill((byte) 0x3c);
            }
            MemorySegment[][] kinds = {nat, heap};
            Runnable calls = () -> {
                for (MemorySegment[] s : kinds) {
                    k.fused(adam, s[0], s[1], s[2], s[3], null, 0, n);
                    k.sgd(sgd, s[0], s[1], s[2], 0, n);
                    k.rmsprop(rms, s[0], s[1], s[2], s[3], s[4], 0, n);
                }
            };
            long perCall = AllocationCounter.bytesPerCall(calls, 6, 10_000, 1_000, 20);
            assertEquals(0, perCall, "bytes allocated per segment call");
        }
    }
}
