package org.adam4j.kernels;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * The one place that chooses kernels. At class initialization it looks for the {@code jdk.incubator.vector} module
 * (run with {@code --add-modules jdk.incubator.vector}); with it, {@link #f32()} and {@link #f64()} are the vector
 * kernels of the JVM's preferred width, without it the scalar reference. Any kernel can also be asked for by name,
 * for profiling and testing:
 *
 * <ul>
 *   <li>{@code scalar}: the reference's loops;</li>
 *   <li>{@code vector}: the vector kernel at the preferred width;</li>
 *   <li>{@code vector-64}, {@code vector-128}, {@code vector-256}, {@code vector-512}: one lane width. A width wider
 *       than the hardware's still computes the same bits, but the JIT emulates it slowly.</li>
 * </ul>
 *
 * <p>A kernel has every algorithm's operations: Adam's ({@link AdamKernel_F32#fused}, its lazy row updates of
 * embedding tables {@link AdamKernel_F32#lazyRows}), and Adamax's, NAdam's, RAdam's, SGD's, RMSprop's and Adagrad's
 * ({@link AdamKernel_F32#adamax}, ...), over arrays and over segments.
 */
public final class AdamKernels {
    /** The name of the scalar kernel (the reference's loops). */
    public static final String SCALAR = "scalar";
    /** The name of the vector kernel at the JVM's preferred width. */
    public static final String VECTOR = "vector";
    /** The lane widths there are kernels for. */
    public static final List<Integer> WIDTHS = List.of(64, 128, 256, 512);

    private static final String PROVIDER_CLASS = "org.adam4j.kernels.vector.VectorKernelProvider";
    private static final String VECTOR_MODULE = "jdk.incubator.vector";
    /** What the facade logs (once, at {@code WARNING}, through {@link System.Logger}) when it falls back. */
    static final String SCALAR_FALLBACK_WARNING = "The " + VECTOR_MODULE + " module is not readable, so adam4j uses"
            + " its scalar kernels (the same results, slower). To enable the vector kernels, pass"
            + " '--add-modules " + VECTOR_MODULE + "' to java.";
    private static final KernelProvider PROVIDER = lookup();
    private static final AdamKernel_F32 DEFAULT_F32 = PROVIDER == null ? ScalarAdamKernel_F32.INSTANCE
            : byWidth(PROVIDER.kernels_F32(), PROVIDER.preferredBits_F32());
    private static final AdamKernel_F64 DEFAULT_F64 = PROVIDER == null ? ScalarAdamKernel_F64.INSTANCE
            : byWidth(PROVIDER.kernels_F64(), PROVIDER.preferredBits_F64());

    private AdamKernels() {
    }

    /** {@return the fastest float kernel on this JVM} */
    public static AdamKernel_F32 f32() {
        return DEFAULT_F32;
    }

    /** {@return the fastest double kernel on this JVM} */
    public static AdamKernel_F64 f64() {
        return DEFAULT_F64;
    }

    /**
     * The float kernel called {@code name} (see the class comment).
     *
     * @param name {@code scalar}, {@code vector} or {@code vector-<bits>} (case and surrounding blanks do not matter)
     * @return the kernel
     * @throws IllegalArgumentException for an unknown name, or a vector kernel when the vector module is absent
     */
    public static AdamKernel_F32 f32(String name) {
        return named(name, ScalarAdamKernel_F32.INSTANCE, DEFAULT_F32, KernelProvider::kernels_F32);
    }

    /**
     * {@return the double kernel called {@code name}; see {@link #f32(String)}}
     *
     * @param name {@code scalar}, {@code vector} or {@code vector-<bits>} (case and surrounding blanks do not matter)
     */
    public static AdamKernel_F64 f64(String name) {
        return named(name, ScalarAdamKernel_F64.INSTANCE, DEFAULT_F64, KernelProvider::kernels_F64);
    }

    /**
     * {@return every kernel name this JVM can hand out: {@code scalar}, and with the vector module {@code vector} and
     * each width}
     */
    public static List<String> names() {
        List<String> names = new ArrayList<>();
        names.add(SCALAR);
        if (PROVIDER != null) {
            names.add(VECTOR);
            for (int bits : WIDTHS) {
                names.add(VECTOR + "-" + bits);
            }
        }
        return Collections.unmodifiableList(names);
    }

    /** {@return every distinct float kernel: the scalar one, then one per lane width} */
    public static List<AdamKernel_F32> all_F32() {
        return every(ScalarAdamKernel_F32.INSTANCE, KernelProvider::kernels_F32);
    }

    /** {@return every distinct double kernel: the scalar one, then one per lane width} */
    public static List<AdamKernel_F64> all_F64() {
        return every(ScalarAdamKernel_F64.INSTANCE, KernelProvider::kernels_F64);
    }

    /** {@return whether the vector kernels are available (the {@code jdk.incubator.vector} module is present)} */
    public static boolean vectorAvailable() {
        return PROVIDER != null;
    }

    /** {@return the preferred vector width in bits for float, or empty without the vector module} */
    public static Optional<Integer> preferredBits_F32() {
        return PROVIDER == null ? Optional.empty() : Optional.of(PROVIDER.preferredBits_F32());
    }

    /** {@return the preferred vector width in bits for double, or empty without the vector module} */
    public static Optional<Integer> preferredBits_F64() {
        return PROVIDER == null ? Optional.empty() : Optional.of(PROVIDER.preferredBits_F64());
    }

    private static KernelProvider lookup() {
        if (ModuleLayer.boot().findModule(VECTOR_MODULE).isEmpty()) {
            // Class initialization runs once, so this warns once per JVM (per class loader), as Lucene's
            // VectorizationProvider does: the fallback gives the same bits, only slower, and is easy to miss.
            System.getLogger(AdamKernels.class.getName()).log(System.Logger.Level.WARNING, SCALAR_FALLBACK_WARNING);
            return null;
        }
        try {
            return (KernelProvider) Class.forName(PROVIDER_CLASS).getConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new ExceptionInInitializerError(
                    "the " + VECTOR_MODULE + " module is present but the vector kernels failed to load: " + e);
        }
    }

    private static String normalize(String name) {
        if (name == null) {
            throw new IllegalArgumentException("kernel name is null; expected one of " + knownNames());
        }
        return name.trim().toLowerCase(Locale.ROOT);
    }

    private static int widthOf(String name) {
        String n = normalize(name);
        if (n.startsWith(VECTOR + "-")) {
            try {
                int bits = Integer.parseInt(n.substring(VECTOR.length() + 1));
                if (WIDTHS.contains(bits)) {
                    return bits;
                }
            } catch (NumberFormatException ignored) {
                // falls through to the message below
            }
        }
        throw new IllegalArgumentException("unknown kernel '" + name + "'; expected one of " + knownNames());
    }

    private static KernelProvider requireVector(String name) {
        if (!normalize(name).equals(VECTOR)) {
            widthOf(name);
        }
        if (PROVIDER == null) {
            throw new IllegalArgumentException("kernel '" + name + "' needs the " + VECTOR_MODULE
                    + " module: run the JVM with --add-modules " + VECTOR_MODULE);
        }
        return PROVIDER;
    }

    private static String knownNames() {
        List<String> all = new ArrayList<>(List.of(SCALAR, VECTOR));
        WIDTHS.forEach(b -> all.add(VECTOR + "-" + b));
        return String.join(", ", all);
    }

    /** The kernel called {@code name} of one kind (see {@link #f32(String)} for the names). */
    private static <K> K named(String name, K scalar, K preferred, Function<KernelProvider, List<K>> perWidth) {
        if (normalize(name).equals(SCALAR)) {
            return scalar;
        }
        KernelProvider provider = requireVector(name);
        return normalize(name).equals(VECTOR) ? preferred : byWidth(perWidth.apply(provider), widthOf(name));
    }

    /** The scalar kernel of one kind, then its vector kernels, if any. */
    private static <K> List<K> every(K scalar, Function<KernelProvider, List<K>> perWidth) {
        List<K> all = new ArrayList<>();
        all.add(scalar);
        if (PROVIDER != null) {
            all.addAll(perWidth.apply(PROVIDER));
        }
        return Collections.unmodifiableList(all);
    }

    private static <K> K byWidth(List<K> kernels, int bits) {
        // Widths above 512 (SVE, say) fall back to the widest kernel there is.
        int index = WIDTHS.indexOf(bits);
        if (index < 0) {
            index = bits > WIDTHS.get(WIDTHS.size() - 1) ? WIDTHS.size() - 1 : 0;
        }
        return kernels.get(index);
    }
}
