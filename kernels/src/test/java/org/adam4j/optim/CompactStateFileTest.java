package org.adam4j.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.adam4j.kernels.AdamKernels;
import org.adam4j.reference.AdamConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compact states through {@code state()}/{@code loadState} and {@code save}/{@code load}: a run saved mid-way and
 * resumed in a fresh optimizer is bit for bit an uninterrupted one; the file's flag 4 fields are where the format says,
 * and damaged or mismatched ones are refused with the optimizer unchanged.
 */
class CompactStateFileTest {
    static final StatePrecision Q8 = StatePrecision.BLOCKWISE_8BIT;

    @TempDir
    Path dir;

    /** Two steps, a save (and a state()), then two more in fresh optimizers: as four straight steps, by hand. */
    @Test
    void aResumedRunContinuesBitForBit() throws IOException {
        CompactStateOptimizerTest.ByHand expected = new CompactStateOptimizerTest.ByHand();
        String vector = AdamKernels.vectorAvailable() ? "vector" : "scalar";
        CompactStateOptimizerTest.Model first = new CompactStateOptimizerTest.Model();
        Path file = dir.resolve("q8.state");
        OptimizerState taken;
        try (Arena arena = Arena.ofShared(); Optimizer<AdamConfig> opt = first.build("scalar", 1, arena)) {
            first.run(opt, 1, 2);
            opt.save(file);
            taken = opt.state();
        }
        byte[] bytes = Files.readAllBytes(file);
        assertEquals(StateFile.FLAG_PRECISIONS | StateFile.FLAG_STATE_PRECISIONS, bytes[12]);
        for (boolean fromFile : new boolean[] {true, false}) {
            CompactStateOptimizerTest.Model resumed = new CompactStateOptimizerTest.Model();
            for (float[][] a : new float[][][] {{first.big, resumed.big}, {first.buf, resumed.buf},
                    {first.mat.data, resumed.mat.data}, {first.seg, resumed.seg}, {first.heap, resumed.heap},
                    {first.plain, resumed.plain}, {first.other, resumed.other}}) {
                System.arraycopy(a[0], 0, a[1], 0, a[0].length);
            }
            try (Arena arena = Arena.ofShared(); Optimizer<AdamConfig> opt = resumed.build(vector, 2, arena)) {
                if (fromFile) {
                    opt.load(file);
                } else {
                    opt.loadState(taken);
                }
                assertEquals(taken, opt.state(), "the state round-trips bit for bit");
                resumed.run(opt, 3, 4);
                expected.assertEqual(resumed, opt);
            }
        }
    }

    /** An optimizer with one float[1] in an 8-bit Adam group, stepped once: the file is 148 bytes. */
    private static Optimizer<AdamConfig> one(StatePrecision state) {
        Optimizer<AdamConfig> opt = Optimizer.adam().statePrecision(state).build();
        float[] p = {1.5f}, g = {0.25f};
        opt.defaultGroup().add(p, g);
        opt.step();
        return opt;
    }

