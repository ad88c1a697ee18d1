package org.adam4j.optim;

import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32C;
import org.adam4j.reference.Hyperparameters;
import org.adam4j.reference.OptimizerConfig;
import org.adam4j.reference.Rounding;
import org.adam4j.reference.StateVariable;
import org.adam4j.reference.WeightDecay;

/**
 * The optimizer state file: an {@link OptimizerState} on disk, format versions 1 (Adam and AdamW), 2 (every other
 * algorithm, with a fixed field list each) and 3 (version 2 with self-describing configurations, for options newer
 * than version 2's field lists). All numbers are little-endian; {@code f64} is an IEEE 754 double, strings are a
 * {@code u16} byte count and UTF-8.
 *
 * <pre>
 * offset  size  field
 *      0     8  magic "ADAM4JST"
 *      8     4  u32 format version (1, 2 or 3)
 *     12     4  u32 flags: bit 0 (1) when a loss scaler's state follows the groups, bit 1 (2) when the file holds
 *               precisions and roundings (below), bit 2 (4), always with bit 1, when it holds each group's state
 *               precision; any other bit is refused
 *     16     8  i64 file length in bytes, checksum included
 *     24        string algorithm: "adam" in version 1 (Adam and AdamW alike: the decay mode tells them apart),
 *               the configuration's {@link OptimizerConfig#algorithm()} in versions 2 and 3
 *               i64 optimizer steps (step() calls so far)
 *               u32 group count, then per group:
 *                 the configuration: in versions 1 and 2 its fields in the algorithm's field list below; in
 *                     version 3 u8 count, then per hyperparameter string name (PyTorch's), u8 type (0 f64, 1 flag
 *                     u8 0/1, 2 pair f64 f64, 3 string) and the value
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
 *                 with flag 2: u8 rounding (0 nearest, 1 stochastic, 2 Kahan), i64 stochastic rounding seed
 *                 with flag 4: u8 state precision (0 f32, 1 bf16, 2 8bit); 8bit: u32 block size (256)
 *                 u32 parameter count, then per parameter:
 *                   u8  without flag 2, bytes per element (4 float, 8 double); with flag 2, the precision code
 *                       (1 f32, 2 f64, 3 bf16, 4 fp16)
 *                   u8  rank, then i64 per dimension ([rows, cols] for a matrix, [elements] otherwise)
 *                   i64 step count
 *                   versions 2, 3: u8 scalar state count (1 for NAdam, 0 otherwise), then f64 each (mu_product)
 *                   u8  state count, then the state arrays one after the other, in the configuration's
 *                       {@link OptimizerConfig#stateArrays()} order, elements in order; with flag 2 each array
 *                       starts with its u8 precision code (1 f32, 2 f64, 3 bf16, 4 fp16, 5 u8), and a 16-bit
 *                       parameter in a Kahan group has one more array, kahan_comp, last, in its own precision (the
 *                       others are f32: {@link Precision#statePrecision()}); bf16 and fp16 elements are u16 bit
 *                       patterns. A group with 8bit states (flag 4) keeps each state array as u8 codes, one per
 *                       element, then each one's f32 absmax, one per block (NAME_absmax: exp_avg_absmax,
 *                       exp_avg_sq_absmax), before kahan_comp; with bf16 states, each state array in bf16
 *               with flag 1, the {@link GradScaler}'s state: f64 scale, i64 growth tracker, f64 growth factor,
 *                   f64 backoff factor, i64 growth interval (the floats widened to f64, exactly)
 * length-4     4  u32 CRC32C of every byte before it
 * </pre>
 *
 * The configuration's fields, per algorithm and version, written from and read into its
 * {@link OptimizerConfig#hyperparameters()} by PyTorch's names (never by reflection: a field list is part of the
 * format and does not follow the configuration classes):
 *
 * <pre>
 * version 1, adam:  f64 lr, f64 beta1, f64 beta2, f64 eps, f64 weight_decay, u8 weight decay mode (0 none, 1 L2,
 *                   2 decoupled, 3 fully decoupled), f64 max_lr, u8 flags (1 amsgrad, 2 maximize, 4 epsilon_hat,
 *                   8 bias_correction)
 * version 2:        u8 field count, then each field as f64 (a number; betas are two) or u8 0/1 (a flag):
 *   adamax          lr, betas, eps, weight_decay, maximize
 *   nadam           lr, betas, eps, weight_decay, momentum_decay
 *   radam           lr, betas, eps, weight_decay
 *   sgd             lr, momentum, dampening, weight_decay, nesterov, maximize
 *   rmsprop         lr, alpha, eps, weight_decay, momentum, centered, maximize
 *   adagrad         lr, lr_decay, weight_decay, initial_accumulator_value, eps, maximize
 * </pre>
 *
 * Each file is written in the oldest version that holds it, so that older readers still read it, and with flag 2
 * only when it needs it (a {@link Precision#BF16} or {@link Precision#FP16} parameter, or a group whose rounding is
 * not to nearest or whose seed is not 0), and with flag 4 only for a group with compact states
 * ({@link StatePrecision}), so a file without 16-bit parameters, rounding options or compact states is written byte
 * for byte as before flags 2 and 4 existed: Adam's and AdamW's
 * state as version 1; every other algorithm's as version 2 when each group's hyperparameters are all in its version 2
 * field list, and as version 3 otherwise (NAdam's and RAdam's {@code decoupled_weight_decay} and {@code maximize},
 * which their {@code hyperparameters()} list only when true for this reason, and any algorithm added after version 2,
 * which has no field list: those lists are frozen). A version 3 configuration is read back
 * by name through {@link OptimizerConfig#fromPyTorch}, which refuses unknown names and applies PyTorch's defaults to
 * absent ones. A reader reads all three.
 *
 * <p>A file is written to a temporary file beside the target ({@code .NAME.adam4j-tmp}, created anew with the
 * process's umask, so a save killed half-way leaves at most that one file, which the next save replaces), forced to
 * disk and renamed over the target atomically. A symbolic link is followed: its target is replaced, the link kept
 * (a dangling one is refused). A reader reads the file through twice, a checksum pass and a parse pass whose checksum
 * must agree (no memory mapping, so a file truncated or replaced while it is read gives an exception naming it, never
 * a crash), checks the magic, the version, the flags, the length and the checksum, and every value against its range,
 * before the optimizer takes anything.
 */
