package dev.coracle.server.api;

import dev.coracle.server.testing.Kubectl;
import dev.coracle.server.testing.TestServer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What the server fills in on create from shared state (a pod's service account, a Service's cluster IP and node
 * ports) is stored but owned by no field manager, as on Kubernetes, where admission and the registry assign it after
 * the field manager ran; what the client sent, and the defaults, belong to the client.
 */
class AssignedFieldsOwnershipTest {

    @AutoClose
    private static final TestServer server = TestServer.start((String) null).awaitReady();

    @TempDir
    Path home;

    @Test
    void aPodsServiceAccountIsAssignedButNotOwned() {
        Kubectl kubectl = new Kubectl(server, home);
        // the namespace's default account is created by its controller; the pod waits for it as on Kubernetes
        await().atMost(Duration.ofSeconds(20)).until(() -> kubectl.run("get", "serviceaccount", "default").exitCode() == 0);
        kubectl.succeeds("run", "web", "--image=nginx:1.27");

        JsonNode pod = Json.readTree(kubectl.succeeds("get", "pod", "web", "-o", "json", "--show-managed-fields").getBytes());
        assertThat(pod.at("/spec/serviceAccountName").asString()).isEqualTo("default");
        JsonNode spec = entry(pod, "kubectl-run").at("/fieldsV1/f:spec");
        assertThat(spec.has("f:containers")).isTrue();
        assertThat(spec.has("f:dnsPolicy")).as("a default is the creator's").isTrue();
        assertThat(spec.has("f:serviceAccountName")).isFalse();
        assertThat(spec.has("f:serviceAccount")).isFalse();
    }

    @Test
    void aServicesClusterIpAndNodePortsAreAssignedButNotOwned() {
        Kubectl kubectl = new Kubectl(server, home);
        kubectl.succeeds("create", "service", "nodeport", "shop", "--tcp=80:8080");

        JsonNode service = Json.readTree(kubectl.succeeds("get", "service", "shop", "-o", "json", "--show-managed-fields").getBytes());
        assertThat(service.at("/spec/clusterIP").asString()).isNotEmpty();
        assertThat(service.at("/spec/ports/0/nodePort").asInt()).isPositive();
        JsonNode spec = entry(service, "kubectl-create").at("/fieldsV1/f:spec");
        assertThat(spec.has("f:type")).isTrue();
        assertThat(spec.has("f:clusterIP")).isFalse();
        assertThat(spec.has("f:clusterIPs")).isFalse();
        JsonNode port = onlyPort(spec.at("/f:ports"));
        assertThat(port.has("f:port")).isTrue();
        assertThat(port.has("f:targetPort")).isTrue();
        assertThat(port.has("f:nodePort")).isFalse();
    }

    @Test
    void aNodePortTheClientAsksForIsOwnedByIt() {
        Kubectl kubectl = new Kubectl(server, home);
        kubectl.succeeds("create", "service", "nodeport", "fixed", "--tcp=80:8080", "--node-port=30080");

        JsonNode service = Json.readTree(kubectl.succeeds("get", "service", "fixed", "-o", "json", "--show-managed-fields").getBytes());
        JsonNode port = onlyPort(entry(service, "kubectl-create").at("/fieldsV1/f:spec/f:ports"));
        assertThat(port.has("f:nodePort")).isTrue();
    }

    /** The one item of a list-map of ports, under its {@code k:{"port":80,"protocol":"TCP"}} key. */
    private static JsonNode onlyPort(JsonNode ports) {
        return ports.properties().stream().filter(p -> p.getKey().startsWith("k:")).findFirst().orElseThrow().getValue();
    }

    private static JsonNode entry(JsonNode object, String manager) {
        for (JsonNode e : object.at("/metadata/managedFields")) {
            if (manager.equals(e.path("manager").asString())) {
                return e;
            }
        }
        throw new AssertionError("no managedFields entry of " + manager + " in " + object.at("/metadata/managedFields"));
    }
}
