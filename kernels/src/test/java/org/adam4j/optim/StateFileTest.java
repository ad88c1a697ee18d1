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
}
