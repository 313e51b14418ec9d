package dev.coracle.agent.pods;

import java.time.Duration;
import java.time.Instant;

/**
 * The kubelet's container restart back-off (client-go's flowcontrol.Backoff, one entry per container):
 * the first restart is immediate; each restart then sets the delay, starting at {@code base} and
 * doubling up to {@code max}; a container that ended within the delay since its last restart waits
 * out the rest ({@code CrashLoopBackOff}); an entry untouched for twice {@code max} starts over.
 */
final class BackOff {

    private final Duration base;
    private final Duration max;
    private Duration delay;
    private Instant lastUpdate;

    BackOff(Duration base, Duration max) {
        this.base = base;
        this.max = max;
    }

    /** When a container that finished at {@code finishedAt} may start again; null for at once. */
    Instant waitUntil(Instant finishedAt) {
        if (delay == null || expired(finishedAt)) {
            return null;
        }
        Instant until = lastUpdate.plus(delay);
        return finishedAt.isBefore(until) ? until : null;
    }

    /** The delay in effect (shown in the CrashLoopBackOff message). */
    Duration delay() {
        return delay == null ? base : delay;
    }

    /** A restart happens now: the next delay doubles. */
    void restarted(Instant now) {
        if (delay == null || expired(now)) {
            delay = base;
        } else {
            Duration doubled = delay.multipliedBy(2);
            delay = doubled.compareTo(max) > 0 ? max : doubled;
        }
        lastUpdate = now;
    }

    private boolean expired(Instant at) {
        return lastUpdate != null && Duration.between(lastUpdate, at).compareTo(max.multipliedBy(2)) > 0;
    }

    /** Go's time.Duration formatting, as the kubelet's messages print it: 10s, 1m20s, 5m0s. */
    static String format(Duration d) {
        long seconds = d.toSeconds();
        long millis = d.toMillis();
        if (seconds == 0) {
            return millis + "ms";
        }
        String frac = millis % 1000 == 0 ? "" : ("." + String.format("%03d", millis % 1000)).replaceAll("0+$", "");
        if (seconds < 60) {
            return seconds + frac + "s";
        }
        long minutes = seconds / 60;
        if (minutes < 60) {
            return minutes + "m" + (seconds % 60) + frac + "s";
        }
        return (minutes / 60) + "h" + (minutes % 60) + "m" + (seconds % 60) + frac + "s";
    }
}
