package dev.coracle.server.store;

/** One entry of the revision log: what a write did, as a watch event will tell it. */
public record RevisionRecord(long revision, ObjectKey key, EventType eventType, String attrs, String prevAttrs, String body) {

    public enum EventType { ADDED, MODIFIED, DELETED }
}
