package dev.coracle.server.watch;

import dev.coracle.server.bootstrap.ServerProperties;
import dev.coracle.server.store.ObjectKey;
import dev.coracle.server.store.ObjectStore;
import dev.coracle.server.store.RevisionCommitted;
import dev.coracle.server.store.RevisionRecord;
import dev.coracle.server.store.RevisionRecord.EventType;
import dev.coracle.server.store.StoreExceptions;
import dev.coracle.server.store.StoredObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.util.concurrent.Queues;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Feeds watchers from the revision log. One pump thread per process takes this process's commits
 * as the store hands them over, and reads the log forward when another process's commit is signalled
 * (PostgreSQL NOTIFY) or its own hand-over is not the next revision — never on a timer. It keeps the
 * newest events in memory for watchers resuming from a recent revision, and hands each event to the
 * watchers of its resource and namespace only, in revision order.
 */
@Component
public class WatchCache implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(WatchCache.class);
    private static final int READ_BATCH = 1000;
    private static final int WATCHER_QUEUE = 10_000;
    /** The index key of watchers of every namespace (a namespace name cannot contain a space). */
    private static final String ALL_NAMESPACES = " all";

    private final ObjectStore store;
    private final int capacity;
    private final ArrayDeque<WatchEvent> recent = new ArrayDeque<>();
    /** resource → namespace (or {@link #ALL_NAMESPACES}) → its watchers. */
    private final Map<String, Map<String, Set<Subscription>>> subscriptions = new ConcurrentHashMap<>();
    private final AtomicInteger watchers = new AtomicInteger();
    private final ConcurrentLinkedQueue<List<RevisionRecord>> committedHere = new ConcurrentLinkedQueue<>();
    private final NamespaceStates namespaces = new NamespaceStates();
    private final KnownObjects serviceAccounts = new KnownObjects("serviceaccounts");
    private final Semaphore signal = new Semaphore(0);
    private final Object lock = new Object();
    private volatile long revision;
    /** The newest revision known committed that may not have been handed over in-process: read the log up to it. */
    private final AtomicLong announced = new AtomicLong();
    /** A reconnected listener may have missed announcements: read the log whatever is known. */
    private volatile boolean catchUp;
    private boolean listening;
    private volatile boolean running;
    private Thread pump;

    public WatchCache(ObjectStore store, ServerProperties properties) {
        this.store = store;
        this.capacity = properties.watch().cacheSize();
    }

    @Override
    public void start() {
        if (!listening) {
            // first, so that a commit made while we read is handed over rather than missed
            store.onCommit(this::committedHere);
            listening = true;
        }
        ObjectStore.Page all = store.list("namespaces", null, null, null, o -> true, 0);
        for (StoredObject ns : all.items()) {
            namespaces.put(ns.key().name(), ns.body());
        }
        revision = all.revision();
        // read after the namespaces: events between the two reads are applied again, which changes nothing
        store.list(serviceAccounts.resource(), null, null, null, o -> true, 0).items().forEach(serviceAccounts::add);
        running = true;
        pump = new Thread(this::pumpForever, "watch-pump");
        pump.setDaemon(true);
        pump.start();
    }

    @Override
    public void stop() {
        running = false;
        pump.interrupt();
        subscriptions.values().forEach(byNs -> byNs.values().forEach(set -> set.forEach(s -> s.sink.tryEmitComplete())));
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** A commit somewhere (another process, or -1: a reconnected listener that may have missed some). */
    @EventListener
    void onCommit(RevisionCommitted committed) {
        if (committed.revision() < 0) {
            catchUp = true;
            signal.release();
        } else if (committed.revision() > revision) {
            announced.accumulateAndGet(committed.revision(), Math::max);
            signal.release();
        }
    }

    private void committedHere(List<RevisionRecord> records) {
        committedHere.add(records);
        signal.release();
    }

    /** The newest revision this process has delivered to its watchers. */
    public long revision() {
        return revision;
    }

    public int watcherCount() {
        return watchers.get();
    }

    /**
     * What this process has last seen of a namespace: for admission, as kube-apiserver's
     * NamespaceLifecycle uses its informer. {@link NamespaceStates.State#UNKNOWN} (not seen yet, or
     * gone) means: ask the store.
     */
    public NamespaceStates.State namespace(String name) {
        return namespaces.state(name);
    }

    /** Whether this process has seen the ServiceAccount exist (false: not seen, or gone; ask the store). */
    public boolean serviceAccountSeen(String namespace, String name) {
        return serviceAccounts.contains(new ObjectKey(serviceAccounts.resource(), namespace, name));
    }

    /**
     * Events after {@code fromRevision} for this filter: first those already committed (from memory,
     * or from the log when memory does not reach back that far), then live ones, none skipped or repeated.
     *
     * @throws StoreExceptions.Compacted when the log no longer holds revisions that old
     */
    public Flux<Delivery> watch(WatchFilter filter, long fromRevision) {
        Subscription subscription = new Subscription(filter, fromRevision);
        Set<Subscription> set = subscriptions.computeIfAbsent(filter.resource(), r -> new ConcurrentHashMap<>())
                .computeIfAbsent(filter.namespace() == null ? ALL_NAMESPACES : filter.namespace(), n -> ConcurrentHashMap.newKeySet());
        synchronized (lock) {
            long oldestInMemory = recent.isEmpty() ? revision + 1 : recent.peekFirst().revision();
            long next = fromRevision;
            if (fromRevision + 1 < oldestInMemory) {
                next = replayFromLog(subscription, fromRevision, oldestInMemory);
            }
            // from the newest back to the first one wanted: a watch from a recent revision costs what it replays
            java.util.ArrayList<WatchEvent> replay = new java.util.ArrayList<>();
            for (var it = recent.descendingIterator(); it.hasNext(); ) {
                WatchEvent e = it.next();
                if (e.revision() <= next) {
                    break;
                }
                replay.add(e);
            }
            for (int i = replay.size() - 1; i >= 0; i--) {
                subscription.offer(replay.get(i));
            }
            set.add(subscription);
            watchers.incrementAndGet();
        }
        return subscription.sink.asFlux().doFinally(s -> {
            if (set.remove(subscription)) {
                watchers.decrementAndGet();
            }
        });
    }

    private long replayFromLog(Subscription subscription, long from, long until) {
        long next = from;
        while (next + 1 < until) {
            List<RevisionRecord> batch = store.revisionsAfter(next, READ_BATCH);
            if (batch.isEmpty()) {
                break;
            }
            for (RevisionRecord r : batch) {
                if (r.revision() >= until) {
                    return next;
                }
                subscription.offer(WatchEvent.of(r));
                next = r.revision();
            }
        }
        return next;
    }

    private void pumpForever() {
        while (running) {
            try {
                signal.tryAcquire(30, TimeUnit.SECONDS);
                signal.drainPermits();
                takeCommittedHere();
                if (catchUp || announced.get() > revision) {
                    catchUp = false;
                    readForward();
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (running) {
                    log.warn("watch pump could not read the revision log ({}); retrying", e.toString());
                    sleepQuietly();
                    catchUp = true;
                    signal.release();
                }
            }
        }
    }

    /** This process's own commits need no read when they are the next revisions; after a gap, the log has them. */
    private void takeCommittedHere() {
        List<RevisionRecord> records;
        while ((records = committedHere.poll()) != null) {
            long last = records.get(records.size() - 1).revision();
            if (last <= revision) {
                continue;
            }
            if (records.get(0).revision() == revision + 1) {
                deliver(records);
            } else {
                announced.accumulateAndGet(last, Math::max);
            }
        }
    }

    private void readForward() {
        while (true) {
            List<RevisionRecord> batch = store.revisionsAfter(revision, READ_BATCH);
            if (batch.isEmpty()) {
                return;
            }
            deliver(batch);
            if (batch.size() < READ_BATCH) {
                return;
            }
        }
    }

    private void deliver(List<RevisionRecord> records) {
        synchronized (lock) {
            for (RevisionRecord r : records) {
                if (r.revision() <= revision) {
                    continue;
                }
                WatchEvent event = WatchEvent.of(r);
                recent.addLast(event);
                if (recent.size() > capacity) {
                    recent.removeFirst();
                }
                if (r.key().resource().equals("namespaces")) {
                    namespaces.apply(event);
                } else if (r.key().resource().equals(serviceAccounts.resource())) {
                    serviceAccounts.apply(event);
                }
                Map<String, Set<Subscription>> byNamespace = subscriptions.get(r.key().resource());
                if (byNamespace != null) {
                    offerAll(byNamespace.get(ALL_NAMESPACES), event);
                    offerAll(byNamespace.get(r.key().namespace()), event);
                }
                revision = r.revision();
            }
        }
    }

    private static void offerAll(Set<Subscription> set, WatchEvent event) {
        if (set != null) {
            for (Subscription s : set) {
                s.offer(event);
            }
        }
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** An event as one watcher is to see it. */
    public record Delivery(WatchEvent event, EventType shownAs) {
        public byte[] frame() {
            return event.frame(shownAs);
        }
    }

    private static final class Subscription {
        final WatchFilter filter;
        /** The revision the watcher asked to start after: this process may not have read that far yet. */
        final long after;
        final Sinks.Many<Delivery> sink = Sinks.many().unicast().onBackpressureBuffer(Queues.<Delivery>get(WATCHER_QUEUE).get());

        Subscription(WatchFilter filter, long after) {
            this.filter = filter;
            this.after = after;
        }

        void offer(WatchEvent event) {
            if (event.revision() <= after || !filter.concerns(event)) {
                return;
            }
            EventType shownAs = filter.shownAs(event);
            if (shownAs == null) {
                return;
            }
            if (sink.tryEmitNext(new Delivery(event, shownAs)).isFailure()) {
                // too slow to keep up: end the watch; the client re-watches from its last revision
                sink.tryEmitComplete();
            }
        }
    }
}
