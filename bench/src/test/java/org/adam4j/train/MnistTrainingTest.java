package org.adam4j.train;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.IntStream;
import org.adam4j.optim.Optimizer;
import org.junit.jupiter.api.Test;

/** A small MLP on part of the real MNIST (../shared/datasets/mnist); skipped with a message when it is absent. */
class MnistTrainingTest {
    static Path mnistFolder() {
        Path dir = Path.of(System.getProperty("adam4j.shared", "../shared")).resolve("datasets").resolve("mnist");
        if (!Files.isDirectory(dir)) {
            String msg = "no MNIST at " + dir.toAbsolutePath() + " (the shared/ folder belongs beside the checkout)";
            if (System.getenv("CI") != null) {
                fail(msg);
            }
            assumeTrue(false, msg);
        }
        return dir;
    }

    @Test
    void aFewHundredStepsLowerTheLossAndBeatChanceWidely() throws IOException {
        Dataset.Split mnist = Mnist.load(mnistFolder());
        Dataset train = mnist.train().head(12_800);
        Dataset test = mnist.test().head(2_000);
        Mlp mlp = new Mlp(784, new int[] {64}, 10, 1);
        Optimizer<?> adam = Optimizers.create("adam", 1e-3, 1);
        mlp.registerWith(adam);
        int[] order = IntStream.range(0, train.rows()).toArray();
        int batch = 64;
        try (Workers w = new Workers(2)) {
            double before = mlp.evaluate(test, w).loss();
            double firstLoss = Double.NaN;
            double lastLoss = Double.NaN;
            for (int step = 0; step < 300; step++) {
                int from = (step * batch) % train.rows();
                double loss = mlp.train(train, order, from, from + batch, w).loss();
                adam.step();
                if (step == 0) {
                    firstLoss = loss;
                }
                lastLoss = loss;
            }
            Mlp.Stats after = mlp.evaluate(test, w);
            assertTrue(firstLoss > 2.0 && lastLoss < 0.8, "batch loss " + firstLoss + " -> " + lastLoss);
            assertTrue(after.loss() < before / 3, "test loss " + before + " -> " + after.loss());
            // Chance is 10%.
            assertTrue(after.accuracy() > 0.85, "test accuracy " + after.accuracy());
        }
    }
}
