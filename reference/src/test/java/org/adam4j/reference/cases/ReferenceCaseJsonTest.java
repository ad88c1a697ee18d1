package org.adam4j.reference.cases;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A case.json that is not JSON, or not the format's, is refused in one line naming the file and the problem. */
class ReferenceCaseJsonTest {
    @TempDir
    Path tmp;

    @Test
    void textThatIsNotJsonIsRefusedWithoutGsonsClassNamesOrAdvice() throws IOException {
        assertRefused("{\"optimizer\": \"adam\", oops", "not JSON: malformed at line 1 column 24");
        assertRefused("{\"optimizer\": 'adam'}", "not JSON: malformed at line 1 column 16");
        assertRefused("{\"optimizer\": \"adam", "not JSON: Unterminated string at line 1 column 20");
        assertRefused("{\"optimizer\": \"adam\"} {}", "not JSON: malformed at line 1 column 24");
        assertRefused("", "empty file, not JSON");
        assertRefused(" \n", "empty file, not JSON");
        assertRefused("[1, 2]", "not a JSON object");
        assertRefused("{\"optimizer\": \"adam\", \"dtype\": \"int8\"}",
                "dtype 'int8' is not float32, float64, bfloat16 or float16");
        assertRefused("{\"optimizer\": \"adam\", \"dtype\": \"float32\", \"n\": 0}",
                "'n' is not a positive whole number");
        assertRefused("{\"optimizer\": \"adam\", \"dtype\": \"float32\", \"n\": 3}", "lacks the key 'steps'");
        assertRefused("{\"optimizer\": 3}", "'optimizer' is not a string");
    }


    private static final String GOOD = "\"optimizer\": \"adam\", \"dtype\": \"float32\", \"n\": 3, \"steps\": 2, "
            + "\"state\": []";

    @Test
    void formatMustBeOneAndFlagsBooleans() throws IOException {
        assertRefused("{\"format\": 2, " + GOOD + "}", "format 2 is not one adam4j reads (it reads 1)");
        assertRefused("{\"format\": 1.5, " + GOOD + "}", "format 1.5 is not one adam4j reads");
        assertRefused("{\"format\": \"banana\", " + GOOD + "}", "'format' is not a number: \"banana\"");
        assertRefused("{\"format\": \"1\", " + GOOD + "}", "'format' is not a number: \"1\"");
        assertRefused("{\"format\": 1, \"foreach\": \"maybe\", " + GOOD + "}",
                "'foreach' is not true or false: \"maybe\"");
        assertRefused("{\"format\": 1, \"fused\": 0, " + GOOD + "}", "'fused' is not true or false: 0");
        assertRefused("{\"format\": 1, \"producer\": 7, " + GOOD + "}", "'producer' is not a string: 7");
        // Past case.json: 1.0 is 1, and the arrays are what is missing.
        assertRefused("{\"format\": 1.0, \"foreach\": false, " + GOOD + "}", null);
    }

    @Test
    void whatComesFromTheFileIsEscaped() throws IOException {
        CaseFormatException e = assertRefused("{\"optimizer\": \"\\u001b[31mRED\\u001b[0m\", \"dtype\": \"float32\"}",
                "bad optimizer name '\\u001b[31mRED\\u001b[0m'");
        assertTrue(e.getMessage().chars().noneMatch(c -> c < 0x20), e.getMessage());
        e = assertRefused("{\"optimizer\": \"adam\", \"dtype\": \"f\u009b32\"}", "dtype 'f\\u009b32'");
        e = assertRefused("{\"optimizer\": \"adam\", \"dtype\": \"float32\", \"n\": \"\u2028x\u202e\"}",
                "'n' is not a positive whole number: \"\\u2028x\\u202e\"");
    }

    @Test
    void aFolderWhereCaseJsonBelongsIsNamed() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("case"));
        Files.createDirectories(dir.resolve("case.json"));
        CaseFormatException e = assertThrows(CaseFormatException.class, () -> ReferenceCase.load(dir));
        assertEquals(dir.resolve("case.json") + ": is a folder, not a file", e.getMessage());
    }

    @Test
    void anOversizedCaseJsonIsNotReadIntoMemory() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("case"));
        try (var raf = new java.io.RandomAccessFile(dir.resolve("case.json").toFile(), "rw")) {
            raf.setLength(3L << 30); // 3 GiB, sparse
        }
        CaseFormatException e = assertThrows(CaseFormatException.class, () -> ReferenceCase.load(dir));
        assertEquals(dir.resolve("case.json") + ": 3221225472 bytes, too large for a case.json (adam4j reads up to "
                + "1048576)", e.getMessage());
    }

    /** Refused naming case.json and {@code problem}; with a null problem, refused past case.json (no param0.npy). */
    private CaseFormatException assertRefused(String json, String problem) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("case"));
        Files.writeString(dir.resolve("case.json"), json);
        if (problem == null) {
            Npy.NpyFormatException e = assertThrows(Npy.NpyFormatException.class, () -> ReferenceCase.load(dir));
            assertEquals(dir.resolve("param0.npy") + ": no such file", e.getMessage());
            return null;
        }
        CaseFormatException e = assertThrows(CaseFormatException.class, () -> ReferenceCase.load(dir));
        String m = e.getMessage();
        assertTrue(m.startsWith(dir.resolve("case.json") + ": "), m);
        assertTrue(m.contains(problem), "expected '" + problem + "' in " + m);
        assertFalse(m.contains("Exception") || m.contains("setStrictness") || m.contains("LENIENT"), m);
        assertEquals(1, m.lines().count(), m);
        return e;
    }
}
