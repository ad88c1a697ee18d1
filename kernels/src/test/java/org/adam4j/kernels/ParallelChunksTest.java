package org.adam4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The one work-sharing loop: every piece exactly once, failures rethrown, and no wait on unstarted tasks. */
class ParallelChunksTest {
    @Test
    void everyPieceRunsExactlyOnce() {
        for (int threads : new int[] {1, 2, 7}) {
            AtomicIntegerArray runs = new AtomicIntegerArray(1000);
            new ParallelChunks(threads, 16, null).runPieces(1000, runs::incrementAndGet);
            for (int k = 0; k < 1000; k++) {
                assertEquals(1, runs.get(k), threads + " threads, piece " + k);
            }
        }
    }

    @Test
    void threadCountsAreOneToTheDocumentedLimitEverywhere() {
        for (int bad : new int[] {0, -1, ParallelChunks.MAX_THREADS + 1, 10_000_000, Integer.MAX_VALUE}) {
            String message = "Invalid thread count: " + bad + " (must be 1 to 1024)";
            assertEquals(message, assertThrows(IllegalArgumentException.class,
                    () -> new ParallelChunks(bad, 16, null)).getMessage());
            assertEquals(message, assertThrows(IllegalArgumentException.class,
                    () -> AdamKernels.f32().parallel(bad)).getMessage());
            assertEquals(message, assertThrows(IllegalArgumentException.class,
                    () -> AdamKernels.f64().parallel(bad, Runnable::run)).getMessage());
            assertEquals(message, assertThrows(IllegalArgumentException.class,
                    () -> org.adam4j.optim.Optimizer.sgd(0.1).threads(bad)).getMessage());
        }
        AtomicIntegerArray runs = new AtomicIntegerArray(3000);
        new ParallelChunks(ParallelChunks.MAX_THREADS, 16, null).runPieces(3000, runs::incrementAndGet);
        for (int k = 0; k < 3000; k++) {
            assertEquals(1, runs.get(k), "the limit itself works: piece " + k);
        }
    }

    @Test
    void longSlicesAreCoveredOnceAtLineBoundaries() {
        long off = (1L << 33) + 5;
        long len = 10L * ParallelChunks.MIN_CHUNK + 3;
        AtomicLong covered = new AtomicLong();
        AtomicLong misaligned = new AtomicLong();
        new ParallelChunks(4, 16, null).runLong(off, len, (o, l) -> {
            covered.addAndGet(l);
            if (o != off && o % 16 != 0) {
                misaligned.incrementAndGet();
            }
        });
        assertEquals(len, covered.get());
        assertEquals(0, misaligned.get());
    }

    @Test
    void theFirstFailureIsRethrown() {
        IllegalStateException boom = new IllegalStateException("boom");
        var e = assertThrows(IllegalStateException.class, () -> new ParallelChunks(3, 1, null).runPieces(50, k -> {
            if (k == 17) {
                throw boom;
            }
        }));
        assertSame(boom, e);
    }

    @Test
    void noDeadlockOnABusyRejectingOrOwnExecutor() throws Exception {
        ExecutorService single = Executors.newSingleThreadExecutor();
        try {
            AtomicIntegerArray runs = new AtomicIntegerArray(64);
            // called from the executor's only thread: its helper tasks cannot start until this returns
            single.submit(() -> new ParallelChunks(4, 1, single).runPieces(64, runs::incrementAndGet))
                    .get(60, TimeUnit.SECONDS);
            for (int k = 0; k < 64; k++) {
                assertEquals(1, runs.get(k));
            }
        } finally {
            single.shutdown();
        }
        AtomicIntegerArray runs = new AtomicIntegerArray(8);
        new ParallelChunks(4, 1, task -> {
            throw new RejectedExecutionException("full");
        }).runPieces(8, runs::incrementAndGet);
        for (int k = 0; k < 8; k++) {
            assertEquals(1, runs.get(k));
        }
    }

