package dev.coracle.dashboard.metrics;

import java.util.List;

/**
 * A metrics series for the cluster, a node or a pod, oldest first; {@code source} says where it came from and
 * {@code unavailable} why there is none.
 */
public record Series(List<Sample> points, String source, String unavailable) {

    public static Series unavailable(String why) {
        return new Series(List.of(), "none", why);
    }

    public Sample latest() {
        return points.isEmpty() ? null : points.get(points.size() - 1);
    }
}
