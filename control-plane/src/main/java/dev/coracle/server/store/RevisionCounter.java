package dev.coracle.server.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** The single row holding the store's current and compacted revisions. */
@Entity
@Table(name = "revision_counter")
public class RevisionCounter {

    static final int ID = 1;

    @Id
    private int id;

    @Column(name = "current_revision", nullable = false)
    private long currentRevision;

    @Column(name = "compacted_revision", nullable = false)
    private long compactedRevision;

    protected RevisionCounter() {
    }

    public long currentRevision() {
        return currentRevision;
    }

    public long compactedRevision() {
        return compactedRevision;
    }
}
