package org.adam4j.reference;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A configuration's hyperparameters by PyTorch's names, in the order the configuration lists them, as PyTorch's
 * {@code optimizer.param_groups} dictionaries hold them: numbers as {@link Double}, flags as {@link Boolean},
 * {@code betas} as a two-element {@code double[]} and adam4j's weight decay mode as a {@link String}. Immutable;
 * {@link OptimizerConfig#fromPyTorch} reads it back.
 */
public final class Hyperparameters implements PyTorchArgs {
    private final Map<String, Object> values;

    private Hyperparameters(Map<String, Object> values) {
        this.values = values;
    }

    /** {@return a builder; keys keep the order they are added in} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return the names in order} */
    public List<String> names() {
        return List.copyOf(values.keySet());
    }

    /**
     * {@return the value of {@code name} (a {@link Double}, {@link Boolean}, {@link String} or a copy of a {@code
     * double[]})}
     *
     * @param name the hyperparameter's name, PyTorch's
     */
    public Object get(String name) {
        Object v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("no hyperparameter '" + name + "' (there are " + names() + ")");
        }
        return v instanceof double[] d ? d.clone() : v;
    }

    /** {@return the names and values, in order (arrays copied)} */
    public Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (String k : values.keySet()) {
            m.put(k, get(k));
        }
        return Collections.unmodifiableMap(m);
    }

    /**
     * These hyperparameters with {@code name} set to {@code value} (a {@link Double}, {@link Boolean}, {@link String}
     * or two-element {@code double[]}), added at the end if absent: for another group's configuration,
     * {@code OptimizerConfig.fromPyTorch(c.algorithm(), c.hyperparameters().with("lr", 0.01))}.
     *
     * @param value the value
     * @param name the hyperparameter's name, PyTorch's
     * @return a copy with {@code name} set to {@code value}
     */
    public Hyperparameters with(String name, Object value) {
        java.util.Objects.requireNonNull(value, "value");
        if (!(value instanceof Double || value instanceof Boolean || value instanceof String
                || value instanceof double[] d && d.length == 2)) {
            throw new IllegalArgumentException("'" + name + "' must be a Double, Boolean, String or a pair of "
                    + "numbers: " + describe(value));
        }
        Map<String, Object> m = new LinkedHashMap<>(values);
        m.put(name, value instanceof double[] d ? d.clone() : value);
        return new Hyperparameters(Collections.unmodifiableMap(m));
    }

    @Override
    public double number(String key, double fallback) {
        Object v = values.get(key);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof Double d)) {
            throw new IllegalArgumentException("'" + key + "' is not a number: " + describe(v));
        }
        return d;
    }

    @Override
    public boolean bool(String key, boolean fallback) {
        Object v = values.get(key);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof Boolean b)) {
            throw new IllegalArgumentException("'" + key + "' is not true or false: " + describe(v));
        }
        return b;
    }

    @Override
    public double[] pair(String key, double first, double second) {
        Object v = values.get(key);
        if (v == null) {
            return new double[] {first, second};
        }
        if (!(v instanceof double[] d) || d.length != 2) {
            throw new IllegalArgumentException("'" + key + "' is not a pair of numbers: " + describe(v));
        }
        return d.clone();
    }

    @Override
    public String string(String key, String fallback) {
        Object v = values.get(key);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof String s)) {
            throw new IllegalArgumentException("'" + key + "' is not a string: " + describe(v));
        }
        return s;
    }

    @Override
    public boolean has(String key) {
        return values.containsKey(key);
    }

    @Override
    public void requireOnlyKeys(String optimizer, List<String> known) {
        for (String k : values.keySet()) {
            if (!known.contains(k)) {
                throw new IllegalArgumentException("option '" + k + "' of " + optimizer + " is not implemented by "
                        + "adam4j (it knows " + String.join(", ", known) + ")");
            }
        }
    }

    private static String describe(Object v) {
        return v instanceof double[] d ? java.util.Arrays.toString(d) : String.valueOf(v);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Hyperparameters h) || !h.values.keySet().equals(values.keySet())) {
            return false;
        }
        for (String k : values.keySet()) {
            Object a = values.get(k);
            Object b = h.values.get(k);
            if (a instanceof double[] x ? !(b instanceof double[] y && java.util.Arrays.equals(x, y))
                    : !a.equals(b)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = 0;
        for (Map.Entry<String, Object> e : values.entrySet()) {
            Object v = e.getValue();
            h = 31 * h + Objects.hash(e.getKey(), v instanceof double[] d ? java.util.Arrays.hashCode(d) : v);
        }
        return h;
    }

    /** {@code lr=0.001, betas=(0.9, 0.999), ...}: PyTorch's spelling. */
    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, Object> e : values.entrySet()) {
            Object v = e.getValue();
            parts.add(e.getKey() + "=" + (v instanceof double[] d ? "(" + d[0] + ", " + d[1] + ")" : v));
        }
        return String.join(", ", parts);
    }

    /** Adds hyperparameters in order; a name given twice is refused. */
    public static final class Builder {
        private final Map<String, Object> values = new LinkedHashMap<>();

        private Builder() {
        }

        private Builder put(String name, Object value) {
            Objects.requireNonNull(name, "name");
            if (values.putIfAbsent(name, value) != null) {
                throw new IllegalArgumentException("hyperparameter '" + name + "' given twice");
            }
            return this;
        }

        /**
         * Adds a number.
         *
         * @param value the value
         * @param name the hyperparameter's name, PyTorch's
         * @return this builder
         */
        public Builder number(String name, double value) {
            return put(name, value);
        }

        /**
         * Adds a flag.
         *
         * @param value the value
         * @param name the hyperparameter's name, PyTorch's
         * @return this builder
         */
        public Builder flag(String name, boolean value) {
            return put(name, value);
        }

        /**
         * Adds a pair, such as {@code betas}.
         *
         * @param name the hyperparameter's name, PyTorch's
         * @param first the first value
         * @param second the second value
         * @return this builder
         */
        public Builder pair(String name, double first, double second) {
            return put(name, new double[] {first, second});
        }

        /**
         * Adds a string, such as adam4j's weight decay mode.
         *
         * @param value the value
         * @param name the hyperparameter's name, PyTorch's
         * @return this builder
         */
        public Builder string(String name, String value) {
            return put(name, Objects.requireNonNull(value, "value"));
        }

        /** {@return the hyperparameters added so far} */
        public Hyperparameters build() {
            return new Hyperparameters(Collections.unmodifiableMap(new LinkedHashMap<>(values)));
        }
    }
}
