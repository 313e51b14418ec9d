package dev.coracle.server.store;

import dev.coracle.server.store.dialect.Dialect;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.PersistenceContext;
import jakarta.persistence.PersistenceException;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.data.domain.Limit;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Isolation;
import org.springframework.transaction.annotation.Transactional;

import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The object store: current state plus an append-only revision log, in one transaction per write.
 *
 * <p>A write first locks the object's row (so read-modify-write on one object is atomic), then
 * takes the next global revision from the counter row, whose lock it holds until commit: revisions
 * therefore commit in order, which is what lets watchers read the log without ever skipping one.
 */
@Service
public class ObjectStore {

    @PersistenceContext
    private EntityManager em;

    private final Dialect dialect;
    private final ObjectRepository objects;
    private final RevisionRepository revisions;
    private final ApplicationEventPublisher events;

    ObjectStore(Dialect dialect, ObjectRepository objects, RevisionRepository revisions, ApplicationEventPublisher events) {
        this.dialect = dialect;
        this.objects = objects;
        this.revisions = revisions;
        this.events = events;
    }

    @Transactional(readOnly = true)
    public Optional<StoredObject> get(ObjectKey key) {
        return objects.findById(key).map(StoredObject::of);
    }

    @Transactional
    public StoredObject create(ObjectKey key, Write.AtRevision write) {
        if (em.find(ObjectRecord.class, key) != null) {
            throw new StoreExceptions.ObjectExists(key);
        }
        long revision = nextRevision();
        Write w = write.at(revision);
        ObjectRecord record = new ObjectRecord(key, revision, w.attrs(), w.body());
        try {
            em.persist(record);
            em.flush();
        } catch (PersistenceException | DataIntegrityViolationException e) {
            throw new StoreExceptions.ObjectExists(key);
        }
        log(revision, key, RevisionRecord.EventType.ADDED, w.attrs(), null, w.body());
        return StoredObject.of(record);
    }

    /**
     * Read-modify-write under the object's row lock: the update sees the current object, may throw to
     * refuse, and may replace it or remove it ({@link Write#remove}).
     */
    @Transactional
    public StoredObject update(ObjectKey key, Write.Update update) {
        ObjectRecord record = em.find(ObjectRecord.class, key, LockModeType.PESSIMISTIC_WRITE);
        if (record == null) {
            throw new StoreExceptions.ObjectMissing(key);
        }
        StoredObject current = StoredObject.of(record);
        Write.AtRevision write = update.from(current);
        if (write == null) {
            return current;
        }
        long revision = nextRevision();
        Write w = write.at(revision);
        String prevAttrs = record.attrs();
        if (w.delete()) {
            em.remove(record);
            log(revision, key, RevisionRecord.EventType.DELETED, w.attrs(), prevAttrs, w.body());
            return new StoredObject(key, revision, w.attrs(), w.body());
        }
        record.overwrite(revision, w.attrs(), w.body());
        log(revision, key, RevisionRecord.EventType.MODIFIED, w.attrs(), prevAttrs, w.body());
        return StoredObject.of(record);
    }

    /** A consistent page of one resource's objects, and the revision it reflects. */
    @Transactional(readOnly = true, isolation = Isolation.REPEATABLE_READ)
    public Page list(String resource, String namespace, String afterNamespace, String afterName,
                     Predicate<StoredObject> filter, int limit) {
        long revision = currentRevision();
        List<StoredObject> items = new java.util.ArrayList<>();
        int batch = limit > 0 ? Math.max(limit + 1, 500) : 5000;
        String lastNs = afterNamespace == null ? "" : afterNamespace;
        String lastName = afterName == null ? "" : afterName;
        while (true) {
            List<ObjectRecord> rows = namespace != null
                    ? objects.listNamespace(resource, namespace, lastName, Limit.of(batch))
                    : objects.listAll(resource, lastNs, lastName, Limit.of(batch));
            for (ObjectRecord row : rows) {
                StoredObject object = StoredObject.of(row);
                if (!filter.test(object)) {
                    continue;
                }
                if (limit > 0 && items.size() == limit) {
                    StoredObject last = items.get(items.size() - 1);
                    return new Page(items, revision, last.key());
                }
                items.add(object);
            }
            if (rows.size() < batch) {
                return new Page(items, revision, null);
            }
            ObjectKey lastRow = rows.get(rows.size() - 1).key();
            lastNs = lastRow.namespace();
            lastName = lastRow.name();
            em.clear();
        }
    }

    public record Page(List<StoredObject> items, long revision, ObjectKey continueAfter) {
    }

    @Transactional(readOnly = true)
    public long currentRevision() {
        return em.find(RevisionCounter.class, RevisionCounter.ID).currentRevision();
    }

    @Transactional(readOnly = true)
    public RevisionCounter counter() {
        return em.find(RevisionCounter.class, RevisionCounter.ID);
    }

    /** Log entries after {@code revision}, oldest first; refuses when the log no longer reaches back that far. */
    @Transactional(readOnly = true)
    public List<RevisionRecord> revisionsAfter(long revision, int max) {
        long compacted = counter().compactedRevision();
        if (revision < compacted) {
            throw new StoreExceptions.Compacted(revision, compacted);
        }
        return revisions.after(revision, Limit.of(max));
    }

    /** Drops log entries older than {@code keepFrom}; returns how many went. */
    @Transactional
    public int compact(long keepFrom) {
        int deleted = revisions.deleteBefore(keepFrom);
        em.createQuery("update RevisionCounter c set c.compactedRevision = ?1 where c.id = ?2 and c.compactedRevision < ?1")
                .setParameter(1, keepFrom - 1).setParameter(2, RevisionCounter.ID).executeUpdate();
        return deleted;
    }

    @Transactional(readOnly = true)
    public java.util.Map<String, Long> countByResource() {
        java.util.Map<String, Long> out = new java.util.TreeMap<>();
        for (Object[] row : objects.countAll()) {
            out.put((String) row[0], ((Number) row[1]).longValue());
        }
        return out;
    }

    @Transactional(readOnly = true)
    public long logSize() {
        return revisions.count();
    }

    /**
     * Writers of this process queue here rather than on the counter row: a row lock with many
     * waiters costs PostgreSQL far more than a Java lock (bench/RESULTS.md). Held until the
     * transaction ends, so the next writer starts once this one's revision is committed.
     */
    private final WriterLock writers = new WriterLock();

    private long nextRevision() {
        writers.lock();
        return dialect.nextRevision(em);
    }

    private void log(long revision, ObjectKey key, RevisionRecord.EventType type, String attrs, String prevAttrs, String body) {
        em.persist(new RevisionRecord(revision, key, type, attrs, prevAttrs, body));
        dialect.announce(em, revision);
        events.publishEvent(new RevisionCommitted(revision));
    }
}
