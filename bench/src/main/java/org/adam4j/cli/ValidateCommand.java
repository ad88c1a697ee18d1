package org.adam4j.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Array;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.adam4j.kernels.AdamKernels;
import org.adam4j.kernels.ParallelChunks;
import org.adam4j.reference.LowPrecision;
import org.adam4j.reference.cases.CaseFormatException;
import org.adam4j.reference.cases.Npy;
import org.adam4j.reference.cases.NpyArray;
import org.adam4j.reference.cases.Printable;
import org.adam4j.reference.cases.ReferenceCase;

/**
 * {@code ./adam4j validate}: replays recorded optimizer trajectories (the case format of
 * {@code shared/reference-cases/FORMAT.md}) through one kernel and compares every parameter after every step, and
 * the final state, with the recording.
 *
 * <p>Every case is read and checked, and its kernel looked up, before the first one runs or anything is written, so
 * that unusable input costs one line and exit status 2, never a half-written {@code --out} folder. The cases are then
 * read again one at a time, so memory holds one case however many are given.
 */
final class ValidateCommand implements Command {
    /** The optimizers validate can replay; the first that accepts a case's optimizer replays it. */
    static final List<CaseReplayer> REPLAYERS = List.of(new OptimizerCaseReplayer(), new SparseAdamCaseReplayer());
    static final List<String> KERNELS = kernelNames();
    static final double DEFAULT_RTOL = 1e-5;
    static final double DEFAULT_ATOL_LR = 1e-3;

    @Override
    public String name() {
        return "validate";
    }

    @Override
    public String summary() {
        return "replay recorded trajectories (PyTorch's, say) through a kernel and compare every step";
    }

    @Override
    public String usage() {
        return """
                usage: ./adam4j validate CASE_DIR... [--kernel NAME] [--threads N] [--out DIR] [--rtol R] [--atol-lr A]

                Replays each recorded case (a folder in the format of shared/reference-cases/FORMAT.md: case.json,
                param0.npy, grads.npy, params.npy and one .npy per final state): starts from param0.npy, feeds row t
                of grads.npy at step t, and compares the parameters after every step with params.npy, and the
                final state with the state files case.json lists.

                  --kernel NAME   scalar (the plain scalar reference itself; "reference" is accepted as the same),
                                  vector (the library's choice for this CPU; the default), or one lane width:
                                  vector-64, vector-128, vector-256, vector-512
                  --threads N     run every step through the kernel's multi-threaded path with N threads (default
                                  1, at most %s); the result does not depend on N (a step is split from 2 x 4096
                                  elements on)
                  --out DIR       also write DIR/<case>/params.npy, shape (steps, n), and DIR/<case>/<state>.npy
                                  for each final state, in the case's dtype (uint16 patterns and float32 states
                                  for a 16-bit case; for an 8-bit case every step's uint8 codes and float32
                                  absmax, shape (steps, n) and (steps, blocks)), as .npy version 1.0
                  --rtol R        relative tolerance (default %s)
                  --atol-lr A     absolute tolerance in units of the learning rate (default %s)

                An element passes when |ours - ref| <= R*|ref| + A*lr (FORMAT.md explains the defaults: correct
                float32 implementations differ from PyTorch's rounding by far less, formula mistakes by far more);
                a NaN or infinite reference value must be matched exactly. Cases with "dtype" bfloat16 or float16
                (parameters and gradients as uint16 bit patterns, float32 states) are stepped in
                float and rounded to nearest even; a parameter there may also differ by one unit in the last place
                of its format, since a last-bit difference in float flips such a rounding now and then.
                Cases with "state_precision": "8bit" (float32 parameters, 8-bit blockwise states recorded after
                every step) are defined by adam4j's 8-bit specification, not by PyTorch: their parameters, codes
                and absmax must match bit for bit after every step, whatever R and A say, and a failing one names
                the first element that differs (the README's "Validate against PyTorch" describes them).

                Prints one row per case, then a total line. Columns: case (the folder's name), optimizer, dtype, n,
                steps, kernel (vector resolved to its width), max_err/lr and max_rel (the largest |ours - ref| / lr
                and |ours - ref| / |ref| over the parameters at every step), worst_step and worst_index (the element,
                parameter or final state, nearest to or furthest past its tolerance: the step counts from 1, and
                reads STEP:STATE for a state after that step; '-' when every element matches exactly), and PASS or
                FAIL. For a failing case, stderr gets a line with the values of its worst element.

                Optimizers: %s (PyTorch's arguments and defaults; others are refused)

                Exit status: 0 when every case passes, 1 when any fails, 2 for bad arguments or unusable input: a
                missing folder or file, a malformed .npy (version, dtype, byte order, Fortran order, truncated,
                shape), a case.json that is not JSON or lacks a key, an optimizer or option adam4j does not
                implement, or hyperparameters the optimizer refuses. Then one line names the file and the problem,
                and nothing runs.

                Example: ./adam4j validate ../shared/reference-cases/*/ --kernel vector-256 --threads 2
                """.formatted(ParallelChunks.MAX_THREADS, plain(DEFAULT_RTOL), plain(DEFAULT_ATOL_LR),
                String.join(", ", optimizers()));
    }

