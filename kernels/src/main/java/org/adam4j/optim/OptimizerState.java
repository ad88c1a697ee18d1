package org.adam4j.optim;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.adam4j.reference.OptimizerConfig;
import org.adam4j.reference.Rounding;

/**
 * The whole state of an {@link Optimizer}, as a value: PyTorch's {@code state_dict()}. Per group its configuration
 * (the hyperparameters, by PyTorch's names through {@link OptimizerConfig#hyperparameters()}) and learning-rate
 * schedule, the rounding and seed of its 16-bit parameters and its {@link StatePrecision}; per parameter, in
 * registration order, its precision and shape, its step count ({@code state['step']}), its scalar state (NAdam's
 * {@code mu_product}) and its state arrays by PyTorch's names (and optimi's {@code kahan_comp}; 8-bit states' codes
 * and absmax, see {@link Param#state(String)}), as read-only segments of native-order elements.
 * {@link Optimizer#state()} returns copies; {@link Optimizer#loadState} restores one. Two states are
 * {@link #equals equal} when every field and every bit of every array is.
 *
 * @param steps  the optimizer's step count
 * @param groups the groups, the default one first
 * @param gradScaler the state of the optimizer's {@link GradScaler}, or {@code null} if it has none
 */
public record OptimizerState(long steps, List<Group> groups, GradScaler.State gradScaler) {
    /** Copies the group list. */
    public OptimizerState {
        groups = List.copyOf(groups);
    }

    /**
     * The state of an optimizer without a loss scaler.
     *
     * @param steps  the optimizer's step count
     * @param groups the groups, the default one first
     */
    public OptimizerState(long steps, List<Group> groups) {
        this(steps, groups, null);
    }

    /** {@return the algorithm of the default group, as {@link Optimizer#algorithm()} names it} */
    public String algorithm() {
        return groups.isEmpty() ? "" : groups.get(0).config().algorithm();
    }

    /**
     * One group.
     *
     * @param config         the hyperparameters
     * @param schedule       the learning-rate schedule
     * @param params         its parameters' state, in registration order
     * @param rounding       how its 16-bit parameters are stored ({@link ParamGroup#rounding()})
     * @param roundingSeed   the seed of stochastic rounding ({@link ParamGroup#roundingSeed()})
     * @param statePrecision how its parameters keep their state ({@link ParamGroup#statePrecision()}); every
     *                       parameter's {@link ParamState#statePrecision()}
     */
    public record Group(OptimizerConfig config, LrSchedule schedule, List<ParamState> params, Rounding rounding,
            long roundingSeed, StatePrecision statePrecision) {
        /**
         * Checks and copies.
         *
         * @throws IllegalArgumentException if a parameter's state precision is not the group's
         */
        public Group {
            Objects.requireNonNull(config, "config");
            Objects.requireNonNull(schedule, "schedule");
            Objects.requireNonNull(rounding, "rounding");
            Objects.requireNonNull(statePrecision, "statePrecision");
            params = List.copyOf(params);
            for (ParamState p : params) {
                if (p.statePrecision() != statePrecision) {
                    throw new IllegalArgumentException("a parameter with " + p.statePrecision().label() + " states in "
                            + "a group with " + statePrecision.label() + " states");
                }
            }
        }

        /**
         * A group with {@link StatePrecision#F32} states.
         *
         * @param config       the hyperparameters
         * @param schedule     the learning-rate schedule
         * @param params       its parameters' state, in registration order
         * @param rounding     how its 16-bit parameters are stored ({@link ParamGroup#rounding()})
         * @param roundingSeed the seed of stochastic rounding ({@link ParamGroup#roundingSeed()})
         */
        public Group(OptimizerConfig config, LrSchedule schedule, List<ParamState> params, Rounding rounding,
                long roundingSeed) {
            this(config, schedule, params, rounding, roundingSeed, StatePrecision.F32);
        }

        /**
         * A group with the default rounding: to nearest, seed 0.
         *
         * @param config   the hyperparameters
         * @param schedule the learning-rate schedule
         * @param params   its parameters' state, in registration order
         */
        public Group(OptimizerConfig config, LrSchedule schedule, List<ParamState> params) {
            this(config, schedule, params, Rounding.NEAREST, 0L);
        }
    }

