package org.adam4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.adam4j.train.FunctionDemo;
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
        for (String name : List.of("sgd", "sgd-momentum", "rmsprop", "adagrad")) {
            List<String> lines = r.out().stream().filter(l -> l.trim().startsWith(name + " ")).toList();
            assertEquals(3, lines.size(), name + ": " + String.join("\n", r.out()));
            for (String line : lines) {
                assertTrue(line.contains("lr " + FunctionDemo.lr(name) + " "), line);
            }
        }
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
        TrainCommandTest.Result twice = TrainCommandTest.run("demo", "functions", "--optimizers", "sgd,rmsprop,sgd");
        assertEquals(2, twice.status());
        assertTrue(twice.err().get(0).contains("optimizer 'sgd' listed twice"), twice.err().get(0));
        assertEquals(2, TrainCommandTest.run("demo", "functions", "--optimizers", "nope").status());
        assertEquals(2, TrainCommandTest.run("demo", "functions", "--steps", "0").status());
    }

    @Test
    void refusesStepsBeyondTheLimitAndAnOutThatIsAFileBeforeRunning() throws IOException {
        for (String steps : List.of("2147483647", "2000000000", "1000001", "0")) {
            TrainCommandTest.Result r = TrainCommandTest.run("demo", "functions", "--steps", steps, "--out",
                    dir.toString());
            assertEquals(2, r.status(), r.toString());
            assertEquals("adam4j demo: --steps must be a whole number from 1 to 1000000, got '" + steps + "'",
                    r.err().get(0));
            assertEquals(List.of(), r.out());
        }
        Path file = java.nio.file.Files.writeString(dir.resolve("a-file"), "x");
        TrainCommandTest.Result r = TrainCommandTest.run("demo", "functions", "--out", file.toString());
        assertEquals(2, r.status(), r.toString());
        assertEquals(List.of("adam4j demo: " + file + ": --out needs a folder, and this is a file"), r.err());
        assertEquals(List.of(), r.out(), "nothing ran");
        java.nio.file.Files.createDirectories(dir.resolve("out/functions-saddle.png"));
        r = TrainCommandTest.run("demo", "functions", "--out", dir.resolve("out").toString());
        assertEquals(List.of("adam4j demo: " + dir.resolve("out/functions-saddle.png")
                + ": --out would write a file here, and this is a folder"), r.err());
        assertEquals(List.of(), r.out(), "nothing ran");
    }
}
