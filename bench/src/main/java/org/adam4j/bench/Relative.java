package org.adam4j.bench;

import java.util.List;
import org.adam4j.reference.AdagradConfig;
import org.adam4j.reference.AdamaxConfig;
import org.adam4j.reference.NAdamConfig;
import org.adam4j.reference.RAdamConfig;
import org.adam4j.reference.OptimizerConfig;
import org.adam4j.reference.RmspropConfig;
import org.adam4j.reference.SgdConfig;

/**
 * Adam's relatives as {@link RelativesBenchmark} steps them: PyTorch's defaults, SGD with the momentum 0.9 most
 * users give it (PyTorch has no default learning rate for SGD: 0.01 here). The {@link #id()} is the benchmarks'
 * {@code variant} parameter, and so the name of the {@code summary-VARIANT.csv} its rows go to.
 */
public enum Relative {
    ADAMAX("adamax", AdamaxConfig.defaults()),
    NADAM("nadam", NAdamConfig.defaults()),
    RADAM("radam", RAdamConfig.defaults()),
    SGD_MOMENTUM("sgd-momentum", SgdConfig.builder().lr(0.01).momentum(0.9).build()),
    SGD_NESTEROV("sgd-nesterov", SgdConfig.builder().lr(0.01).momentum(0.9).nesterov(true).build()),
    RMSPROP("rmsprop", RmspropConfig.defaults()),
    ADAGRAD("adagrad", AdagradConfig.defaults());

    /**
     * A step well past the first, as {@link AdamVariant}'s: ordinary bias corrections, and RAdam past its
     * rectification threshold (at step 10 its rho_t is about 9 &gt; 5), so that it runs its full update.
     */
    static final long STEP = 10;

    private final String id;
    final OptimizerConfig config;

    Relative(String id, OptimizerConfig config) {
        this.id = id;
        this.config = config;
    }

    public String id() {
        return id;
    }

    /** How many state arrays a step reads and writes besides {@code p} and {@code g}. */
    public int stateArrays() {
        return config.stateNames().size();
    }

    /** The ids, in declaration order: the values of the benchmarks' {@code variant} parameter. */
    public static List<String> ids() {
        return java.util.Arrays.stream(values()).map(Relative::id).toList();
    }

    public static Relative of(String id) {
        for (Relative r : values()) {
            if (r.id.equals(id)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown relative '" + id + "' (expected one of " + ids() + ")");
    }
}