    /** The parsed command line. */
    record Options(List<Path> cases, String kernel, int threads, Path out, double rtol, double atolLr) {
    }

    @Override
    public int run(String[] args, PrintStream out, PrintStream err) throws UsageException {
        Options o = parse(args);
        Layout layout;
        try {
            layout = checkAll(o);
        } catch (Unusable e) {
            err.println("adam4j validate: " + e.getMessage());
            return USAGE;
        }
        String row = "%-" + layout.caseWidth + "s  %-" + layout.optimizerWidth + "s  %-7s  %7s  %5s  %-10s  %10s  %9s  %"
                + layout.worstWidth + "s  %11s  %s%n";
        out.printf(Locale.ROOT, "kernel %s, %d thread%s; an element passes when |ours - ref| <= %s*|ref| + %s*lr%s%n",
                o.kernel(), o.threads(), o.threads() == 1 ? "" : "s", plain(o.rtol()), plain(o.atolLr()),
                layout.eightBit ? ", in an 8-bit case when it has the same bits" : "");
        out.printf(Locale.ROOT, row, "case", "optimizer", "dtype", "n", "steps", "kernel", "max_err/lr", "max_rel",
                "worst_step", "worst_index", "result");
        int failed = 0;
        for (Path dir : o.cases()) {
            ReferenceCase c;
            CaseReplayer.Replay replay;
            Trajectory ours;
            try {
                c = ReferenceCase.load(dir);
                replay = replayer(c).prepare(c);
                ours = replay(c, replay, o.kernel(), o.threads());
                if (o.out() != null) {
                    write(o.out().resolve(c.name), ours);
                }
            } catch (IOException | IllegalArgumentException e) {
                // Only if a file changed since checkAll read it, or --out cannot be written.
                err.println("adam4j validate: " + message(e));
                return USAGE;
            }
            Comparison cmp = compare(c, ours, replay.lr(), o.rtol(), o.atolLr());
            boolean pass = cmp.passes();
            out.printf(Locale.ROOT, row, c.name, c.optimizer, c.dtypeName(), c.n, c.steps, ours.kernel(),
                    number(cmp.maxErrLr), number(cmp.maxRel), cmp.worstStep(), cmp.worstIndex(),
                    pass ? "PASS" : "FAIL");
            if (!pass) {
                failed++;
                err.println("adam4j validate: " + c.name + ": " + cmp.failure());
            }
        }
        out.printf(Locale.ROOT, "total: %d case%s, %d PASS, %d FAIL%n", o.cases().size(),
                o.cases().size() == 1 ? "" : "s", o.cases().size() - failed, failed);
        return failed == 0 ? OK : FAILED;
    }