public final class StateFile {
    /** The first 8 bytes of every state file. */
    public static final String MAGIC = "ADAM4JST";
    /** The header flag of a file with a loss scaler's state after the groups; files without one have no flag. */
    static final int FLAG_GRAD_SCALER = 1;
    /** The header flag of a file with each parameter's precision code and each group's rounding and seed. */
    static final int FLAG_PRECISIONS = 2;
    /**
     * The header flag of a file with each group's {@link StatePrecision} (and the block size of 8-bit states); always
     * with {@link #FLAG_PRECISIONS}, whose array codes say each array's element type.
     */
    static final int FLAG_STATE_PRECISIONS = 4;
    /** The file's state precision codes, in code order from 0; frozen. */
    private static final List<StatePrecision> STATE_PRECISION_CODES = List.of(StatePrecision.F32, StatePrecision.BF16,
            StatePrecision.BLOCKWISE_8BIT);
    /** The file's rounding codes, in code order from 0; frozen. */
    private static final List<Rounding> ROUNDING_CODES = List.of(Rounding.NEAREST, Rounding.STOCHASTIC,
            Rounding.KAHAN);
    /** The newest version this adam4j reads and writes. */
    public static final int VERSION = 3;
    /** The version of Adam's files. */
    static final int VERSION_ADAM = 1;
    /** The version whose configurations are the fixed field lists of {@link #V2_FIELDS}. */
    static final int VERSION_FIELD_LISTS = 2;
    /** The version whose configurations name each hyperparameter; see the class comment. */
    static final int VERSION_NAMED = 3;
    /** The algorithm string of version 1 files. */
    static final String ADAM = "adam";
    /** What a custom (lambda) schedule reads back as: the optimizer keeps its own, which the caller supplied again. */
    static final LrSchedule CUSTOM = (t, lr) -> {
        throw new IllegalStateException("a custom schedule must be supplied again after loading");
    };
    private static final int HEADER = 24;
    private static final int CHECKSUM = 4;

    private enum Kind { NUMBER, PAIR, FLAG }

    private record Field(String name, Kind kind) {
        int width() {
            return kind == Kind.PAIR ? 2 : 1;
        }
    }

    private static Field number(String name) {
        return new Field(name, Kind.NUMBER);
    }

    private static Field pair(String name) {
        return new Field(name, Kind.PAIR);
    }

    private static Field flag(String name) {
        return new Field(name, Kind.FLAG);
    }

    /** Version 2's field list per algorithm; see the class comment. */
    private static final Map<String, List<Field>> V2_FIELDS = Map.of(
            "adamax", List.of(number("lr"), pair("betas"), number("eps"), number("weight_decay"), flag("maximize")),
            "nadam", List.of(number("lr"), pair("betas"), number("eps"), number("weight_decay"),
                    number("momentum_decay")),
            "radam", List.of(number("lr"), pair("betas"), number("eps"), number("weight_decay")),
            "sgd", List.of(number("lr"), number("momentum"), number("dampening"), number("weight_decay"),
                    flag("nesterov"), flag("maximize")),
            "rmsprop", List.of(number("lr"), number("alpha"), number("eps"), number("weight_decay"),
                    number("momentum"), flag("centered"), flag("maximize")),
            "adagrad", List.of(number("lr"), number("lr_decay"), number("weight_decay"),
                    number("initial_accumulator_value"), number("eps"), flag("maximize")));

