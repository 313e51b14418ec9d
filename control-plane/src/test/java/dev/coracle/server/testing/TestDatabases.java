package dev.coracle.server.testing;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * Fresh PostgreSQL databases for tests, on the server {@code ./coracle test} started
 * ({@code CORACLE_TEST_POSTGRES=postgres://user:pass@host:port/db}).
 */
public final class TestDatabases {

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
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database", e);
        }
        return "postgres://" + uri.getUserInfo() + "@" + uri.getHost() + ":" + uri.getPort() + "/" + name;
    }
}