    static Options parse(String[] args) throws UsageException {
        Flags f = Flags.parse(args, Set.of("--kernel", "--threads", "--out", "--rtol", "--atol-lr"));
        List<Path> cases = new ArrayList<>();
        for (String a : f.positional()) {
            cases.add(path(a, "case folder"));
        }
        if (cases.isEmpty()) {
            throw new UsageException("no CASE_DIR given");
        }
        String kernel = f.string("--kernel", AdamKernels.VECTOR);
        if (kernel.equals(CaseReplayer.REFERENCE_ALIAS)) {
            kernel = CaseReplayer.REFERENCE;
        }
        if (!KERNELS.contains(kernel)) {
            throw new UsageException("unknown kernel '" + kernel + "'; expected one of " + String.join(", ", KERNELS));
        }
        int threads = f.threads();
        Path out = f.has("--out") ? path(f.string("--out", null), "--out folder") : null;
        double rtol = f.has("--rtol") ? tolerance("--rtol", f.string("--rtol", null)) : DEFAULT_RTOL;
        double atolLr = f.has("--atol-lr") ? tolerance("--atol-lr", f.string("--atol-lr", null)) : DEFAULT_ATOL_LR;
        return new Options(List.copyOf(cases), kernel, threads, out, rtol, atolLr);
    }

    /** Unusable input, in one line naming the file and the problem. */
    private static final class Unusable extends Exception {
        private static final long serialVersionUID = 1L;

        Unusable(String message) {
            super(message, null, false, false);
        }
    }

    /** Column widths that fit every row. */
    private static final class Layout {
        int caseWidth = "case".length();
        int optimizerWidth = "optimizer".length();
        int worstWidth = "worst_step".length();
        /** Whether a case is compared bit for bit (the header says so). */
        boolean eightBit;
    }

    /** Reads every case and looks up what replays it on the chosen kernel. */
    private static Layout checkAll(Options o) throws Unusable {
        Layout layout = new Layout();
        if (o.out() != null && Files.exists(o.out()) && !Files.isDirectory(o.out())) {
            throw new Unusable(o.out() + ": --out is not a folder");
        }
        if (o.out() != null) {
            try {
                Outputs.checkFolder(o.out(), "--out");
            } catch (UnusableException e) {
                throw new Unusable(e.getMessage());
            }
        }
        Map<String, Path> byName = new HashMap<>();
        for (Path dir : o.cases()) {
            ReferenceCase c;
            try {
                requireCaseNotFolderOfCases(dir);
                c = ReferenceCase.load(dir);
                CaseReplayer.Replay replay = replayer(c).prepare(c);
                Set<String> kept = run(c, replay, o.kernel(), o.threads()).state().keySet();
                for (String state : c.states.keySet()) {
                    if (!kept.contains(state)) {
                        throw new Unusable(c.file() + ": state '" + state + "' is not kept by " + c.optimizer
                                + " with these options (it keeps " + (kept.isEmpty() ? "none" : String.join(", ", kept))
                                + ")");
                    }
                }
            } catch (IOException | IllegalArgumentException e) {
                throw new Unusable(message(e));
            }
            layout.caseWidth = Math.max(layout.caseWidth, c.name.length());
            layout.optimizerWidth = Math.max(layout.optimizerWidth, c.optimizer.length());
            layout.eightBit |= c.eightBit();
            for (String state : c.states.keySet()) {
                layout.worstWidth = Math.max(layout.worstWidth, (c.steps + ":" + state).length());
            }
            if (o.out() != null) {
                Path target = o.out().resolve(c.name);
                Path other = byName.put(c.name, dir);
                if (other != null && !sameFile(other, dir)) {
                    throw new Unusable(dir + ": another case folder (" + other + ") has the same name, so --out "
                            + "would write " + target + " twice");
                }
                if (Files.exists(target) && !Files.isDirectory(target)) {
                    throw new Unusable(target + ": --out needs a folder here, and this is a file");
                }
            }
        }
        return layout;
    }

    /** A folder of case folders given as one case gets the glob that names its cases. */
    private static void requireCaseNotFolderOfCases(Path dir) throws IOException, Unusable {
        if (!Files.isDirectory(dir) || Files.exists(dir.resolve("case.json"))) {
            return;
        }
        long cases;
        try (var s = Files.list(dir)) {
            cases = s.filter(d -> Files.isRegularFile(d.resolve("case.json"))).count();
        }
        if (cases > 0) {
            String glob = dir.toString().replaceAll("[/\\\\]+$", "") + "/*/";
            throw new Unusable(dir + ": a folder of " + cases + " case folder" + (cases == 1 ? "" : "s")
                    + ", not a case; pass " + glob + " to validate each");
        }
    }

