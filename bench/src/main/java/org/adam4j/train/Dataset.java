package org.adam4j.train;

import java.util.Arrays;

/**
 * Labelled examples: {@code rows} feature vectors of {@code features} floats and a class in {@code [0, classes)}
 * each. MNIST keeps its pixels as bytes (a quarter of the memory) and scales them when a batch is copied out.
 */
public final class Dataset {
    private final String name;
    private final int rows;
    private final int features;
    private final int classes;
    private final int[] labels;
    private final float[] floats;
    private final byte[] bytes;
    private final float byteScale;
    private final float byteShift;

    private Dataset(String name, int rows, int features, int classes, int[] labels, float[] floats, byte[] bytes,
            float byteScale, float byteShift) {
        if (labels.length != rows) {
            throw new IllegalArgumentException(name + ": " + labels.length + " labels for " + rows + " rows");
        }
        for (int i = 0; i < rows; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException(
                        name + ": label " + labels[i] + " of row " + i + " is outside [0, " + classes + ")");
            }
        }
        this.name = name;
        this.rows = rows;
        this.features = features;
        this.classes = classes;
        this.labels = labels;
        this.floats = floats;
        this.bytes = bytes;
        this.byteScale = byteScale;
        this.byteShift = byteShift;
    }

    /** Features given as floats, row-major. */
    public static Dataset ofFloats(String name, float[] features, int featureCount, int[] labels, int classes) {
        if (features.length != (long) labels.length * featureCount) {
            throw new IllegalArgumentException(name + ": " + features.length + " feature values for " + labels.length
                    + " rows of " + featureCount);
        }
        return new Dataset(name, labels.length, featureCount, classes, labels, features, null, 0f, 0f);
    }

    /**
     * Features given as unsigned bytes, row-major, each mapped to {@code byte * scale + shift} when copied out (a
     * standardization, for pixels).
     */
    public static Dataset ofUnsignedBytes(String name, byte[] features, int featureCount, float scale, float shift,
            int[] labels, int classes) {
        if (features.length != (long) labels.length * featureCount) {
            throw new IllegalArgumentException(name + ": " + features.length + " feature values for " + labels.length
                    + " rows of " + featureCount);
        }
        return new Dataset(name, labels.length, featureCount, classes, labels, null, features, scale, shift);
    }

    public String name() { return name; }
    public int rows() { return rows; }
    public int features() { return features; }
    public int classes() { return classes; }

    public int label(int row) {
        return labels[row];
    }

    /** Copies row {@code row}'s features to {@code dst[off, off + features)}. */
    public void copyFeatures(int row, float[] dst, int off) {
        int from = row * features;
        if (floats != null) {
            System.arraycopy(floats, from, dst, off, features);
        } else {
            for (int j = 0; j < features; j++) {
                dst[off + j] = Math.fma(bytes[from + j] & 0xff, byteScale, byteShift);
            }
        }
    }

    /** The first {@code n} rows (for quick runs on part of a data set). */
    public Dataset head(int n) {
        if (n < 0 || n > rows) {
            throw new IllegalArgumentException(name + ": cannot take " + n + " of " + rows + " rows");
        }
        int[] l = Arrays.copyOf(labels, n);
        return floats != null ? ofFloats(name, Arrays.copyOf(floats, n * features), features, l, classes)
                : ofUnsignedBytes(name, Arrays.copyOf(bytes, n * features), features, byteScale, byteShift, l, classes);
    }

    @Override
    public String toString() {
        return name + " (" + rows + " rows x " + features + " features, " + classes + " classes)";
    }

    /** A training set and the test set it is scored on. */
    public record Split(String description, Dataset train, Dataset test) {
        public Split {
            if (train.features() != test.features() || train.classes() != test.classes()) {
                throw new IllegalArgumentException("train " + train + " and test " + test + " do not match");
            }
        }
    }
}
