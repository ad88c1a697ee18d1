package org.adam4j.cli;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleFunction;
import java.util.function.LongFunction;
import org.adam4j.kernels.AdamKernel_F32;
import org.adam4j.kernels.AdamKernel_F64;
import org.adam4j.kernels.AdamKernels;
import org.adam4j.kernels.ParallelChunks;
import org.adam4j.reference.AdagradConfig;
import org.adam4j.reference.AdagradReference_F32;
import org.adam4j.reference.AdagradReference_F64;
import org.adam4j.reference.AdagradStep;
import org.adam4j.reference.AdamaxConfig;
import org.adam4j.reference.AdamaxReference_F32;
import org.adam4j.reference.AdamaxReference_F64;
import org.adam4j.reference.AdamaxStep;
import org.adam4j.reference.NAdamConfig;
import org.adam4j.reference.NAdamReference_F32;
import org.adam4j.reference.NAdamReference_F64;
import org.adam4j.reference.NAdamStep;
import org.adam4j.reference.RAdamConfig;
import org.adam4j.reference.RAdamReference_F32;
import org.adam4j.reference.RAdamReference_F64;
import org.adam4j.reference.RAdamStep;
import org.adam4j.reference.RelativeConfig;
import org.adam4j.reference.RmspropConfig;
import org.adam4j.reference.RmspropReference_F32;
import org.adam4j.reference.RmspropReference_F64;
import org.adam4j.reference.RmspropStep;
import org.adam4j.reference.SgdConfig;
import org.adam4j.reference.SgdReference_F32;
import org.adam4j.reference.SgdReference_F64;
import org.adam4j.reference.SgdStep;
import org.adam4j.reference.cases.CaseFormatException;
import org.adam4j.reference.cases.ReferenceCase;
import org.adam4j.reference.cases.RelativeCases;

/**
 * Replays the cases of Adam's relatives ({@code adamax}, {@code nadam}, {@code radam}, {@code sgd}, {@code rmsprop},
 * {@code adagrad}): PyTorch's arguments become a {@link RelativeConfig} ({@link RelativeCases}), and each step is one
 * call to the optimizer's reference ({@code AdamaxReference_F32.step}, ...) for the {@code reference} kernel, else to
 * the {@link AdamKernels#f32(String)} kernel of that name through its {@code parallel(threads)} path.
 *
 * <p>Which operation, which state arrays and which per-step scalars an optimizer uses is decided in one place,
 * {@link #steps}, for both precisions and every kernel alike: the reference and the kernels reach it as an
 * {@link Ops} of method references, whose signatures they share.
 */
final class RelativeCaseReplayer implements CaseReplayer {
    @Override
    public List<String> optimizers() {
        return RelativeCases.OPTIMIZERS.stream().sorted().toList();
    }

    @Override
    public Replay prepare(ReferenceCase c) throws CaseFormatException {
        return new RelativeReplay(RelativeCases.config(c), c.n);
    }

    /** An operation with one state array ({@code (s, p, g, a, off, len)}): SGD, Adagrad. */
    @FunctionalInterface
    interface Op1<S, A> {
        void step(S s, A p, A g, A a, int off, int len);
    }

    /** An operation with two state arrays: Adamax, NAdam, RAdam. */
    @FunctionalInterface
    interface Op2<S, A> {
        void step(S s, A p, A g, A a, A b, int off, int len);
    }

    /** An operation with three state arrays: RMSprop. */
    @FunctionalInterface
    interface Op3<S, A> {
        void step(S s, A p, A g, A a, A b, A c, int off, int len);
    }

    /** The six operations on arrays {@code A} of a kernel, or of the references ({@code kernel} is its name). */
    record Ops<A>(String kernel, Op2<AdamaxStep, A> adamax, Op2<NAdamStep, A> nadam, Op2<RAdamStep, A> radam,
            Op1<SgdStep, A> sgd, Op3<RmspropStep, A> rmsprop, Op1<AdagradStep, A> adagrad) {
        static final Ops<float[]> REFERENCE_F32 = new Ops<>(REFERENCE, AdamaxReference_F32::step,
                NAdamReference_F32::step, RAdamReference_F32::step, SgdReference_F32::step,
                RmspropReference_F32::step, AdagradReference_F32::step);
        static final Ops<double[]> REFERENCE_F64 = new Ops<>(REFERENCE, AdamaxReference_F64::step,
                NAdamReference_F64::step, RAdamReference_F64::step, SgdReference_F64::step,
                RmspropReference_F64::step, AdagradReference_F64::step);

        static Ops<float[]> of(AdamKernel_F32 k) {
            return new Ops<>(k.name(), k::adamax, k::nadam, k::radam, k::sgd, k::rmsprop, k::adagrad);
        }

        static Ops<double[]> of(AdamKernel_F64 k) {
            return new Ops<>(k.name(), k::adamax, k::nadam, k::radam, k::sgd, k::rmsprop, k::adagrad);
        }
    }

