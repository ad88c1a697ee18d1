package org.adam4j.optim;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;
import org.adam4j.reference.AdamConfig;
import org.adam4j.reference.WeightDecay;

/**
 * The optimizer state file, format version 1. All numbers are little-endian; {@code f64} is an IEEE 754 double,
 * strings are a {@code u16} byte count and UTF-8.
 *
 * <pre>
 * offset  size  field
 *      0     8  magic "ADAM4JST"
 *      8     4  u32 format version (1)
 *     12     4  u32 flags (0)
 *     16     8  i64 file length in bytes, checksum included
 *     24        string algorithm ("adam")
 *               i64 optimizer steps (step() calls so far)
 *               u32 group count, then per group:
 *                 f64 lr, beta1, beta2, eps, weight_decay
 *                 u8  weight decay mode (0 none, 1 L2, 2 decoupled, 3 fully decoupled)
 *                 f64 max_lr
 *                 u8  flags (1 amsgrad, 2 maximize, 4 epsilon_hat, 8 bias_correction)
 *                 u8  schedule (0 custom, 1 constant, 2 step decay, 3 cosine with warm-up, 4 inverse sqrt), then
 *                     step decay: i64 step_size, f64 gamma; cosine: i64 warmup, i64 total, f64 min_lr
 *                 u32 parameter count, then per parameter:
 *                   u8  bytes per element (4 float, 8 double)
 *                   u8  rank, then i64 per dimension ([rows, cols] for a matrix, [elements] otherwise)
 *                   i64 step count
 *                   u8  state count (2: exp_avg, exp_avg_sq; 3: and max_exp_avg_sq)
 *                   the state arrays one after the other, elements in order
 * length-4     4  u32 CRC32C of every byte before it
 * </pre>
 *
 * A file is written to a temporary file in the same directory, forced to disk and renamed over the target atomically.
 * A reader checks the magic, the version, the length and the checksum, then the whole structure against the live
 * optimizer, before it copies anything.
 */
public final class StateFile {
    /** The first 8 bytes of every state file. */
    public static final String MAGIC = "ADAM4JST";
    public static final int VERSION = 1;
    static final String ALGORITHM = "adam";
    private static final int HEADER = 24;
    private static final int CHECKSUM = 4;
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 =
            ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private StateFile() {
    }

