package org.adam4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.adam4j.optim.Optimizer;
import org.adam4j.optim.Precision;
import org.adam4j.reference.Bf16;
import org.adam4j.reference.Fp16;
import org.adam4j.reference.Rounding;
import org.adam4j.train.Dataset;
import org.adam4j.train.Mlp;
import org.adam4j.train.Optimizers;
import org.adam4j.train.Trainer;
import org.adam4j.train.TwoMoons;
import org.adam4j.train.Workers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train --param-precision bf16|fp16 --rounding ...} and {@code --compare NAME:PRECISION[:ROUNDING]}: the
 * optimizer steps 16-bit parameters and gradients, the model's passes read float copies widened from them (no float
 * master weights), the runs are labelled by what they keep, the same for any thread count, and bad combinations are
 * refused before training.
 */
class TrainLowPrecisionTest {
    @TempDir
    Path dir;

    @Test
    void sixteenBitRunsAreLabelledAndTheSameForEveryThreadCount() throws Exception {
        String runs = "adam,adam:bf16:nearest,adam:bf16:stochastic,adam:bf16:kahan,adamw:fp16,sgd-momentum:bf16:kahan";
        TrainCommandTest.Result one = TrainCommandTest.run("train", "--compare", runs, "--epochs", "2", "--hidden",
                "16", "--threads", "1", "--out", dir.toString());
        assertEquals(0, one.status(), String.join("\n", one.err()));
        for (String label : List.of("adam", "adam bf16 nearest", "adam bf16 stochastic", "adam bf16 kahan",
                "adamw fp16 nearest", "sgd-momentum bf16 kahan")) {
            assertTrue(one.out().stream().anyMatch(l -> l.startsWith("[" + label + "] epoch 2/2")), label);
            assertTrue(one.out().stream().anyMatch(l -> l.matches(java.util.regex.Pattern.quote(label)
                    + " +test_accuracy 0\\.\\d{4}")), label);
        }
        assertTrue(one.out().contains("[adam bf16 stochastic] parameters and gradients: bf16, float arithmetic, "
                + "stochastic rounding (seed 1), no f32 master weights"), String.join("\n", one.out()));
        assertTrue(Files.size(dir.resolve("train-two-moons-mlp-compare.png")) > 0);
        TrainCommandTest.Result two = TrainCommandTest.run("train", "--compare", runs, "--epochs", "2", "--hidden",
                "16", "--threads", "2", "--out", dir.toString());
        assertEquals(TrainCommandTest.withoutTimes(one.out()), TrainCommandTest.withoutTimes(two.out()));

        TrainCommandTest.Result single = TrainCommandTest.run("train", "--param-precision", "bf16", "--rounding",
                "kahan", "--epochs", "1", "--hidden", "8", "--out", dir.toString());
        assertEquals(0, single.status(), String.join("\n", single.err()));
        assertTrue(Files.size(dir.resolve("train-two-moons-mlp-adam-bf16-kahan.png")) > 0);
    }

    /**
     * After 16-bit steps every weight the passes read is a 16-bit value (nothing wider survives a step), and the
     * stepped values differ by rounding: nearest-even and stochastic runs part ways.
     */
    @Test
    void theModelReadsOnlySixteenBitValues() {
        Dataset.Split data = TwoMoons.split();
        float[][] last = new float[2][];
        int k = 0;
        for (Rounding rounding : List.of(Rounding.NEAREST, Rounding.STOCHASTIC)) {
            for (Precision precision : List.of(Precision.BF16, Precision.FP16)) {
                Mlp mlp = new Mlp(data.train().features(), new int[] {8}, data.train().classes(), 5);
                try (Workers workers = new Workers(1);
                        Optimizer<?> opt = Optimizers.create("adam", 1e-2, 1, rounding, 9)) {
                    mlp.registerWith(opt, precision);
                    Trainer.train(mlp, opt, data, new Trainer.Settings(1, 64, 5), workers, e -> { });
                }
                for (float[] values : mlp.parameters()) {
                    for (float w : values) {
                        float back = precision == Precision.BF16 ? Bf16.toFloat(Bf16.fromFloatNearestEven(w))
                                : Fp16.toFloat(Fp16.fromFloatNearestEven(w));
                        assertEquals(Float.floatToRawIntBits(w), Float.floatToRawIntBits(back), precision + " " + w);
                    }
                }
                if (precision == Precision.BF16) {
                    last[k++] = mlp.parameters().get(0).clone();
                }
            }
        }
        assertTrue(!java.util.Arrays.equals(last[0], last[1]), "stochastic rounding stores other values");
    }

    @Test
    void badCombinationsAreRefusedBeforeTraining() throws Exception {
        List<String[]> cases = List.of(
                new String[] {"--rounding", "kahan"},
                new String[] {"--param-precision", "bf8"},
                new String[] {"--compare", "adam:bf16:round"},
                new String[] {"--compare", "adam:f32:kahan"},
                new String[] {"--compare", "adam:bf16,adam:bf16:nearest"},
                new String[] {"--compare", "adam:bf16:kahan:8bit:x"},
                new String[] {"--optimizer", "adam:bf16"});
        List<String> messages = List.of(
                "adam4j train: --rounding applies to --param-precision bf16 or fp16",
                "adam4j train: --param-precision must be one of f32, bf16, fp16, got 'bf8'",
                "adam4j train: rounding 'round' in 'adam:bf16:round' must be one of nearest, stochastic, kahan",
                "adam4j train: 'adam:f32:kahan': a rounding applies to bf16 or fp16 parameters",
                "adam4j train: run 'adam bf16 nearest' listed twice",
                "adam4j train: --compare items are NAME or NAME:PRECISION[:ROUNDING[:STATE]], got "
                        + "'adam:bf16:kahan:8bit:x'",
                "adam4j train: --optimizer takes a name; give --param-precision, --rounding and --state-precision for "
                        + "the rest, got 'adam:bf16'");
        TrainCommandTest.assertRefusedBeforeTraining(dir, cases, messages);
    }
}
