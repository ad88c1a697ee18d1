package org.adam4j.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The machine's ceiling for a kernel with Adam's memory traffic: 28 bytes per float element, 56 per double (reads
 * {@code p, g, m, v}, writes {@code p, m, v}), with an addition per array for arithmetic, at the sizes and thread
 * counts of {@link AdamBenchmark}. Its setup checks one pass against the probe's plain loop, bit for bit.
 */
@State(Scope.Thread)
public class RooflineBenchmark extends ArrayBenchmark<RooflineWorkload> {
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
            default -> throw unknownPrecision();
        };
    }

    @Benchmark
    public void roofline() {
        workload.run();
    }
}
