package dev.coracle.server.nodemetrics;

import java.math.BigDecimal;
import java.time.Duration;

/** How metrics-server writes its figures: canonical quantities and Go durations. */
final class MetricsFormat {

    private static final String[] DECIMAL = {"n", "u", "m", ""};
    private static final String[] BINARY = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};

    private MetricsFormat() {
    }

    /** CPU from nanocores, as {@code resource.NewScaledQuantity(n, -9)} prints: {@code 123456789n}, {@code 5m}, {@code 2}. */
    static String cpu(long nanoCores) {
        if (nanoCores == 0) {
            return "0";
        }
        long value = nanoCores;
        int step = 0;
        while (step < DECIMAL.length - 1 && value % 1000 == 0) {
            value /= 1000;
            step++;
        }
        return value + DECIMAL[step];
    }

    /** Memory from bytes, as a BinarySI quantity prints: {@code 51200Ki}, {@code 50Mi}, or plain bytes. */
    static String memory(long bytes) {
        if (bytes == 0) {
            return "0";
        }
        long value = bytes;
        int step = 0;
        while (step < BINARY.length - 1 && value % 1024 == 0) {
            value /= 1024;
            step++;
        }
        return value + BINARY[step];
    }

    /** A Go duration string: {@code 15s}, {@code 14.998s}, {@code 1m0s}. */
    static String duration(Duration d) {
        long millis = d.toMillis();
        if (millis < 60_000) {
            return new BigDecimal(millis).movePointLeft(3).stripTrailingZeros().toPlainString() + "s";
        }
        long minutes = millis / 60_000;
        String seconds = new BigDecimal(millis % 60_000).movePointLeft(3).stripTrailingZeros().toPlainString();
        return minutes + "m" + seconds + "s";
    }
}