    static ValueLayout fileLayout(Precision p) {
        return p == Precision.F32 ? ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN) : F64;
    }

    static ValueLayout memoryLayout(Precision p) {
        return p == Precision.F32 ? ValueLayout.JAVA_FLOAT_UNALIGNED : ValueLayout.JAVA_DOUBLE_UNALIGNED;
    }

    // ---------------------------------------------------------------- writing

    static void write(AdamOptimizer opt, Path file) throws IOException {
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        Out count = new Out(null);
        body(opt, count);
        long length = HEADER + count.position + CHECKSUM;
        Path tmp = Files.createTempFile(dir, target.getFileName() + ".", ".tmp");
        boolean moved = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                Out out = new Out(ch);
                out.bytes(MAGIC.getBytes(StandardCharsets.US_ASCII));
                out.i32(VERSION);
                out.i32(0);
                out.i64(length);
                body(opt, out);
                out.finish();
                if (out.position + CHECKSUM != length) {
                    throw new IllegalStateException("state changed while it was written: " + out.position + " + 4 != "
                            + length);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot replace " + target + " atomically on this file system", e);
            }
            moved = true;
            forceDirectory(dir);
        } finally {
            if (!moved) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    private static void forceDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // not every platform opens directories; the rename itself is atomic regardless
        }
    }

    private static void body(AdamOptimizer opt, Out out) throws IOException {
        out.string(ALGORITHM);
        out.i64(opt.steps());
        out.i32(opt.groups().size());
        for (ParamGroup g : opt.groups()) {
            AdamConfig c = g.config();
            out.f64(c.lr());
            out.f64(c.beta1());
            out.f64(c.beta2());
            out.f64(c.eps());
            out.f64(c.weightDecay());
            out.i8(c.decay().ordinal());
            out.f64(c.maxLr());
            out.i8((c.amsgrad() ? 1 : 0) | (c.maximize() ? 2 : 0) | (c.epsilonHat() ? 4 : 0)
                    | (c.biasCorrection() ? 8 : 0));
            switch (g.schedule()) {
                case LrSchedule.Constant k -> out.i8(1);
                case LrSchedule.StepDecay k -> {
                    out.i8(2);
                    out.i64(k.stepSize());
                    out.f64(k.gamma());
                }
                case LrSchedule.CosineWithWarmup k -> {
                    out.i8(3);
                    out.i64(k.warmupSteps());
                    out.i64(k.totalSteps());
                    out.f64(k.minLr());
                }
                case LrSchedule.InverseSqrt k -> out.i8(4);
                default -> out.i8(0);
            }
            out.i32(g.params().size());
            for (Param p : g.params()) {
                out.i8(p.precision.bytes());
                out.i8(p.shape.length);
                for (long d : p.shape) {
                    out.i64(d);
                }
                out.i64(p.step);
                out.i8(p.stateCount());
                for (int k = 0; k < p.stateCount(); k++) {
                    out.elements(p.state(k), p.precision);
                }
            }
        }
    }

    /** Buffered little-endian output that checksums what it writes, or with no channel only counts it. */
    private static final class Out {
        private final FileChannel ch;
        private final ByteBuffer buf;
        private final MemorySegment bufSegment;
        private final CRC32C crc = new CRC32C();
        long position;

        Out(FileChannel ch) {
            this.ch = ch;
            this.buf = ByteBuffer.allocate(ch == null ? 64 : 1 << 20).order(ByteOrder.LITTLE_ENDIAN);
            this.bufSegment = MemorySegment.ofArray(buf.array());
        }

        private void room(int n) throws IOException {
            if (buf.remaining() < n) {
                flush();
            }
        }

        void i8(int x) throws IOException {
            room(1);
            buf.put((byte) x);
            position += 1;
        }

        void i32(int x) throws IOException {
            room(4);
            buf.putInt(x);
            position += 4;
        }

        void i64(long x) throws IOException {
            room(8);
            buf.putLong(x);
            position += 8;
        }

        void f64(double x) throws IOException {
            room(8);
            buf.putDouble(x);
            position += 8;
        }

        void bytes(byte[] b) throws IOException {
            room(b.length);
            buf.put(b);
            position += b.length;
        }

        void string(String s) throws IOException {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            room(2);
            buf.putShort((short) b.length);
            position += 2;
            bytes(b);
        }

        /** The elements of a state segment (native order, heap or off-heap), converted to little-endian. */
        void elements(MemorySegment src, Precision p) throws IOException {
            long n = src.byteSize() / p.bytes();
            if (ch == null) {
                position += src.byteSize();
                return;
            }
            ValueLayout from = memoryLayout(p);
            ValueLayout to = fileLayout(p);
            for (long i = 0; i < n; ) {
                long k = Math.min(n - i, buf.remaining() / p.bytes());
                if (k == 0) {
                    flush();
                    continue;
                }
                MemorySegment.copy(src, from, i * p.bytes(), bufSegment, to, buf.position(), k);
                buf.position(buf.position() + (int) (k * p.bytes()));
                i += k;
            }
            position += src.byteSize();
        }

        void flush() throws IOException {
            buf.flip();
            if (ch != null) {
                crc.update(buf.duplicate());
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
            }
            buf.clear();
        }

        /** Flushes and appends the checksum of everything written. */
        void finish() throws IOException {
            flush();
            buf.putInt((int) crc.getValue());
            buf.flip();
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            buf.clear();
        }
    }

    // ---------------------------------------------------------------- reading

    static void read(AdamOptimizer opt, Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ); Arena arena = Arena.ofConfined()) {
            long size = ch.size();
            MemorySegment f = size == 0 ? MemorySegment.ofArray(new byte[0])
                    : ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            String where = file.toString();
            checkEnvelope(f, size, where);
            List<Runnable> copies = parse(opt, f, size, where);
            for (Runnable c : copies) {
                c.run();
            }
        }
    }

    private static void checkEnvelope(MemorySegment f, long size, String where) {
        byte[] magic = MAGIC.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < Math.min(size, magic.length); i++) {
            if (f.get(ValueLayout.JAVA_BYTE, i) != magic[i]) {
                throw new IllegalArgumentException(where + " is not an adam4j optimizer state file (it does not "
                        + "start with \"" + MAGIC + "\")");
            }
        }
        if (size < HEADER + CHECKSUM) {
            throw new IllegalArgumentException(where + " is truncated: " + size + " bytes, shorter than the "
                    + (HEADER + CHECKSUM) + "-byte header and checksum");
        }
        int version = f.get(I32, 8);
        if (version != VERSION) {
            throw new IllegalArgumentException(where + " has state file format version " + Integer.toUnsignedString(
                    version) + "; this adam4j reads version " + VERSION);
        }
        long length = f.get(I64, 16);
        if (length > size) {
            throw new IllegalArgumentException(where + " is truncated: its header says " + length + " bytes, the "
                    + "file has " + size);
        }
        if (length != size) {
            throw new IllegalArgumentException(where + " is corrupted: its header says " + length + " bytes, the "
                    + "file has " + size);
        }
        CRC32C crc = new CRC32C();
        long end = size - CHECKSUM;
        for (long o = 0; o < end; o += 1 << 30) {
            crc.update(f.asSlice(o, Math.min(1 << 30, end - o)).asByteBuffer());
        }
        int stored = f.get(I32, end);
        if (stored != (int) crc.getValue()) {
            throw new IllegalArgumentException(where + " is corrupted: its CRC32C checksum is "
                    + Integer.toHexString(stored) + " but its contents give " + Long.toHexString(crc.getValue()));
        }
    }

    /**
     * Checks the whole structure against the live optimizer and returns the copies that restore it, to run only once
     * nothing can fail any more.
     */
    private static List<Runnable> parse(AdamOptimizer opt, MemorySegment f, long size, String where) {
        In in = new In(f, HEADER, size - CHECKSUM, where);
        String algorithm = in.string();
        if (!algorithm.equals(ALGORITHM)) {
            throw new IllegalArgumentException(where + " holds the state of another optimizer ('" + algorithm
                    + "'); this one is '" + ALGORITHM + "'");
        }
        long steps = in.i64();
        if (steps < 0) {
            throw in.corrupt("a negative step count " + steps);
        }
        int groups = in.i32();
        List<ParamGroup> live = opt.groups();
        if (groups != live.size()) {
            throw new IllegalArgumentException(where + " does not match this optimizer: it has " + groups
                    + " parameter groups, this optimizer " + live.size());
        }
        List<Runnable> copies = new ArrayList<>();
        for (int gi = 0; gi < groups; gi++) {
            ParamGroup g = live.get(gi);
            AdamConfig saved = config(in, gi);
            if (!saved.equals(g.config())) {
                throw new IllegalArgumentException(where + " does not match this optimizer: group " + gi
                        + " was saved as " + saved + " but is " + g.config() + " here");
            }
            LrSchedule schedule = schedule(in);
            boolean same = schedule == null ? !isBuiltIn(g.schedule()) : schedule.equals(g.schedule());
            if (!same) {
                throw new IllegalArgumentException(where + " does not match this optimizer: group " + gi
                        + " was saved with the schedule " + (schedule == null ? "(custom)" : schedule) + " but has "
                        + (isBuiltIn(g.schedule()) ? g.schedule() : "a custom one") + " here");
            }
            int count = in.i32();
            if (count != g.params().size()) {
                throw new IllegalArgumentException(where + " does not match this optimizer: group " + gi + " has "
                        + count + " parameters in the file, " + g.params().size() + " here");
            }
            for (Param p : g.params()) {
                int bytes = in.u8();
                if (bytes != p.precision.bytes()) {
                    throw new IllegalArgumentException(where + " does not match this optimizer: " + p + " was saved "
                            + "with " + bytes + "-byte elements");
                }
                long[] shape = new long[in.u8()];
                for (int d = 0; d < shape.length; d++) {
                    shape[d] = in.i64();
                }
                if (!Arrays.equals(shape, p.shape)) {
                    throw new IllegalArgumentException(where + " does not match this optimizer: " + p
                            + " was saved with the shape " + Arrays.toString(shape));
                }
                long step = in.i64();
                if (step < 0) {
                    throw in.corrupt("a negative step count " + step + " for " + p);
                }
                int states = in.u8();
                if (states != p.stateCount()) {
                    throw in.corrupt(states + " state arrays for " + p + ", which has " + p.stateCount());
                }
                for (int k = 0; k < states; k++) {
                    long from = in.skip(p.size * p.precision.bytes());
                    MemorySegment dst = p.state(k);
                    copies.add(() -> MemorySegment.copy(f, fileLayout(p.precision), from, dst,
                            memoryLayout(p.precision), 0, p.size));
                }
                copies.add(() -> p.step = step);
            }
        }
        if (in.position != size - CHECKSUM) {
            throw in.corrupt((size - CHECKSUM - in.position) + " bytes after the last parameter");
        }
        copies.add(() -> opt.restoreSteps(steps));
        return copies;
    }

    private static AdamConfig config(In in, int group) {
        double lr = in.f64();
        double beta1 = in.f64();
        double beta2 = in.f64();
        double eps = in.f64();
        double wd = in.f64();
        int mode = in.u8();
        double maxLr = in.f64();
        int flags = in.u8();
        if (mode >= WeightDecay.values().length || (flags & ~15) != 0) {
            throw in.corrupt("an unknown weight decay mode " + mode + " or flags " + flags + " in group " + group);
        }
        try {
            AdamConfig.Builder b = AdamConfig.builder().lr(lr).betas(beta1, beta2).eps(eps)
                    .amsgrad((flags & 1) != 0).maximize((flags & 2) != 0).epsilonHat((flags & 4) != 0)
                    .biasCorrection((flags & 8) != 0);
            WeightDecay decay = WeightDecay.values()[mode];
            if (decay == WeightDecay.FULLY_DECOUPLED) {
                b.fullyDecoupled(wd, maxLr);
            } else {
                b.weightDecay(wd, decay);
                if (Double.compare(maxLr, lr) != 0) {
                    b.maxLr(maxLr);
                }
            }
            return b.build();
        } catch (IllegalArgumentException e) {
            throw in.corrupt("an invalid configuration in group " + group + " (" + e.getMessage() + ")");
        }
    }

    /** The saved schedule, or null for a custom one. */
    private static LrSchedule schedule(In in) {
        int kind = in.u8();
        try {
            return switch (kind) {
                case 0 -> null;
                case 1 -> LrSchedule.constant();
                case 2 -> LrSchedule.stepDecay(in.i64(), in.f64());
                case 3 -> LrSchedule.cosineWithWarmup(in.i64(), in.i64(), in.f64());
                case 4 -> LrSchedule.inverseSqrt();
                default -> throw in.corrupt("an unknown schedule kind " + kind);
            };
        } catch (IllegalArgumentException e) {
            if (e.getMessage().contains(" is corrupted")) {
                throw e;
            }
            throw in.corrupt("an invalid schedule (" + e.getMessage() + ")");
        }
    }

    private static boolean isBuiltIn(LrSchedule s) {
        return s instanceof LrSchedule.Constant || s instanceof LrSchedule.StepDecay
                || s instanceof LrSchedule.CosineWithWarmup || s instanceof LrSchedule.InverseSqrt;
    }

    /** Bounds-checked little-endian reads from the mapped file. */
    private static final class In {
        private final MemorySegment f;
        private final long end;
        private final String where;
        long position;

        In(MemorySegment f, long position, long end, String where) {
            this.f = f;
            this.position = position;
            this.end = end;
            this.where = where;
        }

        IllegalArgumentException corrupt(String what) {
            return new IllegalArgumentException(where + " is corrupted: it has " + what);
        }

        private long take(long n) {
            if (n < 0 || n > end - position) {
                throw corrupt("a record that runs past its end at byte " + position);
            }
            long at = position;
            position += n;
            return at;
        }

        long skip(long n) {
            return take(n);
        }

        int u8() {
            return f.get(ValueLayout.JAVA_BYTE, take(1)) & 0xff;
        }

        int i32() {
            int x = f.get(I32, take(4));
            if (x < 0) {
                throw corrupt("a count of " + Integer.toUnsignedString(x));
            }
            return x;
        }

        long i64() {
            return f.get(I64, take(8));
        }

        double f64() {
            return f.get(F64, take(8));
        }

        String string() {
            int n = f.get(U16, take(2)) & 0xffff;
            byte[] b = new byte[n];
            MemorySegment.copy(f, ValueLayout.JAVA_BYTE, take(n), b, 0, n);
            return new String(b, StandardCharsets.UTF_8);
        }
    }
}
