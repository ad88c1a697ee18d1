package org.adam4j.reference;

import java.util.List;

/**
 * An optimizer's constructor arguments by PyTorch's names, as a recorded case's {@code case.json} or a state file
 * holds them: what {@link OptimizerConfig#fromPyTorch} reads. Every method throws
 * {@link IllegalArgumentException} with a one-line message when a value has the wrong type.
 */
public interface PyTorchArgs {
    /**
     * {@return a number, or {@code fallback} if absent}
     *
     * @param key the hyperparameter's name, PyTorch's
     * @param fallback what is returned when the key is absent
     */
    double number(String key, double fallback);

    /**
     * {@return a flag, or {@code fallback} if absent}
     *
     * @param key the hyperparameter's name, PyTorch's
     * @param fallback what is returned when the key is absent
     */
    boolean bool(String key, boolean fallback);

    /**
     * Two numbers (PyTorch's {@code betas}), or the fallbacks if absent.
     *
     * @param key the hyperparameter's name, PyTorch's
     * @param first the first value's default
     * @param second the second value's default
     * @return the two numbers
     */
    double[] pair(String key, double first, double second);

    /**
     * {@return a string, or {@code fallback} if absent}
     *
     * @param key the hyperparameter's name, PyTorch's
     * @param fallback what is returned when the key is absent
     */
    String string(String key, String fallback);

    /**
     * {@return whether the key is present}
     *
     * @param key the hyperparameter's name, PyTorch's
     */
    boolean has(String key);

    /**
     * Refuses any key outside {@code known}: "option 'foreach' of nadam is not implemented by adam4j (it knows lr,
     * betas, ...)".
     *
     * @param optimizer the optimizer's name, for the message
     * @param known the keys the caller understands
     */
    void requireOnlyKeys(String optimizer, List<String> known);
}
