package dev.coracle.server.controller;

import dev.coracle.server.registry.Registry;
import dev.coracle.server.store.ObjectStore;
import dev.coracle.server.watch.WatchCache;
import io.fabric8.kubernetes.api.model.HasMetadata;
import org.springframework.stereotype.Component;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** One informer per resource, shared by every controller, started while this server leads. */
@Component
public class Informers {

    private final Registry registry;
    private final ObjectStore store;
    private final WatchCache watch;
    private final Map<Class<?>, Informer<?>> informers = new ConcurrentHashMap<>();
    private volatile boolean started;

    public Informers(Registry registry, ObjectStore store, WatchCache watch) {
        this.registry = registry;
        this.store = store;
        this.watch = watch;
    }

    @SuppressWarnings("unchecked")
    public <T extends HasMetadata> Informer<T> of(Class<T> modelClass) {
        return (Informer<T>) informers.computeIfAbsent(modelClass, c -> {
            Informer<T> informer = new Informer<>(modelClass, registry.forModel(modelClass).type(), store, watch);
            if (started) {
                informer.start();
            }
            return informer;
        });
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
