package org.adam4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.adam4j.reference.AdamConfig;
import org.adam4j.reference.AdamStep;
import org.adam4j.reference.Bf16;
import org.adam4j.reference.LowPrecision;
import org.adam4j.reference.Rounding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Once compiled, Adam with bfloat16 states rounded to nearest allocates nothing per call at 128, 256 and 512 bits: on
 * {@code float} parameters and on bfloat16 parameters (the tiles are each
 * thread's, made on its first call), plain, with L2, and with AMSGrad, decoupled decay and maximize, over slices with a
 * tail: a Vector API operation the JIT does not compile boxes every vector. 64 bits is left out:
 * {@code Bf16Vectors_64}'s narrowing (2 {@code int} lanes into half of a 4-lane {@code short} vector) is not
 * intrinsified by JDK 25's C2 and boxes, as in {@code Bf16ConversionsTest}.
 *
 * <p>Measured in a JVM of its own ({@link Probe}), every width and rounding in turn. C2 reads the type profiles of the
 * Vector API's shared code, which hold every width at once, when it compiles a method, and on one core a compile may
 * wait for seconds: a width compiled while another dominated those profiles has its calls predicted for the other's
 * classes and boxes in every call. In this suite's JVM, after tests that had run one width after the other thousands
 * of times, about one run in eight of this measurement found some width boxing; in a JVM of its own, none in six.
 *
 * <p>Stochastic rounding is measured and printed but not asserted: its loop (the counter-based generator's mixing on
 * top of the step) exceeds what C2 inlines in some compiles, and then boxes at every width (a fresh clone's CI run on 2
 * cores found 14 to 40 KB per call in one run of two), as the 16-bit parameters' stochastic loop does (README, "bf16
 * and fp16 parameters"): its bits are right either way, its speed is not guaranteed.
 */
class AdamBf16StatesAllocationTest {
    @Test
    void theVectorKernelsAllocateNothingPerCall(@TempDir Path dir) throws Exception {
        assumeTrue(AdamKernels.vectorAvailable(), "no vector module");
        Path out = dir.resolve("probe.out");
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                Probe.class.getName());
        Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        boolean done = child.waitFor(5, TimeUnit.MINUTES);
        if (!done) {
            child.destroyForcibly();
        }
        String printed = Files.readString(out, StandardCharsets.UTF_8);
        assertTrue(done && child.exitValue() == 0, "the probe failed: " + printed);
        assertTrue(printed.contains("measured 6 kernels"), printed);
        // stochastic rounding is left out: see the class description
        assertEquals(List.of(), printed.lines().filter(l -> l.startsWith("allocating ") && !l.contains("STOCHASTIC"))
                .toList(), printed);
    }

    /** The measurement, in a JVM of its own: prints {@code allocating NAME: N bytes per call} for each that does. */
    static final class Probe {
        private Probe() {
        }

        public static void main(String[] args) {
            int n = 1003;
            float[] p = new float[n], g = new float[n];
            short[] p16 = new short[n], g16 = new short[n];
            short[] m = new short[n], v = new short[n], vmax = new short[n];
            for (int i = 0; i < n; i++) {
                p[i] = 1 + i * 0x1p-12f;
                g[i] = (float) Math.sin(i);
                p16[i] = Bf16.fromFloatNearestEven(p[i]);
                g16[i] = Bf16.fromFloatNearestEven(g[i]);
            }
            AdamStep plain = AdamConfig.builder().lr(1e-4).build().step(3);
            AdamStep l2 = AdamConfig.builder().lr(1e-4).l2(0.01).build().step(3);
            AdamStep options = AdamConfig.builder().lr(1e-4).decoupled(0.01).amsgrad(true).maximize(true).build()
                    .step(4);
            Map<String, Runnable> calls = new LinkedHashMap<>();
            for (AdamBf16StatesKernel k : AdamBf16States.all()) {
                if (k.lanes() * Float.SIZE <= 64) {
                    continue;
                }
                for (Rounding r : List.of(Rounding.NEAREST, Rounding.STOCHASTIC)) {
                    calls.put(k.name() + " " + r, () -> {
                        k.fused(plain, r, p, g, m, v, null, 0, n, 5, 0);
                        k.fused(l2, r, p, g, m, v, null, 0, n, 5, 0);
                        k.fused(options, r, p, g, m, v, vmax, 1, n - 1, 5, 1);
                        k.fused(plain, LowPrecision.BF16, r, p16, g16, m, v, null, null, 0, n, 5, 0);
                        k.fused(options, LowPrecision.BF16, r, p16, g16, m, v, vmax, null, 1, n - 1, 5, 1);
                    });
                }
            }
            Runnable all = () -> calls.values().forEach(Runnable::run);
            long perCall = AllocationCounter.bytesPerCall(all, 5 * calls.size(), 2_000, 500, 20);
            List<String> allocating = new ArrayList<>();
            if (perCall != 0) {
                calls.forEach((name, call) -> {
                    long bytes = AllocationCounter.bytesPerCall(call, 5, 0, 500, 1);
                    if (bytes != 0) {
                        allocating.add("allocating " + name + ": " + bytes + " bytes per call");
                    }
                });
            }
            allocating.forEach(System.out::println);
            System.out.println("measured " + calls.size() + " kernels, " + perCall + " bytes per call");
        }
    }
}
