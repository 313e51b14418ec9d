package dev.coracle.server.store.dialect;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * What differs between the SQL databases the store runs on (kine's dialects): moving the revision
 * counter and telling other server processes about it. Preconditions and the log are portable SQL.
 */
public interface Dialect {

    /**
     * Moves the revision counter on by {@code by} inside the caller's transaction — taking its row lock
     * until the transaction ends — and has other server processes sharing the database told, once the
     * transaction commits, that revisions up to the new one exist.
     *
     * @return the new current revision
     */
    long advanceCounter(Connection connection, long by) throws SQLException;
}