    /**
     * One parameter's state.
     *
     * @param precision      the parameter's element type
     * @param shape          {@code [rows, cols]} for a matrix, {@code [elements]} otherwise
     * @param step           PyTorch's {@code state['step']}
     * @param scalars        the scalar state by name (NAdam's {@code mu_product}), in the configuration's order
     * @param arrays         the state arrays by name, in {@link Param#stateNames()}' order (the configuration's, 8-bit
     *                       states' absmax, {@link Param#KAHAN_COMP}), read-only; each of
     *                       {@link #arrayPrecision(String)}, but 8-bit codes
     * @param statePrecision how the parameter keeps its state
     */
    public record ParamState(Precision precision, long[] shape, long step, Map<String, Double> scalars,
            Map<String, MemorySegment> arrays, StatePrecision statePrecision) {
        /**
         * The state of a parameter with {@link StatePrecision#F32} states.
         *
         * @param precision the parameter's element type
         * @param shape     {@code [rows, cols]} for a matrix, {@code [elements]} otherwise
         * @param step      PyTorch's {@code state['step']}
         * @param scalars   the scalar state by name (NAdam's {@code mu_product}), in the configuration's order
         * @param arrays    the state arrays by PyTorch's names, in the configuration's order, then
         *                  {@link Param#KAHAN_COMP} if the parameter keeps one
         */
        public ParamState(Precision precision, long[] shape, long step, Map<String, Double> scalars,
                Map<String, MemorySegment> arrays) {
            this(precision, shape, step, scalars, arrays, StatePrecision.F32);
        }

        /** Checks and copies; the arrays become read-only views. */
        public ParamState {
            Objects.requireNonNull(precision, "precision");
            Objects.requireNonNull(statePrecision, "statePrecision");
            shape = shape.clone();
            scalars = Collections.unmodifiableMap(new LinkedHashMap<>(scalars));
            Map<String, MemorySegment> a = new LinkedHashMap<>();
            arrays.forEach((k, v) -> a.put(k, v.asReadOnly()));
            arrays = Collections.unmodifiableMap(a);
        }

        /** {@return a copy of the shape} */
        @Override
        public long[] shape() {
            return shape.clone();
        }

        /**
         * The element type of a floating-point state array: {@link Precision#statePrecision()} with
         * {@link StatePrecision#F32} states, {@link Precision#BF16} with {@link StatePrecision#BF16} ones,
         * {@link Precision#F32} for an 8-bit moment's absmax ({@code exp_avg_absmax}), and the parameter's own
         * precision for {@link Param#KAHAN_COMP}.
         *
         * @param name the array's name
         * @return its element type
         * @throws IllegalArgumentException for the codes of {@link StatePrecision#BLOCKWISE_8BIT} moments
         *     ({@code exp_avg}, {@code exp_avg_sq}), which are unsigned bytes, no floating-point precision
         */
        public Precision arrayPrecision(String name) {
            Precision p = element(name).precision();
            if (p == null) {
                throw new IllegalArgumentException(name + " holds 8-bit codes (unsigned bytes, one per element), "
                        + "not floating-point elements");
            }
            return p;
        }

        /** The element type of the array called {@code name}. */
        StateElement element(String name) {
            return StateLayout.element(name, precision, statePrecision);
        }

        /**
         * The parameter's elements: the length of each state array but an 8-bit moment's absmax, which has one
         * element per block of {@link StatePrecision#BLOCK_SIZE}.
         *
         * @return the number of elements
         */
        public long size() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof ParamState p) || p.precision != precision || p.statePrecision != statePrecision
                    || !Arrays.equals(p.shape, shape)
                    || p.step != step || !p.scalars.keySet().equals(scalars.keySet())
                    || !p.arrays.keySet().equals(arrays.keySet())) {
                return false;
            }
            for (String k : scalars.keySet()) {
                if (Double.doubleToRawLongBits(scalars.get(k)) != Double.doubleToRawLongBits(p.scalars.get(k))) {
                    return false;
                }
            }
            for (String k : arrays.keySet()) {
                if (arrays.get(k).mismatch(p.arrays.get(k)) != -1) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public int hashCode() {
            return Objects.hash(precision, statePrecision, Arrays.hashCode(shape), step, scalars.keySet(),
                    arrays.keySet());
        }

        @Override
        public String toString() {
            return "ParamState(" + precision + " " + Arrays.toString(shape) + (statePrecision.isCompact() ? " "
                    + statePrecision.label() + " states" : "") + ", step=" + step + ", scalars=" + scalars
                    + ", arrays=" + arrays.keySet() + ")";
        }
    }
}
