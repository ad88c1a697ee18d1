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
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.zip.CRC32C;
import org.adam4j.reference.AdamConfig;
import org.adam4j.reference.RelativeConfig;
import org.adam4j.reference.WeightDecay;

/**
 * The optimizer state file, format versions 1 (Adam and AdamW) and 2 (every algorithm). All numbers are little-endian; {@code f64} is an IEEE 754 double,
 * strings are a {@code u16} byte count and UTF-8.
 *
 * <pre>
 * offset  size  field
 *      0     8  magic "ADAM4JST"
 *      8     4  u32 format version (1 or 2)
 *     12     4  u32 flags (0)
 *     16     8  i64 file length in bytes, checksum included
 *     24        string algorithm ("adam")
 *               i64 optimizer steps (step() calls so far)
 *               u32 group count, then per group:
 *                 f64 lr, beta1, beta2, eps, weight_decay
 *                 u8  weight decay mode (0 none, 1 L2, 2 decoupled, 3 fully decoupled)
 *                 f64 max_lr
 *                 u8  flags (1 amsgrad, 2 maximize, 4 epsilon_hat, 8 bias_correction)
 *                 for a relative (version 2): u8 component count, then the components of its configuration record
 *                 ({@code SgdConfig(lr, momentum, dampening, weight_decay, nesterov, maximize)} and so on, in the
 *                 record's order): f64 for a number, u8 0/1 for a flag
 *                 u8  schedule kind, then its parameters (a file has the kinds its writer knew; every reader reads
 *                     all kinds before it):
 *                     0 custom (saved only from LrSchedule.lambda(fn, true)), 1 constant, 4 inverse sqrt: nothing
 *                     2 step decay: i64 step_size, f64 gamma; 3 cosine with warm-up: i64 warmup, i64 total, f64 min_lr
 *                     5 StepLR: i64 step_size, f64 gamma; 6 MultiStepLR: u32 count, i64 each milestone, f64 gamma
 *                     7 ExponentialLR: f64 gamma; 8 CosineAnnealingLR: i64 T_max, f64 eta_min
 *                     9 LinearLR: f64 start_factor, f64 end_factor, i64 total_iters
 *                     10 CosineAnnealingWarmRestarts: i64 T_0, i64 T_mult, f64 eta_min
 *                     11 OneCycleLR: f64 max_lr, i64 total_steps, f64 pct_start, u8 anneal (0 cos, 1 linear),
 *                        f64 div_factor, f64 final_div_factor, u8 three_phase
 *                     12 SequentialLR: u32 count, that many schedules of kinds 5-10 (kind, parameters), then
 *                        count - 1 i64 milestones
 *                 u32 parameter count, then per parameter:
 *                   u8  bytes per element (4 float, 8 double)
 *                   u8  rank, then i64 per dimension ([rows, cols] for a matrix, [elements] otherwise)
 *                   i64 step count
 *                   version 2 only: u8 scalar state count (1 for NAdam, 0 otherwise), then f64 each (mu_product)
 *                   u8  state count (Adam 2: exp_avg, exp_avg_sq; 3: and max_exp_avg_sq; a relative's as its
 *                       stateNames(): sgd with momentum momentum_buffer, adagrad sum...)
 *                   the state arrays one after the other, in that order, elements in order
 * length-4     4  u32 CRC32C of every byte before it
 * </pre>
 *
 * Adam's and AdamW's state is written as version 1, byte for byte as adam4j wrote it before version 2 existed, so
 * older readers still read it; a reader reads both versions.
 *
 * <p>A file is written to a temporary file in the same directory, forced to disk and renamed over the target atomically.
 * A reader checks the magic, the version, the length and the checksum, then the whole structure against the live
 * optimizer, before it copies anything.
 */
public final class StateFile {
    /** The first 8 bytes of every state file. */
    public static final String MAGIC = "ADAM4JST";
    /** The newest version this adam4j reads and writes. */
    public static final int VERSION = 2;
    /** The version of Adam's files. */
    static final int VERSION_ADAM = 1;
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
        int version = opt.algorithm().equals(ALGORITHM) ? VERSION_ADAM : VERSION;
        Out count = new Out(null);
        body(opt, count, version);
        long length = HEADER + count.position + CHECKSUM;
        Path tmp = Files.createTempFile(dir, target.getFileName() + ".", ".tmp");
        boolean moved = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                Out out = new Out(ch);
                out.bytes(MAGIC.getBytes(StandardCharsets.US_ASCII));
                out.i32(version);
                out.i32(0);
                out.i64(length);
                body(opt, out, version);
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

