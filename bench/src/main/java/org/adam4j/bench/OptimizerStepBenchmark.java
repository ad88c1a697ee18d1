package org.adam4j.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.adam4j.kernels.AdamKernel_F32;
import org.adam4j.kernels.AdamKernels;
import org.adam4j.optim.Optimizer;
import org.adam4j.reference.AdamConfig;
import org.adam4j.reference.AdamStep;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of the optimizer API: {@link Optimizer#step()} over the tensors of a realistic model (a transformer
 * block with d_model 512 and an MLP head: {@link #SHAPES}, 64 to 4 Mi elements each), against the fused kernel
 * called directly on one flat array of the same total size ({@code kernel=flat-kernel}), both on 1 or 2 threads.
 * The difference is what registration, per-step checks, per-group step scalars and the split into pieces cost.
 *
 * <p>Each trial first checks that one optimizer step and one flat kernel step on the same data give the same bits,
 * so both sides do the same work.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class OptimizerStepBenchmark {
    public static final String OPTIMIZER_API = "optimizer-api";
    public static final String FLAT_KERNEL = "flat-kernel";

    /** Rows and columns of every tensor: LayerNorms, attention, feed-forward, then the MLP head. */
    static final int[][] SHAPES = {
        {1, 512}, {1, 512},                 // ln1 gamma, beta
        {512, 1536}, {1, 1536},             // qkv projection
        {512, 512}, {1, 512},               // attention output
        {1, 512}, {1, 512},                 // ln2 gamma, beta
        {512, 2048}, {1, 2048},             // feed-forward up
        {2048, 512}, {1, 512},              // feed-forward down
        {2048, 2048}, {1, 2048},            // MLP hidden (4 Mi elements)
        {2048, 64}, {1, 64},                // MLP output
    };
    private static final AdamConfig CONFIG = AdamConfig.builder().lr(1e-3).decoupled(0.01).build();
    private static final long SEED = 20241122L;

    @Param({OPTIMIZER_API, FLAT_KERNEL})
    public String kernel;

    @Param({"f32"})
    public String precision;

    @Param({"1", "2"})
    public int threads;

    private Optimizer<?> optimizer;
    private AdamKernel_F32 flatKernel;
    private float[] p;
    private float[] g;
    private float[] m;
    private float[] v;
    private long t;

    static int totalElements() {
        int n = 0;
        for (int[] s : SHAPES) {
            n += s[0] * s[1];
        }
        return n;
    }

    @Setup(Level.Trial)
    public void setup() {
        if (!precision.equals("f32")) {
            throw new IllegalArgumentException("unknown precision '" + precision + "' (this benchmark has f32)");
        }
        int n = totalElements();
        p = random(n, SEED);
        g = random(n, SEED + 1);
        m = new float[n];
        v = new float[n];
        switch (kernel) {
            case OPTIMIZER_API -> optimizer = model(p, g, threads);
            case FLAT_KERNEL -> flatKernel = threads == 1 ? AdamKernels.f32() : AdamKernels.f32().parallel(threads);
            default -> throw new IllegalArgumentException("unknown kernel '" + kernel + "' (expected " + OPTIMIZER_API
                    + " or " + FLAT_KERNEL + ")");
        }
        verify();
    }

    @TearDown(Level.Trial)
    public void release() {
        if (optimizer != null) {
            optimizer.close();
        }
    }

    /** One Adam step over the whole model. */
    @Benchmark
    public void fused() {
        if (optimizer != null) {
            optimizer.step();
        } else {
            flatKernel.fused(AdamStep.of(CONFIG, org.adam4j.reference.OptimizerStep.next(t), CONFIG.lr()), p, g, m, v, null, 0, p.length);
            t++;
        }
    }

    /** The model's tensors as slices of {@code p} and {@code g}, registered in an optimizer. */
    static Optimizer<?> model(float[] p, float[] g, int threads) {
        Optimizer<?> opt = Optimizer.of(CONFIG).threads(threads).build();
        int at = 0;
        for (int[] s : SHAPES) {
            int len = s[0] * s[1];
            float[] value = new float[len];
            float[] grad = new float[len];
            System.arraycopy(p, at, value, 0, len);
            System.arraycopy(g, at, grad, 0, len);
            opt.defaultGroup().add(value, grad);
            at += len;
        }
        return opt;
    }

    /** One step both ways on copies of the data must agree bit for bit, or the comparison means nothing. */
    private void verify() {
        int n = p.length;
        float[] fp = p.clone();
        float[] fm = new float[n];
        float[] fv = new float[n];
        AdamKernels.f32().fused(AdamStep.of(CONFIG, 1, CONFIG.lr()), fp, g, fm, fv, null, 0, n);
        try (Optimizer<?> opt = model(p, g, threads)) {
            opt.step();
            int at = 0;
            for (var param : opt.params()) {
                float[] mm = param.expAvg().toArray(java.lang.foreign.ValueLayout.JAVA_FLOAT);
                for (int i = 0; i < mm.length; i++) {
                    if (Float.floatToIntBits(mm[i]) != Float.floatToIntBits(fm[at + i])) {
                        throw new IllegalStateException("the optimizer and the flat kernel disagree at element "
                                + (at + i));
                    }
                }
                at += mm.length;
            }
        }
    }

    private static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }
}
