package dev.coracle.server.scheduler;

import java.util.Map;

/** A topology domain: a node label key and its value ({@code topologyPair}). */
public record TopologyPair(String key, String value) {

    /** Adds {@code delta} to the count of the domain, dropping it at zero, as {@code topologyToMatchedTermCount.update}. */
    public static void add(Map<TopologyPair, Long> counts, TopologyPair pair, long delta) {
        long n = counts.getOrDefault(pair, 0L) + delta;
        if (n == 0) {
            counts.remove(pair);
        } else {
            counts.put(pair, n);
        }
    }
}
