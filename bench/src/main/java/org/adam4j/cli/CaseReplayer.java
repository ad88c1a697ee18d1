package org.adam4j.cli;

import java.util.List;
import java.util.Map;
import org.adam4j.kernels.ParallelChunks;
import org.adam4j.reference.LowPrecision;
import org.adam4j.reference.cases.CaseFormatException;
import org.adam4j.reference.cases.ReferenceCase;

/**
 * What {@code ./adam4j validate} needs from one optimizer family to replay its recorded cases: read the case's
 * hyperparameters, and step parameters through a kernel chosen by name. The command owns everything else (loading,
 * the step loop, comparing, reporting, {@code --out}), so an optimizer plugs in by adding one implementation to
 * {@link ValidateCommand#REPLAYERS}.
 */
public interface CaseReplayer {
    /**
     * The kernel name of the plain scalar reference, called directly: {@code scalar}, as bench and info call the
     * scalar path; validate also accepts {@link #REFERENCE_ALIAS}.
     */
    String REFERENCE = "scalar";
    /** validate's earlier name for {@link #REFERENCE}, still accepted. */
    String REFERENCE_ALIAS = "reference";

    /**
     * How a reference's slices are split over {@code threads}: the references have no parallel path of their own,
     * so they run on the kernels', cut at whole 64-byte cache lines as the parallel kernels cut.
     */
    static ParallelChunks referenceChunks(int threads, int elementBytes) {
        return new ParallelChunks(threads, 64 / elementBytes, null);
    }

    /** The {@code case.json} optimizer names this replays (PyTorch's, lower case: {@code adam}, {@code adamw}...). */
    List<String> optimizers();

    default boolean accepts(String optimizer) {
        return optimizers().contains(optimizer);
    }

    /**
     * Reads the case's hyperparameters as the optimizer's constructor would, before anything runs.
     *
     * @throws CaseFormatException naming {@code case.json} and the problem: an option this optimizer does not
     *                             implement, or a value it refuses (the command refuses listed states a run does
     *                             not keep)
     */
    Replay prepare(ReferenceCase c) throws CaseFormatException;

    /** A case whose hyperparameters are checked, ready to run from a zero state on any kernel. */
    interface Replay {
        /** The learning rate, the unit of the absolute tolerance. */
        double lr();

        /**
         * A fresh run in float on kernel {@code kernel} ({@code reference}, {@code vector} or {@code vector-BITS}),
         * every step split over {@code threads} threads.
         *
         * @throws IllegalArgumentException if that kernel is not available on this JVM
         */
        Run<float[]> f32(String kernel, int threads);

        /** As {@link #f32}, in double. */
        Run<double[]> f64(String kernel, int threads);

        /**
         * As {@link #f32}, on 16-bit parameters and gradients of format {@code fmt} ({@code short} bit patterns)
         * with {@code float} arithmetic and state, the stepped parameter rounded to nearest even: for the cases whose
         * {@link ReferenceCase#storage} is {@code fmt}, which {@link CaseReplayer#prepare} refused unless this
         * replays them.
         *
         * @throws IllegalArgumentException if that kernel is not available on this JVM
         * @throws UnsupportedOperationException if this replayer has no 16-bit path ({@code prepare} refuses its
         *                                       16-bit cases first)
         */
        default Run<short[]> lowPrecision(LowPrecision fmt, String kernel, int threads) {
            throw new UnsupportedOperationException("no 16-bit replay");
        }

        /**
         * As {@link #f32}, with 8-bit blockwise states in blocks of {@code blockSize} ({@code Adam8bitReference}):
         * for the cases whose {@link ReferenceCase#eightBit()} is set, which {@link CaseReplayer#prepare} refused
         * unless this replays them. The run's state holds the codes ({@code byte[]}) and the absmax
         * ({@code float[]}, one per block) by the case's names; every step's slice is cut into chunks of whole
         * blocks over {@code threads}.
         *
         * @throws IllegalArgumentException if that kernel is not available on this JVM
         * @throws UnsupportedOperationException if this replayer has no 8-bit path ({@code prepare} refuses its
         *                                       8-bit cases first)
         */
        default Run<float[]> eightBit(int blockSize, String kernel, int threads) {
            throw new UnsupportedOperationException("no 8-bit replay");
        }

        /**
         * As {@link #eightBit}, on 16-bit parameters and gradients of format {@code fmt} ({@code short} bit
         * patterns), the stepped parameter rounded to nearest even: for the 8-bit cases whose
         * {@link ReferenceCase#storage} is {@code fmt}.
         *
         * @throws IllegalArgumentException if that kernel is not available on this JVM
         * @throws UnsupportedOperationException if this replayer has no 8-bit path
         */
        default Run<short[]> eightBit(LowPrecision fmt, int blockSize, String kernel, int threads) {
            throw new UnsupportedOperationException("no 8-bit replay");
        }
    }

    /**
     * One step on arrays {@code A} ({@code float[]} or {@code double[]}): updates {@code p} in place from gradient
     * {@code g} at step {@code t} (1 for the first), or skips it (a guarded step whose unscaled gradient is not
     * finite) and writes nothing; {@code g} is the step's own copy, which it may unscale and clip in place.
     */
    @FunctionalInterface
    interface Step<A> {
        /** {@return whether the step was taken: {@code false} if it was skipped} */
        boolean step(long t, A p, A g);
    }

    /**
     * A run: the kernel's resolved name ({@code vector} names its width), the arrays holding its state by PyTorch's
     * names (updated as it steps: {@code float[]} or {@code double[]}, of the parameter's type or, for 16-bit
     * parameters, {@code float[]}; for 8-bit states {@code byte[]} codes and {@code float[]} absmax), and its step.
     */
    record Run<A>(String kernel, Map<String, ?> state, Step<A> step) {
    }
}
