package dev.coracle.agent.cgroups;

/**
 * What a cgroup enforces, from a container's (or a pod's summed) resources; null means unlimited.
 *
 * @param cpuMillis    {@code limits.cpu} in millicores: the CFS quota
 * @param cpuShares    {@code requests.cpu} as kubelet's cpu shares (1024 per core, at least 2)
 * @param memoryBytes  {@code limits.memory}
 * @param pids         the most processes (the kubelet's podPidsLimit)
 */
public record Limits(Long cpuMillis, Long cpuShares, Long memoryBytes, Long pids) {

    public static final long CFS_PERIOD_MICROS = 100_000;
    /** The kubelet's smallest quota, 1 ms a period. */
    static final long MIN_QUOTA_MICROS = 1_000;

    public static Limits none() {
        return new Limits(null, null, null, null);
    }

    /** The kubelet's MilliCPUToQuota. */
    Long cpuQuotaMicros() {
        if (cpuMillis == null || cpuMillis <= 0) {
            return null;
        }
        return Math.max(MIN_QUOTA_MICROS, cpuMillis * CFS_PERIOD_MICROS / 1000);
    }

    /** The kubelet's MilliCPUToShares. */
    public static long sharesFor(long requestMillis) {
        return Math.max(2, requestMillis * 1024 / 1000);
    }

    /** cgroup v2's cpu.weight for v1 shares, as runc converts them. */
    static long weightFor(long shares) {
        return 1 + ((shares - 2) * 9999) / 262142;
    }
}
