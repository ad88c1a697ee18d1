package org.adam4j.reference.cases;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Reads and writes NumPy's {@code .npy} format (versions 1.0 and 2.0 of its header) for little-endian float32,
 * float64 and uint16 (the bit patterns of 16-bit floats) arrays of one or two dimensions in C order: what the reference
 * cases hold. Anything else is refused with an {@link NpyFormatException} that names the file and the problem.
 *
 * <p>The format: the magic {@code \x93NUMPY}, a major and minor version byte, the header length (2 bytes
 * little-endian in 1.0, 4 bytes in 2.0), then a Python dict literal with {@code descr}, {@code fortran_order}
 * and {@code shape}, padded with spaces and a newline, then the data. Version 3.0 (a UTF-8 header) is refused: NumPy
 * writes it only for structured dtypes with non-Latin-1 field names, never for a float array, and the case format
 * promises 1.0 or 2.0.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /**
     * NumPy's {@code np.load} refuses longer headers unless told to trust the file ({@code max_header_size},
     * {@code allow_pickle}); a float array's header is under 128 bytes.
     */
    static final int MAX_HEADER = 10_000;
    /** The most elements a shape may have: a Java array's limit. */
    static final long MAX_ELEMENTS = Integer.MAX_VALUE - 16;
    /** Data is read through a buffer of this many bytes, never all at once. */
    private static final int CHUNK = 1 << 20;
    /** From a stream, the array starts at this many elements and doubles as data arrives. */
    private static final int FIRST_GROWN = 4096;

    private Npy() {
    }

    /** A file that is not a readable float32/float64/uint16 C-order .npy array. */
    public static final class NpyFormatException extends IOException {
        private static final long serialVersionUID = 1L;

        /**
         * A file that is not a readable .npy array.
         *
         * @param file the file
         * @param problem what is wrong
         */
        public NpyFormatException(Path file, String problem) {
            super(file + ": " + problem);
        }
    }

    /**
     * Reads {@code file}. The header is checked against the file's size before the array is allocated, and the data
     * is read through a small buffer, so a file of any size costs the array and nothing more; an array larger than
     * the heap can hold is refused, naming the file, instead of ending the JVM with an OutOfMemoryError.
     *
     * @param file the file
     * @return the array
     * @throws NpyFormatException for anything but a float32/float64/uint16 C-order 1-D or 2-D array, or a file that cannot
     *                            be read (one line naming the file)
     */
    public static NpyArray read(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new NpyFormatException(file, "is a folder, not a .npy file");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return read(file, ch, ch.size());
        } catch (NoSuchFileException e) {
            throw new NpyFormatException(file, "no such file");
        } catch (NpyFormatException e) {
            throw e;
        } catch (IOException e) {
            throw new NpyFormatException(file, "cannot be read: " + reason(e));
        }
    }

    /**
     * Reads a .npy array from {@code in} (to its end), named {@code file} in messages. The stream's length is not
     * known in advance, so the array grows as data arrives: a header that declares more than the stream holds costs
     * what the stream holds, not what the header says.
     *
     * @param file the file
     * @param in the stream to read
     * @return the array
     * @throws IOException if the file cannot be read or written
     */
    public static NpyArray read(Path file, InputStream in) throws IOException {
        return read(file, Channels.newChannel(in), -1);
    }

    /** Reads from {@code ch}, which holds {@code size} bytes, or an unknown number if {@code size < 0}. */
    private static NpyArray read(Path file, ReadableByteChannel ch, long size) throws IOException {
        ByteBuffer prefix = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        prefix.limit(10);
        int got = fill(ch, prefix);
        if (got < 10) {
            throw new NpyFormatException(file, "truncated: " + got + " bytes is too short for a .npy header");
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (prefix.get(i) != MAGIC[i]) {
                throw new NpyFormatException(file, "not a .npy file (bad magic string)");
            }
        }
        int major = prefix.get(6) & 0xff;
        int minor = prefix.get(7) & 0xff;
        long headerLen;
        int start;
        if (major == 1 && minor == 0) {
            headerLen = prefix.getShort(8) & 0xffff;
            start = 10;
        } else if (major == 2 && minor == 0) {
            prefix.limit(12);
            if (fill(ch, prefix) < 2) {
                throw new NpyFormatException(file, "truncated header");
            }
            headerLen = prefix.getInt(8) & 0xffffffffL;
            start = 12;
        } else {
            throw new NpyFormatException(file, "unsupported .npy version " + major + "." + minor
                    + " (adam4j reads 1.0 and 2.0)");
        }
        if (size >= 0 && start + headerLen > size) {
            throw new NpyFormatException(file, "truncated header: it says " + headerLen + " bytes, the file has "
                    + (size - start));
        }
        if (headerLen > MAX_HEADER) {
            throw new NpyFormatException(file, "header of " + headerLen + " bytes; NumPy reads at most " + MAX_HEADER
                    + " (a float array's header is under 128)");
        }
        ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLen);
        int headerGot = fill(ch, headerBytes);
        if (headerGot < headerLen) {
            throw new NpyFormatException(file, "truncated header: it says " + headerLen + " bytes, the file has "
                    + headerGot);
        }
        Header h = NpyHeader.parse(file, headerBytes.array(), start);
        long count = 1;
        for (int d : h.shape) {
            count *= d;
        }
        long dataStart = start + headerLen;
        long need = count * h.dtype.bytes;
        if (size >= 0) {
            long have = size - dataStart;
            if (have < need) {
                throw new NpyFormatException(file, "truncated data: shape " + Arrays.toString(h.shape) + " needs "
                        + need + " bytes, the file has " + have);
            }
            if (have > need) {
                throw new NpyFormatException(file, (have - need) + " bytes of unexpected data after the array");
            }
        }
        Data data = new Data(file, h, (int) count, size >= 0);
        int bufBytes = (int) Math.min(CHUNK, Math.max(need, 8));
        // A channel reads into a direct buffer without an extra copy; worth its allocation only for large arrays.
        ByteBuffer buf = (need >= CHUNK ? ByteBuffer.allocateDirect(bufBytes) : ByteBuffer.allocate(bufBytes))
                .order(ByteOrder.LITTLE_ENDIAN);
        long read = 0;
        while (read < need) {
            buf.limit((int) Math.min(buf.capacity(), need - read));
            int n = ch.read(buf);
            if (n < 0) {
                throw new NpyFormatException(file, "truncated data: shape " + Arrays.toString(h.shape) + " needs "
                        + need + " bytes, the file has " + (read + buf.position()));
            }
            buf.flip();
            int whole = buf.remaining() / h.dtype.bytes;
            data.take(buf, whole);
            read += (long) whole * h.dtype.bytes;
            buf.compact();
        }
        if (size < 0) {
            long extra = drain(ch, buf);
            if (extra > 0) {
                throw new NpyFormatException(file, extra + " bytes of unexpected data after the array");
            }
        }
        return data.array();
    }

    /** The array being filled, allocated at once when the size is known, grown as data arrives when it is not. */
    private static final class Data {
        private final Path file;
        private final Header h;
        private final int count;
        private float[] f32;
        private double[] f64;
        private short[] u16;
        private byte[] u8;
        private int filled;

        Data(Path file, Header h, int count, boolean sizeKnown) throws NpyFormatException {
            this.file = file;
            this.h = h;
            this.count = count;
            allocate(sizeKnown ? count : Math.min(count, FIRST_GROWN));
        }

        private void allocate(int capacity) throws NpyFormatException {
            try {
                switch (h.dtype) {
                    case F32 -> f32 = f32 == null ? new float[capacity] : Arrays.copyOf(f32, capacity);
                    case F64 -> f64 = f64 == null ? new double[capacity] : Arrays.copyOf(f64, capacity);
                    case U16 -> u16 = u16 == null ? new short[capacity] : Arrays.copyOf(u16, capacity);
                    case U8 -> u8 = u8 == null ? new byte[capacity] : Arrays.copyOf(u8, capacity);
                }
            } catch (OutOfMemoryError e) {
                // Only this array's allocation failed: nothing else was touched, and the heap is as it was.
                throw new NpyFormatException(file, "shape " + Arrays.toString(h.shape) + " holds " + count + " "
                        + h.dtype.numpyName() + " values (" + mib((long) count * h.dtype.bytes)
                        + "), more than this JVM's heap (at most " + mib(Runtime.getRuntime().maxMemory())
                        + ") can hold; give it more with -Xmx (ADAM4J_JAVA_OPTS for ./adam4j)");
            }
        }

        void take(ByteBuffer buf, int elements) throws NpyFormatException {
            int capacity = f32 != null ? f32.length : f64 != null ? f64.length : u16 != null ? u16.length : u8.length;
            if (filled + elements > capacity) {
                allocate((int) Math.min(count, Math.max((long) capacity * 2, filled + elements)));
            }
            if (f32 != null) {
                buf.asFloatBuffer().get(f32, filled, elements);
            } else if (f64 != null) {
                buf.asDoubleBuffer().get(f64, filled, elements);
            } else if (u16 != null) {
                buf.asShortBuffer().get(u16, filled, elements);
            } else {
                buf.get(buf.position(), u8, filled, elements);
            }
            buf.position(buf.position() + elements * h.dtype.bytes);
            filled += elements;
        }

        NpyArray array() {
            return f32 != null ? NpyArray.of(f32, h.shape)
                    : f64 != null ? NpyArray.of(f64, h.shape)
                    : u16 != null ? NpyArray.of(u16, h.shape) : NpyArray.of(u8, h.shape);
        }
    }

    /** What the header says. */
    record Header(NpyArray.DType dtype, int[] shape) {
    }

    /** Reads until {@code buf} is full or the channel ends; returns the bytes read. */
    private static int fill(ReadableByteChannel ch, ByteBuffer buf) throws IOException {
        int total = 0;
        while (buf.hasRemaining()) {
            int n = ch.read(buf);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }

    /** Reads {@code ch} to its end; returns how many bytes there were. */
    private static long drain(ReadableByteChannel ch, ByteBuffer buf) throws IOException {
        long total = 0;
        buf.clear();
        for (int n; (n = ch.read(buf)) >= 0; buf.clear()) {
            total += n;
        }
        return total;
    }

    private static String mib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    private static String reason(IOException e) {
        if (e instanceof java.nio.file.FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage() != null ? Printable.escape(e.getMessage()) : e.getClass().getSimpleName();
    }

    /**
     * {@return the bytes of {@code array} as a version 1.0 .npy file (2.0 if its header would not fit 1.0)}
     *
     * @param array the array
     */
    public static byte[] toBytes(NpyArray array) {
        int[] shape = array.shape();
        String dims = shape.length == 1 ? shape[0] + "," : shape[0] + ", " + shape[1];
        String dict = "{'descr': '" + array.dtype().descr + "', 'fortran_order': False, 'shape': (" + dims + "), }";
        int prefix = 10;
        int total = prefix + dict.length() + 1;
        int padded = (total + 63) / 64 * 64;
        boolean v2 = padded - prefix > 0xffff;
        if (v2) {
            prefix = 12;
            padded = (prefix + dict.length() + 1 + 63) / 64 * 64;
        }
        int headerLen = padded - prefix;
        ByteBuffer bb = ByteBuffer.allocate(padded + array.length() * array.dtype().bytes).order(ByteOrder.LITTLE_ENDIAN);
        bb.put(MAGIC).put((byte) (v2 ? 2 : 1)).put((byte) 0);
        if (v2) {
            bb.putInt(headerLen);
        } else {
            bb.putShort((short) headerLen);
        }
        byte[] text = dict.getBytes(StandardCharsets.ISO_8859_1);
        bb.put(text);
        for (int i = text.length; i < headerLen - 1; i++) {
            bb.put((byte) ' ');
        }
        bb.put((byte) '\n');
        if (array.f32() != null) {
            bb.asFloatBuffer().put(array.f32());
        } else if (array.f64() != null) {
            bb.asDoubleBuffer().put(array.f64());
        } else if (array.u16() != null) {
            bb.asShortBuffer().put(array.u16());
        } else {
            bb.put(array.u8());
        }
        return bb.array();
    }

    /**
     * Writes {@code array} to {@code file} through a temporary file and a rename, so no half-written file is left.
     *
     * @param file the file
     * @param array the array
     * @throws IOException if the file cannot be read or written
     */
    public static void write(Path file, NpyArray array) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                out.write(toBytes(array));
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
