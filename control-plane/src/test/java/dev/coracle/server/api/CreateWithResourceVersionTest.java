package dev.coracle.server.api;

import dev.coracle.server.testing.Kubectl;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import dev.coracle.server.testing.TestServer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

/**
 * A client creating an object it read back, {@code metadata.resourceVersion} and all: Kubernetes' storage refuses
 * it ("resourceVersion should not be set on objects to be created"; a 500 there, a 400 here), except under a dry
 * run, which never reaches the storage. kubectl clears the field itself before it creates.
 */
class CreateWithResourceVersionTest {

    @AutoClose
    private static final TestServer server = TestServer.start((String) null, "--coracle.controllers.enabled=false").awaitReady();

    @TempDir
    Path home;

    @Test
    void anObjectReadBackCannotBeCreatedAgainAsItIs() {
        try (KubernetesClient client = server.client()) {
            ConfigMap read = client.configMaps().inNamespace("default").resource(new ConfigMapBuilder()
                    .withNewMetadata().withName("read-back").endMetadata().addToData("k", "v").build()).create();
            assertThat(read.getMetadata().getResourceVersion()).isNotEmpty();
            client.configMaps().inNamespace("default").withName("read-back").delete();
            await().atMost(Duration.ofSeconds(10)).until(() -> client.configMaps().inNamespace("default").withName("read-back").get() == null);

            ConfigMap dryRun = client.configMaps().inNamespace("default").resource(read).dryRun().create();
            assertThat(dryRun.getMetadata().getName()).as("a dry run never reaches the storage check").isEqualTo("read-back");

            KubernetesClientException refused = catchThrowableOfType(KubernetesClientException.class,
                    () -> client.configMaps().inNamespace("default").resource(read).create());
            assertThat(refused).as("refused").isNotNull();
            assertThat(refused.getCode()).isEqualTo(400);
            assertThat(refused.getStatus().getMessage()).isEqualTo("resourceVersion should not be set on objects to be created");
            assertThat(client.configMaps().inNamespace("default").withName("read-back").get()).as("nothing stored").isNull();
        }
    }

    @Test
    void kubectlClearsItAsItDoesForKubernetes() throws IOException {
        assertThat(kubectl("create", "configmap", "saved", "--from-literal=k=v").exitCode()).isZero();
        Path saved = home.resolve("saved.yaml");
        Files.writeString(saved, kubectl("get", "configmap", "saved", "-o", "yaml").out());
        assertThat(Files.readString(saved)).contains("resourceVersion:");
        assertThat(kubectl("delete", "configmap", "saved").exitCode()).isZero();

        // kubectl's resource helper empties metadata.resourceVersion before it creates, so the saved file goes through
        Kubectl.Result create = kubectl("create", "-f", saved.toString());
        assertThat(create.exitCode()).as(create.err()).isZero();
        assertThat(create.out()).isEqualTo("configmap/saved created\n");
    }

    private Kubectl.Result kubectl(String... args) {
        return new Kubectl(server, home).run(args);
    }
}
