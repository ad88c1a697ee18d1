package org.adam4j.reference.cases;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Fuzzes the .npy reader. Every input must be read or refused with a proper one-line message (see
 * {@link ReaderOracle}); the file and stream paths must agree; what is read must write back to bytes that read the
 * same. Under {@code mvn verify} this replays the corpus in {@code NpyFuzzTestInputs/fuzz} (regression mode); the
 * README says how to fuzz for real.
 */
class NpyFuzzTest {
    private static final Path FILE = ReaderOracle.tempFile("fuzz.npy");

    @FuzzTest
    void fuzz(byte[] input) throws IOException {
        NpyArray fromStream = readOrRefuse(() -> Npy.read(FILE, new ByteArrayInputStream(input)));
        Files.write(FILE, input);
        NpyArray fromFile = readOrRefuse(() -> Npy.read(FILE));
        if ((fromStream == null) != (fromFile == null)) {
            throw new AssertionError("the stream and file readers disagree: " + fromStream + " vs " + fromFile);
        }
        if (fromFile == null) {
            return;
        }
        same(fromFile, fromStream);
        same(fromFile, Npy.read(FILE, new ByteArrayInputStream(Npy.toBytes(fromFile))));
    }

    private interface Read {
        NpyArray read() throws IOException;
    }

    private static NpyArray readOrRefuse(Read read) {
        try {
            return read.read();
        } catch (Npy.NpyFormatException e) {
            ReaderOracle.checkRefusal(e, FILE + ": ");
            return null;
        } catch (IOException e) {
            throw new AssertionError("not a format refusal: " + e, e);
        }
    }

    private static void same(NpyArray a, NpyArray b) {
        boolean equal = a.dtype() == b.dtype() && Arrays.equals(a.shape(), b.shape()) && a.length() == b.length();
        for (int i = 0; equal && i < a.length(); i++) {
            equal = a.f32() != null ? Float.floatToRawIntBits(a.f32()[i]) == Float.floatToRawIntBits(b.f32()[i])
                    : Double.doubleToRawLongBits(a.f64()[i]) == Double.doubleToRawLongBits(b.f64()[i]);
        }
        if (!equal) {
            throw new AssertionError(a + " read back as " + b);
        }
    }
}
