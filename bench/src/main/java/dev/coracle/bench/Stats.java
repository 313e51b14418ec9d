package dev.coracle.bench;

import java.util.Arrays;

/** Latency samples in nanoseconds; thread-safe appends, percentiles by sorting. */
final class Stats {

    private long[] samples = new long[1 << 12];
    private int count;

    synchronized void add(long nanos) {
        if (count == samples.length) {
            samples = Arrays.copyOf(samples, count * 2);
        }
        samples[count++] = nanos;
    }

    synchronized int count() {
        return count;
    }

    synchronized void clear() {
        count = 0;
    }

    /** The p-th percentile (0..1) in milliseconds, nearest-rank. */
    synchronized double percentileMs(double p) {
        if (count == 0) {
            return Double.NaN;
        }
        long[] sorted = Arrays.copyOf(samples, count);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p * count) - 1;
        return sorted[Math.max(0, Math.min(count - 1, rank))] / 1e6;
    }

    double p50() {
        return percentileMs(0.50);
    }

    double p99() {
        return percentileMs(0.99);
    }

    double max() {
        return percentileMs(1.0);
    }

    static String ms(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        return v < 10 ? String.format("%.2f", v) : String.format("%.1f", v);
    }
}
