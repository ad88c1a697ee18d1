package org.adam4j.optim;

import java.io.IOException;
import java.nio.file.Path;
import org.adam4j.reference.AdamConfig;

/**
 * The child JVM of {@link StateFileCrashSafetyTest}: an Adam optimizer of {@code elements} floats (a state file of
 * 8 bytes per element) that steps and saves to {@code file} in a loop, announcing each save on stdout as
 * {@code saving T} before it and {@code saved T} after it, until it is killed.
 *
 * <p>Usage: {@code StateFileSaveLoop FILE ELEMENTS}
 */
public final class StateFileSaveLoop {
    private StateFileSaveLoop() {
    }

    /** The optimizer and its parameter, as the child and the test both build them. */
    record Run(Optimizer<AdamConfig> opt, float[] value, float[] grad) {
        static Run of(int elements) {
            Run r = new Run(Optimizer.adam().lr(1e-3).build(), new float[elements], new float[elements]);
            for (int i = 0; i < elements; i++) {
                r.value[i] = (float) Math.sin(i);
            }
            r.opt.defaultGroup().add(r.value, r.grad);
            return r;
        }

        /** Step {@code t} (the {@code t}-th call), with gradients that depend on it. */
        void step(long t) {
            for (int i = 0; i < grad.length; i++) {
                grad[i] = (float) Math.cos(i * 1e-3 + t);
            }
            opt.step();
        }

        /** A fresh run after {@code t} steps: the state a save of step {@code t} holds. */
        static OptimizerState stateAfter(int elements, long t) {
            Run r = of(elements);
            for (long s = 1; s <= t; s++) {
                r.step(s);
            }
            OptimizerState state = r.opt.state();
            r.opt.close();
            return state;
        }
    }

    public static void main(String[] args) throws IOException {
        Path file = Path.of(args[0]);
        Run r = Run.of(Integer.parseInt(args[1]));
        for (long t = 1; ; t++) {
            r.step(t);
            System.out.println("saving " + t);
            r.opt.save(file);
            System.out.println("saved " + t);
        }
    }
}
