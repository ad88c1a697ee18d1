package org.adam4j.reference;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code torch.optim.RMSprop} (PyTorch 1.13): alpha, eps, coupled weight decay, momentum, centered, maximize.
 * Defaults lr 1e-2, alpha 0.99, eps 1e-8, weight_decay 0, momentum 0, centered false. As in PyTorch, alpha is only
 * required to be {@code >= 0}, and the momentum buffer starts at zero.
 */
public record RmspropConfig(double lr, double alpha, double eps, double weightDecay, double momentum,
        boolean centered, boolean maximize) implements OptimizerConfig {
    public RmspropConfig {
        Hyper.lr(lr);
        Hyper.nonNegative("epsilon value", eps);
        Hyper.nonNegative("momentum value", momentum);
        Hyper.nonNegative("weight_decay value", weightDecay);
        Hyper.nonNegative("alpha value", alpha);
    }

    public static RmspropConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String algorithm() {
        return "rmsprop";
    }

    /** {@code square_avg}, then {@code grad_avg} if centered, then {@code momentum_buffer} with momentum; all 0. */
    @Override
    public List<StateVariable> stateArrays() {
        List<StateVariable> names = new ArrayList<>(List.of(StateVariable.nonNegative("square_avg", 0)));
        if (centered) {
            names.add(StateVariable.any("grad_avg", 0));
        }
        if (momentum > 0.0) {
            names.add(StateVariable.any("momentum_buffer", 0));
        }
        return List.copyOf(names);
    }

    @Override
    public RmspropStep step(long t, double lr, double[] scalars) {
        return new RmspropStep(this, t, lr);
    }

    /** {@code lr, alpha, eps, weight_decay, momentum, centered, maximize}. */
    @Override
    public Hyperparameters hyperparameters() {
        return Hyperparameters.builder().number("lr", lr).number("alpha", alpha).number("eps", eps)
                .number("weight_decay", weightDecay).number("momentum", momentum).flag("centered", centered)
                .flag("maximize", maximize).build();
    }

    static RmspropConfig fromPyTorch(PyTorchArgs a) {
        a.requireOnlyKeys("rmsprop", List.of("lr", "alpha", "eps", "weight_decay", "momentum", "centered",
                "maximize"));
        return new RmspropConfig(a.number("lr", 1e-2), a.number("alpha", 0.99), a.number("eps", 1e-8),
                a.number("weight_decay", 0.0), a.number("momentum", 0.0), a.bool("centered", false),
                a.bool("maximize", false));
    }

    public RmspropStep step(long t) {
        return new RmspropStep(this, t, lr);
    }

    public RmspropStep step(long t, double scheduledLr) {
        return new RmspropStep(this, t, scheduledLr);
    }

    @Override
    public String toString() {
        return "RMSprop(lr=" + lr + ", alpha=" + alpha + ", eps=" + eps + ", weight_decay=" + weightDecay
                + ", momentum=" + momentum + ", centered=" + centered + ", maximize=" + maximize + ")";
    }

    /** Builder with PyTorch's defaults; every setter refuses a bad value at once. */
    public static final class Builder {
        private double lr = 1e-2, alpha = 0.99, eps = 1e-8, weightDecay, momentum;
        private boolean centered, maximize;

        private Builder() {
        }

        public Builder lr(double lr) {
            this.lr = Hyper.lr(lr);
            return this;
        }

        public Builder alpha(double alpha) {
            this.alpha = Hyper.nonNegative("alpha value", alpha);
            return this;
        }

        public Builder eps(double eps) {
            this.eps = Hyper.nonNegative("epsilon value", eps);
            return this;
        }

        public Builder weightDecay(double weightDecay) {
            this.weightDecay = Hyper.nonNegative("weight_decay value", weightDecay);
            return this;
        }

        public Builder momentum(double momentum) {
            this.momentum = Hyper.nonNegative("momentum value", momentum);
            return this;
        }

        public Builder centered(boolean centered) {
            this.centered = centered;
            return this;
        }

        public Builder maximize(boolean maximize) {
            this.maximize = maximize;
            return this;
        }

        public RmspropConfig build() {
            return new RmspropConfig(lr, alpha, eps, weightDecay, momentum, centered, maximize);
        }
    }
}
