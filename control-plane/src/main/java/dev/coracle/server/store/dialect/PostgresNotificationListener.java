package dev.coracle.server.store.dialect;

import dev.coracle.server.store.RevisionCommitted;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Hears the commits of every server process sharing this PostgreSQL, on a connection of its own
 * that blocks on the socket: no query runs while nothing is written. After a lost connection
 * (a restarted database) it reconnects and signals, so watchers catch up from the log.
 */
@Component
@ConditionalOnProperty(name = "coracle.datastore", havingValue = "postgresql")
class PostgresNotificationListener implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(PostgresNotificationListener.class);

    private final DataSource dataSource;
    private final ApplicationEventPublisher events;
    private volatile boolean running;
    private Thread thread;

    PostgresNotificationListener(DataSource dataSource, ApplicationEventPublisher events) {
        this.dataSource = dataSource;
        this.events = events;
    }

    @Override
    public void start() {
        running = true;
        thread = new Thread(this::listenForever, "pg-notify-listener");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void stop() {
        running = false;
        if (thread != null) {
            thread.interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private void listenForever() {
        while (running) {
            try (Connection connection = dataSource.getConnection()) {
                connection.setAutoCommit(true);
                try (Statement statement = connection.createStatement()) {
                    statement.execute("LISTEN " + PostgresDialect.CHANNEL);
                }
                // anything committed while we were not listening is in the log: catch up
                events.publishEvent(new RevisionCommitted(-1));
                PGConnection pg = connection.unwrap(PGConnection.class);
                while (running) {
                    PGNotification[] notifications = pg.getNotifications(10_000);
                    if (notifications == null || notifications.length == 0) {
                        continue;
                    }
                    long newest = -1;
                    for (PGNotification n : notifications) {
                        newest = Math.max(newest, Long.parseLong(n.getParameter()));
                    }
                    events.publishEvent(new RevisionCommitted(newest));
                }
            } catch (SQLException | RuntimeException e) {
                if (!running) {
                    return;
                }
                log.warn("lost the PostgreSQL notification connection ({}); reconnecting", e.getMessage());
                sleepQuietly(1000);
            }
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
