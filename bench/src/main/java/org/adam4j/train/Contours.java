package org.adam4j.train;

import java.util.function.DoubleBinaryOperator;

/**
 * Level curves of a function of two variables, by marching squares over a grid: each grid cell whose corners lie on
 * both sides of a level contributes one segment (two at a saddle cell, paired by the value at the cell's centre).
 * XChart has no contour plot; it draws these segments as an ordinary line series, broken at NaN.
 */
public final class Contours {
    private final double[] xs;
    private final double[] ys;
    /** {@code values[j][i]} = f(xs[i], ys[j]). */
    private final double[][] values;
    private final DoubleBinaryOperator f;

    public Contours(DoubleBinaryOperator f, double xMin, double xMax, double yMin, double yMax, int cells) {
        if (cells < 1 || !(xMax > xMin) || !(yMax > yMin)) {
            throw new IllegalArgumentException("need a non-empty window and at least one cell");
        }
        this.f = f;
        xs = new double[cells + 1];
        ys = new double[cells + 1];
        for (int i = 0; i <= cells; i++) {
            xs[i] = xMin + (xMax - xMin) * i / cells;
            ys[i] = yMin + (yMax - yMin) * i / cells;
        }
        values = new double[cells + 1][cells + 1];
        for (int j = 0; j <= cells; j++) {
            for (int i = 0; i <= cells; i++) {
                values[j][i] = f.applyAsDouble(xs[i], ys[j]);
            }
        }
    }

    /** The smallest and largest value on the grid. */
    public double[] range() {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double[] row : values) {
            for (double v : row) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        return new double[] {lo, hi};
    }

    /**
     * The curve {@code f = level} as segments: {@code {x[], y[]}} holding two points per segment, each pair followed by
     * NaN so that a line series draws the segments without joining them.
     */
    public double[][] level(double level) {
        DoubleList x = new DoubleList();
        DoubleList y = new DoubleList();
        double[] ex = new double[4];
        double[] ey = new double[4];
        boolean[] crossed = new boolean[4];
        for (int j = 0; j + 1 < ys.length; j++) {
            for (int i = 0; i + 1 < xs.length; i++) {
                // Corners c0 (i, j), c1 (i+1, j), c2 (i+1, j+1), c3 (i, j+1); edge e0 joins c0-c1, e1 c1-c2,
                // e2 c3-c2, e3 c0-c3.
                double v0 = values[j][i];
                double v1 = values[j][i + 1];
                double v2 = values[j + 1][i + 1];
                double v3 = values[j + 1][i];
                int count = 0;
                count += edge(0, level, v0, v1, xs[i], ys[j], xs[i + 1], ys[j], ex, ey, crossed);
                count += edge(1, level, v1, v2, xs[i + 1], ys[j], xs[i + 1], ys[j + 1], ex, ey, crossed);
                count += edge(2, level, v3, v2, xs[i], ys[j + 1], xs[i + 1], ys[j + 1], ex, ey, crossed);
                count += edge(3, level, v0, v3, xs[i], ys[j], xs[i], ys[j + 1], ex, ey, crossed);
                if (count == 2) {
                    int a = -1;
                    int b = -1;
                    for (int e = 0; e < 4; e++) {
                        if (crossed[e]) {
                            if (a < 0) {
                                a = e;
                            } else {
                                b = e;
                            }
                        }
                    }
                    segment(x, y, ex, ey, a, b);
                } else if (count == 4) {
                    double centre = f.applyAsDouble((xs[i] + xs[i + 1]) / 2, (ys[j] + ys[j + 1]) / 2);
                    if ((centre >= level) == (v0 >= level)) {
                        segment(x, y, ex, ey, 0, 1);
                        segment(x, y, ex, ey, 2, 3);
                    } else {
                        segment(x, y, ex, ey, 3, 0);
                        segment(x, y, ex, ey, 1, 2);
                    }
                }
            }
        }
        return new double[][] {x.toArray(), y.toArray()};
    }

    private static int edge(int e, double level, double va, double vb, double xa, double ya, double xb, double yb,
            double[] ex, double[] ey, boolean[] crossed) {
        crossed[e] = (va >= level) != (vb >= level) && Double.isFinite(va) && Double.isFinite(vb);
        if (!crossed[e]) {
            return 0;
        }
        double t = (level - va) / (vb - va);
        ex[e] = xa + t * (xb - xa);
        ey[e] = ya + t * (yb - ya);
        return 1;
    }

    private static void segment(DoubleList x, DoubleList y, double[] ex, double[] ey, int a, int b) {
        x.add(ex[a]);
        y.add(ey[a]);
        x.add(ex[b]);
        y.add(ey[b]);
        x.add(Double.NaN);
        y.add(Double.NaN);
    }

    private static final class DoubleList {
        private double[] a = new double[256];
        private int n;

        void add(double v) {
            if (n == a.length) {
                a = java.util.Arrays.copyOf(a, 2 * n);
            }
            a[n++] = v;
        }

        double[] toArray() {
            return java.util.Arrays.copyOf(a, n);
        }
    }
}
