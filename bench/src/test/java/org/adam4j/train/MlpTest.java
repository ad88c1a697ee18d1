package org.adam4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.adam4j.optim.Optimizer;
import org.junit.jupiter.api.Test;

class MlpTest {
    /** 70 rows (three chunks, the last partial) of 5 features in 3 classes. */
    private static Dataset data() {
        SplittableRandom r = new SplittableRandom(7);
        int rows = 70;
        float[] x = new float[rows * 5];
        int[] y = new int[rows];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        for (int i = 0; i < rows; i++) {
            y[i] = r.nextInt(3);
        }
        return Dataset.ofFloats("random", x, 5, y, 3);
    }

    private static double loss(Mlp mlp, Dataset d) {
        try (Workers w = new Workers(1)) {
            return mlp.evaluate(d, w).loss();
        }
    }

    /**
     * Backprop against central differences of the mean loss, for every parameter. Float forward passes make the
     * differences noisy (about 1e-7 / h); h is small enough for the curvature and for few ReLU kinks to be crossed.
     */
    private static void gradientCheck(int[] hidden) {
        Dataset d = data();
        Mlp mlp = new Mlp(5, hidden, 3, 11);
        int[] all = IntStream.range(0, d.rows()).toArray();
        try (Workers w = new Workers(1)) {
            mlp.train(d, all, 0, all.length, w);
        }
        List<float[]> params = mlp.parameters();
        List<float[]> grads = mlp.gradients();
        float h = 1e-3f;
        int checked = 0;
        int mismatched = 0;
        StringBuilder worst = new StringBuilder();
        for (int k = 0; k < params.size(); k++) {
            float[] p = params.get(k);
            float[] g = grads.get(k).clone();
            for (int i = 0; i < p.length; i++) {
                float saved = p[i];
                p[i] = saved + h;
                double up = loss(mlp, d);
                p[i] = saved - h;
                double down = loss(mlp, d);
                p[i] = saved;
                double numeric = (up - down) / (2 * h);
                checked++;
                if (Math.abs(numeric - g[i]) > 2e-3 + 2e-2 * Math.abs(numeric)) {
                    mismatched++;
                    worst.append(String.format(" [tensor %d, %d: backprop %g, numeric %g]", k, i, g[i], numeric));
                }
            }
        }
        assertTrue(checked >= 18, "checked " + checked);
        // A difference across a ReLU kink may disagree; one in fifty is allowed, a wrong formula fails most.
        assertTrue(mismatched <= checked / 50, mismatched + " of " + checked + " gradients differ:" + worst);
    }

    @Test
    void softmaxRegressionGradientsMatchFiniteDifferences() {
        gradientCheck(new int[0]);
    }

    @Test
    void mlpGradientsMatchFiniteDifferences() {
        gradientCheck(new int[] {6, 4});
    }

    @Test
    void sameBitsForEveryThreadCount() {
        Dataset.Split moons = TwoMoons.split();
        float[][] reference = null;
        List<Trainer.Epoch> referenceEpochs = null;
        for (int threads : new int[] {1, 2, 3}) {
            Mlp mlp = new Mlp(2, new int[] {16}, 2, 5);
            Optimizer<?> adam = Optimizers.create("adam", 1e-2, threads);
            mlp.registerWith(adam);
            List<Trainer.Epoch> epochs;
            try (Workers w = new Workers(threads)) {
                epochs = Trainer.train(mlp, adam, moons, new Trainer.Settings(2, 100, 5), w, e -> { });
            }
            float[][] now = mlp.parameters().toArray(new float[0][]);
            if (reference == null) {
                reference = now;
                referenceEpochs = epochs;
            } else {
                for (int e = 0; e < epochs.size(); e++) {
                    Trainer.Epoch a = referenceEpochs.get(e);
                    Trainer.Epoch b = epochs.get(e);
                    assertEquals(List.of(a.trainLoss(), a.trainAccuracy(), a.testLoss(), a.testAccuracy()),
                            List.of(b.trainLoss(), b.trainAccuracy(), b.testLoss(), b.testAccuracy()),
                            "epoch " + (e + 1) + " with " + threads + " threads");
                }
                for (int k = 0; k < now.length; k++) {
                    assertArrayEquals(reference[k], now[k], "tensor " + k + " with " + threads + " threads");
                }
            }
        }
    }

    @Test
    void mlpSeparatesTheMoonsAndSoftmaxRegressionCannot() {
        Dataset.Split moons = TwoMoons.split();
        double[] accuracy = new double[2];
        int[][] hidden = {{32}, {}};
        for (int m = 0; m < 2; m++) {
            Mlp mlp = new Mlp(2, hidden[m], 2, 1);
            Optimizer<?> adam = Optimizers.create("adam", 1e-2, 1);
            mlp.registerWith(adam);
            try (Workers w = new Workers(1)) {
                List<Trainer.Epoch> epochs = Trainer.train(mlp, adam, moons, new Trainer.Settings(30, 64, 1), w, e -> { });
                assertTrue(epochs.get(29).trainLoss() < epochs.get(0).trainLoss());
                accuracy[m] = mlp.evaluate(moons.test(), w).accuracy();
            }
        }
        assertTrue(accuracy[0] > 0.95, "mlp " + accuracy[0]);
        assertTrue(accuracy[1] < 0.9, "softmax " + accuracy[1]);
    }

    @Test
    void describesItsShape() {
        Mlp mlp = new Mlp(784, new int[] {256}, 10, 1);
        assertEquals("784-256-10", mlp.shape());
        assertEquals(784 * 256 + 256 + 256 * 10 + 10, mlp.parameterCount());
    }

    @Test
    void trainingRefusesEmptySets() {
        Dataset some = Dataset.ofFloats("some", new float[] {1, 2}, 2, new int[] {1}, 2);
        Dataset none = Dataset.ofFloats("none", new float[0], 2, new int[0], 2);
        for (Dataset.Split split : List.of(new Dataset.Split("no training", none, some),
                new Dataset.Split("no test", some, none))) {
            try (Optimizer<?> optimizer = Optimizers.create("adam", 1e-3, 1); Workers workers = new Workers(1)) {
                Mlp mlp = new Mlp(2, new int[] {3}, 2, 1);
                mlp.registerWith(optimizer);
                IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
                        IllegalArgumentException.class, () -> Trainer.train(mlp, optimizer, split,
                                new Trainer.Settings(1, 4, 1), workers, epoch -> { }));
                assertTrue(e.getMessage().startsWith(split.description() + ": "), e.getMessage());
                assertTrue(e.getMessage().endsWith("training and scoring need at least one each"), e.getMessage());
            }
        }
    }
}
