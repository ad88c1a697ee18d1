package org.adam4j.optim;

import org.adam4j.reference.AdamConfig;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;
import org.adam4j.reference.WeightDecay;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;
import org.ejml.dense.row.NormOps_FDRM;
import org.ejml.dense.row.RandomMatrices_FDRM;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's training loop, verbatim but for the assertions: it must compile, learn, and resume exactly. */
class ReadmeTrainingLoopTest {
    static final int N = 256, IN = 32, OUT = 4;

    /** Linear regression with EJML: the README's snippet. Returns the final loss. */
    static double train(Path checkpoint, FMatrixRMaj w, FMatrixRMaj b, int from, int to, boolean resume)
            throws IOException {
        Random rand = new Random(42);
        FMatrixRMaj x = RandomMatrices_FDRM.rectangle(N, IN, -1, 1, rand);
        FMatrixRMaj trueW = RandomMatrices_FDRM.rectangle(IN, OUT, -1, 1, rand);
        FMatrixRMaj y = new FMatrixRMaj(N, OUT);
        CommonOps_FDRM.mult(x, trueW, y);

        FMatrixRMaj gradW = new FMatrixRMaj(IN, OUT), gradB = new FMatrixRMaj(1, OUT);
        FMatrixRMaj err = new FMatrixRMaj(N, OUT);
        double loss = Double.NaN;
        try (Optimizer<AdamConfig> opt = Optimizer.adamW(Preset.OPTIMI).lr(0.05).weightDecay(1e-4)
                .schedule(LrSchedule.cosineWithWarmup(20, 500, 1e-4)).threads(2).build()) {
            opt.defaultGroup().add(w, gradW);
            // biases without weight decay, in a group of their own
            ParamGroup<AdamConfig> biases = opt.addGroup(opt.defaultGroup().config().toBuilder()
                    .weightDecay(0, WeightDecay.NONE).build(), LrSchedule.constant());
            biases.add(b, gradB);
            if (resume) {
                opt.load(checkpoint);                       // the optimizer's state; w and b are the caller's
            }
            for (int step = from; step <= to; step++) {
                CommonOps_FDRM.mult(x, w, err);             // forward: err = x w + b - y
                for (int i = 0; i < N; i++) {
                    for (int j = 0; j < OUT; j++) {
                        err.add(i, j, b.get(0, j) - y.get(i, j));
                    }
                }
                loss = 0.5 * Math.pow(NormOps_FDRM.normF(err), 2) / N;
                CommonOps_FDRM.scale(1f / N, err);          // backward: d(loss)/d(x w + b)
                CommonOps_FDRM.multTransA(x, err, gradW);
                CommonOps_FDRM.sumCols(err, gradB);
                opt.step();
                if (step % 100 == 0) {
                    opt.save(checkpoint);                   // atomic: a crash leaves the old file or the new one
                }
            }
        }
        return loss;
    }

    @Test
    void theSnippetLearnsAndResumesBitForBit(@TempDir Path dir) throws IOException {
        FMatrixRMaj w = new FMatrixRMaj(IN, OUT), b = new FMatrixRMaj(1, OUT);
        double first = train(dir.resolve("a.state"), w, b, 1, 1, false);
        FMatrixRMaj w2 = new FMatrixRMaj(IN, OUT), b2 = new FMatrixRMaj(1, OUT);
        double last = train(dir.resolve("a.state"), w2, b2, 1, 500, false);
        assertTrue(last < first / 1000, "the loss fell from " + first + " to only " + last);

        // stop at step 300 (the checkpoint of step 300 is written), then resume from it in a new optimizer
        FMatrixRMaj w3 = new FMatrixRMaj(IN, OUT), b3 = new FMatrixRMaj(1, OUT);
        train(dir.resolve("b.state"), w3, b3, 1, 300, false);
        train(dir.resolve("b.state"), w3, b3, 301, 500, true);
        assertArrayEquals(w2.data, w3.data, 0f);
        assertArrayEquals(b2.data, b3.data, 0f);
    }
}
