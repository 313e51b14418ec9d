package dev.coracle.server.controller;

import dev.coracle.server.api.ApiException;
import dev.coracle.server.api.InternalClient;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Map;

/**
 * client-go's event recorder: a core/v1 Event about an object, as {@code kubectl describe} and
 * {@code kubectl get events} show them. The same reason and message on the same object within ten
 * minutes bumps the count of one Event instead of making another, as client-go's correlator does.
 */
@Component
public class EventRecorder {

    private static final Logger log = LoggerFactory.getLogger(EventRecorder.class);
    private static final long DEDUP_SECONDS = 600;

    private final InternalClient client;
    /** The newest events by what they say, for counting repeats; bounded, as client-go's LRU cache of 4096. */
    private final Map<String, String> recent = java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > 4096;
        }
    });

    public EventRecorder(InternalClient client) {
        this.client = client;
    }

    /** A recorder writing with another component's client, as each Kubernetes component records its own events. */
    public EventRecorder as(String component) {
        return new EventRecorder(client.as(component));
    }

    public void normal(HasMetadata about, String component, String reason, String message) {
        record(about, component, "Normal", reason, message);
    }

    public void warning(HasMetadata about, String component, String reason, String message) {
        record(about, component, "Warning", reason, message);
    }

    private void record(HasMetadata about, String component, String type, String reason, String message) {
        String namespace = about.getMetadata().getNamespace() == null ? "default" : about.getMetadata().getNamespace();
        String now = DateTimeFormatter.ISO_INSTANT.format(Instant.now().truncatedTo(ChronoUnit.SECONDS));
        String dedupKey = namespace + "/" + about.getMetadata().getUid() + "/" + reason + "/" + message;
        try {
            String existing = recent.get(dedupKey);
            if (existing != null) {
                var event = client.get(Event.class, namespace, existing).orElse(null);
                if (event != null && Instant.parse(event.getLastTimestamp()).isAfter(Instant.now().minusSeconds(DEDUP_SECONDS))) {
                    event.setCount(event.getCount() == null ? 2 : event.getCount() + 1);
                    event.setLastTimestamp(now);
                    client.update(event);
                    return;
                }
            }
            String name = about.getMetadata().getName() + "." + Long.toHexString(System.nanoTime());
            client.create(new EventBuilder()
                    .withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                    .withInvolvedObject(new ObjectReferenceBuilder().withKind(about.getKind()).withApiVersion(about.getApiVersion())
                            .withNamespace(about.getMetadata().getNamespace()).withName(about.getMetadata().getName())
                            .withUid(about.getMetadata().getUid()).withResourceVersion(about.getMetadata().getResourceVersion()).build())
                    .withType(type).withReason(reason).withMessage(message)
                    .withNewSource().withComponent(component).endSource()
                    .withReportingComponent(component).withReportingInstance("")
                    .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
                    .build());
            recent.put(dedupKey, name);
        } catch (ApiException | IllegalArgumentException e) {
            log.debug("could not record event {} on {}: {}", reason, about.getMetadata().getName(), e.getMessage());
        }
    }
}
