package dev.coracle.server.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** One entry of the revision log: what a write did, as a watch event will tell it. */
@Entity
@Table(name = "revisions")
public class RevisionRecord {

    @Id
    @Column(name = "revision")
    private long revision;

    @Column(name = "resource", nullable = false)
    private String resource;

    @Column(name = "namespace", nullable = false)
    private String namespace;

    @Column(name = "name", nullable = false)
    private String name;

    @Column(name = "event_type", nullable = false)
    private String eventType;

    @Column(name = "attrs", nullable = false)
    private String attrs;

    @Column(name = "prev_attrs")
    private String prevAttrs;

    @Column(name = "body", nullable = false)
    private String body;

    protected RevisionRecord() {
    }

    RevisionRecord(long revision, ObjectKey key, EventType type, String attrs, String prevAttrs, String body) {
        this.revision = revision;
        this.resource = key.resource();
        this.namespace = key.namespace();
        this.name = key.name();
        this.eventType = type.name();
        this.attrs = attrs;
        this.prevAttrs = prevAttrs;
        this.body = body;
    }

    public long revision() {
        return revision;
    }

    public ObjectKey key() {
        return new ObjectKey(resource, namespace, name);
    }

    public EventType eventType() {
        return EventType.valueOf(eventType);
    }

    public String attrs() {
        return attrs;
    }

    public String prevAttrs() {
        return prevAttrs;
    }

    public String body() {
        return body;
    }

    public enum EventType { ADDED, MODIFIED, DELETED }
}
