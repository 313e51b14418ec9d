package dev.coracle.server.controller;

import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * client-go's rate-limited work queue: a key is queued once however often it is added, is never
 * processed by two workers at once, and failed keys come back after an exponential back-off
 * (5 ms doubling to 1000 s, as client-go's default).
 */
public final class WorkQueue {

    private static final Duration BASE = Duration.ofMillis(5);
    private static final Duration MAX = Duration.ofSeconds(1000);

    private final LinkedBlockingQueue<String> ready = new LinkedBlockingQueue<>();
    private final DelayQueue<Delayed> delayed = new DelayQueue<>();
    private final Set<String> queued = new HashSet<>();
    private final Set<String> processing = new HashSet<>();
    private final Set<String> dirtyWhileProcessing = new HashSet<>();
    private final Map<String, Integer> failures = new ConcurrentHashMap<>();
    private volatile boolean shutDown;

    public synchronized void add(String key) {
        if (shutDown) {
            return;
        }
        if (processing.contains(key)) {
            dirtyWhileProcessing.add(key);
            return;
        }
        if (queued.add(key)) {
            ready.add(key);
        }
    }

    public void addAfter(String key, Duration delay) {
        if (delay.isZero() || delay.isNegative()) {
            add(key);
            return;
        }
        delayed.add(new Later(key, System.nanoTime() + delay.toNanos()));
    }

    public void retryLater(String key) {
        int n = failures.merge(key, 1, Integer::sum);
        long millis = Math.min(MAX.toMillis(), BASE.toMillis() << Math.min(n - 1, 30));
        addAfter(key, Duration.ofMillis(millis));
    }

    public void forget(String key) {
        failures.remove(key);
    }

    /** The next key, or null once shut down or after the timeout. */
    public String take(long timeoutMillis) throws InterruptedException {
        promoteDue();
        String key = ready.poll(Math.min(timeoutMillis, 50), TimeUnit.MILLISECONDS);
        if (key == null) {
            return null;
        }
        synchronized (this) {
            queued.remove(key);
            processing.add(key);
        }
        return key;
    }

    public synchronized void done(String key) {
        processing.remove(key);
        if (dirtyWhileProcessing.remove(key)) {
            add(key);
        }
    }

    public void shutDown() {
        shutDown = true;
    }

    public boolean isShutDown() {
        return shutDown;
    }

    private void promoteDue() {
        Delayed d;
        while ((d = delayed.poll()) != null) {
            add(((Later) d).key);
        }
    }

    private record Later(String key, long dueNanos) implements Delayed {
        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(dueNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed o) {
            return Long.compare(dueNanos, ((Later) o).dueNanos);
        }
    }
}
