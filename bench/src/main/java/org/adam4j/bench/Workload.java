package org.adam4j.bench;

/** A benchmark's arrays. */
interface Workload {
    /** Puts every array the benchmark writes back to its initial values. */
    void reset();
}
