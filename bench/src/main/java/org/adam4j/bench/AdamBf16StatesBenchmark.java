package org.adam4j.bench;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.adam4j.kernels.AdamBf16States;
import org.adam4j.kernels.AdamBf16StatesKernel;
import org.adam4j.reference.AdamBf16StatesReference;
import org.adam4j.reference.AdamStep;
import org.adam4j.reference.LowPrecision;
import org.adam4j.reference.Rounding;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Adam's fused step with f32 parameters and gradients and bf16 moments ({@link AdamBf16States}): 4 + 4 bytes of
 * parameters and gradient read, 2 + 2 of moments read, 4 + 2 + 2 written, 20 bytes per element instead of the f32
 * step's 28. The op names the states' rounding: {@code fused} (to nearest even), {@code fused-stochastic};
 * {@code summary.csv} has {@code precision} and {@code grad_precision} {@code f32} (the gradient is in the
 * parameters' precision), {@code state_precision} {@code bf16}.
 *
 * <p>Kernels are {@link AdamBenchmark}'s names; {@code scalar} is the reference's loop, which the JIT compiles itself,
 * and {@code scalar-strict} that loop with {@code -XX:-UseSuperWord}. Each trial checks the kernel against the
 * reference, bit for bit, on the very arrays it then measures; each iteration starts from the same state.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@org.openjdk.jmh.annotations.Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class AdamBf16StatesBenchmark {
    @Param({"vector-64", "vector-128", "vector-256", "vector-512", "vector", "scalar", "scalar-strict"})
    public String kernel;

    @Param({"f32"})
    public String precision;

    @Param({"bf16"})
    public String statePrecision;

    @Param({"16384", "33554432"})
    public int size;

    @Param({"1"})
    public int threads;

    @Param({"adam"})
    public String variant;

    // Not final, as JMH's samples ask of benchmark state: nothing here may look constant to the JIT.
    private AdamBf16StatesKernel k;
    private AdamStep step;
    private float[] p, g, p0;
    private short[] m, v, m0, v0;
    private long seed = 11;

    @Setup(Level.Trial)
    public void setup(BenchmarkParams params) {
        String method = params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.') + 1);
        prepare(LowPrecisionAdamBenchmark.rounding(method));
    }

    /** Builds the arrays, compiles the kernel on a small slice, and checks it against the reference. */
    void prepare(Rounding rounding) {
        if (!precision.equals("f32") || !statePrecision.equals("bf16")) {
            throw new IllegalArgumentException("parameters and gradients are f32 and states bf16 here, not "
                    + precision + " and " + statePrecision);
        }
        k = AdamBf16States.kernel(AdamBenchmark.kernelName(kernel));
        step = AdamVariant.of(variant).step();
        p0 = new float[size];
        g = new float[size];
        m0 = new short[size];
        v0 = new short[size];
        BenchArrays_F32.fill(p0, ArrayBenchmark.SEED, -1.0, 1.0);
        BenchArrays_F32.fill(g, ArrayBenchmark.SEED + 1, -1.0, 1.0);
        float[] values = new float[size];
        BenchArrays_F32.fill(values, ArrayBenchmark.SEED + 2, -0.1, 0.1);
        LowPrecision.BF16.fromFloatNearestEven(values, 0, m0, 0, size);
        BenchArrays_F32.fill(values, ArrayBenchmark.SEED + 3, 1e-6, 1e-2);
        LowPrecision.BF16.fromFloatNearestEven(values, 0, v0, 0, size);
        p = p0.clone();
        m = m0.clone();
        v = v0.clone();
        int warm = Math.min(size, Warming.ELEMENTS);
        Warming.run(() -> k.fused(step, rounding, p, g, m, v, null, 0, warm, seed, 0));
        reset();
        k.fused(step, rounding, p, g, m, v, null, 0, size, seed, 0);
        float[] wantP = p0.clone();
        short[] wantM = m0.clone(), wantV = v0.clone();
        AdamBf16StatesReference.fused(step, rounding, wantP, g, wantM, wantV, null, 0, size, seed, 0);
        String what = kernel + " bf16 states " + rounding + " on " + size + " elements";
        BenchArrays_F32.requireSame(what, "p", p, wantP);
        LowPrecisionAdamBenchmark.requireSame(what, "m", Arrays.mismatch(m, wantM));
        LowPrecisionAdamBenchmark.requireSame(what, "v", Arrays.mismatch(v, wantV));
        reset();
    }

    @Setup(Level.Iteration)
    public void reset() {
        System.arraycopy(p0, 0, p, 0, size);
        System.arraycopy(m0, 0, m, 0, size);
        System.arraycopy(v0, 0, v, 0, size);
    }

    @TearDown(Level.Trial)
    public void release() {
        p = g = p0 = null;
        m = v = m0 = v0 = null;
    }

    /** The step with the states rounded to nearest even ({@code summary.csv} op {@code fused}). */
    @Benchmark
    public void fused() {
        k.fused(step, Rounding.NEAREST, p, g, m, v, null, 0, size, seed, 0);
    }

    /** The step with the states rounded stochastically (op {@code fused-stochastic}). */
    @Benchmark
    public void fusedStochastic() {
        k.fused(step, Rounding.STOCHASTIC, p, g, m, v, null, 0, size, seed, 0);
    }
}
