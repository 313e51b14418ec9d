package dev.coracle.server.store;

import jakarta.persistence.Column;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

/** The current state of one object. */
@Entity
@Table(name = "objects")
public class ObjectRecord {

    @EmbeddedId
    private ObjectKey key;

    @Column(name = "revision", nullable = false)
    private long revision;

    @Column(name = "create_revision", nullable = false)
    private long createRevision;

    @Column(name = "attrs", nullable = false)
    private String attrs;

    @Column(name = "body", nullable = false)
    private String body;

    protected ObjectRecord() {
    }

    ObjectRecord(ObjectKey key, long revision, String attrs, String body) {
        this.key = key;
        this.revision = revision;
        this.createRevision = revision;
        this.attrs = attrs;
        this.body = body;
    }

    void overwrite(long revision, String attrs, String body) {
        this.revision = revision;
        this.attrs = attrs;
        this.body = body;
    }

    public ObjectKey key() {
        return key;
    }

    public long revision() {
        return revision;
    }

    public String attrs() {
        return attrs;
    }

    public String body() {
        return body;
    }
}
