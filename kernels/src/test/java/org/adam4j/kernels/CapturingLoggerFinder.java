package org.adam4j.kernels;

import java.text.MessageFormat;
import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * The test JVMs' {@link System.LoggerFinder} (registered in META-INF/services of the test resources), so that a test
 * can see what the library logs through {@link System.Logger}. Every record of the JVM is kept from its start, so
 * records logged during a class initialization that an earlier test triggered are seen too. Records at INFO and
 * above are also printed to stderr, so that nothing a test run would have shown is hidden.
 */
public final class CapturingLoggerFinder extends System.LoggerFinder {
    /** One logged record, its message formatted. */
    public record Entry(String logger, System.Logger.Level level, String message) {
    }

    private static final List<Entry> RECORDS = new CopyOnWriteArrayList<>();

    /** Every record logged in this JVM so far through the loggers this finder made. */
    public static List<Entry> records() {
        return List.copyOf(RECORDS);
    }

    @Override
    public System.Logger getLogger(String name, Module module) {
        return new Capturing(name);
    }

    private record Capturing(String name) implements System.Logger {
        @Override
        public String getName() {
            return name;
        }

        @Override
        public boolean isLoggable(Level level) {
            return level != Level.OFF;
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
            record(level, msg + (thrown == null ? "" : " " + thrown));
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            record(level, params == null || params.length == 0 ? format : MessageFormat.format(format, params));
        }

        @Override
        public void log(Level level, Supplier<String> msgSupplier) {
            record(level, msgSupplier.get());
        }

        private void record(Level level, String message) {
            RECORDS.add(new Entry(name, level, message));
            if (level.getSeverity() >= Level.INFO.getSeverity()) {
                System.err.println(level + " " + name + ": " + message);
            }
        }
    }
}