    private static void body(AdamOptimizer opt, Out out, int version) throws IOException {
        out.string(opt.algorithm());
        out.i64(opt.steps());
        out.i32(opt.groups().size());
        for (ParamGroup g : opt.groups()) {
            if (g.settings() instanceof RelativeConfig r) {
                relative(r, out);
            } else {
                adam(g.config(), out);
            }
            schedule(g.schedule(), out);
            out.i32(g.params().size());
            for (Param p : g.params()) {
                out.i8(p.precision.bytes());
                out.i8(p.shape.length);
                for (long d : p.shape) {
                    out.i64(d);
                }
                out.i64(p.step);
                if (version >= 2) {
                    boolean mu = Algorithm.hasMuProduct(g.settings());
                    out.i8(mu ? 1 : 0);
                    if (mu) {
                        out.f64(p.muProduct);
                    }
                }
                out.i8(p.stateCount());
                for (int k = 0; k < p.stateCount(); k++) {
                    out.elements(p.state(k), p.precision);
                }
            }
        }
    }

    private static void relative(RelativeConfig r, Out out) throws IOException {
        RecordComponent[] components = r.getClass().getRecordComponents();
        out.i8(components.length);
        for (RecordComponent c : components) {
            Object x = component(c, r);
            if (x instanceof Boolean b) {
                out.i8(b ? 1 : 0);
            } else {
                out.f64((Double) x);
            }
        }
    }

