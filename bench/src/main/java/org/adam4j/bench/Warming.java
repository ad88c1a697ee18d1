package org.adam4j.bench;

/**
 * Gets the code under test compiled before the setup's check runs it on up to 32 Mi elements. Vector API code runs
 * thousands of times slower in the interpreter and boxes every vector in C1's code, so one cold call on a large array
 * takes seconds, and would leave little of a short warm-up for C2's code. A few thousand calls on a small array reach
 * C2 in a fraction of a second.
 */
final class Warming {
    /** Small enough that the interpreted and C1 calls are quick, a multiple of every lane count. */
    static final int ELEMENTS = 256;
    private static final int CALLS = 20_000;
    private static final long MAX_NANOS = 2_000_000_000L;

    private Warming() {
    }

    static void run(Runnable call) {
        long until = System.nanoTime() + MAX_NANOS;
        for (int i = 0; i < CALLS && System.nanoTime() < until; i++) {
            call.run();
        }
    }
}
