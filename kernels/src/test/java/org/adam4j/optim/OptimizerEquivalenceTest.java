package org.adam4j.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.adam4j.kernels.AdamKernels;
import org.adam4j.reference.AdamConfig;
import org.adam4j.reference.AdamReference_F32;
import org.adam4j.reference.AdamReference_F64;
import org.adam4j.reference.AdamStep;
import org.ejml.data.DMatrixRMaj;
import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The optimizer against the reference, bit for bit: parameters held as arrays, array slices, EJML matrices and
 * segments; several groups with their own hyperparameters and schedules; every thread count and every kernel.
 */
class OptimizerEquivalenceTest {
    static final int STEPS = 7;

    /** Matrix shapes of a small model: uneven sizes, a few past the parallel piece size. */
    static final int[][] SHAPES = {{3, 5}, {64, 1}, {17, 33}, {1, 1}, {128, 300}, {7, 129}, {0, 4}, {250, 257},
        {1, 4099}, {31, 31}};

    static final AdamConfig[] GROUP_CONFIGS = {
        AdamConfig.defaults(),
        AdamConfig.builder().lr(0.01).decoupled(0.1).amsgrad(true).build(),
        AdamConfig.builder().lr(0.004).l2(0.05).maximize(true).epsilonHat(true).betas(0.8, 0.99).build(),
        AdamConfig.builder().lr(0.002).fullyDecoupled(0.1, 0.004).biasCorrection(false).eps(1e-6).build(),
    };

    static final LrSchedule[] GROUP_SCHEDULES = {
        LrSchedule.constant(), LrSchedule.cosineWithWarmup(2, 6, 1e-4), LrSchedule.stepDecay(3, 0.5),
        LrSchedule.inverseSqrt(),
    };

    /** Gradients with a few outsized elements. */
    static double[] gradient(int tensor, int step, int n) {
        SplittableRandom r = new SplittableRandom(1000L * tensor + step);
        double[] g = new double[n];
        for (int i = 0; i < n; i++) {
            g[i] = r.nextGaussian() * (r.nextInt(50) == 0 ? 1e6 : 1);
        }
        return g;
    }

    static double[] initial(int tensor, int n) {
        SplittableRandom r = new SplittableRandom(77L + tensor);
        double[] p = new double[n];
        for (int i = 0; i < n; i++) {
            p[i] = r.nextGaussian();
        }
        return p;
    }

