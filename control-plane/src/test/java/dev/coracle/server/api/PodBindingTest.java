package dev.coracle.server.api;

import dev.coracle.server.testing.Kubectl;
import dev.coracle.server.testing.TestServer;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * pods/binding as a scheduler (or {@code kubectl create --raw}) posts it: the pod gets its node, the binding's
 * annotations and PodScheduled=True; a second binding, a binding for another pod of the same name (uid) or for a
 * pod being deleted is a 409, as Kubernetes' assignPod answers.
 */
class PodBindingTest {

    // no scheduler: the test is the one that binds
    @AutoClose
    private static final TestServer server = TestServer.start((String) null, "--coracle.controllers.enabled=false").awaitReady();

    @TempDir
    Path home;

    @Test
    void aBindingAssignsTheNodeAndMarksThePodScheduled() throws IOException {
        try (KubernetesClient client = server.client()) {
            Pod created = client.pods().inNamespace("default").resource(pod("bound")).create();
            String managedBefore = Json.write(created.getMetadata().getManagedFields());

            Kubectl.Result bound = bind("bound", "{\"metadata\":{\"name\":\"bound\",\"uid\":\"" + created.getMetadata().getUid()
                    + "\",\"annotations\":{\"example.com/placed-by\":\"test\"}},\"target\":{\"kind\":\"Node\",\"name\":\"node-a\"}}");
            assertThat(bound.exitCode()).as(bound.err()).isZero();

            Pod pod = client.pods().inNamespace("default").withName("bound").get();
            assertThat(pod.getSpec().getNodeName()).isEqualTo("node-a");
            assertThat(pod.getMetadata().getAnnotations()).containsEntry("example.com/placed-by", "test");
            assertThat(pod.getStatus().getConditions()).filteredOn(c -> "PodScheduled".equals(c.getType()))
                    .singleElement().satisfies(c -> {
                        assertThat(c.getStatus()).isEqualTo("True");
                        assertThat(c.getLastTransitionTime()).isNotEmpty();
                    });
            assertThat(Json.write(pod.getMetadata().getManagedFields())).as("the API server's own write tracks no fields")
                    .isEqualTo(managedBefore);
            assertThat(kubectl("get", "pods", "--field-selector", "spec.nodeName=node-a", "-o", "name").out())
                    .as("the field selector sees the node").isEqualTo("pod/bound\n");
        }
    }

    @Test
    void aPodIsBoundOnce() throws IOException {
        try (KubernetesClient client = server.client()) {
            client.pods().inNamespace("default").resource(pod("once")).create();
            assertThat(bind("once", binding("once", "node-a")).exitCode()).isZero();

            Kubectl.Result again = bind("once", binding("once", "node-b"));
            assertThat(again.exitCode()).isNotZero();
            assertThat(again.err()).contains("Operation cannot be fulfilled on pods/binding \"once\": pod once is already assigned to node \"node-a\"");
            assertThat(client.pods().inNamespace("default").withName("once").get().getSpec().getNodeName()).isEqualTo("node-a");
        }
    }

    @Test
    void aBindingForAnotherPodOfTheSameNameIsRefused() throws IOException {
        try (KubernetesClient client = server.client()) {
            Pod created = client.pods().inNamespace("default").resource(pod("renamed")).create();
            Kubectl.Result stale = bind("renamed", "{\"metadata\":{\"name\":\"renamed\",\"uid\":\"not-" + created.getMetadata().getUid()
                    + "\"},\"target\":{\"kind\":\"Node\",\"name\":\"node-a\"}}");
            assertThat(stale.exitCode()).isNotZero();
            assertThat(stale.err()).contains("Precondition failed: UID in precondition: not-" + created.getMetadata().getUid());
            assertThat(client.pods().inNamespace("default").withName("renamed").get().getSpec().getNodeName()).isNull();
        }
    }

    @Test
    void aPodBeingDeletedIsNotBound() throws IOException {
        try (KubernetesClient client = server.client()) {
            client.pods().inNamespace("default").resource(new PodBuilder(pod("leaving")).editMetadata()
                    .addToFinalizers("example.com/hold").endMetadata().build()).create();
            client.pods().inNamespace("default").withName("leaving").delete();

            Kubectl.Result refused = bind("leaving", binding("leaving", "node-a"));
            assertThat(refused.exitCode()).isNotZero();
            assertThat(refused.err()).contains("pod leaving is being deleted, cannot be assigned to a host");
        }
    }

    @Test
    void bindingAMissingPodIsNotFound() throws IOException {
        Kubectl.Result missing = bind("nowhere", binding("nowhere", "node-a"));
        assertThat(missing.exitCode()).isNotZero();
        assertThat(missing.err()).contains("pods \"nowhere\" not found");
    }

    private Kubectl.Result bind(String pod, String binding) throws IOException {
        Path file = home.resolve(pod + "-binding.json");
        Files.writeString(file, binding);
        return kubectl("create", "--raw", "/api/v1/namespaces/default/pods/" + pod + "/binding", "-f", file.toString());
    }

    private static String binding(String pod, String node) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"Binding\",\"metadata\":{\"name\":\"" + pod + "\"},"
                + "\"target\":{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"name\":\"" + node + "\"}}";
    }

    private static Pod pod(String name) {
        return new PodBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().addNewContainer().withName("main").withImage("registry.k8s.io/pause:3.10").endContainer().endSpec().build();
    }

    private Kubectl.Result kubectl(String... args) {
        return new Kubectl(server, home).run(args);
    }
}
