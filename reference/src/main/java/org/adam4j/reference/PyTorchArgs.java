package org.adam4j.reference;

import java.util.List;

/**
 * An optimizer's constructor arguments by PyTorch's names, as a recorded case's {@code case.json} or a state file
 * holds them: what {@link OptimizerConfig#fromPyTorch} reads. Every method throws
 * {@link IllegalArgumentException} with a one-line message when a value has the wrong type.
 */
public interface PyTorchArgs {
    /** A number, or {@code fallback} if absent. */
    double number(String key, double fallback);

    /** A flag, or {@code fallback} if absent. */
    boolean bool(String key, boolean fallback);

    /** Two numbers (PyTorch's {@code betas}), or the fallbacks if absent. */
    double[] pair(String key, double first, double second);

    /** A string, or {@code fallback} if absent. */
    String string(String key, String fallback);

    /** Whether the key is present. */
    boolean has(String key);

    /**
     * Refuses any key outside {@code known}: "option 'foreach' of nadam is not implemented by adam4j (it knows lr,
     * betas, ...)".
     */
    void requireOnlyKeys(String optimizer, List<String> known);
}