    static float[] toFloat(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            f[i] = (float) a[i];
        }
        return f;
    }

    static float[] gradient_F32(int tensor, int step, int n) {
        return toFloat(gradient(tensor, step, n));
    }

    static float[] initial_F32(int tensor, int n) {
        return toFloat(initial(tensor, n));
    }

    /** The reference's answer for tensor {@code k}: {p, m, v, vmax} after {@link #STEPS} steps, as heap segments. */
    static MemorySegment[] reference(int k, int n, Precision precision) {
        AdamConfig c = GROUP_CONFIGS[k % GROUP_CONFIGS.length];
        LrSchedule sched = GROUP_SCHEDULES[k % GROUP_SCHEDULES.length];
        if (precision == Precision.F32) {
            float[] p = initial_F32(k, n), m = new float[n], v = new float[n], vmax = new float[n];
            for (int t = 1; t <= STEPS; t++) {
                AdamReference_F32.fused(AdamStep.of(c, t, sched.lr(t, c.lr())), p, gradient_F32(k, t, n), m, v,
                        vmax, 0, n);
            }
            return new MemorySegment[] {MemorySegment.ofArray(p), MemorySegment.ofArray(m), MemorySegment.ofArray(v),
                MemorySegment.ofArray(vmax)};
        }
        double[] p = initial(k, n), m = new double[n], v = new double[n], vmax = new double[n];
        for (int t = 1; t <= STEPS; t++) {
            AdamReference_F64.fused(AdamStep.of(c, t, sched.lr(t, c.lr())), p, gradient(k, t, n), m, v, vmax, 0, n);
        }
        return new MemorySegment[] {MemorySegment.ofArray(p), MemorySegment.ofArray(m), MemorySegment.ofArray(v),
            MemorySegment.ofArray(vmax)};
    }

    /** One group per configuration; tensor k goes to group k % 4. */
    static Optimizer<AdamConfig> optimizer(Optimizer.Builder<AdamConfig, ?> b) {
        Optimizer<AdamConfig> opt = b.schedule(GROUP_SCHEDULES[0]).build();
        for (int i = 1; i < GROUP_CONFIGS.length; i++) {
            opt.addGroup(GROUP_CONFIGS[i], GROUP_SCHEDULES[i]);
        }
        return opt;
    }

    /** Element {@code i} as canonical bits (every NaN alike). */
    static long bits(MemorySegment s, Precision p, long i) {
        return p == Precision.F32 ? Float.floatToIntBits(s.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i))
                : Double.doubleToLongBits(s.getAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED, i));
    }

    static void assertBits(MemorySegment want, MemorySegment got, Precision p, String what) {
        assertEquals(want.byteSize(), got.byteSize(), what);
        for (long i = 0; i < want.byteSize() / p.bytes(); i++) {
            if (bits(want, p, i) != bits(got, p, i)) {
                throw new AssertionError(what + " element " + i + ": reference bits " + Long.toHexString(bits(want,
                        p, i)) + ", optimizer bits " + Long.toHexString(bits(got, p, i)));
            }
        }
    }

    static void fill(MemorySegment dst, Precision p, double[] src) {
        for (int i = 0; i < src.length; i++) {
            if (p == Precision.F32) {
                dst.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, (float) src[i]);
            } else {
                dst.setAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED, i, src[i]);
            }
        }
    }

    enum Holder { ARRAY, SLICE, EJML, SEGMENT }

    @Test
    void everyParameterKindMatchesTheReference() {
        for (Holder h : Holder.values()) {
            // the 16-bit precisions have their own test, LowPrecisionOptimizerTest
            for (Precision p : new Precision[] {Precision.F32, Precision.F64}) {
                for (int threads : new int[] {1, 3}) {
                    check(h, p, threads);
                }
            }
        }
    }

    /** Registers the model's tensors held as {@code h}, steps them, and compares every value and state element. */
    private static void check(Holder h, Precision prec, int threads) {
        int bytes = prec.bytes();
        try (Arena arena = Arena.ofShared();
                Optimizer<AdamConfig> opt = optimizer(Optimizer.of(GROUP_CONFIGS[0]).threads(threads))) {
            int total = 5;
            for (int[] s : SHAPES) {
                total += s[0] * s[1];
            }
            Object flat = newArray(prec, total);
            Object flatGrad = newArray(prec, total);
            List<MemorySegment> values = new ArrayList<>();
            List<MemorySegment> grads = new ArrayList<>();
            int at = 3;
            for (int k = 0; k < SHAPES.length; k++) {
                int rows = SHAPES[k][0], cols = SHAPES[k][1], n = rows * cols;
                ParamGroup<AdamConfig> g = opt.groups().get(k % GROUP_CONFIGS.length);
                MemorySegment value;
                MemorySegment grad;
                switch (h) {
                    case ARRAY -> {
                        Object p = newArray(prec, n), q = newArray(prec, n);
                        add(g, p, q, 0, n);
                        value = segment(p);
                        grad = segment(q);
                    }
                    case SLICE -> {
                        add(g, flat, flatGrad, at, n);
                        value = segment(flat).asSlice((long) at * bytes, (long) n * bytes);
                        grad = segment(flatGrad).asSlice((long) at * bytes, (long) n * bytes);
                        at += n;
                    }
                    case EJML -> {
                        if (prec == Precision.F32) {
                            FMatrixRMaj p = new FMatrixRMaj(rows, cols), q = new FMatrixRMaj(rows, cols);
                            g.add(p, q);
                            value = MemorySegment.ofArray(p.data);
                            grad = MemorySegment.ofArray(q.data);
                        } else {
                            DMatrixRMaj p = new DMatrixRMaj(rows, cols), q = new DMatrixRMaj(rows, cols);
                            g.add(p, q);
                            value = MemorySegment.ofArray(p.data);
                            grad = MemorySegment.ofArray(q.data);
                        }
                    }
                    case SEGMENT -> {
                        value = arena.allocate((long) n * bytes, 64);
                        grad = arena.allocate((long) n * bytes, 64);
                        g.add(prec, value, grad);
                    }
                    default -> throw new AssertionError(h);
                }
                fill(value, prec, initial(k, n));
                values.add(value);
                grads.add(grad);
            }
            for (int t = 1; t <= STEPS; t++) {
                opt.zeroGrad();
                for (int k = 0; k < SHAPES.length; k++) {
                    fill(grads.get(k), prec, gradient(k, t, SHAPES[k][0] * SHAPES[k][1]));
                }
                opt.step();
            }
            List<Param> params = byTensor(opt);
            for (int k = 0; k < SHAPES.length; k++) {
                MemorySegment[] want = reference(k, SHAPES[k][0] * SHAPES[k][1], prec);
                Param p = params.get(k);
                String what = h + " " + prec + " tensor " + k + " with " + threads + " threads";
                assertBits(want[0], values.get(k), prec, what + " value");
                assertBits(want[1], p.expAvg(), prec, what + " exp_avg");
                assertBits(want[2], p.expAvgSq(), prec, what + " exp_avg_sq");
                if (p.stateNames().contains("max_exp_avg_sq")) {
                    assertBits(want[3], p.maxExpAvgSq(), prec, what + " max_exp_avg_sq");
                }
                assertEquals(STEPS, p.step());
            }
            assertEquals(STEPS, opt.steps());
        }
    }

    private static Object newArray(Precision p, int n) {
        return p == Precision.F32 ? new float[n] : new double[n];
    }

    private static MemorySegment segment(Object array) {
        return array instanceof float[] f ? MemorySegment.ofArray(f) : MemorySegment.ofArray((double[]) array);
    }

    private static void add(ParamGroup<AdamConfig> g, Object value, Object grad, int off, int len) {
        if (value instanceof float[] f) {
            g.add(f, (float[]) grad, off, len);
        } else {
            g.add((double[]) value, (double[]) grad, off, len);
        }
    }

    /** Writes the gradients of a step. */
    interface GradientSetter {
        void set(int step);
    }

    /** The parameters in tensor order (tensor k is parameter k / 4 of group k % 4). */
    static List<Param> byTensor(Optimizer<AdamConfig> opt) {
        List<Param> out = new ArrayList<>();
        for (int k = 0; k < SHAPES.length; k++) {
            out.add(opt.groups().get(k % GROUP_CONFIGS.length).params().get(k / GROUP_CONFIGS.length));
        }
        return out;
    }

    /** Every value and state byte of a model, for comparing runs. */
    static byte[] bytes(Optimizer<AdamConfig> opt, List<MemorySegment> values) {
        List<Byte> out = new ArrayList<>();
        List<MemorySegment> all = new ArrayList<>(values);
        for (Param p : opt.params()) {
            all.add(p.expAvg());
            all.add(p.expAvgSq());
            if (p.stateNames().contains("max_exp_avg_sq")) {
                all.add(p.maxExpAvgSq());
            }
        }
        int size = 0;
        for (MemorySegment s : all) {
            size += (int) s.byteSize();
        }
        byte[] b = new byte[size];
        int at = 0;
        for (MemorySegment s : all) {
            MemorySegment.copy(s, ValueLayout.JAVA_BYTE, 0, b, at, (int) s.byteSize());
            at += (int) s.byteSize();
        }
        return b;
    }

    /** Many tensors of uneven sizes, some far past a parallel piece, stepped with the given optimizer. */
    static byte[] manyTensors(Optimizer.Builder<AdamConfig, ?> b) {
        return manyTensors(b, 40_000);
    }

    /** Every fifth tensor has {@code big} to {@code 3 * big} elements, the others up to 3000. */
    static byte[] manyTensors(Optimizer.Builder<AdamConfig, ?> b, int big) {
        SplittableRandom r = new SplittableRandom(2024);
        try (Optimizer<AdamConfig> opt = optimizer(b)) {
            List<float[]> grads = new ArrayList<>();
            List<MemorySegment> values = new ArrayList<>();
            for (int k = 0; k < 41; k++) {
                int n = k % 5 == 0 ? big + r.nextInt(2 * big) : 1 + r.nextInt(3000);
                float[] p = initial_F32(k, n);
                float[] g = new float[n];
                opt.groups().get(k % GROUP_CONFIGS.length).add(p, g);
                grads.add(g);
                values.add(MemorySegment.ofArray(p));
            }
            for (int t = 1; t <= STEPS; t++) {
                for (int k = 0; k < grads.size(); k++) {
                    System.arraycopy(gradient_F32(k, t, grads.get(k).length), 0, grads.get(k), 0,
                            grads.get(k).length);
                }
                opt.step();
            }
            return bytes(opt, values);
        }
    }

    @Test
    void threadCounts1And2And7GiveIdenticalBytes() {
        byte[] one = manyTensors(Optimizer.adam().threads(1));
        assertArrayEquals(one, manyTensors(Optimizer.adam().threads(2)), "2 threads");
        assertArrayEquals(one, manyTensors(Optimizer.adam().threads(7)), "7 threads");
        ExecutorService pool = Executors.newFixedThreadPool(3);
        ExecutorService single = Executors.newSingleThreadExecutor();
        try {
            assertArrayEquals(one, manyTensors(Optimizer.adam().executor(pool, 7)), "7 threads on a 3-thread pool");
            // the caller does everything if the executor never gets to the helpers: no deadlock, same bytes
            assertArrayEquals(one, manyTensors(Optimizer.adam().executor(single, 4)), "a single-thread executor");
            assertArrayEquals(one, single.submit(() -> manyTensors(Optimizer.adam().executor(single, 4)))
                    .get(60, TimeUnit.SECONDS),
                    "stepped from the executor's only thread");
        } catch (Exception e) {
            throw new AssertionError(e);
        } finally {
            pool.shutdown();
            single.shutdown();
        }
    }

    @Test
    void everyKernelGivesIdenticalBytes() {
        // smaller tensors: the widths wider than the hardware's are emulated, slowly
        byte[] scalar = manyTensors(Optimizer.adam().kernel(AdamKernels.SCALAR), 4000);
        for (String name : AdamKernels.names()) {
            assertArrayEquals(scalar, manyTensors(Optimizer.adam().kernel(name).threads(2), 4000), name);
        }
    }

    /**
     * Segment parameters that start past element 2^31 of a memory-mapped sparse file (only the touched pages take
     * disk or memory), stepped by the optimizer with two threads, against the same data in heap arrays.
     */
    @Test
    void segmentParametersBeyondElement2To31MatchTheHeap(@TempDir Path dir) throws Exception {
        long start = (1L << 31) + 3;
        int[] sizes = {5000, 77, 40_001};
        long n = start + 50_000;
        try (FileChannel ch = FileChannel.open(dir.resolve("model.f32"), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.SPARSE);
                Arena arena = Arena.ofShared();
                Optimizer<AdamConfig> mapped = optimizer(Optimizer.of(GROUP_CONFIGS[0]).threads(2));
                Optimizer<AdamConfig> heap = optimizer(Optimizer.of(GROUP_CONFIGS[0]))) {
            MemorySegment values = ch.map(FileChannel.MapMode.READ_WRITE, 0, 4 * n, arena);
            MemorySegment grads = ch.map(FileChannel.MapMode.READ_WRITE, 4 * n, 4 * n, arena);
            List<MemorySegment> mappedValues = new ArrayList<>();
            List<MemorySegment> heapValues = new ArrayList<>();
            List<GradientSetter> setGrads = new ArrayList<>();
            long at = start;
            for (int k = 0; k < sizes.length; k++) {
                int size = sizes[k];
                float[] init = initial_F32(k, size);
                MemorySegment v = values.asSlice(4 * at, 4L * size);
                MemorySegment g = grads.asSlice(4 * at, 4L * size);
                MemorySegment.copy(init, 0, v, ValueLayout.JAVA_FLOAT, 0, size);
                mapped.groups().get(k).add(Precision.F32, v, g);
                float[] hv = init.clone(), hg = new float[size];
                heap.groups().get(k).add(hv, hg);
                mappedValues.add(v);
                heapValues.add(MemorySegment.ofArray(hv));
                final int tensor = k;
                setGrads.add(step -> {
                    float[] gr = gradient_F32(tensor, step, size);
                    MemorySegment.copy(gr, 0, g, ValueLayout.JAVA_FLOAT, 0, size);
                    System.arraycopy(gr, 0, hg, 0, size);
                });
                at += size;
            }
            for (int t = 1; t <= STEPS; t++) {
                for (GradientSetter r : setGrads) {
                    r.set(t);
                }
                mapped.step();
                heap.step();
            }
            assertArrayEquals(bytes(heap, heapValues), bytes(mapped, mappedValues));
            assertEquals(0f, values.getAtIndex(ValueLayout.JAVA_FLOAT, start - 1), "memory before the slice");
        }
    }
}
