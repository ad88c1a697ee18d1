package org.adam4j.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.adam4j.kernels.ParallelChunks;

/** A command's arguments: {@code --name value} (or {@code --name=value}) options and the positional words. */
final class Flags {
    private final Map<String, String> values = new LinkedHashMap<>();
    private final List<String> positional = new ArrayList<>();

    private Flags() {
    }

    /**
     * Parses {@code args}, accepting only the options in {@code known}; each takes a value. After {@code --}
     * everything is positional (a folder whose name starts with a dash, say).
     */
    static Flags parse(String[] args, Set<String> known) throws UsageException {
        Flags f = new Flags();
        boolean optionsEnded = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (optionsEnded || !a.startsWith("--")) {
                f.positional.add(a);
                continue;
            }
            if (a.equals("--")) {
                optionsEnded = true;
                continue;
            }
            int eq = a.indexOf('=');
            String name = eq < 0 ? a : a.substring(0, eq);
            if (!known.contains(name)) {
                throw new UsageException("unknown option '" + name + "'");
            }
            String value;
            if (eq >= 0) {
                value = a.substring(eq + 1);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new UsageException(name + " needs a value");
            }
            if (f.values.put(name, value) != null) {
                throw new UsageException(name + " given twice");
            }
        }
        return f;
    }

    List<String> positional() {
        return positional;
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    String string(String name, String otherwise) {
        return values.getOrDefault(name, otherwise);
    }

    /** A comma-separated list, trimmed, without empty items. */
    List<String> list(String name, String otherwise) throws UsageException {
        String v = string(name, otherwise);
        List<String> items = Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        if (items.isEmpty()) {
            throw new UsageException(name + " needs at least one item, got '" + v + "'");
        }
        return items;
    }

    int positiveInt(String name, int otherwise) throws UsageException {
        if (!has(name)) {
            return otherwise;
        }
        return positiveInt(name, string(name, null));
    }

    static int positiveInt(String name, String v) throws UsageException {
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // falls through to the message
        }
        throw new UsageException(name + " must be a whole number >= 1, got '" + v + "'");
    }

    /** A whole number in {@code [min, max]}, or {@code otherwise} when the option is absent. */
    int intInRange(String name, int otherwise, int min, int max) throws UsageException {
        return has(name) ? intInRange(name, string(name, null), min, max) : otherwise;
    }

    static int intInRange(String name, String v, int min, int max) throws UsageException {
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // falls through to the message
        }
        throw new UsageException(name + " must be a whole number from " + min + " to " + max + ", got '" + v + "'");
    }

    /** {@code --threads}: 1 (when absent) to {@link ParallelChunks#MAX_THREADS}, the limit of every parallel path. */
    int threads() throws UsageException {
        return intInRange("--threads", 1, 1, ParallelChunks.MAX_THREADS);
    }

    long longValue(String name, long otherwise) throws UsageException {
        if (!has(name)) {
            return otherwise;
        }
        try {
            return Long.parseLong(string(name, null).trim());
        } catch (NumberFormatException e) {
            throw new UsageException(name + " must be a whole number, got '" + string(name, null) + "'");
        }
    }

    /** A finite positive number, or NaN when the option is absent. */
    double positiveDouble(String name) throws UsageException {
        if (!has(name)) {
            return Double.NaN;
        }
        String v = string(name, null);
        try {
            double d = Double.parseDouble(v.trim());
            if (d > 0 && Double.isFinite(d)) {
                return d;
            }
        } catch (NumberFormatException e) {
            // falls through to the message
        }
        throw new UsageException(name + " must be a finite number > 0, got '" + v + "'");
    }

    /** One of {@code choices}, case-insensitive. */
    String choice(String name, String otherwise, List<String> choices) throws UsageException {
        String v = string(name, otherwise).trim().toLowerCase(Locale.ROOT);
        if (!choices.contains(v)) {
            throw new UsageException(name + " must be one of " + String.join(", ", choices) + ", got '" + v + "'");
        }
        return v;
    }
}
