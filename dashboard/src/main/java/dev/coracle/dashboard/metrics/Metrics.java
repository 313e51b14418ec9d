package dev.coracle.dashboard.metrics;

import dev.coracle.dashboard.access.Identity;
import dev.coracle.dashboard.cluster.ClusterCache;
import dev.coracle.dashboard.cluster.ClusterCaches;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The metrics of each identity: {@link MetricsSource}s live as long as their identity's cluster cache. */
@Component
public class Metrics {

    private final ClusterCaches caches;
    private final Map<ClusterCache, MetricsSource> sources = new ConcurrentHashMap<>();

    public Metrics(ClusterCaches caches) {
        this.caches = caches;
    }

    public MetricsSource of(Identity identity) {
        ClusterCache cache = caches.of(identity);
        return sources.computeIfAbsent(cache, c -> new MetricsSource(c.client()));
    }

    /** The fallback sampler's tick (every 15 s, Kubernetes' metrics resolution) for the sources that need it. */
    @Scheduled(fixedDelay = 15_000, initialDelay = 15_000)
    void sample() {
        sources.entrySet().removeIf(e -> e.getKey().closed());
        sources.values().forEach(MetricsSource::sampleIfNeeded);
    }
}
