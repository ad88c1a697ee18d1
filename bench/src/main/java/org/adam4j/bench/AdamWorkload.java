package org.adam4j.bench;

/** The arrays of one {@link AdamBenchmark} at one precision, with the kernel under test. */
interface AdamWorkload extends Workload {
    void fused();

    void moments();

    void params();

    /** The fused step through the kernel's {@code MemorySegment} operation, on heap segments over the same arrays. */
    void fusedHeapSegment();

    /** The guarded step's reduction alone: the sum of squares of the gradient, in its fixed order. */
    void gradnorm();

    /**
     * A whole optimizer step of {@code p} and {@code g} skipping non-finite steps, with step statistics, by this
     * kernel: the gradient pass, then the fused step block by block with the statistics beside it.
     */
    void fusedGuarded();

    /** The configuration and thread count of {@link #fusedGuarded}'s optimizer. */
    void guardedBy(org.adam4j.reference.AdamConfig config, int threads);

    /** {@code fused}, {@code moments}, {@code params}, {@code fusedHeapSegment}, {@code gradnorm} or
     * {@code fusedGuarded}, by name. */
    default void run(String op) {
        switch (op) {
            case "fused" -> fused();
            case "moments" -> moments();
            case "params" -> params();
            case "fusedHeapSegment" -> fusedHeapSegment();
            case "gradnorm" -> gradnorm();
            case "fusedGuarded" -> fusedGuarded();
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
