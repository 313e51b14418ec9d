package dev.coracle.server.controller;

import dev.coracle.server.api.ApiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * A reconcile loop, as in kube-controller-manager: handlers put object keys on a work queue, workers
 * take them and drive the world towards the desired state, failures are retried with back-off.
 * Runs only while this server holds the controllers' lease.
 */
public abstract class Controller {

    private final Logger log = LoggerFactory.getLogger(getClass());
    protected final WorkQueue queue = new WorkQueue();
    private final List<Thread> workers = new ArrayList<>();
    private volatile WorkQueue current = queue;

    /** The controller's name, as kube-controller-manager names it (replicaset, deployment, ...). */
    public abstract String name();

    /** Subscribes to the informers it needs; called once, before the first start. */
    protected abstract void register(Informers informers);

    /** Makes the world match the object named by {@code key}; throws to be retried later. */
    protected abstract void reconcile(String key) throws Exception;

    protected int workerCount() {
        return 2;
    }

    protected void enqueue(String key) {
        current.add(key);
    }

    /** Called when this server starts leading, before the workers start; starts timers a controller owns. */
    protected void started() {
    }

    /** Called when this server stops leading, after the workers are interrupted; drops state built while leading. */
    protected void stopped() {
    }

    synchronized void start() {
        started();
        for (int i = 0; i < workerCount(); i++) {
            Thread t = new Thread(this::work, name() + "-worker-" + i);
            t.setDaemon(true);
            t.start();
            workers.add(t);
        }
    }

    synchronized void stop() {
        workers.forEach(Thread::interrupt);
        workers.clear();
        stopped();
    }

    private void work() {
        while (!Thread.currentThread().isInterrupted()) {
            String key;
            try {
                key = queue.take(1000);
            } catch (InterruptedException e) {
                return;
            }
            if (key == null) {
                continue;
            }
            try {
                reconcile(key);
                queue.forget(key);
            } catch (InterruptedException e) {
                queue.done(key);
                return;
            } catch (ApiException e) {
                if (e.code() != 409) {
                    log.info("{} {}: {}", name(), key, e.getMessage());
                }
                queue.retryLater(key);
            } catch (Exception e) {
                log.warn("{} {} failed", name(), key, e);
                queue.retryLater(key);
            } finally {
                queue.done(key);
            }
        }
    }
}
