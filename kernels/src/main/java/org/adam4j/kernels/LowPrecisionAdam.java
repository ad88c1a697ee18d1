package org.adam4j.kernels;

import java.util.List;
import org.adam4j.reference.AdamStep;
import org.adam4j.reference.LowPrecision;
import org.adam4j.reference.LowPrecisionAdamReference;
import org.adam4j.reference.Rounding;

/**
 * Chooses the {@link LowPrecisionAdamKernel} of a width, by the names {@link AdamKernels} uses: {@code scalar} (the
 * reference's loop), {@code vector} (the JVM's preferred {@code float} width, {@link AdamKernels#preferredBits_F32})
 * and {@code vector-64} ... {@code vector-512}. The vector kernels are generated per width
 * ({@code org.adam4j.kernels.vector.VectorLowPrecisionAdam_64} ... {@code _512}), each with its species a
 * {@code static final} constant, and are loaded by name only when the vector module is present.
 *
 * <p>They convert bfloat16 in vector lanes; fp16 parameters take the reference's loop at every width for now (the
 * same bits: there are no vector binary16 conversions yet). From 128 bits up, rounding to nearest allocates nothing
 * per call; stochastic rounding (once several sets of options have run) and Kahan rounding still box vectors, as the
 * vector classes' description says.
 */
public final class LowPrecisionAdam {
    private static final String VECTOR_CLASS = "org.adam4j.kernels.vector.VectorLowPrecisionAdam_";
    private static final LowPrecisionAdamKernel SCALAR = new LowPrecisionAdamKernel() {
        @Override
        public String name() {
            return AdamKernels.SCALAR;
        }

        @Override
        public int lanes() {
            return 1;
        }

        @Override
        public void fused(AdamStep s, LowPrecision fmt, Rounding rounding, short[] p, short[] g, float[] m,
                float[] v, float[] vmax, short[] comp, int off, int len, long seed, long indexBase) {
            LowPrecisionAdamReference.fused(s, fmt, rounding, p, g, m, v, vmax, comp, off, len, seed, indexBase);
        }
    };
    private static final KernelFamily<LowPrecisionAdamKernel> KERNELS = new KernelFamily<>(
            LowPrecisionAdamKernel.class, SCALAR, VECTOR_CLASS, "low-precision Adam kernel");

    private LowPrecisionAdam() {
    }

    /**
     * The kernel called {@code name}.
     *
     * @param name {@code scalar}, {@code vector} or {@code vector-<bits>} (case and surrounding blanks do not matter)
     * @return the kernel
     * @throws IllegalArgumentException for an unknown name, or a vector kernel when the vector module is absent
     */
    public static LowPrecisionAdamKernel kernel(String name) {
        return KERNELS.kernel(name);
    }

    /** {@return the fastest kernel on this JVM: {@code vector} with the vector module, else {@code scalar}} */
    public static LowPrecisionAdamKernel preferred() {
        return KERNELS.preferred();
    }

    /** {@return every distinct kernel: the scalar one, then one per lane width} */
    public static List<LowPrecisionAdamKernel> all() {
        return KERNELS.all();
    }
}
