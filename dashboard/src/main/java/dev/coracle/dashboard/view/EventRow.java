package dev.coracle.dashboard.view;

import io.fabric8.kubernetes.api.model.Event;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/** An event as {@code kubectl events} lists it: last seen, type, reason, object, message (core/v1 fields). */
public record EventRow(String namespace, String lastSeen, Instant lastSeenAt, String type, String reason, String object,
                       String objectKind, String objectNamespace, String objectName, String message, int count) {

    public static EventRow of(Event e, Instant now) {
        String last = e.getLastTimestamp();
        if (empty(last) && e.getSeries() != null && e.getSeries().getLastObservedTime() != null) {
            last = e.getSeries().getLastObservedTime().getTime();
        }
        if (empty(last) && e.getEventTime() != null) {
            last = e.getEventTime().getTime();
        }
        if (empty(last)) {
            last = e.getFirstTimestamp();
        }
        if (empty(last)) {
            last = e.getMetadata().getCreationTimestamp();
        }
        Instant at = parse(last);
        var involved = e.getInvolvedObject();
        String kind = involved == null || involved.getKind() == null ? "" : involved.getKind();
        String name = involved == null || involved.getName() == null ? "" : involved.getName();
        int count = e.getSeries() != null && e.getSeries().getCount() != null ? e.getSeries().getCount()
                : e.getCount() == null ? 1 : e.getCount();
        return new EventRow(e.getMetadata().getNamespace(), at == null ? "<unknown>" : Ages.human(Duration.between(at, now)),
                at == null ? Instant.EPOCH : at, empty(e.getType()) ? "Normal" : e.getType(), e.getReason(),
                kind.toLowerCase() + "/" + name, kind, involved == null ? null : involved.getNamespace(), name, e.getMessage(), count);
    }

    private static boolean empty(String s) {
        return s == null || s.isEmpty();
    }

    private static Instant parse(String s) {
        if (empty(s)) {
            return null;
        }
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException ex) {
            return OffsetDateTime.parse(s).toInstant();
        }
    }

    public boolean warning() {
        return "Warning".equals(type);
    }

    public boolean about(String kind, String namespace, String name) {
        return kind.equals(objectKind) && name.equals(objectName) && (namespace == null || namespace.equals(objectNamespace) || namespace.equals(this.namespace));
    }
}
