package org.adam4j.bench;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.adam4j.reference.Rounding;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The bf16-state Adam benchmark's setup checks its kernel against the reference, and each method runs and steps. */
class AdamBf16StatesBenchmarkTest {
    private static AdamBf16StatesBenchmark benchmark(String kernel) {
        AdamBf16StatesBenchmark b = new AdamBf16StatesBenchmark();
        b.kernel = kernel;
        b.precision = "f32";
        b.statePrecision = "bf16";
        b.size = 1003;
        b.threads = 1;
        b.variant = "adam";
        return b;
    }

    @ParameterizedTest
    @CsvSource({"vector, fused", "vector-256, fusedStochastic", "scalar, fused", "vector-128, fusedStochastic",
        "vector-512, fused"})
    void setupChecksTheKernelThenEachCallSteps(String kernel, String method) throws ReflectiveOperationException {
        AdamBf16StatesBenchmark b = benchmark(kernel);
        b.prepare(LowPrecisionAdamBenchmark.rounding(method));
        b.reset();
        var m = AdamBf16StatesBenchmark.class.getDeclaredField("m");
        m.setAccessible(true);
        String before = Arrays.toString((short[]) m.get(b));
        if (method.equals("fused")) {
            b.fused();
        } else {
            b.fusedStochastic();
        }
        assertNotEquals(before, Arrays.toString((short[]) m.get(b)), "the call stepped the moments");
        b.release();
    }

    @Test
    void refusesOtherPrecisionsAndAJitThatAutoVectorizesForScalarStrict() {
        AdamBf16StatesBenchmark eight = benchmark("vector");
        eight.statePrecision = "8bit";
        assertThrows(IllegalArgumentException.class, () -> eight.prepare(Rounding.NEAREST));
        AdamBf16StatesBenchmark f64 = benchmark("vector");
        f64.precision = "f64";
        assertThrows(IllegalArgumentException.class, () -> f64.prepare(Rounding.NEAREST));
        assertThrows(IllegalStateException.class, () -> benchmark("scalar-strict").prepare(Rounding.NEAREST));
    }
}
