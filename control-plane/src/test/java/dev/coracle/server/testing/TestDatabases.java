package dev.coracle.server.testing;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Fresh PostgreSQL databases for tests, on the server {@code ./coracle test} started
 * ({@code CORACLE_TEST_POSTGRES=postgres://user:pass@host:port/db}).
 */
public final class TestDatabases {

    /** The databases this JVM created: dropped when it exits, so that runs do not pile them up on a developer's machine. */
    private static final List<String> CREATED = new ArrayList<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(TestDatabases::dropCreated, "drop-test-databases"));
    }

    private TestDatabases() {
    }

    public static boolean postgresAvailable() {
        return System.getenv("CORACLE_TEST_POSTGRES") != null;
    }

    /** Creates an empty database and returns its {@code postgres://} endpoint, as {@code --datastore-endpoint} takes it. */
    public static String newPostgresDatabase() {
        String admin = System.getenv("CORACLE_TEST_POSTGRES");
        if (admin == null) {
            throw new IllegalStateException("CORACLE_TEST_POSTGRES is not set: run the tests with ./coracle test");
        }
        URI uri = URI.create(admin);
        String name = "coracle_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String[] user = uri.getUserInfo().split(":", 2);
        String jdbc = "jdbc:postgresql://" + uri.getHost() + ":" + uri.getPort() + uri.getPath();
        try (Connection c = DriverManager.getConnection(jdbc, user[0], user[1]); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
            synchronized (CREATED) {
                CREATED.add(name);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database", e);
        }
        return "postgres://" + uri.getUserInfo() + "@" + uri.getHost() + ":" + uri.getPort() + "/" + name;
    }

    /** Best effort, at exit: FORCE ends the connections of servers that were not closed. */
    private static void dropCreated() {
        String admin = System.getenv("CORACLE_TEST_POSTGRES");
        List<String> names;
        synchronized (CREATED) {
            names = List.copyOf(CREATED);
        }
        if (admin == null || names.isEmpty()) {
            return;
        }
        URI uri = URI.create(admin);
        String[] user = uri.getUserInfo().split(":", 2);
        String jdbc = "jdbc:postgresql://" + uri.getHost() + ":" + uri.getPort() + uri.getPath();
        try (Connection c = DriverManager.getConnection(jdbc, user[0], user[1]); Statement s = c.createStatement()) {
            for (String name : names) {
                s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            }
        } catch (SQLException e) {
            // left for the next machine clean-up: nothing depends on it
        }
    }
}
