package org.adam4j.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's bf16 example ({@code <!-- readme-check: Bf16Regression.java -->}), taken from README.md itself,
 * compiled against this module's classpath and run: it must print exactly the output the README quotes after it.
 */
class ReadmeLowPrecisionTest {
    static final String NAME = "Bf16Regression";

    @Test
    void theReadmeExampleCompilesRunsAndPrintsWhatTheReadmeSays(@TempDir Path dir) throws Exception {
        String readme = Files.readString(readme(), StandardCharsets.UTF_8);
        String marker = "<!-- readme-check: " + NAME + ".java -->\n```java\n";
        int at = readme.indexOf(marker);
        assertTrue(at >= 0, "no " + NAME + " example in the README");
        int from = at + marker.length();
        int end = readme.indexOf("```\n", from);
        Path src = dir.resolve(NAME + ".java");
        Files.writeString(src, readme.substring(from, end), StandardCharsets.UTF_8);

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int status = javac.run(null, diagnostics, diagnostics, "-proc:none", "-d", dir.toString(), "-cp",
                System.getProperty("java.class.path"), src.toString());
        assertEquals(0, status, "the README's example does not compile: " + diagnostics);

        PrintStream out = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()},
                ReadmeLowPrecisionTest.class.getClassLoader())) {
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            loader.loadClass(NAME).getMethod("main", String[].class).invoke(null, (Object) new String[0]);
        } finally {
            System.setOut(out);
        }
        String output = printed.toString(StandardCharsets.UTF_8);
        List<String> lines = output.lines().toList();
        assertEquals(3, lines.size(), output);
        String quoted = "It prints\n\n```text\n" + output + "```\n";
        assertTrue(readme.contains(quoted), "the README quotes another output than the example's:\n" + output);
        // what the README says of it: nearest stalls far from the target, the other two get within a bf16 ulp
        assertTrue(error(lines.get(0)) > 0.1, lines.get(0));
        assertTrue(error(lines.get(1)) < 1.0 / 64, lines.get(1));
        assertTrue(error(lines.get(2)) < 1.0 / 64, lines.get(2));
        assertTrue(lines.get(2).endsWith("kahan_comp]"), lines.get(2));
    }

    private static double error(String line) {
        int eq = line.indexOf("= ");
        return Double.parseDouble(line.substring(eq + 2, line.indexOf(',', eq)));
    }

    private static Path readme() throws IOException {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path readme = dir.resolve("README.md");
            if (Files.exists(readme) && Files.exists(dir.resolve("kernels"))) {
                return readme;
            }
        }
        throw new IOException("no README.md above " + Path.of("").toAbsolutePath());
    }
}
