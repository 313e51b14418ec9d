package dev.coracle.server.scheduler;

import dev.coracle.server.controller.EventRecorder;
import io.fabric8.kubernetes.api.model.HasMetadata;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Events written off the scheduling path, as client-go's broadcaster does: a bounded queue (1000) and
 * one writer, at most 50 a second with bursts of 100 (kube-scheduler's client QPS and burst); when the
 * queue is full, events are dropped rather than slowing scheduling down.
 */
public final class AsyncEvents {

    private final EventRecorder recorder;
    private final String component;
    private final ThreadPoolExecutor writer;
    private final TokenBucket limiter = new TokenBucket(50, 100);

    public AsyncEvents(EventRecorder recorder, String component) {
        this.recorder = recorder;
        this.component = component;
        this.writer = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(1000), r -> {
            Thread t = new Thread(r, component + "-events");
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.DiscardPolicy());
    }

    public void normal(HasMetadata about, String reason, String message) {
        writer.execute(() -> quietly(() -> recorder.normal(about, component, reason, message)));
    }

    public void warning(HasMetadata about, String reason, String message) {
        writer.execute(() -> quietly(() -> recorder.warning(about, component, reason, message)));
    }

    /** Drops the events not yet written (when this server stops leading). */
    public void clear() {
        writer.getQueue().clear();
    }

    private void quietly(Runnable write) {
        try {
            limiter.acquire();
            write.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // an event is best effort, as in client-go; a stopping server may refuse it
        }
    }

    /** client-go's token bucket rate limiter, for one thread. */
    static final class TokenBucket {
        private final double perSecond;
        private final double burst;
        private double tokens;
        private long last = System.nanoTime();

        TokenBucket(double perSecond, double burst) {
            this.perSecond = perSecond;
            this.burst = burst;
            this.tokens = burst;
        }

        void acquire() throws InterruptedException {
            long now = System.nanoTime();
            tokens = Math.min(burst, tokens + (now - last) / 1e9 * perSecond);
            last = now;
            if (tokens < 1) {
                long waitNanos = (long) ((1 - tokens) / perSecond * 1e9);
                TimeUnit.NANOSECONDS.sleep(waitNanos);
                tokens = 1;
                last = System.nanoTime();
            }
            tokens -= 1;
        }
    }
}