    private StateFile() {
    }

    static ValueLayout fileLayout(StateElement e) {
        return e.layout().withOrder(ByteOrder.LITTLE_ENDIAN);
    }

    static ValueLayout memoryLayout(StateElement e) {
        return e.layout();
    }

    /** Whether {@code state} needs flag 2: a 16-bit parameter, or a group that does not round to nearest with seed 0. */
    static boolean needsPrecisions(OptimizerState state) {
        for (OptimizerState.Group g : state.groups()) {
            if (g.rounding() != Rounding.NEAREST || g.roundingSeed() != 0) {
                return true;
            }
            for (OptimizerState.ParamState p : g.params()) {
                if (p.precision().statePrecision() != p.precision()) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether {@code state} needs flag 4: a group with compact states. */
    static boolean needsStatePrecisions(OptimizerState state) {
        return state.groups().stream().anyMatch(g -> g.statePrecision().isCompact());
    }

    // ---------------------------------------------------------------- writing

    static void write(OptimizerState state, Path file) throws IOException {
        Path target = file.toAbsolutePath();
        if (Files.isSymbolicLink(target)) {
            try {
                target = target.toRealPath();
            } catch (NoSuchFileException e) {
                // as cp does: a dangling link is not written through, which would create a file somewhere unexpected
                throw new NoSuchFileException(file.toString(), null, "a symbolic link to "
                        + printable(Files.readSymbolicLink(target).toString()) + ", which does not exist; nothing"
                        + " was written");
            }
        }
        Path dir = target.getParent();
        if (Files.isDirectory(target)) {
            throw new IOException(file + " is a directory, not a state file");
        }
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(file.toString(), null, "no such directory " + dir + "; nothing was written");
        }
        int version = version(state);
        boolean statePrecisions = needsStatePrecisions(state);
        boolean precisions = statePrecisions || needsPrecisions(state);
        Out count = new Out(null);
        body(state, count, version, precisions, statePrecisions);
        long length = HEADER + count.position + CHECKSUM;
        Path tmp = dir.resolve("." + target.getFileName() + ".adam4j-tmp");
        boolean moved = false;
        try {
            // a killed save's leftover is removed, not reused: its mode (0600 from older versions) would carry over,
            // and a symbolic link planted there would be written through
            Files.deleteIfExists(tmp);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                Out out = new Out(ch);
                out.bytes(MAGIC.getBytes(StandardCharsets.US_ASCII));
                out.i32(version);
                out.i32((state.gradScaler() != null ? FLAG_GRAD_SCALER : 0) | (precisions ? FLAG_PRECISIONS : 0)
                        | (statePrecisions ? FLAG_STATE_PRECISIONS : 0));
                out.i64(length);
                body(state, out, version, precisions, statePrecisions);
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

    /**
     * The oldest version that holds {@code state} (see the class comment); an algorithm without a version 2 field
     * list is written as version 3.
     */
    static int version(OptimizerState state) {
        if (isAdams(state.algorithm())) {
            return VERSION_ADAM;
        }
        List<Field> fields = V2_FIELDS.get(state.algorithm());
        if (fields == null) {
            return VERSION_NAMED;
        }
        List<String> names = fields.stream().map(Field::name).toList();
        for (OptimizerState.Group g : state.groups()) {
            if (!names.containsAll(g.config().hyperparameters().names())) {
                return VERSION_NAMED;
            }
        }
        return VERSION_FIELD_LISTS;
    }

    /** Adam's and AdamW's state, and an empty one, are version 1's. */
    private static boolean isAdams(String algorithm) {
        return algorithm.isEmpty() || algorithm.equals(ADAM) || algorithm.equals("adamw");
    }

    /** The algorithms a file of {@code version} may hold. */
    private static List<String> algorithms(int version) {
        return switch (version) {
            case VERSION_ADAM -> List.of(ADAM);
            case VERSION_FIELD_LISTS -> V2_FIELDS.keySet().stream().sorted().toList();
            default -> OptimizerConfig.ALGORITHMS.stream().filter(a -> !isAdams(a)).sorted().toList();
        };
    }

    private static void body(OptimizerState state, Out out, int version, boolean precisions, boolean statePrecisions)
            throws IOException {
        out.string(version == VERSION_ADAM ? ADAM : state.algorithm());
        out.i64(state.steps());
        out.i32(state.groups().size());
        for (OptimizerState.Group g : state.groups()) {
            Hyperparameters h = g.config().hyperparameters();
            if (version == VERSION_ADAM) {
                adam(h, out);
            } else if (version == VERSION_NAMED) {
                named(h, out);
            } else {
                List<Field> fields = V2_FIELDS.get(g.config().algorithm());
                out.i8(fields.stream().mapToInt(Field::width).sum());
                for (Field f : fields) {
                    switch (f.kind()) {
                        case NUMBER -> out.f64(h.number(f.name(), Double.NaN));
                        case PAIR -> {
                            double[] b = h.pair(f.name(), Double.NaN, Double.NaN);
                            out.f64(b[0]);
                            out.f64(b[1]);
                        }
                        case FLAG -> out.i8(h.bool(f.name(), false) ? 1 : 0);
                    }
                }
            }
            schedule(g.schedule(), out);
            if (precisions) {
                out.i8(ROUNDING_CODES.indexOf(g.rounding()));
                out.i64(g.roundingSeed());
            }
            if (statePrecisions) {
                out.i8(STATE_PRECISION_CODES.indexOf(g.statePrecision()));
                if (g.statePrecision() == StatePrecision.BLOCKWISE_8BIT) {
                    out.i32(StatePrecision.BLOCK_SIZE);
                }
            }
            out.i32(g.params().size());
            for (OptimizerState.ParamState p : g.params()) {
                out.i8(precisions ? precisionCode(p.precision()) : p.precision().bytes());
                long[] shape = p.shape();
                out.i8(shape.length);
                for (long d : shape) {
                    out.i64(d);
                }
                out.i64(p.step());
                if (version >= VERSION_FIELD_LISTS) {
                    out.i8(p.scalars().size());
                    for (double x : p.scalars().values()) {
                        out.f64(x);
                    }
                }
                out.i8(p.arrays().size());
                for (Map.Entry<String, MemorySegment> a : p.arrays().entrySet()) {
                    StateElement e = p.element(a.getKey());
                    if (precisions) {
                        out.i8(e.fileCode());
                    }
                    out.elements(a.getValue(), e);
                }
            }
        }
        GradScaler.State scaler = state.gradScaler();
        if (scaler != null) {
            out.f64(scaler.scale());
            out.i64(scaler.growthTracker());
            out.f64(scaler.growthFactor());
            out.f64(scaler.backoffFactor());
            out.i64(scaler.growthInterval());
        }
    }

    private static int precisionCode(Precision p) {
        return StateElement.of(p).fileCode();
    }

    private static void adam(Hyperparameters h, Out out) throws IOException {
        double[] betas = h.pair("betas", Double.NaN, Double.NaN);
        out.f64(h.number("lr", Double.NaN));
        out.f64(betas[0]);
        out.f64(betas[1]);
        out.f64(h.number("eps", Double.NaN));
        out.f64(h.number("weight_decay", Double.NaN));
        out.i8(WeightDecay.valueOf(h.string("weight_decay_mode", "").toUpperCase(Locale.ROOT)).ordinal());
        out.f64(h.number("max_lr", Double.NaN));
        out.i8((h.bool("amsgrad", false) ? 1 : 0) | (h.bool("maximize", false) ? 2 : 0)
                | (h.bool("epsilon_hat", false) ? 4 : 0) | (h.bool("bias_correction", true) ? 8 : 0));
    }

    private static void named(Hyperparameters h, Out out) throws IOException {
        List<String> names = h.names();
        out.i8(names.size());
        for (String name : names) {
            out.string(name);
            switch (h.get(name)) {
                case Double d -> {
                    out.i8(0);
                    out.f64(d);
                }
                case Boolean b -> {
                    out.i8(1);
                    out.i8(b ? 1 : 0);
                }
                case double[] pair -> {
                    out.i8(2);
                    out.f64(pair[0]);
                    out.f64(pair[1]);
                }
                case String str -> {
                    out.i8(3);
                    out.string(str);
                }
                default -> throw new IllegalStateException("hyperparameter '" + name + "' of an unknown type");
            }
        }
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
        void elements(MemorySegment src, StateElement p) throws IOException {
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

    /**
     * The state in {@code file}, checked through before it is returned.
     *
     * @throws IllegalArgumentException naming the file, if it is not a complete, valid state file
     * @throws IOException              if it cannot be read (a message naming the file)
     */
    static OptimizerState read(Path file) throws IOException {
        String where = file.toString();
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException(where + " is a directory, not a state file");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            In in = new In(ch, where);
            long size = ch.size();
            byte[] magic = MAGIC.getBytes(StandardCharsets.US_ASCII);
            byte[] head = in.bytesUpTo(magic.length);
            for (int i = 0; i < head.length; i++) {
                if (head[i] != magic[i]) {
                    throw new IllegalArgumentException(where + " is not an adam4j optimizer state file (it does not "
                            + "start with \"" + MAGIC + "\")");
                }
            }
            if (size < HEADER + CHECKSUM) {
                throw new IllegalArgumentException(where + " is truncated: " + size + " bytes, shorter than the "
                        + (HEADER + CHECKSUM) + "-byte header and checksum");
            }
            int version = in.rawI32();
            if (version < VERSION_ADAM || version > VERSION) {
                throw new IllegalArgumentException(where + " has state file format version "
                        + Integer.toUnsignedString(version) + "; this adam4j reads versions " + VERSION_ADAM + " to "
                        + VERSION);
            }
            int flags = in.rawI32();
            if ((flags & ~(FLAG_GRAD_SCALER | FLAG_PRECISIONS | FLAG_STATE_PRECISIONS)) != 0) {
                throw new IllegalArgumentException(where + " has the flags " + Integer.toHexString(flags)
                        + ", which this adam4j does not know (it knows " + FLAG_GRAD_SCALER + ", " + FLAG_PRECISIONS
                        + " and " + FLAG_STATE_PRECISIONS + ")");
            }
            if ((flags & FLAG_STATE_PRECISIONS) != 0 && (flags & FLAG_PRECISIONS) == 0) {
                throw new IllegalArgumentException(where + " is corrupted: it has the flags "
                        + Integer.toHexString(flags) + ", flag " + FLAG_STATE_PRECISIONS + " without flag "
                        + FLAG_PRECISIONS);
            }
            long length = in.i64();
            if (length > size) {
                throw new IllegalArgumentException(where + " is truncated: its header says " + length + " bytes, the "
                        + "file has " + size);
            }
            if (length != size) {
                throw new IllegalArgumentException(where + " is corrupted: its header says " + length + " bytes, the "
                        + "file has " + size);
            }
            in.end = size - CHECKSUM;
            long computed = checksum(ch, in.end, where);
            ByteBuffer storedBytes = ByteBuffer.allocate(CHECKSUM).order(ByteOrder.LITTLE_ENDIAN);
            while (storedBytes.hasRemaining()) {
                if (ch.read(storedBytes, in.end + storedBytes.position()) < 0) {
                    throw new EOFException(where + " ended early (truncated while it was read?)");
                }
            }
            int stored = storedBytes.getInt(0);
            if (stored != (int) computed) {
                throw new IllegalArgumentException(where + " is corrupted: its CRC32C checksum is "
                        + Integer.toHexString(stored) + " but its contents give " + Long.toHexString(computed));
            }
            OptimizerState state = body(in, version, (flags & FLAG_GRAD_SCALER) != 0,
                    (flags & FLAG_PRECISIONS) != 0, (flags & FLAG_STATE_PRECISIONS) != 0);
            if (in.position != in.end) {
                throw in.corrupt((in.end - in.position) + " bytes after the last parameter");
            }
            if (in.crc.getValue() != computed || ch.size() != size) {
                throw new IOException(where + " changed while it was read (" + size + " bytes, now " + ch.size()
                        + "): read it again once it is complete");
            }
            return state;
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(where, null, "no such state file");
        } catch (FileSystemException e) {
            throw new IOException(where + ": " + (e.getReason() != null ? e.getReason() : e.getMessage()), e);
        }
    }

    /** CRC32C of bytes {@code [0, end)}, read on their own before anything is parsed. */
    private static long checksum(FileChannel ch, long end, String where) throws IOException {
        CRC32C crc = new CRC32C();
        ByteBuffer b = ByteBuffer.allocate(1 << 20);
        for (long at = 0; at < end; ) {
            b.clear().limit((int) Math.min(b.capacity(), end - at));
            int r = ch.read(b, at);
            if (r < 0) {
                throw new EOFException(where + " ended early at byte " + at + " (truncated while it was read?)");
            }
            b.flip();
            crc.update(b);
            at += r;
        }
        return crc.getValue();
    }

    private static OptimizerState body(In in, int version, boolean scaler, boolean precisions,
            boolean statePrecisions) throws IOException {
        String algorithm = in.string();
        if (!algorithms(version).contains(algorithm)) {
            throw in.corrupt("the algorithm '" + printable(algorithm) + "' in a version " + version + " file, "
                    + (version == VERSION_ADAM ? "which holds Adam's state only" : "which knows "
                    + algorithms(version)));
        }
        long steps = in.i64();
        if (steps < 0) {
            throw in.corrupt("a negative step count " + steps);
        }
        int groups = in.count();
        List<OptimizerState.Group> gs = new ArrayList<>();
        for (int gi = 0; gi < groups; gi++) {
            OptimizerConfig config = switch (version) {
                case VERSION_ADAM -> adam(in, gi);
                case VERSION_FIELD_LISTS -> relative(in, gi, algorithm);
                default -> named(in, gi, algorithm);
            };
            LrSchedule schedule = schedule(in);
            Rounding rounding = Rounding.NEAREST;
            long seed = 0;
            if (precisions) {
                int r = in.u8();
                if (r >= ROUNDING_CODES.size()) {
                    throw in.corrupt("an unknown rounding " + r + " in group " + gi);
                }
                rounding = ROUNDING_CODES.get(r);
                seed = in.i64();
            }
            StatePrecision state = statePrecisions ? statePrecision(in, config, gi) : StatePrecision.F32;
            int count = in.count();
            List<OptimizerState.ParamState> ps = new ArrayList<>();
            for (int pi = 0; pi < count; pi++) {
                ps.add(param(in, version, precisions, config, rounding, state, "parameter " + pi + " of group "
                        + gi));
            }
            gs.add(new OptimizerState.Group(config, schedule, ps, rounding, seed, state));
        }
        if (!scaler) {
            return new OptimizerState(steps, gs);
        }
        double scale = in.f64();
        long tracker = in.i64();
        double growth = in.f64(), backoff = in.f64();
        long interval = in.i64();
        // what the file's wider fields can hold beyond the state's own types; GradScaler.State checks the rest
        if (interval != (int) interval || tracker != (int) tracker || (float) scale != scale
                || (float) growth != growth || (float) backoff != backoff) {
            throw in.corrupt("a loss scaler state out of range: scale " + scale + ", growth tracker " + tracker
                    + ", growth interval " + interval);
        }
        try {
            return new OptimizerState(steps, gs, new GradScaler.State((float) scale, (int) tracker, (float) growth,
                    (float) backoff, (int) interval));
        } catch (IllegalArgumentException e) {
            throw in.corrupt("a loss scaler state out of range: " + e.getMessage());
        }
    }

    /** Group {@code group}'s state precision (flag 4), checked against its configuration. */
    private static StatePrecision statePrecision(In in, OptimizerConfig config, int group) throws IOException {
        int code = in.u8();
        if (code >= STATE_PRECISION_CODES.size()) {
            throw in.corrupt("an unknown state precision " + code + " in group " + group);
        }
        StatePrecision state = STATE_PRECISION_CODES.get(code);
        if (state == StatePrecision.BLOCKWISE_8BIT) {
            int block = in.rawI32();
            if (block != StatePrecision.BLOCK_SIZE) {
                throw in.corrupt("8-bit states in blocks of " + Integer.toUnsignedString(block) + " in group " + group
                        + "; this adam4j keeps them in blocks of " + StatePrecision.BLOCK_SIZE);
            }
        }
        String why = state.supportedBy(config);
        if (why != null) {
            throw in.corrupt("a group " + group + " that cannot be: " + why);
        }
        return state;
    }

    private static OptimizerState.ParamState param(In in, int version, boolean precisions, OptimizerConfig config,
            Rounding rounding, StatePrecision state, String which) throws IOException {
        Precision precision;
        if (precisions) {
            precision = precision(in, which);
        } else {
            int b = in.u8();
            if (b != Float.BYTES && b != Double.BYTES) {
                throw in.corrupt(b + "-byte elements for " + which);
            }
            precision = b == Float.BYTES ? Precision.F32 : Precision.F64;
        }
        // the widest array of the parameter bounds the bytes
        int bytes = Math.max(precision.bytes(), precision.statePrecision().bytes());
        long[] shape = new long[in.u8()];
        long elements = 1;
        for (int d = 0; d < shape.length; d++) {
            shape[d] = in.i64();
            if (shape[d] < 0 || (shape[d] > 0 && elements > Long.MAX_VALUE / bytes / shape[d])) {
                throw in.corrupt("the dimension " + shape[d] + " for " + which);
            }
            elements *= shape[d];
        }
        long step = in.i64();
        if (step < 0) {
            throw in.corrupt("a negative step count " + step + " for " + which);
        }
        Map<String, Double> scalars = new LinkedHashMap<>();
        List<StateVariable> sv = config.scalarStates();
        if (version >= VERSION_FIELD_LISTS) {
            int n = in.u8();
            if (n != sv.size()) {
                throw in.corrupt(n + " scalar states for " + which + ", where " + config.algorithm() + " keeps "
                        + sv.size());
            }
            for (StateVariable v : sv) {
                scalars.put(v.name(), in.f64());
            }
        }
        String why = state.supportedFor(precision);
        if (why != null) {
            throw in.corrupt("a parameter that cannot be, " + which + ": " + why);
        }
        List<StateLayout.Array> arrays = StateLayout.of(config, precision, rounding, state, elements).arrays();
        int n = in.u8();
        if (n != arrays.size()) {
            throw in.corrupt(n + " state arrays for " + which + ", where " + config + " keeps " + arrays.size()
                    + (precision.isLowPrecision() ? " for a " + precision + " parameter rounded by " + rounding : "")
                    + (state.isCompact() ? " with " + state.label() + " states" : ""));
        }
        Map<String, MemorySegment> states = new LinkedHashMap<>();
        for (StateLayout.Array a : arrays) {
            if (precisions) {
                int code = in.u8();
                StateElement e = StateElement.ofFileCode(code);
                if (e == null) {
                    throw in.corrupt("an unknown precision code " + code + " for " + which + "'s " + a.name());
                }
                if (e != a.element()) {
                    throw in.corrupt(e + " elements in " + a.name() + " of " + which + ", which keeps "
                            + a.element());
                }
            }
            states.put(a.name(), in.elements(a.length(), a.element()));
        }
        return new OptimizerState.ParamState(precision, shape, step, scalars, states, state);
    }

    private static Precision precision(In in, String which) throws IOException {
        int code = in.u8();
        StateElement e = StateElement.ofFileCode(code);
        if (e == null || e.precision() == null) {
            throw in.corrupt("an unknown precision code " + code + " for " + which);
        }
        return e.precision();
    }

    private static OptimizerConfig adam(In in, int group) throws IOException {
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
        WeightDecay decay = WeightDecay.values()[mode];
        Hyperparameters h = Hyperparameters.builder().number("lr", lr).pair("betas", beta1, beta2).number("eps", eps)
                .number("weight_decay", wd).flag("amsgrad", (flags & 1) != 0).flag("maximize", (flags & 2) != 0)
                .string("weight_decay_mode", decay.name().toLowerCase(Locale.ROOT)).number("max_lr", maxLr)
                .flag("epsilon_hat", (flags & 4) != 0).flag("bias_correction", (flags & 8) != 0).build();
        boolean adamw = decay == WeightDecay.DECOUPLED || decay == WeightDecay.FULLY_DECOUPLED;
        return config(in, group, adamw ? "adamw" : "adam", h);
    }

    private static OptimizerConfig relative(In in, int group, String algorithm) throws IOException {
        List<Field> fields = V2_FIELDS.get(algorithm);
        int width = fields.stream().mapToInt(Field::width).sum();
        int count = in.u8();
        if (count != width) {
            throw in.corrupt(count + " hyperparameters in group " + group + ", where " + algorithm + " has " + width);
        }
        Hyperparameters.Builder h = Hyperparameters.builder();
        for (Field f : fields) {
            switch (f.kind()) {
                case NUMBER -> h.number(f.name(), in.f64());
                case PAIR -> h.pair(f.name(), in.f64(), in.f64());
                case FLAG -> {
                    int b = in.u8();
                    if (b > 1) {
                        throw in.corrupt("the flag value " + b + " for " + f.name() + " in group " + group);
                    }
                    h.flag(f.name(), b == 1);
                }
            }
        }
        return config(in, group, algorithm, h.build());
    }

    private static OptimizerConfig named(In in, int group, String algorithm) throws IOException {
        int count = in.u8();
        Hyperparameters.Builder h = Hyperparameters.builder();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < count; i++) {
            String name = in.string();
            if (!seen.add(name)) {
                throw in.corrupt("the hyperparameter '" + printable(name) + "' twice in group " + group);
            }
            int type = in.u8();
            switch (type) {
                case 0 -> h.number(name, in.f64());
                case 1 -> {
                    int b = in.u8();
                    if (b > 1) {
                        throw in.corrupt("the flag value " + b + " for " + printable(name) + " in group " + group);
                    }
                    h.flag(name, b == 1);
                }
                case 2 -> h.pair(name, in.f64(), in.f64());
                case 3 -> h.string(name, in.string());
                default -> throw in.corrupt("an unknown type " + type + " for the hyperparameter '" + printable(name)
                        + "' in group " + group);
            }
        }
        return config(in, group, algorithm, h.build());
    }

    private static OptimizerConfig config(In in, int group, String algorithm, Hyperparameters h) {
        try {
            return OptimizerConfig.fromPyTorch(algorithm, h);
        } catch (IllegalArgumentException e) {
            // names and strings come from the file (version 3)
            throw in.corrupt("an invalid configuration in group " + group + " (" + printable(e.getMessage()) + ")");
        }
    }

    private static LrSchedule schedule(In in) throws IOException {
        try {
            LrSchedule.Named named = named(in, false);
            return named == null ? CUSTOM : named;
        } catch (IllegalArgumentException e) {
            if (e.getMessage().contains(" is corrupted")) {
                throw e;
            }
            throw in.corrupt("an invalid schedule (" + e.getMessage() + ")");
        }
    }

    private static LrSchedule.Named named(In in, boolean phase) throws IOException {
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
                int count = in.count();
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
                int count = in.count();
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

    private static boolean flag(In in) throws IOException {
        int b = in.u8();
        if (b > 1) {
            throw in.corrupt("a flag byte " + b);
        }
        return b == 1;
    }

    /** Whether {@code s} is one the file records by name (not {@link #CUSTOM}, and not a lambda). */
    static boolean isBuiltIn(LrSchedule s) {
        return s instanceof LrSchedule.Named;
    }

    /** {@code s} with everything but printable ASCII escaped, for a message about bytes from a file. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x7f) {
                b.append(c);
            } else {
                b.append(String.format("\\u%04x", (int) c));
            }
        }
        return b.toString();
    }

    /** Checksummed little-endian reads from the file, in one pass; never past {@link #end}. */
    private static final class In {
        private final FileChannel ch;
        private final String where;
        private final ByteBuffer buf = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        final CRC32C crc = new CRC32C();
        long position;
        long end = Long.MAX_VALUE;

        In(FileChannel ch, String where) {
            this.ch = ch;
            this.where = where;
            buf.limit(0);
        }

        IllegalArgumentException corrupt(String what) {
            return new IllegalArgumentException(where + " is corrupted: it has " + what);
        }

        /** Makes {@code n <= buf.capacity()} bytes available, checksumming them as they are consumed. */
        private void need(int n) throws IOException {
            if (n > end - position) {
                throw corrupt("a record that runs past its end at byte " + position);
            }
            if (buf.remaining() < n) {
                buf.compact();
                while (buf.position() < n) {
                    if (ch.read(buf) < 0) {
                        throw new EOFException(where + " ended early at byte " + (position + buf.position())
                                + " (truncated while it was read?)");
                    }
                }
                buf.flip();
            }
        }

        private void consumed(int n) {
            crc.update(buf.array(), buf.position() - n, n);
            position += n;
        }

        byte[] bytesUpTo(int n) throws IOException {
            byte[] b = new byte[n];
            int got = 0;
            buf.clear();
            while (got < n) {
                int r = ch.read(buf);
                if (r < 0) {
                    break;
                }
                got = buf.position();
            }
            buf.flip();
            int k = Math.min(n, buf.remaining());
            buf.get(b, 0, k);
            consumed(k);
            return java.util.Arrays.copyOf(b, k);
        }

        int rawI32() throws IOException {
            need(4);
            int x = buf.getInt();
            consumed(4);
            return x;
        }

        int u8() throws IOException {
            need(1);
            int x = buf.get() & 0xff;
            consumed(1);
            return x;
        }

        int count() throws IOException {
            int x = rawI32();
            if (x < 0) {
                throw corrupt("a count of " + Integer.toUnsignedString(x));
            }
            return x;
        }

        long i64() throws IOException {
            need(8);
            long x = buf.getLong();
            consumed(8);
            return x;
        }

        double f64() throws IOException {
            need(8);
            double x = buf.getDouble();
            consumed(8);
            return x;
        }

        String string() throws IOException {
            need(2);
            int n = buf.getShort() & 0xffff;
            consumed(2);
            need(n);
            byte[] b = new byte[n];
            buf.get(b);
            consumed(n);
            return new String(b, StandardCharsets.UTF_8);
        }

        /** {@code n} elements into new native-order memory, checked against the bytes the file has left first. */
        MemorySegment elements(long n, StateElement p) throws IOException {
            long bytes = n * p.bytes();
            if (bytes > end - position) {
                throw corrupt("a state array of " + n + " elements that runs past its end at byte " + position);
            }
            MemorySegment dst = p.allocate(n);
            MemorySegment src = MemorySegment.ofArray(buf.array());
            for (long i = 0; i < n; ) {
                int k = (int) Math.min(n - i, buf.capacity() / p.bytes());
                need(k * p.bytes());
                MemorySegment.copy(src, fileLayout(p), buf.position(), dst, memoryLayout(p), i * p.bytes(), k);
                buf.position(buf.position() + k * p.bytes());
                consumed(k * p.bytes());
                i += k;
            }
            return dst;
        }
    }
}
