package dev.coracle.server.store;

/** An object as stored: its JSON body (carrying its resourceVersion) and its selectable attributes. */
public record StoredObject(ObjectKey key, long revision, String attrs, String body) {

    static StoredObject of(ObjectRecord record) {
        return new StoredObject(record.key(), record.revision(), record.attrs(), record.body());
    }
}
