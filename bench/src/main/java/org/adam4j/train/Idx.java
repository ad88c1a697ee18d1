package org.adam4j.train;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import java.util.Locale;
import java.util.zip.ZipException;

/**
 * Reads IDX files of unsigned bytes (the format MNIST is distributed in: a big-endian magic number {@code 0x0000 08 NN}
 * with {@code NN} dimensions, the dimensions as big-endian ints, then the bytes row-major), gzipped or not.
 *
 * <p>Whether a file is gzipped is decided by its first two bytes, not its name. A file is refused, naming it, when
 * its magic number is wrong, its data is shorter or longer than its dimensions say, its gzip stream is broken or has
 * bytes after its end (further gzip members are read, as gunzip reads them), or its data does not fit in the heap.
 */
public final class Idx {
    private static final int UNSIGNED_BYTE = 0x08;
    /** A gzipped file's array starts at this many bytes and doubles as data arrives. */
    private static final int FIRST_GROWN = 1 << 16;
    /** A dimension product above this cannot be held in one array. */
    private static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    private Idx() {
    }

    /** One file's dimensions and bytes. */
    public record Array(Path file, int[] dims, byte[] data) {
        /** The number of items: the first dimension. */
        public int items() {
            return dims[0];
        }

        /** Bytes per item: the product of the other dimensions. */
        public int itemSize() {
            int size = 1;
            for (int i = 1; i < dims.length; i++) {
                size *= dims[i];
            }
            return size;
        }
    }

    /**
     * Reads {@code file}, which must have {@code expectedDims} dimensions (1 for labels, 3 for images).
     *
     * <p>Memory is spent on data the file holds, never on what its header declares: a plain file's size is checked
     * against the dimensions before the array is allocated, and a gzipped one (whose content's length is known only
     * at its end) is read into an array that grows as data arrives, up to the declared size. An array larger than
     * the heap can hold is refused, naming the file, instead of ending in an OutOfMemoryError.
     *
     * @throws IdxFormatException when the file is malformed or cannot be read (one-line message naming the file)
     */
    public static Array read(Path file, int expectedDims) throws IOException {
        if (Files.isDirectory(file)) {
            throw bad(file, "is a folder, not an IDX file");
        }
        try (InputStream raw = Files.newInputStream(file)) {
            BufferedInputStream in = new BufferedInputStream(raw, 1 << 16);
            in.mark(2);
            int b0 = in.read();
            int b1 = in.read();
            in.reset();
            if (GzipStream.isGzip(b0, b1)) {
                try (GzipStream gz = new GzipStream(in)) {
                    return read(file, gz, -1, expectedDims);
                }
            }
            return read(file, in, Files.size(file), expectedDims);
        } catch (EOFException e) {
            // Only the gzip stream gets here (the reads below catch their own): the compressed stream was cut off.
            throw bad(file, "truncated: the gzip stream ends early");
        } catch (ZipException e) {
            throw bad(file, e.getMessage().startsWith("bytes after") || e.getMessage().startsWith("corrupt")
                    ? e.getMessage() : "corrupt gzip stream (" + e.getMessage() + ")");
        } catch (NoSuchFileException e) {
            throw bad(file, "no such file");
        } catch (IdxFormatException e) {
            throw e;
        } catch (IOException e) {
            throw bad(file, "cannot be read: " + (e instanceof FileSystemException f && f.getReason() != null
                    ? f.getReason() : e.getMessage()));
        }
    }

    /** Reads the IDX content of {@code in}, which holds {@code size} bytes, or an unknown number if negative. */
    private static Array read(Path file, InputStream in, long size, int expectedDims) throws IOException {
        DataInputStream data = new DataInputStream(in);
        int magic;
        try {
            magic = data.readInt();
        } catch (EOFException e) {
            throw bad(file, "truncated: shorter than the 4-byte magic number");
        }
        int expectedMagic = (UNSIGNED_BYTE << 8) | expectedDims;
        if (magic != expectedMagic) {
            throw bad(file, String.format("bad magic number 0x%08X (expected 0x%08X: unsigned bytes, %d dimension%s)",
                    magic, expectedMagic, expectedDims, expectedDims == 1 ? "" : "s"));
        }
        int[] dims = new int[expectedDims];
        long elements = 1;
        for (int i = 0; i < expectedDims; i++) {
            try {
                dims[i] = data.readInt();
            } catch (EOFException e) {
                throw bad(file, "truncated: the header ends after " + i + " of " + expectedDims + " dimensions");
            }
            if (dims[i] < 0) {
                throw bad(file, "dimension " + i + " is negative (" + Integer.toUnsignedString(dims[i]) + ")");
            }
            elements *= dims[i];
            if (elements > MAX_ELEMENTS) {
                throw bad(file, "dimensions " + Arrays.toString(Arrays.copyOf(dims, i + 1))
                        + " hold more than " + MAX_ELEMENTS + " bytes");
            }
        }
        long header = 4 + 4L * expectedDims;
        if (size >= 0 && size - header != elements) {
            throw size - header < elements ? truncated(file, dims, elements, size - header)
                    : trailing(file, dims, elements);
        }
        byte[] bytes = allocate(file, dims, elements,
                size >= 0 ? (int) elements : (int) Math.min(elements, FIRST_GROWN));
        int read = 0;
        while (read < elements) {
            if (read == bytes.length) {
                bytes = grow(file, dims, elements, bytes);
            }
            int n = data.read(bytes, read, bytes.length - read);
            if (n < 0) {
                throw truncated(file, dims, elements, read);
            }
            read += n;
        }
        if (data.read() >= 0) {
            throw trailing(file, dims, elements);
        }
        return new Array(file, dims, bytes);
    }

    private static byte[] allocate(Path file, int[] dims, long elements, int length) throws IdxFormatException {
        try {
            return new byte[length];
        } catch (OutOfMemoryError e) {
            throw tooLarge(file, dims, elements);
        }
    }

    private static byte[] grow(Path file, int[] dims, long elements, byte[] bytes) throws IdxFormatException {
        try {
            return Arrays.copyOf(bytes, (int) Math.min(elements, 2L * bytes.length));
        } catch (OutOfMemoryError e) {
            throw tooLarge(file, dims, elements);
        }
    }

    private static IdxFormatException tooLarge(Path file, int[] dims, long elements) {
        // Only the failed allocation is lost: nothing else was touched, and the heap is as it was.
        return bad(file, String.format(Locale.ROOT, "dimensions %s hold %d bytes (%.1f MiB), more than this JVM's heap "
                + "(at most %.1f MiB) can hold; give it more with -Xmx (ADAM4J_JAVA_OPTS for ./adam4j)",
                Arrays.toString(dims), elements, elements / 1048576.0, Runtime.getRuntime().maxMemory() / 1048576.0));
    }

    private static IdxFormatException truncated(Path file, int[] dims, long elements, long have) {
        return bad(file, "truncated: dimensions " + Arrays.toString(dims) + " need " + elements
                + " bytes of data, the file has " + have);
    }

    private static IdxFormatException trailing(Path file, int[] dims, long elements) {
        return bad(file, "has bytes after the " + elements + " bytes of data that dimensions " + Arrays.toString(dims)
                + " describe");
    }

    private static IdxFormatException bad(Path file, String what) {
        return new IdxFormatException(file + ": " + what);
    }
}