    @Test
    void flagFoursFieldsAreWhereTheFormatSaysAndDamagedOnesAreRefused() throws IOException {
        try (Optimizer<AdamConfig> opt = one(Q8)) {
            Path file = dir.resolve("one.state");
            opt.save(file);
            byte[] good = Files.readAllBytes(file);
            // header 24, "adam" 6, steps 8, group count 4, Adam's fields 50 (flags at 91), schedule 1, rounding 1,
            // seed 8: the group's state precision at 102
            assertEquals(148, good.length);
            ByteBuffer b = ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(StateFile.FLAG_PRECISIONS | StateFile.FLAG_STATE_PRECISIONS, b.getInt(12));
            assertEquals(0, good[93], "rounding: nearest");
            assertEquals(2, good[102], "state precision: 8bit");
            assertEquals(256, b.getInt(103), "block size");
            assertEquals(1, b.getInt(107), "one parameter");
            assertEquals(1, good[111], "precision code: f32");
            assertEquals(4, good[129], "exp_avg, exp_avg_sq and their absmax");
            assertEquals(5, good[130], "exp_avg: u8");
            assertEquals(5, good[132], "exp_avg_sq: u8");
            assertEquals(1, good[134], "exp_avg_absmax: f32");
            assertEquals(1, good[139], "exp_avg_sq_absmax: f32");
            OptimizerState before = opt.state();
            Map<String, java.lang.foreign.MemorySegment> arrays = before.groups().get(0).params().get(0).arrays();
            assertEquals(arrays.get("exp_avg").get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0), good[131]);
            assertEquals(arrays.get("exp_avg_sq_absmax").get(java.lang.foreign.ValueLayout.JAVA_FLOAT, 0),
                    b.getFloat(140));
            assertEquals(0.25f * 0.1f, b.getFloat(135), "m's absmax after one step: (1 - beta1) g");
            Object[][] damage = {
                {102, 3, 1, List.of("an unknown state precision 3 in group 0")},
                {103, 128, 4, List.of("8-bit states in blocks of 128 in group 0; this adam4j keeps them in blocks of "
                        + "256")},
                {91, 8 | 1, 1, List.of("a group 0 that cannot be: state precision 8bit has no AMSGrad")},
                // a bf16 parameter may keep 8-bit states, but this one is f32
                {111, 3, 1, List.of("does not match this optimizer: parameter 0 of group 0 [1] F32 with 8bit states "
                        + "was saved with the shape [1] BF16")},
                {111, 2, 1, List.of("a parameter that cannot be, parameter 0 of group 0: an F64 parameter keeps f64 "
                        + "state")},
                {129, 2, 1, List.of("2 state arrays for parameter 0 of group 0", "keeps 4 with 8bit states")},
                {130, 1, 1, List.of("F32 elements in exp_avg of parameter 0 of group 0, which keeps U8")},
                {134, 5, 1, List.of("U8 elements in exp_avg_absmax of parameter 0 of group 0, which keeps F32")},
                {134, 6, 1, List.of("an unknown precision code 6 for parameter 0 of group 0's exp_avg_absmax")},
                {135, Float.floatToRawIntBits(-1f), 4, List.of("parameter 0 of group 0 [1] F32 with 8bit states has "
                        + "exp_avg_absmax[0] = -1.0, which no step stores (an absmax is +0 or more, or Float.NaN)")},
                {140, 0x80000000, 4, List.of("has exp_avg_sq_absmax[0] = -0.0, which no step stores")},
                {140, 0x7fc00001, 4, List.of("has exp_avg_sq_absmax[0] = NaN, which no step stores")},
                {12, StateFile.FLAG_STATE_PRECISIONS, 4, List.of("flag 4 without flag 2")},
                {12, 8 | 6, 4, List.of("has the flags e, which this adam4j does not know")},
            };
            for (Object[] d : damage) {
                byte[] bad = good.clone();
                ByteBuffer.wrap(bad).order(ByteOrder.LITTLE_ENDIAN);
                int at = (int) d[0], value = (int) d[1], width = (int) d[2];
                for (int i = 0; i < width; i++) {
                    bad[at + i] = (byte) (value >>> (8 * i));
                }
                Path f = dir.resolve("bad.state");
                Files.write(f, LowPrecisionOptimizerTest.resealed(bad));
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> opt.load(f));
                for (Object fragment : (List<?>) d[3]) {
                    assertTrue(e.getMessage().contains((String) fragment), e.getMessage());
                }
                assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
                assertEquals(before, opt.state(), "a refused load changed the optimizer");
            }
            // a NaN absmax as a step stores it loads
            byte[] nan = good.clone();
            ByteBuffer.wrap(nan).order(ByteOrder.LITTLE_ENDIAN).putInt(140, Float.floatToRawIntBits(Float.NaN));
            Path f = dir.resolve("nan.state");
            Files.write(f, LowPrecisionOptimizerTest.resealed(nan));
            opt.load(f);
            assertTrue(Float.isNaN(opt.params().get(0).state("exp_avg_sq_absmax").get(
                    java.lang.foreign.ValueLayout.JAVA_FLOAT, 0)));
        }
    }

    @Test
    void aStateOfTheOtherPrecisionIsRefused() throws IOException {
        try (Optimizer<AdamConfig> q8 = one(Q8); Optimizer<AdamConfig> f32 = one(StatePrecision.F32)) {
            Path q8File = dir.resolve("q8.state"), f32File = dir.resolve("f32.state");
            q8.save(q8File);
            f32.save(f32File);
            OptimizerState q8Before = q8.state(), f32Before = f32.state();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f32.load(q8File));
            assertEquals(q8File + " does not match this optimizer: parameter 0 of group 0 [1] F32 was saved with 8bit"
                    + " states", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> q8.loadState(f32Before));
            assertEquals("the state does not match this optimizer: parameter 0 of group 0 [1] F32 with 8bit states"
                    + " was saved with f32 states", e.getMessage());
            assertEquals(q8Before, q8.state());
            assertEquals(f32Before, f32.state());
            assertEquals(0, Files.readAllBytes(f32File)[12], "an f32 state is written as before flag 4");
        }
    }

    @Test
    void anEmptyGroupTakesTheStatePrecisionOfTheState() {
        try (Optimizer<AdamConfig> a = Optimizer.adam().build(); Optimizer<AdamConfig> b = Optimizer.adam().build()) {
            a.addGroup(AdamConfig.defaults(), LrSchedule.constant()).statePrecision(Q8);
            b.addGroup(AdamConfig.defaults(), LrSchedule.constant());
            b.loadState(a.state());
            assertEquals(Q8, b.groups().get(1).statePrecision());
            assertEquals(a.state(), b.state());
            // a state whose group cannot keep its state precision
            OptimizerState.Group amsgrad = new OptimizerState.Group(AdamConfig.builder().amsgrad(true).build(),
                    LrSchedule.constant(), List.of(), org.adam4j.reference.Rounding.NEAREST, 0, Q8);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.loadState(
                    new OptimizerState(0, List.of(b.state().groups().get(0), amsgrad))));
            assertEquals("the state's group 1: state precision 8bit has no AMSGrad: 8-bit states keep no "
                    + "max_exp_avg_sq (bitsandbytes' 8-bit Adam has none either)", e.getMessage());
            assertEquals(a.state(), b.state());
        }
        OptimizerState.ParamState f32 = new OptimizerState.ParamState(Precision.F32, new long[] {0}, 0, Map.of(),
                Map.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new OptimizerState.Group(
                AdamConfig.defaults(), LrSchedule.constant(), List.of(f32), org.adam4j.reference.Rounding.NEAREST, 0,
                Q8));
        assertEquals("a parameter with f32 states in a group with 8bit states", e.getMessage());
        assertArrayEquals(new long[] {0}, f32.shape());
    }
}
