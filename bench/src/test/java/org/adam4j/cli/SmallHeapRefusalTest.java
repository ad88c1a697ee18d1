package org.adam4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.adam4j.reference.AdamConfig;
import org.adam4j.train.IdxFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The refusals of inputs that ask for more memory than there is, in a child JVM with the small heap a user may give
 * ({@code ADAM4J_JAVA_OPTS=-Xmx512m}): each must be one line and exit status 2, never an OutOfMemoryError.
 */
class SmallHeapRefusalTest {
    @TempDir
    Path dir;

    record Child(int status, String out, String err) {
    }

    private Child adam4j(String heap, Object... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                heap, "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                Adam4j.class.getName()));
        for (Object a : args) {
            cmd.add(a.toString());
        }
        Path out = dir.resolve("child.out");
        Path err = dir.resolve("child.err");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("no answer from " + cmd);
        }
        return new Child(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** Exit 2 and one line on stderr holding {@code part}, with no Java class names. */
    private static void assertOneLine(Child c, String prefix, String part) {
        assertEquals(2, c.status(), c::toString);
        String err = c.err().replaceAll("(?m)^WARNING: .*\n", ""); // the JVM's own notice of the incubator module
        assertEquals(1, err.lines().count(), c::toString);
        assertTrue(err.startsWith(prefix), c::toString);
        assertTrue(err.contains(part), "expected '" + part + "' in " + c);
        assertFalse(err.contains("Exception") || err.contains("Error"), c::toString);
    }

    @Test
    void idxDataLargerThanTheHeapOrTheFileIsRefusedInOneLine() throws Exception {
        Path mnist = IdxFiles.mnistFolder(dir.resolve("mnist"));
        Path labels = mnist.resolve("train-labels-idx1-ubyte.gz");
        Files.write(labels, IdxFiles.idx(0x801, new int[] {Integer.MAX_VALUE - 8}, new byte[5]));
        assertOneLine(adam4j("-Xmx512m", "train", "--data", mnist, "--out", dir), "adam4j train: " + labels + ": ",
                "need 2147483639 bytes of data, the file has 5");

        IdxFiles.mnistFolder(mnist);
        Path images = mnist.resolve("train-images-idx3-ubyte.gz");
        Files.write(images, IdxFiles.idx(0x803, new int[] {60000, 28, 1278}, new byte[16]));
        assertOneLine(adam4j("-Xmx512m", "train", "--data", mnist, "--out", dir), "adam4j train: " + images + ": ",
                "need 2147040000 bytes of data, the file has 16");

        // 700 MB of pixels that gzip to under a megabyte: the file holds them, the heap cannot.
        IdxFiles.mnistFolder(mnist);
        try (OutputStream gz = new GZIPOutputStream(Files.newOutputStream(images), 1 << 16)) {
            gz.write(IdxFiles.idx(0x803, new int[] {1000, 1000, 700}, new byte[0]));
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 700_000_000 / zeros.length; i++) {
                gz.write(zeros);
            }
            gz.write(zeros, 0, 700_000_000 % zeros.length);
        }
        assertOneLine(adam4j("-Xmx512m", "train", "--data", mnist, "--out", dir), "adam4j train: " + images + ": ",
                "dimensions [1000, 1000, 700] hold 700000000 bytes (667.6 MiB), more than this JVM's heap");
    }

    @Test
    void anNpyArrayLargerThanTheHeapIsRefusedInOneLine() throws Exception {
        // grads.npy of (100000000, 3) float64: 2.4 GB, as case.json says, in a sparse file.
        Path c = CaseFiles.adamCase(dir.resolve("big"), AdamConfig.builder().lr(0.01).build(), true, 3, 2, 1);
        Path json = c.resolve("case.json");
        Files.writeString(json, Files.readString(json).replace("\"steps\": 2", "\"steps\": 100000000"));
        String dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (100000000, 3), }";
        byte[] text = ("\u0093NUMPY\u0001\u0000\u0076\u0000" + dict + " ".repeat(128 - 10 - dict.length() - 1) + "\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        assertEquals(128, text.length);
        Path grads = c.resolve("grads.npy");
        try (RandomAccessFile raf = new RandomAccessFile(grads.toFile(), "rw")) {
            raf.setLength(0);
            raf.write(text);
            raf.setLength(text.length + 2_400_000_000L);
        }
        assertOneLine(adam4j("-Xmx512m", "validate", c), "adam4j validate: " + grads + ": ",
                "shape [100000000, 3] holds 300000000 float64 values (2288.8 MiB), more than this JVM's heap");
    }

    @Test
    void countsThatWouldExhaustTheHeapAreRefused() throws Exception {
        assertOneLine(adam4j("-Xmx512m", "train", "--hidden", "1000000000", "--out", dir), "adam4j train: --hidden "
                + "1000000000 with 2 inputs and 2 classes", "this JVM's heap has");
        Child threads = adam4j("-Xmx512m", "train", "--threads", "2147483647", "--out", dir);
        assertEquals(2, threads.status(), threads::toString);
        assertTrue(threads.err().contains("adam4j train: --threads must be a whole number from 1 to 1024, got "
                + "'2147483647'\n"), threads::toString);
        Child steps = adam4j("-Xmx512m", "demo", "functions", "--steps", "2000000000", "--out", dir);
        assertEquals(2, steps.status(), steps::toString);
        assertTrue(steps.err().contains("adam4j demo: --steps must be a whole number from 1 to 1000000, got "
                + "'2000000000'\n"), steps::toString);
    }
}
