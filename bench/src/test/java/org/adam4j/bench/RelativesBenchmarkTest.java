package org.adam4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.adam4j.kernels.AdamKernels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The relatives' benchmark setup: its check passes for the real kernels and catches a wrong one. */
class RelativesBenchmarkTest {
    /** Splits in two on 2 threads and leaves a tail for every lane count. */
    private static final int SIZE = 8195;

    private static RelativesBenchmark benchmark(String kernel, String precision, String variant, int threads) {
        RelativesBenchmark b = new RelativesBenchmark();
        b.kernel = kernel;
        b.precision = precision;
        b.variant = variant;
        b.size = SIZE;
        b.threads = threads;
        return b;
    }

    static java.util.List<String> variants() {
        return Relative.ids();
    }

    @ParameterizedTest
    @MethodSource("variants")
    void setupChecksEveryRelativeAtBothPrecisionsThenRuns(String variant) {
        for (String[] kp : new String[][] {{"vector", "f32", "1"}, {"vector-128", "f64", "2"}, {"scalar", "f32", "2"},
                {"vector-512", "f64", "1"}, {"vector-64", "f32", "1"}}) {
            RelativesBenchmark b = benchmark(kp[0], kp[1], variant, Integer.parseInt(kp[2]));
            b.setup();
            b.reset();
            b.fused();
            b.release();
        }
    }

    @Test
    void everyRelativeIsAVariantTheBenchmarkDeclares() throws NoSuchFieldException {
        String[] declared = RelativesBenchmark.class.getField("variant")
                .getAnnotation(org.openjdk.jmh.annotations.Param.class).value();
        assertEquals(Relative.ids(), java.util.List.of(declared));
    }

    @Test
    void scalarStrictRefusesAJvmThatAutoVectorizes() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> benchmark("scalar-strict", "f32", "nadam", 1).setup());
        assertTrue(e.getMessage().contains("-XX:-UseSuperWord"), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({"vector, f16, adamax", "vector, f32, adam", "vector, f32, sgd", "vector-1024, f32, radam"})
    void refusesUnknownParameters(String kernel, String precision, String variant) {
        assertThrows(IllegalArgumentException.class, () -> benchmark(kernel, precision, variant, 1).setup());
    }

    @ParameterizedTest
    @MethodSource("variants")
    void verificationCatchesOneWrongBit(String variant) {
        RelativesWorkload w = new RelativesWorkload_F32(new OffByOneUlp_F32(SIZE - 1), Relative.of(variant), SIZE, 1);
        IllegalStateException e = assertThrows(IllegalStateException.class, w::verify);
        assertTrue(e.getMessage().contains("p[" + (SIZE - 1) + "]"), e.getMessage());
        RelativesWorkload right = new RelativesWorkload_F32(new OffByOneUlp_F32(SIZE), Relative.of(variant), SIZE, 1);
        right.verify();
    }

    @Test
    void verificationLeavesTheInitialStateAndResetRestoresIt() {
        RelativesWorkload a = new RelativesWorkload_F64(AdamKernels.f64("vector"), Relative.RMSPROP, 1000, 7);
        a.verify();
        a.fused();
        a.reset();
        // From the initial state again, or the reference's step on the remade initial state would differ.
        a.verify();
    }
}
