package org.adam4j.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
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
import javax.imageio.ImageIO;
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
    /**
     * One colour per kernel of {@link BenchPlan#kernels()}, the same in every panel: blues for the fixed widths, red
     * for the facade's choice, orange and grey for the scalar baselines.
     */
    private static final List<Color> KERNEL_COLORS = List.of(new Color(0x9ecae1), new Color(0x4292c6),
            new Color(0x08519c), new Color(0x6a51a3), new Color(0xe31a1c), new Color(0xfd8d3c), new Color(0x737373));

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
        // XChart's own grid needs every cell filled; an odd number of panels leaves one blank here.
        BufferedImage image = new BufferedImage(cols * PANEL_WIDTH, rows * PANEL_HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, image.getWidth(), image.getHeight());
            for (int i = 0; i < panels.size(); i++) {
                Graphics2D cell = (Graphics2D) g.create(i % cols * PANEL_WIDTH, i / cols * PANEL_HEIGHT, PANEL_WIDTH,
                        PANEL_HEIGHT);
                try {
                    panels.get(i).paint(cell, PANEL_WIDTH, PANEL_HEIGHT);
                } finally {
                    cell.dispose();
                }
            }
        } finally {
            g.dispose();
        }
        try (OutputStream os = Files.newOutputStream(file)) {
            if (!ImageIO.write(image, "png", os)) {
                throw new IOException("no PNG writer in this JVM");
            }
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
        // Adam's and AdamW's panels always; another variant's (a relative's, the lazy rows') only as a line over two
        // sizes or more, as --full runs them: the quick suite's single sizes are in the table.
        groups.values().removeIf(rows -> !rows.get(0).roofline() && !List.of("adam", "adamw", "")
                .contains(rows.get(0).variant()) && rows.stream().mapToLong(BenchSummary.Row::size).distinct().count() < 2);
        List<XYChart> panels = new ArrayList<>();
        for (var g : groups.entrySet()) {
            XYChart chart = new XYChartBuilder().width(PANEL_WIDTH).height(PANEL_HEIGHT).title(g.getKey())
                    .xAxisTitle("elements").yAxisTitle("ns per element").build();
            chart.getStyler().setXAxisLogarithmic(true).setYAxisLogarithmic(true)
                    .setLegendPosition(Styler.LegendPosition.OutsideE).setChartBackgroundColor(Color.WHITE);
            chart.getStyler().setXAxisDecimalPattern("#,###").setYAxisDecimalPattern("#.###");
            Map<String, TreeMap<Long, Double>> lines = new LinkedHashMap<>();
            for (BenchSummary.Row r : g.getValue()) {
                if (Double.isFinite(r.nsPerElement()) && r.nsPerElement() > 0) {
                    lines.computeIfAbsent(r.kernel(), k -> new TreeMap<>()).put(r.size(), r.nsPerElement());
                }
            }
            for (var line : lines.entrySet()) {
                XYSeries s = add(chart, line.getKey(), line.getValue());
                int k = BenchPlan.kernels().indexOf(line.getKey());
                if (k >= 0) {
                    s.setLineColor(KERNEL_COLORS.get(k));
                    s.setMarkerColor(KERNEL_COLORS.get(k));
                }
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
                decades(chart);
                panels.add(chart);
            }
        }
        return panels;
    }

    /**
     * Widens both axes to whole decades: XChart labels a logarithmic axis at powers of ten only, so a range inside
     * one decade (all sizes equal, or ns per element between 1 and 9) would show no label at all.
     */
    private static void decades(XYChart chart) {
        double xMin = Double.MAX_VALUE, xMax = 0, yMin = Double.MAX_VALUE, yMax = 0;
        for (XYSeries s : chart.getSeriesMap().values()) {
            for (double x : s.getXData()) {
                xMin = Math.min(xMin, x);
                xMax = Math.max(xMax, x);
            }
            for (double y : s.getYData()) {
                yMin = Math.min(yMin, y);
                yMax = Math.max(yMax, y);
            }
        }
        // A little room, so that no point sits on the frame.
        xMin *= 0.9;
        yMin *= 0.9;
        xMax *= 1.1;
        yMax *= 1.1;
        chart.getStyler().setXAxisMin(floorDecade(xMin)).setXAxisMax(ceilDecade(xMax));
        chart.getStyler().setYAxisMin(floorDecade(yMin)).setYAxisMax(ceilDecade(yMax));
    }

    private static double floorDecade(double x) {
        return Math.pow(10, Math.floor(Math.log10(x)));
    }

    private static double ceilDecade(double x) {
        return Math.pow(10, Math.ceil(Math.log10(x)));
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
        // states kept otherwise than the parameters' default (8-bit, bf16) get panels of their own
        String states = r.statePrecision().equals(BenchSummary.Row.stateOf(r.precision())) ? ""
                : " (" + r.statePrecision() + " states)";
        return String.format(Locale.ROOT, "%s, %s%s, %d thread%s", who.trim(), r.precision(), states, r.threads(),
                r.threads() == 1 ? "" : "s");
    }
}
