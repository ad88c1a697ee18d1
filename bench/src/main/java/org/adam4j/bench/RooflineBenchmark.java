package org.adam4j.bench;

import java.util.concurrent.TimeUnit;
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
 * The machine's ceiling for a kernel with Adam's memory traffic: 28 bytes per float element, 56 per double (reads
 * {@code p, g, m, v}, writes {@code p, m, v}), with an addition per array for arithmetic, at the sizes and thread
 * counts of {@link AdamBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class RooflineBenchmark {
    private static final long SEED = 20240601L;

    @Param({"f32", "f64"})
    public String precision;

    @Param({"4096", "16384", "262144", "4194304", "33554432"})
    public int size;

    @Param({"1", "2"})
    public int threads;

    private RooflineWorkload workload;

    @Setup(Level.Trial)
    public void setup() {
        RooflineWorkload warm = workload(Warming.ELEMENTS);
        Warming.run(warm::run);
        workload = workload(size);
        workload.verify();
    }

    private RooflineWorkload workload(int n) {
        return switch (precision) {
            case "f32" -> new RooflineWorkload_F32(n, threads, SEED);
            case "f64" -> new RooflineWorkload_F64(n, threads, SEED);
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

    @Benchmark
    public void roofline() {
        workload.run();
    }
}
