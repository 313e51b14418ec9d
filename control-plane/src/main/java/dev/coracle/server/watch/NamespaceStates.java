package dev.coracle.server.watch;

import dev.coracle.server.store.RevisionRecord.EventType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The namespaces this process has seen, and whether each is terminating, kept up to date from the
 * watch cache's events: creates in a namespace need not read it from the database.
 */
public final class NamespaceStates {

    public enum State { UNKNOWN, ACTIVE, TERMINATING }

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Map<String, State> states = new ConcurrentHashMap<>();

    State state(String name) {
        return states.getOrDefault(name, State.UNKNOWN);
    }

    void put(String name, String body) {
        states.put(name, terminating(body) ? State.TERMINATING : State.ACTIVE);
    }

    void apply(WatchEvent event) {
        if (event.type() == EventType.DELETED) {
            states.remove(event.key().name());
        } else {
            put(event.key().name(), event.body());
        }
    }

    /** A namespace is terminating once it has a deletionTimestamp, as kube-apiserver's NamespaceLifecycle reads it. */
    public static boolean terminating(String body) {
        JsonNode stamp = JSON.readTree(body).path("metadata").path("deletionTimestamp");
        return stamp.isString() && !stamp.asString().isEmpty();
    }
}
