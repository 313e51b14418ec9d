package dev.coracle.dashboard.metrics;

import java.time.Instant;

/** One point of a metrics series: CPU in nanocores and memory (working set) in bytes at a time. */
public record Sample(Instant timestamp, long cpuNanoCores, long memoryBytes) {
}
