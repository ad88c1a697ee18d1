package org.adam4j.train;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.adam4j.reference.cases.ReaderOracle;

/**
 * Fuzzes the IDX reader, plain and gzipped (the input's first bytes decide, as for a real file): every input must
 * be read, with as many bytes as its dimensions say, or refused with a proper one-line message (see
 * {@link ReaderOracle}). An input whose magic number's last byte is 1 is read as labels, anything else as images.
 * Under {@code mvn verify} this replays the corpus in {@code IdxFuzzTestInputs/fuzz}; the README says how to fuzz
 * for real.
 */
class IdxFuzzTest {
    private static final Path FILE = ReaderOracle.tempFile("fuzz-idx-ubyte");

    @FuzzTest
    void fuzz(byte[] input) throws IOException {
        Files.write(FILE, input);
        int dims = input.length >= 4 && input[3] == 1 ? 1 : 3;
        Idx.Array a;
        try {
            a = Idx.read(FILE, dims);
        } catch (IdxFormatException e) {
            ReaderOracle.checkRefusal(e, FILE + ": ");
            return;
        }
        long size = 1;
        for (int d : a.dims()) {
            size *= d;
        }
        if (a.dims().length != dims || a.data().length != size) {
            throw new AssertionError("dimensions " + java.util.Arrays.toString(a.dims()) + " but " + a.data().length
                    + " bytes");
        }
    }
}
