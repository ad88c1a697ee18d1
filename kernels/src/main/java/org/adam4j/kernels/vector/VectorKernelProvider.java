package org.adam4j.kernels.vector;

import java.util.List;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import org.adam4j.kernels.AdamKernel_F32;
import org.adam4j.kernels.AdamKernel_F64;
import org.adam4j.kernels.KernelProvider;

/**
 * The Vector API kernels. {@link org.adam4j.kernels.AdamKernels} loads this class by name, once, and only when the
 * {@code jdk.incubator.vector} module is present, so nothing else touches the incubator API.
 */
public final class VectorKernelProvider implements KernelProvider {
    private static final List<AdamKernel_F32> F32 = List.of(
            VectorAdamKernel_F32_64.INSTANCE, VectorAdamKernel_F32_128.INSTANCE,
            VectorAdamKernel_F32_256.INSTANCE, VectorAdamKernel_F32_512.INSTANCE);
    private static final List<AdamKernel_F64> F64 = List.of(
            VectorAdamKernel_F64_64.INSTANCE, VectorAdamKernel_F64_128.INSTANCE,
            VectorAdamKernel_F64_256.INSTANCE, VectorAdamKernel_F64_512.INSTANCE);

    /** Made by {@link org.adam4j.kernels.AdamKernels} through reflection, only when the vector module is present. */
    public VectorKernelProvider() {
    }

    @Override
    public List<AdamKernel_F32> kernels_F32() {
        return F32;
    }

    @Override
    public List<AdamKernel_F64> kernels_F64() {
        return F64;
    }

    @Override
    public int preferredBits_F32() {
        return FloatVector.SPECIES_PREFERRED.vectorBitSize();
    }

    @Override
    public int preferredBits_F64() {
        return DoubleVector.SPECIES_PREFERRED.vectorBitSize();
    }
}
