package org.adam4j.kernels;

import java.util.List;

/** Where the vector kernels come from; implemented only where the vector module is available. */
public interface KernelProvider {
    /** {@return one kernel per lane width, narrowest first} */
    List<AdamKernel_F32> kernels_F32();

    /** {@return one double kernel per lane width, narrowest first} */
    List<AdamKernel_F64> kernels_F64();

    /** {@return the width of the JVM's preferred species, in bits} */
    int preferredBits_F32();

    /** {@return the width of the JVM's preferred double species, in bits} */
    int preferredBits_F64();
}
