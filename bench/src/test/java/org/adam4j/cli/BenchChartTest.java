package org.adam4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

class BenchChartTest {
    private static XYChart panel(List<XYChart> panels, String title) {
        return panels.stream().filter(c -> c.getTitle().equals(title)).findFirst()
                .orElseThrow(() -> new AssertionError("no panel '" + title + "' in "
                        + panels.stream().map(XYChart::getTitle).toList()));
    }

    @Test
    void onePanelPerVariantOpPrecisionAndThreadsWithALinePerKernelAndTheRoofline() throws IOException {
        List<XYChart> panels = BenchChart.panels(BenchSummaryTest.synthetic());
        assertEquals(List.of("Adam fused, f32, 1 thread", "Adam fused, f64, 2 threads", "Adam params, f32, 1 thread",
                "AdamW fused, f32, 1 thread", "step, f32, 2 threads"), panels.stream().map(XYChart::getTitle).toList());

        XYChart fused = panel(panels, "Adam fused, f32, 1 thread");
        assertEquals(List.of("vector-512", "vector", "scalar", "scalar-strict", "roofline"),
                List.copyOf(fused.getSeriesMap().keySet()));
        XYSeries vector = fused.getSeriesMap().get("vector");
        assertArrayEquals(new double[] {16384, 33554432}, vector.getXData());
        assertArrayEquals(new double[] {0.7, 1.5}, vector.getYData(), 1e-12);
        assertArrayEquals(new double[] {0.35, 1.4}, fused.getSeriesMap().get("roofline").getYData(), 1e-12);

        // The parameter step's ceiling: the roofline's time for 4 of Adam's 7 arrays.
        XYSeries paramsRoof = panel(panels, "Adam params, f32, 1 thread").getSeriesMap().get("roofline");
        assertArrayEquals(new double[] {0.35 * 4 / 7, 1.4 * 4 / 7}, paramsRoof.getYData(), 1e-12);

        assertFalse(panel(panels, "Adam fused, f64, 2 threads").getSeriesMap().containsKey("roofline"),
                "no f64 roofline was measured");
    }

    /**
     * Rows with compact states (bf16, 8-bit) get panels of their own, not lines over the f32-state ones of the same
     * kernel, op, precision and threads, with the roofline scaled to their traffic (20 bytes of 28 for bf16 states).
     */
    @Test
    void compactStatesGetPanelsOfTheirOwn() throws IOException {
        List<BenchSummary.Row> rows = new ArrayList<>(BenchSummaryTest.synthetic().rows);
        rows.add(new BenchSummary.Row("adam", "vector", "f32", "fused", 16384, 1, 16384 * 0.5, 0, 1.0, "f32", "bf16"));
        rows.add(new BenchSummary.Row("adam", "vector", "f32", "fused", 16384, 1, 16384 * 5.0, 0, 1.0, "f32", "8bit"));
        List<XYChart> panels = BenchChart.panels(new BenchSummary(rows));
        XYChart f32 = panel(panels, "Adam fused, f32, 1 thread");
        assertArrayEquals(new double[] {0.7, 1.5}, f32.getSeriesMap().get("vector").getYData(), 1e-12);
        XYChart bf16 = panel(panels, "Adam fused, f32 (bf16 states), 1 thread");
        assertArrayEquals(new double[] {0.5}, bf16.getSeriesMap().get("vector").getYData(), 1e-12);
        assertArrayEquals(new double[] {0.35 * 20 / 28, 1.4 * 20 / 28}, bf16.getSeriesMap().get("roofline").getYData(),
                1e-12);
        assertArrayEquals(new double[] {5.0},
                panel(panels, "Adam fused, f32 (8bit states), 1 thread").getSeriesMap().get("vector").getYData(), 1e-12);
    }

    @Test
    void writesAPngWithEveryPanel(@TempDir Path dir) throws IOException {
        Path png = dir.resolve(BenchChart.FILE);
        assertTrue(BenchChart.write(BenchSummaryTest.synthetic(), png));
        BufferedImage image = ImageIO.read(png.toFile());
        assertNotNull(image, "not a readable image");
        // 5 panels of 720 x 480 in 2 columns
        assertEquals(2 * 720, image.getWidth());
        assertEquals(3 * 480, image.getHeight());
    }

    @Test
    void drawsTheRooflineAloneWhenThatIsAllThereIs(@TempDir Path dir) throws IOException {
        BenchSummary roofOnly = new BenchSummary(List.of(
                new BenchSummary.Row("", "roofline", "f64", "roofline", 4096, 1, 4096 * 0.6, 0),
                new BenchSummary.Row("", "roofline", "f64", "roofline", 33554432, 1, 33554432 * 2.9, 0)));
        List<XYChart> panels = BenchChart.panels(roofOnly);
        assertEquals(1, panels.size());
        assertEquals("roofline, f64, 1 thread", panels.get(0).getTitle());
        assertTrue(BenchChart.write(roofOnly, dir.resolve("c.png")));
    }

    @Test
    void writesNothingWithoutSizes(@TempDir Path dir) throws IOException {
        BenchSummary noSize = new BenchSummary(List.of(new BenchSummary.Row("", "scalar", "f32", "step", 0, 1, 5, 0)));
        assertFalse(BenchChart.write(noSize, dir.resolve("c.png")));
        assertFalse(Files.exists(dir.resolve("c.png")));
    }
}
