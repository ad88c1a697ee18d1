package org.adam4j.cli;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.adam4j.kernels.AdamKernel_F32;
import org.adam4j.kernels.AdamKernel_F64;
import org.adam4j.kernels.AdamKernels;
import org.adam4j.reference.AdamConfig;
import org.adam4j.reference.AdamStep;

/**
 * {@code ./adam4j info}: the CPU, its vector extensions, the JDK and which lane widths this JVM turns into real vector
 * instructions.
 *
 * <p>The last is measured, not guessed from flags: each kernel is warmed up until C2 has compiled it, then a few
 * hundred calls are counted with the thread's allocation counter. Compiled to vector instructions, a kernel
 * allocates nothing; where the JIT cannot use the width (wider than {@code MaxVectorSize}, or fewer lanes than the
 * hardware handles) it falls back to Java code that boxes every vector, and the bytes show it.
 */
final class InfoCommand implements Command {
    private static final int N = 4096;
    private static final long PROBE_NANOS = 3_000_000_000L;
    /**
     * Reading the allocation counter costs a few bytes itself; a kernel that boxes allocates at least one vector
     * (16 bytes and more) per loop iteration, hundreds of them per call.
     */
    private static final long BOXING_BYTES_PER_CALL = 64;

    @Override
    public String name() {
        return "info";
    }

    @Override
    public String summary() {
        return "the CPU, its vector extensions, the JDK, and which lane widths compile to vector instructions";
    }

    @Override
    public String usage() {
        return "usage: ./adam4j info [--no-probe]\n\n"
                + "Prints the CPU model and vector extensions, the JDK, MaxVectorSize, the preferred species for\n"
                + "float and double, and, for each kernel, whether this JVM compiles it to real vector instructions\n"
                + "(measured: a compiled kernel allocates nothing per call; one the JIT cannot vectorize boxes).\n\n"
                + "  --no-probe   skip that measurement (up to 3 seconds per emulated width)\n";
    }

    @Override
    public int run(String[] args, PrintStream out, PrintStream err) throws UsageException {
        boolean probe = true;
        for (String a : args) {
            if (a.equals("--no-probe")) {
                probe = false;
            } else {
                throw new UsageException("unknown option '" + a + "'");
            }
        }
        MachineInfo m = MachineInfo.read();
        out.print(m.describe());
        out.println("kernels: " + String.join(", ", AdamKernels.names()) + "  (vector = "
                + (m.vectorModule ? AdamKernels.f32().name() + " for float, " + AdamKernels.f64().name() + " for double"
                        : "scalar: run with --add-modules jdk.incubator.vector") + ")");
        if (!m.vectorModule) {
            return OK;
        }
        if (!probe) {
            return OK;
        }
        out.println("lane widths compiled to vector instructions (bytes allocated per call after warm-up):");
        List<String> real = new ArrayList<>();
        for (AdamKernel_F32 k : AdamKernels.all_F32()) {
            if (!k.name().equals(AdamKernels.SCALAR)) {
                long bytes = probe(k);
                out.printf("  float  %-11s %2d lanes  %s%n", k.name(), k.lanes(), verdict(bytes));
                if (bytes < BOXING_BYTES_PER_CALL) {
                    real.add("f32:" + k.name());
                }
            }
        }
        for (AdamKernel_F64 k : AdamKernels.all_F64()) {
            if (!k.name().equals(AdamKernels.SCALAR)) {
                long bytes = probe(k);
                out.printf("  double %-11s %2d lanes  %s%n", k.name(), k.lanes(), verdict(bytes));
                if (bytes < BOXING_BYTES_PER_CALL) {
                    real.add("f64:" + k.name());
                }
            }
        }
        out.println("compiled: " + (real.isEmpty() ? "none" : String.join(" ", real)));
        return OK;
    }

    private static String verdict(long bytes) {
        return bytes < BOXING_BYTES_PER_CALL ? "yes (" + bytes + " bytes/call: counter noise)" : "no, emulated (" + bytes + " bytes/call)";
    }

    private static long probe(AdamKernel_F32 k) {
        float[] p = new float[N], g = new float[N], m = new float[N], v = new float[N];
        java.util.Arrays.fill(g, 0.5f);
        AdamStep s = AdamConfig.defaults().step(1);
        return bytesPerCall(() -> k.fused(s, p, g, m, v, null, 0, N));
    }

    private static long probe(AdamKernel_F64 k) {
        double[] p = new double[N], g = new double[N], m = new double[N], v = new double[N];
        java.util.Arrays.fill(g, 0.5);
        AdamStep s = AdamConfig.defaults().step(1);
        return bytesPerCall(() -> k.fused(s, p, g, m, v, null, 0, N));
    }

    /**
     * Counts what 200 calls allocate, again and again until the count drops to counter noise (C2 has compiled the
     * kernel to vector code) or {@link #PROBE_NANOS} pass (the JIT emulates this width). On a loaded machine C2
     * compiles late, so a fixed warm-up would call late compilation "emulated".
     */
    private static long bytesPerCall(Runnable call) {
        long deadline = System.nanoTime() + PROBE_NANOS;
        long bytes;
        do {
            long before = allocated();
            for (int i = 0; i < 200; i++) {
                call.run();
            }
            bytes = (allocated() - before) / 200;
        } while (bytes >= BOXING_BYTES_PER_CALL && System.nanoTime() < deadline);
        return bytes;
    }

    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }
}
