package dev.coracle.e2e;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * Fresh databases on the PostgreSQL that {@code ./coracle test} starts ({@code CORACLE_TEST_POSTGRES}),
 * one per test, dropped afterwards.
 */
public final class TestPostgres implements AutoCloseable {

    private final URI admin;
    private final String database;

    private TestPostgres(URI admin, String database) {
        this.admin = admin;
        this.database = database;
    }

    public static boolean available() {
        return System.getenv("CORACLE_TEST_POSTGRES") != null;
    }

    public static TestPostgres newDatabase(String prefix) {
        String url = System.getenv("CORACLE_TEST_POSTGRES");
        if (url == null) {
            throw new IllegalStateException("CORACLE_TEST_POSTGRES is not set: run the tests with ./coracle test");
        }
        TestPostgres db = new TestPostgres(URI.create(url),
                prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10));
        db.execute("CREATE DATABASE " + db.database);
        return db;
    }

    /** The {@code postgres://user:pass@host:port/db} URL that {@code --datastore-endpoint} takes. */
    public String endpoint() {
        return "postgres://" + admin.getUserInfo() + "@" + admin.getHost() + ":" + admin.getPort() + "/" + database;
    }

    @Override
    public void close() {
        execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
    }

    private void execute(String sql) {
        String[] user = admin.getUserInfo().split(":", 2);
        String jdbc = "jdbc:postgresql://" + admin.getHost() + ":" + admin.getPort() + admin.getPath();
        try (Connection c = DriverManager.getConnection(jdbc, user[0], user[1]); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }
}
