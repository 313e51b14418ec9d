package dev.coracle.dashboard.cluster;

import dev.coracle.dashboard.access.ClientFactory;
import dev.coracle.dashboard.access.Identity;
import jakarta.annotation.PreDestroy;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** One {@link ClusterCache} per identity, closed once no page of that identity has used it for a while. */
@Component
public class ClusterCaches {

    private static final long IDLE_MS = 10 * 60_000;

    private final ClientFactory clients;
    private final Map<Identity, ClusterCache> caches = new ConcurrentHashMap<>();

    public ClusterCaches(ClientFactory clients) {
        this.clients = clients;
    }

    public ClusterCache of(Identity identity) {
        ClusterCache cache = caches.computeIfAbsent(identity, id -> new ClusterCache(clients.create(id)));
        cache.touch();
        return cache;
    }

    @Scheduled(fixedDelay = 60_000)
    void closeIdle() {
        long now = System.currentTimeMillis();
        caches.entrySet().removeIf(e -> {
            boolean idle = !e.getValue().hasListeners() && now - e.getValue().lastUsed() > IDLE_MS;
            if (idle) {
                e.getValue().close();
            }
            return idle;
        });
    }

    @PreDestroy
    void closeAll() {
        caches.values().forEach(ClusterCache::close);
        caches.clear();
    }
}
