package org.adam4j.bench;

/** The arrays of one {@link AdamBenchmark} at one precision, with the kernel under test. */
interface AdamWorkload extends Workload {
    void fused();

    void moments();

    void params();

    /** The fused step through the kernel's {@code MemorySegment} operation, on heap segments over the same arrays. */
    void fusedHeapSegment();

    /** {@code fused}, {@code moments}, {@code params} or {@code fusedHeapSegment}, by name. */
    default void run(String op) {
        switch (op) {
            case "fused" -> fused();
            case "moments" -> moments();
            case "params" -> params();
            case "fusedHeapSegment" -> fusedHeapSegment();
            default -> throw new IllegalArgumentException("unknown operation '" + op + "'");
        }
    }

    /**
     * Runs {@code op} (as {@link #run}) once with the kernel and once with the reference from the same initial
     * values, throws {@link IllegalStateException} at the first bit that differs, and leaves the initial values in
     * place.
     */
    void verify(String op);
}
