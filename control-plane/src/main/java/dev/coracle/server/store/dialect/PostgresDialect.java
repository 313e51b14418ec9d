package dev.coracle.server.store.dialect;

import jakarta.persistence.EntityManager;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

/**
 * PostgreSQL: the revision comes from an UPDATE ... RETURNING on the counter row, and
 * {@code NOTIFY} inside the writing transaction tells every listening server once it commits,
 * in commit order.
 */
@Component
@ConditionalOnProperty(name = "coracle.datastore", havingValue = "postgresql")
class PostgresDialect implements Dialect {

    static final String CHANNEL = "coracle_revisions";

    @Override
    public long nextRevision(EntityManager em) {
        Number next = (Number) em.createNativeQuery(
                "UPDATE revision_counter SET current_revision = current_revision + 1 WHERE id = 1 RETURNING current_revision")
                .getSingleResult();
        return next.longValue();
    }

    @Override
    public void announce(EntityManager em, long revision) {
        em.createNativeQuery("SELECT pg_notify('" + CHANNEL + "', ?1)")
                .setParameter(1, Long.toString(revision))
                .getSingleResult();
    }
}
