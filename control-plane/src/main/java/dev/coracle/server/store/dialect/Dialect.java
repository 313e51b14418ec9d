package dev.coracle.server.store.dialect;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * What differs between the SQL databases the store runs on (kine's dialects): how other server
 * processes hear of a commit. Revisions and preconditions are the same portable SQL on every database.
 */
public interface Dialect {

    /** Tells other server processes sharing the database, once this transaction commits, that revisions up to this one exist. */
    void announce(Connection connection, long revision) throws SQLException;
}
