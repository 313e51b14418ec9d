package dev.coracle.server.store;

import dev.coracle.server.bootstrap.ServerProperties;
import dev.coracle.server.watch.WatchCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import java.util.concurrent.ScheduledFuture;

/**
 * Bounds the revision log to its newest {@code coracle.compaction.retain} revisions, like etcd's
 * compaction under kube-apiserver. It looks at the revision watchers have seen, held in memory, so
 * a server with no writes runs no query at all.
 */
@Component
class Compactor implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(Compactor.class);

    private final ObjectStore store;
    private final WatchCache watch;
    private final ServerProperties properties;
    private final TaskScheduler scheduler;
    private long compactedThrough = -1;
    private ScheduledFuture<?> task;

    Compactor(ObjectStore store, WatchCache watch, ServerProperties properties, TaskScheduler scheduler) {
        this.store = store;
        this.watch = watch;
        this.properties = properties;
        this.scheduler = scheduler;
    }

    void compact() {
        long keepFrom = watch.revision() - properties.compaction().retain() + 1;
        if (keepFrom <= 1 || keepFrom <= compactedThrough) {
            return;
        }
        try {
            int deleted = store.compact(keepFrom);
            compactedThrough = keepFrom;
            if (deleted > 0) {
                log.debug("compacted {} revisions before {}", deleted, keepFrom);
            }
        } catch (RuntimeException e) {
            log.warn("compaction failed: {}", e.toString());
        }
    }

    @Override
    public void start() {
        task = scheduler.scheduleWithFixedDelay(this::compact, properties.compaction().interval());
    }

    @Override
    public void stop() {
        if (task != null) {
            task.cancel(false);
        }
    }

    @Override
    public boolean isRunning() {
        return task != null && !task.isCancelled();
    }
}