    static CaseReplayer replayer(ReferenceCase c) throws CaseFormatException {
        for (CaseReplayer r : REPLAYERS) {
            if (r.accepts(c.optimizer)) {
                return r;
            }
        }
        throw new CaseFormatException(c.file() + ": optimizer '" + c.optimizer
                + "' is not implemented by adam4j yet (validate replays " + String.join(", ", optimizers()) + ")");
    }

    /** A replayed trajectory: the parameters after every step, {@code (steps, n)}, and the final state. */
    record Trajectory(String kernel, NpyArray params, Map<String, NpyArray> state) {
    }

    /** The run that replays {@code c}: with 8-bit states, on 16-bit parameters, in float or in double. */
    static CaseReplayer.Run<?> run(ReferenceCase c, CaseReplayer.Replay replay, String kernel, int threads) {
        if (c.eightBit()) {
            return c.storage != null ? replay.eightBit(c.storage, c.blockSize, kernel, threads)
                    : replay.eightBit(c.blockSize, kernel, threads);
        }
        if (c.storage != null) {
            return replay.lowPrecision(c.storage, kernel, threads);
        }
        return c.dtype == NpyArray.DType.F32 ? replay.f32(kernel, threads) : replay.f64(kernel, threads);
    }

    static Trajectory replay(ReferenceCase c, CaseReplayer.Replay replay, String kernel, int threads) {
        if (c.eightBit() && c.storage != null) {
            return replay(c, replay.eightBit(c.storage, c.blockSize, kernel, threads), c.param0.u16(), c.grads.u16());
        }
        if (c.eightBit()) {
            return replay(c, replay.eightBit(c.blockSize, kernel, threads), c.param0.f32(), c.grads.f32());
        }
        if (c.storage != null) {
            return replay(c, replay.lowPrecision(c.storage, kernel, threads), c.param0.u16(), c.grads.u16());
        }
        return c.dtype == NpyArray.DType.F32
                ? replay(c, replay.f32(kernel, threads), c.param0.f32(), c.grads.f32())
                : replay(c, replay.f64(kernel, threads), c.param0.f64(), c.grads.f64());
    }

    /**
     * The step loop, on {@code float[]}, {@code double[]} or a 16-bit case's {@code short[]} ({@code A}): only copies,
     * no arithmetic. An 8-bit case's state is kept after every step, one row per step; the others' after the last.
     */
    private static <A> Trajectory replay(ReferenceCase c, CaseReplayer.Run<A> run, A param0, A grads) {
        int n = c.n;
        int steps = c.steps;
        A p = newArray(param0, n);
        A g = newArray(param0, n);
        A params = newArray(param0, steps * n);
        System.arraycopy(param0, 0, p, 0, n);
        Map<String, Object> rows = new LinkedHashMap<>();
        if (c.eightBit()) {
            run.state().forEach((name, a) -> rows.put(name, newArray(a, steps * Array.getLength(a))));
        }
        // PyTorch's state['step'] counts the steps the parameter took: one without a gradient, or a skipped one
        // (a non-finite gradient under skip_non_finite), leaves it
        long own = 0;
        for (int t = 0; t < steps; t++) {
            if (!c.gradNoneSteps.contains(t + 1)) {
                System.arraycopy(grads, t * n, g, 0, n);
                if (run.step().step(own + 1, p, g)) {
                    own++;
                }
            }
            System.arraycopy(p, 0, params, t * n, n);
            for (Map.Entry<String, ?> e : run.state().entrySet()) {
                Object row = rows.get(e.getKey());
                if (row != null) {
                    int length = Array.getLength(e.getValue());
                    System.arraycopy(e.getValue(), 0, row, t * length, length);
                }
            }
        }
        Map<String, NpyArray> state = new LinkedHashMap<>();
        run.state().forEach((name, a) -> state.put(name, c.eightBit()
                ? npy(rows.get(name), steps, Array.getLength(a)) : npy(a, Array.getLength(a))));
        return new Trajectory(run.kernel(), npy(params, steps, n), state);
    }

