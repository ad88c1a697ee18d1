package org.adam4j.bench;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.adam4j.kernels.AdamKernels;
import org.adam4j.reference.LazyMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.NullSource;

/** The lazy-rows benchmark's setup on small tables: its check passes for the real kernels and catches a wrong one. */
class LazyRowsBenchmarkTest {
    private static LazyRowsBenchmark benchmark(String kernel, String precision, int rows, int dim, int percent) {
        LazyRowsBenchmark b = new LazyRowsBenchmark();
        b.kernel = kernel;
        b.precision = precision;
        b.rows = rows;
        b.dim = dim;
        b.touchedPercent = percent;
        return b;
    }

    @ParameterizedTest
    @CsvSource({"vector, f32, lazy, 1000, 64, 1", "vector, f64, exact, 1000, 64, 1", "scalar, f32, exact, 333, 17, 3",
        "vector, f32, dense, 1000, 64, 1", "scalar, f64, dense, 50, 5, 100", "vector, f64, lazy, 7, 3, 50"})
    void setupChecksTheKernelOnTheTableThenRuns(String kernel, String precision, String op, int rows, int dim,
            int percent) {
        LazyRowsBenchmark b = benchmark(kernel, precision, rows, dim, percent);
        b.prepare(op);
        b.reset();
        // Past the precomputed steps: the counter starts again at step 1, which EXACT accepts.
        for (int i = 0; i < LazyRowsWorkload_F32.STEPS + 3; i++) {
            switch (op) {
                case "lazy" -> b.lazy();
                case "exact" -> b.exact();
                default -> b.dense();
            }
        }
        b.release();
    }

    @Test
    void refusesUnknownParameters() {
        assertThrows(IllegalArgumentException.class, () -> benchmark("vector", "f16", 100, 64, 1).prepare("lazy"));
        assertThrows(IllegalArgumentException.class, () -> benchmark("vector", "f32", 100, 64, 1).prepare("sparse"));
        assertThrows(IllegalArgumentException.class, () -> benchmark("vector", "f32", 100, 64, 0).prepare("lazy"));
        assertThrows(IllegalArgumentException.class, () -> benchmark("vector-9", "f32", 100, 64, 1).prepare("exact"));
    }

    @ParameterizedTest
    @EnumSource(LazyMode.class)
    @NullSource
    void verificationCatchesOneWrongBit(LazyMode mode) {
        // Every row touched, so the spoiled element is in a row each step updates.
        int rows = 40;
        int dim = 8;
        LazyRowsWorkload w = new LazyRowsWorkload_F32(new OffByOneUlp_F32(rows * dim - 2), mode,
                rows, dim, 100, 1);
        IllegalStateException e = assertThrows(IllegalStateException.class, w::verify);
        assertTrue(e.getMessage().contains("p[" + (rows * dim - 2) + "]"), e.getMessage());
        new LazyRowsWorkload_F32(new OffByOneUlp_F32(rows * dim), mode, rows, dim, 100, 1).verify();
        new LazyRowsWorkload_F64(AdamKernels.f64("vector"), mode, rows, dim, 100, 1).verify();
    }
}
