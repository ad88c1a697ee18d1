package org.adam4j.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A state file changed by someone else while it is read, and a saving process killed: the reader gives the old or
 * the new state or an exception naming the file, never a crash, and a killed save leaves the old or the new complete
 * state and at most its temporary file, which the next save removes. No timing is asserted: sleeps only choose the
 * moments.
 */
class StateFileCrashSafetyTest {
    @TempDir
    Path dir;
    /** The child's stderr, kept out of {@link #dir}, whose listing the test checks. */
    @TempDir
    Path logs;

    /** 400,000 floats: a 3.2 MB file, so that a load takes long enough to be overtaken. */
    private static final int ELEMENTS = 400_000;

    @Test
    void aFileTruncatedOrReplacedWhileItIsReadGivesTheOldOrNewStateOrAnExceptionNamingIt() throws Exception {
        Path file = dir.resolve("opt.state");
        OptimizerState a = StateFileSaveLoop.Run.stateAfter(ELEMENTS, 2);
        OptimizerState b = StateFileSaveLoop.Run.stateAfter(ELEMENTS, 3);
        byte[] aBytes = bytes(a, dir.resolve("a"));
        byte[] bBytes = bytes(b, dir.resolve("b"));
        Files.write(file, aBytes);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> writerFailed = new AtomicReference<>();
        // what other processes do to a file: cp (truncate, then write), and truncation to any length
        Thread writer = new Thread(() -> {
            Random random = new Random(12);
            try {
                for (long k = 0; !stop.get(); k++) {
                    switch ((int) (k % 4)) {
                        case 0 -> Files.write(file, aBytes);
                        case 1 -> Files.write(file, bBytes);
                        case 2 -> {
                            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                                ch.truncate(random.nextInt(aBytes.length));
                            }
                        }
                        default -> {
                            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE,
                                    StandardOpenOption.TRUNCATE_EXISTING)) {
                                int half = random.nextInt(bBytes.length);
                                ch.write(java.nio.ByteBuffer.wrap(bBytes, 0, half));
                                Thread.yield();
                                ch.write(java.nio.ByteBuffer.wrap(bBytes, half, bBytes.length - half));
                            }
                        }
                    }
                    // pauses let loads start on complete files too, so that changes also come in mid-read
                    Thread.sleep(random.nextInt(10));
                }
            } catch (Throwable t) {
                writerFailed.set(t);
            }
        }, "state-file-writer");
        int loaded = 0;
        int refused = 0;
        StateFileSaveLoop.Run r = StateFileSaveLoop.Run.of(ELEMENTS);
        writer.start();
        try {
            for (int i = 0; i < 150; i++) {
                OptimizerState before = r.opt().state();
                try {
                    r.opt().load(file);
                } catch (IllegalArgumentException | IOException e) {
                    assertTrue(e.getMessage().startsWith(file.toString()), "the message names the file: " + e);
                    assertEquals(before, r.opt().state(), "a refused load changed the optimizer: " + e);
                    refused++;
                    continue;
                } catch (Throwable t) {
                    throw new AssertionError("load " + i + " failed with neither a refusal nor an IOException", t);
                }
                OptimizerState now = r.opt().state();
                assertTrue(now.equals(a) || now.equals(b), "a load gave a state nobody saved, at steps "
                        + now.steps());
                loaded++;
            }
        } finally {
            stop.set(true);
            writer.join();
            r.opt().close();
        }
        assertEquals(null, writerFailed.get(), "the writer thread failed");
        assertEquals(150, loaded + refused);
    }

    private static byte[] bytes(OptimizerState state, Path file) throws IOException {
        StateFile.write(state, file);
        return Files.readAllBytes(file);
    }

    /** Where and when the child is killed: after it announces save {@code save}, and {@code sleepMillis} later. */
    private record Kill(long save, int sleepMillis) {
    }

    @Test
    void aSaveKilledAtAnyMomentLeavesTheOldOrTheNewStateAndTheNextSaveNoTemporaryFile() throws Exception {
        Path file = dir.resolve("opt.state");
        Path tmp = dir.resolve(".opt.state.adam4j-tmp");
        StateFileSaveLoop.Run parent = StateFileSaveLoop.Run.of(ELEMENTS);
        OptimizerState initial = parent.opt().state();
        List<Kill> kills = List.of(new Kill(1, 0), new Kill(1, 4), new Kill(2, 1), new Kill(2, 9), new Kill(3, 2),
                new Kill(3, 20), new Kill(4, 6));
        List<String> seen = new ArrayList<>();
        for (Kill kill : kills) {
            parent.opt().loadState(initial);
            parent.opt().save(file);
            List<String> announced = runAndKill(file, kill);
            try (Stream<Path> files = Files.list(dir)) {
                Set<Path> left = new HashSet<>(files.toList());
                left.removeAll(Set.of(file, tmp));
                assertEquals(Set.of(), left, "a killed save left only the state file and its temporary file");
            }
            seen.add(kill + " " + announced + (Files.exists(tmp) ? " tmp" : ""));
            // the file holds the last completed save's state, or the one under way when the child died
            long done = 0;
            long underWay = -1;
            for (String line : announced) {
                if (line.startsWith("saving ")) {
                    underWay = Long.parseLong(line.substring(7));
                } else if (line.startsWith("saved ")) {
                    done = Long.parseLong(line.substring(6));
                    underWay = -1;
                }
            }
            assertTrue(underWay >= kill.save() || done >= kill.save(), "killed after save " + kill.save() + ": "
                    + announced);
            parent.opt().load(file);
            long steps = parent.opt().steps();
            assertTrue(steps == done || steps == underWay, "the file holds step " + steps + ", neither the last "
                    + "saved (" + done + ") nor the one under way (" + underWay + "); " + seen);
            seen.add("steps " + steps);
            OptimizerState expected = steps == 0 ? initial : StateFileSaveLoop.Run.stateAfter(ELEMENTS, steps);
            assertEquals(expected, parent.opt().state(), "the state of step " + steps + ", complete");
            parent.opt().save(file);
            try (Stream<Path> files = Files.list(dir)) {
                assertEquals(List.of(file), files.toList(), "the next save left no temporary file");
            }
        }
        parent.opt().close();
    }

    /** Starts the child, waits for {@code saving N}, sleeps, kills it; returns every line it printed. */
    private List<String> runAndKill(Path file, Kill kill) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path")));
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
            command.addAll(List.of("--add-modules", "jdk.incubator.vector"));
        }
        command.addAll(List.of(StateFileSaveLoop.class.getName(), file.toString(), Integer.toString(ELEMENTS)));
        Path err = logs.resolve("child.err");
        Process child = new ProcessBuilder(command).redirectError(err.toFile()).start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        List<String> all = new ArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the pipe closes when the child is killed
            }
        }, "child-stdout");
        reader.start();
        try {
            String target = "saving " + kill.save();
            while (true) {
                String line = lines.poll(60, TimeUnit.SECONDS);
                if (line == null) {
                    fail("the child never printed '" + target + "'; it printed " + all + ", stderr: "
                            + Files.readString(err));
                }
                all.add(line);
                if (line.equals(target)) {
                    break;
                }
            }
            Thread.sleep(kill.sleepMillis());
        } finally {
            child.destroyForcibly();
            child.waitFor();
            reader.join();
        }
        lines.drainTo(all);
        return all;
    }
}
