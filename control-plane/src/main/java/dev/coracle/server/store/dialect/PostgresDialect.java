package dev.coracle.server.store.dialect;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * PostgreSQL: the counter's {@code UPDATE ... RETURNING} also queues the {@code NOTIFY} (delivered by
 * PostgreSQL at commit, in commit order) carrying the new revision: one round trip for both.
 */
@Component
@ConditionalOnProperty(name = "coracle.datastore", havingValue = "postgresql")
class PostgresDialect implements Dialect {

    static final String CHANNEL = "coracle_revisions";

    @Override
    public long advanceCounter(Connection connection, long by) throws SQLException {
        try (PreparedStatement s = connection.prepareStatement("UPDATE revision_counter SET current_revision = current_revision + ? WHERE id = 1 "
                + "RETURNING current_revision, pg_notify('" + CHANNEL + "', current_revision::text)")) {
            s.setLong(1, by);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
