package org.adam4j.reference.cases;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes NumPy's {@code .npy} format (versions 1.0 and 2.0 of its header) for little-endian float32
 * and float64 arrays of one or two dimensions in C order: what the reference cases hold. Anything else is refused with
 * an {@link NpyFormatException} that names the file and the problem.
 *
 * <p>The format: the magic {@code \x93NUMPY}, a major and minor version byte, the header length (2 bytes
 * little-endian in 1.0, 4 bytes in 2.0), then a Python dict literal with {@code descr}, {@code fortran_order}
 * and {@code shape}, padded with spaces and a newline, then the data. Version 3.0 (a UTF-8 header) is refused: NumPy
 * writes it only for structured dtypes with non-Latin-1 field names, never for a float array, and the case format
 * promises 1.0 or 2.0.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {
    }

    /** A file that is not a readable float32/float64 C-order .npy array. */
    public static final class NpyFormatException extends IOException {
        private static final long serialVersionUID = 1L;

        public NpyFormatException(Path file, String problem) {
            super(file + ": " + problem);
        }
    }

    public static NpyArray read(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new NpyFormatException(file, "no such file");
        }
        return parse(file, bytes);
    }

    public static NpyArray read(Path file, InputStream in) throws IOException {
        return parse(file, in.readAllBytes());
    }

    private static NpyArray parse(Path file, byte[] bytes) throws NpyFormatException {
        if (bytes.length < 10) {
            throw new NpyFormatException(file, "truncated: " + bytes.length + " bytes is too short for a .npy header");
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (bytes[i] != MAGIC[i]) {
                throw new NpyFormatException(file, "not a .npy file (bad magic string)");
            }
        }
        int major = bytes[6] & 0xff;
        int minor = bytes[7] & 0xff;
        ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long headerLen;
        int start;
        if (major == 1 && minor == 0) {
            headerLen = bb.getShort(8) & 0xffff;
            start = 10;
        } else if (major == 2 && minor == 0) {
            if (bytes.length < 12) {
                throw new NpyFormatException(file, "truncated header");
            }
            headerLen = bb.getInt(8) & 0xffffffffL;
            start = 12;
        } else {
            throw new NpyFormatException(file, "unsupported .npy version " + major + "." + minor
                    + " (adam4j reads 1.0 and 2.0)");
        }
        if (start + headerLen > bytes.length) {
            throw new NpyFormatException(file, "truncated header: it says " + headerLen + " bytes, the file has "
                    + (bytes.length - start));
        }
        String header = new String(bytes, start, (int) headerLen, StandardCharsets.ISO_8859_1).trim();
        if (!header.startsWith("{") || !header.endsWith("}")) {
            throw new NpyFormatException(file, "header is not a dict: " + abbreviate(header));
        }
        String descr = group(file, DESCR, header, "descr");
        NpyArray.DType dtype;
        switch (descr) {
            case "<f4" -> dtype = NpyArray.DType.F32;
            case "<f8" -> dtype = NpyArray.DType.F64;
            case ">f4", ">f8" -> throw new NpyFormatException(file,
                    "big-endian data ('" + descr + "'); adam4j reads little-endian float32 ('<f4') or float64 ('<f8')");
            default -> throw new NpyFormatException(file,
                    "dtype '" + descr + "' is not supported; adam4j reads little-endian float32 ('<f4') or float64 ('<f8')");
        }
        if (group(file, FORTRAN, header, "fortran_order").equals("True")) {
            throw new NpyFormatException(file, "Fortran-order data; adam4j reads C order only");
        }
        int[] shape = shape(file, group(file, SHAPE, header, "shape"));
        long count = 1;
        for (int d : shape) {
            count *= d;
        }
        long dataStart = start + headerLen;
        long need = count * dtype.bytes;
        long have = bytes.length - dataStart;
        if (have < need) {
            throw new NpyFormatException(file, "truncated data: shape " + java.util.Arrays.toString(shape) + " needs "
                    + need + " bytes, the file has " + have);
        }
        if (have > need) {
            throw new NpyFormatException(file, (have - need) + " bytes of unexpected data after the array");
        }
        bb.position((int) dataStart);
        if (dtype == NpyArray.DType.F32) {
            float[] data = new float[(int) count];
            bb.slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(data);
            return NpyArray.of(data, shape);
        }
        double[] data = new double[(int) count];
        bb.slice().order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(data);
        return NpyArray.of(data, shape);
    }

    private static String group(Path file, Pattern p, String header, String key) throws NpyFormatException {
        Matcher m = p.matcher(header);
        if (!m.find()) {
            throw new NpyFormatException(file, "header lacks '" + key + "': " + abbreviate(header));
        }
        return m.group(1);
    }

    private static int[] shape(Path file, String text) throws NpyFormatException {
        List<Integer> dims = new ArrayList<>();
        for (String part : text.split(",")) {
            String t = part.trim();
            if (t.isEmpty()) {
                continue;
            }
            try {
                dims.add(Integer.parseInt(t.endsWith("L") ? t.substring(0, t.length() - 1) : t));
            } catch (NumberFormatException e) {
                throw new NpyFormatException(file, "bad shape (" + text + ")");
            }
        }
        if (dims.size() < 1 || dims.size() > 2) {
            throw new NpyFormatException(file, "shape (" + text + ") has " + dims.size()
                    + " dimensions; adam4j reads 1-D and 2-D arrays");
        }
        long count = 1;
        for (int d : dims) {
            if (d < 0) {
                throw new NpyFormatException(file, "bad shape (" + text + ")");
            }
            count *= d;
        }
        if (count > Integer.MAX_VALUE - 16) {
            throw new NpyFormatException(file, "shape (" + text + ") is too large for one Java array");
        }
        return dims.stream().mapToInt(Integer::intValue).toArray();
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }

    /** The bytes of {@code array} as a version 1.0 .npy file (2.0 if its header would not fit 1.0). */
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
        } else {
            bb.asDoubleBuffer().put(array.f64());
        }
        return bb.array();
    }

    /** Writes {@code array} to {@code file} through a temporary file and a rename, so no half-written file is left. */
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
