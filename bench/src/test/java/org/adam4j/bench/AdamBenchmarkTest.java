package org.adam4j.bench;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.adam4j.kernels.AdamKernel_F64;
import org.adam4j.kernels.AdamKernels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The benchmarks' setup: their check against the reference passes for the real kernels and catches a wrong one. */
class AdamBenchmarkTest {
    /** Splits in two on 2 threads (at least 4096 elements a chunk) and leaves a tail for every lane count. */
    private static final int SIZE = 8195;

    private static AdamBenchmark benchmark(String kernel, String precision, String variant, int threads) {
        AdamBenchmark b = new AdamBenchmark();
        b.kernel = kernel;
        b.precision = precision;
        b.variant = variant;
        b.size = SIZE;
        b.threads = threads;
        return b;
    }

    @ParameterizedTest
    @CsvSource({
        "vector-64, f32, adam, 1, fused", "vector-128, f64, adamw, 2, fused", "vector-256, f32, adamw, 2, moments",
        "vector-512, f64, adam, 1, params", "vector, f32, adam, 2, params", "scalar, f64, adamw, 1, moments",
        "vector-64, f64, adamw, 1, fused", "vector-512, f32, adamw, 2, fused", "vector, f32, adam, 1, fusedHeapSegment",
        "scalar, f64, adamw, 2, fusedHeapSegment", "vector-128, f32, adamw, 2, fusedHeapSegment",
        "vector, f32, adam, 1, gradnorm", "vector-64, f64, adam, 1, gradnorm", "scalar, f32, adam, 1, gradnorm",
        "vector, f32, adam, 1, fusedGuarded", "vector-256, f64, adamw, 2, fusedGuarded",
        "scalar, f32, adamw, 1, fusedGuarded"})
    void setupChecksTheKernelAndTheOperationThenRuns(String kernel, String precision, String variant, int threads,
            String op) {
        AdamBenchmark b = benchmark(kernel, precision, variant, threads);
        b.prepare(op);
        b.reset();
        switch (op) {
            case "fused" -> b.fused();
            case "fusedHeapSegment" -> b.fusedHeapSegment();
            case "gradnorm" -> b.gradnorm();
            case "fusedGuarded" -> {
                b.fusedGuarded();
                b.fusedGuarded();
            }
            case "moments" -> b.moments();
            default -> b.params();
        }
        b.release();
    }

    @Test
    void scalarStrictRefusesAJvmThatAutoVectorizes() {
        // Surefire's JVM runs with C2's defaults, UseSuperWord on.
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> benchmark("scalar-strict", "f32", "adam", 1).prepare("fused"));
        assertTrue(e.getMessage().contains("-XX:-UseSuperWord"), e.getMessage());
    }

    @Test
    void refusesUnknownParameters() {
        assertThrows(IllegalArgumentException.class, () -> benchmark("vector", "f16", "adam", 1).prepare("fused"));
        assertThrows(IllegalArgumentException.class, () -> benchmark("vector", "f32", "nadam", 1).prepare("fused"));
        assertThrows(IllegalArgumentException.class, () -> benchmark("vector-1024", "f32", "adam", 1).prepare("fused"));
    }

    @Test
    void verificationCatchesOneWrongBit() {
        AdamWorkload w = new AdamWorkload_F32(new OffByOneUlp_F32(SIZE - 1), AdamVariant.ADAM.step(), SIZE, 1);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> w.verify("fused"));
        assertTrue(e.getMessage().contains("p[" + (SIZE - 1) + "]"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> w.verify("params"));
        assertDoesNotThrow(() -> w.verify("moments"), "moments does not touch the spoiled element");
        e = assertThrows(IllegalStateException.class, () -> w.verify("fusedHeapSegment"));
        assertTrue(e.getMessage().contains("p[" + (SIZE - 1) + "]"), e.getMessage());
        e = assertThrows(IllegalStateException.class, () -> w.verify("gradnorm"));
        assertTrue(e.getMessage().contains("sum of squares"), e.getMessage());
    }

    @Test
    void verificationLeavesTheInitialStateAndResetRestoresIt() {
        AdamKernel_F64 k = AdamKernels.f64("vector");
        AdamWorkload_F64 a = new AdamWorkload_F64(k, AdamVariant.ADAMW.step(), 1000, 7);
        AdamWorkload_F64 b = new AdamWorkload_F64(k, AdamVariant.ADAMW.step(), 1000, 7);
        a.verify("fused");
        // After verify, a holds the initial state again: one step of each must agree, and a reset must repeat it.
        a.fused();
        b.fused();
        a.reset();
        b.reset();
        a.verify("fused");
        b.verify("fused");
        assertEquals(AdamVariant.ADAMW, AdamVariant.of("adamw"));
    }

    @ParameterizedTest
    @CsvSource({"f32, 1, 4099", "f64, 2, 8195", "f32, 2, 33", "f64, 1, 0"})
    void rooflineChecksItsProbe(String precision, int threads, int size) {
        RooflineBenchmark b = new RooflineBenchmark();
        b.precision = precision;
        b.threads = threads;
        b.size = size;
        b.setup();
        b.reset();
        b.roofline();
        b.release();
    }
}
