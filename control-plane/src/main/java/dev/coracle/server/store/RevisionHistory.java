package dev.coracle.server.store;

import dev.coracle.server.store.RevisionRecord.EventType;
import org.springframework.stereotype.Service;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * One resource's objects as they were at an older revision, for {@code resourceVersionMatch=Exact} lists
 * (etcd serves those from its MVCC history). The current state is rolled back with the revision log: an
 * object written after the revision takes its last logged state at or before it, or is left out when it
 * was created after it or its last state then was deleted.
 *
 * <p>The log keeps every revision after the compacted one; an object last written at or before that and
 * changed since has no logged state at the revision asked for, so such a list cannot be rebuilt and is
 * refused as compacted (410 Gone, as kube-apiserver answers when etcd has compacted the revision).
 */
@Service
public class RevisionHistory {

    private final DataSource dataSource;

    RevisionHistory(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * The objects of {@code resource} (in {@code namespace}, or all when null) at {@code revision}, those
     * {@code filter} accepts, ordered by namespace and name, after the given key, at most {@code limit} (0: all).
     * Reads the current objects after that key only as far as the page needs, and the log only for keys after it:
     * a continued page costs what the page holds and what changed since, not the whole resource.
     *
     * @throws StoreExceptions.Compacted when the revision is older than the log reaches for this resource
     */
    public ObjectStore.Page listAt(String resource, String namespace, long revision, String afterNamespace, String afterName,
                                   Predicate<StoredObject> filter, int limit) {
        ObjectKey after = new ObjectKey(resource, afterNamespace == null ? "" : afterNamespace, afterName == null ? "" : afterName);
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setReadOnly(true);
            try {
                long compacted = ObjectStore.counter(c).compactedRevision();
                if (revision < compacted) {
                    throw new StoreExceptions.Compacted(revision, compacted);
                }
                Map<ObjectKey, EventType> firstAfter = new HashMap<>();
                Map<ObjectKey, RevisionRecord> lastAtOrBefore = new HashMap<>();
                readLog(c, resource, namespace, after, compacted, revision, firstAfter, lastAtOrBefore);
                // the keys written since the revision, as they were then (null: absent then)
                TreeMap<ObjectKey, StoredObject> then = new TreeMap<>(KEY_ORDER);
                for (Map.Entry<ObjectKey, EventType> changed : firstAfter.entrySet()) {
                    ObjectKey key = changed.getKey();
                    RevisionRecord state = lastAtOrBefore.get(key);
                    if (state != null && state.eventType() != EventType.DELETED) {
                        then.put(key, new StoredObject(key, state.revision(), state.attrs(), state.body()));
                    } else if (state != null || changed.getValue() == EventType.ADDED) {
                        then.put(key, null);
                    } else {
                        throw new StoreExceptions.Compacted(revision, compacted);
                    }
                }
                return new Merge(then, revision, filter, limit).page(c, resource, namespace, after);
            } finally {
                c.rollback();
            }
        } catch (SQLException e) {
            throw new StoreExceptions.Unavailable("list " + resource + " at revision " + revision, e);
        }
    }

    /** Keys in the database's order: namespace, then name, compared as the columns' "C" collation compares them. */
    private static final Comparator<ObjectKey> KEY_ORDER = Comparator.comparing(ObjectKey::namespace).thenComparing(ObjectKey::name);

    /** A page of the current objects, in key order, with the keys written since the revision replaced by their state then. */
    private static final class Merge {
        private final TreeMap<ObjectKey, StoredObject> then;
        private final long revision;
        private final Predicate<StoredObject> filter;
        private final int limit;
        private final List<StoredObject> items = new ArrayList<>();

        Merge(TreeMap<ObjectKey, StoredObject> then, long revision, Predicate<StoredObject> filter, int limit) {
            this.then = then;
            this.revision = revision;
            this.filter = filter;
            this.limit = limit;
        }

        ObjectStore.Page page(Connection c, String resource, String namespace, ObjectKey after) throws SQLException {
            String sql = "SELECT namespace, name, revision, attrs, body FROM objects WHERE resource = ? AND "
                    + (namespace != null ? "namespace = ? AND name > ? ORDER BY name" : "(namespace, name) > (?, ?) ORDER BY namespace, name")
                    + " LIMIT ?";
            int batch = limit > 0 ? Math.max(limit + 1, 500) : 5000;
            try (PreparedStatement s = c.prepareStatement(sql)) {
                ObjectKey last = after;
                while (true) {
                    s.setString(1, resource);
                    s.setString(2, namespace != null ? namespace : last.namespace());
                    s.setString(3, last.name());
                    s.setInt(4, batch);
                    int rows = 0;
                    try (ResultSet rs = s.executeQuery()) {
                        while (rs.next()) {
                            rows++;
                            last = new ObjectKey(resource, rs.getString(1), rs.getString(2));
                            if (!emitThenBefore(last)) {
                                return full();
                            }
                            // written since: its state then (or nothing, when it did not exist then) instead of its state now
                            StoredObject row = then.containsKey(last) ? then.remove(last)
                                    : new StoredObject(last, rs.getLong(3), rs.getString(4), rs.getString(5));
                            if (row != null && !emit(row)) {
                                return full();
                            }
                        }
                    }
                    if (rows < batch) {
                        break;
                    }
                }
            }
            for (StoredObject o : then.values()) {
                if (o != null && !emit(o)) {
                    return full();
                }
            }
            return new ObjectStore.Page(items, revision, null);
        }

        /** Emits the earlier states of the keys before {@code key} (deleted since); false when the page filled first. */
        private boolean emitThenBefore(ObjectKey key) {
            while (!then.isEmpty() && KEY_ORDER.compare(then.firstKey(), key) < 0) {
                StoredObject o = then.pollFirstEntry().getValue();
                if (o != null && !emit(o)) {
                    return false;
                }
            }
            return true;
        }

        /** Adds the object when the filter takes it; false when the page is full already (the object is for the next one). */
        private boolean emit(StoredObject o) {
            if (!filter.test(o)) {
                return true;
            }
            if (limit > 0 && items.size() == limit) {
                return false;
            }
            items.add(o);
            return true;
        }

        private ObjectStore.Page full() {
            return new ObjectStore.Page(items, revision, items.get(items.size() - 1).key());
        }
    }

    /**
     * The logged writes of the resource after the compacted revision and after the key: the last one of each key up to
     * {@code revision}, and the kind of the first one after it.
     */
    private static void readLog(Connection c, String resource, String namespace, ObjectKey after, long compacted, long revision,
                                Map<ObjectKey, EventType> firstAfter, Map<ObjectKey, RevisionRecord> lastAtOrBefore) throws SQLException {
        String sql = "SELECT revision, namespace, name, event_type, attrs, body FROM revisions WHERE revision > ? AND resource = ? AND "
                + (namespace != null ? "namespace = ? AND name > ?" : "(namespace, name) > (?, ?)") + " ORDER BY revision";
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setLong(1, compacted);
            s.setString(2, resource);
            s.setString(3, namespace != null ? namespace : after.namespace());
            s.setString(4, after.name());
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    long at = rs.getLong(1);
                    ObjectKey key = new ObjectKey(resource, rs.getString(2), rs.getString(3));
                    EventType type = EventType.valueOf(rs.getString(4));
                    if (at <= revision) {
                        lastAtOrBefore.put(key, new RevisionRecord(at, key, type, rs.getString(5), null, rs.getString(6)));
                    } else {
                        firstAfter.putIfAbsent(key, type);
                    }
                }
            }
        }
    }
}
