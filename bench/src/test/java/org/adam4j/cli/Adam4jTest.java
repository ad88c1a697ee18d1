package org.adam4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The launcher's own options. */
class Adam4jTest {
    @Test
    void versionPrintsTheMavenProjectVersion() throws IOException {
        // the reactor's version, read from the parent pom beside this module
        Matcher m = Pattern.compile("<artifactId>adam4j-parent</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(Files.readString(Path.of("../pom.xml")));
        assertTrue(m.find(), "the parent pom names its version");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Adam4j.run(new String[] {"--version"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, status);
        assertEquals("adam4j " + m.group(1) + "\n", out.toString(StandardCharsets.UTF_8).replace("\r\n", "\n"));
        assertEquals("", err.toString(StandardCharsets.UTF_8));
        assertTrue(Adam4j.usage().contains("./adam4j --version"));
    }
}
