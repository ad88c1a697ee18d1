package org.adam4j.optim;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.CRC32C;
import org.adam4j.reference.cases.ReaderOracle;

/**
 * Fuzzes the state-file reader through {@link Optimizer#load}: every input must load, or be refused with an
 * IllegalArgumentException or IOException in one line that starts with the file's name and holds no control
 * character, the optimizer unchanged. What loads must save and read back as the same state. Each input is tried as
 * it is and, if it starts with the magic, once more with its length field and checksum made right, so that mutations
 * reach the structure behind the checksum. The optimizer is one built as {@link StateFileGoldenTest}'s generator
 * built it for the algorithm the file names (Adam's for anything else; its compact-state model for a file with flag
 * 4), so that the golden files and their mutants get as far as the value checks. Under {@code mvn verify} this
 * replays the corpus in {@code StateFileFuzzTestInputs/fuzz}; the README says how to fuzz for real.
 */
class StateFileFuzzTest {
    private static final Path FILE = ReaderOracle.tempFile("fuzz.state");
    private static final Path AGAIN = FILE.resolveSibling("again.state");
    private static final Map<String, Optimizer<?>> MODELS = new HashMap<>();

    @FuzzTest
    void fuzz(byte[] input) throws IOException {
        load(input);
        byte[] magic = StateFile.MAGIC.getBytes(StandardCharsets.US_ASCII);
        if (input.length >= 28 && java.util.Arrays.equals(input, 0, magic.length, magic, 0, magic.length)) {
            byte[] sealed = input.clone();
            ByteBuffer b = ByteBuffer.wrap(sealed).order(ByteOrder.LITTLE_ENDIAN);
            b.putLong(16, sealed.length);
            CRC32C crc = new CRC32C();
            crc.update(sealed, 0, sealed.length - 4);
            b.putInt(sealed.length - 4, (int) crc.getValue());
            load(sealed);
        }
    }

    private static void load(byte[] bytes) throws IOException {
        Files.write(FILE, bytes);
        Optimizer<?> opt = model(bytes);
        OptimizerState before = opt.state();
        try {
            opt.load(FILE);
        } catch (IllegalArgumentException | IOException e) {
            checkRefusal(e);
            if (!before.equals(opt.state())) {
                throw new AssertionError("a refused load changed the optimizer: " + e.getMessage(), e);
            }
            return;
        }
        OptimizerState loaded = opt.state();
        opt.save(AGAIN);
        OptimizerState again = StateFile.read(AGAIN);
        if (!loaded.equals(again)) {
            throw new AssertionError("the loaded state saves as another: " + loaded + " vs " + again);
        }
    }

    /** One line, starting with the file's name, with nothing raw from the file in it. */
    private static void checkRefusal(Exception e) {
        String m = e.getMessage();
        if (m == null || !(m.startsWith(FILE + " ") || m.startsWith(FILE + ": "))) {
            throw new AssertionError("refusal does not start with the file's name: " + e, e);
        }
        for (int i = 0; i < m.length(); i++) {
            char c = m.charAt(i);
            if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
                throw new AssertionError("refusal holds the control character " + (int) c + " at " + i + ": "
                        + StateFile.printable(m), e);
            }
        }
    }

    /** The golden generator's optimizer for the algorithm the file names, built once and reused. */
    private static Optimizer<?> model(byte[] bytes) {
        if (bytes.length >= 16 && (ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt(12)
                & StateFile.FLAG_STATE_PRECISIONS) != 0) {
            return MODELS.computeIfAbsent("v1-adamw-8bit", k -> new StateFileGoldenTest.CompactModel().run().opt);
        }
        String algorithm = "adam";
        if (bytes.length >= 26) {
            int n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getShort(24) & 0xffff;
            if (26 + n <= bytes.length) {
                algorithm = new String(bytes, 26, n, StandardCharsets.UTF_8);
            }
        }
        String name = "v2-" + algorithm;
        String golden = StateFileGoldenTest.goldens().anyMatch(g -> g.name().equals(name)) ? name : "v1-adam";
        return MODELS.computeIfAbsent(golden, k -> new StateFileGoldenTest.Model(
                StateFileGoldenTest.goldens().filter(g -> g.name().equals(k)).findFirst().orElseThrow()).run().opt);
    }
}
