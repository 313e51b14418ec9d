package dev.coracle.server.api;

import dev.coracle.server.testing.TestServer;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ConfigMapList;
import io.fabric8.kubernetes.api.model.ListOptions;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import dev.coracle.server.testing.TestDatabases;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

/**
 * {@code resourceVersionMatch=Exact} lists, as a client-go or Fabric8 client sends them: the objects exactly as
 * they were at an older revision (etcd serves them from its history; Coracle rolls the current state back
 * with its revision log), and 410 Gone ("too old") once the log no longer reaches back that far.
 */
class ExactRevisionListTest {

    private static final int RETAIN = 40;

    private static final Map<String, TestServer> SERVERS = new ConcurrentHashMap<>();

    /** The rollback is SQL over the revision log: both datastores run it. */
    private static KubernetesClient client(String datastore) {
        if (datastore.equals("postgres")) {
            Assumptions.assumeTrue(TestDatabases.postgresAvailable(), "needs CORACLE_TEST_POSTGRES (./coracle test)");
        }
        TestServer server = SERVERS.computeIfAbsent(datastore, s -> TestServer.start(
                s.equals("postgres") ? TestDatabases.newPostgresDatabase() : null,
                "--coracle.compaction.retain=" + RETAIN, "--coracle.compaction.interval=1s", "--coracle.controllers.enabled=false"));
        KubernetesClient client = server.client();
        await().atMost(Duration.ofSeconds(30)).until(() -> client.namespaces().withName("default").get() != null);
        return client;
    }

    @AfterAll
    static void stop() {
        SERVERS.values().forEach(TestServer::close);
    }

    @ParameterizedTest
    @ValueSource(strings = {"embedded", "postgres"})
    void anOlderRevisionIsListedAsItWas(String datastore) {
        KubernetesClient client = client(datastore);
        String ns = namespace(client, "exact-history");
        ConfigMap a1 = create(client, ns, "a", "1", Map.of("tier", "web"));
        ConfigMap b1 = create(client, ns, "b", "1", Map.of());
        String atB1 = b1.getMetadata().getResourceVersion();
        ConfigMap a2 = client.configMaps().inNamespace(ns).withName("a")
                .edit(cm -> new ConfigMapBuilder(cm).withData(Map.of("v", "2")).editMetadata().withLabels(Map.of()).endMetadata().build());
        client.configMaps().inNamespace(ns).withName("b").withGracePeriod(0).delete();
        await().atMost(Duration.ofSeconds(10)).until(() -> client.configMaps().inNamespace(ns).withName("b").get() == null);
        create(client, ns, "c", "1", Map.of());

        ConfigMapList then = list(client, ns, atB1, null);
        assertThat(then.getMetadata().getResourceVersion()).isEqualTo(atB1);
        assertThat(byName(then)).containsOnlyKeys("a", "b");
        assertThat(byName(then).get("a").getData()).containsEntry("v", "1");
        assertThat(byName(then).get("a").getMetadata().getResourceVersion()).isEqualTo(a1.getMetadata().getResourceVersion());
        assertThat(byName(then).get("b").getMetadata().getUid()).isEqualTo(b1.getMetadata().getUid());

        assertThat(byName(list(client, ns, atB1, "tier=web"))).as("selectors see the labels of then").containsOnlyKeys("a");
        assertThat(byName(list(client, ns, a2.getMetadata().getResourceVersion(), null))).containsOnlyKeys("a", "b")
                .hasEntrySatisfying("a", cm -> assertThat(cm.getData()).containsEntry("v", "2"));

        ConfigMapList firstPage = client.configMaps().inNamespace(ns).list(options(atB1, null).toBuilder().withLimit(1L).build());
        assertThat(byName(firstPage)).containsOnlyKeys("a");
        assertThat(firstPage.getMetadata().getContinue()).as("paged as any list").isNotEmpty();
        ConfigMapList secondPage = client.configMaps().inNamespace(ns).list(new ListOptionsBuilder().withLimit(1L)
                .withContinue(firstPage.getMetadata().getContinue()).build());
        assertThat(byName(secondPage)).as("the next page at the same revision: b, deleted since").containsOnlyKeys("b");
        assertThat(secondPage.getMetadata().getResourceVersion()).isEqualTo(atB1);
        assertThat(secondPage.getMetadata().getContinue()).as("c came later").isNullOrEmpty();

        String now = client.configMaps().inNamespace(ns).list().getMetadata().getResourceVersion();
        assertThat(byName(list(client, ns, now, null))).containsOnlyKeys("a", "c");
    }