    private static Object component(RecordComponent c, Object record) {
        try {
            return c.getAccessor().invoke(record);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + c.getName() + " of " + record, e);
        }
    }

    private static void adam(AdamConfig c, Out out) throws IOException {
        out.f64(c.lr());
        out.f64(c.beta1());
        out.f64(c.beta2());
        out.f64(c.eps());
        out.f64(c.weightDecay());
        out.i8(c.decay().ordinal());
        out.f64(c.maxLr());
        out.i8((c.amsgrad() ? 1 : 0) | (c.maximize() ? 2 : 0) | (c.epsilonHat() ? 4 : 0)
                | (c.biasCorrection() ? 8 : 0));
    }

    private static void schedule(LrSchedule schedule, Out out) throws IOException {
        switch (schedule) {
            case LrSchedule.Named named -> named(named, out);
            case LrSchedule.Lambda k when k.suppliedAgainOnLoad() -> out.i8(0);
            default -> throw new IllegalArgumentException("cannot save a custom learning-rate schedule (" + schedule
                    + "): a file cannot restore it; use a named LrSchedule, or LrSchedule.lambda(fn, true) to state"
                    + " that load will be given the same function; nothing was written");
        }
    }

    private static void named(LrSchedule.Named schedule, Out out) throws IOException {
        switch (schedule) {
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
            case LrSchedule.StepLR k -> {
                out.i8(5);
                out.i64(k.stepSize());
                out.f64(k.gamma());
            }
            case LrSchedule.MultiStepLR k -> {
                out.i8(6);
                out.i32(k.milestones().size());
                for (long m : k.milestones()) {
                    out.i64(m);
                }
                out.f64(k.gamma());
            }
            case LrSchedule.ExponentialLR k -> {
                out.i8(7);
                out.f64(k.gamma());
            }
            case LrSchedule.CosineAnnealingLR k -> {
                out.i8(8);
                out.i64(k.tMax());
                out.f64(k.etaMin());
            }
            case LrSchedule.LinearLR k -> {
                out.i8(9);
                out.f64(k.startFactor());
                out.f64(k.endFactor());
                out.i64(k.totalIters());
            }
            case LrSchedule.CosineAnnealingWarmRestarts k -> {
                out.i8(10);
                out.i64(k.t0());
                out.i64(k.tMult());
                out.f64(k.etaMin());
            }
            case LrSchedule.OneCycleLR k -> {
                out.i8(11);
                out.f64(k.maxLr());
                out.i64(k.totalSteps());
                out.f64(k.pctStart());
                out.i8(k.annealStrategy().ordinal());
                out.f64(k.divFactor());
                out.f64(k.finalDivFactor());
                out.i8(k.threePhase() ? 1 : 0);
            }
            case LrSchedule.SequentialLR k -> {
                out.i8(12);
                out.i32(k.schedulers().size());
                for (LrSchedule.Phase phase : k.schedulers()) {
                    named(phase, out);
                }
                for (long m : k.milestones()) {
                    out.i64(m);
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
            int version = checkEnvelope(f, size, where);
            List<Runnable> copies = parse(opt, f, size, where, version);
            for (Runnable c : copies) {
                c.run();
            }
        }
    }

    /** Checks magic, version, length and checksum; returns the version. */
    private static int checkEnvelope(MemorySegment f, long size, String where) {
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
        if (version < VERSION_ADAM || version > VERSION) {
            throw new IllegalArgumentException(where + " has state file format version " + Integer.toUnsignedString(
                    version) + "; this adam4j reads versions " + VERSION_ADAM + " to " + VERSION);
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
        return version;
    }

    /**
     * Checks the whole structure against the live optimizer and returns the copies that restore it, to run only once
     * nothing can fail any more.
     */
    private static List<Runnable> parse(AdamOptimizer opt, MemorySegment f, long size, String where, int version) {
        In in = new In(f, HEADER, size - CHECKSUM, where);
        String algorithm = in.string();
        if (!algorithm.equals(opt.algorithm())) {
            throw new IllegalArgumentException(where + " holds the state of another optimizer ('" + algorithm
                    + "'); this one is '" + opt.algorithm() + "'");
        }
        if (version == VERSION_ADAM && !algorithm.equals(ALGORITHM)) {
            throw in.corrupt("the algorithm '" + algorithm + "' in a version 1 file, which holds Adam's state only");
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
            Object saved = g.settings() instanceof RelativeConfig r ? relative(in, gi, r) : config(in, gi);
            if (!saved.equals(g.settings())) {
                throw new IllegalArgumentException(where + " does not match this optimizer: group " + gi
                        + " was saved as " + saved + " but is " + g.settings() + " here");
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
                double muProduct = 1.0;
                if (version >= 2) {
                    int scalars = in.u8();
                    int expected = Algorithm.hasMuProduct(g.settings()) ? 1 : 0;
                    if (scalars != expected) {
                        throw in.corrupt(scalars + " scalar states for " + p + ", which has " + expected);
                    }
                    if (expected == 1) {
                        muProduct = in.f64();
                    }
                }
                double mu = muProduct;
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
                copies.add(() -> {
                    p.step = step;
                    p.muProduct = mu;
                });
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

    /** A relative's configuration of the live one's record type, read component by component. */
    private static RelativeConfig relative(In in, int group, RelativeConfig live) {
        RecordComponent[] components = live.getClass().getRecordComponents();
        int count = in.u8();
        if (count != components.length) {
            throw in.corrupt(count + " hyperparameters in group " + group + ", where " + live.optimizer() + " has "
                    + components.length);
        }
        Object[] values = new Object[count];
        Class<?>[] types = new Class<?>[count];
        for (int i = 0; i < count; i++) {
            types[i] = components[i].getType();
            if (types[i] == boolean.class) {
                int b = in.u8();
                if (b > 1) {
                    throw in.corrupt("the flag value " + b + " for " + components[i].getName() + " in group " + group);
                }
                values[i] = b == 1;
            } else {
                values[i] = in.f64();
            }
        }
        try {
            return (RelativeConfig) live.getClass().getDeclaredConstructor(types).newInstance(values);
        } catch (InvocationTargetException e) {
            throw in.corrupt("an invalid configuration in group " + group + " (" + e.getCause().getMessage() + ")");
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot rebuild " + live.getClass().getName(), e);
        }
    }

    /** The saved schedule, or null for a custom one. */
    private static LrSchedule schedule(In in) {
        try {
            return named(in, false);
        } catch (IllegalArgumentException e) {
            if (e.getMessage().contains(" is corrupted")) {
                throw e;
            }
            throw in.corrupt("an invalid schedule (" + e.getMessage() + ")");
        }
    }

    private static LrSchedule.Named named(In in, boolean phase) {
        int kind = in.u8();
        if (phase && !(kind >= 5 && kind <= 10)) {
            throw in.corrupt("a schedule kind " + kind + " inside a SequentialLR");
        }
        return switch (kind) {
            case 0 -> null;
            case 1 -> new LrSchedule.Constant();
            case 2 -> new LrSchedule.StepDecay(in.i64(), in.f64());
            case 3 -> new LrSchedule.CosineWithWarmup(in.i64(), in.i64(), in.f64());
            case 4 -> new LrSchedule.InverseSqrt();
            case 5 -> LrSchedule.stepLR(in.i64(), in.f64());
            case 6 -> {
                int count = in.i32();
                List<Long> milestones = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    milestones.add(in.i64());
                }
                yield LrSchedule.multiStepLR(milestones, in.f64());
            }
            case 7 -> LrSchedule.exponentialLR(in.f64());
            case 8 -> LrSchedule.cosineAnnealingLR(in.i64(), in.f64());
            case 9 -> LrSchedule.linearLR(in.f64(), in.f64(), in.i64());
            case 10 -> LrSchedule.cosineAnnealingWarmRestarts(in.i64(), in.i64(), in.f64());
            case 11 -> {
                double maxLr = in.f64();
                long totalSteps = in.i64();
                double pctStart = in.f64();
                int anneal = in.u8();
                if (anneal >= LrSchedule.AnnealStrategy.values().length) {
                    throw in.corrupt("an unknown anneal strategy " + anneal);
                }
                yield LrSchedule.oneCycleLR(maxLr, totalSteps, pctStart, LrSchedule.AnnealStrategy.values()[anneal],
                        in.f64(), in.f64(), flag(in));
            }
            case 12 -> {
                int count = in.i32();
                List<LrSchedule.Phase> phases = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    phases.add((LrSchedule.Phase) named(in, true));
                }
                List<Long> milestones = new ArrayList<>();
                for (int i = 0; i + 1 < count; i++) {
                    milestones.add(in.i64());
                }
                yield LrSchedule.sequentialLR(phases, milestones);
            }
            default -> throw in.corrupt("an unknown schedule kind " + kind);
        };
    }

    private static boolean flag(In in) {
        int b = in.u8();
        if (b > 1) {
            throw in.corrupt("a flag byte " + b);
        }
        return b == 1;
    }

    private static boolean isBuiltIn(LrSchedule s) {
        return s instanceof LrSchedule.Named;
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
