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
        assertRefused("{\"optimizer\": \"adam\", \"dtype\": \"float16\"}", "dtype 'float16' is not float32 or float64");
        assertRefused("{\"optimizer\": \"adam\", \"dtype\": \"float32\", \"n\": 0}",
                "'n' is not a positive whole number");
        assertRefused("{\"optimizer\": \"adam\", \"dtype\": \"float32\", \"n\": 3}", "lacks the key 'steps'");
        assertRefused("{\"optimizer\": 3}", "'optimizer' is not a string");
    }

    private void assertRefused(String json, String problem) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("case"));
        Files.writeString(dir.resolve("case.json"), json);
        CaseFormatException e = assertThrows(CaseFormatException.class, () -> ReferenceCase.load(dir));
        String m = e.getMessage();
        assertTrue(m.startsWith(dir.resolve("case.json") + ": "), m);
        assertTrue(m.contains(problem), "expected '" + problem + "' in " + m);
        assertFalse(m.contains("Exception") || m.contains("setStrictness") || m.contains("LENIENT"), m);
        assertEquals(1, m.lines().count(), m);
    }
}
