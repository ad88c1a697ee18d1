package org.adam4j.reference.cases;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Finds {@code ../shared/reference-cases}: required under CI, skipped with a message elsewhere when absent. */
public final class SharedCases {
    private SharedCases() {
    }

    public static Path root() {
        Path shared = Path.of(System.getProperty("adam4j.shared", "../shared"));
        Path cases = shared.resolve("reference-cases");
        if (!Files.isDirectory(cases)) {
            String msg = "no reference cases at " + cases.toAbsolutePath()
                    + " (the shared/ folder belongs beside the checkout)";
            if (System.getenv("CI") != null) {
                fail(msg);
            }
            assumeTrue(false, msg);
        }
        return cases;
    }

    /** The case folders whose names start with {@code prefix}, sorted. */
    public static List<Path> named(String prefix) throws IOException {
        try (Stream<Path> s = Files.list(root())) {
            List<Path> dirs = s.filter(Files::isDirectory)
                    .filter(p -> p.getFileName().toString().startsWith(prefix)).sorted().toList();
            assertTrue(!dirs.isEmpty(), "no case starting with " + prefix + " in " + root());
            return dirs;
        }
    }
}
