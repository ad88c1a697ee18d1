package org.adam4j.kernels;

import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * Splits a slice {@code [off, off + len)} into at most {@code threads} chunks whose inner boundaries are multiples of
 * {@code line} elements and runs them on the calling thread and an executor (see {@link #runPieces}), returning when
 * all are done (rethrowing the first failure). The one place where adam4j hands work to other threads: the parallel
 * kernels split one slice, the optimizer splits many tensors, and neither nests inside the other.
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
        runPieces(parts, k -> chunk.run(cuts[k], cuts[k + 1] - cuts[k]));
    }

    /**
     * Runs {@code piece.accept(k)} for every {@code k} in {@code [0, pieces)}: the calling thread and up to
     * {@code threads - 1} tasks on the executor take pieces from one counter until none are left, then this returns
     * (rethrowing the first failure; after a failure no new piece starts). A task that the executor starts only after
     * the caller has finished does nothing, so the caller waits only for tasks that are running a piece, never for
     * one the executor has not started: no deadlock when the executor is busy or single-threaded, or when the caller
     * is one of its workers.
     */
    public void runPieces(int pieces, IntConsumer piece) {
        if (threads == 1 || pieces <= 1) {
            for (int k = 0; k < pieces; k++) {
                piece.accept(k);
            }
            return;
        }
        new Pieces(pieces, piece).run(executor != null ? executor : SharedPool.POOL, Math.min(threads, pieces) - 1);
    }

    /** One {@link #runPieces} call's shared counter, running-helper count and first failure. */
    private static final class Pieces implements Runnable {
        private final int pieces;
        private final IntConsumer piece;
        private final AtomicInteger next = new AtomicInteger();
        private int running;
        private boolean finished;
        private Throwable failure;

        Pieces(int pieces, IntConsumer piece) {
            this.pieces = pieces;
            this.piece = piece;
        }

        void run(Executor executor, int helpers) {
            try {
                for (int h = 0; h < helpers; h++) {
                    executor.execute(this);
                }
            } catch (RejectedExecutionException e) {
                // a saturated or shut-down executor: the caller takes the remaining pieces itself
            }
            work();
            boolean interrupted = false;
            Throwable first;
            synchronized (this) {
                finished = true;
                while (running > 0) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
                first = failure;
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
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

        @Override
        public void run() {
            synchronized (this) {
                if (finished) {
                    return;
                }
                running++;
            }
            try {
                work();
            } finally {
                synchronized (this) {
                    running--;
                    notifyAll();
                }
            }
        }

        private void work() {
            try {
                for (int k; (k = next.getAndIncrement()) < pieces; ) {
                    piece.accept(k);
                }
            } catch (Throwable t) {
                next.set(pieces);
                synchronized (this) {
                    if (failure == null) {
                        failure = t;
                    }
                }
            }
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
