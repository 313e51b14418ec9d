package dev.coracle.server.store;

import dev.coracle.server.testing.TestDatabases;
import dev.coracle.server.testing.TestServer;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The store's promises, checked through the API on both datastores: no lost update, ordered watches, resumption. */
class StoreIntegrationTest {

    private static final Map<String, TestServer> SERVERS = new ConcurrentHashMap<>();

    private static TestServer server(String store) {
        if (store.equals("postgres")) {
            Assumptions.assumeTrue(TestDatabases.postgresAvailable(), "needs CORACLE_TEST_POSTGRES (./coracle test)");
        }
        return SERVERS.computeIfAbsent(store, s -> s.equals("postgres") ? TestServer.postgres() : TestServer.embedded());
    }

    @AfterAll
    static void stop() {
        SERVERS.values().forEach(TestServer::close);
    }

    @ParameterizedTest
    @ValueSource(strings = {"embedded", "postgres"})
    void aStaleUpdateIsRefusedWithConflictAndLosesNothing(String store) {
        try (KubernetesClient client = server(store).client()) {
            ConfigMap created = client.configMaps().inNamespace("default")
                    .resource(new ConfigMapBuilder().withNewMetadata().withName("stale-" + store).endMetadata().addToData("v", "1").build())
                    .create();
            ConfigMap first = new ConfigMapBuilder(created).addToData("v", "2").build();
            ConfigMap second = new ConfigMapBuilder(created).addToData("v", "3").build();
            client.configMaps().inNamespace("default").resource(first).update();
            assertThatThrownBy(() -> client.configMaps().inNamespace("default").resource(second).update())
                    .isInstanceOf(KubernetesClientException.class)
                    .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(409))
                    .hasMessageContaining("the object has been modified");
            assertThat(client.configMaps().inNamespace("default").withName("stale-" + store).get().getData()).containsEntry("v", "2");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"embedded", "postgres"})
    void eightWritersDoingReadModifyWriteEndWithTheExactCount(String store) throws Exception {
        TestServer server = server(store);
        String name = "counter-" + store;
        try (KubernetesClient client = server.client()) {
            client.configMaps().inNamespace("default")
                    .resource(new ConfigMapBuilder().withNewMetadata().withName(name).endMetadata().addToData("count", "0").build()).create();
            int writers = 8;
            int updatesEach = 500;
            ExecutorService pool = Executors.newFixedThreadPool(writers);
            List<Future<Integer>> conflicts = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                conflicts.add(pool.submit(() -> {
                    int seen = 0;
                    for (int i = 0; i < updatesEach; ) {
                        ConfigMap cm = client.configMaps().inNamespace("default").withName(name).get();
                        int n = Integer.parseInt(cm.getData().get("count"));
                        cm.getData().put("count", Integer.toString(n + 1));
                        try {
                            client.configMaps().inNamespace("default").resource(cm).update();
                            i++;
                        } catch (KubernetesClientException e) {
                            if (e.getCode() != 409) {
                                throw e;
                            }
                            seen++;
                        }
                    }
                    return seen;
                }));
            }
            int totalConflicts = 0;
            for (Future<Integer> f : conflicts) {
                totalConflicts += f.get(10, TimeUnit.MINUTES);
            }
            pool.shutdown();
            assertThat(client.configMaps().inNamespace("default").withName(name).get().getData().get("count"))
                    .isEqualTo(Integer.toString(writers * updatesEach));
            assertThat(totalConflicts).as("concurrent writers must have collided at least once").isPositive();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"embedded", "postgres"})
    void aWatchResumedFromAnEarlierRevisionReplaysEverythingAfterItInOrder(String store) throws Exception {
        TestServer server = server(store);
        String ns = "resume-" + store;
        try (KubernetesClient client = server.client()) {
            client.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
            List<String> revisions = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                ConfigMap cm = client.configMaps().inNamespace(ns)
                        .resource(new ConfigMapBuilder().withNewMetadata().withName("cm-" + i).endMetadata().build()).create();
                revisions.add(cm.getMetadata().getResourceVersion());
            }
            String middle = revisions.get(9);
            List<String> seen = new CopyOnWriteArrayList<>();
            try (Watch ignored = client.configMaps().inNamespace(ns).withResourceVersion(middle).watch(new Watcher<>() {
                @Override
                public void eventReceived(Action action, ConfigMap resource) {
                    seen.add(action + " " + resource.getMetadata().getResourceVersion());
                }

                @Override
                public void onClose(WatcherException cause) {
                }
            })) {
                await().atMost(10, TimeUnit.SECONDS).until(() -> seen.size() >= 10);
                assertThat(seen).containsExactlyElementsOf(revisions.subList(10, 20).stream().map(r -> "ADDED " + r).toList());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"embedded", "postgres"})
    void objectsSurviveARestartOnTheSameDataDir(String store) throws Exception {
        String datastore = store.equals("postgres") ? requirePostgres() : null;
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("coracle-restart-");
        String caBefore;
        try (TestServer first = TestServer.start(dir, datastore); KubernetesClient client = first.client()) {
            client.configMaps().inNamespace("default")
                    .resource(new ConfigMapBuilder().withNewMetadata().withName("kept").endMetadata().addToData("k", "v").build()).create();
            caBefore = java.nio.file.Files.readString(dir.resolve("tls/server-ca.crt"));
        }
        try (TestServer second = TestServer.start(dir, datastore); KubernetesClient client = second.client()) {
            assertThat(client.configMaps().inNamespace("default").withName("kept").get().getData()).containsEntry("k", "v");
            assertThat(java.nio.file.Files.readString(dir.resolve("tls/server-ca.crt"))).isEqualTo(caBefore);
        }
    }

    private static String requirePostgres() {
        Assumptions.assumeTrue(TestDatabases.postgresAvailable(), "needs CORACLE_TEST_POSTGRES (./coracle test)");
        return TestDatabases.newPostgresDatabase();
    }
}
