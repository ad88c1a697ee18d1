package org.adam4j.reference.cases;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
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
            Path file = tmp.resolve("a.npy");
            Npy.write(file, a);
            NpyArray back = Npy.read(file);
            assertArrayEquals(a.shape(), back.shape());
            assertEquals(a.dtype(), back.dtype());
            assertArrayEquals(Npy.toBytes(a), Files.readAllBytes(file));
            if (a.f32() != null) {
                assertArrayEquals(a.f32(), back.f32());
            } else {
                assertArrayEquals(a.f64(), back.f64());
            }
        }
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

    private void assertRefused(byte[] bytes, String problem) throws IOException {
        Path file = tmp.resolve("bad.npy");
        Files.write(file, bytes);
        Npy.NpyFormatException e = assertThrows(Npy.NpyFormatException.class, () -> Npy.read(file));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(problem), e.getMessage());
    }

    private static byte[] replace(byte[] bytes, String from, String to) {
        assertEquals(from.length(), to.length());
        String s = new String(bytes, StandardCharsets.ISO_8859_1);
        assertTrue(s.contains(from), from);
        return s.replace(from, to).getBytes(StandardCharsets.ISO_8859_1);
    }
}
