package dev.coracle.server.store.dialect;

import jakarta.persistence.EntityManager;

/**
 * What differs between the SQL databases the store runs on (kine's dialects): how the next
 * revision is taken and how other server processes hear of a commit.
 */
public interface Dialect {

    /** Takes the next global revision, holding the counter row's lock until the transaction ends. */
    long nextRevision(EntityManager em);

    /** Tells other server processes sharing the database that this revision is being committed. */
    void announce(EntityManager em, long revision);
}
