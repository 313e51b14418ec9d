package dev.coracle.server.store;

import dev.coracle.server.store.RevisionRecord.EventType;
import org.springframework.stereotype.Service;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The object store: current state plus an append-only revision log, kine's shape on plain JDBC.
 *
 * <p>Writes go through the {@link GroupCommitter}, which gives them strictly increasing, gap-free
 * revisions in commit order. An update is optimistic, as Kubernetes' GuaranteedUpdate: it reads the
 * object, computes the change, and commits it only if the object is still at the revision it read,
 * otherwise it reads again and recomputes.
 */
@Service
public class ObjectStore {

    private static final int LIST_BATCH = 5000;

    private final DataSource dataSource;
    private final GroupCommitter committer;

    ObjectStore(DataSource dataSource, GroupCommitter committer) {
        this.dataSource = dataSource;
        this.committer = committer;
    }

    public Optional<StoredObject> get(ObjectKey key) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT revision, attrs, body FROM objects WHERE resource = ? AND namespace = ? AND name = ?")) {
            s.setString(1, key.resource());
            s.setString(2, key.namespace());
            s.setString(3, key.name());
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(new StoredObject(key, rs.getLong(1), rs.getString(2), rs.getString(3))) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new StoreExceptions.Unavailable("read " + key, e);
        }
    }

    /** @throws StoreExceptions.ObjectExists when the object exists */
    public StoredObject create(ObjectKey key, Write.AtRevision write) {
        return await(createAsync(key, write));
    }

    /** Waits for a write's future, throwing what refused it as it was thrown. */
    public static <T> T await(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    /** {@link #create}, answered on the committer thread: what depends on the future must be short and must not block. */
    public CompletableFuture<StoredObject> createAsync(ObjectKey key, Write.AtRevision write) {
        return committer.writeAsync(key, GroupCommitter.MUST_NOT_EXIST, null, write);
    }

    /**
     * Read-modify-write: the update sees the current object, may throw to refuse, and may replace it
     * or remove it ({@link Write#remove}). It is asked again if another write commits in between.
     *
     * @throws StoreExceptions.ObjectMissing when there is no such object
     */
    public StoredObject update(ObjectKey key, Write.Update update) {
        while (true) {
            StoredObject current = get(key).orElseThrow(() -> new StoreExceptions.ObjectMissing(key));
            Write.AtRevision write = update.from(current);
            if (write == null) {
                return current;
            }
            try {
                return committer.write(key, current.revision(), current.attrs(), write);
            } catch (StoreExceptions.Stale e) {
                // someone else's write committed between our read and ours: start again from theirs
            }
        }
    }

    /** Hears each committed batch of this process's writes, in commit order, right after it commits. */
    public void onCommit(Consumer<List<RevisionRecord>> listener) {
        committer.onCommit(listener);
    }

    public Page list(String resource, String namespace, String afterNamespace, String afterName,
                     Predicate<StoredObject> filter, int limit) {
        return list(resource, namespace, afterNamespace, afterName, List.of(), filter, limit);
    }

    /**
     * A consistent page of one resource's objects, and the revision it reflects.
     *
     * @param attrsContain for the database to filter with: each entry, texts a wanted object's attributes
     *                     JSON contains in that order; {@code filter} decides what the database cannot
     */
    public Page list(String resource, String namespace, String afterNamespace, String afterName,
                     List<List<String>> attrsContain, Predicate<StoredObject> filter, int limit) {
        StringBuilder sql = new StringBuilder("SELECT namespace, name, revision, attrs, body FROM objects WHERE resource = ? AND ");
        sql.append(namespace != null ? "namespace = ? AND name > ?" : "(namespace, name) > (?, ?)");
        for (int i = 0; i < attrsContain.size(); i++) {
            sql.append(" AND attrs LIKE ? ESCAPE '!'");
        }
        sql.append(namespace != null ? " ORDER BY name" : " ORDER BY namespace, name").append(" LIMIT ?");
        int batch = limit > 0 ? Math.max(limit + 1, 500) : LIST_BATCH;
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setReadOnly(true);
            try (PreparedStatement s = c.prepareStatement(sql.toString())) {
                long revision = counter(c).currentRevision();
                List<StoredObject> items = new ArrayList<>();
                String lastNs = afterNamespace == null ? "" : afterNamespace;
                String lastName = afterName == null ? "" : afterName;
                while (true) {
                    int i = 1;
                    s.setString(i++, resource);
                    s.setString(i++, namespace != null ? namespace : lastNs);
                    s.setString(i++, lastName);
                    for (List<String> texts : attrsContain) {
                        StringBuilder like = new StringBuilder("%");
                        texts.forEach(t -> like.append(escapeLike(t)).append('%'));
                        s.setString(i++, like.toString());
                    }
                    s.setInt(i, batch);
                    int rows = 0;
                    try (ResultSet rs = s.executeQuery()) {
                        while (rs.next()) {
                            rows++;
                            lastNs = rs.getString(1);
                            lastName = rs.getString(2);
                            StoredObject object = new StoredObject(new ObjectKey(resource, lastNs, lastName), rs.getLong(3), rs.getString(4), rs.getString(5));
                            if (!filter.test(object)) {
                                continue;
                            }
                            if (limit > 0 && items.size() == limit) {
                                return new Page(items, revision, items.get(items.size() - 1).key());
                            }
                            items.add(object);
                        }
                    }
                    if (rows < batch) {
                        return new Page(items, revision, null);
                    }
                }
            } finally {
                c.rollback();
            }
        } catch (SQLException e) {
            throw new StoreExceptions.Unavailable("list " + resource, e);
        }
    }

    private static String escapeLike(String text) {
        return text.replace("!", "!!").replace("%", "!%").replace("_", "!_");
    }

    public record Page(List<StoredObject> items, long revision, ObjectKey continueAfter) {
    }

    public long currentRevision() {
        return counter().currentRevision();
    }

    public RevisionCounter counter() {
        try (Connection c = dataSource.getConnection()) {
            return counter(c);
        } catch (SQLException e) {
            throw new StoreExceptions.Unavailable("read the revision counter", e);
        }
    }

    static RevisionCounter counter(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT current_revision, compacted_revision FROM revision_counter WHERE id = 1");
             ResultSet rs = s.executeQuery()) {
            if (!rs.next()) {
                throw new SQLException("revision_counter has no row");
            }
            return new RevisionCounter(rs.getLong(1), rs.getLong(2));
        }
    }

    /** Log entries after {@code revision}, oldest first; refuses when the log no longer reaches back that far. */
    public List<RevisionRecord> revisionsAfter(long revision, int max) {
        List<RevisionRecord> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT revision, resource, namespace, name, event_type, attrs, prev_attrs, body FROM revisions WHERE revision > ? ORDER BY revision LIMIT ?")) {
                s.setLong(1, revision);
                s.setInt(2, max);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        out.add(new RevisionRecord(rs.getLong(1), new ObjectKey(rs.getString(2), rs.getString(3), rs.getString(4)),
                                EventType.valueOf(rs.getString(5)), rs.getString(6), rs.getString(7), rs.getString(8)));
                    }
                }
            }
            if (out.isEmpty() || out.get(0).revision() != revision + 1) {
                // the log is gap-free, so only here can the revision asked for be compacted away
                long compacted = counter(c).compactedRevision();
                if (revision < compacted) {
                    throw new StoreExceptions.Compacted(revision, compacted);
                }
            }
            return out;
        } catch (SQLException e) {
            throw new StoreExceptions.Unavailable("read the revision log", e);
        }
    }

    /** Drops log entries older than {@code keepFrom}; returns how many went. */
    public int compact(long keepFrom) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM revisions WHERE revision < ?");
                 PreparedStatement mark = c.prepareStatement(
                         "UPDATE revision_counter SET compacted_revision = ? WHERE id = 1 AND compacted_revision < ?")) {
                delete.setLong(1, keepFrom);
                int deleted = delete.executeUpdate();
                mark.setLong(1, keepFrom - 1);
                mark.setLong(2, keepFrom - 1);
                mark.executeUpdate();
                c.commit();
                return deleted;
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreExceptions.Unavailable("compact the revision log", e);
        }
    }

    public Map<String, Long> countByResource() {
        Map<String, Long> out = new TreeMap<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT resource, COUNT(*) FROM objects GROUP BY resource");
             ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getLong(2));
            }
            return out;
        } catch (SQLException e) {
            throw new StoreExceptions.Unavailable("count objects", e);
        }
    }

    public long logSize() {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM revisions");
             ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new StoreExceptions.Unavailable("count the revision log", e);
        }
    }
}
