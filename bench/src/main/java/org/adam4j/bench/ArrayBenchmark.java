package org.adam4j.bench;

import java.util.concurrent.TimeUnit;
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
 * What {@link AdamBenchmark} and {@link RooflineBenchmark} share: JMH's settings, the precision, size and thread
 * parameters, and a workload that every iteration starts afresh, so that each measures the same steps.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public abstract class ArrayBenchmark<W extends Workload> {
    static final long SEED = 20240601L;

    @Param({"f32", "f64"})
    public String precision;

    /** From L1-resident to far beyond the last-level cache. */
    @Param({"4096", "16384", "262144", "4194304", "33554432"})
    public int size;

    @Param({"1", "2"})
    public int threads;

    // Not final, as JMH's samples ask of benchmark state: nothing here may look constant to the JIT.
    W workload;

    @Setup(Level.Iteration)
    public void reset() {
        workload.reset();
    }

    @TearDown(Level.Trial)
    public void release() {
        workload = null;
    }

    IllegalArgumentException unknownPrecision() {
        return new IllegalArgumentException("unknown precision '" + precision + "' (expected f32 or f64)");
    }
}
