package dev.coracle.bench;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Lists through the API, timed from request to the last byte; and the bulk loader that fills the store for them. */
final class Lists {

    record Result(String path, int items, int bytes, int runs, Stats latency) {
    }

    record PodSpec(String namespace, String name, String app) {
    }

    private Lists() {
    }

    static Result run(Api api, String path, int warmup, int runs, double maxSeconds) throws Exception {
        Stats latency = new Stats();
        int items = -1;
        int bytes = -1;
        long deadline = System.nanoTime() + (long) (maxSeconds * 1e9);
        for (int i = 0; i < warmup + runs && System.nanoTime() < deadline; i++) {
            long t0 = System.nanoTime();
            HttpResponse<byte[]> r = api.getBytes(path);
            long dt = System.nanoTime() - t0;
            if (r.statusCode() != 200) {
                throw new IllegalStateException(path + ": " + r.statusCode() + " " + new String(r.body(), StandardCharsets.UTF_8));
            }
            if (i >= warmup) {
                latency.add(dt);
            }
            bytes = r.body().length;
            items = count(new String(r.body(), StandardCharsets.UTF_8), "\"uid\":\"");
        }
        return new Result(path, items, bytes, latency.count(), latency);
    }

    /** Objects at {@code path}, counted in pages of 1,000 as kubectl reads a long list (limit + continue). */
    static long countPaged(Api api, String path) throws Exception {
        long n = 0;
        String next = "";
        Pattern cont = Pattern.compile("\"continue\":\"([^\"]+)\"");
        do {
            String body = api.get(path + "?limit=1000" + (next.isEmpty() ? "" : "&continue=" + java.net.URLEncoder.encode(next, "UTF-8"))).body();
            n += count(body, "\"uid\":\"");
            Matcher m = cont.matcher(body);
            next = m.find() ? m.group(1) : "";
        } while (!next.isEmpty());
        return n;
    }

    static int count(String s, String needle) {
        int n = 0;
        for (int at = s.indexOf(needle); at >= 0; at = s.indexOf(needle, at + needle.length())) {
            n++;
        }
        return n;
    }

    /**
     * Writes pods straight into the {@code objects} table in the server's own format: the row of a pod created
     * through the API is the template (body and attrs), with name, namespace, app label, uid and resourceVersion
     * replaced. Revisions are taken as one block from the counter row, so every row has a distinct revision below
     * the counter, as if each had been created through the API. No revision-log rows are written (no watcher exists).
     */
    static void bulkLoad(Pg pg, String db, PodSpec template, List<PodSpec> pods) throws Exception {
        try (Connection c = pg.connect(db)) {
            c.setAutoCommit(false);
            String body;
            String attrs;
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT body, attrs FROM objects WHERE resource = 'pods' AND namespace = ? AND name = ?")) {
                ps.setString(1, template.namespace());
                ps.setString(2, template.name());
                try (ResultSet r = ps.executeQuery()) {
                    if (!r.next()) {
                        throw new IllegalStateException("template pod missing");
                    }
                    body = r.getString(1);
                    attrs = r.getString(2);
                }
            }
            Matcher uid = Pattern.compile("\"uid\":\"([^\"]+)\"").matcher(body);
            Matcher rv = Pattern.compile("\"resourceVersion\":\"(\\d+)\"").matcher(body);
            if (!uid.find() || !rv.find()) {
                throw new IllegalStateException("template has no uid/resourceVersion: " + body);
            }
            String templateUid = uid.group(1);
            String templateRv = rv.group(1);
            long last;
            try (Statement s = c.createStatement();
                 ResultSet r = s.executeQuery("UPDATE revision_counter SET current_revision = current_revision + " + pods.size()
                         + " WHERE id = 1 RETURNING current_revision")) {
                r.next();
                last = r.getLong(1);
            }
            long revision = last - pods.size();
            try (PreparedStatement ins = c.prepareStatement(
                    "INSERT INTO objects (resource, namespace, name, revision, create_revision, attrs, body) VALUES ('pods', ?, ?, ?, ?, ?, ?)")) {
                int batch = 0;
                for (PodSpec p : pods) {
                    revision++;
                    String b = body.replace("\"name\":\"" + template.name() + "\"", "\"name\":\"" + p.name() + "\"")
                            .replace("\"namespace\":\"" + template.namespace() + "\"", "\"namespace\":\"" + p.namespace() + "\"")
                            .replace("\"app\":\"" + template.app() + "\"", "\"app\":\"" + p.app() + "\"")
                            .replace("\"uid\":\"" + templateUid + "\"", "\"uid\":\"" + UUID.randomUUID() + "\"")
                            .replace("\"resourceVersion\":\"" + templateRv + "\"", "\"resourceVersion\":\"" + revision + "\"");
                    String a = attrs.replace("\"metadata.name\":\"" + template.name() + "\"", "\"metadata.name\":\"" + p.name() + "\"")
                            .replace("\"metadata.namespace\":\"" + template.namespace() + "\"", "\"metadata.namespace\":\"" + p.namespace() + "\"")
                            .replace("\"app\":\"" + template.app() + "\"", "\"app\":\"" + p.app() + "\"");
                    ins.setString(1, p.namespace());
                    ins.setString(2, p.name());
                    ins.setLong(3, revision);
                    ins.setLong(4, revision);
                    ins.setString(5, a);
                    ins.setString(6, b);
                    ins.addBatch();
                    if (++batch == 1000) {
                        ins.executeBatch();
                        batch = 0;
                    }
                }
                ins.executeBatch();
            }
            c.commit();
            c.setAutoCommit(true);
            try (Statement s = c.createStatement()) {
                s.execute("VACUUM ANALYZE objects");
            }
        }
    }

    /** The server's namespace list query, run directly: EXPLAIN ANALYZE time, and the JDBC fetch time of all rows. */
    static String sqlFloor(Pg pg, String db, String namespace, int runs) throws Exception {
        String sql = "SELECT resource, namespace, name, revision, create_revision, attrs, body FROM objects "
                + "WHERE resource = 'pods' AND namespace = ? AND name > '' ORDER BY name FETCH FIRST 5000 ROWS ONLY";
        Stats fetch = new Stats();
        String plan = "";
        try (Connection c = pg.connect(db)) {
            try (PreparedStatement ps = c.prepareStatement("EXPLAIN (ANALYZE, BUFFERS) " + sql)) {
                ps.setString(1, namespace);
                StringBuilder out = new StringBuilder();
                try (ResultSet r = ps.executeQuery()) {
                    while (r.next()) {
                        out.append(r.getString(1)).append('\n');
                    }
                }
                plan = out.toString();
            }
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, namespace);
                for (int i = 0; i < runs + 2; i++) {
                    long t0 = System.nanoTime();
                    long chars = 0;
                    try (ResultSet r = ps.executeQuery()) {
                        while (r.next()) {
                            chars += r.getString(6).length() + r.getString(7).length();
                        }
                    }
                    if (i >= 2) {
                        fetch.add(System.nanoTime() - t0);
                    }
                }
            }
        }
        String exec = plan.lines().filter(l -> l.startsWith("Execution Time")).findFirst().orElse("?");
        String scan = plan.lines().filter(l -> l.contains("Scan")).findFirst().orElse("?").trim();
        return "`" + scan + "`; " + exec + "; JDBC fetch of all rows (attrs+body) p50 " + Stats.ms(fetch.p50()) + " ms";
    }
}
