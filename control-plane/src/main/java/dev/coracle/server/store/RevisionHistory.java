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
     *
     * @throws StoreExceptions.Compacted when the revision is older than the log reaches for this resource
     */
    public ObjectStore.Page listAt(String resource, String namespace, long revision, String afterNamespace, String afterName,
                                   Predicate<StoredObject> filter, int limit) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setReadOnly(true);
            try {
                long compacted = ObjectStore.counter(c).compactedRevision();
                if (revision < compacted) {
                    throw new StoreExceptions.Compacted(revision, compacted);
                }
                Map<ObjectKey, StoredObject> objects = current(c, resource, namespace);
                Map<ObjectKey, EventType> firstAfter = new HashMap<>();
                Map<ObjectKey, RevisionRecord> lastAtOrBefore = new HashMap<>();
                readLog(c, resource, namespace, compacted, revision, firstAfter, lastAtOrBefore);
                for (Map.Entry<ObjectKey, EventType> changed : firstAfter.entrySet()) {
                    ObjectKey key = changed.getKey();
                    RevisionRecord then = lastAtOrBefore.get(key);
                    if (then != null && then.eventType() != EventType.DELETED) {
                        objects.put(key, new StoredObject(key, then.revision(), then.attrs(), then.body()));
                    } else if (then != null || changed.getValue() == EventType.ADDED) {
                        objects.remove(key);
                    } else {
                        throw new StoreExceptions.Compacted(revision, compacted);
                    }
                }
                return page(objects, revision, afterNamespace, afterName, filter, limit);
            } finally {
                c.rollback();
            }
        } catch (SQLException e) {
            throw new StoreExceptions.Unavailable("list " + resource + " at revision " + revision, e);
        }
    }

    private static Map<ObjectKey, StoredObject> current(Connection c, String resource, String namespace) throws SQLException {
        Map<ObjectKey, StoredObject> objects = new HashMap<>();
        String sql = "SELECT namespace, name, revision, attrs, body FROM objects WHERE resource = ?" + (namespace != null ? " AND namespace = ?" : "");
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, resource);
            if (namespace != null) {
                s.setString(2, namespace);
            }
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    ObjectKey key = new ObjectKey(resource, rs.getString(1), rs.getString(2));
                    objects.put(key, new StoredObject(key, rs.getLong(3), rs.getString(4), rs.getString(5)));
                }
            }
        }
        return objects;
    }

    /** The logged writes of the resource after the compacted revision: the last one of each key up to {@code revision}, and the kind of the first one after it. */
    private static void readLog(Connection c, String resource, String namespace, long compacted, long revision,
                                Map<ObjectKey, EventType> firstAfter, Map<ObjectKey, RevisionRecord> lastAtOrBefore) throws SQLException {
        String sql = "SELECT revision, namespace, name, event_type, attrs, body FROM revisions WHERE revision > ? AND resource = ?"
                + (namespace != null ? " AND namespace = ?" : "") + " ORDER BY revision";
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setLong(1, compacted);
            s.setString(2, resource);
            if (namespace != null) {
                s.setString(3, namespace);
            }
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

    private static ObjectStore.Page page(Map<ObjectKey, StoredObject> objects, long revision, String afterNamespace, String afterName,
                                         Predicate<StoredObject> filter, int limit) {
        TreeMap<ObjectKey, StoredObject> ordered = new TreeMap<>(Comparator.comparing(ObjectKey::namespace).thenComparing(ObjectKey::name));
        ordered.putAll(objects);
        List<StoredObject> items = new ArrayList<>();
        for (StoredObject o : ordered.values()) {
            if (afterName != null && compare(o.key(), afterNamespace == null ? "" : afterNamespace, afterName) <= 0) {
                continue;
            }
            if (!filter.test(o)) {
                continue;
            }
            if (limit > 0 && items.size() == limit) {
                return new ObjectStore.Page(items, revision, items.get(items.size() - 1).key());
            }
            items.add(o);
        }
        return new ObjectStore.Page(items, revision, null);
    }

    private static int compare(ObjectKey key, String namespace, String name) {
        int byNamespace = key.namespace().compareTo(namespace);
        return byNamespace != 0 ? byNamespace : key.name().compareTo(name);
    }
}
