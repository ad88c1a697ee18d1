package org.adam4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The command line of {@code ./adam4j bench}; nothing here runs a benchmark. */
class BenchCommandTest {
    private record Result(int status, String out, String err) {
    }

    private static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Adam4j.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static void assertUsageError(Result r, String messagePart) {
        assertEquals(Command.USAGE, r.status(), r.err());
        List<String> lines = r.err().lines().toList();
        assertTrue(lines.get(0).startsWith("adam4j bench: "), lines.get(0));
        assertTrue(lines.get(0).contains(messagePart), lines.get(0) + " should mention " + messagePart);
        assertTrue(lines.get(1).startsWith("usage: ./adam4j bench"), "the usage follows the one-line message: " + r.err());
        assertEquals("", r.out(), "nothing printed to stdout before refusing");
    }

    @Test
    void benchIsACommand() {
        assertTrue(Adam4j.COMMANDS.stream().anyMatch(c -> c instanceof BenchCommand && c.name().equals("bench")));
        Result help = run("bench", "--help");
        assertEquals(Command.OK, help.status());
        assertTrue(help.out().contains("--full") && help.out().contains("--include REGEX")
                && help.out().contains("--out DIR") && help.out().contains(BenchSummary.CSV_HEADER), help.out());
    }

    @Test
    void refusesUnknownOptions() {
        assertUsageError(run("bench", "--fast"), "unknown option '--fast'");
        assertUsageError(run("bench", "quick"), "unexpected argument 'quick'");
    }

    @Test
    void refusesMissingOrBadValues() {
        assertUsageError(run("bench", "--include"), "--include needs a value");
        assertUsageError(run("bench", "--out"), "--out needs a value");
        assertUsageError(run("bench", "--include", "fused("), "not a valid regular expression");
        assertUsageError(run("bench", "--include="), "non-empty");
        assertUsageError(run("bench", "--full=yes"), "--full takes no value");
        assertUsageError(run("bench", "--out", " "), "--out needs a folder name");
    }

    @Test
    void refusesRepeatedOptions() {
        assertUsageError(run("bench", "--full", "--full"), "--full given twice");
        assertUsageError(run("bench", "--include", "a", "--include", "b"), "--include given twice");
        assertUsageError(run("bench", "--out", "a", "--out", "b"), "--out given twice");
    }

    @Test
    void refusesAnIncludeThatMatchesNothing(@TempDir Path dir) {
        Path out = dir.resolve("never-made");
        Result r = run("bench", "--include", "kernel=vector-1024", "--out", out.toString());
        assertUsageError(r, "no benchmark of the quick suite matches --include 'kernel=vector-1024'");
        assertTrue(r.err().contains("add --full"), r.err());
        assertFalse(Files.exists(out), "the output folder is made only once the arguments are good");
        assertUsageError(run("bench", "--full", "--include", "nothing-like-this"), "of the full suite");
    }

    @Test
    void refusesAnOutputFolderThatIsAFile(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("taken"), "x");
        assertUsageError(run("bench", "--include", "roofline", "--out", file.toString()), "is a file, not a folder");
    }

    @Test
    void parsesGoodArguments() throws UsageException {
        BenchCommand.Options none = BenchCommand.parse(new String[0]);
        assertFalse(none.full());
        assertNull(none.include());
        assertNull(none.out());
        BenchCommand.Options all = BenchCommand.parse(new String[] {"--out", "x/y", "--include=fused.*f32", "--full"});
        assertTrue(all.full());
        assertEquals("fused.*f32", all.include().pattern());
        assertEquals(Path.of("x/y"), all.out());
        assertEquals(Path.of("z"), BenchCommand.parse(new String[] {"--out=z"}).out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"kernel=vector-256", "roofline", "precision=f64 variant=adam size=16384"})
    void includeNarrowsTheQuickSuite(String regex) throws UsageException {
        BenchPlan quick = BenchPlan.quick(new BenchPlan.Emulation(32));
        BenchPlan narrowed = BenchCommand.plan(BenchCommand.parse(new String[] {"--include", regex}),
                new BenchPlan.Emulation(32));
        assertFalse(narrowed.runs.isEmpty());
        assertTrue(narrowed.runs.size() < quick.runs.size());
        assertTrue(narrowed.runs.stream().allMatch(r -> r.label().contains(regex)), narrowed.runs.toString());
        assertEquals(quick.runs.stream().filter(r -> r.label().contains(regex)).toList(), narrowed.runs);
    }

    @Test
    void defaultOutputFolderIsNewAndTimestamped() throws UsageException, IOException {
        Path dir = BenchCommand.outputFolder(BenchCommand.parse(new String[] {"--out",
                Files.createTempDirectory("bench").resolve("new/deeper").toString()}));
        assertTrue(Files.isDirectory(dir));
        assertThrows(UsageException.class, () -> BenchCommand.parse(new String[] {"--bogus"}));
    }
}
