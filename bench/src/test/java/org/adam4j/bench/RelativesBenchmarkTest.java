package org.adam4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.adam4j.kernels.AdamKernels;
import org.adam4j.kernels.RelativesKernel_F32;
import org.adam4j.reference.AdagradStep;
import org.adam4j.reference.AdagradReference_F32;
import org.adam4j.reference.AdamaxReference_F32;
import org.adam4j.reference.AdamaxStep;
import org.adam4j.reference.NAdamReference_F32;
import org.adam4j.reference.NAdamStep;
import org.adam4j.reference.RAdamReference_F32;
import org.adam4j.reference.RAdamStep;
import org.adam4j.reference.RmspropReference_F32;
import org.adam4j.reference.RmspropStep;
import org.adam4j.reference.SgdReference_F32;
import org.adam4j.reference.SgdStep;
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

    /** The scalar relatives' arithmetic, except that one element of {@code p} is a unit in the last place off. */
    private static final class OffByOneUlp_F32 extends RelativesKernel_F32 {
        private final int wrongIndex;

        OffByOneUlp_F32(int wrongIndex) {
            this.wrongIndex = wrongIndex;
        }

        @Override
        public String name() {
            return "off-by-one-ulp";
        }

        @Override
        public int lanes() {
            return 1;
        }

        @Override
        protected void adamaxSlice(AdamaxStep s, float[] p, float[] g, float[] m, float[] u, int off, int len) {
            AdamaxReference_F32.step(s, p, g, m, u, off, len);
            spoil(p, off, len);
        }

        @Override
        protected void nadamSlice(NAdamStep s, float[] p, float[] g, float[] m, float[] v, int off, int len) {
            NAdamReference_F32.step(s, p, g, m, v, off, len);
            spoil(p, off, len);
        }

        @Override
        protected void radamSlice(RAdamStep s, float[] p, float[] g, float[] m, float[] v, int off, int len) {
            RAdamReference_F32.step(s, p, g, m, v, off, len);
            spoil(p, off, len);
        }

        @Override
        protected void sgdSlice(SgdStep s, float[] p, float[] g, float[] buf, int off, int len) {
            SgdReference_F32.step(s, p, g, buf, off, len);
            spoil(p, off, len);
        }

        @Override
        protected void rmspropSlice(RmspropStep s, float[] p, float[] g, float[] sq, float[] ga, float[] buf,
                int off, int len) {
            RmspropReference_F32.step(s, p, g, sq, ga, buf, off, len);
            spoil(p, off, len);
        }

        @Override
        protected void adagradSlice(AdagradStep s, float[] p, float[] g, float[] sum, int off, int len) {
            AdagradReference_F32.step(s, p, g, sum, off, len);
            spoil(p, off, len);
        }

        private void spoil(float[] p, int off, int len) {
            if (wrongIndex >= off && wrongIndex < off + len) {
                p[wrongIndex] = Math.nextUp(p[wrongIndex]);
            }
        }
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
        RelativesWorkload a = new RelativesWorkload_F64(AdamKernels.relatives_F64("vector"), Relative.RMSPROP, 1000, 7);
        a.verify();
        a.fused();
        a.reset();
        // From the initial state again, or the reference's step on the remade initial state would differ.
        a.verify();
    }
}
