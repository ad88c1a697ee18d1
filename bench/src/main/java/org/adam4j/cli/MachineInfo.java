package org.adam4j.cli;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.adam4j.kernels.AdamKernels;

/** What the machine and this JVM offer the kernels: read once, printed by {@code info} and by {@code bench}. */
public final class MachineInfo {
    /** The x86 flags (as /proc/cpuinfo names them) that matter to vector code, in the order printed. */
    private static final List<String> VECTOR_FLAGS = List.of("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512dq",
            "avx512cd", "avx512bw", "avx512vl", "avx512_fp16", "avx512_bf16", "asimd", "sve", "sve2");

    public final String cpuModel;
    public final List<String> vectorExtensions;
    public final int cores;
    public final String jdk;
    public final String maxVectorSize;
    public final String useSuperWord;
    public final String useAvx;
    public final boolean vectorModule;
    public final String preferredF32;
    public final String preferredF64;

    private MachineInfo() {
        List<String> cpuinfo = readCpuinfo();
        cpuModel = field(cpuinfo, "model name", System.getProperty("os.arch"));
        Set<String> flags = new LinkedHashSet<>(List.of(field(cpuinfo, "flags", field(cpuinfo, "Features", ""))
                .split("\\s+")));
        List<String> ext = new ArrayList<>();
        for (String f : VECTOR_FLAGS) {
            if (flags.contains(f)) {
                ext.add(f.toUpperCase(java.util.Locale.ROOT).replace("AVX512", "AVX-512").replace("_", "-"));
            }
        }
        vectorExtensions = List.copyOf(ext);
        cores = Runtime.getRuntime().availableProcessors();
        jdk = System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version") + " ("
                + System.getProperty("java.vendor") + ")";
        maxVectorSize = vmOption("MaxVectorSize");
        useSuperWord = vmOption("UseSuperWord");
        useAvx = vmOption("UseAVX");
        vectorModule = AdamKernels.vectorAvailable();
        preferredF32 = AdamKernels.preferredBits_F32().map(b -> "Float" + b + "Vector (" + b / 32 + " lanes)")
                .orElse("none (the jdk.incubator.vector module is not loaded)");
        preferredF64 = AdamKernels.preferredBits_F64().map(b -> "Double" + b + "Vector (" + b / 64 + " lanes)")
                .orElse("none (the jdk.incubator.vector module is not loaded)");
    }

    public static MachineInfo read() {
        return new MachineInfo();
    }

    /** A short multi-line description, each line {@code key: value}. */
    public String describe() {
        return "cpu: " + cpuModel + "\n"
                + "vector extensions: " + (vectorExtensions.isEmpty() ? "none found" : String.join(" ", vectorExtensions))
                + "\n"
                + "cores: " + cores + "\n"
                + "jdk: " + jdk + "\n"
                + "MaxVectorSize: " + maxVectorSize + " bytes" + "  UseAVX: " + useAvx + "  UseSuperWord: "
                + useSuperWord + "\n"
                + "preferred species: float " + preferredF32 + ", double " + preferredF64 + "\n";
    }

    /** The value of a HotSpot flag, or {@code n/a} on a JVM without it. */
    public static String vmOption(String name) {
        try {
            return ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).getVMOption(name).getValue();
        } catch (RuntimeException e) {
            return "n/a";
        }
    }

    private static List<String> readCpuinfo() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo"));
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    private static String field(List<String> lines, String key, String fallback) {
        for (String line : lines) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equals(key)) {
                return line.substring(colon + 1).trim();
            }
        }
        return fallback;
    }
}
