package org.adam4j.bench;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.adam4j.kernels.Adam8bit;
import org.adam4j.kernels.Adam8bitKernel;
import org.adam4j.reference.Adam8bitReference;
import org.adam4j.reference.AdamStep;
import org.adam4j.reference.Blockwise8bit;
import org.adam4j.reference.DynamicMap;
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

/**
 * Adam's fused step with 8-bit blockwise moments ({@link Adam8bit}: bitsandbytes' dynamic maps, blocks of 256, one f32
 * absmax per block) on f32 parameters and gradients (16 bytes per element moved plus 2 x 2 x 4 / 256 bytes of absmax,
 * instead of the f32 step's 28), or on bf16 ones, rounded to nearest (10 bytes plus the absmax).
 * {@code summary.csv}: op {@code fused}, {@code precision} {@code f32} or {@code bf16} (and {@code grad_precision}, which is the
 * parameters'),
 * {@code state_precision} {@code 8bit}.
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
public class Adam8bitBenchmark {
    @Param({"vector-64", "vector-128", "vector-256", "vector-512", "vector", "scalar", "scalar-strict"})
    public String kernel;

    @Param({"f32", "bf16"})
    public String precision;

    @Param({"8bit"})
    public String statePrecision;

    @Param({"16384", "33554432"})
    public int size;

    @Param({"1"})
    public int threads;

    @Param({"adam"})
    public String variant;

    // Not final, as JMH's samples ask of benchmark state: nothing here may look constant to the JIT.
    private Adam8bitKernel k;
    private AdamStep step;
    private int blockSize = Blockwise8bit.DEFAULT_BLOCK_SIZE;
    private float[] p, g, p0, mAbsmax, vAbsmax, mAbsmax0, vAbsmax0;
    private byte[] m, v, m0, v0;
    /** bf16 parameters and gradients (null for f32 ones). */
    private short[] p16, g16, p16Start;

    @Setup(Level.Trial)
    public void setup() {
        String name = AdamBenchmark.kernelName(kernel);
        k = Adam8bit.kernel(name);
        step = AdamVariant.of(variant).step();
        int blocks = Blockwise8bit.blocks(size, blockSize);
        p0 = new float[size];
        g = new float[size];
        m0 = new byte[size];
        v0 = new byte[size];
        mAbsmax0 = new float[blocks];
        vAbsmax0 = new float[blocks];
        BenchArrays_F32.fill(p0, ArrayBenchmark.SEED, -1.0, 1.0);
        BenchArrays_F32.fill(g, ArrayBenchmark.SEED + 1, -1.0, 1.0);
        float[] values = new float[size];
        BenchArrays_F32.fill(values, ArrayBenchmark.SEED + 2, -0.1, 0.1);
        Blockwise8bit.quantize(values, 0, size, blockSize, DynamicMap.SIGNED, m0, mAbsmax0);
        BenchArrays_F32.fill(values, ArrayBenchmark.SEED + 3, 1e-6, 1e-2);
        Blockwise8bit.quantize(values, 0, size, blockSize, DynamicMap.UNSIGNED, v0, vAbsmax0);
        if (precision.equals("bf16")) {
            p16Start = new short[size];
            g16 = new short[size];
            LowPrecision.BF16.fromFloatNearestEven(p0, 0, p16Start, 0, size);
            LowPrecision.BF16.fromFloatNearestEven(g, 0, g16, 0, size);
            p16 = p16Start.clone();
        } else if (!precision.equals("f32")) {
            throw new IllegalArgumentException("precision " + precision + ": f32 or bf16");
        }
        p = p0.clone();
        m = m0.clone();
        v = v0.clone();
        mAbsmax = mAbsmax0.clone();
        vAbsmax = vAbsmax0.clone();
        int warm = Math.min(size, Warming.ELEMENTS);
        Warming.run(() -> step(warm));
        reset();
        step(size);
        float[] wantP = p0.clone(), wantMAbsmax = mAbsmax0.clone(), wantVAbsmax = vAbsmax0.clone();
        byte[] wantM = m0.clone(), wantV = v0.clone();
        String what = kernel + " 8-bit states on " + size + " " + precision + " elements";
        if (p16 == null) {
            Adam8bitReference.fused(step, blockSize, wantP, g, wantM, wantMAbsmax, wantV, wantVAbsmax, 0, size);
            BenchArrays_F32.requireSame(what, "p", p, wantP);
        } else {
            short[] want16 = p16Start.clone();
            Adam8bitReference.fused(step, blockSize, LowPrecision.BF16, Rounding.NEAREST, want16, g16, wantM,
                    wantMAbsmax, wantV, wantVAbsmax, null, 0, size, 0L, 0L);
            LowPrecisionAdamBenchmark.requireSame(what, "p", Arrays.mismatch(p16, want16));
        }
        BenchArrays_F32.requireSame(what, "m's absmax", mAbsmax, wantMAbsmax);
        BenchArrays_F32.requireSame(what, "v's absmax", vAbsmax, wantVAbsmax);
        LowPrecisionAdamBenchmark.requireSame(what, "m", Arrays.mismatch(m, wantM));
        LowPrecisionAdamBenchmark.requireSame(what, "v", Arrays.mismatch(v, wantV));
        reset();
    }

    private void step(int n) {
        if (p16 == null) {
            k.fused(step, blockSize, p, g, m, mAbsmax, v, vAbsmax, 0, n);
        } else {
            k.fused(step, blockSize, LowPrecision.BF16, Rounding.NEAREST, p16, g16, m, mAbsmax, v, vAbsmax, null, 0,
                    n, 0L, 0L);
        }
    }

    @Setup(Level.Iteration)
    public void reset() {
        if (p16 != null) {
            System.arraycopy(p16Start, 0, p16, 0, size);
        }
        System.arraycopy(p0, 0, p, 0, size);
        System.arraycopy(m0, 0, m, 0, size);
        System.arraycopy(v0, 0, v, 0, size);
        System.arraycopy(mAbsmax0, 0, mAbsmax, 0, mAbsmax.length);
        System.arraycopy(vAbsmax0, 0, vAbsmax, 0, vAbsmax.length);
    }

    @TearDown(Level.Trial)
    public void release() {
        p = g = p0 = mAbsmax = vAbsmax = mAbsmax0 = vAbsmax0 = null;
        m = v = m0 = v0 = null;
        p16 = g16 = p16Start = null;
    }

    /** One step over every element ({@code summary.csv} op {@code fused}). */
    @Benchmark
    public void fused() {
        step(size);
    }
}