    /** One step's operation, its per-step scalars and state arrays bound, on a slice of {@code p} and {@code g}. */
    @FunctionalInterface
    interface SliceStep<A> {
        void run(A p, A g, int off, int len);
    }

    /**
     * The steps of {@code config} on {@code ops}: for step {@code t}, its scalars (computed once, then shared by
     * every slice) bound to the state arrays in {@code state}. Steps must come in order, as PyTorch's do: NAdam
     * carries its {@code mu_product} from one to the next. Adagrad's {@code sum} starts at
     * {@code initial_accumulator_value}, so it is allocated here, by {@code filled}; the other states start at zero.
     */
    static <A> LongFunction<SliceStep<A>> steps(RelativeConfig config, Ops<A> ops, Map<String, A> state,
            DoubleFunction<A> filled) {
        return switch (config) {
            case AdamaxConfig c -> t -> {
                AdamaxStep s = c.step(t);
                return (p, g, off, len) -> ops.adamax().step(s, p, g, state.get("exp_avg"), state.get("exp_inf"),
                        off, len);
            };
            case NAdamConfig c -> {
                NAdamStep[] last = new NAdamStep[1];
                yield t -> {
                    // config.step(t) recomputes mu_product from step 1; next() carries it on in O(1).
                    NAdamStep s = last[0] != null && last[0].t == t - 1 ? last[0].next() : c.step(t);
                    last[0] = s;
                    return (p, g, off, len) -> ops.nadam().step(s, p, g, state.get("exp_avg"),
                            state.get("exp_avg_sq"), off, len);
                };
            }
            case RAdamConfig c -> t -> {
                RAdamStep s = c.step(t);
                return (p, g, off, len) -> ops.radam().step(s, p, g, state.get("exp_avg"), state.get("exp_avg_sq"),
                        off, len);
            };
            case SgdConfig c -> t -> {
                SgdStep s = c.step(t);
                return (p, g, off, len) -> ops.sgd().step(s, p, g, state.get("momentum_buffer"), off, len);
            };
            case RmspropConfig c -> t -> {
                RmspropStep s = c.step(t);
                return (p, g, off, len) -> ops.rmsprop().step(s, p, g, state.get("square_avg"),
                        state.get("grad_avg"), state.get("momentum_buffer"), off, len);
            };
            case AdagradConfig c -> {
                state.put("sum", filled.apply(c.initialAccumulatorValue()));
                yield t -> {
                    AdagradStep s = c.step(t);
                    return (p, g, off, len) -> ops.adagrad().step(s, p, g, state.get("sum"), off, len);
                };
            }
        };
    }

    private record RelativeReplay(RelativeConfig config, int n) implements Replay {
        @Override
        public double lr() {
            return config.lr();
        }

        @Override
        public Run<float[]> f32(String kernel, int threads) {
            Ops<float[]> ops = kernel.equals(REFERENCE) ? Ops.REFERENCE_F32
                    : Ops.of(AdamKernels.f32(kernel).parallel(threads));
            return run(ops, threads, Float.BYTES, x -> filled(new float[n], x));
        }

        @Override
        public Run<double[]> f64(String kernel, int threads) {
            Ops<double[]> ops = kernel.equals(REFERENCE) ? Ops.REFERENCE_F64
                    : Ops.of(AdamKernels.f64(kernel).parallel(threads));
            return run(ops, threads, Double.BYTES, x -> filled(new double[n], x));
        }

        /** A run on {@code ops} from fresh state; the references split as {@link CaseReplayer#referenceChunks}. */
        private <A> Run<A> run(Ops<A> ops, int threads, int elementBytes, DoubleFunction<A> filled) {
            Map<String, A> state = new LinkedHashMap<>();
            for (String name : config.stateNames()) {
                state.put(name, filled.apply(0.0));
            }
            LongFunction<SliceStep<A>> steps = steps(config, ops, state, filled);
            if (!ops.kernel().equals(REFERENCE)) {
                return new Run<>(ops.kernel(), state, (t, p, g) -> steps.apply(t).run(p, g, 0, n));
            }
            ParallelChunks chunks = CaseReplayer.referenceChunks(threads, elementBytes);
            return new Run<>(REFERENCE, state, (t, p, g) -> {
                SliceStep<A> step = steps.apply(t);
                chunks.run(0, n, (o, l) -> step.run(p, g, o, l));
            });
        }
    }

    private static float[] filled(float[] a, double x) {
        Arrays.fill(a, (float) x);
        return a;
    }

    private static double[] filled(double[] a, double x) {
        Arrays.fill(a, x);
        return a;
    }
}
