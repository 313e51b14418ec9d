package dev.coracle.dashboard.cluster;

import dev.coracle.dashboard.access.DashboardSettings;
import dev.coracle.dashboard.access.Identity;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/** In local mode there is one known identity: start its watches at once, so the first page is as quick as the next. */
@Component
class LocalPrewarm {

    private final DashboardSettings settings;
    private final ClusterCaches caches;

    LocalPrewarm(DashboardSettings settings, ClusterCaches caches) {
        this.settings = settings;
        this.caches = caches;
    }

    @EventListener(ApplicationReadyEvent.class)
    void start() {
        if (settings.shared()) {
            return;
        }
        Thread t = new Thread(() -> {
            ClusterCache cache = caches.of(Identity.LOCAL);
            for (Kind<?> kind : Kind.ALL) {
                try {
                    cache.list(kind);
                } catch (RuntimeException e) {
                    // the page that needs it shows why
                }
            }
        }, "prewarm");
        t.setDaemon(true);
        t.start();
    }
}
