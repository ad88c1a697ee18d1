package org.adam4j.kernels;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;

/**
 * Splits a slice {@code [off, off + len)} into at most {@code threads} chunks whose inner boundaries are multiples of
 * {@code line} elements, runs all but the first on an executor and the first on the calling thread, and returns when
 * all are done (rethrowing the first failure).
 */
public final class ParallelChunks {
    /** Below this many elements per thread a split costs more than it saves. */
    public static final int MIN_CHUNK = 4096;

    /** A chunk of work on {@code [off, off + len)}. */
    @FunctionalInterface
    public interface Chunk {
        void run(int off, int len);
    }

    /** A chunk of work on {@code [off, off + len)} of something that may exceed 2^31 elements (a segment). */
    @FunctionalInterface
    public interface LongChunk {
        void run(long off, long len);
    }

    private final int threads;
    private final int line;
    private final Executor executor;

    /**
     * @param threads  how many chunks at most (1 runs everything on the caller)
     * @param line     the alignment of inner chunk boundaries, in elements
     * @param executor where chunks after the first run; {@code null} for a shared pool of daemon threads
     */
    public ParallelChunks(int threads, int line, Executor executor) {
        if (threads < 1) {
            throw new IllegalArgumentException("Invalid thread count: " + threads + " (must be >= 1)");
        }
        if (line < 1) {
            throw new IllegalArgumentException("Invalid line size: " + line);
        }
        this.threads = threads;
        this.line = line;
        this.executor = executor;
    }

    public int threads() {
        return threads;
    }

    /** The shared pool of daemon workers that runs chunks when no executor is given. */
    public static Executor sharedPool() {
        return SharedPool.POOL;
    }

    /** Runs {@code chunk} over the split of {@code [off, off + len)}. */
    public void run(int off, int len, Chunk chunk) {
        if (parts(len) <= 1) {
            chunk.run(off, len);
            return;
        }
        runLong(off, len, (o, l) -> chunk.run((int) o, (int) l));
    }

    private int parts(long len) {
        return (int) Math.min(threads, Math.max(1L, len / MIN_CHUNK));
    }

    /** Runs {@code chunk} over the split of {@code [off, off + len)}. */
    public void runLong(long off, long len, LongChunk chunk) {
        int parts = parts(len);
        if (parts <= 1) {
            chunk.run(off, len);
            return;
        }
        long end = off + len;
        long[] cuts = new long[parts + 1];
        cuts[0] = off;
        cuts[parts] = end;
        for (int k = 1; k < parts; k++) {
            // len * k / parts without overflowing for any long len
            long cut = off + len / parts * k + len % parts * k / parts;
            cut -= cut % line;
            cuts[k] = Math.max(cuts[k - 1], Math.min(end, cut));
        }
        Executor ex = executor != null ? executor : SharedPool.POOL;
        CountDownLatch done = new CountDownLatch(parts - 1);
        Throwable[] failure = new Throwable[1];
        for (int k = 1; k < parts; k++) {
            long o = cuts[k];
            long l = cuts[k + 1] - cuts[k];
            ex.execute(() -> {
                try {
                    chunk.run(o, l);
                } catch (Throwable t) {
                    synchronized (failure) {
                        if (failure[0] == null) {
                            failure[0] = t;
                        }
                    }
                } finally {
                    done.countDown();
                }
            });
        }
        Throwable mine = null;
        try {
            chunk.run(cuts[0], cuts[1] - cuts[0]);
        } catch (Throwable t) {
            mine = t;
        }
        boolean interrupted = false;
        while (true) {
            try {
                done.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Throwable first = mine;
        synchronized (failure) {
            if (first == null) {
                first = failure[0];
            }
        }
        if (first instanceof RuntimeException re) {
            throw re;
        }
        if (first instanceof Error err) {
            throw err;
        }
        if (first != null) {
            throw new IllegalStateException(first);
        }
    }

    /** Daemon workers shared by every parallel kernel that was not given an executor. */
    private static final class SharedPool {
        static final ForkJoinPool POOL = new ForkJoinPool(
                Math.max(1, Runtime.getRuntime().availableProcessors() - 1),
                pool -> {
                    var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
                    t.setDaemon(true);
                    t.setName("adam4j-worker-" + t.getPoolIndex());
                    return t;
                },
                null, false);
    }
}
