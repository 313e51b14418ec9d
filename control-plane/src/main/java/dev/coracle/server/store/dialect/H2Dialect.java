package dev.coracle.server.store.dialect;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

import java.sql.Connection;

/** The embedded file store: one server process, so commits are announced in-process only. */
@Component
@ConditionalOnProperty(name = "coracle.datastore", havingValue = "h2", matchIfMissing = true)
class H2Dialect implements Dialect {

    @Override
    public void announce(Connection connection, long revision) {
        // a single process: the in-process hand-over after commit is all there is
    }
}
