package org.adam4j.optim;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.adam4j.reference.Adam8bitReference;
import org.adam4j.reference.OptimizerConfig;
import org.adam4j.reference.Rounding;
import org.adam4j.reference.StateVariable;

/**
 * The state arrays one parameter keeps, in order, each with its name, element type and length: the one description
 * that {@link Param} (allocation, {@code stateNames}, {@code stateBytes}, checks of a loaded state),
 * {@link OptimizerState.ParamState} and {@link StateFile} (both directions) share. It follows from the algorithm's
 * {@link OptimizerConfig#stateArrays()}, the parameter's precision, its group's rounding and its group's
 * {@link StatePrecision}:
 * <ul>
 *   <li>{@link StatePrecision#F32}: each state array of the configuration, of {@link Precision#statePrecision()};</li>
 *   <li>{@link StatePrecision#BF16}: each of them in bf16;</li>
 *   <li>{@link StatePrecision#BLOCKWISE_8BIT}: each of them as {@link StateElement#U8} codes, then, in the same order,
 *       each one's {@code float} absmax per block ({@code NAME_absmax}, {@code ceil(size / BLOCK_SIZE)} elements);</li>
 *   <li>then {@link Param#KAHAN_COMP}, of the parameter's precision, for a 16-bit parameter in a Kahan group.</li>
 * </ul>
 *
 * @param arrays the arrays in order
 */
record StateLayout(List<Array> arrays) {
    /** The suffix of an 8-bit moment's absmax array: {@code exp_avg_absmax}. */
    static final String ABSMAX = "_absmax";

    StateLayout {
        arrays = List.copyOf(arrays);
    }

    /**
     * One state array.
     *
     * @param name     its name ({@code exp_avg}, {@code exp_avg_absmax}, {@code kahan_comp}...)
     * @param element  its element type
     * @param length   its elements
     * @param variable the configuration's state variable whose range its values must be in, or {@code null} (codes,
     *                 absmax and compensation: checked otherwise or not at all)
     * @param absmax   whether it holds an 8-bit moment's absmax per block
     */
    record Array(String name, StateElement element, long length, StateVariable variable, boolean absmax) {
        long bytes() {
            return length * element.bytes();
        }

        /**
         * The first element of {@code a} that no step can leave there, or -1: a value outside the variable's range
         * (a negative {@code exp_avg_sq}), or an absmax that is negative, has its sign bit set, or is a NaN other than
         * {@link Float#NaN} ({@link Adam8bitReference#storedAbsmax} stores every NaN as that one).
         */
        long firstInadmissible(MemorySegment a) {
            if (absmax) {
                for (long i = 0; i < length; i++) {
                    int bits = a.getAtIndex(ValueLayout.JAVA_INT_UNALIGNED, i);
                    if (bits < 0 || bits != Float.floatToRawIntBits(Adam8bitReference.storedAbsmax(
                            Float.intBitsToFloat(bits)))) {
                        return i;
                    }
                }
                return -1;
            }
            if (variable == null || (variable.min() == Double.NEGATIVE_INFINITY
                    && variable.max() == Double.POSITIVE_INFINITY)) {
                return -1;
            }
            for (long i = 0; i < length; i++) {
                if (!variable.admits(element.element(a, i))) {
                    return i;
                }
            }
            return -1;
        }

        /** Why an element {@link #firstInadmissible} found is refused, for the message after its value. */
        String inadmissible() {
            return absmax ? "which no step stores (an absmax is +0 or more, or Float.NaN)" : "outside ["
                    + variable.min() + ", " + variable.max() + "]";
        }
    }

    /**
     * The layout of a parameter of {@code size} elements.
     *
     * @param config    its group's configuration
     * @param precision its precision
     * @param rounding  its group's rounding
     * @param state     its group's state precision
     * @param size      its elements
     * @return the arrays it keeps
     */
    static StateLayout of(OptimizerConfig config, Precision precision, Rounding rounding, StatePrecision state,
            long size) {
        List<Array> arrays = new ArrayList<>();
        List<StateVariable> vars = config.stateArrays();
        boolean codes = state == StatePrecision.BLOCKWISE_8BIT;
        for (StateVariable v : vars) {
            // a code stands for a value of its map, in range for every code: nothing to check
            arrays.add(new Array(v.name(), element(v.name(), precision, state), size, codes ? null : v, false));
        }
        if (codes) {
            for (StateVariable v : vars) {
                String name = v.name() + ABSMAX;
                arrays.add(new Array(name, element(name, precision, state), blocks(size), null, true));
            }
        }
        if (precision.isLowPrecision() && rounding == Rounding.KAHAN) {
            arrays.add(new Array(Param.KAHAN_COMP, element(Param.KAHAN_COMP, precision, state), size, null, false));
        }
        return new StateLayout(arrays);
    }

    /**
     * The element type of the state array called {@code name} of a {@code precision} parameter with {@code state}
     * states (which {@link #of} lays out).
     */
    static StateElement element(String name, Precision precision, StatePrecision state) {
        if (name.equals(Param.KAHAN_COMP)) {
            return StateElement.of(precision);
        }
        return switch (state) {
            case F32 -> StateElement.of(precision.statePrecision());
            case BF16 -> StateElement.BF16;
            case BLOCKWISE_8BIT -> name.endsWith(ABSMAX) ? StateElement.F32 : StateElement.U8;
        };
    }

    /** The 8-bit blocks of a parameter of {@code size} elements, {@code ceil(size / BLOCK_SIZE)}. */
    static long blocks(long size) {
        return (size + StatePrecision.BLOCK_SIZE - 1) / StatePrecision.BLOCK_SIZE;
    }

    /** {@return the names, in order} */
    List<String> names() {
        return arrays.stream().map(Array::name).toList();
    }

    /** {@return the bytes of every array together} */
    long bytes() {
        long bytes = 0;
        for (Array a : arrays) {
            bytes += a.bytes();
        }
        return bytes;
    }

    /** {@return the array called {@code name}, or {@code null}} */
    Array get(String name) {
        for (Array a : arrays) {
            if (a.name().equals(name)) {
                return a;
            }
        }
        return null;
    }
}
