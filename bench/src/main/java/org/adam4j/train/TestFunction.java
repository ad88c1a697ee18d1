package org.adam4j.train;

import java.util.List;

/**
 * The classic two-dimensional test problems of optimization, with their gradients, standard starting points and the
 * window their contour plots show.
 */
public enum TestFunction {
    /** Beale's function: a flat plateau with steep walls; minimum 0 at (3, 0.5). Started from (1, 1). */
    BEALE("beale", "Beale's function", new double[] {1, 1}, new double[] {3, 0.5}, -4.5, 4.5, -4.5, 4.5) {
        @Override
        public double value(double x, double y) {
            double a = 1.5 - x + x * y;
            double b = 2.25 - x + x * y * y;
            double c = 2.625 - x + x * y * y * y;
            return a * a + b * b + c * c;
        }

        @Override
        public void gradient(double x, double y, double[] g) {
            double a = 1.5 - x + x * y;
            double b = 2.25 - x + x * y * y;
            double c = 2.625 - x + x * y * y * y;
            g[0] = 2 * a * (y - 1) + 2 * b * (y * y - 1) + 2 * c * (y * y * y - 1);
            g[1] = 2 * a * x + 4 * b * x * y + 6 * c * x * y * y;
        }
    },
    /** Rosenbrock's banana valley {@code (1 - x)^2 + 100 (y - x^2)^2}; minimum 0 at (1, 1). Started from (-1.2, 1). */
    ROSENBROCK("rosenbrock", "Rosenbrock's valley", new double[] {-1.2, 1}, new double[] {1, 1}, -2, 2, -1, 3) {
        @Override
        public double value(double x, double y) {
            double a = 1 - x;
            double b = y - x * x;
            return a * a + 100 * b * b;
        }

        @Override
        public void gradient(double x, double y, double[] g) {
            double b = y - x * x;
            g[0] = -2 * (1 - x) - 400 * x * b;
            g[1] = 200 * b;
        }
    },
    /**
     * The saddle {@code x^2 - y^2}: no minimum, a saddle point at the origin. Started at (1, 0.001), just off the
     * ridge, where the gradient along y is tiny: the question is whether an optimizer gets away from the saddle.
     */
    SADDLE("saddle", "saddle x^2 - y^2", new double[] {1, 1e-3}, null, -1.5, 1.5, -1.5, 1.5) {
        @Override
        public double value(double x, double y) {
            return x * x - y * y;
        }

        @Override
        public void gradient(double x, double y, double[] g) {
            g[0] = 2 * x;
            g[1] = -2 * y;
        }
    };

    /** How close to the minimum counts as reached. */
    public static final double TOLERANCE = 1e-3;
    /** On the saddle, how far along y counts as having left it. */
    public static final double ESCAPE_DISTANCE = 1.0;

    private final String id;
    private final String title;
    private final double[] start;
    private final double[] minimum;
    private final double xMin;
    private final double xMax;
    private final double yMin;
    private final double yMax;

    TestFunction(String id, String title, double[] start, double[] minimum, double xMin, double xMax, double yMin,
            double yMax) {
        this.id = id;
        this.title = title;
        this.start = start;
        this.minimum = minimum;
        this.xMin = xMin;
        this.xMax = xMax;
        this.yMin = yMin;
        this.yMax = yMax;
    }

    public abstract double value(double x, double y);

    /** Writes the gradient at (x, y) to {@code g[0]}, {@code g[1]}. */
    public abstract void gradient(double x, double y, double[] g);

    public String id() { return id; }
    public String title() { return title; }
    public double[] start() { return start.clone(); }
    /** The minimum's location, or null when there is none (the saddle). */
    public double[] minimum() { return minimum == null ? null : minimum.clone(); }
    public double xMin() { return xMin; }
    public double xMax() { return xMax; }
    public double yMin() { return yMin; }
    public double yMax() { return yMax; }

    /** Whether (x, y) meets this function's goal: near its minimum, or away from the saddle. */
    public boolean reached(double x, double y) {
        return minimum == null ? Math.abs(y) >= ESCAPE_DISTANCE
                : Math.hypot(x - minimum[0], y - minimum[1]) <= TOLERANCE;
    }

    /** What {@link #reached} means, for the demo's output. */
    public String goal() {
        return minimum == null ? "|y| >= " + ESCAPE_DISTANCE + " (away from the saddle at the origin)"
                : "within " + TOLERANCE + " of the minimum (" + minimum[0] + ", " + minimum[1] + ")";
    }

    public static TestFunction byId(String id) {
        for (TestFunction f : values()) {
            if (f.id.equals(id)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown function '" + id + "'; expected one of "
                + String.join(", ", List.of(values()).stream().map(TestFunction::id).toList()));
    }
}
