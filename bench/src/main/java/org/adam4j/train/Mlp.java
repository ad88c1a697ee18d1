package org.adam4j.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.adam4j.optim.Optimizer;
import org.adam4j.optim.ParamGroup;
import org.adam4j.optim.Precision;
import org.adam4j.reference.LowPrecision;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;

/**
 * A multilayer perceptron in float: dense layers with ReLU between them and a softmax cross-entropy loss. With no
 * hidden layer it is softmax (multinomial logistic) regression. The matrix products run on EJML.
 *
 * <p>A layer computes {@code Z = A W + b} with {@code W} of shape {@code in x out}, so a batch is a matrix of rows.
 * Weights and biases start as PyTorch's {@code nn.Linear} does, uniform in {@code ±1/sqrt(in)}.
 *
 * <p>Determinism: a batch is cut into chunks of {@link #CHUNK_ROWS} rows whatever the thread count; each chunk
 * computes its own loss and gradients, and the chunks are summed in order. The threads only decide who computes
 * which chunk, so every thread count gives the same bits.
 */
public final class Mlp {
    public static final int CHUNK_ROWS = 32;

    private final int[] sizes;
    private final FMatrixRMaj[] weights;
    private final FMatrixRMaj[] biases;
    private final FMatrixRMaj[] weightGrads;
    private final FMatrixRMaj[] biasGrads;
    private Chunk[] chunks = new Chunk[0];
    /**
     * With 16-bit parameters ({@link #registerWith(Optimizer, Precision)}): the format, and per parameter array (in
     * {@link #parameters()}' order) the values and gradients the optimizer holds, as bit patterns; the float matrices
     * are then working copies, widened from the 16-bit values after each step. {@code null} for float parameters.
     */
    private LowPrecision storage;
    private short[][] values16;
    private short[][] grads16;

    /**
     * @param hidden the widths of the hidden layers, none for softmax regression
     * @param seed   the seed of the initial weights
     */
    public Mlp(int inputs, int[] hidden, int classes, long seed) {
        sizes = sizes(inputs, hidden, classes);
        int layers = sizes.length - 1;
        weights = new FMatrixRMaj[layers];
        biases = new FMatrixRMaj[layers];
        weightGrads = new FMatrixRMaj[layers];
        biasGrads = new FMatrixRMaj[layers];
        SplittableRandom random = new SplittableRandom(seed);
        for (int l = 0; l < layers; l++) {
            double bound = 1.0 / Math.sqrt(sizes[l]);
            weights[l] = uniform(sizes[l], sizes[l + 1], bound, random);
            biases[l] = uniform(1, sizes[l + 1], bound, random);
            weightGrads[l] = new FMatrixRMaj(sizes[l], sizes[l + 1]);
            biasGrads[l] = new FMatrixRMaj(1, sizes[l + 1]);
        }
    }

    /** The layer widths, input first, checked: every weight matrix must fit one Java array. */
    private static int[] sizes(int inputs, int[] hidden, int classes) {
        if (inputs < 1 || classes < 2) {
            throw new IllegalArgumentException("need at least 1 input and 2 classes, got " + inputs + " and " + classes);
        }
        int[] sizes = new int[hidden.length + 2];
        sizes[0] = inputs;
        for (int i = 0; i < hidden.length; i++) {
            if (hidden[i] < 1) {
                throw new IllegalArgumentException("hidden layer sizes must be at least 1, got " + Arrays.toString(hidden));
            }
            sizes[i + 1] = hidden[i];
        }
        sizes[sizes.length - 1] = classes;
        for (int l = 0; l + 1 < sizes.length; l++) {
            if ((long) sizes[l] * sizes[l + 1] > MAX_ARRAY) {
                throw new IllegalArgumentException("layer " + (l + 1) + " would have " + sizes[l] + " x " + sizes[l + 1]
                        + " weights, more than one Java array holds (" + MAX_ARRAY + ")");
            }
        }
        return sizes;
    }

