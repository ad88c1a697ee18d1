package org.adam4j.reference;

/**
 * The checks PyTorch's optimizer constructors make, with PyTorch's messages ("Invalid epsilon value: -1.0"), shared by
 * the relatives' configurations. Unlike PyTorch they also refuse NaN and infinities, which PyTorch lets through.
 */
final class Hyper {
    private Hyper() {
    }

    /** {@code x >= 0} and finite; {@code label} is PyTorch's, such as "epsilon value" or "learning rate". */
    static double nonNegative(String label, double x) {
        if (!(x >= 0.0) || Double.isInfinite(x)) {
            throw new IllegalArgumentException("Invalid " + label + ": " + x + " (must be finite and >= 0)");
        }
        return x;
    }

    static double lr(double lr) {
        return nonNegative("learning rate", lr);
    }

    static double beta(int index, double beta) {
        if (!(beta >= 0.0 && beta < 1.0)) {
            throw new IllegalArgumentException(
                    "Invalid beta parameter at index " + index + ": " + beta + " (must be in [0, 1))");
        }
        return beta;
    }

    static long step(long t) {
        if (t < 1) {
            throw new IllegalArgumentException("Invalid step: " + t + " (steps count from 1)");
        }
        return t;
    }
}
