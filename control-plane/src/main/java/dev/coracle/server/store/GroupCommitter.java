package dev.coracle.server.store;

import dev.coracle.server.store.RevisionRecord.EventType;
import dev.coracle.server.store.dialect.Dialect;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;

/**
 * Every write of this process goes through one committer thread, which takes all the writes waiting
 * and commits them in one transaction (group commit, as etcd batches): it moves the revision counter
 * once for the batch, writes the objects and appends the log in JDBC batches, announces once and
 * commits once. Each write carries its precondition (the object must not exist / must still be at
 * the revision it was read at): the database checks it in the write itself, and only when one fails
 * is the batch redone checking first, so the refused write fails alone and no revision is skipped.
 *
 * <p>The counter row lock is what orders commits across server processes sharing one database: a
 * transaction holding it commits before the next one moves the counter, so revisions are gap-free
 * and commit in order, which lets watchers read the log without ever skipping one. A write is
 * reported done only once its transaction has committed.
 */
@Component
class GroupCommitter implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(GroupCommitter.class);
    static final long MUST_NOT_EXIST = -1;
    private static final int MAX_BATCH = 500;
    private static final int KEYS_PER_QUERY = 100;

    private final DataSource dataSource;
    private final Dialect dialect;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    /** Writes to a key already in the batch being formed wait for the next one, keeping their order. */
    private final ArrayDeque<Pending> deferred = new ArrayDeque<>();
    private final List<Consumer<List<RevisionRecord>>> listeners = new CopyOnWriteArrayList<>();
    private volatile boolean running = true;
    private Thread thread;

    GroupCommitter(DataSource dataSource, Dialect dialect) {
        this.dataSource = dataSource;
        this.dialect = dialect;
    }

    /** Hears each committed batch's log entries, in commit order, on the committer thread: keep it short. */
    void onCommit(Consumer<List<RevisionRecord>> listener) {
        listeners.add(listener);
    }

    /**
     * Commits {@code write} if the object is at {@code expectedRevision} ({@link #MUST_NOT_EXIST} for a create),
     * where its attributes were {@code expectedAttrs}.
     *
     * @throws StoreExceptions.ObjectExists a create whose object exists
     * @throws StoreExceptions.Stale        an update or delete whose object changed or went
     * @throws StoreExceptions.Unavailable  the database failed: the write may not have happened
     */
    StoredObject write(ObjectKey key, long expectedRevision, String expectedAttrs, Write.AtRevision write) {
        return ObjectStore.await(writeAsync(key, expectedRevision, expectedAttrs, write));
    }

    /**
     * {@link #write}, answered by the future: it completes on the committer thread, so what depends on it must be
     * short and must not block.
     */
    CompletableFuture<StoredObject> writeAsync(ObjectKey key, long expectedRevision, String expectedAttrs, Write.AtRevision write) {
        Pending pending = new Pending(key, expectedRevision, expectedAttrs, write);
        startIfNeeded();
        if (!running) {
            return CompletableFuture.failedFuture(new StoreExceptions.Unavailable("write " + key,
                    new IllegalStateException("the server is stopping")));
        }
        queue.add(pending);
        return pending.done;
    }


    private synchronized void startIfNeeded() {
        if (thread == null && running) {
            thread = new Thread(this::commitForever, "store-committer");
            thread.setDaemon(true);
            thread.start();
        }
    }

    @Override
    public synchronized void destroy() {
        running = false;
        if (thread != null) {
            thread.interrupt();
        }
        List<Pending> left = new ArrayList<>(deferred);
        queue.drainTo(left);
        left.forEach(p -> p.done.completeExceptionally(
                new StoreExceptions.Unavailable("write " + p.key, new IllegalStateException("the server is stopping"))));
    }

    private void commitForever() {
        while (running) {
            List<Pending> batch;
            try {
                batch = nextBatch();
            } catch (InterruptedException e) {
                return;
            }
            try {
                commit(batch, true);
            } catch (RuntimeException e) {
                // a bug, not the database: refuse this batch, keep serving
                log.error("store commit failed", e);
                batch.forEach(p -> p.done.completeExceptionally(e));
            }
        }
    }

    private List<Pending> nextBatch() throws InterruptedException {
        List<Pending> candidates = new ArrayList<>(deferred);
        deferred.clear();
        if (candidates.isEmpty()) {
            candidates.add(queue.take());
        }
        queue.drainTo(candidates, MAX_BATCH - candidates.size());
        List<Pending> batch = new ArrayList<>(candidates.size());
        Set<ObjectKey> keys = new HashSet<>();
        for (Pending p : candidates) {
            if (keys.add(p.key)) {
                batch.add(p);
            } else {
                deferred.add(p);
            }
        }
        return batch;
    }

    /** @param retrySingly after a statement refused by the database, commit each write alone so only the bad one fails */
    private void commit(List<Pending> batch, boolean retrySingly) {
        List<Accepted> accepted;
        boolean committing = false;
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                List<Pending> remaining = batch;
                while (true) {
                    Attempt attempt = optimistically(c, remaining);
                    if (attempt.accepted() != null) {
                        accepted = attempt.accepted();
                        break;
                    }
                    c.rollback();
                    if (attempt.stale().isEmpty()) {
                        accepted = checkingFirst(c, remaining);
                        break;
                    }
                    // the updates the database found stale are refused alone; the others go again
                    attempt.stale().forEach(p -> p.refused = new StoreExceptions.Stale(p.key));
                    remaining = remaining.stream().filter(p -> p.refused == null).toList();
                    if (remaining.isEmpty()) {
                        accepted = List.of();
                        break;
                    }
                }
                committing = true;
                c.commit();
            } catch (SQLException | RuntimeException e) {
                if (!committing) {
                    rollbackQuietly(c);
                }
                throw e;
            }
        } catch (SQLException e) {
            batch.forEach(p -> p.refused = null);
            if (!committing && retrySingly && batch.size() > 1 && refusedStatement(e)) {
                for (Pending p : batch) {
                    commit(List.of(p), false);
                }
                return;
            }
            String what = committing ? "commit (outcome unknown)" : "write";
            batch.forEach(p -> p.done.completeExceptionally(new StoreExceptions.Unavailable(what + " " + p.key, e)));
            return;
        }
        for (Pending p : batch) {
            if (p.refused != null) {
                p.done.completeExceptionally(p.refused);
            }
        }
        for (Accepted a : accepted) {
            RevisionRecord r = a.record;
            a.pending.done.complete(new StoredObject(r.key(), r.revision(), r.attrs(), r.body()));
        }
        if (!accepted.isEmpty()) {
            List<RevisionRecord> records = accepted.stream().map(Accepted::record).toList();
            for (Consumer<List<RevisionRecord>> listener : listeners) {
                try {
                    listener.accept(records);
                } catch (RuntimeException e) {
                    log.warn("commit listener failed", e);
                }
            }
        }
    }

    /**
     * The common case in four round trips: move the counter by the whole batch (which locks it and
     * announces), then write, letting the database check the preconditions — the primary key refuses a
     * create of an existing object, an update or delete matches no row unless the object is still at
     * the revision read. When any write is refused the caller rolls back, so revisions stay gap-free:
     * updates and deletes the database found stale are named and refused; otherwise (a create of an
     * existing object, a body that cannot be built) the caller goes the checking way.
     */
    private Attempt optimistically(Connection c, List<Pending> batch) throws SQLException {
        long base = dialect.advanceCounter(c, batch.size()) - batch.size();
        List<Accepted> accepted = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            Pending p = batch.get(i);
            long revision = base + 1 + i;
            Write w;
            try {
                w = p.write.at(revision);
            } catch (RuntimeException e) {
                return Attempt.CHECK_FIRST;
            }
            boolean create = p.expectedRevision == MUST_NOT_EXIST;
            if (create && w.delete()) {
                return Attempt.CHECK_FIRST;
            }
            EventType type = w.delete() ? EventType.DELETED : create ? EventType.ADDED : EventType.MODIFIED;
            accepted.add(new Accepted(p, new RevisionRecord(revision, p.key, type, w.attrs(), p.expectedAttrs, w.body())));
        }
        try {
            List<Pending> stale = apply(c, accepted);
            return stale.isEmpty() ? new Attempt(accepted, List.of()) : new Attempt(null, stale);
        } catch (SQLException e) {
            if (uniqueViolation(e)) {
                return Attempt.CHECK_FIRST;
            }
            throw e;
        }
    }

    /** What an optimistic attempt came to: all accepted, or the stale writes (none: check first). */
    private record Attempt(List<Accepted> accepted, List<Pending> stale) {
        static final Attempt CHECK_FIRST = new Attempt(null, List.of());
    }

    /** Locks the counter, reads every object of the batch, and writes only those whose precondition holds. */
    private List<Accepted> checkingFirst(Connection c, List<Pending> batch) throws SQLException {
        List<Accepted> accepted = new ArrayList<>(batch.size());
        long base = lockCounter(c);
        Map<ObjectKey, Current> current = currentOf(c, batch);
        long revision = base;
        for (Pending p : batch) {
            Current now = current.get(p.key);
            if (p.expectedRevision == MUST_NOT_EXIST ? now != null : now == null || now.revision != p.expectedRevision) {
                p.refused = p.expectedRevision == MUST_NOT_EXIST ? new StoreExceptions.ObjectExists(p.key) : new StoreExceptions.Stale(p.key);
                continue;
            }
            Write w;
            try {
                w = p.write.at(revision + 1);
            } catch (RuntimeException e) {
                p.refused = e;
                continue;
            }
            revision++;
            EventType type = w.delete() ? EventType.DELETED : now == null ? EventType.ADDED : EventType.MODIFIED;
            accepted.add(new Accepted(p, new RevisionRecord(revision, p.key, type, w.attrs(), now == null ? null : now.attrs, w.body())));
        }
        if (!accepted.isEmpty()) {
            if (!apply(c, accepted).isEmpty()) {
                throw new IllegalStateException("an object changed under the revision counter's lock");
            }
            long top = dialect.advanceCounter(c, accepted.size());
            if (top != revision) {
                throw new IllegalStateException("the revision counter moved under its lock: " + top + " != " + revision);
            }
        }
        return accepted;
    }

    /** Waits for any other writer's transaction (another server process) to end, then reads the revision. */
    private static long lockCounter(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT current_revision FROM revision_counter WHERE id = 1 FOR UPDATE");
             ResultSet rs = s.executeQuery()) {
            if (!rs.next()) {
                throw new SQLException("revision_counter has no row", "55000");
            }
            return rs.getLong(1);
        }
    }

    private static Map<ObjectKey, Current> currentOf(Connection c, List<Pending> batch) throws SQLException {
        Map<ObjectKey, Current> out = new HashMap<>();
        for (int from = 0; from < batch.size(); from += KEYS_PER_QUERY) {
            List<Pending> part = batch.subList(from, Math.min(batch.size(), from + KEYS_PER_QUERY));
            StringBuilder sql = new StringBuilder("SELECT resource, namespace, name, revision, attrs FROM objects WHERE (resource, namespace, name) IN (");
            for (int i = 0; i < part.size(); i++) {
                sql.append(i == 0 ? "(?, ?, ?)" : ", (?, ?, ?)");
            }
            sql.append(')');
            try (PreparedStatement s = c.prepareStatement(sql.toString())) {
                int i = 1;
                for (Pending p : part) {
                    s.setString(i++, p.key.resource());
                    s.setString(i++, p.key.namespace());
                    s.setString(i++, p.key.name());
                }
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        out.put(new ObjectKey(rs.getString(1), rs.getString(2), rs.getString(3)), new Current(rs.getLong(4), rs.getString(5)));
                    }
                }
            }
        }
        return out;
    }

    /**
     * Each key appears once per batch, so the statements' order between kinds does not matter.
     *
     * @return the updates and deletes whose object was no longer at the revision read (then nothing more is written)
     */
    private static List<Pending> apply(Connection c, List<Accepted> accepted) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement(
                "INSERT INTO objects (resource, namespace, name, revision, create_revision, attrs, body) VALUES (?, ?, ?, ?, ?, ?, ?)");
             PreparedStatement update = c.prepareStatement(
                     "UPDATE objects SET revision = ?, attrs = ?, body = ? WHERE resource = ? AND namespace = ? AND name = ? AND revision = ?");
             PreparedStatement delete = c.prepareStatement(
                     "DELETE FROM objects WHERE resource = ? AND namespace = ? AND name = ? AND revision = ?");
             PreparedStatement append = c.prepareStatement(
                     "INSERT INTO revisions (revision, resource, namespace, name, event_type, attrs, prev_attrs, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            int inserts = 0;
            List<Pending> updates = new ArrayList<>();
            List<Pending> deletes = new ArrayList<>();
            for (Accepted a : accepted) {
                RevisionRecord r = a.record;
                ObjectKey k = r.key();
                switch (r.eventType()) {
                    case ADDED -> {
                        insert.setString(1, k.resource());
                        insert.setString(2, k.namespace());
                        insert.setString(3, k.name());
                        insert.setLong(4, r.revision());
                        insert.setLong(5, r.revision());
                        insert.setString(6, r.attrs());
                        insert.setString(7, r.body());
                        insert.addBatch();
                        inserts++;
                    }
                    case MODIFIED -> {
                        update.setLong(1, r.revision());
                        update.setString(2, r.attrs());
                        update.setString(3, r.body());
                        update.setString(4, k.resource());
                        update.setString(5, k.namespace());
                        update.setString(6, k.name());
                        update.setLong(7, a.pending.expectedRevision);
                        update.addBatch();
                        updates.add(a.pending);
                    }
                    case DELETED -> {
                        delete.setString(1, k.resource());
                        delete.setString(2, k.namespace());
                        delete.setString(3, k.name());
                        delete.setLong(4, a.pending.expectedRevision);
                        delete.addBatch();
                        deletes.add(a.pending);
                    }
                }
                append.setLong(1, r.revision());
                append.setString(2, k.resource());
                append.setString(3, k.namespace());
                append.setString(4, k.name());
                append.setString(5, r.eventType().name());
                append.setString(6, r.attrs());
                append.setString(7, r.prevAttrs());
                append.setString(8, r.body());
                append.addBatch();
            }
            if (inserts > 0) {
                insert.executeBatch();
            }
            List<Pending> stale = new ArrayList<>();
            if (!updates.isEmpty()) {
                notOne(update.executeBatch(), updates, stale);
            }
            if (!deletes.isEmpty()) {
                notOne(delete.executeBatch(), deletes, stale);
            }
            if (stale.isEmpty()) {
                append.executeBatch();
            }
            return stale;
        }
    }

    private static void notOne(int[] counts, List<Pending> writes, List<Pending> out) {
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] != 1) {
                out.add(writes.get(i));
            }
        }
    }

    private static boolean uniqueViolation(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && "23505".equals(s.getSQLState())) {
                return true;
            }
            if (t instanceof SQLException s && s.getNextException() != null && "23505".equals(s.getNextException().getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /** The database refused a statement's data (too long, a constraint), as opposed to being unreachable. */
    private static boolean refusedStatement(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && s.getSQLState() != null
                    && (s.getSQLState().startsWith("22") || s.getSQLState().startsWith("23"))) {
                return true;
            }
        }
        return false;
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is gone; the transaction with it
        }
    }

    private record Current(long revision, String attrs) {
    }

    private record Accepted(Pending pending, RevisionRecord record) {
    }

    private static final class Pending {
        final ObjectKey key;
        final long expectedRevision;
        /** The attributes at the expected revision: the event's previous attributes. */
        final String expectedAttrs;
        final Write.AtRevision write;
        final CompletableFuture<StoredObject> done = new CompletableFuture<>();
        RuntimeException refused;

        Pending(ObjectKey key, long expectedRevision, String expectedAttrs, Write.AtRevision write) {
            this.key = key;
            this.expectedRevision = expectedRevision;
            this.expectedAttrs = expectedAttrs;
            this.write = write;
        }
    }
}
