package dev.coracle.server.controller.replicaset;

import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Kubernetes' {@code UIDTrackingControllerExpectations}: what a controller is still waiting to see in its
 * informer after creating or deleting pods. A controller does not act on a key with unmet expectations,
 * so a cache that has not caught up with its own writes never makes it create or delete twice.
 * Expectations expire after five minutes, in case an event was lost.
 */
public final class Expectations {

    static final Duration TIMEOUT = Duration.ofMinutes(5);

    private static final class Record {
        int adds;
        final Set<String> deletes = new HashSet<>();
        long timestamp = System.nanoTime();
    }

    private final Map<String, Record> records = new ConcurrentHashMap<>();
    private final Duration timeout;

    public Expectations() {
        this(TIMEOUT);
    }

    Expectations(Duration timeout) {
        this.timeout = timeout;
    }

    /** True when nothing is awaited for {@code key} (or what was awaited is too old to wait for). */
    public boolean satisfied(String key) {
        Record r = records.get(key);
        if (r == null) {
            return true;
        }
        synchronized (r) {
            return (r.adds <= 0 && r.deletes.isEmpty()) || System.nanoTime() - r.timestamp > timeout.toNanos();
        }
    }

    public void expectCreations(String key, int count) {
        Record r = new Record();
        r.adds = count;
        records.put(key, r);
    }

    public void expectDeletions(String key, Collection<String> podKeys) {
        Record r = new Record();
        r.deletes.addAll(podKeys);
        records.put(key, r);
    }

    public void creationObserved(String key) {
        Record r = records.get(key);
        if (r != null) {
            synchronized (r) {
                r.adds--;
            }
        }
    }

    public void deletionObserved(String key, String podKey) {
        Record r = records.get(key);
        if (r != null) {
            synchronized (r) {
                r.deletes.remove(podKey);
            }
        }
    }

    public void forget(String key) {
        records.remove(key);
    }
}
