package dev.coracle.server.controller;

import dev.coracle.server.api.Json;
import dev.coracle.server.registry.ResourceType;
import dev.coracle.server.selector.FieldSelector;
import dev.coracle.server.selector.LabelSelector;
import dev.coracle.server.store.ObjectStore;
import dev.coracle.server.store.RevisionRecord.EventType;
import dev.coracle.server.store.StoredObject;
import dev.coracle.server.watch.WatchCache;
import dev.coracle.server.watch.WatchFilter;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * client-go's shared informer, in-process: lists a resource once, then follows the watch cache,
 * keeping every object in memory for the controllers and telling them what changed.
 */
public final class Informer<T extends HasMetadata> {

    private static final Logger log = LoggerFactory.getLogger(Informer.class);
    private static final int WATCH_PREFETCH = 256;

    /** What changed: {@code old} is null on ADDED, {@code current} is the last state on DELETED. */
    public record Change<T>(EventType type, T old, T current) {
    }

    private final Class<T> modelClass;
    private final ResourceType type;
    private final ObjectStore store;
    private final WatchCache watch;
    private final Scheduler events;
    private volatile boolean wholeObjects;
    /** Found once, not per event: what a metadata-only object is made from. */
    private volatile java.lang.reflect.Constructor<T> emptyObject;
    private final Map<String, T> objects = new ConcurrentHashMap<>();
    private final List<java.util.function.Consumer<Change<T>>> handlers = new CopyOnWriteArrayList<>();
    private final CountDownLatch synced = new CountDownLatch(1);
    private volatile Disposable subscription;
    private volatile boolean running;

    Informer(Class<T> modelClass, ResourceType type, ObjectStore store, WatchCache watch, Scheduler events) {
        this.modelClass = modelClass;
        this.type = type;
        this.store = store;
        this.watch = watch;
        this.events = events;
    }

    /** Some controller reads more than metadata: decode and keep whole objects. */
    void keepWholeObjects() {
        if (running && !wholeObjects) {
            throw new IllegalStateException(type.plural() + " informer already keeps metadata only; ask for whole objects before it starts");
        }
        wholeObjects = true;
    }

    public void onChange(java.util.function.Consumer<Change<T>> handler) {
        handlers.add(handler);
    }

    public static String key(String namespace, String name) {
        return namespace == null || namespace.isEmpty() ? name : namespace + "/" + name;
    }

    public static String key(HasMetadata object) {
        return key(object.getMetadata().getNamespace(), object.getMetadata().getName());
    }

    public Optional<T> get(String namespace, String name) {
        return Optional.ofNullable(objects.get(key(namespace, name)));
    }

    public Optional<T> get(String key) {
        return Optional.ofNullable(objects.get(key));
    }

    public Collection<T> all() {
        return objects.values();
    }

    public List<T> list(String namespace, Predicate<T> filter) {
        List<T> out = new ArrayList<>();
        for (T o : objects.values()) {
            if ((namespace == null || namespace.equals(o.getMetadata().getNamespace())) && filter.test(o)) {
                out.add(o);
            }
        }
        return out;
    }

    /** client-go's HasSynced: whether the first list has been delivered to the handlers. */
    public boolean hasSynced() {
        return synced.getCount() == 0;
    }

    public boolean waitForSync(long seconds) throws InterruptedException {
        return synced.await(seconds, TimeUnit.SECONDS);
    }

    synchronized void start() {
        running = true;
        relist();
    }

    synchronized void stop() {
        running = false;
        if (subscription != null) {
            subscription.dispose();
        }
        objects.clear();
    }

    /** Lists, tells handlers of the differences from what it knew, and watches from the list's revision. */
    private void relist() {
        if (!running) {
            return;
        }
        ObjectStore.Page page = store.list(type.storageKey(), null, null, null, o -> true, 0);
        Map<String, T> fresh = new java.util.HashMap<>();
        for (StoredObject o : page.items()) {
            T object = decode(o.body());
            fresh.put(key(object), object);
        }
        for (Map.Entry<String, T> e : fresh.entrySet()) {
            T old = objects.put(e.getKey(), e.getValue());
            if (old == null || !old.getMetadata().getResourceVersion().equals(e.getValue().getMetadata().getResourceVersion())) {
                fire(new Change<>(old == null ? EventType.ADDED : EventType.MODIFIED, old, e.getValue()));
            }
        }
        for (String k : new ArrayList<>(objects.keySet())) {
            if (!fresh.containsKey(k)) {
                fire(new Change<>(EventType.DELETED, null, objects.remove(k)));
            }
        }
        synced.countDown();
        WatchFilter filter = new WatchFilter(type.storageKey(), null, LabelSelector.EVERYTHING, FieldSelector.EVERYTHING);
        subscription = watch.watch(filter, page.revision())
                .publishOn(events, WATCH_PREFETCH)
                .subscribe(delivery -> apply(delivery.shownAs(), decode(delivery.event().body())),
                        error -> restart("watch failed: " + error),
                        () -> restart("watch ended"));
    }

    private void restart(String why) {
        if (running) {
            log.debug("{} informer relisting: {}", type.plural(), why);
            Thread t = new Thread(() -> {
                synchronized (this) {
                    relist();
                }
            }, "informer-relist-" + type.plural());
            t.setDaemon(true);
            t.start();
        }
    }

    private void apply(EventType event, T object) {
        String k = key(object);
        if (event == EventType.DELETED) {
            T old = objects.remove(k);
            fire(new Change<>(EventType.DELETED, old, object));
        } else {
            T old = objects.put(k, object);
            fire(new Change<>(old == null ? EventType.ADDED : EventType.MODIFIED, old, object));
        }
    }

    private void fire(Change<T> change) {
        for (var h : handlers) {
            try {
                h.accept(change);
            } catch (RuntimeException e) {
                log.warn("{} informer handler failed: {}", type.plural(), e.toString());
            }
        }
    }

    /**
     * The object as controllers see it, without {@code metadata.managedFields}, as client-go informers
     * commonly keep it ({@code TransformStripManagedFields}): no controller reads field ownership, an update
     * that omits it keeps the stored one, and for a pod it is about half of the decoded object's memory.
     */
    private T decode(String body) {
        if (!wholeObjects) {
            return metadataOnly(body);
        }
        return Json.readStoredWithoutManagedFields(body, modelClass);
    }

    /** The object with nothing but its metadata: the rest is skipped, not decoded. */
    private T metadataOnly(String body) {
        ObjectMeta metadata = Json.readStoredWithoutManagedFields(body, MetadataOnly.class).metadata;
        try {
            if (emptyObject == null) {
                emptyObject = modelClass.getDeclaredConstructor();
            }
            T object = emptyObject.newInstance();
            object.setMetadata(metadata);
            return object;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(modelClass + " has no public no-argument constructor", e);
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    private static final class MetadataOnly {
        public ObjectMeta metadata;
    }

    Class<T> modelClass() {
        return modelClass;
    }

}