    /**
     * A plain list in pages (kubectl asks for 500 at a time), written to between its pages: every page shows the first
     * page's state, so nothing is listed twice or missed. The names sort differently byte by byte ("a-2" < "a.1" < "a1")
     * than under a locale collation, which would skip or repeat items where the log and the current state meet.
     */
    @ParameterizedTest
    @ValueSource(strings = {"embedded", "postgres"})
    void aListContinuedAfterWritesShowsItsFirstPagesState(String datastore) {
        KubernetesClient client = client(datastore);
        String ns = namespace(client, "continued-" + datastore);
        for (String name : new String[] {"a1", "a.1", "a-2", "b", "c", "d"}) {
            create(client, ns, name, "1", Map.of());
        }
        ConfigMapList first = client.configMaps().inNamespace(ns).list(new ListOptionsBuilder().withLimit(2L).build());
        assertThat(first.getItems()).extracting(cm -> cm.getMetadata().getName()).containsExactly("a-2", "a.1");

        client.configMaps().inNamespace(ns).withName("a-2").withGracePeriod(0).delete(); // on the first page already
        client.configMaps().inNamespace(ns).withName("b").withGracePeriod(0).delete();   // on a later page
        client.configMaps().inNamespace(ns).withName("c").edit(cm -> new ConfigMapBuilder(cm).withData(Map.of("v", "2")).build());
        create(client, ns, "a0", "1", Map.of());                                          // before where the list stopped
        create(client, ns, "bb", "1", Map.of());                                          // ahead of it

        java.util.List<ConfigMap> rest = new java.util.ArrayList<>();
        String token = first.getMetadata().getContinue();
        while (token != null && !token.isEmpty()) {
            ConfigMapList page = client.configMaps().inNamespace(ns).list(new ListOptionsBuilder().withLimit(2L).withContinue(token).build());
            assertThat(page.getMetadata().getResourceVersion()).isEqualTo(first.getMetadata().getResourceVersion());
            rest.addAll(page.getItems());
            token = page.getMetadata().getContinue();
        }
        assertThat(rest).extracting(cm -> cm.getMetadata().getName()).containsExactly("a1", "b", "c", "d");
        assertThat(rest).filteredOn(cm -> cm.getMetadata().getName().equals("c")).singleElement()
                .satisfies(cm -> assertThat(cm.getData()).containsEntry("v", "1"));
        assertThat(client.configMaps().inNamespace(ns).list().getItems()).extracting(cm -> cm.getMetadata().getName())
                .as("a new list sees the writes").containsExactly("a.1", "a0", "a1", "bb", "c", "d");
    }

    @ParameterizedTest
    @ValueSource(strings = {"embedded", "postgres"})
    void aRevisionTheLogNoLongerReachesIsGone(String datastore) {
        KubernetesClient client = client(datastore);
        String ns = namespace(client, "exact-compacted");
        ConfigMap early = create(client, ns, "early", "1", Map.of());
        String atEarly = early.getMetadata().getResourceVersion();
        for (int i = 0; i < RETAIN + 5; i++) {
            create(client, ns, "churn-" + i, "1", Map.of());
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(gone(() -> list(client, ns, atEarly, null))).as("compacted away").isNotNull());
        KubernetesClientException e = gone(() -> list(client, ns, atEarly, null));
        assertThat(e.getStatus().getReason()).isEqualTo("Expired");
        assertThat(e.getStatus().getMessage()).isEqualTo("The resourceVersion for the provided list is too old.");

        // kept in the log, but changed since from a state written before the compaction: that state is lost too
        String beforeChange = client.configMaps().inNamespace(ns).list().getMetadata().getResourceVersion();
        client.configMaps().inNamespace(ns).withName("early")
                .edit(cm -> new ConfigMapBuilder(cm).withData(Map.of("v", "2")).build());
        assertThat(gone(() -> list(client, ns, beforeChange, null))).isNotNull();
    }

    private static KubernetesClientException gone(Runnable list) {
        KubernetesClientException e = catchThrowableOfType(KubernetesClientException.class, list::run);
        if (e != null) {
            assertThat(e.getCode()).as(e.getMessage()).isEqualTo(410);
        }
        return e;
    }

    private static String namespace(KubernetesClient client, String name) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build()).create();
        return name;
    }

    private static ConfigMap create(KubernetesClient client, String ns, String name, String value, Map<String, String> labels) {
        return client.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName(name)
                .withLabels(labels).endMetadata().withData(Map.of("v", value)).build()).create();
    }

    private static ConfigMapList list(KubernetesClient client, String ns, String revision, String labelSelector) {
        return client.configMaps().inNamespace(ns).list(options(revision, labelSelector));
    }

    private static ListOptions options(String revision, String labelSelector) {
        return new ListOptionsBuilder().withResourceVersion(revision).withResourceVersionMatch("Exact")
                .withLabelSelector(labelSelector).build();
    }

    private static Map<String, ConfigMap> byName(ConfigMapList list) {
        return list.getItems().stream().collect(Collectors.toMap(cm -> cm.getMetadata().getName(), Function.identity()));
    }
}
