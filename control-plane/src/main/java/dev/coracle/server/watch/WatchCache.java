package dev.coracle.server.watch;

import dev.coracle.server.bootstrap.ServerProperties;
import dev.coracle.server.store.ObjectStore;
import dev.coracle.server.store.RevisionCommitted;
import dev.coracle.server.store.RevisionRecord;
import dev.coracle.server.store.RevisionRecord.EventType;
import dev.coracle.server.store.StoreExceptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.util.concurrent.Queues;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Feeds watchers from the revision log. One pump thread per process reads the log forward when a
 * commit is signalled (in-process after commit, or by PostgreSQL NOTIFY from another process) — never
 * on a timer — keeps the newest events in memory for watchers resuming from a recent revision, and
 * hands each event to the watchers it concerns, in revision order.
 */
@Component
public class WatchCache implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(WatchCache.class);
    private static final int READ_BATCH = 1000;
    private static final int WATCHER_QUEUE = 10_000;

    private final ObjectStore store;
    private final int capacity;
    private final ArrayDeque<WatchEvent> recent = new ArrayDeque<>();
    private final Set<Subscription> subscriptions = ConcurrentHashMap.newKeySet();
    private final Semaphore signal = new Semaphore(0);
    private final Object lock = new Object();
    private volatile long revision;
    private volatile boolean running;
    private Thread pump;

    public WatchCache(ObjectStore store, ServerProperties properties) {
        this.store = store;
        this.capacity = properties.watch().cacheSize();
    }

    @Override
    public void start() {
        revision = store.currentRevision();
        running = true;
        pump = new Thread(this::pumpForever, "watch-pump");
        pump.setDaemon(true);
        pump.start();
    }

    @Override
    public void stop() {
        running = false;
        pump.interrupt();
        subscriptions.forEach(s -> s.sink.tryEmitComplete());
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @TransactionalEventListener(fallbackExecution = true)
    void onCommit(RevisionCommitted committed) {
        if (committed.revision() < 0 || committed.revision() > revision) {
            signal.release();
        }
    }

    /** The newest revision this process has delivered to its watchers. */
    public long revision() {
        return revision;
    }

    public int watcherCount() {
        return subscriptions.size();
    }

    /**
     * Events after {@code fromRevision} for this filter: first those already committed (from memory,
     * or from the log when memory does not reach back that far), then live ones, none skipped or repeated.
     *
     * @throws StoreExceptions.Compacted when the log no longer holds revisions that old
     */
    public Flux<Delivery> watch(WatchFilter filter, long fromRevision) {
        Subscription subscription = new Subscription(filter, fromRevision);
        synchronized (lock) {
            long oldestInMemory = recent.isEmpty() ? revision + 1 : recent.peekFirst().revision();
            long next = fromRevision;
            if (fromRevision + 1 < oldestInMemory) {
                next = replayFromLog(subscription, fromRevision, oldestInMemory);
            }
            for (WatchEvent e : recent) {
                if (e.revision() > next) {
                    subscription.offer(e);
                }
            }
            subscriptions.add(subscription);
        }
        return subscription.sink.asFlux().doFinally(s -> subscriptions.remove(subscription));
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
                readForward();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (running) {
                    log.warn("watch pump could not read the revision log ({}); retrying", e.toString());
                    sleepQuietly();
                    signal.release();
                }
            }
        }
    }

    private void readForward() {
        while (true) {
            List<RevisionRecord> batch = store.revisionsAfter(revision, READ_BATCH);
            if (batch.isEmpty()) {
                return;
            }
            synchronized (lock) {
                for (RevisionRecord r : batch) {
                    WatchEvent event = WatchEvent.of(r);
                    recent.addLast(event);
                    if (recent.size() > capacity) {
                        recent.removeFirst();
                    }
                    for (Subscription s : subscriptions) {
                        s.offer(event);
                    }
                    revision = r.revision();
                }
            }
            if (batch.size() < READ_BATCH) {
                return;
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
