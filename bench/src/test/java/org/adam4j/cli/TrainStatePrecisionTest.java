package org.adam4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train --state-precision f32|bf16|8bit} and {@code --compare NAME:PRECISION[:ROUNDING[:STATE]]}: Adam's and
 * AdamW's moments kept as 8-bit blockwise states, their bytes counted as the optimizer keeps them, the runs labelled
 * by their state, the same for any thread count; what cannot be kept is refused before anything is written.
 */
class TrainStatePrecisionTest {
    @TempDir
    Path dir;

    @Test
    void eightBitRunsAreLabelledCountedAndTheSameForEveryThreadCount() throws Exception {
        String runs = "adam,adam:f32::8bit,adamw:::8bit,adam:bf16:stochastic:8bit,sgd";
        TrainCommandTest.Result one = TrainCommandTest.run("train", "--compare", runs, "--epochs", "2", "--hidden",
                "16", "--threads", "1", "--out", dir.toString());
        assertEquals(0, one.status(), String.join("\n", one.err()));
        for (String label : List.of("adam", "adam 8bit states", "adamw 8bit states",
                "adam bf16 stochastic 8bit states", "sgd")) {
            assertTrue(one.out().stream().anyMatch(l -> l.startsWith("[" + label + "] epoch 2/2")), label);
            assertTrue(one.out().stream().anyMatch(l -> l.matches(Pattern.quote(label) + " +test_accuracy 0\\.\\d{4}")),
                    label);
        }
        // MLP 2-16-2: 82 parameters in four arrays of 32, 16, 32 and 2, each with its own blocks of 256
        assertTrue(one.out().contains("[adam] optimizer state: 656 bytes, 8.00 per parameter"),
                String.join("\n", one.out()));
        assertTrue(one.out().contains("[adam 8bit states] optimizer state: 196 bytes, 2.39 per parameter, 8bit states "
                + "(codes and a float absmax per block of 256)"), String.join("\n", one.out()));
        assertTrue(one.out().stream().anyMatch(l -> l.startsWith("[adamw 8bit states] optimizer: adamw Adam(")
                && l.contains(") with 8bit states on kernel ")), String.join("\n", one.out()));
        TrainCommandTest.assertPng(dir.resolve("train-two-moons-mlp-compare.png"));
        TrainCommandTest.Result two = TrainCommandTest.run("train", "--compare", runs, "--epochs", "2", "--hidden",
                "16", "--threads", "2", "--out", dir.toString());
        assertEquals(TrainCommandTest.withoutTimes(one.out()), TrainCommandTest.withoutTimes(two.out()));

        TrainCommandTest.Result single = TrainCommandTest.run("train", "--state-precision", "8bit", "--epochs", "1",
                "--hidden", "8", "--out", dir.toString());
        assertEquals(0, single.status(), String.join("\n", single.err()));
        assertTrue(single.out().get(single.out().size() - 1).matches("test_accuracy=0\\.\\d{4}"));
        TrainCommandTest.assertPng(dir.resolve("train-two-moons-mlp-adam-8bit-states.png"));
    }

    @Test
    void sixteenBitParametersWithEightBitStatesAreCounted() {
        TrainCommandTest.Result r = TrainCommandTest.run("train", "--param-precision", "fp16", "--rounding", "kahan",
                "--state-precision", "8bit", "--epochs", "1", "--hidden", "16", "--out", dir.toString());
        assertEquals(0, r.status(), String.join("\n", r.err()));
        // 196 bytes of codes and absmax, and a 2-byte Kahan compensation per parameter
        assertTrue(r.out().contains("optimizer state: 360 bytes, 4.39 per parameter, 8bit states (codes and a float "
                + "absmax per block of 256)"), String.join("\n", r.out()));
        assertTrue(Files.exists(dir.resolve("train-two-moons-mlp-adam-fp16-kahan-8bit-states.png")));
    }

    @Test
    void bf16StatesAreCountedAndSayHowTheyRound() {
        TrainCommandTest.Result r = TrainCommandTest.run("train", "--param-precision", "bf16", "--rounding",
                "stochastic", "--state-precision", "bf16", "--epochs", "1", "--hidden", "16", "--out", dir.toString());
        assertEquals(0, r.status(), String.join("\n", r.err()));
        // 82 parameters (2-16-2): 4 bytes of bf16 moments each
        assertTrue(r.out().contains("optimizer state: 328 bytes, 4.00 per parameter, bf16 states (stochastic "
                + "rounding)"), String.join("\n", r.out()));
        assertTrue(Files.exists(dir.resolve("train-two-moons-mlp-adam-bf16-stochastic-bf16-states.png")));
    }

    @Test
    void statesThatCannotBeKeptAreRefusedBeforeAnythingIsWritten() throws Exception {
        List<String[]> cases = List.of(
                new String[] {"--state-precision", "4bit"},
                new String[] {"--optimizer", "sgd", "--state-precision", "8bit"},
                new String[] {"--compare", "adam,rmsprop:::8bit"},
                new String[] {"--optimizer", "sgd", "--state-precision", "bf16"},
                new String[] {"--param-precision", "bf16", "--compare", "adam:::8bit,adam::kahan:8bit,adam:bf16::8bit"},
                new String[] {"--compare", "adam:f32::4bit"},
                new String[] {"--compare", "adam:f32::8bit,adam:::8bit"},
                new String[] {"--optimizer", "adam:f32::8bit"});
        List<String> messages = List.of(
                "adam4j train: --state-precision must be one of f32, bf16, 8bit, got '4bit'",
                "adam4j train: state precision 8bit is for Adam and AdamW only; sgd keeps f32 state",
                "adam4j train: run 'rmsprop 8bit states': state precision 8bit is for Adam and AdamW only; rmsprop "
                        + "keeps f32 state",
                "adam4j train: state precision bf16 is for Adam and AdamW only; sgd keeps f32 state",
                "adam4j train: run 'adam bf16 nearest 8bit states' listed twice",
                "adam4j train: state precision '4bit' in 'adam:f32::4bit' must be one of f32, bf16, 8bit",
                "adam4j train: run 'adam 8bit states' listed twice",
                "adam4j train: --optimizer takes a name; give --param-precision, --rounding and --state-precision for "
                        + "the rest, got 'adam:f32::8bit'");
        TrainCommandTest.assertRefusedBeforeTraining(dir.resolve("out"), cases, messages);
    }
}
