package org.adam4j.train;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The PNG charts of {@code train} and {@code demo functions}, drawn with XChart. */
public final class Charts {
    /** One colour per optimizer, readable on white and on the pale contour lines. */
    private static final Color[] PALETTE = {
        new Color(0xD6, 0x27, 0x28), new Color(0x1F, 0x77, 0xB4), new Color(0x2C, 0xA0, 0x2C),
        new Color(0xFF, 0x7F, 0x0E), new Color(0x94, 0x67, 0xBD), new Color(0x8C, 0x56, 0x4B),
        new Color(0xE3, 0x77, 0xC2), new Color(0x17, 0xBE, 0xCF), new Color(0x7F, 0x7F, 0x7F),
    };
    private static final int CONTOUR_CELLS = 240;
    /** Paths are thinned to about this many points: enough for a smooth curve, small enough to draw fast. */
    private static final int PATH_POINTS = 3000;

    static {
        // No display is needed to render into an image; without this AWT may look for one.
        System.setProperty("java.awt.headless", "true");
    }

    private Charts() {
    }

    /**
     * Two panels side by side: training loss (log scale) and test accuracy per epoch, one curve per optimizer.
     */
    public static void saveTraining(Path png, String title, Map<String, List<Trainer.Epoch>> runs) throws IOException {
        XYChart loss = axes(title + ": training loss", "epoch", "training loss (cross-entropy, log scale)", 640, 480);
        loss.getStyler().setYAxisLogarithmic(true);
        loss.getStyler().setYAxisLogarithmicDecadeOnly(false);
        XYChart accuracy = axes(title + ": test accuracy", "epoch", "test accuracy", 640, 480);
        accuracy.getStyler().setYAxisDecimalPattern("0.00##");
        accuracy.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        int k = 0;
        for (Map.Entry<String, List<Trainer.Epoch>> run : runs.entrySet()) {
            List<Trainer.Epoch> epochs = run.getValue();
            double[] x = epochs.stream().mapToDouble(Trainer.Epoch::epoch).toArray();
            Color c = PALETTE[k++ % PALETTE.length];
            curve(loss.addSeries(run.getKey(), x, epochs.stream().mapToDouble(Trainer.Epoch::trainLoss).toArray()), c);
            curve(accuracy.addSeries(run.getKey(), x,
                    epochs.stream().mapToDouble(Trainer.Epoch::testAccuracy).toArray()), c);
        }
        save(List.of(loss, accuracy), 1, 2, png);
    }

    /** The function's level curves with each run's path from its start, and the minimum marked. */
    public static void saveContour(Path png, TestFunction f, List<FunctionRun> runs) throws IOException {
        XYChart chart = axes(f.title() + ": optimizer paths", "x", "y", 900, 760);
        chart.getStyler().setXAxisMin(f.xMin()).setXAxisMax(f.xMax()).setYAxisMin(f.yMin()).setYAxisMax(f.yMax());
        Contours contours = new Contours(f::value, f.xMin(), f.xMax(), f.yMin(), f.yMax(), CONTOUR_CELLS);
        double[] levels = levels(f, contours.range());
        for (int i = 0; i < levels.length; i++) {
            double[][] line = contours.level(levels[i]);
            if (line[0].length == 0) {
                continue;
            }
            // Pale for low values, darker up the walls: the eye finds the valley.
            float shade = 0.85f - 0.5f * i / Math.max(1, levels.length - 1);
            XYSeries s = chart.addSeries(String.format("level %.3g", levels[i]), line[0], line[1]);
            s.setMarker(SeriesMarkers.NONE);
            s.setLineColor(new Color(shade, shade, shade));
            s.setLineStyle(new BasicStroke(1f));
            s.setShowInLegend(false);
        }
        int k = 0;
        for (FunctionRun run : runs) {
            double[][] path = thin(run.xs(), run.ys());
            String label = String.format("%s (lr %s): %s", run.optimizer(), run.lr(),
                    run.stepsToGoal() >= 0 ? run.stepsToGoal() + " steps" : "not reached");
            curve(chart.addSeries(label, path[0], path[1]), PALETTE[k++ % PALETTE.length]).setMarker(SeriesMarkers.NONE);
        }
        double[] start = f.start();
        XYSeries s = chart.addSeries(String.format("start (%s, %s)", start[0], start[1]),
                new double[] {start[0]}, new double[] {start[1]});
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        s.setMarker(SeriesMarkers.CIRCLE).setMarkerColor(Color.BLACK);
        double[] min = f.minimum();
        if (min != null) {
            XYSeries m = chart.addSeries(String.format("minimum (%s, %s)", min[0], min[1]),
                    new double[] {min[0]}, new double[] {min[1]});
            m.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            m.setMarker(SeriesMarkers.DIAMOND).setMarkerColor(Color.BLACK);
        }
        save(List.of(chart), 1, 1, png);
    }

    /** Geometric levels for a function with a minimum of 0 (half a decade apart), even ones for the saddle. */
    static double[] levels(TestFunction f, double[] range) {
        List<Double> levels = new ArrayList<>();
        if (f.minimum() != null) {
            for (double e = -1; Math.pow(10, e) < range[1]; e += 0.5) {
                levels.add(Math.pow(10, e));
            }
        } else {
            int n = 12;
            for (int i = 1; i < n; i++) {
                levels.add(range[0] + (range[1] - range[0]) * i / n);
            }
        }
        return levels.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static double[][] thin(double[] xs, double[] ys) {
        int stride = Math.max(1, xs.length / PATH_POINTS);
        int n = (xs.length - 1) / stride + 1;
        boolean lastIncluded = (xs.length - 1) % stride == 0;
        int size = lastIncluded ? n : n + 1;
        double[] x = new double[size];
        double[] y = new double[size];
        for (int i = 0; i < n; i++) {
            x[i] = xs[i * stride];
            y[i] = ys[i * stride];
        }
        x[size - 1] = xs[xs.length - 1];
        y[size - 1] = ys[ys.length - 1];
        return new double[][] {x, y};
    }

    private static XYChart axes(String title, String xTitle, String yTitle, int width, int height) {
        XYChart chart = new XYChartBuilder().width(width).height(height).title(title).xAxisTitle(xTitle)
                .yAxisTitle(yTitle).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotBackgroundColor(Color.WHITE);
        chart.getStyler().setAntiAlias(true);
        chart.getStyler().setMarkerSize(6);
        return chart;
    }

    private static XYSeries curve(XYSeries s, Color c) {
        s.setLineColor(c);
        s.setMarkerColor(c);
        s.setLineStyle(new BasicStroke(2f));
        return s;
    }

    private static void save(List<XYChart> charts, int rows, int cols, Path png) throws IOException {
        Files.createDirectories(png.toAbsolutePath().getParent());
        // Written beside the target and moved over it, so that an interrupted run leaves no half-written image.
        Path tmp = png.resolveSibling(png.getFileName() + ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                BitmapEncoder.saveBitmap(charts, rows, cols, out, BitmapEncoder.BitmapFormat.PNG);
            }
            Files.move(tmp, png, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
