package dev.coracle.server.api;

import dev.coracle.server.testing.TestDatabases;
import dev.coracle.server.testing.TestServer;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Lists filtered by label selectors, which the database filters on the stored attributes text: look-alike
 * labels (a longer key, a longer value, the same text as a field) must not match, on both datastores.
 */
class LabelSelectorListTest {

    private static final Map<String, TestServer> SERVERS = new ConcurrentHashMap<>();

    private static KubernetesClient client(String datastore) {
        if (datastore.equals("postgres")) {
            Assumptions.assumeTrue(TestDatabases.postgresAvailable(), "needs CORACLE_TEST_POSTGRES (./coracle test)");
        }
        return SERVERS.computeIfAbsent(datastore, s -> s.equals("postgres") ? TestServer.postgres() : TestServer.embedded()).client();
    }

    @AfterAll
    static void stop() {
        SERVERS.values().forEach(TestServer::close);
    }

    @ParameterizedTest
    @ValueSource(strings = {"embedded", "postgres"})
    void onlyObjectsWithExactlyThatLabelAreListed(String datastore) {
        try (KubernetesClient client = client(datastore)) {
            String ns = "selectors-" + System.nanoTime() % 100000;
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
            create(client, ns, "web", Map.of("app", "web"));
            create(client, ns, "web-db-tier", Map.of("app", "web", "tier", "db"));
            create(client, ns, "web2", Map.of("app", "web2"));
            create(client, ns, "xapp", Map.of("xapp", "web"));
            create(client, ns, "prefixed", Map.of("example.com/app", "web"));
            // a label whose key and value read like the name field's text
            create(client, ns, "metadata.name", Map.of("metadata.name", "web"));
            create(client, ns, "none", Map.of());

            assertThat(names(client, ns, "app=web")).containsExactly("web", "web-db-tier");
            assertThat(names(client, ns, "app==web")).containsExactly("web", "web-db-tier");
            assertThat(names(client, ns, "app in (web)")).containsExactly("web", "web-db-tier");
            assertThat(names(client, ns, "app=web,tier=db")).containsExactly("web-db-tier");
            assertThat(names(client, ns, "app=web,tier!=db")).containsExactly("web");
            assertThat(names(client, ns, "app in (web, web2)")).containsExactly("web", "web-db-tier", "web2");
            assertThat(names(client, ns, "example.com/app=web")).containsExactly("prefixed");
            assertThat(names(client, ns, "metadata.name=web")).containsExactly("metadata.name");
            assertThat(names(client, ns, "app")).containsExactly("web", "web-db-tier", "web2");
            assertThat(names(client, ns, "app=nothing")).isEmpty();
            // with a field selector too, and across namespaces
            assertThat(client.configMaps().inNamespace(ns).withLabel("app", "web").withField("metadata.name", "web").list().getItems())
                    .extracting(c -> c.getMetadata().getName()).containsExactly("web");
            assertThat(client.configMaps().inAnyNamespace().withLabel("xapp", "web").list().getItems())
                    .extracting(c -> c.getMetadata().getName()).containsExactly("xapp");
        }
    }

    private static void create(KubernetesClient client, String ns, String name, Map<String, String> labels) {
        client.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName(name).withLabels(labels)
                .endMetadata().build()).create();
    }

    private static List<String> names(KubernetesClient client, String ns, String selector) {
        return client.configMaps().inNamespace(ns).withLabelSelector(selector).list().getItems().stream()
                .map(ConfigMap::getMetadata).map(m -> m.getName()).toList();
    }
}
