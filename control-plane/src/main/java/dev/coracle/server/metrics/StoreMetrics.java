package dev.coracle.server.metrics;

import dev.coracle.server.registry.Registry;
import dev.coracle.server.registry.ResourceType;
import dev.coracle.server.store.ObjectStore;
import dev.coracle.server.watch.WatchCache;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.Map;

/**
 * {@code apiserver_storage_objects{resource}}, the store's revision and its log size. Counted on
 * demand when scraped (at most every 10 s), so an idle, unscraped server queries nothing.
 */
@Component
class StoreMetrics {

    private static final Duration FRESHNESS = Duration.ofSeconds(10);

    private final ObjectStore store;
    private volatile Map<String, Long> counts = Map.of();
    private volatile long logSize;
    private volatile long countedAt;

    StoreMetrics(ObjectStore store, Registry registry, WatchCache watch, MeterRegistry meters) {
        this.store = store;
        for (ResourceType type : registry.types()) {
            Gauge.builder("apiserver_storage_objects", () -> count(type.storageKey()))
                    .tag("resource", type.qualifiedResource()).register(meters);
        }
        Gauge.builder("coracle_store_revision", watch, WatchCache::revision)
                .description("the newest revision this server has delivered to watchers").register(meters);
        Gauge.builder("coracle_store_revision_log_size", () -> {
            refresh();
            return logSize;
        }).description("entries in the revision log (bounded by the compactor)").register(meters);
    }

    private long count(String storageKey) {
        refresh();
        return counts.getOrDefault(storageKey, 0L);
    }

    private void refresh() {
        long now = System.nanoTime();
        if (now - countedAt < FRESHNESS.toNanos() && countedAt != 0) {
            return;
        }
        synchronized (this) {
            if (now - countedAt < FRESHNESS.toNanos() && countedAt != 0) {
                return;
            }
            counts = store.countByResource();
            logSize = store.logSize();
            countedAt = System.nanoTime();
        }
    }
}
