package org.adam4j.reference.cases;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {
    @TempDir
    Path tmp;

    @Test
    void readsWhatNumPyWroteAndWritesItBackByteForByte() throws IOException {
        Path file = SharedCases.root().resolve("adam-default/grads.npy");
        NpyArray a = Npy.read(file);
        assertEquals(NpyArray.DType.F32, a.dtype());
        assertArrayEquals(new int[] {100, 1031}, a.shape());
        assertArrayEquals(Files.readAllBytes(file), Npy.toBytes(a), "NumPy's own header layout is reproduced");
        Path f64 = SharedCases.root().resolve("adam-float64/param0.npy");
        NpyArray b = Npy.read(f64);
        assertEquals(NpyArray.DType.F64, b.dtype());
        assertArrayEquals(Files.readAllBytes(f64), Npy.toBytes(b));
    }

    @Test
    void roundTripsFloatAndDoubleIn1DAnd2D() throws IOException {
        float[] f = {0f, -0f, Float.NaN, Float.MIN_VALUE, Float.MAX_VALUE, 1.5f};
        double[] d = {0, -0.0, Double.NEGATIVE_INFINITY, Double.MIN_VALUE, 1e300, -2.25};
        for (NpyArray a : new NpyArray[] {NpyArray.of(f, 6), NpyArray.of(f, 2, 3), NpyArray.of(d, 6),
                NpyArray.of(d, 3, 2), NpyArray.of(new float[0], 0)}) {
            NpyArray back = roundTrip(a);
            if (a.f32() != null) {
                assertArrayEquals(a.f32(), back.f32());
            } else {
                assertArrayEquals(a.f64(), back.f64());
            }
        }
    }

    /**
     * uint16 arrays (16-bit float patterns) round-trip with every bit, the header NumPy writes for them ('<u2') is
     * read, and big-endian ones are refused as the float types are (validate's tests compare its --out with the
     * recorded cases' uint16 files byte for byte).
     */
    @Test
    void roundTripsUint16PatternsAsNumPyWritesThem() throws IOException {
        short[] bits = {0, (short) 0x8000, 0x7f80, (short) 0xff80, 0x7fc0, 0x0001, (short) 0xffff, 0x3f80};
        for (NpyArray a : new NpyArray[] {NpyArray.of(bits, 8), NpyArray.of(bits, 2, 4)}) {
            NpyArray back = roundTrip(a);
            assertArrayEquals(bits, back.u16());
            assertEquals(0xffff, back.get(6));
            assertThrows(IllegalStateException.class, back::toF32);
        }
        byte[] good = Npy.toBytes(NpyArray.of(bits, 8));
        assertRefused(replace(good, "'<u2'", "'>u2'"), "big-endian");
        assertRefused(replace(good, "'<u2'", "'<i2'"), "dtype '<i2' is not supported");
    }

    /**
     * uint8 arrays (8-bit state codes) round-trip with every bit, written with the descr NumPy writes ('|u1'), and
     * read under every descr NumPy reads as uint8 ('|u1', '<u1', '>u1': a byte has no order); other one-byte types
     * and truncated data are refused.
     */
    @Test
    void roundTripsUint8CodesAsNumPyWritesThem() throws IOException {
        byte[] codes = {0, 1, 127, (byte) 128, (byte) 254, (byte) 255};
        for (NpyArray a : new NpyArray[] {NpyArray.of(codes, 6), NpyArray.of(codes, 2, 3)}) {
            NpyArray back = roundTrip(a);
            assertArrayEquals(codes, back.u8());
            assertEquals(255, back.get(5));
            assertEquals(128, back.get(3));
            assertTrue(new String(Npy.toBytes(a), StandardCharsets.ISO_8859_1).contains("'descr': '|u1'"));
            assertThrows(IllegalStateException.class, back::toF64);
        }
        byte[] good = Npy.toBytes(NpyArray.of(codes, 6));
        for (String descr : new String[] {"'<u1'", "'>u1'"}) {
            Path file = tmp.resolve("order.npy");
            Files.write(file, replace(good, "'|u1'", descr));
            assertArrayEquals(codes, Npy.read(file).u8(), descr);
        }
        assertRefused(replace(good, "'|u1'", "'|i1'"), "dtype '|i1' is not supported");
        assertRefused(replace(good, "'|u1'", "'|b1'"), "dtype '|b1' is not supported");
        assertRefused(Arrays.copyOf(good, good.length - 1), "truncated data: shape [6] needs 6 bytes, the file has 5");
        byte[] big = new byte[3 * 400_000]; // beyond the reader's 1 MiB chunk
        new java.util.Random(1).nextBytes(big);
        assertArrayEquals(big, roundTrip(NpyArray.of(big, 3, 400_000)).u8(), "read in chunks");
    }

    /** Writes {@code a}, reads it back with its dtype and shape, and checks the file holds {@link Npy#toBytes}. */
    private NpyArray roundTrip(NpyArray a) throws IOException {
        Path file = tmp.resolve("round-trip.npy");
        Npy.write(file, a);
        NpyArray back = Npy.read(file);
        assertEquals(a.dtype(), back.dtype());
        assertArrayEquals(a.shape(), back.shape());
        assertArrayEquals(Npy.toBytes(a), Files.readAllBytes(file));
        return back;
    }

    @Test
    void readsVersion2Headers() throws IOException {
        byte[] v2 = withVersion2Length(Npy.toBytes(NpyArray.of(new double[] {1, 2, 3}, 3)));
        Path file = tmp.resolve("v2.npy");
        Files.write(file, v2);
        assertArrayEquals(new double[] {1, 2, 3}, Npy.read(file).f64());
    }

    /** A version 1.0 file rewritten with version 2.0's 4-byte header length. */
    private static byte[] withVersion2Length(byte[] v1) {
        int headerLen = ByteBuffer.wrap(v1, 8, 2).order(ByteOrder.LITTLE_ENDIAN).getShort() & 0xffff;
        ByteBuffer v2 = ByteBuffer.allocate(v1.length + 2).order(ByteOrder.LITTLE_ENDIAN);
        v2.put(v1, 0, 6).put((byte) 2).put((byte) 0).putInt(headerLen).put(v1, 10, v1.length - 10);
        return v2.array();
    }

    @Test
    void refusesMalformedFilesNamingTheProblem() throws IOException {
        byte[] good = Npy.toBytes(NpyArray.of(new float[] {1, 2, 3, 4}, 4));
        assertRefused(Arrays.copyOf(good, good.length - 3), "truncated data");
        assertRefused(Arrays.copyOf(good, 8), "too short");
        byte[] magic = good.clone();
        magic[1] = 'X';
        assertRefused(magic, "bad magic");
        byte[] version = good.clone();
        version[6] = 9;
        assertRefused(version, "unsupported .npy version 9.0");
        byte[] v3 = Npy.toBytes(NpyArray.of(new float[] {1, 2, 3, 4}, 4));
        v3 = withVersion2Length(v3);
        v3[6] = 3;
        assertRefused(v3, "unsupported .npy version 3.0 (adam4j reads 1.0 and 2.0)");
        byte[] minor = good.clone();
        minor[7] = 1;
        assertRefused(minor, "unsupported .npy version 1.1");
        assertRefused(replace(good, "'<f4'", "'>f4'"), "big-endian");
        assertRefused(replace(good, "'<f4'", "'<i4'"), "dtype '<i4' is not supported");
        assertRefused(replace(good, "False", "True "), "Fortran-order");
        assertRefused(replace(good, "(4,), }  ", "(1,1,4)} "), "3 dimensions");
        byte[] extra = Arrays.copyOf(good, good.length + 4);
        assertRefused(extra, "unexpected data");
        assertRefused(new byte[0], "too short");
        NpyArray.of(new float[0], 0);
        Npy.NpyFormatException missing = assertThrows(Npy.NpyFormatException.class,
                () -> Npy.read(tmp.resolve("absent.npy")));
        assertTrue(missing.getMessage().endsWith("absent.npy: no such file"), missing.getMessage());
    }


    /** A header with the dict literal {@code dict}, padded as NumPy pads, and {@code data} after it. */
    private static byte[] npy(String dict, byte[] data) {
        byte[] text = dict.getBytes(StandardCharsets.ISO_8859_1);
        int headerLen = (10 + text.length + 1 + 63) / 64 * 64 - 10;
        ByteBuffer bb = ByteBuffer.allocate(10 + headerLen + data.length).order(ByteOrder.LITTLE_ENDIAN);
        bb.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) headerLen).put(text);
        for (int i = text.length; i < headerLen - 1; i++) {
            bb.put((byte) ' ');
        }
        return bb.put((byte) '\n').put(data).array();
    }

    private static final byte[] FOUR_FLOATS = Arrays.copyOfRange(Npy.toBytes(NpyArray.of(new float[] {1, 2, 3, 4}, 4)),
            128, 144);

    @Test
    void headersNumPyRefusesOrReadsDifferentlyAreRefused() throws IOException {
        assertRefused(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), 'shape': (2, 2)}", FOUR_FLOATS),
                "the key 'shape' twice (NumPy would take the last)");
        assertRefused(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), 'x': 1}", FOUR_FLOATS),
                "the key 'x', which NumPy refuses");
        assertRefused(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4)}", FOUR_FLOATS),
                "(4) at byte 60 is not a tuple (write (4,) for one dimension");
        assertRefused(npy("{'descr': '<f4', 'fortran_order': False, 'shape': 4}", FOUR_FLOATS),
                "shape 4 is not a tuple");
        assertRefused(npy("{'descr': '<f4', 'fortran_order': False,\0 'shape': (4,)}", FOUR_FLOATS),
                "the byte 0x00 at byte 50");
        assertRefused(npy("{'descr': '<f4', 'fortran_order': False,\u0001'shape': (4,)}", FOUR_FLOATS),
                "the byte 0x01");
        assertRefused(npy("{'descr': '<f4', 'fortran_order': 0, 'shape': (4,)}", FOUR_FLOATS),
                "fortran_order is not True or False: 0");
        assertRefused(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (04,)}", FOUR_FLOATS), "leading zero");
        assertRefused(npy("{'descr': '<\\x66\\x34', 'fortran_order': False, 'shape': (4,)}", FOUR_FLOATS),
                "backslash escape");
        assertRefused(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4,)} # comment", FOUR_FLOATS),
                "'#' at byte");
        assertRefused(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4,)", FOUR_FLOATS), "where '}' belongs");
        assertRefused(npy("{'descr': '<f4', 'fortran_order': False}", FOUR_FLOATS), "header lacks 'shape'");
        assertRefused(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (-4,)}", FOUR_FLOATS), "'-' at byte");
        assertRefused(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 'a')}", FOUR_FLOATS),
                "holds 'a', not a whole number");
        assertRefused(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,)}", FOUR_FLOATS),
                "too large");
        assertRefused(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (65536, 65536)}", FOUR_FLOATS),
                "too large for one Java array");
        assertRefused(npy("{" + " ".repeat(Npy.MAX_HEADER) + "}", FOUR_FLOATS), "NumPy reads at most 10000");
    }

    @Test
    void readsTheHeadersNumPyReads() throws IOException {
        for (String dict : new String[] {"{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (4,)}",
                "{'shape': (2L, 2L), 'fortran_order': False, 'descr': '<f4'}",
                "{'descr':'<f4','fortran_order':False,'shape':(4,)}",
                "{\t'descr': '<f4',\n 'fortran_order': False, 'shape': ( 1 , 4 ) , }"}) {
            Path file = tmp.resolve("ok.npy");
            Files.write(file, npy(dict, FOUR_FLOATS));
            assertArrayEquals(new float[] {1, 2, 3, 4}, Npy.read(file).f32(), dict);
        }
    }

    @Test
    void whatComesFromTheFileIsEscapedAndTheFileNamed() throws IOException {
        Npy.NpyFormatException e = assertRefused(
                npy("{'descr': '\u001b[31mRED\u001b[0m', 'fortran_order': False, 'shape': (4,)}", FOUR_FLOATS),
                "the byte 0x1B");
        assertTrue(e.getMessage().chars().noneMatch(c -> c < 0x20), e.getMessage());
        e = assertRefused(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), 'x\u009b': 1}",
                FOUR_FLOATS), "the byte 0x9B");
        assertTrue(e.getMessage().chars().noneMatch(c -> c < 0x20 || (c >= 0x7f && c <= 0x9f)), e.getMessage());
        Path dir = Files.createDirectories(tmp.resolve("grads.npy"));
        Npy.NpyFormatException folder = assertThrows(Npy.NpyFormatException.class, () -> Npy.read(dir));
        assertEquals(dir + ": is a folder, not a .npy file", folder.getMessage());
    }

    @Test
    void aStreamDeclaringMoreThanItHoldsIsRefusedWithoutAllocatingTheDeclaredSize() throws IOException {
        // 2^31 - 17 doubles (16 GiB) declared, 16 bytes present: refused as truncated, whatever the heap.
        byte[] bytes = npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2147483631,), }", FOUR_FLOATS);
        Path name = tmp.resolve("stream.npy");
        Npy.NpyFormatException e = assertThrows(Npy.NpyFormatException.class,
                () -> Npy.read(name, new ByteArrayInputStream(bytes)));
        assertEquals(name + ": truncated data: shape [2147483631] needs 17179869048 bytes, the file has 16",
                e.getMessage());
        NpyArray fromStream = Npy.read(name, new ByteArrayInputStream(
                Npy.toBytes(NpyArray.of(new double[10_000], 100, 100))));
        assertArrayEquals(new int[] {100, 100}, fromStream.shape(), "grows past its first 4096 elements");
        Npy.NpyFormatException extra = assertThrows(Npy.NpyFormatException.class, () -> Npy.read(name,
                new ByteArrayInputStream(Arrays.copyOf(Npy.toBytes(NpyArray.of(new float[] {1}, 1)), 132 + 7))));
        assertEquals(name + ": 7 bytes of unexpected data after the array", extra.getMessage());
    }

    @Test
    void anArrayLargerThanTheHeapIsRefusedInOneLineNamingTheFile() throws IOException {
        long elements = Integer.MAX_VALUE - 16;
        assumeTrue(Runtime.getRuntime().maxMemory() < elements * 8, "a heap of 16 GiB or more could hold it");
        Path file = sparse("huge.npy", "{'descr': '<f8', 'fortran_order': False, 'shape': (2147483631,), }",
                elements * 8);
        Npy.NpyFormatException e = assertThrows(Npy.NpyFormatException.class, () -> Npy.read(file));
        assertTrue(e.getMessage().startsWith(file + ": shape [2147483631] holds 2147483631 float64 values "
                + "(16384.0 MiB), more than this JVM's heap (at most "), e.getMessage());
        assertTrue(e.getMessage().endsWith("can hold; give it more with -Xmx (ADAM4J_JAVA_OPTS for ./adam4j)"),
                e.getMessage());
    }

    @Test
    void readsAFileOverTwoGibibytes() throws IOException {
        int elements = 540_000_000; // 2.16 GB of float32, a sparse file of zeros with a 1 at each end
        assumeTrue(Runtime.getRuntime().maxMemory() > 4L * elements + (1L << 30), "needs a heap of 3.2 GB");
        Path file = sparse("big.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (540000000,), }",
                4L * elements);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(128);
            raf.write(new byte[] {0, 0, (byte) 0x80, 0x3f});
            raf.seek(128 + 4L * (elements - 1));
            raf.write(new byte[] {0, 0, (byte) 0x80, (byte) 0xbf});
        }
        float[] data = Npy.read(file).f32();
        assertEquals(elements, data.length);
        assertEquals(1f, data[0]);
        assertEquals(0f, data[elements / 2]);
        assertEquals(-1f, data[elements - 1]);
    }

    /** A file with {@code dict}'s header and {@code dataBytes} of zeros that take no disk space. */
    private Path sparse(String name, String dict, long dataBytes) throws IOException {
        byte[] header = npy(dict, new byte[0]);
        assertEquals(128, header.length);
        Path file = tmp.resolve(name);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.write(header);
            raf.setLength(header.length + dataBytes);
        }
        return file;
    }

    private Npy.NpyFormatException assertRefused(byte[] bytes, String problem) throws IOException {
        Path file = tmp.resolve("bad.npy");
        Files.write(file, bytes);
        Npy.NpyFormatException e = assertThrows(Npy.NpyFormatException.class, () -> Npy.read(file));
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(problem), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        Npy.NpyFormatException fromStream = assertThrows(Npy.NpyFormatException.class,
                () -> Npy.read(file, new ByteArrayInputStream(bytes)));
        if (!problem.startsWith("truncated")) {
            assertEquals(e.getMessage(), fromStream.getMessage(), "the stream reader refuses it alike");
        }
        return e;
    }

    private static byte[] replace(byte[] bytes, String from, String to) {
        assertEquals(from.length(), to.length());
        String s = new String(bytes, StandardCharsets.ISO_8859_1);
        assertTrue(s.contains(from), from);
        return s.replace(from, to).getBytes(StandardCharsets.ISO_8859_1);
    }
}
