package org.adam4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Without the vector module the facade says so, once per JVM, through {@link System.Logger}; with it, it says
 * nothing. Runs in both of the kernels module's test executions (see kernels/pom.xml), whose JVMs log through
 * {@link CapturingLoggerFinder}.
 */
class ScalarFallbackWarningTest {
    @Test
    void warnsOncePerJvmExactlyWhenTheVectorModuleIsMissing() {
        assertInstanceOf(CapturingLoggerFinder.class, System.LoggerFinder.getLoggerFinder(),
                "the test resources' LoggerFinder is not in use, so nothing here would be seen");
        // Whether or not an earlier test initialized the facade, ask for kernels several times over.
        for (int i = 0; i < 3; i++) {
            AdamKernels.f32();
            AdamKernels.f64();
            AdamKernels.f32("scalar");
            AdamKernels.names();
        }
        List<CapturingLoggerFinder.Entry> fromFacade = CapturingLoggerFinder.records().stream()
                .filter(e -> e.logger().equals(AdamKernels.class.getName()))
                .toList();
        if (AdamKernelsTest.SCALAR_ONLY) {
            assertEquals(1, fromFacade.size(), fromFacade::toString);
            CapturingLoggerFinder.Entry warning = fromFacade.get(0);
            assertEquals(System.Logger.Level.WARNING, warning.level());
            assertEquals("The jdk.incubator.vector module is not readable, so adam4j uses its scalar kernels (the"
                    + " same results, slower). To enable the vector kernels, pass '--add-modules"
                    + " jdk.incubator.vector' to java.", warning.message());
        } else {
            assertTrue(fromFacade.isEmpty(), fromFacade::toString);
        }
    }
}
