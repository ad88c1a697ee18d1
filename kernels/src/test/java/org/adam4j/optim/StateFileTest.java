package org.adam4j.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.adam4j.reference.AdamConfig;
import org.ejml.data.DMatrixRMaj;
import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Save and load: round trip, resume equivalence, and every kind of file that must be refused. */
class StateFileTest {
    @TempDir
    Path dir;

    /** A small model with every kind of parameter, in two groups (one with AMSGrad and a schedule). */
    static final class Model implements AutoCloseable {
        final Arena arena = Arena.ofShared();
        final Optimizer<AdamConfig> opt;
        final float[] w = new float[300];
        final float[] gw = new float[300];
        final FMatrixRMaj a = new FMatrixRMaj(7, 9);
        final FMatrixRMaj ga = new FMatrixRMaj(7, 9);
        final DMatrixRMaj b = new DMatrixRMaj(5, 3);
        final DMatrixRMaj gb = new DMatrixRMaj(5, 3);
        final MemorySegment s;
        final MemorySegment gs;
        final float[] flat = new float[100];
        final float[] gflat = new float[100];

        Model(Optimizer.Builder<AdamConfig, ?> builder, int segmentElements, Consumer<Optimizer<AdamConfig>> extra) {
            opt = builder.build();
            s = arena.allocate(8L * segmentElements);
            gs = arena.allocate(8L * segmentElements);
            ParamGroup<AdamConfig> g2 = opt.addGroup(AdamConfig.builder().lr(0.01).decoupled(0.02).amsgrad(true).build(),
                    LrSchedule.cosineWithWarmup(3, 20, 1e-5));
            opt.defaultGroup().add(w, gw);
            opt.defaultGroup().add(a, ga);
            g2.add(b, gb);
            g2.add(Precision.F64, s, gs);
            g2.add(flat, gflat, 10, 40);
            g2.add(flat, gflat, 60, 30);
            extra.accept(opt);
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) Math.sin(i);
            }
            for (int i = 0; i < a.data.length; i++) {
                a.data[i] = (float) Math.cos(i);
            }
            for (int i = 0; i < b.data.length; i++) {
                b.data[i] = Math.tan(i * 0.1);
            }
            for (long i = 0; i < segmentElements; i++) {
                s.setAtIndex(ValueLayout.JAVA_DOUBLE, i, i * 0.01);
            }
            for (int i = 0; i < flat.length; i++) {
                flat[i] = i * 0.5f;
            }
        }

        Model() {
            this(Optimizer.adam().lr(0.003).schedule(LrSchedule.stepDecay(4, 0.7)), 50, o -> { });
        }

        void gradients(int t) {
            for (int i = 0; i < gw.length; i++) {
                gw[i] = (float) Math.sin(i * t + 1);
            }
            for (int i = 0; i < ga.data.length; i++) {
                ga.data[i] = (float) Math.cos(i * t * 0.3);
            }
            for (int i = 0; i < gb.data.length; i++) {
                gb.data[i] = Math.sin(t - i);
            }
            for (long i = 0; i < gs.byteSize() / 8; i++) {
                gs.setAtIndex(ValueLayout.JAVA_DOUBLE, i, Math.cos(t + i * 0.7));
            }
            for (int i = 0; i < gflat.length; i++) {
                gflat[i] = (float) (t - i * 0.01);
            }
        }

        void steps(int from, int to) {
            for (int t = from; t <= to; t++) {
                opt.zeroGrad();
                gradients(t);
                opt.step();
            }
        }

        /** The values, the whole optimizer state and the step counts, as bytes. */
        byte[] snapshot() {
            byte[] state = OptimizerEquivalenceTest.bytes(opt, List.of(MemorySegment.ofArray(w),
                    MemorySegment.ofArray(a.data), MemorySegment.ofArray(b.data), s, MemorySegment.ofArray(flat)));
            ByteBuffer out = ByteBuffer.allocate(state.length + 8 * (opt.params().size() + 1)).put(state);
            opt.params().forEach(p -> out.putLong(p.step()));
            return out.putLong(opt.steps()).array();
        }

        /** Copies another model's parameter values (a model checkpoint is the caller's business). */
        void valuesFrom(Model o) {
            System.arraycopy(o.w, 0, w, 0, w.length);
            System.arraycopy(o.a.data, 0, a.data, 0, a.data.length);
            System.arraycopy(o.b.data, 0, b.data, 0, b.data.length);
            MemorySegment.copy(o.s, 0, s, 0, s.byteSize());
            System.arraycopy(o.flat, 0, flat, 0, flat.length);
        }

        @Override
        public void close() {
            opt.close();
            arena.close();
        }
    }

    @Test
    void aResumedRunIsBitIdenticalToOneThatNeverStopped() throws IOException {
        Path file = dir.resolve("opt.state");
        try (Model straight = new Model(); Model first = new Model(); Model resumed = new Model()) {
            straight.steps(1, 12);
            first.steps(1, 5);
            first.opt.save(file);
            resumed.valuesFrom(first);
            resumed.opt.load(file);
            assertArrayEquals(first.snapshot(), resumed.snapshot(), "the loaded state is the saved state");
            assertEquals(5, resumed.opt.steps());
            resumed.steps(6, 12);
            assertArrayEquals(straight.snapshot(), resumed.snapshot(), "resumed at step 5 == never stopped");
        }
    }

    @Test
    void saveReplacesTheFileAndLeavesNoTemporaryFile() throws IOException {
        Path file = dir.resolve("opt.state");
        try (Model m = new Model()) {
            m.steps(1, 2);
            m.opt.save(file);
            byte[] before = Files.readAllBytes(file);
            m.steps(3, 3);
            m.opt.save(file);
            byte[] after = Files.readAllBytes(file);
            assertTrue(!java.util.Arrays.equals(before, after), "a later state was written");
            assertEquals(before.length, after.length);
            try (Stream<Path> files = Files.list(dir)) {
                assertEquals(List.of(file), files.toList(), "only the state file is left in the directory");
            }
            // the documented layout: magic, version, length, checksum
            ByteBuffer h = ByteBuffer.wrap(after).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(StateFile.MAGIC, new String(after, 0, 8, StandardCharsets.US_ASCII));
            assertEquals(1, h.getInt(8));
            assertEquals(after.length, h.getLong(16));
            CRC32C crc = new CRC32C();
            crc.update(after, 0, after.length - 4);
            assertEquals((int) crc.getValue(), h.getInt(after.length - 4));
            assertEquals("adam", new String(after, 26, h.getShort(24), StandardCharsets.UTF_8));
            assertEquals(3, h.getLong(30), "the optimizer's step count follows the algorithm name");
        }
    }

    @Test
    void aFailedSaveLeavesTheOldFile() throws IOException {
        Path file = dir.resolve("opt.state");
        Arena arena = Arena.ofShared();
        try (Model m = new Model()) {
            MemorySegment p = arena.allocate(64);
            m.opt.defaultGroup().add(Precision.F32, p, arena.allocate(64));
            m.steps(1, 2);
            m.opt.save(file);
            byte[] before = Files.readAllBytes(file);
            m.steps(3, 3);
            arena.close();
            var e = assertThrows(IllegalStateException.class, () -> m.opt.save(file));
            assertTrue(e.getMessage().contains("arena"), e.getMessage());
            assertArrayEquals(before, Files.readAllBytes(file));
            try (Stream<Path> files = Files.list(dir)) {
                assertEquals(1, files.count());
            }
        }
    }

    /** Loads {@code file} into a fresh model after 3 steps, expects the message, and that nothing changed. */
    private static void assertRefused(Path file, String message) {
        try (Model m = new Model()) {
            assertRefused(m, file, message);
        }
    }

    private static void assertRefused(Model m, Path file, String message) {
        m.steps(1, 3);
        byte[] before = m.snapshot();
        var e = assertThrows(IllegalArgumentException.class, () -> m.opt.load(file));
        assertTrue(e.getMessage().contains(message), "expected '" + message + "' in: " + e.getMessage());
        assertArrayEquals(before, m.snapshot(), "a refused load changed the optimizer");
        m.steps(4, 4);
    }

    private Path saved() throws IOException {
        Path file = dir.resolve("good.state");
        try (Model m = new Model()) {
            m.steps(1, 7);
            m.opt.save(file);
        }
        return file;
    }

    private Path variant(String name, byte[] bytes) throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, bytes);
        return f;
    }

    /** Rewrites the checksum so that a deliberate edit passes it and reaches the structural checks. */
    private static byte[] resealed(byte[] b) {
        CRC32C crc = new CRC32C();
        crc.update(b, 0, b.length - 4);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length - 4, (int) crc.getValue());
        return b;
    }

    @Test
    void truncatedFilesAreRefused() throws IOException {
        byte[] good = Files.readAllBytes(saved());
        for (int keep : new int[] {0, 5, 20, 27, good.length / 2, good.length - 1}) {
            assertRefused(variant("cut" + keep, java.util.Arrays.copyOf(good, keep)), "is truncated");
        }
    }

    @Test
    void corruptedFilesAreRefused() throws IOException {
        byte[] good = Files.readAllBytes(saved());
        for (int at : new int[] {30, 60, good.length / 2, good.length - 10, good.length - 2}) {
            byte[] bad = good.clone();
            bad[at] ^= 0x10;
            assertRefused(variant("flip" + at, bad), "corrupted");
        }
        byte[] longer = java.util.Arrays.copyOf(good, good.length + 3);
        assertRefused(variant("longer", longer), "corrupted");
        // a consistent checksum over a nonsensical structure is caught by the structural checks
        byte[] badKind = good.clone();
        badKind[24 + 2 + 4 + 8 + 4 + 5 * 8 + 1 + 8 + 1] = (byte) 99; // group 0's schedule kind
        assertRefused(variant("kind", resealed(badKind)), "unknown schedule kind 99");
    }

    @Test
    void foreignFilesAreRefused() throws IOException {
        assertRefused(variant("text", "hello, this is not a state file at all".getBytes(StandardCharsets.UTF_8)),
                "not an adam4j optimizer state file");
        assertRefused(variant("npy", new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 0, 0}),
                "not an adam4j optimizer state file");
        byte[] good = Files.readAllBytes(saved());
        byte[] newer = good.clone();
        newer[8] = 4;
        assertRefused(variant("v4", newer), "format version 4; this adam4j reads versions 1 to 3");
        byte[] lion = good.clone();
        lion[26] = 'l';
        lion[27] = 'i';
        lion[28] = 'o';
        lion[29] = 'n';
        assertRefused(variant("lion", resealed(lion)), "the algorithm 'lion' in a version 1 file");
    }

    @Test
    void filesOfOtherShapesAreRefused() throws IOException {
        Path good = saved();
        try (Model m = new Model(Optimizer.adam().lr(0.003).schedule(LrSchedule.stepDecay(4, 0.7)), 51,
                o -> { })) {
            assertRefused(m, good, "was saved with the shape [50]");
        }
        try (Model m = new Model(Optimizer.adam().lr(0.003).schedule(LrSchedule.stepDecay(4, 0.7)), 50,
                o -> o.defaultGroup().add(new float[3], new float[3]))) {
            assertRefused(m, good, "group 0 has 2 parameters there, 3 here");
        }
        try (Model m = new Model(Optimizer.adam().lr(0.003).schedule(LrSchedule.stepDecay(4, 0.7)), 50,
                o -> o.addGroup(AdamConfig.defaults(), LrSchedule.constant()))) {
            assertRefused(m, good, "it has 2 parameter groups, this optimizer 3");
        }
    }

    /** As PyTorch's load_state_dict: the file's hyperparameters and schedules replace the optimizer's. */
    @Test
    void loadingTakesTheSavedHyperparametersAndSchedules() throws IOException {
        Path good = saved();
        try (Model m = new Model(Optimizer.adamW().lr(0.05).schedule(LrSchedule.constant()), 50, o -> { });
                Model straight = new Model()) {
            m.opt.load(good);
            assertEquals(AdamConfig.builder().lr(0.003).build(), m.opt.defaultGroup().config());
            assertEquals(LrSchedule.stepDecay(4, 0.7), m.opt.defaultGroup().schedule());
            assertEquals("adam", m.opt.algorithm());
            straight.steps(1, 7);
            assertEquals(straight.opt.state(), m.opt.state());
        }
    }

    @Test
    void aStepCountAtTheLimitRefusesToWrap() throws IOException {
        byte[] b = Files.readAllBytes(saved());
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(30, Long.MAX_VALUE);
        Path f = variant("max", resealed(b));
        try (Model m = new Model()) {
            m.opt.load(f);
            assertEquals(Long.MAX_VALUE, m.opt.steps());
            byte[] before = m.snapshot();
            assertThrows(ArithmeticException.class, m.opt::step);
            assertArrayEquals(before, m.snapshot(), "a refused step changed something");
        }
    }

    // ------------------------------------------------------------ issue 12: what the reader refuses, and how saves end

    /** The offset of {@code pattern} in {@code b}, which must hold it exactly once. */
    private static int offsetOf(byte[] b, byte[] pattern) {
        int found = -1;
        for (int i = 0; i + pattern.length <= b.length; i++) {
            if (java.util.Arrays.equals(b, i, i + pattern.length, pattern, 0, pattern.length)) {
                assertEquals(-1, found, "the pattern occurs more than once");
                found = i;
            }
        }
        assertTrue(found >= 0, "the pattern is not in the file");
        return found;
    }

    private static byte[] le(float x) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(x).array();
    }

    private static byte[] le(double x) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(x).array();
    }

    /** The first element of parameter 0's state array {@code name}, as the optimizer holds it. */
    private static float firstElement(Optimizer<?> opt, String name) {
        return opt.state().groups().get(0).params().get(0).arrays().get(name)
                .getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, 0);
    }

    /** Messages about a file carry no control character (nothing from the file reaches a terminal raw). */
    private static void assertPrintable(String message) {
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            assertTrue(c >= 0x20 && c != 0x7f && !(c >= 0x80 && c <= 0x9f),
                    "control character " + (int) c + " at " + i + " in: " + message);
        }
    }

    @Test
    void anUnknownFlagIsRefused() throws IOException {
        byte[] good = Files.readAllBytes(saved());
        assertEquals(0, ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN).getInt(12), "written as 0");
        for (int flags : new int[] {4, 0x80000000, -1}) {
            byte[] b = good.clone();
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(12, flags);
            assertRefused(variant("flags" + flags, resealed(b)), "has the flags " + Integer.toHexString(flags));
        }
        // flag 1 promises a loss scaler's state after the groups: a file without one ends early
        byte[] b = good.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(12, StateFile.FLAG_GRAD_SCALER);
        assertRefused(variant("flags1", resealed(b)), "runs past its end");
        // flag 2 promises a rounding and seed per group and precision codes: read where they are not, they are wrong
        b = good.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(12, StateFile.FLAG_PRECISIONS);
        assertRefused(variant("flags2", resealed(b)), "is corrupted");
    }

    @Test
    void aNegativeExpAvgSqIsRefused() throws IOException {
        Path file = dir.resolve("sq.state");
        byte[] good;
        float sq;
        try (Model m = new Model()) {
            m.steps(1, 7);
            m.opt.save(file);
            good = Files.readAllBytes(file);
            sq = firstElement(m.opt, "exp_avg_sq");
        }
        assertTrue(sq > 0, "a positive second moment to replace: " + sq);
        int at = offsetOf(good, le(sq));
        for (float bad : new float[] {-1f, -Float.MIN_VALUE, Float.NEGATIVE_INFINITY}) {
            byte[] b = good.clone();
            System.arraycopy(le(bad), 0, b, at, 4);
            Path f = variant("sq" + bad, resealed(b));
            assertRefused(f, f + ": parameter 0 of group 0");
            assertRefused(f, "has exp_avg_sq[0] = " + (double) bad + ", outside [0.0, Infinity]");
        }
        // -0.0 and NaN are values a step can leave (a NaN gradient spreads NaN), so they load
        byte[] b = good.clone();
        System.arraycopy(le(-0.0f), 0, b, at, 4);
        try (Model m = new Model()) {
            m.opt.load(variant("sq-0", resealed(b)));
            assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(firstElement(m.opt, "exp_avg_sq")));
        }
    }

    /** A NAdam optimizer of one float[5] parameter after three steps, saved to {@code file}. */
    private static byte[] nadamSaved(Path file, double[] muProduct) throws IOException {
        try (Optimizer<?> opt = Optimizer.nadam().lr(0.01).build()) {
            float[] p = {1, 2, 3, 4, 5};
            float[] g = {0.5f, -0.5f, 0.25f, 1, -2};
            opt.defaultGroup().add(p, g);
            for (int i = 0; i < 3; i++) {
                opt.step();
            }
            opt.save(file);
            muProduct[0] = opt.state().groups().get(0).params().get(0).scalars().get("mu_product");
        }
        return Files.readAllBytes(file);
    }

    @Test
    void aNaNOrOutOfRangeMuProductIsRefused() throws IOException {
        double[] mu = new double[1];
        byte[] good = nadamSaved(dir.resolve("nadam.state"), mu);
        assertTrue(mu[0] > 0 && mu[0] < 1, "mu_product after three steps: " + mu[0]);
        int at = offsetOf(good, le(mu[0]));
        for (double bad : new double[] {Double.NaN, Double.longBitsToDouble(0x7ff0_dead_0000_0001L), -0.5, 1.5,
                Double.POSITIVE_INFINITY}) {
            byte[] b = good.clone();
            System.arraycopy(le(bad), 0, b, at, 8);
            Path f = variant("mu" + Double.doubleToRawLongBits(bad), resealed(b));
            try (Optimizer<?> opt = Optimizer.nadam().lr(0.01).build()) {
                float[] p = {1, 2, 3, 4, 5};
                opt.defaultGroup().add(p, new float[5]);
                opt.step();
                OptimizerState before = opt.state();
                var e = assertThrows(IllegalArgumentException.class, () -> opt.load(f));
                assertTrue(e.getMessage().startsWith(f + ": ") && e.getMessage().contains("has mu_product "
                        + bad + ", outside [0.0, 1.0]"), e.getMessage());
                assertEquals(before, opt.state(), "a refused load changed the optimizer");
            }
        }
        // the bounds themselves are states a run can reach (1 before the first step, 0 after underflow)
        for (double edge : new double[] {0.0, 1.0}) {
            byte[] b = good.clone();
            System.arraycopy(le(edge), 0, b, at, 8);
            try (Optimizer<?> opt = Optimizer.nadam().lr(0.01).build()) {
                opt.defaultGroup().add(new float[5], new float[5]);
                opt.load(variant("mu-edge" + edge, resealed(b)));
                assertEquals(edge, opt.state().groups().get(0).params().get(0).scalars().get("mu_product"));
            }
        }
    }

    @Test
    void aParameterStepCountAboveTheOptimizersIsRefused() throws IOException {
        byte[] good = Files.readAllBytes(saved());
        ByteBuffer h = ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN);
        // version 1, group 0 = [lr, betas, eps, wd] mode max_lr flags, stepDecay(4, 0.7), 2 parameters;
        // parameter 0: 4-byte elements, rank 1, [300], then its step count
        int param0 = 24 + 2 + 4 + 8 + 4 + 5 * 8 + 1 + 8 + 1 + (1 + 8 + 8) + 4;
        assertEquals(7, h.getLong(30), "the optimizer's steps");
        assertEquals(4, good[param0]);
        assertEquals(1, good[param0 + 1]);
        assertEquals(300, h.getLong(param0 + 2));
        int step = param0 + 2 + 8;
        assertEquals(7, h.getLong(step), "parameter 0's steps");
        for (long bad : new long[] {8, Long.MAX_VALUE}) {
            byte[] b = good.clone();
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(step, bad);
            Path f = variant("step" + bad, resealed(b));
            assertRefused(f, f + ": parameter 0 of group 0");
            assertRefused(f, "has step count " + bad + ", outside [0, 7] (the optimizer's steps)");
        }
        // fewer steps than the optimizer is a parameter registered later: that loads
        byte[] b = good.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(step, 2);
        try (Model m = new Model()) {
            m.opt.load(variant("step2", resealed(b)));
            assertEquals(2, m.opt.params().get(0).step());
            assertEquals(7, m.opt.steps());
        }
    }

    @Test
    void anAlgorithmNameOfBinaryBytesOrEscapeSequencesIsEscapedInTheMessage() throws IOException {
        double[] mu = new double[1];
        byte[] nadam = nadamSaved(dir.resolve("nadam.state"), mu);
        assertEquals("nadam", new String(nadam, 26, 5, StandardCharsets.US_ASCII));
        byte[] adam = Files.readAllBytes(saved());
        assertEquals("adam", new String(adam, 26, 4, StandardCharsets.US_ASCII));
        byte[][] names = {
                {0x1b, '[', '3', '1', 'm'}, // a terminal colour
                {0x1b, ']', '0', ';', 7},   // a window title, ended by BEL
                {(byte) 0xc2, (byte) 0x9b, '2', 'J', 0}, // C1 CSI (erase screen) in UTF-8, and NUL
                {(byte) 0xff, (byte) 0xfe, '\r', '\n', 8}, // not UTF-8, CR LF, backspace
        };
        for (int k = 0; k < names.length; k++) {
            byte[] b = nadam.clone();
            System.arraycopy(names[k], 0, b, 26, 5);
            Path f = variant("name" + k, resealed(b));
            try (Optimizer<?> opt = Optimizer.nadam().build()) {
                opt.defaultGroup().add(new float[5], new float[5]);
                var e = assertThrows(IllegalArgumentException.class, () -> opt.load(f));
                assertTrue(e.getMessage().startsWith(f + " is corrupted: it has the algorithm '"), e.getMessage());
                assertPrintable(e.getMessage());
            }
            byte[] v1 = adam.clone();
            System.arraycopy(names[k], 0, v1, 26, 4);
            Path g = variant("v1name" + k, resealed(v1));
            try (Model m = new Model()) {
                m.steps(1, 3);
                byte[] before = m.snapshot();
                var e = assertThrows(IllegalArgumentException.class, () -> m.opt.load(g));
                assertTrue(e.getMessage().startsWith(g + " is corrupted: it has the algorithm '"), e.getMessage());
                assertPrintable(e.getMessage());
                assertArrayEquals(before, m.snapshot());
            }
        }
        byte[] b = nadam.clone();
        System.arraycopy(names[0], 0, b, 26, 5);
        try (Optimizer<?> opt = Optimizer.nadam().build()) {
            opt.defaultGroup().add(new float[5], new float[5]);
            var e = assertThrows(IllegalArgumentException.class, () -> opt.load(variant("esc", resealed(b))));
            assertTrue(e.getMessage().contains("the algorithm '\\u001b[31m'"), e.getMessage());
        }
    }

    @Test
    void aDirectoryIsRefusedNamingIt() throws IOException {
        Path folder = Files.createDirectory(dir.resolve("a folder"));
        try (Model m = new Model()) {
            m.steps(1, 3);
            byte[] before = m.snapshot();
            var load = assertThrows(IllegalArgumentException.class, () -> m.opt.load(folder));
            assertEquals(folder + " is a directory, not a state file", load.getMessage());
            assertArrayEquals(before, m.snapshot());
            var save = assertThrows(IOException.class, () -> m.opt.save(folder));
            assertEquals(folder + " is a directory, not a state file", save.getMessage());
            try (Stream<Path> files = Files.list(folder)) {
                assertEquals(0, files.count(), "nothing written into the folder");
            }
            try (Stream<Path> files = Files.list(dir)) {
                assertEquals(List.of(folder), files.toList(), "nothing written beside it");
            }
            // a link to a folder is a folder too
            Path link = dir.resolve("link");
            try {
                Files.createSymbolicLink(link, folder);
            } catch (UnsupportedOperationException | IOException e) {
                return;
            }
            var viaLink = assertThrows(IOException.class, () -> m.opt.save(link));
            assertTrue(viaLink.getMessage().contains(" is a directory, not a state file"), viaLink.getMessage());
            assertTrue(Files.isSymbolicLink(link));
            assertThrows(IllegalArgumentException.class, () -> m.opt.load(link));
        }
    }

    @Test
    void aSaveIntoAMissingFolderOrThroughADanglingLinkIsRefusedNamingThePath() throws IOException {
        try (Model m = new Model()) {
            m.steps(1, 2);
            Path missing = dir.resolve("no such folder").resolve("opt.state");
            var e = assertThrows(java.nio.file.NoSuchFileException.class, () -> m.opt.save(missing));
            assertEquals(missing + ": no such directory " + missing.getParent() + "; nothing was written",
                    e.getMessage());
            Path link = dir.resolve("link.state");
            try {
                Files.createSymbolicLink(link, Path.of("gone.state"));
            } catch (UnsupportedOperationException | IOException x) {
                return;
            }
            var d = assertThrows(java.nio.file.NoSuchFileException.class, () -> m.opt.save(link));
            assertEquals(link + ": a symbolic link to gone.state, which does not exist; nothing was written",
                    d.getMessage());
            assertTrue(Files.isSymbolicLink(link));
            try (Stream<Path> files = Files.list(dir)) {
                assertEquals(List.of(link), files.toList(), "nothing was written");
            }
            var l = assertThrows(java.nio.file.NoSuchFileException.class, () -> m.opt.load(link));
            assertTrue(l.getMessage().startsWith(link + ": "), l.getMessage());
        }
    }

    @Test
    void aSaveThroughASymbolicLinkReplacesItsTargetAndKeepsTheLink() throws IOException {
        Path targets = Files.createDirectory(dir.resolve("targets"));
        Path links = Files.createDirectory(dir.resolve("links"));
        Path target = targets.resolve("real.state");
        Path link = links.resolve("opt.state");
        Path chain = links.resolve("chain.state");
        try {
            Files.createSymbolicLink(link, links.relativize(target));
            Files.createSymbolicLink(chain, link.getFileName());
        } catch (UnsupportedOperationException | IOException e) {
            org.junit.jupiter.api.Assumptions.abort("no symbolic links here: " + e);
        }
        try (Model m = new Model(); Model loaded = new Model()) {
            m.steps(1, 2);
            m.opt.save(target);
            m.steps(3, 4);
            m.opt.save(link);
            assertTrue(Files.isSymbolicLink(link), "the link is still a link");
            assertEquals(links.relativize(target), Files.readSymbolicLink(link), "pointing where it did");
            loaded.opt.load(target);
            assertEquals(4, loaded.opt.steps(), "the link's target holds the new state");
            m.steps(5, 5);
            m.opt.save(chain);
            assertTrue(Files.isSymbolicLink(chain) && Files.isSymbolicLink(link), "a chain of links is kept");
            loaded.opt.load(chain);
            assertEquals(5, loaded.opt.steps());
            assertEquals(m.opt.state(), loaded.opt.state());
            try (Stream<Path> t = Files.list(targets); Stream<Path> l = Files.list(links)) {
                assertEquals(List.of(target), t.toList(), "no temporary file beside the target");
                assertEquals(java.util.Set.of(link, chain), java.util.Set.copyOf(l.toList()),
                        "nothing beside the links");
            }
        }
    }

    /** The process's umask, from the shell (the JDK has no call for it), or null if there is no POSIX shell. */
    private static Integer umask() {
        try {
            Process p = new ProcessBuilder("/bin/sh", "-c", "umask").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            return p.waitFor() == 0 && out.matches("0?[0-7]{3,4}") ? Integer.parseInt(out, 8) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static String mode(int bits) {
        StringBuilder b = new StringBuilder();
        for (int shift = 6; shift >= 0; shift -= 3) {
            b.append((bits >> shift & 4) != 0 ? 'r' : '-').append((bits >> shift & 2) != 0 ? 'w' : '-')
                    .append((bits >> shift & 1) != 0 ? 'x' : '-');
        }
        return b.toString();
    }

    @Test
    void aSavedFileHasTheModeTheUmaskGives() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                dir.getFileSystem().supportedFileAttributeViews().contains("posix"), "not a POSIX file system");
        Integer umask = umask();
        org.junit.jupiter.api.Assumptions.assumeTrue(umask != null, "no /bin/sh to ask for the umask");
        String expected = mode(0666 & ~umask);
        if (umask == 0022) {
            assertEquals("rw-r--r--", expected);
        }
        Path file = dir.resolve("opt.state");
        Path tmp = dir.resolve(".opt.state.adam4j-tmp");
        try (Model m = new Model()) {
            m.steps(1, 2);
            m.opt.save(file);
            assertEquals(expected, java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(file)), "umask " + Integer.toOctalString(umask));
            // a temporary file left by a killed save (here by an older adam4j, which made them 0600) gives its mode
            // to nothing: the next save's file has the umask's
            Files.write(tmp, new byte[100]);
            Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            m.opt.save(file);
            assertEquals(expected, java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(file)), "after a leftover 0600 temporary file");
            assertTrue(Files.notExists(tmp));
        }
    }

    @Test
    void aKilledSavesTemporaryFileIsReplacedByTheNextSave() throws IOException {
        Path file = dir.resolve("opt.state");
        Path tmp = dir.resolve(".opt.state.adam4j-tmp");
        try (Model m = new Model(); Model loaded = new Model()) {
            m.steps(1, 2);
            m.opt.save(file);
            byte[] old = Files.readAllBytes(file);
            // what a save killed half-way leaves: the complete old file and a partial temporary one (bigger than
            // the new state, so that a save which did not truncate it would leave a longer, refused file)
            byte[] partial = java.util.Arrays.copyOf(old, old.length * 3);
            partial[12] = 1;
            Files.write(tmp, partial);
            loaded.opt.load(file);
            assertEquals(2, loaded.opt.steps(), "the leftover does not disturb a load");
            m.steps(3, 3);
            m.opt.save(file);
            try (Stream<Path> files = Files.list(dir)) {
                assertEquals(List.of(file), files.toList(), "the next save removed the leftover");
            }
            loaded.opt.load(file);
            assertEquals(m.opt.state(), loaded.opt.state());
            // a leftover that is a symbolic link is replaced, not written through
            Path elsewhere = dir.resolve("elsewhere");
            Files.write(elsewhere, old);
            try {
                Files.createSymbolicLink(tmp, elsewhere);
            } catch (UnsupportedOperationException | IOException e) {
                return;
            }
            m.steps(4, 4);
            m.opt.save(file);
            assertArrayEquals(old, Files.readAllBytes(elsewhere), "the leftover link's target is untouched");
            assertTrue(Files.notExists(tmp, java.nio.file.LinkOption.NOFOLLOW_LINKS));
            assertTrue(!Files.isSymbolicLink(file));
            loaded.opt.load(file);
            assertEquals(4, loaded.opt.steps());
        }
    }
}
