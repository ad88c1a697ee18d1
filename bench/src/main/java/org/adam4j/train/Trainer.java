package org.adam4j.train;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.adam4j.optim.Optimizer;

/** The training loop: shuffled mini-batches, one optimizer step each, the test set scored after every epoch. */
public final class Trainer {
    private Trainer() {
    }

    /** How to train; {@code seed} fixes the initial weights and the order of the examples. */
    public record Settings(int epochs, int batch, long seed) {
        public Settings {
            if (epochs < 1 || batch < 1) {
                throw new IllegalArgumentException("epochs and batch must be at least 1, got " + epochs + " and " + batch);
            }
        }
    }

    /** One epoch's figures: the training ones averaged over its batches (before each step), the test ones after it. */
    public record Epoch(int epoch, double trainLoss, double trainAccuracy, double testLoss, double testAccuracy,
            double trainSeconds) {
    }

    /**
     * Trains {@code model} (already registered with {@code optimizer}) on {@code data.train()} and returns one
     * {@link Epoch} per epoch, also handed to {@code progress} as each ends.
     */
    public static List<Epoch> train(Mlp model, Optimizer<?> optimizer, Dataset.Split data, Settings settings,
            Workers workers, Consumer<Epoch> progress) {
        if (data.train().rows() == 0 || data.test().rows() == 0) {
            throw new IllegalArgumentException(data.description() + ": " + data.train().rows() + " training and "
                    + data.test().rows() + " test examples; training and scoring need at least one each");
        }
        // A stream of its own, so that the order of examples does not depend on how many weights the model drew.
        SplittableRandom shuffle = new SplittableRandom(settings.seed()).split();
        int n = data.train().rows();
        int[] order = IntStream.range(0, n).toArray();
        List<Epoch> epochs = new ArrayList<>();
        for (int e = 1; e <= settings.epochs(); e++) {
            long start = System.nanoTime();
            shuffle(order, shuffle);
            Mlp.Stats seen = new Mlp.Stats(0, 0, 0);
            for (int from = 0; from < n; from += settings.batch()) {
                int to = Math.min(from + settings.batch(), n);
                seen = seen.plus(model.train(data.train(), order, from, to, workers));
                model.beforeStep();
                optimizer.step();
                model.afterStep();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            Mlp.Stats test = model.evaluate(data.test(), workers);
            Epoch epoch = new Epoch(e, seen.loss(), seen.accuracy(), test.loss(), test.accuracy(), seconds);
            epochs.add(epoch);
            progress.accept(epoch);
        }
        return epochs;
    }

    private static void shuffle(int[] a, SplittableRandom random) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
