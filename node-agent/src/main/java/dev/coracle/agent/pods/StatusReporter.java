package dev.coracle.agent.pods;

import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;

/**
 * The kubelet's status manager: pod workers hand it each new status and go on; it PATCHes the pods'
 * {@code status} subresource asynchronously (the HTTP client's own I/O, no thread waiting per request), so a
 * slow or unreachable API server holds up no container start, restart or probe. Per pod the newest status
 * wins: one still waiting to be sent is replaced, never sent after a newer one, and a pod has at most one
 * PATCH in flight. Up to {@link #IN_FLIGHT} pods' PATCHes go at once: when 100 pods start together their
 * statuses reach the API server together (which commits them together), but a burst does not open a
 * connection for every pod of the node.
 */
final class StatusReporter {

    private static final Logger log = LoggerFactory.getLogger(StatusReporter.class);
    static final int IN_FLIGHT = 16;

    private final HttpClient http;
    private final String api;
    private final Semaphore inFlight = new Semaphore(IN_FLIGHT);
    private final Queue<Channel> ready = new ConcurrentLinkedQueue<>();

    StatusReporter(KubernetesClient client) {
        this.http = client.getHttpClient();
        this.api = client.getMasterUrl().toString().replaceAll("/+$", "");
    }

    /** The status channel of one pod: {@code sent} hears of each status written, {@code gone} of a 404 (the pod no longer exists). */
    Channel channel(String namespace, String name, Consumer<PodStatus> sent, Runnable gone) {
        return new Channel(namespace, name, sent, gone);
    }

    /** Starts the waiting channels' sends while there is room; every end of a send calls it again. */
    private void dispatch() {
        while (!ready.isEmpty() && inFlight.tryAcquire()) {
            Channel next = ready.poll();
            if (next == null) {
                inFlight.release();
                continue;
            }
            next.sendNext();
        }
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
            ready.add(this);
            dispatch();
        }

        /** Nothing waiting to be sent and nothing in flight. */
        synchronized boolean idle() {
            return !busy;
        }

        /** Holding a place in flight: sends the newest status, and again while newer ones came meanwhile. */
        private void sendNext() {
            PodStatus status;
            synchronized (this) {
                status = next;
                next = null;
                if (status == null) {
                    busy = false;
                }
            }
            if (status == null) {
                inFlight.release();
                dispatch();
                return;
            }
            HttpRequest request;
            try {
                request = http.newHttpRequestBuilder().uri(api + "/api/v1/namespaces/" + namespace + "/pods/" + name + "/status")
                        .method("PATCH", "application/merge-patch+json", Serialization.asJson(Map.of("status", status))).build();
            } catch (RuntimeException e) {
                log.warn("cannot report the status of pod {}/{}", namespace, name, e);
                sendNext();
                return;
            }
            http.sendAsync(request, String.class).whenComplete((response, error) -> {
                try {
                    if (error != null) {
                        log.warn("cannot report the status of pod {}/{}: {}", namespace, name, error.toString());
                    } else if (response.isSuccessful()) {
                        sent.accept(status);
                    } else if (response.code() == 404) {
                        gone.run();
                    } else {
                        log.warn("cannot report the status of pod {}/{}: HTTP {} {}", namespace, name, response.code(), response.body());
                    }
                } catch (RuntimeException e) {
                    log.warn("cannot report the status of pod {}/{}", namespace, name, e);
                } finally {
                    sendNext();
                }
            });
        }
    }
}