    @SuppressWarnings("unchecked")
    private static <A> A newArray(A like, int length) {
        return (A) Array.newInstance(like.getClass().getComponentType(), length);
    }

    private static NpyArray npy(Object data, int... shape) {
        return switch (data) {
            case float[] f -> NpyArray.of(f, shape);
            case double[] d -> NpyArray.of(d, shape);
            case short[] bits -> NpyArray.of(bits, shape);
            case byte[] codes -> NpyArray.of(codes, shape);
            default -> throw new IllegalArgumentException("not an array of float, double, short or byte: " + data);
        };
    }

    static Comparison compare(ReferenceCase c, Trajectory ours, double lr, double rtol, double atolLr) {
        if (c.eightBit()) {
            return compareBits(c, ours, lr);
        }
        Comparison cmp = new Comparison(lr, rtol, atolLr);
        int n = c.n;
        for (int t = 0; t < c.steps; t++) {
            for (int i = 0; i < n; i++) {
                if (c.storage != null) {
                    float ref = c.storage.toFloat(c.params.u16()[t * n + i]);
                    cmp.add(c.storage.toFloat(ours.params().u16()[t * n + i]), ref, t + 1, i, null,
                            ulp16(c.storage, ref));
                } else {
                    cmp.add(ours.params().get(t * n + i), c.params.get(t * n + i), t + 1, i, null);
                }
            }
        }
        for (Map.Entry<String, NpyArray> e : c.states.entrySet()) {
            NpyArray mine = ours.state().get(e.getKey());
            for (int i = 0; i < n; i++) {
                cmp.add(mine.get(i), e.getValue().get(i), c.steps, i, e.getKey());
            }
        }
        return cmp;
    }

    /**
     * An 8-bit case, step by step: after each step the parameters, then each recorded state in case.json's order,
     * each element's bits against the recording's (a NaN parameter matches any NaN: the specification fixes the bits
     * of a NaN absmax, not of a NaN float parameter). The first element that differs is the case's worst.
     */
    static Comparison compareBits(ReferenceCase c, Trajectory ours, double lr) {
        Comparison cmp = new Comparison(lr, 0.0, 0.0);
        int n = c.n;
        for (int t = 0; t < c.steps; t++) {
            for (int i = 0; i < n; i++) {
                cmp.addBits(ours.params(), c.params, c.storage, t * n + i, t + 1, i, null);
            }
            for (Map.Entry<String, NpyArray> e : c.states.entrySet()) {
                int length = e.getValue().shape()[1];
                for (int i = 0; i < length; i++) {
                    cmp.addBits(ours.state().get(e.getKey()), e.getValue(), null, t * length + i, t + 1, i,
                            e.getKey());
                }
            }
        }
        return cmp;
    }

    /**
     * One unit in the last place of {@code fmt} at {@code ref}'s magnitude: the spacing from {@code |ref|} to the next
     * 16-bit value above it. A 16-bit case's parameter may differ from PyTorch's by that much, since PyTorch's float
     * arithmetic rounds differently from any other correct implementation and a difference in the last float bit
     * flips the rounding to 16 bits now and then; a formula mistake moves far more than one 16-bit step over a case.
     */
    static double ulp16(LowPrecision fmt, float ref) {
        if (!Float.isFinite(ref)) {
            return 0.0;
        }
        short up = fmt.fromFloatNearestEven(Math.abs(ref));
        float a = fmt.toFloat(up);
        float next = fmt.toFloat((short) (up + 1));
        return Float.isFinite(next) ? next - a : a - fmt.toFloat((short) (up - 1));
    }

