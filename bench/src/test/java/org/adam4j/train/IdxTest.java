package org.adam4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {
    @TempDir
    Path dir;

    private Path write(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    private String refusal(String name, byte[] bytes, int dims) throws IOException {
        Path p = write(name, bytes);
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> Idx.read(p, dims));
        assertTrue(e.getMessage().startsWith(p.toString() + ": "), e.getMessage());
        assertEquals(-1, e.getMessage().indexOf('\n'), "one line: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    void readsPlainAndGzippedFilesAlike() throws IOException {
        byte[] plain = IdxFiles.images(3, 4, 5);
        Idx.Array a = Idx.read(write("a", plain), 3);
        Idx.Array b = Idx.read(write("b.gz", IdxFiles.gzip(plain)), 3);
        assertArrayEquals(new int[] {3, 4, 5}, a.dims());
        assertEquals(3, a.items());
        assertEquals(20, a.itemSize());
        assertArrayEquals(Arrays.copyOfRange(plain, 16, plain.length), a.data());
        assertArrayEquals(a.data(), b.data());
    }

    @Test
    void refusesABadMagicNumber() throws IOException {
        assertTrue(refusal("m", IdxFiles.idx(0x0802, new int[] {1, 1}, new byte[1]), 1).contains("bad magic number"));
        // A labels file where images are expected: right type, wrong number of dimensions.
        assertTrue(refusal("l", IdxFiles.labels(4), 3).contains("bad magic number 0x00000801"));
        // Ints instead of unsigned bytes.
        assertTrue(refusal("i", IdxFiles.idx(0x0C01, new int[] {1}, new byte[4]), 1).contains("bad magic number"));
    }

    @Test
    void refusesTruncatedFiles() throws IOException {
        byte[] full = IdxFiles.images(3, 4, 5);
        assertTrue(refusal("empty", new byte[0], 3).contains("truncated"));
        assertTrue(refusal("header", Arrays.copyOf(full, 10), 3).contains("truncated: the header"));
        String m = refusal("data", Arrays.copyOf(full, full.length - 1), 3);
        assertTrue(m.contains("need 60 bytes of data, the file has 59"), m);
        byte[] gz = IdxFiles.gzip(full);
        assertTrue(refusal("cut.gz", Arrays.copyOf(gz, gz.length / 2), 3).contains("truncated"));
    }

    @Test
    void aHeaderDeclaringMoreThanTheFileHoldsIsRefusedBeforeAllocating() throws IOException {
        // 13 bytes declaring 2^31 - 9 labels: refused from the file's size (plain) or after the 5 bytes it holds
        // (gzipped), either way without allocating the 2 GB the header asks for.
        byte[] huge = IdxFiles.idx(0x801, new int[] {Integer.MAX_VALUE - 8}, new byte[] {1, 2, 3, 4, 5});
        assertEquals(13, huge.length);
        String plain = refusal("huge", huge, 1);
        assertTrue(plain.endsWith(": truncated: dimensions [2147483639] need 2147483639 bytes of data, the file has 5"),
                plain);
        String gz = refusal("huge.gz", IdxFiles.gzip(huge), 1);
        assertTrue(gz.endsWith(": truncated: dimensions [2147483639] need 2147483639 bytes of data, the file has 5"),
                gz);
        String images = refusal("images", IdxFiles.idx(0x803, new int[] {60000, 28, 1278}, new byte[16]), 3);
        assertTrue(images.endsWith("need 2147040000 bytes of data, the file has 16"), images);
    }

    @Test
    void gzipRefusesTrailingBytesAndReadsFurtherMembersAsGunzipDoes() throws IOException {
        byte[] labels = IdxFiles.labels(5);
        byte[] gz = IdxFiles.gzip(labels);
        byte[] garbage = Arrays.copyOf(gz, gz.length + 3);
        String m = refusal("trailing.gz", garbage, 1);
        assertTrue(m.endsWith(": bytes after the gzip stream, from byte " + gz.length + " of the file on"), m);
        byte[] zeros = Arrays.copyOf(gz, gz.length + 1);
        assertTrue(refusal("zero.gz", zeros, 1).contains("bytes after the gzip stream"));
        byte[] first = IdxFiles.gzip(Arrays.copyOf(labels, 7));
        byte[] second = IdxFiles.gzip(Arrays.copyOfRange(labels, 7, labels.length));
        byte[] members = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, members, first.length, second.length);
        assertArrayEquals(new byte[] {0, 1, 2, 3, 4}, Idx.read(write("members.gz", members), 1).data());
        byte[] badCrc = gz.clone();
        badCrc[badCrc.length - 8] ^= 1;
        assertTrue(refusal("crc.gz", badCrc, 1).contains("corrupt gzip stream (CRC-32 mismatch)"));
        byte[] badLength = gz.clone();
        badLength[badLength.length - 4] ^= 1;
        assertTrue(refusal("length.gz", badLength, 1).contains("corrupt gzip stream (length mismatch)"));
    }

    @Test
    void aFolderWhereTheFileBelongsIsNamed() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("train-labels-idx1-ubyte"));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> Idx.read(folder, 1));
        assertEquals(folder + ": is a folder, not an IDX file", e.getMessage());
    }

    @Test
    void refusesEmptySetsAndImagesWithoutPixels() throws IOException {
        Path mnist = IdxFiles.mnistFolder(dir.resolve("mnist"));
        Path trainImages = mnist.resolve("train-images-idx3-ubyte.gz");
        Files.write(trainImages, IdxFiles.gzip(IdxFiles.idx(0x803, new int[] {12, 0, 0}, new byte[0])));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> Mnist.load(mnist));
        assertEquals(trainImages + ": images of 0 x 0 pixels; a model needs at least one", e.getMessage());
        Files.write(trainImages, IdxFiles.gzip(IdxFiles.images(0, 4, 3)));
        e = assertThrows(IdxFormatException.class, () -> Mnist.load(mnist));
        assertEquals(trainImages + ": holds no images; training needs at least one", e.getMessage());
        Files.write(trainImages, IdxFiles.gzip(IdxFiles.images(12, 4, 3)));
        Path testImages = mnist.resolve("t10k-images-idx3-ubyte");
        Files.write(testImages, IdxFiles.images(0, 4, 3));
        e = assertThrows(IdxFormatException.class, () -> Mnist.load(mnist));
        assertEquals(testImages + ": holds no images; the test accuracy needs at least one", e.getMessage());
    }

    @Test
    void refusesBytesAfterTheData() throws IOException {
        byte[] full = IdxFiles.labels(5);
        assertTrue(refusal("long", Arrays.copyOf(full, full.length + 1), 1).contains("bytes after"));
    }

    @Test
    void refusesANegativeDimension() throws IOException {
        assertTrue(refusal("neg", IdxFiles.idx(0x0801, new int[] {-1}, new byte[0]), 1).contains("negative"));
    }

    @Test
    void loadsAnMnistFolder() throws IOException {
        Dataset.Split s = Mnist.load(IdxFiles.mnistFolder(dir.resolve("mnist")));
        assertEquals(12, s.train().rows());
        assertEquals(5, s.test().rows());
        assertEquals(12, s.train().features());
        assertEquals(7, s.train().label(7));
        float[] row = new float[12];
        s.train().copyFeatures(1, row, 0);
        // standardized as torchvision's MNIST examples do
        assertEquals((((12 * 37) & 0xff) / 255f - 0.1307f) / 0.3081f, row[0], 1e-5f);
    }

    @Test
    void refusesLabelsThatDoNotMatchTheImages() throws IOException {
        Path mnist = IdxFiles.mnistFolder(dir.resolve("mnist"));
        Files.write(mnist.resolve("t10k-labels-idx1-ubyte"), IdxFiles.labels(4));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> Mnist.load(mnist));
        assertTrue(e.getMessage().contains("4 labels for the 5 images"), e.getMessage());
    }

    @Test
    void refusesALabelThatIsNotADigit() throws IOException {
        Path mnist = IdxFiles.mnistFolder(dir.resolve("mnist"));
        Files.write(mnist.resolve("t10k-labels-idx1-ubyte"), IdxFiles.idx(0x801, new int[] {5}, new byte[] {0, 1, 2, 10, 3}));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> Mnist.load(mnist));
        assertTrue(e.getMessage().contains("label 10 at index 3"), e.getMessage());
    }

    @Test
    void refusesAFolderWithoutTheFiles() throws IOException {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> Mnist.load(empty));
        assertTrue(e.getMessage().contains("no train-images-idx3-ubyte[.gz]"), e.getMessage());
        e = assertThrows(IdxFormatException.class, () -> Mnist.load(dir.resolve("absent")));
        assertTrue(e.getMessage().contains("no such folder"), e.getMessage());
    }

    @Test
    void gzipHeadersWithNameCommentExtraFieldAndHeaderCrcAreRead() throws IOException {
        byte[] labels = IdxFiles.labels(5);
        java.util.zip.Deflater deflater = new java.util.zip.Deflater(9, true);
        deflater.setInput(labels);
        deflater.finish();
        byte[] deflated = new byte[256];
        int n = deflater.deflate(deflated);
        deflater.end();
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(labels);
        java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream();
        // ID1 ID2 CM, FLG = FHCRC | FEXTRA | FNAME | FCOMMENT, MTIME, XFL, OS
        gz.writeBytes(new byte[] {0x1f, (byte) 0x8b, 8, 0x1e, 1, 2, 3, 4, 0, 3});
        gz.writeBytes(new byte[] {4, 0, 'a', 'b', 'c', 'd'}); // XLEN 4 and the extra field
        gz.writeBytes("labels\0a comment\0".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        java.util.zip.CRC32 headerCrc = new java.util.zip.CRC32();
        headerCrc.update(gz.toByteArray());
        int crc16 = (int) headerCrc.getValue() & 0xffff;
        int crc16At = gz.size();
        gz.writeBytes(new byte[] {(byte) crc16, (byte) (crc16 >> 8)});
        gz.write(deflated, 0, n);
        long c = crc.getValue();
        gz.writeBytes(new byte[] {(byte) c, (byte) (c >> 8), (byte) (c >> 16), (byte) (c >> 24), (byte) labels.length,
                0, 0, 0});
        assertArrayEquals(new byte[] {0, 1, 2, 3, 4}, Idx.read(write("flags.gz", gz.toByteArray()), 1).data());
        byte[] badHeader = gz.toByteArray();
        badHeader[crc16At] ^= 1;
        assertTrue(refusal("header.gz", badHeader, 1).contains("corrupt gzip stream (header CRC mismatch)"));
        byte[] reserved = gz.toByteArray();
        reserved[3] |= (byte) 0x80;
        assertTrue(refusal("reserved.gz", reserved, 1).contains("reserved gzip header flags set"));
    }
}
