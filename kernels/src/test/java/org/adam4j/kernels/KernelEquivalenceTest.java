package org.adam4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongFunction;
import java.util.stream.Stream;
import org.adam4j.reference.AdamConfig;
import org.adam4j.reference.AdamStep;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every kernel against the reference, bit for bit: every variant (a table of configurations that covers every
 * option) x precision x lane width, fused and split into moments + params, at sizes on both sides of each lane
 * multiple, at random offsets, over 7 consecutive steps, with NaN, infinities, signed zeros, subnormals and values
 * near overflow in every operand. The element just past the slice must keep its bits; so must everything before it.
 *
 * <p>An {@link AfterAll} check fails if a kernel class exists that this test did not run through every variant.
 */
class KernelEquivalenceTest {
    static final int STEPS = 7;

    /** One configuration of the table, and the learning rate it uses at step t. */
    record Variant(String name, AdamConfig config, long firstStep, LongFunction<Double> lrAt) {
        AdamStep step(long t) {
            return config.step(t, lrAt.apply(t));
        }
    }

    static List<Variant> variants() {
        AdamConfig d = AdamConfig.defaults();
        List<Variant> v = new ArrayList<>();
        v.add(constant("adam", d));
        v.add(constant("adam-l2", d.toBuilder().l2(0.1).build()));
        v.add(constant("adamw", d.toBuilder().lr(1e-2).decoupled(0.01).build()));
        v.add(constant("amsgrad", d.toBuilder().amsgrad(true).build()));
        v.add(constant("maximize", d.toBuilder().maximize(true).build()));
        v.add(constant("epsilon-hat", d.toBuilder().eps(1e-7).epsilonHat(true).build()));
        v.add(constant("no-bias-correction", d.toBuilder().biasCorrection(false).build()));
        v.add(constant("everything", d.toBuilder().lr(0.1).betas(0.8, 0.95).eps(1e-6).amsgrad(true).maximize(true)
                .decoupled(0.05).epsilonHat(true).build()));
        v.add(constant("edge-zero-betas-eps-lr", d.toBuilder().lr(0).betas(0, 0).eps(0).l2(1.0).amsgrad(true)
                .biasCorrection(false).build()));
        AdamConfig optimi = d.toBuilder().lr(1e-2).betas(0.9, 0.99).eps(1e-6).fullyDecoupled(0.1, 1e-2).build();
        v.add(new Variant("fully-decoupled-scheduled", optimi, 1, t -> 1e-2 / Math.sqrt(t)));
        v.add(new Variant("late-steps-l2-amsgrad", d.toBuilder().l2(1e-3).amsgrad(true).maximize(true).build(),
                1_000_000_000_000L, t -> 1e-3));
        return v;
    }

    private static Variant constant(String name, AdamConfig c) {
        return new Variant(name, c, 1, t -> c.lr());
    }

    /** Kernel class -> the "variant/mode" keys it ran. */
    static final ConcurrentHashMap<String, Set<String>> RAN = new ConcurrentHashMap<>();

    @TestFactory
    Stream<DynamicTest> everyKernelMatchesTheReferenceBitForBit() {
        List<DynamicTest> tests = new ArrayList<>();
        for (boolean f32 : new boolean[] {true, false}) {
            List<Object> kernels = new ArrayList<>(f32 ? AdamKernels.all_F32() : AdamKernels.all_F64());
            for (Object kernel : kernels) {
                for (Variant variant : variants()) {
                    tests.add(DynamicTest.dynamicTest((f32 ? "f32 " : "f64 ") + kernel + " " + variant.name(),
                            () -> runSizes(f32, kernel, variant)));
                }
            }
            // The parallel path, split into several chunks, through the same comparison.
            for (Object kernel : kernels) {
                Object parallel = f32 ? ((AdamKernel_F32) kernel).parallel(3) : ((AdamKernel_F64) kernel).parallel(3);
                for (Variant variant : variants()) {
                    tests.add(DynamicTest.dynamicTest((f32 ? "f32 " : "f64 ") + parallel + " " + variant.name(),
                            () -> runSize(f32, parallel, variant, 3 * ParallelChunks.MIN_CHUNK + 77,
                                    new SplittableRandom(variant.name().hashCode()))));
                }
            }
        }
        return tests.stream();
    }

