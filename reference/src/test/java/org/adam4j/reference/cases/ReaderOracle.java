package org.adam4j.reference.cases;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the fuzz tests require of a reader's refusal: one line that starts with the file's name and holds no control
 * character (nothing from the file may reach the terminal raw). Anything else a reader throws is a finding. (Its
 * exception type is the callers' business: each fuzz test lets through only its reader's refusal class.)
 */
public final class ReaderOracle {
    private ReaderOracle() {
    }

    /** A path {@code name} in a fresh temporary folder, both deleted when the JVM exits: a fuzz test's input file. */
    public static Path tempFile(String name) {
        try {
            Path dir = Files.createTempDirectory("adam4j-fuzz");
            dir.toFile().deleteOnExit();
            Path file = dir.resolve(name);
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Fails (with an AssertionError the fuzzer reports) unless {@code e}'s message is a proper refusal that starts
     * with {@code prefix} (the file's name and a colon, or the folder of the files that may be named).
     */
    public static void checkRefusal(IOException e, String prefix) {
        String m = e.getMessage();
        if (m == null || !m.startsWith(prefix) || !m.contains(": ")) {
            throw new AssertionError("refusal does not start with the file's name '" + prefix + "': " + m, e);
        }
        for (int i = 0; i < m.length(); i++) {
            char c = m.charAt(i);
            if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
                throw new AssertionError("refusal holds the control character " + (int) c + " at " + i + ": "
                        + Printable.escape(m), e);
            }
        }
    }
}
