package org.adam4j.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The chart of a run ({@code chart.png}, drawn with XChart): ns per element against size, both axes logarithmic, one
 * line per kernel and the roofline as a dashed black line, one panel per variant, op, precision and thread count.
 * For the moment and parameter steps the roofline is scaled to their traffic (5 and 4 arrays of Adam's 7).
 */
final class BenchChart {
    static final String FILE = "chart.png";
    private static final int PANEL_WIDTH = 720;
    private static final int PANEL_HEIGHT = 480;

    private BenchChart() {
    }

    /** Writes the chart to {@code file}; returns false, writing nothing, when no row has a size. */
    static boolean write(BenchSummary summary, Path file) throws IOException {
        List<XYChart> panels = panels(summary);
        if (panels.isEmpty()) {
            return false;
        }
        int cols = Math.min(2, panels.size());
        int rows = (panels.size() + cols - 1) / cols;
        try (OutputStream os = Files.newOutputStream(file)) {
            BitmapEncoder.saveBitmap(panels, rows, cols, os, BitmapEncoder.BitmapFormat.PNG);
        }
        return true;
    }

    static List<XYChart> panels(BenchSummary summary) {
        Map<String, List<BenchSummary.Row>> groups = new LinkedHashMap<>();
        boolean kernels = summary.rows.stream().anyMatch(r -> !r.roofline() && r.size() > 0);
        for (BenchSummary.Row r : summary.rows) {
            if (r.size() > 0 && r.roofline() != kernels) {
                groups.computeIfAbsent(title(r), t -> new ArrayList<>()).add(r);
            }
        }
        List<XYChart> panels = new ArrayList<>();
        for (var g : groups.entrySet()) {
            XYChart chart = new XYChartBuilder().width(PANEL_WIDTH).height(PANEL_HEIGHT).title(g.getKey())
                    .xAxisTitle("elements").yAxisTitle("ns per element").build();
            chart.getStyler().setXAxisLogarithmic(true).setYAxisLogarithmic(true)
                    .setLegendPosition(Styler.LegendPosition.OutsideE).setChartBackgroundColor(Color.WHITE);
            Map<String, TreeMap<Long, Double>> lines = new LinkedHashMap<>();
            for (BenchSummary.Row r : g.getValue()) {
                if (Double.isFinite(r.nsPerElement()) && r.nsPerElement() > 0) {
                    lines.computeIfAbsent(r.kernel(), k -> new TreeMap<>()).put(r.size(), r.nsPerElement());
                }
            }
            for (var line : lines.entrySet()) {
                add(chart, line.getKey(), line.getValue());
            }
            BenchSummary.Row any = g.getValue().get(0);
            if (!any.roofline()) {
                TreeMap<Long, Double> roof = new TreeMap<>();
                double scale = any.bytesPerElement() / (7.0 * (any.precision().equals("f64") ? 8 : 4));
                for (BenchSummary.Row r : summary.rows) {
                    if (r.roofline() && r.precision().equals(any.precision()) && r.threads() == any.threads()
                            && r.nsPerElement() > 0) {
                        roof.put(r.size(), r.nsPerElement() * scale);
                    }
                }
                if (!roof.isEmpty()) {
                    XYSeries s = add(chart, "roofline", roof);
                    s.setLineColor(Color.BLACK);
                    s.setMarkerColor(Color.BLACK);
                    s.setLineStyle(new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                            new float[] {8f, 6f}, 0f));
                }
            }
            if (!chart.getSeriesMap().isEmpty()) {
                panels.add(chart);
            }
        }
        return panels;
    }

    private static XYSeries add(XYChart chart, String name, TreeMap<Long, Double> points) {
        double[] x = points.keySet().stream().mapToDouble(Long::doubleValue).toArray();
        double[] y = points.values().stream().mapToDouble(Double::doubleValue).toArray();
        XYSeries s = chart.addSeries(name, x, y);
        s.setMarker(SeriesMarkers.CIRCLE);
        return s;
    }

    private static String title(BenchSummary.Row r) {
        String who = r.roofline() ? "roofline" : (r.variant().equals("adamw") ? "AdamW" : r.variant().equals("adam")
                ? "Adam" : r.variant().isEmpty() ? "" : r.variant()) + " " + r.op();
        return String.format(Locale.ROOT, "%s, %s, %d thread%s", who.trim(), r.precision(), r.threads(),
                r.threads() == 1 ? "" : "s");
    }
}
