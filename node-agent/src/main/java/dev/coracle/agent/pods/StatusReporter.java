package dev.coracle.agent.pods;

import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The kubelet's status manager: pod workers hand it each new status and go on; it PATCHes the pods'
 * {@code status} subresource from a few threads of its own, so a slow or unreachable API server holds up
 * no container start, restart or probe. Per pod the newest status wins: one still waiting to be sent is
 * replaced, never sent after a newer one, and a pod has at most one PATCH in flight.
 */
final class StatusReporter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StatusReporter.class);
    private static final int SENDERS = 4;

    private final KubernetesClient client;
    private final ThreadPoolExecutor senders;

    StatusReporter(KubernetesClient client) {
        this.client = client;
        AtomicInteger n = new AtomicInteger();
        senders = new ThreadPoolExecutor(SENDERS, SENDERS, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "pod-status-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        senders.allowCoreThreadTimeOut(true);
    }

    /** The status channel of one pod: {@code sent} hears of each status written, {@code gone} of a 404 (the pod no longer exists). */
    Channel channel(String namespace, String name, Consumer<PodStatus> sent, Runnable gone) {
        return new Channel(namespace, name, sent, gone);
    }

    final class Channel {
        private final String namespace;
        private final String name;
        private final Consumer<PodStatus> sent;
        private final Runnable gone;
        private PodStatus next;
        private boolean busy;

        private Channel(String namespace, String name, Consumer<PodStatus> sent, Runnable gone) {
            this.namespace = namespace;
            this.name = name;
            this.sent = sent;
            this.gone = gone;
        }

        /** Sends {@code status} soon, unless a newer one comes first. */
        void send(PodStatus status) {
            synchronized (this) {
                next = status;
                if (busy) {
                    return;
                }
                busy = true;
            }
            senders.execute(this::drain);
        }

        /** Nothing waiting to be sent and nothing in flight. */
        synchronized boolean idle() {
            return !busy;
        }

        private void drain() {
            while (true) {
                PodStatus status;
                synchronized (this) {
                    status = next;
                    next = null;
                    if (status == null) {
                        busy = false;
                        return;
                    }
                }
                try {
                    client.pods().inNamespace(namespace).withName(name).subresource("status")
                            .patch(PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(Map.of("status", status)));
                    sent.accept(status);
                } catch (KubernetesClientException e) {
                    if (e.getCode() == 404) {
                        gone.run();
                    } else {
                        log.warn("cannot report the status of pod {}/{}: {}", namespace, name, e.getMessage());
                    }
                } catch (RuntimeException e) {
                    log.warn("cannot report the status of pod {}/{}", namespace, name, e);
                }
            }
        }
    }

    @Override
    public void close() {
        senders.shutdownNow();
    }
}
