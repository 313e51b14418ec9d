package dev.coracle.server.registry.events;

import dev.coracle.server.api.ApiException.FieldError;
import dev.coracle.server.registry.BaseStrategy;
import dev.coracle.server.registry.GoValues;
import dev.coracle.server.registry.ResourceType;
import dev.coracle.server.registry.Semantic;
import dev.coracle.server.registry.core.EventStrategy;
import io.fabric8.kubernetes.api.model.EventSource;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.TableColumnDefinition;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.coracle.server.registry.Validation.invalid;
import static dev.coracle.server.registry.Validation.required;

/**
 * events.k8s.io/v1 events: the same objects as core/v1 events, validated strictly as Kubernetes does for
 * this API (field paths are those of the internal event type: {@code involvedObject}, {@code message}, ...).
 */
@Component
public class EventsV1EventStrategy extends BaseStrategy<Event> {

    static final ResourceType TYPE = new ResourceType("events.k8s.io", "v1", "Event", "events", "event", true,
            List.of("ev"), List.of(), List.of(), Event.class);

    public EventsV1EventStrategy() {
    }

    public EventsV1EventStrategy(Clock clock) {
        super(clock);
    }

    @Override
    public ResourceType type() {
        return TYPE;
    }

    static EventStrategy.Fields fieldsOf(Event e) {
        String ns = e.getMetadata() == null ? "" : nz(e.getMetadata().getNamespace());
        return new EventStrategy.Fields(ns, e.getRegarding() == null ? new ObjectReference() : e.getRegarding(),
                e.getEventTime() == null ? "" : nz(e.getEventTime().getTime()), nz(e.getReportingController()), nz(e.getReportingInstance()),
                nz(e.getAction()), nz(e.getReason()), nz(e.getNote()), nz(e.getType()),
                nz(e.getDeprecatedFirstTimestamp()), nz(e.getDeprecatedLastTimestamp()), nz(e.getDeprecatedCount()),
                e.getDeprecatedSource() == null ? new EventSource() : e.getDeprecatedSource(),
                e.getSeries() == null ? null : nz(e.getSeries().getCount()),
                e.getSeries() == null || e.getSeries().getLastObservedTime() == null ? "" : nz(e.getSeries().getLastObservedTime().getTime()),
                e.getRelated());
    }

    /** {@code ValidateEventCreate} for events.k8s.io/v1: legacy rules plus eventTime, type, series, and no deprecated fields. */
    @Override
    public List<FieldError> validate(Event event) {
        EventStrategy.Fields f = fieldsOf(event);
        List<FieldError> errs = new ArrayList<>(EventStrategy.legacyValidate(f));
        errs.addAll(validateSeries(f));
        if (f.eventTime().isEmpty()) {
            errs.add(required("eventTime"));
        }
        if (!f.type().equals("Normal") && !f.type().equals("Warning")) {
            errs.add(invalid("type", "", "has invalid value: " + f.type()));
        }
        if (!f.firstTimestamp().isEmpty()) {
            errs.add(invalid("firstTimestamp", "", "needs to be unset"));
        }
        if (!f.lastTimestamp().isEmpty()) {
            errs.add(invalid("lastTimestamp", "", "needs to be unset"));
        }
        if (f.count() != 0) {
            errs.add(invalid("count", "", "needs to be unset"));
        }
        if (!nz(f.source().getComponent()).isEmpty() || !nz(f.source().getHost()).isEmpty()) {
            errs.add(invalid("source", "", "needs to be unset"));
        }
        return errs;
    }

    private static List<FieldError> validateSeries(EventStrategy.Fields f) {
        List<FieldError> errs = new ArrayList<>();
        if (f.seriesCount() != null) {
            if (f.seriesCount() < 2) {
                errs.add(invalid("series.count", "", "should be at least 2"));
            }
            if (f.seriesLastObservedTime().isEmpty()) {
                errs.add(required("series.lastObservedTime"));
            }
        }
        return errs;
    }

