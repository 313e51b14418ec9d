package dev.coracle.server.controller.node;

import dev.coracle.server.testing.TestServer;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Node heartbeats through Leases, with timings shortened: a node whose Lease stops being renewed goes
 * Ready=Unknown, is tainted unreachable:NoExecute, and its pods go after their tolerationSeconds.
 */
class NodeLifecycleTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static TestServer server;
    private static KubernetesClient client;
    private static FakeKubelets kubelets;

    @BeforeAll
    static void start() {
        // a grace period well above the fake kubelets' 500 ms heartbeats, so a busy CI machine does not silence them
        server = TestServer.start((String) null, "--coracle.controllers.node-monitor-grace-period=15s",
                "--coracle.controllers.node-monitor-period=500ms");
        client = server.client();
        kubelets = new FakeKubelets(client, 500);
        kubelets.register("n1", "2", "4Gi", Map.of());
        kubelets.register("n2", "2", "4Gi", Map.of());
    }

    @AfterAll
    static void stop() {
        if (kubelets != null) {
            kubelets.close();
        }
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aSilentNodeBecomesUnknownIsTaintedAndLosesItsPodsAfterTheirTolerationSeconds() {
        Toleration shortly = new TolerationBuilder().withKey("node.kubernetes.io/unreachable").withOperator("Exists")
                .withEffect("NoExecute").withTolerationSeconds(2L).build();
        Toleration forever = new TolerationBuilder().withKey("node.kubernetes.io/unreachable").withOperator("Exists")
                .withEffect("NoExecute").build();
        create(pod("short", "n1", shortly));
        create(pod("forever", "n1", forever));
        create(pod("elsewhere", "n2", shortly));
        await().atMost(WAIT).untilAsserted(() -> {
            assertBoundTo("short", "n1");
            assertBoundTo("forever", "n1");
            assertBoundTo("elsewhere", "n2");
        });
        markReady("forever");
        ManagedFieldsEntry registered = managedBy(node("n1"), "fabric8", null);

        Instant stopped = Instant.now();
        kubelets.stop("n1");
        await().atMost(WAIT).untilAsserted(() -> {
            NodeCondition ready = ready(node("n1"));
            assertThat(ready.getStatus()).isEqualTo("Unknown");
            assertThat(ready.getReason()).isEqualTo("NodeStatusUnknown");
            assertThat(ready.getMessage()).isEqualTo("Kubelet stopped posting node status.");
        });
        assertThat(Duration.between(stopped, Instant.now())).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
        await().atMost(WAIT).untilAsserted(() -> {
            Taint unreachable = taint(node("n1"), "node.kubernetes.io/unreachable", "NoExecute");
            assertThat(unreachable).isNotNull();
            assertThat(unreachable.getTimeAdded()).isNotBlank();
            assertThat(taint(node("n1"), "node.kubernetes.io/unreachable", "NoSchedule")).isNotNull();
        });
        // the controller writes the Node it holds in its informer, which keeps no managedFields: the creator's
        // ownership must survive that update, and the controller's own entry must record the taints
        Node tainted1 = node("n1");
        assertThat(managedBy(tainted1, "fabric8", null).getFieldsV1()).isEqualTo(registered.getFieldsV1());
        assertThat(managedBy(tainted1, "kube-controller-manager", null).getFieldsV1().getAdditionalProperties())
                .extractingByKey("f:spec").asString().contains("f:taints");
        assertThat(event("n1", "NodeNotReady")).isNotNull().extracting(Event::getMessage).isEqualTo("Node n1 status is now: NodeNotReady");

        Instant tainted = Instant.now();
        await().atMost(WAIT).until(() -> gone("short"));
        assertThat(Duration.between(tainted, Instant.now())).as("tolerationSeconds 2 honoured").isGreaterThan(Duration.ofSeconds(1));
        assertThat(event("short", "TaintManagerEviction")).isNotNull().extracting(Event::getMessage)
                .isEqualTo("Marking for deletion Pod default/short");
        Pod forgiven = get("forever");
        assertThat(forgiven.getMetadata().getDeletionTimestamp()).isNull();
        assertThat(condition(forgiven, "Ready").getStatus()).isEqualTo("False");
        assertThat(ready(node("n2")).getStatus()).isEqualTo("True");
        assertThat(get("elsewhere").getMetadata().getDeletionTimestamp()).isNull();

        kubelets.resume("n1");
        await().atMost(WAIT).untilAsserted(() -> {
            Node n1 = node("n1");
            assertThat(ready(n1).getStatus()).isEqualTo("True");
            assertThat(taint(n1, "node.kubernetes.io/unreachable", "NoExecute")).isNull();
            assertThat(taint(n1, "node.kubernetes.io/unreachable", "NoSchedule")).isNull();
        });
    }

    @Test
    void anUntoleratedNoExecuteTaintEvictsAtOnce() {
        // several pods: a deletion due at once used to race its own timer and could be lost
        List<String> plain = List.of("plain-0", "plain-1", "plain-2", "plain-3");
        plain.forEach(name -> create(pod(name, "n2")));
        await().atMost(WAIT).untilAsserted(() -> plain.forEach(name -> assertBoundTo(name, "n2")));
        client.nodes().withName("n2").edit(n -> {
            n.getSpec().getTaints().add(new TaintBuilder().withKey("dedicated").withValue("gpu").withEffect("NoExecute").build());
            return n;
        });
        try {
            await().atMost(WAIT).until(() -> plain.stream().allMatch(NodeLifecycleTest::gone));
            for (String name : plain) {
                assertThat(event(name, "TaintManagerEviction")).isNotNull();
                Pod evicted = get(name);
                if (evicted != null) {
                    assertThat(condition(evicted, "DisruptionTarget")).isNotNull().extracting(PodCondition::getReason)
                            .isEqualTo("DeletionByTaintManager");
                }
            }
        } finally {
            client.nodes().withName("n2").edit(n -> {
                n.getSpec().getTaints().removeIf(t -> "dedicated".equals(t.getKey()));
                return n;
            });
        }
    }

    // ---------------------------------------------------------------- helpers

    /** On failure, says what the scheduler said of the pod (its PodScheduled condition and events). */
    private static void assertBoundTo(String pod, String node) {
        Pod current = get(pod);
        assertThat(current.getSpec().getNodeName())
                .as(() -> pod + ": " + current.getStatus().getConditions() + ", events "
                        + client.v1().events().inNamespace("default").withField("involvedObject.name", pod).list().getItems()
                                .stream().map(e -> e.getReason() + ": " + e.getMessage()).toList())
                .isEqualTo(node);
    }

    private static Pod pod(String name, String node, Toleration... tolerations) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("default").endMetadata()
                .withNewSpec().addToNodeSelector("kubernetes.io/hostname", node).withTolerations(List.of(tolerations))
                .addNewContainer().withName("main").withImage("nginx:1.27").endContainer().endSpec().build();
    }

    private static void create(Pod pod) {
        client.pods().inNamespace("default").resource(pod).create();
    }

    private static Pod get(String name) {
        return client.pods().inNamespace("default").withName(name).get();
    }

    /** Deleted: gone, or terminating (its kubelet is not there to confirm). */
    private static boolean gone(String name) {
        Pod pod = get(name);
        return pod == null || pod.getMetadata().getDeletionTimestamp() != null;
    }

    private static void markReady(String name) {
        Pod pod = get(name);
        String now = Instant.now().toString();
        pod.getStatus().setPhase("Running");
        pod.getStatus().getConditions().add(new PodConditionBuilder().withType("Ready").withStatus("True").withLastTransitionTime(now).build());
        client.pods().inNamespace("default").resource(pod).updateStatus();
    }

    private static Node node(String name) {
        return client.nodes().withName(name).get();
    }

    /** The managedFields entry of a manager (by name prefix) for the main resource or a subresource. */
    private static ManagedFieldsEntry managedBy(Node node, String managerPrefix, String subresource) {
        return node.getMetadata().getManagedFields().stream()
                .filter(e -> e.getManager().startsWith(managerPrefix) && java.util.Objects.equals(subresource, e.getSubresource()))
                .findFirst().orElseThrow(() -> new AssertionError("no managedFields entry of " + managerPrefix + " in "
                        + node.getMetadata().getManagedFields()));
    }

    private static NodeCondition ready(Node node) {
        return node.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType())).findFirst().orElseThrow();
    }

    private static Taint taint(Node node, String key, String effect) {
        return node.getSpec().getTaints().stream().filter(t -> key.equals(t.getKey()) && effect.equals(t.getEffect()))
                .findFirst().orElse(null);
    }

    private static PodCondition condition(Pod pod, String type) {
        return pod.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
    }

    private static Event event(String object, String reason) {
        return client.v1().events().inNamespace("default").list().getItems().stream()
                .filter(e -> object.equals(e.getInvolvedObject().getName()) && reason.equals(e.getReason()))
                .reduce((a, b) -> b).orElse(null);
    }
}
