package org.adam4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every facade over a {@link KernelFamily} ({@link LowPrecisionAdam}, {@link Adam8bit}, {@link AdamBf16States}) finds
 * its kernels by the names of {@link AdamKernels}: {@code scalar}, {@code vector} (the preferred width), each
 * {@code vector-<bits>}, and nothing else; {@code all()} is the scalar kernel, then one per width.
 */
class KernelFamilyTest {
    /** A facade's three methods and its kernels' name and lanes. */
    record Facade(String label, Function<String, ?> kernel, Supplier<?> preferred, Supplier<List<?>> all,
            Function<Object, String> name, ToIntFunction<Object> lanes) {
        @Override
        public String toString() {
            return label;
        }
    }

    static Stream<Facade> facades() {
        return Stream.of(
                new Facade("LowPrecisionAdam", LowPrecisionAdam::kernel, LowPrecisionAdam::preferred,
                        LowPrecisionAdam::all, k -> ((LowPrecisionAdamKernel) k).name(),
                        k -> ((LowPrecisionAdamKernel) k).lanes()),
                new Facade("Adam8bit", Adam8bit::kernel, Adam8bit::preferred, Adam8bit::all,
                        k -> ((Adam8bitKernel) k).name(), k -> ((Adam8bitKernel) k).lanes()),
                new Facade("AdamBf16States", AdamBf16States::kernel, AdamBf16States::preferred, AdamBf16States::all,
                        k -> ((AdamBf16StatesKernel) k).name(), k -> ((AdamBf16StatesKernel) k).lanes()));
    }

    @ParameterizedTest
    @MethodSource("facades")
    void kernelsAreFoundByTheNamesOfAdamKernels(Facade f) {
        assertEquals(AdamKernels.SCALAR, f.name().apply(f.kernel().apply(" Scalar ")));
        assertEquals(AdamKernels.f32().name(), f.name().apply(f.preferred().get()));
        assertThrows(IllegalArgumentException.class, () -> f.kernel().apply("vector-96"));
        assertThrows(IllegalArgumentException.class, () -> f.kernel().apply(null));
        List<?> all = f.all().get();
        assertEquals(AdamKernels.vectorAvailable() ? 1 + AdamKernels.WIDTHS.size() : 1, all.size());
        assertEquals(AdamKernels.SCALAR, f.name().apply(all.get(0)));
        for (int w = 0; w < all.size() - 1; w++) {
            int bits = AdamKernels.WIDTHS.get(w);
            Object k = f.kernel().apply("vector-" + bits);
            assertEquals("vector-" + bits, f.name().apply(k));
            assertEquals(bits / Float.SIZE, f.lanes().applyAsInt(k));
            assertSame(all.get(w + 1), k);
        }
    }
}
