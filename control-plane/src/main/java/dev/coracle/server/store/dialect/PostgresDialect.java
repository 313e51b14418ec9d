package dev.coracle.server.store.dialect;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * PostgreSQL: {@code NOTIFY} inside the writing transaction tells every listening server once it
 * commits, in commit order; one per committed batch, carrying its newest revision.
 */
@Component
@ConditionalOnProperty(name = "coracle.datastore", havingValue = "postgresql")
class PostgresDialect implements Dialect {

    static final String CHANNEL = "coracle_revisions";

    @Override
    public void announce(Connection connection, long revision) throws SQLException {
        try (PreparedStatement s = connection.prepareStatement("SELECT pg_notify('" + CHANNEL + "', ?)")) {
            s.setString(1, Long.toString(revision));
            s.execute();
        }
    }
}
