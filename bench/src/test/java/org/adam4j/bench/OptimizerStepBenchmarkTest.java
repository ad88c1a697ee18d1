package org.adam4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class OptimizerStepBenchmarkTest {
    @Test
    void theModelSpansTheAdvertisedSizes() {
        int min = Integer.MAX_VALUE, max = 0;
        for (int[] s : OptimizerStepBenchmark.SHAPES) {
            min = Math.min(min, s[0] * s[1]);
            max = Math.max(max, s[0] * s[1]);
        }
        assertEquals(64, min);
        assertEquals(4 << 20, max);
    }

    @Test
    void bothSidesRunAndTheOptimizerStepsEveryTensor() {
        for (String kernel : new String[] {OptimizerStepBenchmark.OPTIMIZER_API, OptimizerStepBenchmark.FLAT_KERNEL}) {
            OptimizerStepBenchmark b = new OptimizerStepBenchmark();
            b.kernel = kernel;
            b.precision = "f32";
            b.threads = 2;
            b.setup(); // checks one optimizer step against the flat kernel, bit for bit
            b.fused();
            b.release();
        }
        float[] p = new float[OptimizerStepBenchmark.totalElements()];
        try (var opt = OptimizerStepBenchmark.model(p, p.clone(), 1)) {
            assertEquals(OptimizerStepBenchmark.SHAPES.length, opt.params().size());
            opt.step();
            opt.params().forEach(q -> assertEquals(1, q.step()));
            assertEquals(0f, opt.params().get(0).expAvg().getAtIndex(ValueLayout.JAVA_FLOAT, 0));
        }
        OptimizerStepBenchmark bad = new OptimizerStepBenchmark();
        bad.kernel = "nope";
        bad.precision = "f32";
        bad.threads = 1;
        assertThrows(IllegalArgumentException.class, bad::setup);
    }
}
