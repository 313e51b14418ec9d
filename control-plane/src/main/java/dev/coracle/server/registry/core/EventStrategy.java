package dev.coracle.server.registry.core;

import dev.coracle.server.api.ApiException.FieldError;
import dev.coracle.server.registry.BaseStrategy;
import dev.coracle.server.registry.ResourceType;
import dev.coracle.server.registry.Tables;
import dev.coracle.server.registry.Validation;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventSource;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.TableColumnDefinition;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static dev.coracle.server.registry.Validation.invalid;
import static dev.coracle.server.registry.Validation.required;

/**
 * core/v1 events, as {@code pkg/registry/core/event/strategy.go}: the legacy validation that applies to
 * events written through core/v1, the event field selectors and the event printer (shared with events.k8s.io).
 */
@Component
public class EventStrategy extends BaseStrategy<Event> {

    static final ResourceType TYPE = new ResourceType("", "v1", "Event", "events", "event", true,
            List.of("ev"), List.of(), List.of(), Event.class);

    public static final int REPORTING_INSTANCE_LENGTH_LIMIT = 128;
    public static final int ACTION_LENGTH_LIMIT = 128;
    public static final int REASON_LENGTH_LIMIT = 128;
    public static final int NOTE_LENGTH_LIMIT = 1024;

    public EventStrategy() {
    }

    public EventStrategy(Clock clock) {
        super(clock);
    }

    @Override
    public ResourceType type() {
        return TYPE;
    }

    @Override
    public List<FieldError> validate(Event event) {
        return legacyValidate(fieldsOf(event));
    }

    @Override
    public List<FieldError> validateUpdate(Event event, Event old) {
        return legacyValidate(fieldsOf(event));
    }

    /** The fields of an event as Kubernetes' internal type names them, whichever API version wrote it. */
    public record Fields(String namespace, ObjectReference involvedObject, String eventTime, String reportingController,
                         String reportingInstance, String action, String reason, String message, String type,
                         String firstTimestamp, String lastTimestamp, int count, EventSource source,
                         Integer seriesCount, String seriesLastObservedTime, ObjectReference related) {
    }

    static Fields fieldsOf(Event e) {
        String ns = e.getMetadata() == null ? "" : nz(e.getMetadata().getNamespace());
        return new Fields(ns, e.getInvolvedObject() == null ? new ObjectReference() : e.getInvolvedObject(),
                e.getEventTime() == null ? "" : nz(e.getEventTime().getTime()), nz(e.getReportingComponent()), nz(e.getReportingInstance()),
                nz(e.getAction()), nz(e.getReason()), nz(e.getMessage()), nz(e.getType()), nz(e.getFirstTimestamp()), nz(e.getLastTimestamp()),
                nz(e.getCount()), e.getSource() == null ? new EventSource() : e.getSource(),
                e.getSeries() == null ? null : nz(e.getSeries().getCount()),
                e.getSeries() == null || e.getSeries().getLastObservedTime() == null ? "" : nz(e.getSeries().getLastObservedTime().getTime()),
                e.getRelated());
    }

    /** {@code legacyValidateEvent}: namespace agreement with the involved object and, for new-style events, the reporting fields. */
    public static List<FieldError> legacyValidate(Fields e) {
        List<FieldError> errs = new ArrayList<>();
        String involvedNs = nz(e.involvedObject().getNamespace());
        if (e.eventTime().isEmpty()) {
            if (involvedNs.isEmpty()) {
                if (!e.namespace().isEmpty() && !e.namespace().equals("default")) {
                    errs.add(invalid("involvedObject.namespace", involvedNs, "does not match event.namespace"));
                }
            } else if (!e.namespace().equals(involvedNs)) {
                errs.add(invalid("involvedObject.namespace", involvedNs, "does not match event.namespace"));
            }
        } else {
            if (involvedNs.isEmpty() && !e.namespace().equals("default") && !e.namespace().equals("kube-system")) {
                errs.add(invalid("involvedObject.namespace", involvedNs, "does not match event.namespace"));
            }
            if (e.reportingController().isEmpty()) {
                errs.add(required("reportingController"));
            }
            for (String msg : Validation.isQualifiedName(e.reportingController())) {
                errs.add(invalid("reportingController", e.reportingController(), msg));
            }
            if (e.reportingInstance().isEmpty()) {
                errs.add(required("reportingInstance"));
            }
            if (e.reportingInstance().length() > REPORTING_INSTANCE_LENGTH_LIMIT) {
                errs.add(invalid("reportingInstance", "", "can have at most " + REPORTING_INSTANCE_LENGTH_LIMIT + " characters"));
            }
            if (e.action().isEmpty()) {
                errs.add(required("action"));
            }
            if (e.action().length() > ACTION_LENGTH_LIMIT) {
                errs.add(invalid("action", "", "can have at most " + ACTION_LENGTH_LIMIT + " characters"));
            }
            if (e.reason().isEmpty()) {
                errs.add(required("reason"));
            }
            if (e.reason().length() > REASON_LENGTH_LIMIT) {
                errs.add(invalid("reason", "", "can have at most " + REASON_LENGTH_LIMIT + " characters"));
            }
            if (e.message().length() > NOTE_LENGTH_LIMIT) {
                errs.add(invalid("message", "", "can have at most " + NOTE_LENGTH_LIMIT + " characters"));
            }
        }
        for (String msg : Validation.isDns1123Subdomain(e.namespace())) {
            errs.add(invalid("namespace", e.namespace(), msg));
        }
        return errs;
    }

