package org.adam4j.bench;

/** The arrays of one {@link RooflineBenchmark} at one precision. */
interface RooflineWorkload extends Workload {
    /** One pass of the probe over every element. */
    void run();

    /** Checks one pass against the probe's plain loop, bit for bit, and leaves the initial values in place. */
    void verify();
}
