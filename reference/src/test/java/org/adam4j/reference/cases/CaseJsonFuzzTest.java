package org.adam4j.reference.cases;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Fuzzes the case.json reader: {@link ReferenceCase#load} on a case folder whose arrays are fine (n = 3, 2 steps,
 * every state file any optimizer keeps) and whose case.json is the input, then the hyperparameters as validate reads
 * them ({@link OptimizerCases#config}). Every input must load or be refused with a proper
 * one-line message (see {@link ReaderOracle}). Under {@code mvn verify} this replays the corpus in
 * {@code CaseJsonFuzzTestInputs/fuzz}; the README says how to fuzz for real.
 */
class CaseJsonFuzzTest {
    private static final Path DIR = caseFolder();

    private static Path caseFolder() {
        try {
            Path dir = Files.createTempDirectory("adam4j-case-fuzz");
            Npy.write(dir.resolve("param0.npy"), NpyArray.of(new float[] {1, -2, 3}, 3));
            for (String rows : List.of("grads", "params")) {
                Npy.write(dir.resolve(rows + ".npy"), NpyArray.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
            }
            for (String state : List.of("exp_avg", "exp_avg_sq", "max_exp_avg_sq", "exp_inf", "momentum_buffer",
                    "square_avg", "grad_avg", "sum")) {
                Npy.write(dir.resolve(state + ".npy"), NpyArray.of(new float[] {0, 1, 2}, 3));
            }
            dir.toFile().deleteOnExit();
            try (var files = Files.list(dir)) {
                files.forEach(f -> f.toFile().deleteOnExit());
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest
    void fuzz(byte[] input) throws IOException {
        Path json = DIR.resolve("case.json");
        json.toFile().deleteOnExit();
        Files.write(json, input);
        try {
            ReferenceCase c = ReferenceCase.load(DIR);
            OptimizerCases.config(c);
        } catch (CaseFormatException | Npy.NpyFormatException e) {
            ReaderOracle.checkRefusal(e, DIR + "/");
        }
    }
}
