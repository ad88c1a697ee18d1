package org.adam4j.kernels;

import java.util.ArrayList;
import java.util.List;

/**
 * A kernel interface's implementations by the names {@link AdamKernels} uses: the scalar one, and one per width of
 * {@link AdamKernels#WIDTHS}, generated classes named {@code PREFIX<bits>} with a static {@code instance()}, loaded by
 * name only when the vector module is present (each holds its species as a {@code static final} constant). What
 * {@link LowPrecisionAdam} and {@link Adam8bit} share.
 *
 * @param <K> the kernel interface
 */
final class KernelFamily<K> {
    private final K scalar;
    private final List<K> vector;

    /**
     * @param type the kernel interface
     * @param scalar the scalar kernel (the reference's loop)
     * @param vectorClassPrefix the generated classes' name without the width
     * @param what the kernels, for the message when one fails to load
     */
    KernelFamily(Class<K> type, K scalar, String vectorClassPrefix, String what) {
        this.scalar = scalar;
        List<K> kernels = new ArrayList<>();
        if (AdamKernels.vectorAvailable()) {
            for (int bits : AdamKernels.WIDTHS) {
                try {
                    kernels.add(type.cast(Class.forName(vectorClassPrefix + bits).getMethod("instance").invoke(null)));
                } catch (ReflectiveOperationException | LinkageError e) {
                    throw new ExceptionInInitializerError("the vector module is present but the " + what + " of "
                            + bits + " bits failed to load: " + e);
                }
            }
        }
        this.vector = List.copyOf(kernels);
    }

    /**
     * The kernel called {@code name}: the width {@link AdamKernels#f32(String)} chooses for that name (the preferred
     * one for {@code vector}, the widest for wider hardware).
     *
     * @throws IllegalArgumentException for an unknown name, or a vector kernel when the vector module is absent
     */
    K kernel(String name) {
        AdamKernel_F32 f32 = AdamKernels.f32(name);
        if (f32.name().equals(AdamKernels.SCALAR)) {
            return scalar;
        }
        return vector.get(AdamKernels.WIDTHS.indexOf(f32.lanes() * Float.SIZE));
    }

    /** The fastest kernel on this JVM: {@code vector} with the vector module, else {@code scalar}. */
    K preferred() {
        return kernel(AdamKernels.vectorAvailable() ? AdamKernels.VECTOR : AdamKernels.SCALAR);
    }

    /** Every distinct kernel: the scalar one, then one per lane width. */
    List<K> all() {
        List<K> all = new ArrayList<>();
        all.add(scalar);
        all.addAll(vector);
        return List.copyOf(all);
    }
}