    @Override
    public Map<String, String> selectableFields(Event event) {
        ObjectReference ref = event.getInvolvedObject() == null ? new ObjectReference() : event.getInvolvedObject();
        String source = event.getSource() == null ? "" : nz(event.getSource().getComponent());
        if (source.isEmpty()) {
            source = nz(event.getReportingComponent());
        }
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("involvedObject.kind", nz(ref.getKind()));
        fields.put("involvedObject.namespace", nz(ref.getNamespace()));
        fields.put("involvedObject.name", nz(ref.getName()));
        fields.put("involvedObject.uid", nz(ref.getUid()));
        fields.put("involvedObject.apiVersion", nz(ref.getApiVersion()));
        fields.put("involvedObject.resourceVersion", nz(ref.getResourceVersion()));
        fields.put("involvedObject.fieldPath", nz(ref.getFieldPath()));
        fields.put("reason", nz(event.getReason()));
        fields.put("reportingComponent", nz(event.getReportingComponent()));
        fields.put("source", source);
        fields.put("type", nz(event.getType()));
        return fields;
    }

    /** The event columns: LAST SEEN, TYPE, REASON, OBJECT, MESSAGE and the wide SUBOBJECT, SOURCE, FIRST SEEN, COUNT, NAME. */
    public static List<TableColumnDefinition> eventColumns() {
        return List.of(
                Tables.column("Last Seen", "string", "The time at which the most recent occurrence of this event was recorded."),
                Tables.column("Type", "string", "Type of this event (Normal, Warning), new types could be added in the future"),
                Tables.column("Reason", "string", "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
                Tables.column("Object", "string", "The object that this event is about."),
                Tables.wide("Subobject", "string", "If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2]. For example, if the object reference is to a container within a pod, this would take on a value like: \"spec.containers{name}\" (where \"name\" refers to the name of the container that triggered the event) or if no container name is specified \"spec.containers[2]\" (container with index 2 in this pod). This syntax is chosen only to have some well-defined way of referencing a part of an object."),
                Tables.wide("Source", "string", "The component reporting this event. Should be a short machine understandable string."),
                Tables.column("Message", "string", "A human-readable description of the status of this operation."),
                Tables.wide("First Seen", "string", "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)"),
                Tables.wide("Count", "string", "The number of times this event has occurred."),
                Tables.column("Name", "string", "name", Tables.NAME_DESCRIPTION, 1));
    }

    @Override
    public List<TableColumnDefinition> columns() {
        return eventColumns();
    }

    @Override
    public List<Object> cells(Event event) {
        Fields f = fieldsOf(event);
        return eventCells(f, name(event), nz(event.getReportingComponent()), nz(event.getReportingInstance()), clock);
    }

    /** {@code printEvent} over the internal event fields. */
    public static List<Object> eventCells(Fields f, String name, String reportingController, String reportingInstance, Clock clock) {
        String first = f.firstTimestamp().isEmpty() ? since(f.eventTime(), clock) : since(f.firstTimestamp(), clock);
        String last = f.lastTimestamp().isEmpty() ? first : since(f.lastTimestamp(), clock);
        long count = f.count();
        if (f.seriesCount() != null) {
            last = since(f.seriesLastObservedTime(), clock);
            count = f.seriesCount();
        } else if (count == 0) {
            count = 1;
        }
        ObjectReference ref = f.involvedObject();
        String kind = nz(ref.getKind()).toLowerCase(Locale.ROOT);
        String target = nz(ref.getName()).isEmpty() ? kind : kind + "/" + ref.getName();
        String component = nz(f.source().getComponent()).isEmpty() ? reportingController : f.source().getComponent();
        String instance = nz(f.source().getHost()).isEmpty() ? reportingInstance : f.source().getHost();
        String source = instance.isEmpty() ? component : component + ", " + instance;
        List<Object> cells = new ArrayList<>();
        cells.add(last);
        cells.add(f.type());
        cells.add(f.reason());
        cells.add(target);
        cells.add(nz(ref.getFieldPath()));
        cells.add(source);
        cells.add(f.message().strip());
        cells.add(first);
        cells.add(count);
        cells.add(name);
        return cells;
    }

    private static String since(String timestamp, Clock clock) {
        return dev.coracle.server.registry.HumanDuration.since(timestamp, clock);
    }
}
