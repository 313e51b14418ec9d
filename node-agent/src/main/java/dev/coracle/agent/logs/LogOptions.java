package dev.coracle.agent.logs;

import java.time.Instant;

/**
 * What {@code kubectl logs} asks for, as the kubelet's {@code PodLogOptions}: {@code tailLines} null
 * means all lines, {@code since} null means from the start, {@code limitBytes} null means no limit.
 */
public record LogOptions(boolean follow, Long tailLines, Instant since, boolean timestamps, Long limitBytes) {

    public static LogOptions all() {
        return new LogOptions(false, null, null, false, null);
    }
}