    @Test
    void aLateHelperOfAnEarlierCallRunsOnlyPiecesOfTheCallInProgressEachOnce() throws Exception {
        // An executor that holds its tasks until told: call 1's helper starts only inside call 2.
        java.util.List<Runnable> held = new java.util.concurrent.CopyOnWriteArrayList<>();
        ParallelChunks chunks = new ParallelChunks(2, 1, held::add);
        AtomicIntegerArray first = new AtomicIntegerArray(20);
        chunks.runPieces(20, first::incrementAndGet);
        assertEquals(1, held.size(), "one helper queued, not started");
        AtomicIntegerArray second = new AtomicIntegerArray(40);
        AtomicLong byHelpers = new AtomicLong();
        Thread caller = Thread.currentThread();
        chunks.runPieces(40, k -> {
            if (Thread.currentThread() != caller) {
                byHelpers.incrementAndGet();
            }
            if (k == 0) {
                // Both held helpers (call 1's and call 2's) start now, on another thread, while call 2 runs.
                Thread t = new Thread(() -> held.forEach(Runnable::run));
                t.start();
                try {
                    t.join();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
            second.incrementAndGet(k);
        });
        for (int k = 0; k < 20; k++) {
            assertEquals(1, first.get(k), "call 1, piece " + k);
        }
        for (int k = 0; k < 40; k++) {
            assertEquals(1, second.get(k), "call 2, piece " + k);
        }
        assertEquals(39, byHelpers.get(), "the helpers took every piece while the caller was in piece 0");
        // Helpers that start after their calls are over do nothing.
        held.forEach(Runnable::run);
        for (int k = 0; k < 40; k++) {
            assertEquals(1, second.get(k), "call 2, piece " + k);
        }
    }

    @Test
    void nestedAndConcurrentCallsOnOneInstanceEachRunTheirPiecesOnce() throws Exception {
        ParallelChunks chunks = new ParallelChunks(2, 1, null);
        AtomicIntegerArray nested = new AtomicIntegerArray(8 * 50);
        chunks.runPieces(8, outer -> chunks.runPieces(50, inner -> nested.incrementAndGet(outer * 50 + inner)));
        for (int k = 0; k < 8 * 50; k++) {
            assertEquals(1, nested.get(k), "nested piece " + k);
        }
        ExecutorService callers = Executors.newFixedThreadPool(3);
        try {
            java.util.List<java.util.concurrent.Future<AtomicIntegerArray>> results = new java.util.ArrayList<>();
            for (int c = 0; c < 3; c++) {
                results.add(callers.submit(() -> {
                    AtomicIntegerArray runs = new AtomicIntegerArray(200 * 30);
                    for (int call = 0; call < 200; call++) {
                        int base = call * 30;
                        chunks.runPieces(30, k -> runs.incrementAndGet(base + k));
                    }
                    return runs;
                }));
            }
            for (var r : results) {
                AtomicIntegerArray runs = r.get(60, TimeUnit.SECONDS);
                for (int k = 0; k < runs.length(); k++) {
                    assertEquals(1, runs.get(k), "concurrent piece " + k);
                }
            }
        } finally {
            callers.shutdown();
        }
    }

    @Test
    void oneParallelKernelUsedFromSeveralThreadsGivesTheSerialBits() throws Exception {
        int n = 5 * ParallelChunks.MIN_CHUNK + 7;
        org.adam4j.reference.AdamStep step = org.adam4j.reference.AdamConfig.builder().decoupled(0.01).build().step(3);
        AdamKernel_F32 serial = AdamKernels.f32();
        AdamKernel_F32 parallel = serial.parallel(2);
        ExecutorService callers = Executors.newFixedThreadPool(3);
        try {
            java.util.List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
            for (int c = 0; c < 3; c++) {
                int seed = c;
                done.add(callers.submit(() -> {
                    java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
                    float[][] a = new float[8][n];
                    for (float[] x : a) {
                        for (int i = 0; i < n; i++) {
                            x[i] = (float) r.nextDouble(0.001, 1.0);
                        }
                    }
                    float[] p = a[0].clone(), m = a[2].clone(), v = a[3].clone();
                    for (int t = 0; t < 50; t++) {
                        serial.fused(step, a[0], a[1], a[2], a[3], null, 0, n);
                        parallel.fused(step, p, a[1], m, v, null, 0, n);
                    }
                    for (int i = 0; i < n; i++) {
                        assertEquals(Float.floatToIntBits(a[0][i]), Float.floatToIntBits(p[i]), "p[" + i + "]");
                        assertEquals(Float.floatToIntBits(a[2][i]), Float.floatToIntBits(m[i]), "m[" + i + "]");
                        assertEquals(Float.floatToIntBits(a[3][i]), Float.floatToIntBits(v[i]), "v[" + i + "]");
                    }
                    return null;
                }));
            }
            for (var d : done) {
                d.get(60, TimeUnit.SECONDS);
            }
        } finally {
            callers.shutdown();
        }
    }

    /**
     * Bytes, not time: after warming up, a parallel step allocates nothing on the calling thread (the pool's
     * workers allocate nothing either, but the JVM counts only the current thread's cheaply).
     */
    @Test
    void aParallelStepAllocatesNothingOnTheCaller() {
        int n = 4 * ParallelChunks.MIN_CHUNK;
        float[] p = new float[n], g = new float[n], m = new float[n], v = new float[n];
        java.util.Arrays.fill(g, 0.5f);
        org.adam4j.reference.AdamStep step = org.adam4j.reference.AdamConfig.defaults().step(5);
        AdamKernel_F32 adam = AdamKernels.f32().parallel(2);
        AdamKernel_F32 sgd = AdamKernels.f32().parallel(2);
        org.adam4j.reference.SgdStep sgdStep = org.adam4j.reference.SgdConfig.builder().lr(0.01).momentum(0.9).build()
                .step(5);
        Runnable calls = () -> {
            adam.fused(step, p, g, m, v, null, 0, n);
            sgd.sgd(sgdStep, p, g, m, 0, n);
        };
        long perCall = AllocationCounter.bytesPerCall(calls, 2, 20_000, 2_000, 1);
        assertEquals(0, perCall, "bytes allocated per parallel call");
    }
}
