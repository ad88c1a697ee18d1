package org.adam4j.bench;

import org.adam4j.cli.MachineInfo;
import org.adam4j.kernels.AdamKernel_F32;
import org.adam4j.kernels.AdamKernel_F64;
import org.adam4j.kernels.AdamKernels;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * One Adam operation over {@code size} elements: the fused step (on arrays, or on heap segments over them), the
 * moment update or the parameter step, by one kernel, at one precision, on one or two threads (through
 * {@link AdamKernel_F32#parallel}).
 *
 * <p>Kernels are the library's names ({@code vector-64} ... {@code vector-512}, {@code vector}, {@code scalar}) and
 * {@code scalar-strict}: the scalar kernel in a JVM run with {@code -XX:-UseSuperWord}, so that C2 cannot
 * auto-vectorize it. {@code ./adam4j bench} adds that flag to its fork; running this class by hand, add
 * {@code -jvmArgsAppend -XX:-UseSuperWord} for it (the setup refuses to run it without).
 *
 * <p>Each trial first checks the kernel against the reference, bit for bit, on the very arrays it then measures.
 * Each iteration starts from the same initial state. The operations write their results into arrays held by this
 * state, so nothing is dead code and no {@code Blackhole} is needed.
 */
@State(Scope.Thread)
public class AdamBenchmark extends ArrayBenchmark<AdamWorkload> {
    /** The kernel name that means the scalar kernel with C2's auto-vectorizer off. */
    public static final String SCALAR_STRICT = "scalar-strict";

    @Param({"vector-64", "vector-128", "vector-256", "vector-512", "vector", "scalar", "scalar-strict"})
    public String kernel;

    @Param({"adam", "adamw"})
    public String variant;

    @Setup(Level.Trial)
    public void setup(BenchmarkParams params) {
        prepare(params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.') + 1));
    }

    /** Builds the workload for {@code op}, compiles the kernel, and checks it against the reference. */
    void prepare(String op) {
        String name = kernelName(kernel);
        AdamWorkload warm = workload(name, Warming.ELEMENTS);
        Warming.run(() -> warm.run(op));
        workload = workload(name, size);
        workload.verify(op);
    }

    private AdamWorkload workload(String name, int n) {
        AdamVariant v = AdamVariant.of(variant);
        AdamWorkload w = switch (precision) {
            case "f32" -> new AdamWorkload_F32(threaded(AdamKernels.f32(name)), v.step(), n, SEED);
            case "f64" -> new AdamWorkload_F64(threaded(AdamKernels.f64(name)), v.step(), n, SEED);
            default -> throw unknownPrecision();
        };
        w.guardedBy(v.config(), threads);
        return w;
    }

    @Benchmark
    public void fused() {
        workload.fused();
    }

    /**
     * The fused step on {@code MemorySegment.ofArray} segments over the same arrays: what a caller holding its
     * tensors as heap segments pays against {@link #fused}. Its summary op is {@code fused-heap-segment}.
     */
    @Benchmark
    public void fusedHeapSegment() {
        workload.fusedHeapSegment();
    }

    /**
     * The guarded step's reduction alone: the gradient's sum of squares in {@code GradNorms}' fixed order (what the
     * skip check and clipping cost on their own). Its summary op is {@code gradnorm}; it reads 4 (or 8) bytes per
     * element.
     */
    @Benchmark
    public void gradnorm() {
        workload.gradnorm();
    }

    /**
     * A whole optimizer step ({@code org.adam4j.optim.Optimizer}, this kernel and thread count) with
     * {@code skipNonFinite} and step statistics: the gradient pass, then the step, block by block with the statistics
     * beside it. Its summary op is {@code fused-guarded}, beside {@link #fused}.
     */
    @Benchmark
    public void fusedGuarded() {
        workload.fusedGuarded();
    }

    @Benchmark
    public void moments() {
        workload.moments();
    }

    @Benchmark
    public void params() {
        workload.params();
    }

    private AdamKernel_F32 threaded(AdamKernel_F32 k) {
        return threads == 1 ? k : k.parallel(threads);
    }

    private AdamKernel_F64 threaded(AdamKernel_F64 k) {
        return threads == 1 ? k : k.parallel(threads);
    }

    /**
     * The kernel a benchmark's {@code kernel} parameter names: itself, or for {@code scalar-strict} the scalar kernel,
     * after checking that this JVM runs without auto-vectorization.
     */
    static String kernelName(String kernel) {
        if (kernel.equals(SCALAR_STRICT)) {
            requireNoSuperWord();
            return AdamKernels.SCALAR;
        }
        return kernel;
    }

    static void requireNoSuperWord() {
        if (!"false".equals(MachineInfo.vmOption("UseSuperWord"))) {
            throw new IllegalStateException(SCALAR_STRICT + " needs a JVM run with -XX:-UseSuperWord (with JMH: "
                    + "-jvmArgsAppend -XX:-UseSuperWord); this one has UseSuperWord=" + MachineInfo.vmOption("UseSuperWord"));
        }
    }
}
