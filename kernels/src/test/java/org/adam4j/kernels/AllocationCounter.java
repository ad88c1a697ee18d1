package org.adam4j.kernels;

/**
 * Bytes a compiled call allocates, for the tests that hold kernels to none: {@code calls} runs {@code callsPerRun}
 * operations; it is warmed up and measured in rounds until a round allocates nothing (C2 compiles in the background,
 * so the first rounds may still run interpreted code), at most {@code maxRounds} of them.
 */
final class AllocationCounter {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();

    private AllocationCounter() {
    }

    /**
     * Bytes per operation of the last round (0 once the calls are compiled and allocation-free).
     *
     * @param calls the operations under test, run as one
     * @param callsPerRun how many operations {@code calls} makes
     * @param warmup runs before each measured round
     * @param measured runs measured in each round
     * @param maxRounds the rounds at most
     * @return the bytes allocated per operation in the last round
     */
    static long bytesPerCall(Runnable calls, int callsPerRun, int warmup, int measured, int maxRounds) {
        long perCall = Long.MAX_VALUE;
        for (int round = 0; round < maxRounds && perCall != 0; round++) {
            for (int i = 0; i < warmup; i++) {
                calls.run();
            }
            long start = THREADS.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < measured; i++) {
                calls.run();
            }
            perCall = (THREADS.getCurrentThreadAllocatedBytes() - start) / ((long) callsPerRun * measured);
        }
        return perCall;
    }
}
