package dev.coracle.bench;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/** The PostgreSQL the server uses: databases for each run, the raw INSERT baseline, a wait-event sampler. */
final class Pg {

    final String user;
    final String password;
    final String hostPort;

    Pg(String url) {
        URI u = URI.create(url);
        String[] userInfo = u.getUserInfo().split(":", 2);
        this.user = userInfo[0];
        this.password = userInfo.length > 1 ? userInfo[1] : "";
        this.hostPort = u.getHost() + ":" + (u.getPort() < 0 ? 5432 : u.getPort());
        if (!u.getHost().equals("127.0.0.1") && !u.getHost().equals("localhost")) {
            throw new IllegalArgumentException("benchmarks only talk to 127.0.0.1: " + url);
        }
    }

    String endpoint(String db) {
        return "postgres://" + user + ":" + password + "@" + hostPort + "/" + db;
    }

    Connection connect(String db) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://" + hostPort + "/" + db + "?reWriteBatchedInserts=true", user, password);
    }

    void createDatabase(String db) throws SQLException {
        try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
            s.execute("CREATE DATABASE " + db);
        }
    }

    void dropDatabase(String db) {
        try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
        } catch (SQLException e) {
            System.err.println("could not drop " + db + ": " + e.getMessage());
        }
    }

    String settings() throws SQLException {
        StringBuilder out = new StringBuilder();
        try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
            for (String name : List.of("server_version", "synchronous_commit", "fsync", "wal_sync_method", "commit_delay",
                    "shared_buffers", "max_connections")) {
                try (ResultSet r = s.executeQuery("SHOW " + name)) {
                    r.next();
                    out.append(out.length() == 0 ? "" : ", ").append(name).append('=').append(r.getString(1));
                }
            }
        }
        return out.toString();
    }

    record RawResult(int connections, long inserts, double seconds, Stats latency) {
        double rate() {
            return inserts / seconds;
        }
    }

    /**
     * Single-row INSERT + COMMIT on {@code connections} connections for {@code seconds}, into a table shaped like
     * Coracle's {@code objects} (same key columns, a body of the same size as a stored ConfigMap).
     */
    RawResult rawInserts(String db, int connections, double seconds, long maxInserts, String body) throws Exception {
        return raw(db, connections, seconds, maxInserts, body, 0);
    }

    /**
     * The statements the server's group committer runs for creates, without the server: on one connection,
     * transactions of {@code batch} creates each — the counter row's {@code UPDATE ... RETURNING} with its
     * {@code pg_notify}, batched {@code objects} and {@code revisions} inserts (the primary key checks the creates),
     * {@code COMMIT} — what the store costs in PostgreSQL alone.
     */
    RawResult rawServerSequence(String db, int batch, double seconds, long maxInserts, String body) throws Exception {
        return raw(db, 1, seconds, maxInserts, body, batch);
    }

    private RawResult raw(String db, int connections, double seconds, long maxInserts, String body, int serverBatch) throws Exception {
        try (Connection c = connect(db); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS raw_objects (resource VARCHAR(128) NOT NULL, namespace VARCHAR(253) NOT NULL, "
                    + "name VARCHAR(253) NOT NULL, revision BIGINT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (resource, namespace, name))");
            s.execute("CREATE TABLE IF NOT EXISTS seq_objects (resource VARCHAR(128) NOT NULL, namespace VARCHAR(253) NOT NULL, "
                    + "name VARCHAR(253) NOT NULL, revision BIGINT NOT NULL, create_revision BIGINT NOT NULL, attrs TEXT NOT NULL, "
                    + "body TEXT NOT NULL, PRIMARY KEY (resource, namespace, name))");
            s.execute("CREATE TABLE IF NOT EXISTS seq_revisions (revision BIGINT PRIMARY KEY, resource VARCHAR(128) NOT NULL, "
                    + "namespace VARCHAR(253) NOT NULL, name VARCHAR(253) NOT NULL, event_type VARCHAR(8) NOT NULL, attrs TEXT NOT NULL, "
                    + "prev_attrs TEXT, body TEXT NOT NULL)");
            s.execute("CREATE TABLE IF NOT EXISTS seq_counter (id INT PRIMARY KEY, current_revision BIGINT NOT NULL)");
            s.execute("TRUNCATE raw_objects, seq_objects, seq_revisions, seq_counter");
            s.execute("INSERT INTO seq_counter VALUES (1, 1)");
        }
        Stats latency = new Stats();
        AtomicLong seq = new AtomicLong();
        AtomicBoolean failed = new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        long start = System.nanoTime();
        long deadline = start + (long) (seconds * 1e9);
        for (int t = 0; t < connections; t++) {
            Thread th = new Thread(() -> {
                try (Connection c = connect(db)) {
                    c.setAutoCommit(false);
                    if (serverBatch > 0) {
                        serverSequence(c, serverBatch, deadline, seq, maxInserts, body, latency);
                        return;
                    }
                    try (PreparedStatement ps = c.prepareStatement(
                            "INSERT INTO raw_objects (resource, namespace, name, revision, body) VALUES ('configmaps', 'raw', ?, ?, ?)")) {
                        while (System.nanoTime() < deadline) {
                            long n = seq.incrementAndGet();
                            if (n > maxInserts) {
                                break;
                            }
                            long t0 = System.nanoTime();
                            ps.setString(1, "cm-" + n);
                            ps.setLong(2, n);
                            ps.setString(3, body);
                            ps.executeUpdate();
                            c.commit();
                            latency.add(System.nanoTime() - t0);
                        }
                    }
                } catch (SQLException e) {
                    failed.set(true);
                    e.printStackTrace();
                }
            });
            th.start();
            threads.add(th);
        }
        for (Thread th : threads) {
            th.join();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        if (failed.get()) {
            throw new IllegalStateException("raw insert benchmark failed");
        }
        return new RawResult(connections, latency.count(), elapsed, latency);
    }

    private static void serverSequence(Connection c, int batch, long deadline, AtomicLong seq, long maxInserts, String body, Stats latency)
            throws SQLException {
        String attrs = "{\"f\":{\"metadata.name\":\"x\",\"metadata.namespace\":\"raw\"},\"l\":{\"app\":\"bench\"}}";
        try (PreparedStatement advance = c.prepareStatement("UPDATE seq_counter SET current_revision = current_revision + ? WHERE id = 1 "
                + "RETURNING current_revision, pg_notify('bench_raw', current_revision::text)");
             PreparedStatement object = c.prepareStatement("INSERT INTO seq_objects (resource, namespace, name, revision, create_revision, attrs, body) VALUES (?, ?, ?, ?, ?, ?, ?)");
             PreparedStatement log = c.prepareStatement("INSERT INTO seq_revisions (revision, resource, namespace, name, event_type, attrs, prev_attrs, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            while (System.nanoTime() < deadline) {
                long first = seq.getAndAdd(batch) + 1;
                if (first + batch - 1 > maxInserts) {
                    break;
                }
                long t0 = System.nanoTime();
                long base;
                advance.setLong(1, batch);
                try (ResultSet r = advance.executeQuery()) {
                    r.next();
                    base = r.getLong(1) - batch;
                }
                for (int i = 0; i < batch; i++) {
                    String name = "cm-" + (first + i);
                    long revision = base + 1 + i;
                    object.setString(1, "configmaps");
                    object.setString(2, "raw");
                    object.setString(3, name);
                    object.setLong(4, revision);
                    object.setLong(5, revision);
                    object.setString(6, attrs);
                    object.setString(7, body);
                    object.addBatch();
                    log.setLong(1, revision);
                    log.setString(2, "configmaps");
                    log.setString(3, "raw");
                    log.setString(4, name);
                    log.setString(5, "ADDED");
                    log.setString(6, attrs);
                    log.setString(7, null);
                    log.setString(8, body);
                    log.addBatch();
                }
                object.executeBatch();
                log.executeBatch();
                c.commit();
                long took = System.nanoTime() - t0;
                for (int i = 0; i < batch; i++) {
                    latency.add(took);
                }
            }
        }
    }

    /**
     * Samples pg_stat_activity of one database every few milliseconds while a load runs: what the server's
     * connections are doing (running, waiting on a lock, on WAL flush, idle in transaction).
     */
    final class ActivitySampler implements AutoCloseable {
        private final Map<String, Long> counts = new HashMap<>();
        private final Thread thread;
        private volatile boolean running = true;
        private long samples;

        ActivitySampler(String db, long intervalMillis) {
            thread = new Thread(() -> {
                try (Connection c = connect("postgres");
                     PreparedStatement ps = c.prepareStatement("""
                             SELECT state, coalesce(wait_event_type, 'CPU'), coalesce(wait_event, ''), left(regexp_replace(query, '\\s+', ' ', 'g'), 60)
                             FROM pg_stat_activity WHERE datname = ? AND backend_type = 'client backend' AND pid <> pg_backend_pid()""")) {
                    ps.setString(1, db);
                    while (running) {
                        synchronized (counts) {
                            samples++;
                        }
                        try (ResultSet r = ps.executeQuery()) {
                            while (r.next()) {
                                String state = r.getString(1);
                                if (state == null || state.equals("idle")) {
                                    continue;
                                }
                                String key = state + " | " + r.getString(2) + ":" + r.getString(3) + " | " + r.getString(4);
                                synchronized (counts) {
                                    counts.merge(key, 1L, Long::sum);
                                }
                            }
                        }
                        Thread.sleep(intervalMillis);
                    }
                } catch (SQLException | InterruptedException e) {
                    if (running) {
                        e.printStackTrace();
                    }
                }
            }, "pg-activity-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        /** The most frequent states, as the average number of server connections in each. */
        Map<String, Double> top(int n) {
            synchronized (counts) {
                Map<String, Double> out = new LinkedHashMap<>();
                counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(n)
                        .forEach(e -> out.put(e.getKey(), e.getValue() / (double) Math.max(1, samples)));
                return out;
            }
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join(5000);
        }
    }

    ActivitySampler sampleActivity(String db) {
        return new ActivitySampler(db, 50);
    }
}
