package org.adam4j.reference.cases;

import java.util.List;
import org.adam4j.reference.AdamConfig;

/** Maps the {@code adam} and {@code adamw} cases' PyTorch arguments to an {@link AdamConfig}. */
public final class AdamCases {
    private static final List<String> KEYS = List.of("lr", "betas", "eps", "weight_decay", "amsgrad", "maximize");

    private AdamCases() {
    }

    /** Whether adam4j replays this case as Adam. */
    public static boolean isAdam(ReferenceCase c) {
        return c.optimizer.equals("adam") || c.optimizer.equals("adamw");
    }

    /**
     * The configuration PyTorch used, with PyTorch's defaults for absent keys (AdamW's weight decay defaults to 0.01).
     *
     * @throws CaseFormatException if the case is not Adam, names an option adam4j does not implement, or a value
     *                             Adam refuses
     */
    public static AdamConfig config(ReferenceCase c) throws CaseFormatException {
        if (!isAdam(c)) {
            throw new CaseFormatException(c.file() + ": optimizer '" + c.optimizer + "' is not adam or adamw");
        }
        c.requireOnlyKeys(KEYS);
        boolean adamw = c.optimizer.equals("adamw");
        double[] betas = c.pair("betas", 0.9, 0.999);
        double wd = c.number("weight_decay", adamw ? 1e-2 : 0.0);
        try {
            AdamConfig.Builder b = AdamConfig.builder()
                    .lr(c.number("lr", 1e-3))
                    .betas(betas[0], betas[1])
                    .eps(c.number("eps", 1e-8))
                    .amsgrad(c.bool("amsgrad", false))
                    .maximize(c.bool("maximize", false));
            if (adamw) {
                b.decoupled(wd);
            } else {
                b.l2(wd);
            }
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new CaseFormatException(c.file() + ": " + e.getMessage());
        }
    }
}
