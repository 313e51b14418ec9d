package dev.coracle.agent.pods;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads every {@link PodWorker} runs on: the kubelet keeps one sync loop per pod, but a goroutine is
 * cheap and a JVM thread is not (its stack and the JVM's bookkeeping for it: about 0.1 MiB resident each, by NMT),
 * so here each pod's sync passes and its timer are tasks on a few shared threads. A pass is short (a process
 * start, a look at {@code /proc}); what waits for seconds (a stop's grace period, a preStop hook) runs on
 * {@link #blocking}, threads that exist only while something waits.
 */
final class PodWorkerPool implements AutoCloseable {

    /** Passes of different pods in parallel: a pass that starts a container waits for the process start (tens of ms, more
     * under load), and a burst of pods each needs one; room too for a pass waiting on a postStart hook. */
    static final int SYNC_THREADS = 8;

    private final ScheduledThreadPoolExecutor sync = new ScheduledThreadPoolExecutor(SYNC_THREADS, daemon("pod-sync"));
    private final ExecutorService blocking = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 10, TimeUnit.SECONDS,
            new SynchronousQueue<>(), daemon("pod-stop"));

    PodWorkerPool() {
        // a pod's tick is cancelled by each pass that reschedules it: no cancelled ticks left in the queue
        sync.setRemoveOnCancelPolicy(true);
    }

    void execute(Runnable pass) {
        sync.execute(pass);
    }

    ScheduledFuture<?> schedule(Runnable task, Duration delay) {
        return sync.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Work that waits (a grace period, a hook) off the shared threads. */
    void blocking(Runnable task) {
        blocking.execute(task);
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public void close() {
        sync.shutdownNow();
        blocking.shutdownNow();
    }
}
