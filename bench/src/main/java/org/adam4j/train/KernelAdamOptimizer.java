package org.adam4j.train;

import java.util.ArrayList;
import java.util.List;
import org.adam4j.kernels.AdamKernel_F32;
import org.adam4j.kernels.AdamKernel_F64;
import org.adam4j.kernels.AdamKernels;
import org.adam4j.reference.AdamConfig;
import org.adam4j.reference.AdamStep;

/**
 * Adam and AdamW straight over the kernels, with one {@code m}/{@code v} pair per parameter: the stand-in for the
 * optimizer API of issue 5 until it is merged (see {@link TrainableOptimizer}). Delete it then.
 */
final class KernelAdamOptimizer implements TrainableOptimizer {
    private record Slot_F32(float[] p, float[] g, float[] m, float[] v, float[] vmax) {
    }

    private record Slot_F64(double[] p, double[] g, double[] m, double[] v, double[] vmax) {
    }

    private final String name;
    private final AdamConfig config;
    private final AdamKernel_F32 kernel_F32;
    private final AdamKernel_F64 kernel_F64;
    private final List<Slot_F32> slots_F32 = new ArrayList<>();
    private final List<Slot_F64> slots_F64 = new ArrayList<>();
    private long t;

    /** {@code threads} above 1 splits each parameter's update over threads; the bits do not depend on it. */
    KernelAdamOptimizer(String name, AdamConfig config, int threads) {
        this.name = name;
        this.config = config;
        this.kernel_F32 = threads > 1 ? AdamKernels.f32().parallel(threads) : AdamKernels.f32();
        this.kernel_F64 = threads > 1 ? AdamKernels.f64().parallel(threads) : AdamKernels.f64();
    }

    @Override
    public void register(float[] value, float[] grad) {
        checkPair(value.length, grad.length, value == grad);
        int n = value.length;
        slots_F32.add(new Slot_F32(value, grad, new float[n], new float[n], config.amsgrad() ? new float[n] : null));
    }

    @Override
    public void register(double[] value, double[] grad) {
        checkPair(value.length, grad.length, value == grad);
        int n = value.length;
        slots_F64.add(new Slot_F64(value, grad, new double[n], new double[n], config.amsgrad() ? new double[n] : null));
    }

    @Override
    public void step() {
        AdamStep s = config.step(++t);
        for (Slot_F32 x : slots_F32) {
            kernel_F32.fused(s, x.p, x.g, x.m, x.v, x.vmax);
        }
        for (Slot_F64 x : slots_F64) {
            kernel_F64.fused(s, x.p, x.g, x.m, x.v, x.vmax);
        }
    }

    @Override
    public String describe() {
        return name + " " + config + " on kernel " + kernel_F32.name();
    }

    private static void checkPair(int values, int grads, boolean same) {
        if (values != grads || same) {
            throw new IllegalArgumentException(same ? "a parameter cannot be its own gradient"
                    : "gradient of " + grads + " elements for a parameter of " + values);
        }
    }
}
