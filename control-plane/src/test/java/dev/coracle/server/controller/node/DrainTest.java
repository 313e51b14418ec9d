package dev.coracle.server.controller.node;

import dev.coracle.server.testing.Kubectl;
import dev.coracle.server.testing.TestServer;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code kubectl cordon}, {@code uncordon} and {@code drain} (the real kubectl) against the server and its scheduler. */
class DrainTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static TestServer server;
    private static KubernetesClient client;
    private static FakeKubelets kubelets;

    @TempDir
    Path home;

    @BeforeAll
    static void start() {
        assumeTrue(Kubectl.installed(), "kubectl is not installed at " + Kubectl.PATH);
        // the pods here name owners that do not exist: without the garbage collector they are left alone
        server = TestServer.start((String) null, "--coracle.controllers.disabled=garbagecollector", "--coracle.controllers.node-monitor-period=1s",
                "--coracle.scheduler.pod-initial-backoff=100ms", "--coracle.scheduler.pod-max-backoff=500ms");
        client = server.client();
        kubelets = new FakeKubelets(client, 1000).finalizingTerminatingPods();
        kubelets.register("agent-1", "2", "4Gi", Map.of());
        kubelets.register("agent-2", "2", "4Gi", Map.of());
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
    void cordonKeepsNewPodsOffAndUncordonLetsThemBack() {
        assertThat(kubectl("cordon", "agent-1").out()).isEqualTo("node/agent-1 cordoned\n");
        assertThat(client.nodes().withName("agent-1").get().getSpec().getUnschedulable()).isTrue();
        assertThat(kubectl("get", "node", "agent-1", "--no-headers").out()).contains(" Ready,SchedulingDisabled ");
        await().atMost(WAIT).until(() -> taint("agent-1", "node.kubernetes.io/unschedulable") != null);

        create(pod("pinned", "agent-1", null, false));
        await().atMost(WAIT).untilAsserted(() -> assertThat(scheduled(get("pinned"))).isNotNull().extracting(PodCondition::getMessage)
                .isEqualTo("0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) were unschedulable. "
                        + "preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling."));

        assertThat(kubectl("uncordon", "agent-1").out()).isEqualTo("node/agent-1 uncordoned\n");
        await().atMost(WAIT).until(() -> "agent-1".equals(get("pinned").getSpec().getNodeName()));
        await().atMost(WAIT).until(() -> taint("agent-1", "node.kubernetes.io/unschedulable") == null);
        assertThat(kubectl("get", "node", "agent-1", "--no-headers").out()).contains(" Ready ");
        client.pods().inNamespace("default").withName("pinned").withGracePeriod(0).delete();
    }

    @Test
    void drainEvictsEveryPodAndLeavesTheNodeCordoned() {
        String rs = UUID.randomUUID().toString();
        create(pod("drained-a", "agent-2", rs, false));
        create(pod("drained-b", "agent-2", rs, true));
        create(pod("staying", "agent-1", rs, false));
        await().atMost(WAIT).until(() -> "agent-2".equals(get("drained-a").getSpec().getNodeName())
                && "agent-2".equals(get("drained-b").getSpec().getNodeName()) && "agent-1".equals(get("staying").getSpec().getNodeName()));

        Kubectl.Result refused = kubectl(false, "drain", "agent-2", "--ignore-daemonsets", "--timeout=30s");
        assertThat(refused.exitCode()).isNotZero();
        assertThat(refused.out()).contains("node/agent-2 cordoned");
        assertThat(refused.err()).contains("cannot delete Pods with local storage (use --delete-emptydir-data to override): default/drained-b");

        // with its kubelet gone, only the eviction's gracePeriodSeconds 0 lets the pods go
        kubelets.stop("agent-2");
        Kubectl.Result drained = kubectl("drain", "agent-2", "--ignore-daemonsets", "--delete-emptydir-data", "--grace-period=0", "--timeout=60s");
        assertThat(drained.out()).contains("node/agent-2 already cordoned").contains("evicting pod default/drained-a")
                .contains("pod/drained-a evicted").contains("pod/drained-b evicted").contains("node/agent-2 drained");
        assertThat(get("drained-a")).isNull();
        assertThat(get("drained-b")).isNull();
        assertThat(get("staying").getMetadata().getDeletionTimestamp()).isNull();
        assertThat(kubectl("get", "node", "agent-2", "--no-headers").out()).contains(" Ready,SchedulingDisabled ");
        kubelets.resume("agent-2");
        kubectl("uncordon", "agent-2");
        client.pods().inNamespace("default").withName("staying").withGracePeriod(0).delete();
    }

    // ---------------------------------------------------------------- helpers

    private Kubectl.Result kubectl(String... args) {
        return kubectl(true, args);
    }

    private Kubectl.Result kubectl(boolean mustSucceed, String... args) {
        Kubectl.Result r = new Kubectl(server, home).run(args);
        if (mustSucceed) {
            assertThat(r.exitCode()).as("kubectl %s failed: %s", String.join(" ", args), r.err()).isZero();
        }
        return r;
    }

    private static Pod pod(String name, String node, String owner, boolean emptyDir) {
        PodBuilder b = new PodBuilder().withNewMetadata().withName(name).withNamespace("default").endMetadata()
                .withNewSpec().addToNodeSelector("kubernetes.io/hostname", node)
                .addNewContainer().withName("main").withImage("nginx:1.27").endContainer().endSpec();
        if (owner != null) {
            b.editMetadata().addToOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("ReplicaSet")
                    .withName("web").withUid(owner).withController(true).build()).endMetadata();
        }
        if (emptyDir) {
            b.editSpec().addNewVolume().withName("scratch").withNewEmptyDir().endEmptyDir().endVolume().endSpec();
        }
        return b.build();
    }

    private static void create(Pod pod) {
        client.pods().inNamespace("default").resource(pod).create();
    }

    private static Pod get(String name) {
        return client.pods().inNamespace("default").withName(name).get();
    }

    private static PodCondition scheduled(Pod pod) {
        return pod.getStatus().getConditions().stream().filter(c -> "PodScheduled".equals(c.getType())).findFirst().orElse(null);
    }

    private static Taint taint(String node, String key) {
        return client.nodes().withName(node).get().getSpec().getTaints().stream().filter(t -> key.equals(t.getKey()))
                .findFirst().orElse(null);
    }
}
