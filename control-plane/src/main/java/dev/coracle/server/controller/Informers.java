package dev.coracle.server.controller;

import dev.coracle.server.registry.Registry;
import dev.coracle.server.store.ObjectStore;
import dev.coracle.server.watch.WatchCache;
import io.fabric8.kubernetes.api.model.HasMetadata;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One informer per resource, shared by every controller, started while this server leads. Their
 * handlers run on one thread of their own, off the watch cache's delivery to the API's watchers.
 */
@Component
public class Informers implements DisposableBean {

    private final Registry registry;
    private final ObjectStore store;
    private final WatchCache watch;
    private final Map<Class<?>, Informer<?>> informers = new ConcurrentHashMap<>();
    private final Scheduler events = Schedulers.newSingle("informer-events", true);
    private volatile boolean started;

    public Informers(Registry registry, ObjectStore store, WatchCache watch) {
        this.registry = registry;
        this.store = store;
        this.watch = watch;
    }

    /** The informer of a resource, holding whole objects. */
    public <T extends HasMetadata> Informer<T> of(Class<T> modelClass) {
        Informer<T> informer = informer(modelClass);
        informer.keepWholeObjects();
        return informer;
    }

    /**
     * The informer of a resource for a controller that reads only metadata (as kube-controller-manager's
     * metadata informers serve the garbage collector): unless another controller wants whole objects, it
     * decodes and keeps each object's metadata only. Ask before the informers start.
     */
    public <T extends HasMetadata> Informer<T> metadataOf(Class<T> modelClass) {
        return informer(modelClass);
    }

    @SuppressWarnings("unchecked")
    private <T extends HasMetadata> Informer<T> informer(Class<T> modelClass) {
        return (Informer<T>) informers.computeIfAbsent(modelClass, c -> {
            Informer<T> informer = new Informer<>(modelClass, registry.forModel(modelClass).type(), store, watch, events);
            if (started) {
                informer.start();
            }
            return informer;
        });
    }

    @Override
    public void destroy() {
        events.dispose();
    }

    synchronized void startAll() {
        started = true;
        informers.values().forEach(Informer::start);
    }

    synchronized void stopAll() {
        started = false;
        informers.values().forEach(Informer::stop);
    }
}
