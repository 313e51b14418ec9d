package dev.coracle.server.store;

/** An object as stored: its JSON body (carrying its resourceVersion) and its selectable attributes. */
public record StoredObject(ObjectKey key, long revision, String attrs, String body) {
}
