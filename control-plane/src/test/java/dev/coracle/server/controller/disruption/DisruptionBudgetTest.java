package dev.coracle.server.controller.disruption;

import dev.coracle.server.controller.node.FakeKubelets;
import dev.coracle.server.testing.Kubectl;
import dev.coracle.server.testing.TestServer;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.policy.v1.Eviction;
import io.fabric8.kubernetes.api.model.policy.v1.EvictionBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * PodDisruptionBudgets: the disruption controller's status, the eviction subresource spending it (429 when it is
 * spent), and {@code kubectl drain} waiting for the budget, with the real kubectl and a Deployment's real controllers.
 */
class DisruptionBudgetTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static TestServer server;
    private static KubernetesClient client;
    private static FakeKubelets kubelets;

    @TempDir
    Path home;

    @BeforeAll
    static void start() {
        assumeTrue(Kubectl.installed(), "kubectl is not installed at " + Kubectl.PATH);
        server = TestServer.start((String) null, "--coracle.controllers.node-monitor-period=1s",
                "--coracle.scheduler.pod-initial-backoff=100ms", "--coracle.scheduler.pod-max-backoff=500ms");
        client = server.client();
        kubelets = new FakeKubelets(client, 300).finalizingTerminatingPods().startingPods();
        kubelets.register("pdb-1", "4", "8Gi", Map.of());
        kubelets.register("pdb-2", "4", "8Gi", Map.of());
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
    void theBudgetCountsHealthyPodsAndKubectlShowsWhatItAllows() {
        kubectl("create", "deployment", "counted", "--image=nginx:1.27", "--replicas=3");
        kubectl("create", "pdb", "counted", "--selector=app=counted", "--min-available=2");

        await().atMost(WAIT).untilAsserted(() -> {
            PodDisruptionBudget pdb = pdb("counted");
            assertThat(pdb.getStatus().getCurrentHealthy()).isEqualTo(3);
            assertThat(pdb.getStatus().getDesiredHealthy()).isEqualTo(2);
            assertThat(pdb.getStatus().getExpectedPods()).isEqualTo(3);
            assertThat(pdb.getStatus().getDisruptionsAllowed()).isEqualTo(1);
            assertThat(pdb.getStatus().getObservedGeneration()).isEqualTo(1L);
            assertThat(pdb.getStatus().getConditions()).singleElement()
                    .satisfies(c -> assertThat(c.getReason()).isEqualTo("SufficientPods"));
        });
        String table = kubectl("get", "pdb", "counted");
        assertThat(table.lines().toList().get(0)).matches("NAME\\s+MIN AVAILABLE\\s+MAX UNAVAILABLE\\s+ALLOWED DISRUPTIONS\\s+AGE");
        assertThat(table.lines().toList().get(1)).matches("counted\\s+2\\s+N/A\\s+1\\s+\\d+s");

        // maxUnavailable in percent: of the Deployment's 3 replicas, 34 % rounds up to 2 that may be unavailable
        kubectl("patch", "pdb", "counted", "--type=merge", "-p", "{\"spec\":{\"minAvailable\":null,\"maxUnavailable\":\"34%\"}}");
        await().atMost(WAIT).untilAsserted(() -> {
            PodDisruptionBudget pdb = pdb("counted");
            assertThat(pdb.getStatus().getObservedGeneration()).isEqualTo(2L);
            assertThat(pdb.getStatus().getDesiredHealthy()).isEqualTo(1);
            assertThat(pdb.getStatus().getDisruptionsAllowed()).isEqualTo(2);
        });
        kubectl("delete", "pdb", "counted");
        kubectl("delete", "deployment", "counted");
    }

    @Test
    void anEvictionThatWouldBreakTheBudgetIsRefusedWith429() {
        kubectl("create", "deployment", "guarded", "--image=nginx:1.27", "--replicas=2");
        kubectl("create", "pdb", "guarded", "--selector=app=guarded", "--min-available=2");
        await().atMost(WAIT).until(() -> pdb("guarded").getStatus() != null && Integer.valueOf(2).equals(pdb("guarded").getStatus().getCurrentHealthy()));
        Pod victim = pods("app=guarded").get(0);

        HttpResponse<String> refused = server.send("POST", "/api/v1/namespaces/default/pods/" + victim.getMetadata().getName()
                + "/eviction", "application/json", ("{\"apiVersion\":\"policy/v1\",\"kind\":\"Eviction\",\"metadata\":{\"name\":\""
                + victim.getMetadata().getName() + "\"}}").getBytes(StandardCharsets.UTF_8));
        assertThat(refused.statusCode()).isEqualTo(429);
        Status status = Serialization.unmarshal(refused.body(), Status.class);
        assertThat(status.getReason()).isEqualTo("TooManyRequests");
        assertThat(status.getMessage()).isEqualTo("Cannot evict pod as it would violate the pod's disruption budget.");
        assertThat(status.getDetails().getCauses()).singleElement().satisfies(c -> {
            assertThat(c.getReason()).isEqualTo("DisruptionBudget");
            assertThat(c.getMessage()).isEqualTo("The disruption budget guarded needs 2 healthy pods and has 2 currently");
        });
        assertThat(pod(victim.getMetadata().getName()).getMetadata().getDeletionTimestamp()).isNull();

        kubectl("patch", "pdb", "guarded", "--type=merge", "-p", "{\"spec\":{\"minAvailable\":1}}");
        await().atMost(WAIT).until(() -> Integer.valueOf(1).equals(pdb("guarded").getStatus().getDisruptionsAllowed()));
        evict(victim);
        await().atMost(WAIT).until(() -> pod(victim.getMetadata().getName()) == null);
        kubectl("delete", "pdb", "guarded");
        kubectl("delete", "deployment", "guarded");
    }

    @Test
    void drainWaitsForTheBudgetThenEvictsOncePodsAreHealthyElsewhere() {
        kubectl("create", "deployment", "drained", "--image=nginx:1.27", "--replicas=2");
        kubectl("create", "pdb", "drained", "--selector=app=drained", "--min-available=1");
        await().atMost(WAIT).until(() -> pdb("drained").getStatus() != null && Integer.valueOf(1).equals(pdb("drained").getStatus().getDisruptionsAllowed()));
        kubectl("cordon", "pdb-1");
        kubectl("cordon", "pdb-2");
        // both pods onto pdb-2's way out: move them by hand is not possible, so drain the node that holds any of them
        String node = pods("app=drained").get(0).getSpec().getNodeName();
        String other = node.equals("pdb-1") ? "pdb-2" : "pdb-1";
        kubectl("uncordon", other);

        String drained = kubectl("drain", node, "--ignore-daemonsets", "--timeout=50s");

        assertThat(drained).contains("node/" + node + " drained");
        await().atMost(WAIT).untilAsserted(() -> {
            List<Pod> now = pods("app=drained");
            assertThat(now).hasSize(2).allSatisfy(p -> assertThat(p.getSpec().getNodeName()).isEqualTo(other));
        });
        kubectl("uncordon", node);
        kubectl("delete", "pdb", "drained");
        kubectl("delete", "deployment", "drained");
    }

    @Test
    void aBudgetWithBothBoundsIsInvalid() {
        PodDisruptionBudget both = new PodDisruptionBudgetBuilder().withNewMetadata().withName("both").endMetadata()
                .withNewSpec().withMinAvailable(new IntOrString(1)).withMaxUnavailable(new IntOrString("50%"))
                .withNewSelector().addToMatchLabels("app", "x").endSelector().endSpec().build();
        assertThatThrownBy(() -> client.policy().v1().podDisruptionBudget().inNamespace("default").resource(both).create())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(422);
                    assertThat(e.getStatus().getDetails().getCauses()).extracting(c -> c.getField()).containsExactly("spec");
                    assertThat(e.getStatus().getMessage()).contains("minAvailable and maxUnavailable cannot be both set");
                });
    }

    // ---------------------------------------------------------------- helpers

    private static void evict(Pod pod) {
        Eviction eviction = new EvictionBuilder().withNewMetadata().withName(pod.getMetadata().getName())
                .withNamespace("default").endMetadata().build();
        if (!client.pods().inNamespace("default").withName(pod.getMetadata().getName()).evict(eviction)) {
            throw new KubernetesClientException("eviction refused", 429, null);
        }
    }

    private static PodDisruptionBudget pdb(String name) {
        return client.policy().v1().podDisruptionBudget().inNamespace("default").withName(name).get();
    }

    private static Pod pod(String name) {
        return client.pods().inNamespace("default").withName(name).get();
    }

    private static List<Pod> pods(String selector) {
        return client.pods().inNamespace("default").withLabelSelector(selector).list().getItems().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
    }

    /** The real kubectl; fails the test unless it exits 0. */
    private String kubectl(String... args) {
        return new Kubectl(server, home).succeeds(args);
    }
}
