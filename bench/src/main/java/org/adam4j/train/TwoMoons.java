package org.adam4j.train;

import java.util.Random;

/**
 * The default data set, generated, so that {@code ./adam4j train} runs with nothing downloaded: two interleaving
 * half circles in the plane (scikit-learn's {@code make_moons}), with Gaussian noise, from a fixed seed. A linear
 * model cannot separate them (softmax regression stays near 85%); a small MLP can.
 */
public final class TwoMoons {
    public static final int TRAIN_ROWS = 2000;
    public static final int TEST_ROWS = 1000;
    public static final double NOISE = 0.2;
    /** Fixed: the data set is part of the program, the same on every run; {@code --seed} varies the training. */
    private static final long DATA_SEED = 20140122L;

    private TwoMoons() {
    }

    public static Dataset.Split split() {
        // java.util.Random's nextGaussian is specified to the bit, so the points are the same on every JDK.
        Random random = new Random(DATA_SEED);
        Dataset train = generate("two-moons train", TRAIN_ROWS, random);
        Dataset test = generate("two-moons test", TEST_ROWS, random);
        return new Dataset.Split("two-moons (embedded, noise " + NOISE + ")", train, test);
    }

    private static Dataset generate(String name, int rows, Random random) {
        float[] xy = new float[2 * rows];
        int[] labels = new int[rows];
        for (int i = 0; i < rows; i++) {
            int moon = i & 1;
            double t = Math.PI * random.nextDouble();
            double x = moon == 0 ? Math.cos(t) : 1 - Math.cos(t);
            double y = moon == 0 ? Math.sin(t) : 0.5 - Math.sin(t);
            xy[2 * i] = (float) (x + NOISE * random.nextGaussian());
            xy[2 * i + 1] = (float) (y + NOISE * random.nextGaussian());
            labels[i] = moon;
        }
        return Dataset.ofFloats(name, xy, 2, labels, 2);
    }
}