    /** The most elements of one array. */
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    /**
     * The bytes a model of these widths holds while it trains and is scored with {@code rows} examples per batch on
     * {@code threads} threads: its parameters and gradients, the optimizer's state (at most two arrays per
     * parameter for the optimizers {@code train} offers), and per chunk of {@link #CHUNK_ROWS} rows one more set of
     * gradients and the activations. For refusing, before anything is allocated, a model the heap cannot hold.
     *
     * @throws IllegalArgumentException when a layer's weights cannot be one Java array
     */
    public static long bytesNeeded(int inputs, int[] hidden, int classes, int batchRows, int threads) {
        int[] sizes = sizes(inputs, hidden, classes);
        long parameters = 0;
        long widths = 0;
        for (int l = 0; l + 1 < sizes.length; l++) {
            parameters += (long) sizes[l] * sizes[l + 1] + sizes[l + 1];
        }
        for (int size : sizes) {
            widths += size;
        }
        int widest = Arrays.stream(sizes).max().orElseThrow();
        long chunks = Math.max(chunkCount(Math.max(1, batchRows)), 4L * threads);
        long perChunk = 4L * parameters + 4L * CHUNK_ROWS * (widths + 2L * widest);
        return 4L * parameters * 4 + chunks * perChunk;
    }

    private static FMatrixRMaj uniform(int rows, int cols, double bound, SplittableRandom random) {
        FMatrixRMaj m = new FMatrixRMaj(rows, cols);
        for (int i = 0; i < m.data.length; i++) {
            m.data[i] = (float) ((2 * random.nextDouble() - 1) * bound);
        }
        return m;
    }

    /** {@code 784-256-10}. */
    public String shape() {
        return Arrays.stream(sizes).mapToObj(Integer::toString).collect(Collectors.joining("-"));
    }

    public int layers() {
        return weights.length;
    }

    public long parameterCount() {
        long n = 0;
        for (int l = 0; l < layers(); l++) {
            n += weights[l].data.length + biases[l].data.length;
        }
        return n;
    }

    /** The parameter arrays, layer by layer: weights then biases. */
    public List<float[]> parameters() {
        return byLayer(weights, biases);
    }

    /** The gradient arrays, in the order of {@link #parameters()}. */
    public List<float[]> gradients() {
        return byLayer(weightGrads, biasGrads);
    }

    private static List<float[]> byLayer(FMatrixRMaj[] w, FMatrixRMaj[] b) {
        List<float[]> arrays = new ArrayList<>();
        for (int l = 0; l < w.length; l++) {
            arrays.add(w[l].data);
            arrays.add(b[l].data);
        }
        return arrays;
    }

    /** Registers every weight and bias matrix, with its gradient, in the optimizer's default group. */
    public void registerWith(Optimizer<?> optimizer) {
        registerWith(optimizer, Precision.F32);
    }

    /**
     * Registers every weight and bias in the optimizer's default group, kept in {@code precision}: {@code F32}, the
     * matrices themselves; {@code BF16} or {@code FP16}, 16-bit arrays the optimizer steps (the initial weights
     * rounded to nearest), with 16-bit gradients. No float copy of a 16-bit weight survives a step: the matrices the
     * forward and backward passes read are widened from the 16-bit values after each step
     * ({@link #afterStep()}), and the gradients they leave are rounded to nearest into the 16-bit gradients before it
     * ({@link #beforeStep()}).
     */
    public void registerWith(Optimizer<?> optimizer, Precision precision) {
        ParamGroup group = optimizer.defaultGroup();
        if (precision == Precision.F32) {
            for (int l = 0; l < weights.length; l++) {
                group.add(weights[l], weightGrads[l]);
                group.add(biases[l], biasGrads[l]);
            }
            return;
        }
        storage = precision.format();
        if (storage == null) {
            throw new IllegalArgumentException("the model keeps its parameters in f32, bf16 or fp16, not " + precision);
        }
        List<float[]> values = parameters();
        values16 = new short[values.size()][];
        grads16 = new short[values.size()][];
        for (int k = 0; k < values.size(); k++) {
            float[] v = values.get(k);
            values16[k] = new short[v.length];
            grads16[k] = new short[v.length];
            storage.fromFloatNearestEven(v, 0, values16[k], 0, v.length);
            group.add(precision, values16[k], grads16[k]);
        }
        afterStep();
    }

    /** With 16-bit parameters, rounds the gradients just computed to nearest into the optimizer's 16-bit ones. */
    public void beforeStep() {
        if (storage != null) {
            List<float[]> grads = gradients();
            for (int k = 0; k < grads16.length; k++) {
                storage.fromFloatNearestEven(grads.get(k), 0, grads16[k], 0, grads16[k].length);
            }
        }
    }