    /**
     * The largest errors of a case's parameters, and where the element that uses up most of its tolerance sits,
     * parameter or state. The largest errors leave the states out because "units of lr" means something only for
     * parameters, which move by about lr a step; a state such as {@code exp_avg_sq} has the gradient's scale squared.
     */
    static final class Comparison {
        private final double lr;
        private final double rtol;
        private final double atolLr;
        double maxErrLr;
        double maxRel;
        /** The worst element's error over its allowed error: 1 is the edge of the band; -1 before any element. */
        double worstRatio = -1;
        int worstStep;
        int worstIndex;
        /** The state the worst element is in, or {@code null} for the parameters. */
        String worstState;
        double worstOurs;
        double worstRef;
        double worstAllowed;
        /** Whether the worst element is the first of a bit-for-bit comparison that differs ({@link #addBits}). */
        boolean worstBits;
        /** The worst element's values as the message shows them, when {@link #worstBits}. */
        String worstOursText;
        String worstRefText;

        Comparison(double lr, double rtol, double atolLr) {
            this.lr = lr;
            this.rtol = rtol;
            this.atolLr = atolLr;
        }

        void add(double ours, double ref, int step, int index, String state) {
            add(ours, ref, step, index, state, 0.0);
        }

        /** As {@link #add(double, double, int, int, String)}, allowing at least {@code storageUlp} (16-bit cases). */
        void add(double ours, double ref, int step, int index, String state, double storageUlp) {
            double err = ours == ref || (Double.isNaN(ours) && Double.isNaN(ref)) ? 0.0 : Math.abs(ours - ref);
            if (Double.isNaN(err)) {
                err = Double.POSITIVE_INFINITY;
            }
            double allowed = Math.max(rtol * Math.abs(ref) + atolLr * lr, storageUlp);
            double ratio = err == 0.0 ? 0.0
                    : !Double.isFinite(ref) || allowed == 0.0 ? Double.POSITIVE_INFINITY : err / allowed;
            if (state == null) {
                countError(err, ref);
            }
            worst(ratio, step, index, state, ours, ref, allowed);
        }

        /** A parameter's error towards the largest errors. */
        private void countError(double err, double ref) {
            maxErrLr = Math.max(maxErrLr, err == 0.0 ? 0.0 : err / lr);
            maxRel = Math.max(maxRel, err == 0.0 ? 0.0 : err / Math.abs(ref));
        }

        /** Makes this element the worst if its ratio is above the worst's; returns whether it did. */
        private boolean worst(double ratio, int step, int index, String state, double ours, double ref,
                double allowed) {
            if (!(ratio > worstRatio)) {
                return false;
            }
            worstRatio = ratio;
            worstStep = step;
            worstIndex = index;
            worstState = state;
            worstOurs = ours;
            worstRef = ref;
            worstAllowed = allowed;
            return true;
        }

        /**
         * Element {@code at} of {@code ours} and {@code ref}, which pass only with the same bits (any NaN matches any
         * NaN for a parameter, {@code state == null}); the first that differs stays the worst, however far later ones
         * miss. Parameters count towards the largest errors as in {@link #add}. {@code fmt} decodes uint16 arrays
         * (16-bit parameters).
         */
        void addBits(NpyArray ours, NpyArray ref, LowPrecision fmt, int at, int step, int index, String state) {
            // the bits, and the values they stand for
            int a, b;
            double ours64, ref64;
            if (ref.u8() != null) {
                a = ours.u8()[at] & 0xff;
                b = ref.u8()[at] & 0xff;
                ours64 = a;
                ref64 = b;
            } else if (ref.u16() != null) {
                a = ours.u16()[at] & 0xffff;
                b = ref.u16()[at] & 0xffff;
                ours64 = fmt.toFloat((short) a);
                ref64 = fmt.toFloat((short) b);
            } else {
                a = Float.floatToRawIntBits(ours.f32()[at]);
                b = Float.floatToRawIntBits(ref.f32()[at]);
                ours64 = Float.intBitsToFloat(a);
                ref64 = Float.intBitsToFloat(b);
            }
            boolean same = a == b || (state == null && Double.isNaN(ours64) && Double.isNaN(ref64));
            if (state == null && !same) {
                // +0 against -0 differs in its bits by no amount
                double err = Math.abs(ours64 - ref64);
                countError(Double.isNaN(err) ? Double.POSITIVE_INFINITY : err, ref64);
            }
            if (worst(same ? 0.0 : Double.POSITIVE_INFINITY, step, index, state, ours64, ref64, 0.0) && !same) {
                worstBits = true;
                worstOursText = shown(ref, a, ours64);
                worstRefText = shown(ref, b, ref64);
            }
        }