    /** {@code ValidateEventUpdate} for events.k8s.io/v1: only the series may change. */
    @Override
    public List<FieldError> validateUpdate(Event event, Event old) {
        EventStrategy.Fields f = fieldsOf(event);
        EventStrategy.Fields o = fieldsOf(old);
        List<FieldError> errs = new ArrayList<>(EventStrategy.legacyValidate(f));
        if (!Semantic.equal(event.getSeries(), old.getSeries())) {
            errs.addAll(validateSeries(f));
        }
        immutable(errs, f.involvedObject(), o.involvedObject(), "involvedObject", reference(f.involvedObject()));
        immutable(errs, f.reason(), o.reason(), "reason", f.reason());
        immutable(errs, f.message(), o.message(), "message", f.message());
        immutable(errs, f.source(), o.source(), "source", GoValues.raw("core.EventSource{Component:" + GoValues.quote(nz(f.source().getComponent()))
                + ", Host:" + GoValues.quote(nz(f.source().getHost())) + "}"));
        immutable(errs, f.firstTimestamp(), o.firstTimestamp(), "firstTimestamp", GoValues.raw(f.firstTimestamp()));
        immutable(errs, f.lastTimestamp(), o.lastTimestamp(), "lastTimestamp", GoValues.raw(f.lastTimestamp()));
        immutable(errs, f.count(), o.count(), "count", f.count());
        immutable(errs, f.reason(), o.reason(), "reason", f.reason());
        immutable(errs, f.type(), o.type(), "type", f.type());
        immutable(errs, f.eventTime(), o.eventTime(), "eventTime", GoValues.raw(f.eventTime()));
        immutable(errs, f.action(), o.action(), "action", f.action());
        immutable(errs, f.related(), o.related(), "related", f.related() == null ? null : reference(f.related()));
        immutable(errs, f.reportingController(), o.reportingController(), "reportingController", f.reportingController());
        immutable(errs, f.reportingInstance(), o.reportingInstance(), "reportingInstance", f.reportingInstance());
        return errs;
    }

    private static void immutable(List<FieldError> errs, Object now, Object before, String path, Object rendered) {
        if (!Semantic.equal(now, before)) {
            errs.add(invalid(path, rendered, dev.coracle.server.registry.Validation.FIELD_IMMUTABLE));
        }
    }

    private static GoValues.Raw reference(ObjectReference r) {
        return GoValues.raw("core.ObjectReference{Kind:" + GoValues.quote(nz(r.getKind())) + ", Namespace:" + GoValues.quote(nz(r.getNamespace()))
                + ", Name:" + GoValues.quote(nz(r.getName())) + ", UID:" + GoValues.quote(nz(r.getUid()))
                + ", APIVersion:" + GoValues.quote(nz(r.getApiVersion())) + ", ResourceVersion:" + GoValues.quote(nz(r.getResourceVersion()))
                + ", FieldPath:" + GoValues.quote(nz(r.getFieldPath())) + "}");
    }

    /** The events.k8s.io field selectors ({@code regarding.*}, {@code reportingController}), mapped as Kubernetes' field label conversion does. */
    @Override
    public Map<String, String> selectableFields(Event event) {
        ObjectReference ref = event.getRegarding() == null ? new ObjectReference() : event.getRegarding();
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("regarding.kind", nz(ref.getKind()));
        fields.put("regarding.namespace", nz(ref.getNamespace()));
        fields.put("regarding.name", nz(ref.getName()));
        fields.put("regarding.uid", nz(ref.getUid()));
        fields.put("regarding.apiVersion", nz(ref.getApiVersion()));
        fields.put("regarding.resourceVersion", nz(ref.getResourceVersion()));
        fields.put("regarding.fieldPath", nz(ref.getFieldPath()));
        fields.put("reason", nz(event.getReason()));
        fields.put("reportingController", nz(event.getReportingController()));
        fields.put("type", nz(event.getType()));
        return fields;
    }

    @Override
    public List<TableColumnDefinition> columns() {
        return EventStrategy.eventColumns();
    }

    @Override
    public List<Object> cells(Event event) {
        return EventStrategy.eventCells(fieldsOf(event), name(event), nz(event.getReportingController()), nz(event.getReportingInstance()), clock);
    }
}
