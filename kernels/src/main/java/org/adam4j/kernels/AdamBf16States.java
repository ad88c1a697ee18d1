package org.adam4j.kernels;

import java.util.List;
import org.adam4j.reference.AdamBf16StatesReference;
import org.adam4j.reference.AdamStep;
import org.adam4j.reference.LowPrecision;
import org.adam4j.reference.Rounding;

/**
 * Chooses the {@link AdamBf16StatesKernel} (Adam with bfloat16 moments) of a width, by the names {@link AdamKernels}
 * uses: {@code scalar} (the reference's loop), {@code vector} (the JVM's preferred {@code float} width,
 * {@link AdamKernels#preferredBits_F32}) and {@code vector-64} ... {@code vector-512}. The vector kernels are generated
 * per width ({@code org.adam4j.kernels.vector.VectorAdamBf16States_64} ... {@code _512}), each with its species a
 * {@code static final} constant, and are loaded by name only when the vector module is present.
 */
public final class AdamBf16States {
    private static final String VECTOR_CLASS = "org.adam4j.kernels.vector.VectorAdamBf16States_";
    private static final AdamBf16StatesKernel SCALAR = new AdamBf16StatesKernel() {
        @Override
        public String name() {
            return AdamKernels.SCALAR;
        }

        @Override
        public int lanes() {
            return 1;
        }

        @Override
        public void fused(AdamStep s, Rounding rounding, float[] p, float[] g, short[] m, short[] v, short[] vmax,
                int off, int len, long seed, long indexBase) {
            AdamBf16StatesReference.fused(s, rounding, p, g, m, v, vmax, off, len, seed, indexBase);
        }

        @Override
        public void fused(AdamStep s, LowPrecision fmt, Rounding rounding, short[] p, short[] g, short[] m,
                short[] v, short[] vmax, short[] comp, int off, int len, long seed, long indexBase) {
            AdamBf16StatesReference.fused(s, fmt, rounding, p, g, m, v, vmax, comp, off, len, seed, indexBase);
        }
    };
    private static final KernelFamily<AdamBf16StatesKernel> KERNELS = new KernelFamily<>(AdamBf16StatesKernel.class,
            SCALAR, VECTOR_CLASS, "bf16-state Adam kernel");

    private AdamBf16States() {
    }

    /**
     * The kernel called {@code name}.
     *
     * @param name {@code scalar}, {@code vector} or {@code vector-<bits>} (case and surrounding blanks do not matter)
     * @return the kernel
     * @throws IllegalArgumentException for an unknown name, or a vector kernel when the vector module is absent
     */
    public static AdamBf16StatesKernel kernel(String name) {
        return KERNELS.kernel(name);
    }

    /** {@return the fastest kernel on this JVM: {@code vector} with the vector module, else {@code scalar}} */
    public static AdamBf16StatesKernel preferred() {
        return KERNELS.preferred();
    }

    /** {@return every distinct kernel: the scalar one, then one per lane width} */
    public static List<AdamBf16StatesKernel> all() {
        return KERNELS.all();
    }
}
