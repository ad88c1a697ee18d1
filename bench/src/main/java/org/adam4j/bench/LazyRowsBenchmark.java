package org.adam4j.bench;

import java.util.concurrent.TimeUnit;
import org.adam4j.kernels.AdamKernels;
import org.adam4j.reference.LazyMode;
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
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Sparse updates of an embedding table ({@code rows x dim}, by default 1,000,000 x 64) of which
 * {@code touchedPercent}% of the rows get a gradient per step: AdamW's step with {@link LazyMode#LAZY} lazy rows
 * ({@code lazy}), with {@link LazyMode#EXACT} lazy rows that catch skipped steps up ({@code exact}), and the dense
 * fused step over the whole table ({@code dense}), all on one thread (lazy rows run on the caller). One operation is
 * one training step; {@code ./adam4j bench} reports it per table element, so the three compare directly.
 *
 * <p>Each trial first runs two steps with the kernel and two with the reference on the very table it then measures
 * and checks them bit for bit. See {@code LazyRowsWorkload_F32} for the row sets and the step counter.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class LazyRowsBenchmark {
    private static final long SEED = 20241122L;

    @Param({"vector", "scalar"})
    public String kernel;

    @Param({"f32", "f64"})
    public String precision;

    @Param({"1000000"})
    public int rows;

    @Param({"64"})
    public int dim;

    @Param({"1"})
    public int touchedPercent;

    // Not final, as JMH's samples ask of benchmark state: nothing here may look constant to the JIT.
    LazyRowsWorkload workload;

    @Setup(Level.Trial)
    public void setup(BenchmarkParams params) {
        prepare(params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.') + 1));
    }

    /** Builds the table for {@code op} ({@code lazy}, {@code exact} or {@code dense}) and checks the kernel on it. */
    void prepare(String op) {
        LazyMode mode = switch (op) {
            case "lazy" -> LazyMode.LAZY;
            case "exact" -> LazyMode.EXACT;
            case "dense" -> null;
            default -> throw new IllegalArgumentException("unknown operation '" + op + "' (lazy, exact or dense)");
        };
        // A table of 100 rows whose steps touch one row each: the row code and the dense step's loop get compiled.
        LazyRowsWorkload warm = workload(mode, 100, dim);
        Warming.run(warm::step);
        workload = workload(mode, rows, dim);
        workload.verify();
    }

    private LazyRowsWorkload workload(LazyMode mode, int tableRows, int rowWidth) {
        return switch (precision) {
            case "f32" -> new LazyRowsWorkload_F32(AdamKernels.f32(kernel), mode, tableRows, rowWidth, touchedPercent,
                    SEED);
            case "f64" -> new LazyRowsWorkload_F64(AdamKernels.f64(kernel), mode, tableRows, rowWidth, touchedPercent,
                    SEED);
            default -> throw new IllegalArgumentException("unknown precision '" + precision + "' (expected f32 or f64)");
        };
    }

    @Setup(Level.Iteration)
    public void reset() {
        workload.reset();
    }

    @TearDown(Level.Trial)
    public void release() {
        workload = null;
    }

    /** One AdamW step on the touched rows only; untouched rows keep their state. */
    @Benchmark
    public void lazy() {
        workload.step();
    }

    /** One AdamW step on the touched rows, each first caught up for the steps it skipped. */
    @Benchmark
    public void exact() {
        workload.step();
    }

    /** One dense AdamW step over the whole table. */
    @Benchmark
    public void dense() {
        workload.step();
    }
}
