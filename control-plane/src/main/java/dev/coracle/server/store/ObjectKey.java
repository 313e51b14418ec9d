package dev.coracle.server.store;

/** Where an object lives: its resource's storage key, its namespace ("" when cluster-scoped) and its name. */
public record ObjectKey(String resource, String namespace, String name) {

    public ObjectKey {
        namespace = namespace == null ? "" : namespace;
    }
}
