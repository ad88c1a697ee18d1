package org.adam4j.bench;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.adam4j.kernels.LowPrecisionAdam;
import org.adam4j.kernels.LowPrecisionAdamKernel;
import org.adam4j.reference.AdamStep;
import org.adam4j.reference.LowPrecision;
import org.adam4j.reference.LowPrecisionAdamReference;
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
 * Adam's fused step with bf16 or fp16 parameters and gradients ({@code short[]} bit patterns) and f32 moments
 * ({@link LowPrecisionAdam}): 22 bytes per element moved instead of the f32 step's 28 (26 with Kahan's compensation).
 * The op names the rounding of the stepped parameter: {@code fused} (to nearest even), {@code fused-stochastic},
 * {@code fused-kahan}; {@code summary.csv} has {@code precision} = the parameter's, {@code grad_precision} the same,
 * {@code state_precision} {@code f32}.
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
public class LowPrecisionAdamBenchmark {
    @Param({"vector-64", "vector-128", "vector-256", "vector-512", "vector", "scalar", "scalar-strict"})
    public String kernel;

    @Param({"bf16", "fp16"})
    public String precision;

    @Param({"16384", "33554432"})
    public int size;

    @Param({"1"})
    public int threads;

    @Param({"adam"})
    public String variant;

    // Not final, as JMH's samples ask of benchmark state: nothing here may look constant to the JIT.
    private LowPrecisionAdamKernel k;
    private AdamStep step;
    private LowPrecision format;
    private short[] p, g, comp, p0, comp0;
    private float[] m, v, m0, v0;
    private long seed = 11;

    @Setup(Level.Trial)
    public void setup(BenchmarkParams params) {
        String method = params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.') + 1);
        prepare(rounding(method));
    }

    /** Builds the arrays, compiles the kernel on a small slice, and checks it against the reference. */
    void prepare(Rounding rounding) {
        String name = AdamBenchmark.kernelName(kernel);
        k = LowPrecisionAdam.kernel(name);
        format = switch (precision) {
            case "bf16" -> LowPrecision.BF16;
            case "fp16" -> LowPrecision.FP16;
            default -> throw new IllegalArgumentException("unknown precision '" + precision + "' (bf16 or fp16)");
        };
        step = AdamVariant.of(variant).step();
        p0 = new short[size];
        g = new short[size];
        comp0 = new short[size];
        m0 = new float[size];
        v0 = new float[size];
        float[] values = new float[size];
        BenchArrays_F32.fill(values, ArrayBenchmark.SEED, -1.0, 1.0);
        format.fromFloatNearestEven(values, 0, p0, 0, size);
        BenchArrays_F32.fill(values, ArrayBenchmark.SEED + 1, -1.0, 1.0);
        format.fromFloatNearestEven(values, 0, g, 0, size);
        BenchArrays_F32.fill(m0, ArrayBenchmark.SEED + 2, -0.1, 0.1);
        BenchArrays_F32.fill(v0, ArrayBenchmark.SEED + 3, 1e-6, 1e-2);
        p = p0.clone();
        comp = comp0.clone();
        m = m0.clone();
        v = v0.clone();
        int warm = Math.min(size, Warming.ELEMENTS);
        Warming.run(() -> k.fused(step, format, rounding, p, g, m, v, null, comp, 0, warm, seed, 0));
        reset();
        k.fused(step, format, rounding, p, g, m, v, null, comp, 0, size, seed, 0);
        short[] wantP = p0.clone(), wantComp = comp0.clone();
        float[] wantM = m0.clone(), wantV = v0.clone();
        LowPrecisionAdamReference.fused(step, format, rounding, wantP, g, wantM, wantV, null, wantComp, 0, size, seed,
                0);
        String what = kernel + " " + precision + " " + rounding + " on " + size + " elements";
        requireSame(what, "p", Arrays.mismatch(p, wantP));
        requireSame(what, "comp", Arrays.mismatch(comp, wantComp));
        BenchArrays_F32.requireSame(what, "m", m, wantM);
        BenchArrays_F32.requireSame(what, "v", v, wantV);
        reset();
    }

    /** Refuses a kernel whose array differs from the reference's ({@code mismatch} from {@code Arrays.mismatch}). */
    static void requireSame(String what, String array, int mismatch) {
        if (mismatch >= 0) {
            throw new IllegalStateException(what + ": " + array + "[" + mismatch + "] differs from the reference's");
        }
    }

    static Rounding rounding(String method) {
        return switch (method) {
            case "fused" -> Rounding.NEAREST;
            case "fusedStochastic" -> Rounding.STOCHASTIC;
            case "fusedKahan" -> Rounding.KAHAN;
            default -> throw new IllegalArgumentException("unknown operation '" + method + "'");
        };
    }

    @Setup(Level.Iteration)
    public void reset() {
        System.arraycopy(p0, 0, p, 0, size);
        System.arraycopy(comp0, 0, comp, 0, size);
        System.arraycopy(m0, 0, m, 0, size);
        System.arraycopy(v0, 0, v, 0, size);
    }

    @TearDown(Level.Trial)
    public void release() {
        p = g = comp = p0 = comp0 = null;
        m = v = m0 = v0 = null;
    }

    /** The step with the parameter rounded to nearest even ({@code summary.csv} op {@code fused}). */
    @Benchmark
    public void fused() {
        k.fused(step, format, Rounding.NEAREST, p, g, m, v, null, null, 0, size, seed, 0);
    }

    /** The step with the parameter rounded stochastically (op {@code fused-stochastic}). */
    @Benchmark
    public void fusedStochastic() {
        k.fused(step, format, Rounding.STOCHASTIC, p, g, m, v, null, null, 0, size, seed, 0);
    }

    /** The step with Kahan compensation in the parameter's format (op {@code fused-kahan}). */
    @Benchmark
    public void fusedKahan() {
        k.fused(step, format, Rounding.KAHAN, p, g, m, v, null, comp, 0, size, seed, 0);
    }
}
