package dev.coracle.server.scheduler;

import dev.coracle.server.controller.EventRecorder;
import io.fabric8.kubernetes.api.model.HasMetadata;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Events written off the scheduling path, as client-go's broadcaster does: a bounded queue (1000) and
 * one writer; when the queue is full, events are dropped rather than slowing scheduling down.
 */
public final class AsyncEvents {

    private final EventRecorder recorder;
    private final String component;
    private final ThreadPoolExecutor writer;

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
        writer.execute(() -> recorder.normal(about, component, reason, message));
    }

    public void warning(HasMetadata about, String reason, String message) {
        writer.execute(() -> recorder.warning(about, component, reason, message));
    }
}