    private static void runSizes(boolean f32, Object kernel, Variant variant) {
        int lanes = f32 ? ((AdamKernel_F32) kernel).lanes() : ((AdamKernel_F64) kernel).lanes();
        Set<Integer> sizes = new TreeSet<>(List.of(0, 1, 1000, 4099));
        for (int l : new int[] {lanes, 2, 4, 8, 16}) {
            for (int s : new int[] {l - 1, l, l + 1, 2 * l - 1, 2 * l, 2 * l + 1}) {
                if (s >= 0) {
                    sizes.add(s);
                }
            }
        }
        SplittableRandom r = new SplittableRandom(31L * variant.name().hashCode() + lanes);
        for (int size : sizes) {
            runSize(f32, kernel, variant, size, r);
        }
    }

    private static void runSize(boolean f32, Object kernel, Variant variant, int size, SplittableRandom r) {
        for (String mode : new String[] {"fused", "split"}) {
            int off = r.nextInt(0, 9);
            int n = off + size + 1 + r.nextInt(0, 3);
            double special = r.nextBoolean() ? 0.0 : 0.1;
            Operands ours = Operands.random(f32, n, r, special);
            Operands ref = ours.copy();
            Operands before = ours.copy();
            for (long t = variant.firstStep(); t < variant.firstStep() + STEPS; t++) {
                AdamStep s = variant.step(t);
                if (mode.equals("fused")) {
                    ours.fused(kernel, s, off, size);
                } else {
                    ours.split(kernel, s, off, size);
                }
                ref.referenceFused(s, off, size);
                String diff = ours.firstDifference(ref);
                if (diff != null) {
                    fail(kernel + " " + mode + " " + variant.name() + " size " + size + " offset " + off + " step " + t
                            + ": " + diff);
                }
                for (int a = 0; a < 5; a++) {
                    for (int i = 0; i < n; i++) {
                        if (i < off || i >= off + size) {
                            assertEquals(before.bits(a, i), ours.bits(a, i), () -> kernel + " wrote outside the slice");
                        }
                    }
                    assertEquals(before.bits(a, off + size), ours.bits(a, off + size),
                            "the marker past the slice changed");
                }
                ours.newGradient(r, special, off, size);
                ref.arrays[1] = f32 ? ((float[]) ours.arrays[1]).clone() : ((double[]) ours.arrays[1]).clone();
            }
        }
        RAN.computeIfAbsent(kernel.getClass().getName(), k -> ConcurrentHashMap.newKeySet())
                .add(variant.name());
    }

    /** Fails if a concrete kernel class exists that the equivalence test did not run through every variant. */
    @AfterAll
    static void everyKernelClassRanEveryVariant() throws IOException, URISyntaxException {
        Set<String> expected = new TreeSet<>();
        for (Variant v : variants()) {
            expected.add(v.name());
        }
        List<String> classes = kernelClasses(AdamKernel_F32.class, AdamKernel_F64.class);
        assertTrue(classes.size() >= (AdamKernels.vectorAvailable() ? 11 : 3),
                "found too few kernel classes: " + classes);
        for (String c : classes) {
            assertEquals(expected, new TreeSet<>(RAN.getOrDefault(c, Set.of())),
                    "kernel class " + c + " did not run every variant");
        }
        assertEquals(new TreeSet<>(classes), new TreeSet<>(RAN.keySet()), "kernel classes run vs found");
    }

    /** Every concrete subclass of one of {@code kinds} (AdamKernel_F32, AdamKernel_F64) in the kernels' classes. */
    static List<String> kernelClasses(Class<?>... kinds) throws IOException, URISyntaxException {
        Path root = Path.of(AdamKernel_F32.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                String name = root.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "");
                if (!AdamKernels.vectorAvailable() && name.startsWith("org.adam4j.kernels.vector.")) {
                    continue;
                }
                Class<?> c;
                try {
                    c = Class.forName(name, false, AdamKernel_F32.class.getClassLoader());
                } catch (ClassNotFoundException | LinkageError e) {
                    throw new AssertionError("cannot load " + name + ": " + e);
                }
                boolean kernel = java.util.Arrays.stream(kinds).anyMatch(k -> k.isAssignableFrom(c));
                if (kernel && !java.lang.reflect.Modifier.isAbstract(c.getModifiers())) {
                    found.add(name);
                }
            }
        }
        return found;
    }
}
