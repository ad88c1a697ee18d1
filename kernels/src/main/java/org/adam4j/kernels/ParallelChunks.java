package org.adam4j.kernels;

import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
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
    /**
     * The most threads a split may use: far more than any machine adam4j runs on has cores, and few enough that the
     * bookkeeping sized by the count (one helper task per thread) stays a few kilobytes. A larger count is a mistake
     * (a typo, an unset variable read as MAX_VALUE) that used to end in an OutOfMemoryError.
     */
    public static final int MAX_THREADS = 1024;

    /** A chunk of work on {@code [off, off + len)}. */
    @FunctionalInterface
    public interface Chunk {
        /**
         * Runs the work on elements {@code [off, off + len)}.
         *
         * @param off the index of the slice's first element (in elements, not bytes)
         * @param len the number of elements in the slice
         */
        void run(int off, int len);
    }

    /** A chunk of work on {@code [off, off + len)} of something that may exceed 2^31 elements (a segment). */
    @FunctionalInterface
    public interface LongChunk {
        /**
         * Runs the work on elements {@code [off, off + len)}.
         *
         * @param off the index of the slice's first element (in elements, not bytes)
         * @param len the number of elements in the slice
         */
        void run(long off, long len);
    }

    private final int threads;
    private final int line;
    private final Executor executor;

    /**
     * A splitter of work into at most {@code threads} chunks.
     *
     * @param threads  how many chunks at most (1 runs everything on the caller)
     * @param line     the alignment of inner chunk boundaries, in elements
     * @param executor where chunks after the first run; {@code null} for a shared pool of daemon threads
     */
    public ParallelChunks(int threads, int line, Executor executor) {
        checkThreads(threads);
        if (line < 1) {
            throw new IllegalArgumentException("Invalid line size: " + line);
        }
        this.threads = threads;
        this.line = line;
        this.executor = executor;
    }

    /** {@return the most chunks a split makes} */
    public int threads() {
        return threads;
    }

    /**
     * Checks a thread count given to any of adam4j's parallel paths (kernels' {@code parallel(n)}, the optimizer's
     * {@code threads(n)}, the command line's {@code --threads}): 1 to {@link #MAX_THREADS}.
     *
     * @param threads the number of threads, from 1 to {@link org.adam4j.kernels.ParallelChunks#MAX_THREADS}
     * @return {@code threads}
     * @throws IllegalArgumentException otherwise
     */
    public static int checkThreads(int threads) {
        if (threads < 1 || threads > MAX_THREADS) {
            throw new IllegalArgumentException("Invalid thread count: " + threads + " (must be 1 to " + MAX_THREADS
                    + ")");
        }
        return threads;
    }

    /**
     * Runs {@code chunk} over the split of {@code [off, off + len)}.
     *
     * @param off the index of the slice's first element (in elements, not bytes)
     * @param len the number of elements in the slice
     * @param chunk the work on one chunk
     */
    public void run(int off, int len, Chunk chunk) {
        int parts = parts(len);
        if (parts <= 1) {
            chunk.run(off, len);
            return;
        }
        Pieces p = take();
        p.chunk = chunk;
        runSplit(p, off, len, parts);
    }

    private int parts(long len) {
        return (int) Math.min(threads, Math.max(1L, len / MIN_CHUNK));
    }

    /**
     * Runs {@code chunk} over the split of {@code [off, off + len)}.
     *
     * @param off the index of the slice's first element (in elements, not bytes)
     * @param len the number of elements in the slice
     * @param chunk the work on one chunk
     */
    public void runLong(long off, long len, LongChunk chunk) {
        int parts = parts(len);
        if (parts <= 1) {
            chunk.run(off, len);
            return;
        }
        Pieces p = take();
        p.longChunk = chunk;
        runSplit(p, off, len, parts);
    }

    private void runSplit(Pieces p, long off, long len, int parts) {
        try {
            p.split(off, len, parts, line);
            p.run(executor, Math.min(threads, parts) - 1);
        } finally {
            give(p);
        }
    }

    /**
     * Runs {@code piece.accept(k)} for every {@code k} in {@code [0, pieces)}: the calling thread and up to
     * {@code threads - 1} tasks on the executor take pieces from one counter until none are left, then this returns
     * (rethrowing the first failure; after a failure no new piece starts). A task that the executor starts only after
     * the caller has finished does nothing, so the caller waits only for tasks that are running a piece, never for
     * one the executor has not started: no deadlock when the executor is busy or single-threaded, or when the caller
     * is one of its workers.
     *
     * <p>Allocation: this object keeps one set of the call's bookkeeping (counter, cuts, helper tasks) and reuses it,
     * so a call allocates nothing on the shared pool unless another call of this object is still running (from
     * another thread, or nested in a piece), which gets a fresh set. A caller's executor may allocate to queue a
     * task (a {@link java.util.concurrent.ThreadPoolExecutor}'s queue node, for one).
     *
     * @param pieces how many pieces there are
     * @param piece the work on piece {@code i}, for {@code i} in {@code [0, pieces)}
     */
    public void runPieces(int pieces, IntConsumer piece) {
        if (threads == 1 || pieces <= 1) {
            for (int k = 0; k < pieces; k++) {
                piece.accept(k);
            }
            return;
        }
        Pieces p = take();
        try {
            p.piece = piece;
            p.pieces = pieces;
            p.run(executor, Math.min(threads, pieces) - 1);
        } finally {
            give(p);
        }
    }

    // One spare Pieces per instance: taken for a call, given back after it. A call that finds none (the spare is in
    // use by an overlapping call) makes a fresh one, so overlapping calls never share state and nothing waits.
    private final AtomicReference<Pieces> spare = new AtomicReference<>();

    private Pieces take() {
        Pieces p = spare.getAndSet(null);
        return p != null ? p : new Pieces(threads);
    }

    private void give(Pieces p) {
        p.chunk = null;
        p.longChunk = null;
        p.piece = null;
        p.failure = null;
        spare.set(p);
    }

    /**
     * One {@link #runPieces} call's shared counter, running-helper count and first failure, with the split and the
     * work of {@link #run} and {@link #runLong} in fields instead of capturing lambdas. Reused call after call: a
     * helper task of an earlier call that the executor starts late finds {@code finished} set and returns, or, if a
     * later call has begun, helps it; either way it only ever runs pieces of the call in progress, registered under
     * the lock that call's caller waits on. The caller sets every field before it clears {@code finished} under that
     * lock, so a helper that registers sees them.
     */
    private static final class Pieces implements Runnable {
        private final AtomicInteger next = new AtomicInteger();
        /** Tasks for the shared pool, which take no wrapper: one per helper, resubmitted when done. */
        private final Helper[] helpers;
        private final long[] cuts;
        private int pieces;
        private IntConsumer piece;
        private Chunk chunk;
        private LongChunk longChunk;
        private int running;
        private boolean finished = true;
        private Throwable failure;

        Pieces(int threads) {
            helpers = new Helper[threads - 1];
            for (int h = 0; h < helpers.length; h++) {
                helpers[h] = new Helper(this);
            }
            cuts = new long[threads + 1];
        }

        /** Cuts {@code [off, off + len)} into {@code parts} pieces whose inner boundaries are multiples of line. */
        void split(long off, long len, int parts, int line) {
            long end = off + len;
            cuts[0] = off;
            cuts[parts] = end;
            for (int k = 1; k < parts; k++) {
                // len * k / parts without overflowing for any long len
                long cut = off + len / parts * k + len % parts * k / parts;
                cut -= cut % line;
                cuts[k] = Math.max(cuts[k - 1], Math.min(end, cut));
            }
            pieces = parts;
        }

        private void runPiece(int k) {
            if (piece != null) {
                piece.accept(k);
            } else if (chunk != null) {
                chunk.run((int) cuts[k], (int) (cuts[k + 1] - cuts[k]));
            } else {
                longChunk.run(cuts[k], cuts[k + 1] - cuts[k]);
            }
        }

        void run(Executor executor, int helperCount) {
            next.set(0);
            synchronized (this) {
                failure = null;
                finished = false;
            }
            try {
                for (int h = 0; h < helperCount; h++) {
                    if (executor != null) {
                        executor.execute(this);
                    } else {
                        helpers[h].submit();
                    }
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
                    runPiece(k);
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

    /**
     * A helper of {@link Pieces} on the shared pool. Being a {@link ForkJoinTask} itself, it is queued without the
     * wrapper {@link ForkJoinPool#execute(Runnable)} allocates, and {@link #reinitialize} makes it submittable again
     * once done. One still queued from an earlier call is not submitted again: when it starts, it helps the call in
     * progress, as a new one would.
     */
    @SuppressWarnings("serial")
    private static final class Helper extends ForkJoinTask<Void> {
        private final transient Pieces pieces;
        private boolean submitted;

        Helper(Pieces pieces) {
            this.pieces = pieces;
        }

        /** Called only by the thread that holds {@link #pieces} for its call. */
        void submit() {
            if (submitted) {
                if (!isDone()) {
                    return; // queued, or finishing an earlier call's work: it takes this call's pieces if it can
                }
                reinitialize();
            }
            submitted = true;
            SharedPool.POOL.execute(this);
        }

        @Override
        public Void getRawResult() {
            return null;
        }

        @Override
        protected void setRawResult(Void value) {
        }

        @Override
        protected boolean exec() {
            pieces.run();
            return true;
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
