package dev.coracle.server.store.dialect;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** The embedded file store: one server process, so commits are announced in-process only. */
@Component
@ConditionalOnProperty(name = "coracle.datastore", havingValue = "h2", matchIfMissing = true)
class H2Dialect implements Dialect {

    @Override
    public long advanceCounter(Connection connection, long by) throws SQLException {
        try (PreparedStatement s = connection.prepareStatement(
                "SELECT current_revision FROM FINAL TABLE (UPDATE revision_counter SET current_revision = current_revision + ? WHERE id = 1)")) {
            s.setLong(1, by);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
