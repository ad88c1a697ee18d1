package org.adam4j.train;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import java.util.zip.ZipException;

/**
 * A gzip file's content (RFC 1952), member after member as gunzip reads it, but refusing what
 * {@link java.util.zip.GZIPInputStream} silently drops: bytes after the last member that do not start another one.
 * Each member's CRC-32 and length, and its header's CRC16 when it has one, are checked.
 *
 * @throws EOFException (from reads) when the stream is cut off
 * @throws ZipException (from reads) for a corrupt member, or trailing bytes (the message says which)
 */
final class GzipStream extends InputStream {
    private static final int FTEXT_RESERVED = 0xe0;
    private static final int FHCRC = 0x02;
    private static final int FEXTRA = 0x04;
    private static final int FNAME = 0x08;
    private static final int FCOMMENT = 0x10;

    private final InputStream in;
    private final Inflater inflater = new Inflater(true);
    private final CRC32 crc = new CRC32();
    /** The CRC-32 of the member header read so far, for its optional CRC16; null outside a header. */
    private CRC32 headerCrc;
    private final byte[] buf = new byte[1 << 16];
    private int pos;
    private int len;
    private long memberBytes;
    /** Raw bytes read before {@code buf[0]}: {@code consumedBefore + pos} is the offset in the compressed file. */
    private long consumedBefore;
    private boolean inMember;
    private boolean ended;

    GzipStream(InputStream in) throws IOException {
        this.in = in;
        try {
            startMember();
        } catch (IOException e) {
            inflater.end(); // its native memory, now rather than at the next garbage collection
            throw e;
        }
    }

    /** {@code true} if the raw stream starts with the gzip magic number. */
    static boolean isGzip(int b0, int b1) {
        return b0 == 0x1f && b1 == 0x8b;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int n) throws IOException {
        if (n == 0) {
            return 0;
        }
        while (!ended) {
            if (!inMember) {
                if (!nextMember()) {
                    return -1;
                }
                continue;
            }
            if (inflater.needsInput()) {
                if (!refill()) {
                    throw new EOFException("the gzip stream ends early");
                }
                inflater.setInput(buf, pos, len - pos);
            }
            int got;
            try {
                got = inflater.inflate(b, off, n);
            } catch (DataFormatException e) {
                throw new ZipException("corrupt gzip stream (" + e.getMessage() + ")");
            }
            pos = len - inflater.getRemaining();
            if (got > 0) {
                crc.update(b, off, got);
                memberBytes += got;
                return got;
            }
            if (inflater.finished()) {
                endMember();
            } else if (inflater.needsDictionary()) {
                throw new ZipException("corrupt gzip stream (it asks for a preset dictionary)");
            }
        }
        return -1;
    }

    /** After a member: the end of the stream, another member, or trailing bytes (refused). */
    private boolean nextMember() throws IOException {
        if (pos >= len && !refill()) {
            ended = true;
            return false;
        }
        int b0 = buf[pos] & 0xff;
        int b1 = pos + 1 < len || refillKeeping() ? buf[pos + 1] & 0xff : -1;
        if (!isGzip(b0, b1)) {
            throw new ZipException("bytes after the gzip stream, from byte " + (consumedBefore + pos)
                    + " of the file on");
        }
        startMember();
        return true;
    }

    private void startMember() throws IOException {
        headerCrc = new CRC32();
        if (readByte() != 0x1f || readByte() != 0x8b) {
            throw new ZipException("not in gzip format");
        }
        if (readByte() != 8) {
            throw new ZipException("unsupported compression method");
        }
        int flags = readByte();
        if ((flags & FTEXT_RESERVED) != 0) {
            throw new ZipException("reserved gzip header flags set");
        }
        skip(6); // modification time, extra flags, operating system
        if ((flags & FEXTRA) != 0) {
            skip(readByte() | (readByte() << 8));
        }
        if ((flags & FNAME) != 0) {
            while (readByte() != 0) {
                // the original file name
            }
        }
        if ((flags & FCOMMENT) != 0) {
            while (readByte() != 0) {
                // a comment
            }
        }
        if ((flags & FHCRC) != 0) {
            long expected = headerCrc.getValue() & 0xffff;
            headerCrc = null;
            if ((readByte() | (readByte() << 8)) != expected) {
                throw new ZipException("corrupt gzip stream (header CRC mismatch)");
            }
        }
        headerCrc = null;
        inflater.reset();
        crc.reset();
        memberBytes = 0;
        inMember = true;
        if (pos < len) {
            inflater.setInput(buf, pos, len - pos);
        }
    }

    private void endMember() throws IOException {
        inMember = false;
        long expectedCrc = readInt();
        long size = readInt();
        if (expectedCrc != crc.getValue()) {
            throw new ZipException("corrupt gzip stream (CRC-32 mismatch)");
        }
        if (size != (memberBytes & 0xffffffffL)) {
            throw new ZipException("corrupt gzip stream (length mismatch)");
        }
    }

    private long readInt() throws IOException {
        return readByte() | (readByte() << 8) | (readByte() << 16) | ((long) readByte() << 24);
    }

    private void skip(int n) throws IOException {
        for (int i = 0; i < n; i++) {
            readByte();
        }
    }

    private int readByte() throws IOException {
        if (pos >= len && !refill()) {
            throw new EOFException("the gzip stream ends early");
        }
        int b = buf[pos++] & 0xff;
        if (headerCrc != null) {
            headerCrc.update(b);
        }
        return b;
    }

    /** Replaces the consumed buffer with new bytes; {@code false} at the end of the raw stream. */
    private boolean refill() throws IOException {
        consumedBefore += len;
        int n = in.read(buf, 0, buf.length);
        if (n <= 0) {
            pos = len = 0;
            return false;
        }
        pos = 0;
        len = n;
        return true;
    }

    /** Reads more after the one unread byte at {@code pos}; {@code false} if there is none. */
    private boolean refillKeeping() throws IOException {
        consumedBefore += pos;
        buf[0] = buf[pos];
        int n = in.read(buf, 1, buf.length - 1);
        pos = 0;
        len = 1 + Math.max(n, 0);
        return n > 0;
    }

    @Override
    public void close() throws IOException {
        inflater.end();
        in.close();
    }
}
