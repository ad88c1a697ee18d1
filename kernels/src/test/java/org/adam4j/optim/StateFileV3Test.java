package org.adam4j.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.zip.CRC32C;
import org.adam4j.reference.NAdamConfig;
import org.adam4j.reference.RAdamConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * State file version 3: which version a state is written in, and the refusals of its self-describing configuration
 * (edits of the golden {@code v3-nadam} file, resealed so that they reach the structural checks). The golden files
 * themselves are {@link StateFileGoldenTest}'s.
 */
class StateFileV3Test {
    @TempDir
    Path dir;

    private static StateFileGoldenTest.Golden golden(String name) {
        return StateFileGoldenTest.goldens().filter(g -> g.name().equals(name)).findFirst().orElseThrow();
    }

    private int savedVersion(Optimizer.Builder<?, ?> builder, Consumer<Optimizer<?>> second) throws IOException {
        Path file = dir.resolve("v.state");
        try (Optimizer<?> opt = builder.build()) {
            opt.defaultGroup().add(new float[5], new float[5]);
            second.accept(opt);
            opt.step();
            opt.save(file);
        }
        return ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN).getInt(8);
    }

    @Test
    void eachStateIsWrittenInTheOldestVersionThatHoldsIt() throws IOException {
        assertEquals(2, savedVersion(Optimizer.nadam().weightDecay(0.1).maximize(false), o -> { }));
        assertEquals(2, savedVersion(Optimizer.radam().decoupledWeightDecay(false), o -> { }));
        assertEquals(3, savedVersion(Optimizer.radam().maximize(true), o -> { }));
        assertEquals(3, savedVersion(Optimizer.nadam().weightDecay(0.1).decoupledWeightDecay(true), o -> { }));
        // one group with a newer option makes the whole file version 3
        assertEquals(3, savedVersion(Optimizer.nadam(), o -> StateFileV3Test.<NAdamConfig>cast(o).addGroup(
                NAdamConfig.builder().maximize(true).build(), LrSchedule.constant()).add(new float[2], new float[2])));
        assertEquals(2, savedVersion(Optimizer.radam(), o -> StateFileV3Test.<RAdamConfig>cast(o).addGroup(
                RAdamConfig.builder().lr(0.1).build(), LrSchedule.constant()).add(new float[2], new float[2])));
    }

    @SuppressWarnings("unchecked")
    private static <C extends org.adam4j.reference.OptimizerConfig> Optimizer<C> cast(Optimizer<?> o) {
        return (Optimizer<C>) o;
    }

    /** The golden v3-nadam bytes; group 0's configuration starts at {@link #CONFIG}. */
    private static byte[] v3() throws IOException {
        byte[] b = StateFileGoldenTest.golden("v3-nadam");
        assertEquals(3, b[8]);
        assertEquals("nadam", new String(b, 26, 5, StandardCharsets.US_ASCII));
        return b;
    }

    /** After the header (24), the algorithm string (2 + 5), the steps (8) and the group count (4). */
    private static final int CONFIG = 24 + 7 + 8 + 4;

    /** Where group 0's configuration ends: after its last field, maximize's type and value bytes. */
    private static int configEnd(byte[] b) {
        return indexOf(b, "maximize") + "maximize".length() + 2;
    }

    private static int indexOf(byte[] b, String name) {
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        outer:
        for (int i = CONFIG; i + n.length <= b.length; i++) {
            for (int k = 0; k < n.length; k++) {
                if (b[i + k] != n[k]) {
                    continue outer;
                }
            }
            if ((b[i - 2] & 0xff) == n.length && b[i - 1] == 0) {
                return i;
            }
        }
        throw new AssertionError("no field " + name);
    }

    /** Rewrites the length and the checksum so that a deliberate edit reaches the structural checks. */
    private static byte[] resealed(byte[] b) {
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(16, b.length);
        CRC32C crc = new CRC32C();
        crc.update(b, 0, b.length - 4);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length - 4, (int) crc.getValue());
        return b;
    }

    /** The golden file with group 0's configuration replaced by {@code fields} (count first). */
    private static byte[] withConfig(byte[] fields) throws IOException {
        byte[] b = v3();
        int end = configEnd(b);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(b, 0, CONFIG);
        out.write(fields);
        out.write(b, end, b.length - end);
        return resealed(out.toByteArray());
    }

    /** Builds a version 3 configuration: u8 count, then name, type, value. */
    private static final class Fields {
        private final ByteBuffer buf = ByteBuffer.allocate(1024).order(ByteOrder.LITTLE_ENDIAN);
        private int count;

        Fields() {
            buf.put((byte) 0);
        }

        private Fields name(String name, int type) {
            byte[] n = name.getBytes(StandardCharsets.UTF_8);
            buf.putShort((short) n.length).put(n).put((byte) type);
            count++;
            return this;
        }

        Fields number(String name, double x) {
            name(name, 0).buf.putDouble(x);
            return this;
        }

        Fields flag(String name, int b) {
            name(name, 1).buf.put((byte) b);
            return this;
        }

        Fields string(String name, String s) {
            byte[] v = s.getBytes(StandardCharsets.UTF_8);
            name(name, 3).buf.putShort((short) v.length).put(v);
            return this;
        }

        byte[] bytes() {
            buf.put(0, (byte) count);
            byte[] b = new byte[buf.position()];
            buf.get(0, b);
            return b;
        }
    }

    /** Loads {@code bytes} into the golden model after its run; expects the message and an unchanged state. */
    private void assertRefused(byte[] bytes, String message) throws IOException {
        Path f = dir.resolve("edited.state");
        Files.write(f, bytes);
        StateFileGoldenTest.Model m = new StateFileGoldenTest.Model(golden("v3-nadam")).run();
        OptimizerState before = m.opt.state();
        var e = assertThrows(IllegalArgumentException.class, () -> m.opt.load(f));
        assertTrue(e.getMessage().contains(message), "expected '" + message + "' in: " + e.getMessage());
        assertTrue(e.getMessage().startsWith(f + " is corrupted"), e.getMessage());
        assertEquals(before, m.opt.state(), "a refused load changed the optimizer");
        m.opt.close();
    }

    @Test
    void theGoldenFileUnchangedStillLoads() throws IOException {
        byte[] b = v3();
        // the edits below rely on this: the same bytes after a reseal load
        Path f = dir.resolve("same.state");
        Files.write(f, resealed(withConfig(java.util.Arrays.copyOfRange(b, CONFIG, configEnd(b)))));
        StateFileGoldenTest.Model m = new StateFileGoldenTest.Model(golden("v3-nadam"));
        m.opt.load(f);
        assertEquals(NAdamConfig.builder().lr(0.004).weightDecay(0.05).decoupledWeightDecay(true).maximize(true)
                .build(), m.opt.defaultGroup().config());
        m.opt.close();
    }

    @Test
    void versionThreeConfigurationsAreCheckedByNameAndType() throws IOException {
        byte[] b = v3();
        byte[] type = b.clone();
        type[indexOf(b, "lr") + 2] = 7;
        assertRefused(resealed(type), "an unknown type 7 for the hyperparameter 'lr' in group 0");
        byte[] flag = b.clone();
        flag[indexOf(b, "maximize") + "maximize".length() + 1] = 2;
        assertRefused(resealed(flag), "the flag value 2 for maximize in group 0");
        byte[] renamed = b.clone();
        System.arraycopy("maximise".getBytes(StandardCharsets.US_ASCII), 0, renamed, indexOf(b, "maximize"), 8);
        assertRefused(resealed(renamed), "an invalid configuration in group 0 (option 'maximise' of nadam is not "
                + "implemented by adam4j (it knows lr, betas, eps, weight_decay, momentum_decay, "
                + "decoupled_weight_decay, maximize))");
        assertRefused(withConfig(new Fields().number("lr", 0.01).number("lr", 0.02).bytes()),
                "the hyperparameter 'lr' twice in group 0");
        assertRefused(withConfig(new Fields().number("\u001b[31mlr", 0.01).bytes()),
                "option '\\u001b[31mlr' of nadam is not implemented");
        assertRefused(withConfig(new Fields().string("weight_decay", "L2\u0007").bytes()),
                "'weight_decay' is not a number: L2\\u0007");
        assertRefused(withConfig(new Fields().flag("lr", 1).bytes()), "'lr' is not a number: true");
        assertRefused(withConfig(new Fields().number("lr", -1).bytes()), "Invalid learning rate: -1.0");
        byte[] adamw = b.clone();
        System.arraycopy("adamw".getBytes(StandardCharsets.US_ASCII), 0, adamw, 26, 5);
        assertRefused(resealed(adamw), "the algorithm 'adamw' in a version 3 file, which knows [adagrad, adamax, "
                + "nadam, radam, rmsprop, sgd]");
    }

    /** Names absent from a version 3 configuration take PyTorch's defaults, as fromPyTorch gives them. */
    @Test
    void absentNamesTakePyTorchsDefaults() throws IOException {
        Path f = dir.resolve("short.state");
        Files.write(f, withConfig(new Fields().number("lr", 0.03).flag("maximize", 1).bytes()));
        StateFileGoldenTest.Model m = new StateFileGoldenTest.Model(golden("v3-nadam"));
        m.opt.load(f);
        assertEquals(NAdamConfig.builder().lr(0.03).maximize(true).build(), m.opt.defaultGroup().config());
        assertEquals(NAdamConfig.builder().lr(0.002).weightDecay(0.1).build(), m.opt.groups().get(1).config());
        m.opt.close();
    }
}
