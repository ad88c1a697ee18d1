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
}
