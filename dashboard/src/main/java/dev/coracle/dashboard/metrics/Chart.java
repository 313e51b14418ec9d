package dev.coracle.dashboard.metrics;

import dev.coracle.dashboard.view.Quantities;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * A line chart drawn as SVG by the template: the polyline, the y axis with ticks in the series' unit (CPU in
 * millicores/cores, memory in Mi/Gi) and the x axis with clock times (UTC).
 */
public record Chart(String title, String unit, int width, int height, int left, int bottom, String polyline,
                    List<Tick> yTicks, List<Tick> xTicks, int points, String latest, double lastX, double lastY) {

    public record Tick(double position, String label) {
    }

    public static final int WIDTH = 560;
    public static final int HEIGHT = 200;
    private static final int LEFT = 56;
    private static final int RIGHT = 12;
    private static final int TOP = 10;
    private static final int BOTTOM = 28;
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);

    public static Chart cpu(String title, List<Sample> samples) {
        // nanocores → millicores for the axis
        return of(title, "CPU (cores)", samples, s -> s.cpuNanoCores() / 1_000_000, Quantities::cpu);
    }

    public static Chart memory(String title, List<Sample> samples) {
        return of(title, "memory (bytes)", samples, Sample::memoryBytes, Quantities::memory);
    }

    interface Format {
        String text(long value);
    }

    static Chart of(String title, String unit, List<Sample> samples, ToLongFunction<Sample> value, Format format) {
        int plotW = WIDTH - LEFT - RIGHT;
        int plotH = HEIGHT - TOP - BOTTOM;
        long max = 0;
        for (Sample s : samples) {
            max = Math.max(max, value.applyAsLong(s));
        }
        long top = niceCeiling(max);
        List<Tick> yTicks = new ArrayList<>();
        for (int i = 0; i <= 4; i++) {
            long v = top * i / 4;
            yTicks.add(new Tick(TOP + plotH - plotH * (double) i / 4, format.text(v)));
        }
        List<Tick> xTicks = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        double lastX = 0;
        double lastY = 0;
        if (!samples.isEmpty()) {
            long t0 = samples.get(0).timestamp().toEpochMilli();
            long t1 = samples.get(samples.size() - 1).timestamp().toEpochMilli();
            long span = Math.max(1, t1 - t0);
            for (Sample s : samples) {
                double x = LEFT + plotW * (s.timestamp().toEpochMilli() - t0) / (double) span;
                double y = TOP + plotH - plotH * value.applyAsLong(s) / (double) top;
                line.append(String.format(java.util.Locale.ROOT, "%.1f,%.1f ", x, y));
                lastX = x;
                lastY = y;
            }
            for (int i = 0; i <= 3; i++) {
                long t = t0 + span * i / 3;
                xTicks.add(new Tick(LEFT + plotW * i / 3.0, CLOCK.format(java.time.Instant.ofEpochMilli(t))));
            }
        }
        String latest = samples.isEmpty() ? null : format.text(value.applyAsLong(samples.get(samples.size() - 1)));
        return new Chart(title, unit, WIDTH, HEIGHT, LEFT, TOP + plotH, line.toString().trim(), yTicks, xTicks, samples.size(), latest, lastX, lastY);
    }

    /** 1, 2 or 5 times a power of ten, at least v (and at least 1 so an idle series still has an axis). */
    static long niceCeiling(long v) {
        if (v <= 1) {
            return 1;
        }
        long p = 1;
        while (p * 10 < v) {
            p *= 10;
        }
        for (long m : new long[]{1, 2, 5, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }

    public int right() {
        return WIDTH - RIGHT;
    }

    public int top() {
        return TOP;
    }
}
