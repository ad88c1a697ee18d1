package org.adam4j.bench;

/** The arrays of one {@link RelativesBenchmark} at one precision, with the kernel under test. */
interface RelativesWorkload extends Workload {
    /** One step of the relative over every element. */
    void fused();

    /**
     * Runs one step with the kernel and one with the reference from the same initial values, throws
     * {@link IllegalStateException} at the first bit that differs, and leaves the initial values in place.
     */
    void verify();
}
