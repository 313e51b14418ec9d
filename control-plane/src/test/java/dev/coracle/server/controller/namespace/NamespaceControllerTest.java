package dev.coracle.server.controller.namespace;

import dev.coracle.server.controller.replicaset.Cluster;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceCondition;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Namespace deletion on a real server: everything inside goes, then the namespace itself. */
class NamespaceControllerTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private final Cluster cluster = Cluster.get();
    private final KubernetesClient client = cluster.client();

    private Cluster.Result kubectl(String... args) {
        assumeTrue(Cluster.kubectlAvailable(), "kubectl is not installed at " + Cluster.KUBECTL);
        return cluster.kubectl(args);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + WAIT.toSeconds() + "s waiting until " + what);
            }
            Thread.sleep(50);
        }
    }

    private void namespace(String ns) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
    }

    private static NamespaceCondition condition(Namespace ns, String type) {
        return ns.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
    }

    @Test
    void kubectlDeleteNamespaceReturnsOnceEverythingInItIsGone() throws Exception {
        String ns = "demo";
        namespace(ns);
        Map<String, String> labels = Map.of("app", "web");
        client.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName("settings").endMetadata()
                .addToData("color", "blue").build()).create();
        client.secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata().withName("token").endMetadata()
                .addToStringData("token", "s3cr3t").build()).create();
        client.services().inNamespace(ns).resource(new ServiceBuilder().withNewMetadata().withName("web").endMetadata()
                .withNewSpec().withSelector(labels).addNewPort().withPort(80).endPort().endSpec().build()).create();
        client.apps().deployments().inNamespace(ns).resource(new DeploymentBuilder()
                .withNewMetadata().withName("web").endMetadata()
                .withNewSpec().withReplicas(2).withNewSelector().withMatchLabels(labels).endSelector()
                .withNewTemplate().withNewMetadata().withLabels(labels).endMetadata()
                .withNewSpec().addNewContainer().withName("nginx").withImage("nginx").endContainer().endSpec().endTemplate()
                .endSpec().build()).create();
        await("the Deployment has its pods", () -> client.pods().inNamespace(ns).list().getItems().size() == 2);

        String deleted = kubectl("delete", "namespace", ns).outOrFail();

        assertThat(deleted).contains("namespace \"demo\" deleted");
        assertThat(client.namespaces().withName(ns).get()).as("kubectl returned after the namespace was gone").isNull();
        assertThat(kubectl("get", "namespaces", "-o", "name").outOrFail()).contains("namespace/default").doesNotContain("namespace/demo");
        assertThat(client.configMaps().inNamespace(ns).list().getItems()).isEmpty();
        assertThat(client.secrets().inNamespace(ns).list().getItems()).isEmpty();
        assertThat(client.services().inNamespace(ns).list().getItems()).isEmpty();
        assertThat(client.endpoints().inNamespace(ns).list().getItems()).isEmpty();
        assertThat(client.apps().deployments().inNamespace(ns).list().getItems()).isEmpty();
        assertThat(client.apps().replicaSets().inNamespace(ns).list().getItems()).isEmpty();
        assertThat(client.pods().inNamespace(ns).list().getItems()).isEmpty();
    }

    @Test
    void contentHeldByAFinalizerKeepsTheNamespaceTerminatingAndSaysWhy() throws Exception {
        String ns = "held";
        namespace(ns);
        client.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName("kept")
                .addToFinalizers("example.com/hold").endMetadata().build()).create();
        client.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName("free").endMetadata().build()).create();

        client.namespaces().withName(ns).delete();

        await("the conditions tell what remains", () -> {
            Namespace n = client.namespaces().withName(ns).get();
            NamespaceCondition finalizers = condition(n, "NamespaceFinalizersRemaining");
            return finalizers != null && "True".equals(finalizers.getStatus());
        });
        Namespace terminating = client.namespaces().withName(ns).get();
        assertThat(terminating.getStatus().getPhase()).isEqualTo("Terminating");
        assertThat(terminating.getSpec().getFinalizers()).containsExactly("kubernetes");
        assertThat(terminating.getStatus().getConditions()).extracting(NamespaceCondition::getType).containsExactly(
                "NamespaceDeletionDiscoveryFailure", "NamespaceDeletionGroupVersionParsingFailure", "NamespaceDeletionContentFailure",
                "NamespaceContentRemaining", "NamespaceFinalizersRemaining");
        NamespaceCondition content = condition(terminating, "NamespaceContentRemaining");
        assertThat(content.getStatus()).isEqualTo("True");
        assertThat(content.getReason()).isEqualTo("SomeResourcesRemain");
        assertThat(content.getMessage()).isEqualTo("Some resources are remaining: configmaps. has 1 resource instances");
        NamespaceCondition finalizers = condition(terminating, "NamespaceFinalizersRemaining");
        assertThat(finalizers.getReason()).isEqualTo("SomeFinalizersRemain");
        assertThat(finalizers.getMessage())
                .isEqualTo("Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances");
        NamespaceCondition failure = condition(terminating, "NamespaceDeletionContentFailure");
        assertThat(failure.getStatus()).isEqualTo("False");
        assertThat(failure.getReason()).isEqualTo("ContentDeleted");
        assertThat(client.configMaps().inNamespace(ns).withName("free").get()).isNull();
        assertThat(client.configMaps().inNamespace(ns).withName("kept").get().getMetadata().getDeletionTimestamp()).isNotNull();
        assertThatThrownBy(() -> client.configMaps().inNamespace(ns).resource(new ConfigMapBuilder()
                .withNewMetadata().withName("late").endMetadata().build()).create())
                .isInstanceOf(KubernetesClientException.class).hasMessageContaining("because it is being terminated");

        client.configMaps().inNamespace(ns).withName("kept")
                .edit(c -> new ConfigMapBuilder(c).editMetadata().withFinalizers().endMetadata().build());

        await("the namespace goes once its last object has", () -> client.namespaces().withName(ns).get() == null);
    }
}
