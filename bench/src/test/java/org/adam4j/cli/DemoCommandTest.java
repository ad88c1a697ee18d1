package org.adam4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoCommandTest {
    @TempDir
    Path dir;

    @Test
    void printsStepsAndFinalPointsAndDrawsOneChartPerFunction() throws IOException {
        TrainCommandTest.Result r = TrainCommandTest.run("demo", "functions", "--steps", "5000", "--out", dir.toString());
        assertEquals(0, r.status(), String.join("\n", r.err()));
        List<String> adam = r.out().stream().filter(l -> l.trim().startsWith("adam ")).toList();
        assertEquals(3, adam.size(), String.join("\n", r.out()));
        // Beale and Rosenbrock reached within the budget; the saddle left.
        for (String line : adam) {
            assertTrue(line.matches("\\s+adam\\s+lr 0\\.01\\s+\\d+ steps\\s+final \\(-?\\d+\\.\\d{6}, -?\\d+\\.\\d{6}\\)"), line);
        }
        assertNear(adam.get(0), 3, 0.5);
        assertNear(adam.get(1), 1, 1);
        assertTrue(r.out().stream().anyMatch(l -> l.trim().startsWith("sgd ") && l.contains("not available yet")));
        for (String f : List.of("beale", "rosenbrock", "saddle")) {
            TrainCommandTest.assertPng(dir.resolve("functions-" + f + ".png"));
        }
    }

    private static void assertNear(String line, double x, double y) {
        Matcher m = Pattern.compile("final \\((\\S+), (\\S+)\\)").matcher(line);
        assertTrue(m.find(), line);
        double d = Math.hypot(Double.parseDouble(m.group(1)) - x, Double.parseDouble(m.group(2)) - y);
        assertTrue(d <= 1e-3, line);
    }

    @Test
    void saysNotReachedWhenTheBudgetIsTooSmall() {
        TrainCommandTest.Result r = TrainCommandTest.run("demo", "functions", "--optimizers", "adam", "--steps", "50",
                "--out", dir.toString());
        assertEquals(0, r.status());
        // 50 steps are too few for any of the three (the saddle takes 77).
        assertEquals(3, r.out().stream().filter(l -> l.contains("not reached")).count(), String.join("\n", r.out()));
    }

    @Test
    void refusesBadArguments() {
        assertEquals(2, TrainCommandTest.run("demo").status());
        assertEquals(2, TrainCommandTest.run("demo", "surfaces").status());
        assertEquals(2, TrainCommandTest.run("demo", "functions", "--optimizers", "sgd,rmsprop").status());
        assertEquals(2, TrainCommandTest.run("demo", "functions", "--optimizers", "nope").status());
        assertEquals(2, TrainCommandTest.run("demo", "functions", "--steps", "0").status());
    }
}