        /** A code, or a value with its bits, which tell zeros and NaNs apart, as an element of {@code like}. */
        private static String shown(NpyArray like, int bits, double value) {
            if (like.u8() != null) {
                return "code " + bits;
            }
            int digits = like.u16() != null ? 4 : 8;
            return (float) value + " (0x" + String.format(Locale.ROOT, "%0" + digits + "x", bits) + ")";
        }

        boolean passes() {
            return worstRatio <= 1.0;
        }

        boolean exact() {
            return worstRatio <= 0.0;
        }

        /** The worst element's step, with {@code :STATE} for a state (after that step). */
        String worstStep() {
            return exact() ? "-" : worstState == null ? Integer.toString(worstStep) : worstStep + ":" + worstState;
        }

        String worstIndex() {
            return exact() ? "-" : Integer.toString(worstIndex);
        }

        String where() {
            return worstState == null ? "params at step " + worstStep + ", index " + worstIndex
                    : worstState + " after step " + worstStep + ", " + (worstState.endsWith(ReferenceCase.ABSMAX_SUFFIX)
                    ? "block " : "index ") + worstIndex;
        }

        /** What a failing case's line on stderr says about its worst element. */
        String failure() {
            if (worstBits) {
                return "first difference " + where() + ": ours " + worstOursText + ", recorded " + worstRefText
                        + " (an 8-bit case matches bit for bit)";
            }
            return "worst element " + where() + ": ours " + worstOurs + ", reference " + worstRef + ", error "
                    + Math.abs(worstOurs - worstRef) + ", allowed " + worstAllowed;
        }
    }

    private static void write(Path dir, Trajectory t) throws IOException {
        Npy.write(dir.resolve("params.npy"), t.params());
        for (Map.Entry<String, NpyArray> e : t.state().entrySet()) {
            Npy.write(dir.resolve(e.getKey() + ".npy"), e.getValue());
        }
    }

    private static List<String> optimizers() {
        List<String> all = new ArrayList<>();
        REPLAYERS.forEach(r -> all.addAll(r.optimizers()));
        return all;
    }

    private static List<String> kernelNames() {
        List<String> names = new ArrayList<>(List.of(CaseReplayer.REFERENCE, AdamKernels.VECTOR));
        AdamKernels.WIDTHS.forEach(bits -> names.add(AdamKernels.VECTOR + "-" + bits));
        return List.copyOf(names);
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.isSameFile(a, b);
        } catch (IOException e) {
            return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
        }
    }

    /** One line naming the file and the problem, with anything unprintable that came from a file escaped. */
    static String message(Exception e) {
        String m;
        if (e instanceof FileSystemException fse && !(e instanceof CaseFormatException)) {
            m = fse.getFile() + ": " + (fse.getReason() != null ? fse.getReason()
                    : fse.getClass().getSimpleName().replace("Exception", "").replaceAll("([a-z])([A-Z])", "$1 $2")
                            .toLowerCase(Locale.ROOT));
        } else {
            m = e.getMessage() != null ? e.getMessage() : e.toString();
        }
        return Printable.escape(m.replaceAll("\\s*[\\r\\n]+\\s*", " "));
    }

    private static String plain(double x) {
        return java.math.BigDecimal.valueOf(x).stripTrailingZeros().toString();
    }

    private static String number(double x) {
        if (x == 0.0) {
            return "0";
        }
        return Double.isInfinite(x) ? "inf" : String.format(Locale.ROOT, "%.2e", x);
    }

    private static Path path(String value, String what) throws UsageException {
        try {
            return Path.of(value);
        } catch (InvalidPathException e) {
            throw new UsageException("bad " + what + " '" + value + "': " + e.getReason());
        }
    }

    private static double tolerance(String key, String value) throws UsageException {
        try {
            double x = Double.parseDouble(value);
            if (x >= 0.0 && Double.isFinite(x)) {
                return x;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new UsageException(key + " needs a finite number >= 0, got '" + value + "'");
    }
}
