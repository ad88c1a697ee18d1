package org.adam4j.optim;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import org.adam4j.reference.AdamConfig;
import org.adam4j.reference.Blockwise8bit;
import org.adam4j.reference.OptimizerConfig;

/**
 * How a group keeps its parameters' optimizer state (issue 14): {@link #F32} as the step computes it, or compact,
 * {@link #BF16} or {@link #BLOCKWISE_8BIT} (bitsandbytes' 8-bit blockwise moments). Set per {@link ParamGroup}, as
 * its rounding is ({@link Optimizer.Builder#statePrecision}, {@link ParamGroup#statePrecision(StatePrecision)}),
 * before the group has parameters. Compact states are for Adam and AdamW ({@link AdamConfig}), on {@link Precision#F32}
 * parameters and whole {@code short[]} arrays of 16-bit ones; {@link #supportedBy} and {@link #supportedFor} say what
 * is refused, and why.
 */
public enum StatePrecision {
    /** {@code float} moments for {@code float} and 16-bit parameters, {@code double} for {@code double} ones. */
    F32("f32"),
    /**
     * bfloat16 moments ({@code short} bit patterns, 2 bytes each), stepped in {@code float}. Not yet supported: its
     * kernels are not in this adam4j yet, so a group refuses it.
     */
    BF16("bf16"),
    /**
     * bitsandbytes' 8-bit blockwise moments ({@link org.adam4j.reference.Adam8bitReference}): {@code exp_avg} and
     * {@code exp_avg_sq} are one unsigned byte code per element, with one {@code float} absmax per block of
     * {@link #BLOCK_SIZE} elements counted from the parameter's first element ({@code exp_avg_absmax},
     * {@code exp_avg_sq_absmax}). No AMSGrad.
     */
    BLOCKWISE_8BIT("8bit");

    /** Elements per block of {@link #BLOCKWISE_8BIT} states: bitsandbytes' 256. */
    public static final int BLOCK_SIZE = Blockwise8bit.DEFAULT_BLOCK_SIZE;

    private final String label;

    StatePrecision(String label) {
        this.label = label;
    }

    /** {@return the command line's name: {@code f32}, {@code bf16} or {@code 8bit}} */
    public String label() {
        return label;
    }

    /**
     * The state precision of a {@link #label()}.
     *
     * @param label {@code f32}, {@code bf16} or {@code 8bit} (case and surrounding blanks do not matter)
     * @return the state precision
     * @throws IllegalArgumentException for any other label
     */
    public static StatePrecision parse(String label) {
        String l = Objects.requireNonNull(label, "label").trim().toLowerCase(Locale.ROOT);
        for (StatePrecision s : values()) {
            if (s.label.equals(l)) {
                return s;
            }
        }
        throw new IllegalArgumentException("state precision '" + label + "' must be one of " + labels());
    }

    /** {@return every label, comma-separated: {@code f32, bf16, 8bit}} */
    public static String labels() {
        return String.join(", ", Arrays.stream(values()).map(StatePrecision::label).toList());
    }

    /** Whether the state is compact, that is not {@link #F32}. */
    boolean isCompact() {
        return this != F32;
    }

    /**
     * Whether a group of {@code config} can keep its state in this precision: {@link #F32} always; the compact ones
     * for Adam and AdamW ({@link #BF16} with AMSGrad too: its {@code max_exp_avg_sq} in bf16), and
     * {@link #BLOCKWISE_8BIT} without AMSGrad.
     *
     * @param config the group's configuration
     * @return {@code null} if it can, else why not (a sentence fragment naming both)
     */
    public String supportedBy(OptimizerConfig config) {
        Objects.requireNonNull(config, "config");
        if (this == F32) {
            return null;
        }
        if (!(config instanceof AdamConfig adam)) {
            return "state precision " + label + " is for Adam and AdamW only; " + config.algorithm()
                    + " keeps f32 state";
        }
        if (this == BLOCKWISE_8BIT && adam.amsgrad()) {
            return "state precision 8bit has no AMSGrad: 8-bit states keep no max_exp_avg_sq (bitsandbytes' 8-bit "
                    + "Adam has none either)";
        }
        return null;
    }

    /**
     * Whether a parameter of {@code precision} can keep its state in this precision: every precision in {@link #F32};
     * the compact ones for {@link Precision#F32} parameters and for whole {@code short[]} arrays of
     * {@link Precision#BF16} and {@link Precision#FP16} ones ({@code double} parameters keep {@code double} state).
     *
     * @param precision the parameter's precision
     * @return {@code null} if it can, else why not
     */
    public String supportedFor(Precision precision) {
        Objects.requireNonNull(precision, "precision");
        if (this == F32 || precision == Precision.F32) {
            return null;
        }
        if (precision == Precision.F64) {
            return "an F64 parameter keeps f64 state: state precision " + label + " is for F32, BF16 and FP16 "
                    + "parameters";
        }
        return null;
    }

    /** Refuses, with {@link #supportedBy}'s reason after {@code where}, a configuration that cannot keep this state. */
    void requireSupportedBy(OptimizerConfig config, String where) {
        String why = supportedBy(config);
        if (why != null) {
            throw new IllegalArgumentException(where + why);
        }
    }

    /** Refuses a parameter precision that cannot keep this state. */
    void requireSupportedFor(Precision precision) {
        String why = supportedFor(precision);
        if (why != null) {
            throw new IllegalArgumentException(why);
        }
    }
}
