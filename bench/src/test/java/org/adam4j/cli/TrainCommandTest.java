package org.adam4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.adam4j.train.IdxFiles;
import org.adam4j.train.Optimizers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainCommandTest {
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    @TempDir
    Path dir;

    record Result(int status, List<String> out, List<String> err) {
    }

    static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Adam4j.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(status, out.toString(StandardCharsets.UTF_8).lines().toList(),
                err.toString(StandardCharsets.UTF_8).lines().toList());
    }

    static void assertPng(Path p) throws IOException {
        assertTrue(Files.isRegularFile(p), p + " missing");
        byte[] head = Arrays.copyOf(Files.readAllBytes(p), PNG_SIGNATURE.length);
        assertArrayEquals(PNG_SIGNATURE, head, p + " is not a PNG");
    }

    /**
     * Runs {@code train} with each of {@code cases} and {@code --out out}: each must be refused with exit status 2,
     * its message the first line of the error output, nothing on the standard output, nothing written in {@code out}.
     */
    static void assertRefusedBeforeTraining(Path out, List<String[]> cases, List<String> messages) throws IOException {
        for (int i = 0; i < cases.size(); i++) {
            String[] args = new String[cases.get(i).length + 3];
            args[0] = "train";
            System.arraycopy(cases.get(i), 0, args, 1, cases.get(i).length);
            args[args.length - 2] = "--out";
            args[args.length - 1] = out.toString();
            Result r = run(args);
            assertEquals(2, r.status(), String.join(" ", args));
            assertEquals(messages.get(i), r.err().get(0), String.join(" ", args));
            assertEquals(List.of(), r.out());
            if (Files.exists(out)) {
                try (java.util.stream.Stream<Path> files = Files.list(out)) {
                    assertEquals(List.of(), files.toList(), "nothing written: " + String.join(" ", args));
                }
            }
        }
    }

    /** The output with the measured times taken out: what must not depend on the thread count. */
    static List<String> withoutTimes(List<String> lines) {
        return lines.stream().map(l -> l.replaceAll("time [0-9.]+s", "").replaceAll("threads [0-9]+", "")
                .replaceAll("[0-9]+ threads?\\b", "")).toList();
    }

    @Test
    void trainsOnTwoMoonsAndEndsWithTheTestAccuracy() throws IOException {
        Result r = run("train", "--epochs", "3", "--hidden", "16", "--lr", "0.01", "--out", dir.toString());
        assertEquals(0, r.status(), String.join("\n", r.err()));
        String last = r.out().get(r.out().size() - 1);
        assertTrue(last.matches("test_accuracy=[01]\\.\\d{4}"), last);
        assertEquals(3, r.out().stream().filter(l -> l.matches("epoch [1-3]/3 .*")).count(), String.join("\n", r.out()));
        assertTrue(Double.parseDouble(last.substring("test_accuracy=".length())) > 0.8, last);
        assertPng(dir.resolve("train-two-moons-mlp-adam.png"));
    }

    @Test
    void sameOutputForEveryThreadCount() {
        Result one = run("train", "--epochs", "2", "--batch", "100", "--threads", "1", "--out", dir.toString());
        Result three = run("train", "--epochs", "2", "--batch", "100", "--threads", "3", "--out", dir.toString());
        assertEquals(0, one.status());
        assertEquals(withoutTimes(one.out()), withoutTimes(three.out()));
    }

    @Test
    void comparesOptimizersInOneChart() throws IOException {
        Result r = run("train", "--model", "softmax", "--compare", "adam,adamw", "--epochs", "2", "--out", dir.toString());
        assertEquals(0, r.status(), String.join("\n", r.err()));
        assertTrue(r.out().stream().anyMatch(l -> l.startsWith("[adamw] epoch 2/2")));
        assertTrue(r.out().get(r.out().size() - 2).matches("best=adamw?"));
        assertTrue(r.out().get(r.out().size() - 1).matches("test_accuracy=0\\.\\d{4}"));
        assertPng(dir.resolve("train-two-moons-softmax-compare.png"));
    }

    @Test
    void everyOptimizerTrainsTheSameForEveryThreadCount() {
        String all = String.join(",", Optimizers.NAMES);
        Result one = run("train", "--compare", all, "--epochs", "1", "--hidden", "32", "--threads", "1", "--out",
                dir.toString());
        assertEquals(0, one.status(), String.join("\n", one.err()));
        Result two = run("train", "--compare", all, "--epochs", "1", "--hidden", "32", "--threads", "2", "--out",
                dir.toString());
        for (String name : Optimizers.NAMES) {
            String line = one.out().stream().filter(l -> l.startsWith("[" + name + "] optimizer: ")).findFirst()
                    .orElseThrow();
            assertTrue(line.contains("lr=" + Optimizers.defaultLr(name)), line);
            assertTrue(one.out().stream().anyMatch(l -> l.startsWith("[" + name + "] epoch 1/1")), name);
        }
        assertTrue(one.out().stream().anyMatch(l -> l.startsWith("[sgd-momentum] optimizer: sgd-momentum SGD(lr=0.01, "
                + "momentum=0.9")), String.join("\n", one.out()));
        assertEquals(withoutTimes(one.out()), withoutTimes(two.out()));
    }

    @Test
    void refusesBadOptions() {
        for (String[] args : List.of(new String[] {"train", "--optimizer", "adamm"},
                new String[] {"train", "--model", "cnn"}, new String[] {"train", "--model", "softmax", "--hidden", "3"},
                new String[] {"train", "--hidden", "0"}, new String[] {"train", "--lr", "-1"},
                new String[] {"train", "--epochs", "x"}, new String[] {"train", "--batch"},
                new String[] {"train", "--optimizer", "adam", "--compare", "adam,adamw"},
                new String[] {"train", "--bogus", "1"})) {
            Result r = run(args);
            assertEquals(2, r.status(), String.join(" ", args));
            assertTrue(r.err().get(0).startsWith("adam4j train: "), r.err().get(0));
        }
    }

    @Test
    void trainsOnIdxFiles() throws IOException {
        Path mnist = IdxFiles.mnistFolder(dir.resolve("mnist"));
        Result r = run("train", "--data", mnist.toString(), "--model", "softmax", "--epochs", "1", "--out", dir.toString());
        assertEquals(0, r.status(), String.join("\n", r.err()));
        assertTrue(r.out().get(0).contains("12 training, 5 test examples, 12 features, 10 classes"), r.out().get(0));
        assertPng(dir.resolve("train-mnist-softmax-adam.png"));
    }

    /** Each malformed file: exit status 2 and one line on stderr naming the file and the fault. */
    @Test
    void malformedIdxFilesExitWithStatus2AndOneLine() throws IOException {
        byte[] images = IdxFiles.images(5, 4, 3);
        List<Object[]> faults = List.of(
                new Object[] {"t10k-images-idx3-ubyte", IdxFiles.idx(0x0804, new int[] {5, 4, 3}, new byte[60]),
                    "bad magic number"},
                new Object[] {"t10k-images-idx3-ubyte", Arrays.copyOf(images, images.length - 7), "truncated"},
                new Object[] {"t10k-labels-idx1-ubyte", IdxFiles.labels(6), "6 labels for the 5 images"});
        int i = 0;
        for (Object[] fault : faults) {
            Path mnist = IdxFiles.mnistFolder(dir.resolve("bad" + i++));
            Files.write(mnist.resolve((String) fault[0]), (byte[]) fault[1]);
            Result r = run("train", "--data", mnist.toString(), "--out", dir.toString());
            assertEquals(2, r.status(), fault[2].toString());
            assertEquals(1, r.err().size(), "one line: " + r.err());
            String line = r.err().get(0);
            assertTrue(line.startsWith("adam4j train: " + mnist.resolve((String) fault[0])), line);
            assertTrue(line.contains((String) fault[2]), line);
        }
    }

    /** A refusal before any work: exit 2, one line on stderr, nothing on stdout. */
    private static void assertRefused(Result r, String line) {
        assertEquals(2, r.status(), r.toString());
        assertEquals(List.of(line), r.err(), r.toString());
        assertEquals(List.of(), r.out(), "nothing ran: " + r);
    }

    @Test
    void anOutThatIsAFileIsRefusedBeforeTraining() throws IOException {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        assertRefused(run("train", "--epochs", "1", "--out", file.toString()),
                "adam4j train: " + file + ": --out needs a folder, and this is a file");
        assertRefused(run("train", "--epochs", "1", "--out", file.resolve("sub").toString()),
                "adam4j train: " + file.resolve("sub") + ": --out cannot be created, " + file + " is a file");
        Path chart = Files.createDirectories(dir.resolve("out/train-two-moons-mlp-adam.png"));
        assertRefused(run("train", "--epochs", "1", "--out", dir.resolve("out").toString()),
                "adam4j train: " + chart + ": --out would write a file here, and this is a folder");
    }

    @Test
    void threadCountsBeyondTheLimitAreRefused() {
        for (String threads : List.of("2147483647", "1025", "0")) {
            Result r = run("train", "--threads", threads, "--out", dir.toString());
            assertEquals(2, r.status(), r.toString());
            assertEquals("adam4j train: --threads must be a whole number from 1 to 1024, got '" + threads + "'",
                    r.err().get(0));
            assertEquals(List.of(), r.out());
        }
    }

    @Test
    void modelsTooLargeForTheHeapOrForJavaArraysAreRefusedBeforeTraining() {
        assertRefused(run("train", "--hidden", "2147483647", "--out", dir.toString()), "adam4j train: --hidden "
                + "2147483647: layer 1 would have 2 x 2147483647 weights, more than one Java array holds (2147483639)");
        Result r = run("train", "--hidden", "1000000000", "--out", dir.toString());
        assertEquals(2, r.status(), r.toString());
        assertEquals(1, r.err().size(), r.toString());
        assertTrue(r.err().get(0).matches("adam4j train: --hidden 1000000000 with 2 inputs and 2 classes, --batch 128 "
                + "and --threads 1 needs about \\d+\\.\\d MiB, and this JVM's heap has \\d+\\.\\d MiB left \\(of at most "
                + "\\d+\\.\\d MiB\\); give it more with -Xmx \\(ADAM4J_JAVA_OPTS=-Xmx8g \\./adam4j \\.\\.\\.\\) or use a "
                + "smaller model"), r.err().get(0));
        assertEquals(List.of(), r.out());
    }

    @Test
    void emptyOrPixellessDataIsRefusedNamingTheFile() throws IOException {
        Path mnist = IdxFiles.mnistFolder(dir.resolve("mnist"));
        Path trainImages = mnist.resolve("train-images-idx3-ubyte.gz");
        Path trainLabels = mnist.resolve("train-labels-idx1-ubyte.gz");
        Files.write(trainImages, IdxFiles.gzip(IdxFiles.images(0, 4, 3)));
        Files.write(trainLabels, IdxFiles.gzip(IdxFiles.labels(0)));
        assertRefused(run("train", "--data", mnist.toString(), "--out", dir.toString()),
                "adam4j train: " + trainImages + ": holds no images; training needs at least one");
        IdxFiles.mnistFolder(mnist);
        Path testImages = mnist.resolve("t10k-images-idx3-ubyte");
        Files.write(testImages, IdxFiles.images(0, 4, 3));
        Files.write(mnist.resolve("t10k-labels-idx1-ubyte"), IdxFiles.labels(0));
        assertRefused(run("train", "--data", mnist.toString(), "--out", dir.toString()),
                "adam4j train: " + testImages + ": holds no images; the test accuracy needs at least one");
        IdxFiles.mnistFolder(mnist);
        Files.write(trainImages, IdxFiles.gzip(IdxFiles.idx(0x803, new int[] {12, 0, 0}, new byte[0])));
        assertRefused(run("train", "--data", mnist.toString(), "--out", dir.toString()),
                "adam4j train: " + trainImages + ": images of 0 x 0 pixels; a model needs at least one");
        IdxFiles.mnistFolder(mnist);
        Files.write(trainLabels, IdxFiles.idx(0x801, new int[] {Integer.MAX_VALUE - 8}, new byte[5]));
        assertRefused(run("train", "--data", mnist.toString(), "--out", dir.toString()), "adam4j train: "
                + trainLabels + ": truncated: dimensions [2147483639] need 2147483639 bytes of data, the file has 5");
    }
}
