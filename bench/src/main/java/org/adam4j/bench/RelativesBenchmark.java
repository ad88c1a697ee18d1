package org.adam4j.bench;

import org.adam4j.kernels.AdamKernel_F32;
import org.adam4j.kernels.AdamKernel_F64;
import org.adam4j.kernels.AdamKernels;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One step of one of Adam's relatives ({@link Relative}: AdaMax, NAdam, RAdam, SGD with momentum or Nesterov,
 * RMSprop, AdaGrad) over {@code size} elements, with the kernels, precisions, sizes and thread counts of
 * {@link AdamBenchmark} ({@code scalar-strict} likewise needs {@code -XX:-UseSuperWord}). Each trial first checks the
 * kernel against the relative's reference, bit for bit, on the very arrays it then measures; each iteration starts
 * from the same initial state.
 */
@State(Scope.Thread)
public class RelativesBenchmark extends ArrayBenchmark<RelativesWorkload> {
    @Param({"vector-64", "vector-128", "vector-256", "vector-512", "vector", "scalar", "scalar-strict"})
    public String kernel;

    @Param({"adamax", "nadam", "radam", "sgd-momentum", "sgd-nesterov", "rmsprop", "adagrad"})
    public String variant;

    @Setup(Level.Trial)
    public void setup() {
        String name = AdamBenchmark.kernelName(kernel);
        RelativesWorkload warm = workload(name, Warming.ELEMENTS);
        Warming.run(warm::fused);
        workload = workload(name, size);
        workload.verify();
    }

    private RelativesWorkload workload(String name, int n) {
        Relative r = Relative.of(variant);
        return switch (precision) {
            case "f32" -> new RelativesWorkload_F32(threaded(AdamKernels.f32(name)), r, n, SEED);
            case "f64" -> new RelativesWorkload_F64(threaded(AdamKernels.f64(name)), r, n, SEED);
            default -> throw unknownPrecision();
        };
    }

    /** One step over every element: the relatives have no separate moment and parameter steps. */
    @Benchmark
    public void fused() {
        workload.fused();
    }

    private AdamKernel_F32 threaded(AdamKernel_F32 k) {
        return threads == 1 ? k : k.parallel(threads);
    }

    private AdamKernel_F64 threaded(AdamKernel_F64 k) {
        return threads == 1 ? k : k.parallel(threads);
    }
}
