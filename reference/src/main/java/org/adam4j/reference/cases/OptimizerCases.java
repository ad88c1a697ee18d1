package org.adam4j.reference.cases;

import java.util.List;
import org.adam4j.reference.OptimizerConfig;
import org.adam4j.reference.PyTorchArgs;

/**
 * The configuration a recorded case was made with: {@code case.json}'s PyTorch arguments, with PyTorch's defaults for
 * absent keys, read by {@link OptimizerConfig#fromPyTorch} (the same code that reads them from a state file).
 */
public final class OptimizerCases {
    private OptimizerCases() {
    }

    /**
     * The configuration PyTorch used.
     *
     * @param c the case
     * @return the configuration
     * @throws CaseFormatException if the optimizer is not implemented, an option is unknown or mistyped, a required
     *                             one is missing (SGD's lr), or a value is one PyTorch refuses
     */
    public static OptimizerConfig config(ReferenceCase c) throws CaseFormatException {
        return read(c, args -> OptimizerConfig.fromPyTorch(c.optimizer, args));
    }

    /** {@code reader} on the case's keys, its refusals as {@link CaseFormatException}s naming case.json. */
    private static <C> C read(ReferenceCase c, java.util.function.Function<PyTorchArgs, C> reader)
            throws CaseFormatException {
        try {
            return reader.apply(new CaseArgs(c));
        } catch (CaseArgs.Failure e) {
            throw e.cause;
        } catch (IllegalArgumentException e) {
            throw new CaseFormatException(c.file() + ": " + e.getMessage());
        }
    }

    /** The case's keys as {@link PyTorchArgs}; its own messages (which name case.json) pass through unchanged. */
    private record CaseArgs(ReferenceCase c) implements PyTorchArgs {
        static final class Failure extends IllegalArgumentException {
            final CaseFormatException cause;

            Failure(CaseFormatException cause) {
                super(cause.getMessage());
                this.cause = cause;
            }
        }

        interface Read<T> {
            T get() throws CaseFormatException;
        }

        private static <T> T read(Read<T> r) {
            try {
                return r.get();
            } catch (CaseFormatException e) {
                throw new Failure(e);
            }
        }

        @Override
        public double number(String key, double fallback) {
            return read(() -> c.number(key, fallback));
        }

        @Override
        public boolean bool(String key, boolean fallback) {
            return read(() -> c.bool(key, fallback));
        }

        @Override
        public double[] pair(String key, double first, double second) {
            return read(() -> c.pair(key, first, second));
        }

        @Override
        public String string(String key, String fallback) {
            return read(() -> {
                var e = c.json.get(key);
                if (e == null || e.isJsonNull()) {
                    return fallback;
                }
                if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
                    throw new CaseFormatException(c.file() + ": '" + key + "' is not a string: " + e);
                }
                return e.getAsString();
            });
        }

        @Override
        public boolean has(String key) {
            return c.json.has(key) && !c.json.get(key).isJsonNull();
        }

        @Override
        public void requireOnlyKeys(String optimizer, List<String> known) {
            read(() -> {
                c.requireOnlyKeys(known);
                return null;
            });
        }
    }
}
