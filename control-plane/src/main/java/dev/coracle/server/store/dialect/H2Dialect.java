package dev.coracle.server.store.dialect;

import jakarta.persistence.EntityManager;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

/** The embedded file store: one server process, so commits are announced in-process only. */
@Component
@ConditionalOnProperty(name = "coracle.datastore", havingValue = "h2", matchIfMissing = true)
class H2Dialect implements Dialect {

    @Override
    public long nextRevision(EntityManager em) {
        Number next = (Number) em.createNativeQuery(
                "SELECT current_revision FROM FINAL TABLE (UPDATE revision_counter SET current_revision = current_revision + 1 WHERE id = 1)")
                .getSingleResult();
        return next.longValue();
    }

    @Override
    public void announce(EntityManager em, long revision) {
        // a single process: the in-process signal after commit is all there is
    }
}
