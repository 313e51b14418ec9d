package dev.coracle.server.registry;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * apimachinery's {@code duration.HumanDuration}: a succinct duration with about two significant
 * figures ({@code 5s}, {@code 3m20s}, {@code 45m}, {@code 5h10m}, {@code 2d5h}, {@code 400d}, {@code 3y20d}),
 * and the printers' {@code translateTimestampSince}.
 */
public final class HumanDuration {

    private HumanDuration() {
    }

    public static String format(Duration d) {
        long totalSeconds = d.getSeconds();
        // Go's int(d.Seconds()) truncates toward zero
        long seconds = totalSeconds < 0 && d.getNano() > 0 ? totalSeconds + 1 : totalSeconds;
        if (seconds < -1) {
            return "<invalid>";
        } else if (seconds < 0) {
            return "0s";
        } else if (seconds < 60 * 2) {
            return seconds + "s";
        }
        long minutes = seconds / 60;
        if (minutes < 10) {
            long s = seconds % 60;
            return s == 0 ? minutes + "m" : minutes + "m" + s + "s";
        } else if (minutes < 60 * 3) {
            return minutes + "m";
        }
        long hours = seconds / 3600;
        if (hours < 8) {
            long m = minutes % 60;
            return m == 0 ? hours + "h" : hours + "h" + m + "m";
        } else if (hours < 48) {
            return hours + "h";
        } else if (hours < 24 * 8) {
            long h = hours % 24;
            return h == 0 ? hours / 24 + "d" : hours / 24 + "d" + h + "h";
        } else if (hours < 24 * 365 * 2) {
            return hours / 24 + "d";
        } else if (hours < 24 * 365 * 8) {
            long dy = (hours / 24) % 365;
            return dy == 0 ? hours / 24 / 365 + "y" : hours / 24 / 365 + "y" + dy + "d";
        }
        return hours / 24 / 365 + "y";
    }

    /** The age of an RFC 3339 timestamp; {@code <unknown>} when it is absent, as kubectl prints it. */
    public static String since(String timestamp, Clock clock) {
        Instant t = parse(timestamp);
        if (t == null) {
            return "<unknown>";
        }
        return format(Duration.between(t, clock.instant()));
    }

    /** Parses an RFC 3339 timestamp (with or without fraction or offset); null when absent or malformed. */
    public static Instant parse(String timestamp) {
        if (timestamp == null || timestamp.isBlank()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(timestamp).toInstant();
        } catch (DateTimeParseException e) {
            try {
                return Instant.parse(timestamp);
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }
}
