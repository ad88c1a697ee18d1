package org.adam4j.reference;

import java.util.List;

/**
 * The configuration of one optimization algorithm: Adam (with its L2, AdamW and fully decoupled forms), AdaMax, NAdam,
 * RAdam, SGD, RMSprop or AdaGrad. Each is immutable, validated as PyTorch's constructor validates it (with PyTorch's
 * messages), and declares everything an optimizer needs to run it without knowing which algorithm it is: its name,
 * its learning rate, the state it keeps per parameter with the values that state starts from, its hyperparameters by
 * PyTorch's names, and the per-step scalars that its reference and every kernel share.
 *
 * <p>The type is sealed so that the one place per precision that binds an algorithm's step to its kernel and
 * reference operations ({@code org.adam4j.kernels.OptimizerSteps_F32}/{@code _F64}) is an exhaustive switch: a new
 * algorithm that is not bound there does not compile.
 */
public sealed interface OptimizerConfig
        permits AdamConfig, AdamaxConfig, NAdamConfig, RAdamConfig, SgdConfig, RmspropConfig, AdagradConfig {
    /** The names {@link #fromPyTorch} knows, as PyTorch and case.json spell them. */
    List<String> ALGORITHMS = List.of("adam", "adamw", "adamax", "nadam", "radam", "sgd", "rmsprop", "adagrad");

    /**
     * PyTorch's lower-case name of the configured form: {@code adam}, {@code adamw} (Adam with decoupled or fully
     * decoupled weight decay), {@code adamax}, {@code nadam}, {@code radam}, {@code sgd}, {@code rmsprop},
     * {@code adagrad}.
     *
     * @return the algorithm's name ({@code adam}, {@code adamw}, {@code adamax}, {@code nadam}, {@code radam}, {@code
     *     sgd}, {@code rmsprop}, {@code adagrad})
     */
    String algorithm();

    /** {@return the learning rate (before any schedule)} */
    double lr();

    /**
     * {@return the per-element state a parameter keeps, by PyTorch's names, in the order the kernels take the arrays}
     */
    List<StateVariable> stateArrays();

    /** {@return the per-parameter scalar state (NAdam's {@code mu_product}); none for the others} */
    default List<StateVariable> scalarStates() {
        return List.of();
    }

    /** {@return the names of {@link #stateArrays()}} */
    default List<String> stateNames() {
        return stateArrays().stream().map(StateVariable::name).toList();
    }

    /**
     * The per-step scalars of step {@code t} (1 for the first) at learning rate {@code lr}, for a parameter whose
     * scalar state ({@link #scalarStates()}, in that order) is {@code scalars}.
     *
     * @param t the step number, 1 for the first step
     * @param lr the learning rate (finite and >= 0)
     * @param scalars the parameter's scalar state before this step, in {@link #scalarStates()} order (empty if it has
     *     none)
     * @return the scalars of that step
     * @throws IllegalArgumentException if {@code t < 1}, {@code lr} is negative or not finite, or {@code scalars} does
     *                                  not hold one value per scalar state
     */
    OptimizerStep step(long t, double lr, double[] scalars);

    /**
     * {@return the hyperparameters by PyTorch's names, in a fixed order; {@link #fromPyTorch} builds this configuration
     * back}
     */
    Hyperparameters hyperparameters();

    /**
     * The configuration that PyTorch's optimizer {@code algorithm} has with {@code args} (PyTorch's argument names and
     * defaults), as case.json and the state file give them.
     *
     * @param algorithm the algorithm's name, as {@link #algorithm()} gives it
     * @param args PyTorch's constructor arguments, by name
     * @return the configuration
     * @throws IllegalArgumentException if the algorithm is not implemented, an argument is unknown or has a value
     *                                  PyTorch refuses
     */
    static OptimizerConfig fromPyTorch(String algorithm, PyTorchArgs args) {
        return switch (algorithm) {
            case "adam", "adamw" -> AdamConfig.fromPyTorch(algorithm, args);
            case "adamax" -> AdamaxConfig.fromPyTorch(args);
            case "nadam" -> NAdamConfig.fromPyTorch(args);
            case "radam" -> RAdamConfig.fromPyTorch(args);
            case "sgd" -> SgdConfig.fromPyTorch(args);
            case "rmsprop" -> RmspropConfig.fromPyTorch(args);
            case "adagrad" -> AdagradConfig.fromPyTorch(args);
            default -> throw new IllegalArgumentException("optimizer '" + algorithm + "' is not implemented by adam4j "
                    + "yet (it implements " + String.join(", ", ALGORITHMS) + ")");
        };
    }
}
