package org.adam4j.train;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;
import org.adam4j.kernels.ParallelChunks;

/**
 * Runs numbered tasks on a fixed number of threads. The work is cut into tasks by the caller independently of the
 * thread count, and each task writes only its own outputs, so results do not depend on how many threads ran them.
 */
public final class Workers implements AutoCloseable {
    private final int threads;
    private final ExecutorService pool;

    public Workers(int threads) {
        this.threads = ParallelChunks.checkThreads(threads);
        this.pool = threads == 1 ? null : Executors.newFixedThreadPool(threads - 1, r -> {
            Thread t = new Thread(r, "adam4j-train");
            t.setDaemon(true);
            return t;
        });
    }

    public int threads() {
        return threads;
    }

    /** Runs {@code task(0) ... task(tasks - 1)} and returns when all are done; the caller's thread takes part. */
    public void forEach(int tasks, IntConsumer task) {
        if (pool == null || tasks <= 1) {
            for (int i = 0; i < tasks; i++) {
                task.accept(i);
            }
            return;
        }
        // Task i goes to lane i % threads; lane 0 is the caller's thread.
        List<Future<?>> futures = new ArrayList<>(threads - 1);
        for (int lane = 1; lane < Math.min(threads, tasks); lane++) {
            int first = lane;
            futures.add(pool.submit(() -> {
                for (int i = first; i < tasks; i += threads) {
                    task.accept(i);
                }
            }));
        }
        RuntimeException failure = null;
        try {
            for (int i = 0; i < tasks; i += threads) {
                task.accept(i);
            }
        } catch (RuntimeException e) {
            failure = e;
        }
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (ExecutionException e) {
                if (failure == null) {
                    failure = e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for training threads", e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
