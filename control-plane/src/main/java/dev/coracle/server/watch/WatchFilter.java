package dev.coracle.server.watch;

import dev.coracle.server.selector.Attributes;
import dev.coracle.server.selector.FieldSelector;
import dev.coracle.server.selector.LabelSelector;
import dev.coracle.server.store.RevisionRecord.EventType;

/**
 * Which events a watcher sees, and as what: as in Kubernetes, an object that starts matching the
 * selectors is ADDED for this watcher, one that stops matching is DELETED.
 */
public record WatchFilter(String resource, String namespace, LabelSelector labels, FieldSelector fields) {

    boolean concerns(WatchEvent event) {
        return event.key().resource().equals(resource) && (namespace == null || event.key().namespace().equals(namespace));
    }

    /** The type this watcher is shown the event as, or {@code null} if it does not see it. */
    EventType shownAs(WatchEvent event) {
        if (labels.isEverything() && fields.isEverything()) {
            // nothing to match: no need to decode the attributes (informers watch this way)
            return event.type();
        }
        boolean now = matches(event.attrs());
        if (event.type() != EventType.MODIFIED) {
            return now ? event.type() : null;
        }
        Attributes before = event.prevAttrs();
        boolean was = before == null || matches(before);
        if (now && was) {
            return EventType.MODIFIED;
        }
        if (now) {
            return EventType.ADDED;
        }
        return was ? EventType.DELETED : null;
    }

    boolean matches(Attributes attrs) {
        return labels.matches(attrs.labels()) && fields.matches(attrs.fields());
    }
}
