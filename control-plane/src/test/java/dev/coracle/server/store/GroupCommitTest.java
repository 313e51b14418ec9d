package dev.coracle.server.store;

import dev.coracle.server.testing.TestDatabases;
import dev.coracle.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The group committer's promises, on both datastores, with many writers at once so that their writes
 * share transactions: one winner per name, a refused write fails alone, revisions gap-free in commit order.
 */
class GroupCommitTest {

    private static final Map<String, TestServer> SERVERS = new ConcurrentHashMap<>();
    private static final int WRITERS = 16;
    /** A storage key no controller lists: these bodies are not Kubernetes objects. */
    private static final String RESOURCE = "groupcommittest";

    private static ObjectStore store(String datastore) {
        if (datastore.equals("postgres")) {
            Assumptions.assumeTrue(TestDatabases.postgresAvailable(), "needs CORACLE_TEST_POSTGRES (./coracle test)");
        }
        return SERVERS.computeIfAbsent(datastore, s -> s.equals("postgres") ? TestServer.postgres() : TestServer.embedded())
                .bean(ObjectStore.class);
    }

    @AfterAll
    static void stop() {
        SERVERS.values().forEach(TestServer::close);
    }

    @ParameterizedTest
    @ValueSource(strings = {"embedded", "postgres"})
    void ofSixteenConcurrentCreatesOfOneNameExactlyOneWins(String datastore) throws Exception {
        ObjectStore store = store(datastore);
        ObjectKey key = new ObjectKey(RESOURCE, "default", "contested-" + System.nanoTime());
        List<Object> outcomes = all(WRITERS, i -> {
            try {
                return store.create(key, body("writer-" + i));
            } catch (StoreExceptions.ObjectExists e) {
                return e;
            }
        });
        assertThat(outcomes).filteredOn(o -> o instanceof StoredObject).hasSize(1);
        assertThat(outcomes).filteredOn(o -> o instanceof StoreExceptions.ObjectExists).hasSize(WRITERS - 1);
        StoredObject winner = (StoredObject) outcomes.stream().filter(o -> o instanceof StoredObject).findFirst().orElseThrow();
        assertThat(store.get(key)).contains(winner);
    }

    @ParameterizedTest
    @ValueSource(strings = {"embedded", "postgres"})
    void aWriteTheDatabaseRefusesFailsAloneAndTheOthersCommit(String datastore) throws Exception {
        ObjectStore store = store(datastore);
        String run = "refused-" + System.nanoTime();
        // a name longer than the objects table's column: the database refuses that row, not its batch
        List<Object> outcomes = all(WRITERS, i -> {
            ObjectKey key = new ObjectKey(RESOURCE, "default", i == 7 ? run + "x".repeat(300) : run + "-" + i);
            try {
                return store.create(key, i == 3 ? revision -> {
                    throw new IllegalStateException("cannot build this body");
                } : body("v"));
            } catch (RuntimeException e) {
                return e;
            }
        });
        assertThat(outcomes.get(3)).isInstanceOf(IllegalStateException.class);
        assertThat(outcomes.get(7)).isInstanceOf(StoreExceptions.Unavailable.class);
        for (int i = 0; i < WRITERS; i++) {
            if (i != 3 && i != 7) {
                assertThat(outcomes.get(i)).as("write %d", i).isInstanceOf(StoredObject.class);
                assertThat(store.get(new ObjectKey(RESOURCE, "default", run + "-" + i))).isPresent();
            }
        }
        assertThat(store.get(new ObjectKey(RESOURCE, "default", run + "-3"))).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"embedded", "postgres"})
    void concurrentWritesGetGapFreeRevisionsInTheLogEachOnce(String datastore) throws Exception {
        ObjectStore store = store(datastore);
        String run = "gapless-" + System.nanoTime();
        long before = store.currentRevision();
        List<Object> outcomes = all(WRITERS, i -> {
            List<Long> mine = new ArrayList<>();
            for (int n = 0; n < 20; n++) {
                ObjectKey key = new ObjectKey(RESOURCE, "default", run + "-" + i + "-" + n);
                mine.add(store.create(key, body("v")).revision());
                mine.add(store.update(key, current -> body("w")).revision());
            }
            return mine;
        });
        Set<Long> written = new HashSet<>();
        outcomes.forEach(o -> ((List<?>) o).forEach(r -> assertThat(written.add((Long) r)).as("revision %s given twice", r).isTrue()));
        List<RevisionRecord> log = store.revisionsAfter(before, 100_000);
        for (int i = 0; i < log.size(); i++) {
            assertThat(log.get(i).revision()).as("the log after %d is gap-free", before).isEqualTo(before + 1 + i);
        }
        Set<Long> logged = new HashSet<>();
        log.forEach(r -> logged.add(r.revision()));
        assertThat(logged).containsAll(written);
        assertThat(store.currentRevision()).isGreaterThanOrEqualTo(before + written.size());
    }

    private static Write.AtRevision body(String value) {
        return Write.putTemplate("{\"f\":{},\"l\":{}}", "{\"metadata\":{\"resourceVersion\":\"" + Write.REVISION_PLACEHOLDER
                + "\"},\"data\":{\"v\":\"" + value + "\"}}");
    }

    /** Runs {@code task(i)} for i in 0..n-1 on n threads released together; results in order of i. */
    private static List<Object> all(int n, IndexedTask task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<Object>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int index = i;
                futures.add(pool.submit((Callable<Object>) () -> {
                    go.await();
                    return task.run(index);
                }));
            }
            go.countDown();
            List<Object> out = new ArrayList<>();
            for (Future<Object> f : futures) {
                out.add(f.get(120, TimeUnit.SECONDS));
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    @FunctionalInterface
    private interface IndexedTask {
        Object run(int index) throws Exception;
    }
}
