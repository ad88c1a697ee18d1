package org.adam4j.train;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files of unsigned bytes (the format MNIST is distributed in: a big-endian magic number {@code 0x0000 08 NN}
 * with {@code NN} dimensions, the dimensions as big-endian ints, then the bytes row-major), gzipped or not.
 *
 * <p>Whether a file is gzipped is decided by its first two bytes, not its name. A file is refused, naming it, when
 * its magic number is wrong, its data is shorter or longer than its dimensions say, or its gzip stream is broken.
 */
public final class Idx {
    private static final int UNSIGNED_BYTE = 0x08;
    private static final int GZIP_MAGIC = 0x8b1f;
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
     * @throws IdxFormatException when the file is malformed (one-line message naming the file)
     * @throws IOException when it cannot be read
     */
    public static Array read(Path file, int expectedDims) throws IOException {
        try (InputStream in = open(file); DataInputStream data = new DataInputStream(in)) {
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
            byte[] bytes = new byte[(int) elements];
            int read = data.readNBytes(bytes, 0, bytes.length);
            if (read < bytes.length) {
                throw bad(file, "truncated: dimensions " + Arrays.toString(dims) + " need " + bytes.length
                        + " bytes of data, the file has " + read);
            }
            if (data.read() >= 0) {
                throw bad(file, "has bytes after the " + bytes.length + " bytes of data that dimensions "
                        + Arrays.toString(dims) + " describe");
            }
            return new Array(file, dims, bytes);
        } catch (EOFException e) {
            // Only GZIPInputStream gets here (the reads above catch their own): the compressed stream was cut off.
            throw bad(file, "truncated: the gzip stream ends early");
        } catch (ZipException e) {
            throw bad(file, "corrupt gzip stream (" + e.getMessage() + ")");
        }
    }

    private static InputStream open(Path file) throws IOException {
        BufferedInputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        if (b0 >= 0 && b1 >= 0 && (b0 | (b1 << 8)) == GZIP_MAGIC) {
            return new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
        }
        return in;
    }

    private static IdxFormatException bad(Path file, String what) {
        return new IdxFormatException(file + ": " + what);
    }
}
