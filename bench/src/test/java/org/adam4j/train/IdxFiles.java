package org.adam4j.train;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Writes small IDX files for the tests, well-formed or broken on purpose. */
public final class IdxFiles {
    private IdxFiles() {
    }

    /** An IDX file of unsigned bytes: magic, dimensions, data. */
    public static byte[] idx(int magic, int[] dims, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        b.putInt(magic);
        for (int d : dims) {
            b.putInt(d);
        }
        b.put(data);
        return b.array();
    }

    public static byte[] images(int count, int rows, int cols) {
        byte[] pixels = new byte[count * rows * cols];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i * 37);
        }
        return idx(0x803, new int[] {count, rows, cols}, pixels);
    }

    public static byte[] labels(int count) {
        byte[] labels = new byte[count];
        for (int i = 0; i < count; i++) {
            labels[i] = (byte) (i % 10);
        }
        return idx(0x801, new int[] {count}, labels);
    }

    public static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bytes)) {
            out.write(data);
        }
        return bytes.toByteArray();
    }

    /** A well-formed MNIST-like folder: 12 training and 5 test images of 4 x 3 pixels, the training ones gzipped. */
    public static Path mnistFolder(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.write(dir.resolve("train-images-idx3-ubyte.gz"), gzip(images(12, 4, 3)));
        Files.write(dir.resolve("train-labels-idx1-ubyte.gz"), gzip(labels(12)));
        Files.write(dir.resolve("t10k-images-idx3-ubyte"), images(5, 4, 3));
        Files.write(dir.resolve("t10k-labels-idx1-ubyte"), labels(5));
        return dir;
    }
}