    /** With 16-bit parameters, widens the stepped 16-bit values into the matrices the next passes read. */
    public void afterStep() {
        if (storage != null) {
            List<float[]> values = parameters();
            for (int k = 0; k < values16.length; k++) {
                storage.toFloat(values16[k], 0, values.get(k), 0, values16[k].length);
            }
        }
    }

    /** Loss summed over rows, rows classified correctly, and rows. */
    public record Stats(double lossSum, long correct, long rows) {
        public double loss() {
            return lossSum / rows;
        }

        public double accuracy() {
            return (double) correct / rows;
        }

        public Stats plus(Stats o) {
            return new Stats(lossSum + o.lossSum, correct + o.correct, rows + o.rows);
        }
    }

    /**
     * Forward and backward pass over rows {@code index[from, to)} of {@code data}: leaves the gradient of the mean
     * loss over those rows in {@link #gradients()}, and returns the loss and accuracy of the parameters as they were.
     */
    public Stats train(Dataset data, int[] index, int from, int to, Workers workers) {
        int rows = to - from;
        if (rows < 1) {
            throw new IllegalArgumentException("empty batch [" + from + ", " + to + ")");
        }
        int count = chunkCount(rows);
        ensureChunks(count);
        float scale = 1f / rows;
        workers.forEach(count, c -> {
            int a = from + c * CHUNK_ROWS;
            Chunk chunk = chunks[c];
            chunk.load(data, index, a, Math.min(a + CHUNK_ROWS, to));
            chunk.forward();
            chunk.backward(scale);
        });
        // Chunk 0 first, then each next one added: the order is fixed, so the sum is too.
        workers.forEach(2 * layers(), t -> {
            int l = t >> 1;
            boolean bias = (t & 1) == 1;
            float[] total = (bias ? biasGrads : weightGrads)[l].data;
            System.arraycopy((bias ? chunks[0].biasGrads : chunks[0].weightGrads)[l].data, 0, total, 0, total.length);
            for (int c = 1; c < count; c++) {
                float[] part = (bias ? chunks[c].biasGrads : chunks[c].weightGrads)[l].data;
                for (int i = 0; i < total.length; i++) {
                    total[i] += part[i];
                }
            }
        });
        return addChunks(new Stats(0, 0, 0), count);
    }

    /** Loss and accuracy over every row of {@code data}; leaves the gradients alone. */
    public Stats evaluate(Dataset data, Workers workers) {
        int[] all = IntStream.range(0, data.rows()).toArray();
        int perRound = Math.max(chunks.length, 4 * workers.threads());
        ensureChunks(perRound);
        Stats total = new Stats(0, 0, 0);
        for (int from = 0; from < all.length; from += perRound * CHUNK_ROWS) {
            int start = from;
            int to = Math.min(from + perRound * CHUNK_ROWS, all.length);
            int count = chunkCount(to - from);
            workers.forEach(count, c -> {
                int a = start + c * CHUNK_ROWS;
                Chunk chunk = chunks[c];
                chunk.load(data, all, a, Math.min(a + CHUNK_ROWS, to));
                chunk.forward();
            });
            total = addChunks(total, count);
        }
        return total;
    }

    /** Adds the chunks one at a time, so that the sum does not depend on how many chunks ran together. */
    private Stats addChunks(Stats s, int count) {
        for (int c = 0; c < count; c++) {
            s = s.plus(new Stats(chunks[c].lossSum, chunks[c].correct, chunks[c].rows));
        }
        return s;
    }

    private static int chunkCount(int rows) {
        return (rows + CHUNK_ROWS - 1) / CHUNK_ROWS;
    }

    private void ensureChunks(int count) {
        if (chunks.length < count) {
            Chunk[] more = Arrays.copyOf(chunks, count);
            for (int c = chunks.length; c < count; c++) {
                more[c] = new Chunk();
            }
            chunks = more;
        }
    }

    /** One chunk's activations and gradients; only the thread computing the chunk touches it. */
    private final class Chunk {
        /** {@code acts[0]} is the input; {@code acts[l + 1]} layer l's output (after ReLU; softmax for the last). */
        final FMatrixRMaj[] acts = new FMatrixRMaj[sizes.length];
        final FMatrixRMaj[] weightGrads = new FMatrixRMaj[layers()];
        final FMatrixRMaj[] biasGrads = new FMatrixRMaj[layers()];
        FMatrixRMaj delta;
        FMatrixRMaj deltaBelow;
        int[] labels = new int[CHUNK_ROWS];
        int rows;
        double lossSum;
        long correct;

