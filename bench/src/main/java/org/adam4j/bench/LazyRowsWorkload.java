package org.adam4j.bench;

/** The embedding table of one {@link LazyRowsBenchmark} at one precision, with the kernel under test. */
interface LazyRowsWorkload extends Workload {
    /** One training step: {@code lazy}, {@code exact} or {@code dense}, as the workload was made for. */
    void step();

    /**
     * Runs two steps with the kernel and two with the reference from the same state, and throws
     * {@link IllegalStateException} at the first bit that differs. Leaves the table two steps on, at step 1 again.
     */
    void verify();
}
