package org.adam4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.adam4j.reference.Rounding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The 16-bit Adam benchmark's setup checks its kernel against the reference, and each method runs and steps. */
class LowPrecisionAdamBenchmarkTest {
    private static LowPrecisionAdamBenchmark benchmark(String kernel, String precision) {
        LowPrecisionAdamBenchmark b = new LowPrecisionAdamBenchmark();
        b.kernel = kernel;
        b.precision = precision;
        b.size = 1003;
        b.threads = 1;
        b.variant = "adam";
        return b;
    }

    @ParameterizedTest
    @CsvSource({"vector, bf16, fused", "vector-256, bf16, fusedStochastic", "scalar, fp16, fusedKahan",
        "vector-128, fp16, fused", "vector-512, bf16, fusedKahan"})
    void setupChecksTheKernelThenEachCallSteps(String kernel, String precision, String method) {
        LowPrecisionAdamBenchmark b = benchmark(kernel, precision);
        b.prepare(LowPrecisionAdamBenchmark.rounding(method));
        b.reset();
        String before = java.util.Arrays.toString(snapshot(b));
        switch (method) {
            case "fused" -> b.fused();
            case "fusedStochastic" -> b.fusedStochastic();
            default -> b.fusedKahan();
        }
        assertNotEquals(before, java.util.Arrays.toString(snapshot(b)), "the call stepped the parameters");
        b.release();
    }

    private static short[] snapshot(LowPrecisionAdamBenchmark b) {
        try {
            var f = LowPrecisionAdamBenchmark.class.getDeclaredField("p");
            f.setAccessible(true);
            return ((short[]) f.get(b)).clone();
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void refusesUnknownParametersAndAJitThatAutoVectorizesForScalarStrict() {
        assertThrows(IllegalArgumentException.class, () -> benchmark("vector", "f32").prepare(Rounding.NEAREST));
        assertThrows(IllegalArgumentException.class, () -> LowPrecisionAdamBenchmark.rounding("params"));
        assertThrows(IllegalStateException.class, () -> benchmark("scalar-strict", "bf16").prepare(Rounding.NEAREST));
        assertEquals(Rounding.STOCHASTIC, LowPrecisionAdamBenchmark.rounding("fusedStochastic"));
    }
}