        Chunk() {
            int widest = Arrays.stream(sizes).max().orElseThrow();
            for (int i = 0; i < sizes.length; i++) {
                acts[i] = new FMatrixRMaj(CHUNK_ROWS, sizes[i]);
            }
            for (int l = 0; l < layers(); l++) {
                weightGrads[l] = new FMatrixRMaj(sizes[l], sizes[l + 1]);
                biasGrads[l] = new FMatrixRMaj(1, sizes[l + 1]);
            }
            delta = new FMatrixRMaj(CHUNK_ROWS, widest);
            deltaBelow = new FMatrixRMaj(CHUNK_ROWS, widest);
        }

        void load(Dataset data, int[] index, int from, int to) {
            rows = to - from;
            FMatrixRMaj x = acts[0];
            x.reshape(rows, sizes[0], false);
            for (int r = 0; r < rows; r++) {
                int row = index[from + r];
                data.copyFeatures(row, x.data, r * sizes[0]);
                labels[r] = data.label(row);
            }
        }

        void forward() {
            int last = layers() - 1;
            for (int l = 0; l <= last; l++) {
                FMatrixRMaj out = acts[l + 1];
                out.reshape(rows, sizes[l + 1], false);
                CommonOps_FDRM.mult(acts[l], weights[l], out);
                addRowVector(out, biases[l]);
                if (l < last) {
                    relu(out);
                }
            }
            softmaxLoss(acts[last + 1]);
        }

        /** Turns logits into probabilities in place, and sums the loss and counts the hits. */
        private void softmaxLoss(FMatrixRMaj logits) {
            int k = logits.numCols;
            float[] z = logits.data;
            lossSum = 0;
            correct = 0;
            for (int r = 0; r < rows; r++) {
                int o = r * k;
                int best = 0;
                float max = z[o];
                for (int j = 1; j < k; j++) {
                    if (z[o + j] > max) {
                        max = z[o + j];
                        best = j;
                    }
                }
                double sum = 0;
                for (int j = 0; j < k; j++) {
                    sum += Math.exp(z[o + j] - max);
                }
                double logSum = Math.log(sum);
                // -log softmax(z)_y, without dividing: exact even when the probability underflows.
                lossSum += logSum - (z[o + labels[r]] - max);
                for (int j = 0; j < k; j++) {
                    z[o + j] = (float) Math.exp(z[o + j] - max - logSum);
                }
                if (best == labels[r]) {
                    correct++;
                }
            }
        }

        /** Gradients of this chunk's share ({@code scale} = 1 / batch rows) of the mean loss. */
        void backward(float scale) {
            int last = layers() - 1;
            FMatrixRMaj probs = acts[last + 1];
            delta.reshape(rows, sizes[last + 1], false);
            int k = sizes[last + 1];
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < k; j++) {
                    float target = j == labels[r] ? 1f : 0f;
                    delta.data[r * k + j] = (probs.data[r * k + j] - target) * scale;
                }
            }
            for (int l = last; l >= 0; l--) {
                CommonOps_FDRM.multTransA(acts[l], delta, weightGrads[l]);
                CommonOps_FDRM.sumCols(delta, biasGrads[l]);
                if (l > 0) {
                    deltaBelow.reshape(rows, sizes[l], false);
                    CommonOps_FDRM.multTransB(delta, weights[l], deltaBelow);
                    reluBackward(deltaBelow, acts[l]);
                    FMatrixRMaj t = delta;
                    delta = deltaBelow;
                    deltaBelow = t;
                }
            }
        }
    }

    private static void addRowVector(FMatrixRMaj m, FMatrixRMaj row) {
        int cols = m.numCols;
        for (int r = 0; r < m.numRows; r++) {
            int o = r * cols;
            for (int j = 0; j < cols; j++) {
                m.data[o + j] += row.data[j];
            }
        }
    }

    private static void relu(FMatrixRMaj m) {
        int n = m.getNumElements();
        for (int i = 0; i < n; i++) {
            if (!(m.data[i] > 0f)) {
                m.data[i] = 0f;
            }
        }
    }

    /** {@code delta *= (activation > 0)}: ReLU's output is positive exactly where its input was. */
    private static void reluBackward(FMatrixRMaj delta, FMatrixRMaj activation) {
        int n = delta.getNumElements();
        for (int i = 0; i < n; i++) {
            if (!(activation.data[i] > 0f)) {
                delta.data[i] = 0f;
            }
        }
    }
}
