package org.adam4j.bench;

import java.util.Locale;
import org.adam4j.reference.AdamConfig;
import org.adam4j.reference.AdamStep;

/** The optimizers the benchmarks step: PyTorch's {@code Adam} and {@code AdamW} with their default hyperparameters. */
public enum AdamVariant {
    /** {@code torch.optim.Adam()}: no weight decay. */
    ADAM(AdamConfig.defaults()),
    /** {@code torch.optim.AdamW()}: decoupled weight decay 0.01, one more multiplication per element. */
    ADAMW(AdamConfig.builder().decoupled(0.01).build());

    /** A step well past the first, so that the bias corrections are ordinary numbers. */
    private static final long STEP = 10;

    private final AdamConfig config;

    AdamVariant(AdamConfig config) {
        this.config = config;
    }

    /** {@code adam} or {@code adamw}, the value of the benchmarks' {@code variant} parameter. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** {@return the configuration} */
    public AdamConfig config() {
        return config;
    }

    public AdamStep step() {
        return config.step(STEP);
    }

    public static AdamVariant of(String id) {
        for (AdamVariant v : values()) {
            if (v.id().equals(id)) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown variant '" + id + "' (expected adam or adamw)");
    }
}
