package dev.coracle.server.watch;

import dev.coracle.server.store.ObjectKey;
import dev.coracle.server.store.RevisionRecord.EventType;
import dev.coracle.server.store.StoredObject;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The objects of one resource this process has seen to exist, kept up to date from the watch cache's events, as
 * kube-apiserver's admission plugins read their informers: a pod's ServiceAccount need not be read from the
 * database at every pod create. Not seen means: ask the store (it may be newer than this process's events).
 */
final class KnownObjects {

    private final String resource;
    private final Set<ObjectKey> keys = ConcurrentHashMap.newKeySet();

    KnownObjects(String resource) {
        this.resource = resource;
    }

    String resource() {
        return resource;
    }

    void add(StoredObject object) {
        keys.add(object.key());
    }

    void apply(WatchEvent event) {
        if (event.type() == EventType.DELETED) {
            keys.remove(event.key());
        } else {
            keys.add(event.key());
        }
    }

    boolean contains(ObjectKey key) {
        return keys.contains(key);
    }
}
