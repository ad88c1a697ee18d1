package org.adam4j.kernels;

import java.util.List;
import org.adam4j.reference.Adam8bitReference;
import org.adam4j.reference.AdamStep;
import org.adam4j.reference.LowPrecision;
import org.adam4j.reference.Rounding;

/**
 * Chooses the {@link Adam8bitKernel} of a width, by the names {@link AdamKernels} uses: {@code scalar} (the
 * reference's loop), {@code vector} (the JVM's preferred {@code float} width, {@link AdamKernels#preferredBits_F32})
 * and {@code vector-64} ... {@code vector-512}. The vector kernels are generated per width
 * ({@code org.adam4j.kernels.vector.VectorAdam8bit_64} ... {@code _512}), each with its species a {@code static final}
 * constant, and are loaded by name only when the vector module is present.
 */
public final class Adam8bit {
    private static final String VECTOR_CLASS = "org.adam4j.kernels.vector.VectorAdam8bit_";
    private static final Adam8bitKernel SCALAR = new Adam8bitKernel() {
        @Override
        public String name() {
            return AdamKernels.SCALAR;
        }

        @Override
        public int lanes() {
            return 1;
        }

        @Override
        public void fused(AdamStep s, int blockSize, float[] p, float[] g, byte[] m, float[] mAbsmax, byte[] v,
                float[] vAbsmax, int off, int len) {
            Adam8bitReference.fused(s, blockSize, p, g, m, mAbsmax, v, vAbsmax, off, len);
        }

        @Override
        public void fused(AdamStep s, int blockSize, LowPrecision fmt, Rounding rounding, short[] p, short[] g,
                byte[] m, float[] mAbsmax, byte[] v, float[] vAbsmax, short[] comp, int off, int len, long seed,
                long indexBase) {
            Adam8bitReference.fused(s, blockSize, fmt, rounding, p, g, m, mAbsmax, v, vAbsmax, comp, off, len, seed,
                    indexBase);
        }
    };
    private static final KernelFamily<Adam8bitKernel> KERNELS = new KernelFamily<>(Adam8bitKernel.class, SCALAR,
            VECTOR_CLASS, "8-bit Adam kernel");

    private Adam8bit() {
    }

    /**
     * The kernel called {@code name}.
     *
     * @param name {@code scalar}, {@code vector} or {@code vector-<bits>} (case and surrounding blanks do not matter)
     * @return the kernel
     * @throws IllegalArgumentException for an unknown name, or a vector kernel when the vector module is absent
     */
    public static Adam8bitKernel kernel(String name) {
        return KERNELS.kernel(name);
    }

    /** {@return the fastest kernel on this JVM: {@code vector} with the vector module, else {@code scalar}} */
    public static Adam8bitKernel preferred() {
        return KERNELS.preferred();
    }

    /** {@return every distinct kernel: the scalar one, then one per lane width} */
    public static List<Adam8bitKernel> all() {
        return KERNELS.all();
    }
}
