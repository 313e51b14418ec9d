package dev.coracle.agent.events;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The kubelet's events ({@code Started}, {@code Killing}, {@code Unhealthy}, {@code BackOff}, ...),
 * source {@code kubelet} on this node. A repeat of the same event on the same object raises its
 * {@code count} instead of making a new one, as client-go's correlator does. Sent off the caller's
 * thread; a full queue drops events rather than slowing the pods down.
 */
public final class EventRecorder implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EventRecorder.class);
    private static final int CACHE = 4096;

    private final KubernetesClient client;
    private final String nodeName;
    private final ExecutorService sender = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(1000),
            r -> {
                Thread t = new Thread(r, "event-recorder");
                t.setDaemon(true);
                return t;
            }, new ThreadPoolExecutor.DiscardPolicy());
    private final Map<String, Event> recent = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Event> eldest) {
            return size() > CACHE;
        }
    };

    public EventRecorder(KubernetesClient client, String nodeName) {
        this.client = client;
        this.nodeName = nodeName;
    }

    public void normal(HasMetadata object, String fieldPath, String reason, String message) {
        record(object, fieldPath, "Normal", reason, message);
    }

    public void warning(HasMetadata object, String fieldPath, String reason, String message) {
        record(object, fieldPath, "Warning", reason, message);
    }

    private void record(HasMetadata object, String fieldPath, String type, String reason, String message) {
        ObjectReference ref = new ObjectReferenceBuilder().withApiVersion(object.getApiVersion() == null ? "v1" : object.getApiVersion())
                .withKind(object.getKind()).withNamespace(object.getMetadata().getNamespace())
                .withName(object.getMetadata().getName()).withUid(object.getMetadata().getUid())
                .withResourceVersion(object.getMetadata().getResourceVersion()).withFieldPath(fieldPath).build();
        sender.execute(() -> send(ref, type, reason, message));
    }

    private void send(ObjectReference ref, String type, String reason, String message) {
        String namespace = ref.getNamespace() == null || ref.getNamespace().isEmpty() ? "default" : ref.getNamespace();
        String key = ref.getUid() + "|" + ref.getFieldPath() + "|" + type + "|" + reason + "|" + message;
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        Event seen;
        synchronized (recent) {
            seen = recent.get(key);
        }
        try {
            if (seen != null) {
                int count = (seen.getCount() == null ? 1 : seen.getCount()) + 1;
                Event patched = client.v1().events().inNamespace(namespace).withName(seen.getMetadata().getName())
                        .patch(PatchContext.of(PatchType.JSON_MERGE),
                                Serialization.asJson(Map.of("count", count, "lastTimestamp", now)));
                synchronized (recent) {
                    recent.put(key, patched);
                }
                return;
            }
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                log.debug("cannot update event {}: {}", reason, e.getMessage());
                return;
            }
            // expired: make a new one
        }
        Event event = new EventBuilder().withNewMetadata()
                .withName(ref.getName() + "." + Long.toHexString(System.currentTimeMillis() * 1_000_000 + System.nanoTime() % 1_000_000))
                .withNamespace(namespace).endMetadata()
                .withInvolvedObject(ref).withType(type).withReason(reason).withMessage(message)
                .withNewSource().withComponent("kubelet").withHost(nodeName).endSource()
                .withReportingComponent("kubelet").withReportingInstance(nodeName)
                .withFirstTimestamp(now).withLastTimestamp(now).withCount(1).build();
        try {
            Event created = client.v1().events().inNamespace(namespace).resource(event).create();
            synchronized (recent) {
                recent.put(key, created);
            }
        } catch (KubernetesClientException e) {
            log.debug("cannot record event {}: {}", reason, e.getMessage());
        }
    }

    @Override
    public void close() {
        sender.shutdown();
    }
}
