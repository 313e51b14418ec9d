package dev.coracle.server.scheduler;

import dev.coracle.server.controller.node.FakeKubelets;
import dev.coracle.server.testing.TestServer;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodAffinityTermBuilder;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraintBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The scheduler against a real server: a k3s-like cluster of a tainted server node and two agents,
 * registered and heartbeating through the API.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SchedulerTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static TestServer server;
    private static KubernetesClient client;
    private static FakeKubelets kubelets;

    @BeforeAll
    static void start() {
        // the pods here name owners that do not exist: without the garbage collector they are left alone
        server = TestServer.start((String) null, "--coracle.controllers.disabled=garbagecollector", "--coracle.scheduler.pod-initial-backoff=100ms", "--coracle.scheduler.pod-max-backoff=500ms",
                "--coracle.controllers.node-monitor-period=1s");
        client = server.client();
        kubelets = new FakeKubelets(client, 1000);
        kubelets.register("server", "2", "4Gi", Map.of("node-role.kubernetes.io/control-plane", "true"),
                new TaintBuilder().withKey("k3s-controlplane").withValue("true").withEffect("NoExecute").build());
        kubelets.register("agent-1", "2", "4Gi", Map.of());
        kubelets.register("agent-2", "2", "4Gi", Map.of("disk", "ssd"));
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
    @Order(1)
    void aPodTooBigForEveryNodeStaysPendingWithKubernetesWords() {
        create(pod("too-big", "3", p -> {
        }));
        String message = "0/3 nodes are available: 1 node(s) had untolerated taint {k3s-controlplane: true}, 2 Insufficient cpu. "
                + "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.";
        await().atMost(WAIT).untilAsserted(() -> {
            PodCondition scheduled = condition(get("too-big"), "PodScheduled");
            assertThat(scheduled).isNotNull();
            assertThat(scheduled.getStatus()).isEqualTo("False");
            assertThat(scheduled.getReason()).isEqualTo("Unschedulable");
            assertThat(scheduled.getMessage()).isEqualTo(message);
        });
        // written with kube-scheduler's own client, as in Kubernetes: the condition is kube-scheduler's, not the controllers'
        assertThat(get("too-big").getMetadata().getManagedFields())
                .filteredOn(f -> "status".equals(f.getSubresource()))
                .singleElement().satisfies(f -> {
                    assertThat(f.getManager()).isEqualTo("kube-scheduler");
                    assertThat(f.getOperation()).isEqualTo("Update");
                    assertThat(f.getFieldsV1().getAdditionalProperties().toString()).contains("PodScheduled");
                });
        await().atMost(WAIT).untilAsserted(() -> {
            Event event = event("too-big", "FailedScheduling");
            assertThat(event).isNotNull();
            assertThat(event.getType()).isEqualTo("Warning");
            assertThat(event.getMessage()).isEqualTo(message);
            assertThat(event.getSource().getComponent()).isEqualTo("default-scheduler");
            assertThat(event.getMetadata().getManagedFields()).extracting(f -> f.getManager()).containsOnly("kube-scheduler");
        });
        assertThat(get("too-big").getSpec().getNodeName()).isNull();
        assertThat(get("too-big").getStatus().getPhase()).isEqualTo("Pending");
        deleteNow("too-big");
    }

    @Test
    @Order(2)
    void aTakenHostPortKeepsTheSecondPodOff() {
        Consumer<PodBuilder> onAgent1WithPort = p -> p.editSpec().addToNodeSelector("kubernetes.io/hostname", "agent-1")
                .editFirstContainer().withPorts(new ContainerPortBuilder().withContainerPort(80).withHostPort(8080).build())
                .endContainer().endSpec();
        create(pod("port-a", "100m", onAgent1WithPort));
        await().atMost(WAIT).until(() -> "agent-1".equals(get("port-a").getSpec().getNodeName()));
        create(pod("port-b", "100m", onAgent1WithPort));
        await().atMost(WAIT).untilAsserted(() -> assertThat(condition(get("port-b"), "PodScheduled")).isNotNull()
                .extracting(PodCondition::getMessage).isEqualTo("0/3 nodes are available: 1 node(s) didn't have free ports for the "
                        + "requested pod ports, 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint "
                        + "{k3s-controlplane: true}. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming "
                        + "pod, 2 Preemption is not helpful for scheduling."));
        deleteNow("port-a");
        await().atMost(WAIT).until(() -> "agent-1".equals(get("port-b").getSpec().getNodeName()));
        deleteNow("port-b");
    }

    @Test
    @Order(3)
    void nodeSelectorPicksTheLabelledNode() {
        for (int i = 0; i < 3; i++) {
            create(pod("ssd-" + i, "100m", p -> p.editSpec().addToNodeSelector("disk", "ssd").endSpec()));
        }
        await().atMost(WAIT).untilAsserted(() -> {
            for (int i = 0; i < 3; i++) {
                assertThat(get("ssd-" + i).getSpec().getNodeName()).isEqualTo("agent-2");
            }
        });
        PodCondition scheduled = condition(get("ssd-0"), "PodScheduled");
        assertThat(scheduled.getStatus()).isEqualTo("True");
        await().atMost(WAIT).untilAsserted(() -> assertThat(event("ssd-0", "Scheduled")).isNotNull()
                .extracting(Event::getMessage).isEqualTo("Successfully assigned default/ssd-0 to agent-2"));
        for (int i = 0; i < 3; i++) {
            deleteNow("ssd-" + i);
        }
    }

    @Test
    @Order(4)
    void theControlPlaneTaintKeepsWorkloadsOffTheServer() {
        for (int i = 0; i < 8; i++) {
            create(pod("work-" + i, "10m", p -> {
            }));
        }
        create(pod("tolerant", "10m", p -> p.editSpec().addToNodeSelector("kubernetes.io/hostname", "server")
                .addToTolerations(new TolerationBuilder().withKey("k3s-controlplane").withOperator("Exists").withEffect("NoExecute").build())
                .endSpec()));
        await().atMost(WAIT).untilAsserted(() -> {
            for (int i = 0; i < 8; i++) {
                assertThat(get("work-" + i).getSpec().getNodeName()).isIn("agent-1", "agent-2");
            }
            assertThat(get("tolerant").getSpec().getNodeName()).isEqualTo("server");
        });
        for (int i = 0; i < 8; i++) {
            deleteNow("work-" + i);
        }
        deleteNow("tolerant");
    }

    @Test
    @Order(5)
    void podsOfOneOwnerAreSpreadAcrossNodes() {
        String uid = UUID.randomUUID().toString();
        for (int i = 0; i < 6; i++) {
            create(pod("web-" + i, "50m", p -> p.editMetadata().addToOwnerReferences(new OwnerReferenceBuilder()
                    .withApiVersion("apps/v1").withKind("ReplicaSet").withName("web").withUid(uid).withController(true)
                    .withBlockOwnerDeletion(true).build()).endMetadata()));
        }
        await().atMost(WAIT).until(() -> nodesOf("web-", 6).stream().allMatch(n -> n != null));
        Map<String, Long> perNode = nodesOf("web-", 6).stream().collect(Collectors.groupingBy(n -> n, Collectors.counting()));
        assertThat(perNode).containsOnlyKeys("agent-1", "agent-2");
        assertThat(perNode.values()).containsOnly(3L);
        for (int i = 0; i < 6; i++) {
            deleteNow("web-" + i);
        }
    }

    @Test
    @Order(6)
    void aBurstNeverOvercommitsANode() throws Exception {
        ExecutorService creators = Executors.newFixedThreadPool(4);
        try {
            for (int i = 0; i < 8; i++) {
                String name = "burst-" + i;
                creators.submit(() -> create(pod(name, "700m", p -> {
                })));
            }
        } finally {
            creators.shutdown();
            assertThat(creators.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
        // 2 cpu per agent: two 700m pods each, the other four stay pending
        await().atMost(WAIT).until(() -> nodesOf("burst-", 8).stream().filter(n -> n != null).count() == 4
                && client.pods().inNamespace("default").list().getItems().stream()
                .filter(p -> p.getMetadata().getName().startsWith("burst-") && p.getSpec().getNodeName() == null)
                .allMatch(p -> condition(p, "PodScheduled") != null));
        for (String node : List.of("agent-1", "agent-2")) {
            long milli = client.pods().inNamespace("default").withField("spec.nodeName", node).list().getItems().stream()
                    .mapToLong(p -> p.getSpec().getContainers().stream().mapToLong(c ->
                            Resource.milli(c.getResources().getRequests().getOrDefault("cpu", new Quantity("0")))).sum())
                    .sum();
            assertThat(milli).as("cpu requested on %s", node).isLessThanOrEqualTo(2000);
        }
        PodCondition pending = client.pods().inNamespace("default").list().getItems().stream()
                .filter(p -> p.getMetadata().getName().startsWith("burst-") && p.getSpec().getNodeName() == null)
                .map(p -> condition(p, "PodScheduled")).findFirst().orElseThrow();
        assertThat(pending.getMessage()).isEqualTo("0/3 nodes are available: 1 node(s) had untolerated taint {k3s-controlplane: true}, "
                + "2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, "
                + "2 No preemption victims found for incoming pod.");
        for (int i = 0; i < 8; i++) {
            deleteNow("burst-" + i);
        }
    }

    @Test
    @Order(10)
    void requiredAntiAffinityOnHostnamePutsOneReplicaPerNodeAndTheExtraOneWaits() {
        String uid = UUID.randomUUID().toString();
        for (int i = 0; i < 3; i++) {
            create(pod("anti-" + i, "100m", p -> ownedBy(p, "anti", uid).editMetadata().addToLabels("app", "anti").endMetadata()
                    .editSpec().withNewAffinity().withNewPodAntiAffinity().addToRequiredDuringSchedulingIgnoredDuringExecution(
                            new PodAffinityTermBuilder().withTopologyKey("kubernetes.io/hostname")
                                    .withNewLabelSelector().addToMatchLabels("app", "anti").endLabelSelector().build())
                    .endPodAntiAffinity().endAffinity().endSpec()));
        }
        String message = "0/3 nodes are available: 1 node(s) had untolerated taint {k3s-controlplane: true}, 2 node(s) didn't match "
                + "pod anti-affinity rules. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, "
                + "2 No preemption victims found for incoming pod.";
        await().atMost(WAIT).untilAsserted(() -> {
            List<String> placed = nodesOf("anti-", 3);
            assertThat(placed).filteredOn(n -> n != null).containsExactlyInAnyOrder("agent-1", "agent-2");
            Pod waiting = get("anti-" + placed.indexOf(null));
            assertThat(condition(waiting, "PodScheduled")).isNotNull().extracting(PodCondition::getMessage).isEqualTo(message);
            assertThat(event(waiting.getMetadata().getName(), "FailedScheduling")).isNotNull().extracting(Event::getMessage).isEqualTo(message);
        });
        List<String> placed = nodesOf("anti-", 3);
        String waiting = "anti-" + placed.indexOf(null);
        String leaving = "anti-" + placed.indexOf("agent-1");
        deleteNow(leaving);
        await().atMost(WAIT).until(() -> "agent-1".equals(get(waiting).getSpec().getNodeName()));
        for (int i = 0; i < 3; i++) {
            deleteNow("anti-" + i);
        }
    }

    @Test
    @Order(11)
    void requiredPodAffinityWaitsForItsPodThenCoLocatesWithIt() {
        Consumer<PodBuilder> nextToLeader = p -> p.editMetadata().addToLabels("app", "follower").endMetadata().editSpec().withNewAffinity()
                .withNewPodAffinity().addToRequiredDuringSchedulingIgnoredDuringExecution(new PodAffinityTermBuilder()
                        .withTopologyKey("kubernetes.io/hostname").withNewLabelSelector().addToMatchLabels("app", "leader").endLabelSelector()
                        .build()).endPodAffinity().endAffinity().endSpec();
        create(pod("follower-0", "100m", nextToLeader));
        await().atMost(WAIT).untilAsserted(() -> assertThat(condition(get("follower-0"), "PodScheduled")).isNotNull()
                .extracting(PodCondition::getMessage).isEqualTo("0/3 nodes are available: 1 node(s) had untolerated taint "
                        + "{k3s-controlplane: true}, 2 node(s) didn't match pod affinity rules. preemption: 0/3 nodes are available: "
                        + "3 Preemption is not helpful for scheduling."));
        // nothing about the follower changes: the leader's binding is what sends it back to the queue
        create(pod("leader", "100m", p -> p.editMetadata().addToLabels("app", "leader").endMetadata()));
        await().atMost(WAIT).until(() -> get("leader").getSpec().getNodeName() != null);
        String node = get("leader").getSpec().getNodeName();
        await().atMost(WAIT).until(() -> node.equals(get("follower-0").getSpec().getNodeName()));
        for (int i = 1; i < 4; i++) {
            create(pod("follower-" + i, "100m", nextToLeader));
        }
        await().atMost(WAIT).untilAsserted(() -> assertThat(nodesOf("follower-", 4)).containsOnly(node));
        for (int i = 0; i < 4; i++) {
            deleteNow("follower-" + i);
        }
        deleteNow("leader");
    }

    @Test
    @Order(12)
    void topologySpreadWithMaxSkewOneEvensTheZones() {
        String zone = "topology.kubernetes.io/zone";
        client.nodes().withName("agent-1").edit(n -> new NodeBuilder(n).editMetadata().addToLabels(zone, "zone-a").endMetadata().build());
        client.nodes().withName("agent-2").edit(n -> new NodeBuilder(n).editMetadata().addToLabels(zone, "zone-b").endMetadata().build());
        kubelets.register("agent-3", "2", "4Gi", Map.of(zone, "zone-b"));
        // by resources alone three nodes would take two each, four of six in zone-b
        for (int i = 0; i < 6; i++) {
            create(pod("zonal-" + i, "100m", p -> p.editMetadata().addToLabels("app", "zonal").endMetadata().editSpec()
                    .addToTopologySpreadConstraints(new TopologySpreadConstraintBuilder().withMaxSkew(1).withTopologyKey(zone)
                            .withWhenUnsatisfiable("DoNotSchedule").withNewLabelSelector().addToMatchLabels("app", "zonal").endLabelSelector()
                            .build()).endSpec()));
        }
        await().atMost(WAIT).until(() -> nodesOf("zonal-", 6).stream().allMatch(n -> n != null));
        Map<String, Long> perZone = nodesOf("zonal-", 6).stream()
                .collect(Collectors.groupingBy(n -> n.equals("agent-1") ? "zone-a" : "zone-b", Collectors.counting()));
        assertThat(perZone).containsEntry("zone-a", 3L).containsEntry("zone-b", 3L);
        for (int i = 0; i < 6; i++) {
            deleteNow("zonal-" + i);
        }
    }

    @Test
    @Order(13)
    void podsWaitForTheirClaimsAndGoWhereTheirVolumesAre() {
        // a claim that does not exist holds the pod back, in kube-scheduler's words
        create(pod("no-claim", "100m", p -> p.editSpec().addNewVolume().withName("data").withNewPersistentVolumeClaim()
                .withClaimName("missing").endPersistentVolumeClaim().endVolume().endSpec()));
        await().atMost(WAIT).untilAsserted(() -> assertThat(event("no-claim", "FailedScheduling")).isNotNull()
                .extracting(Event::getMessage).asString().contains("persistentvolumeclaim \"missing\" not found"));
        assertThat(get("no-claim").getSpec().getNodeName()).isNull();

        // once the claim exists, bound to a volume only agent-2 (disk=ssd) can reach, the pod goes there
        client.persistentVolumes().resource(new io.fabric8.kubernetes.api.model.PersistentVolumeBuilder()
                .withNewMetadata().withName("ssd-volume").endMetadata().withNewSpec().addToCapacity("storage", new io.fabric8.kubernetes.api.model.Quantity("1Gi"))
                .withAccessModes("ReadWriteOnce").withStorageClassName("ssd-disks").withNewHostPath("/tmp/ssd-volume", "")
                .withNewNodeAffinity().withNewRequired().addNewNodeSelectorTerm().addNewMatchExpression().withKey("disk").withOperator("In")
                .withValues("ssd").endMatchExpression().endNodeSelectorTerm().endRequired().endNodeAffinity().endSpec().build()).create();
        client.persistentVolumeClaims().inNamespace("default").resource(new io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder()
                .withNewMetadata().withName("missing").endMetadata().withNewSpec().withStorageClassName("ssd-disks")
                .withAccessModes("ReadWriteOnce").withNewResources().addToRequests("storage", new io.fabric8.kubernetes.api.model.Quantity("1Gi"))
                .endResources().endSpec().build()).create();
        await().atMost(WAIT).untilAsserted(() -> assertThat(get("no-claim").getSpec().getNodeName()).isEqualTo("agent-2"));
        deleteNow("no-claim");

        // a local-path claim waits for its first pod, which is placed first; its volume follows it to that node
        client.persistentVolumeClaims().inNamespace("default").resource(new io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder()
                .withNewMetadata().withName("scratch").endMetadata().withNewSpec()
                .withAccessModes("ReadWriteOnce").withNewResources().addToRequests("storage", new io.fabric8.kubernetes.api.model.Quantity("1Gi"))
                .endResources().endSpec().build()).create();
        create(pod("first-consumer", "100m", p -> p.editSpec().addNewVolume().withName("data").withNewPersistentVolumeClaim()
                .withClaimName("scratch").endPersistentVolumeClaim().endVolume().endSpec()));
        await().atMost(WAIT).untilAsserted(() -> assertThat(client.persistentVolumeClaims().inNamespace("default").withName("scratch").get()
                .getStatus().getPhase()).isEqualTo("Bound"));
        String node = get("first-consumer").getSpec().getNodeName();
        var claim = client.persistentVolumeClaims().inNamespace("default").withName("scratch").get();
        assertThat(client.persistentVolumes().withName(claim.getSpec().getVolumeName()).get().getSpec().getNodeAffinity().getRequired()
                .getNodeSelectorTerms().get(0).getMatchExpressions().get(0).getValues()).containsExactly(node);
        deleteNow("first-consumer");
    }

    @Test
    @Order(20)
    void aPendingPodIsScheduledWhenAFittingNodeJoins() {
        create(pod("late", "100m", p -> p.editSpec().addToNodeSelector("pool", "late").endSpec()));
        await().atMost(WAIT).until(() -> condition(get("late"), "PodScheduled") != null);
        assertThat(get("late").getSpec().getNodeName()).isNull();
        kubelets.register("agent-late", "2", "4Gi", Map.of("pool", "late"));
        await().atMost(WAIT).until(() -> "agent-late".equals(get("late").getSpec().getNodeName()));
        assertThat(condition(get("late"), "PodScheduled").getStatus()).isEqualTo("True");
    }

    @Test
    @Order(21)
    void attemptsAndPendingPodsAreMetrics() {
        String metrics = server.send("GET", "/actuator/prometheus", null, null).body();
        assertThat(metrics).containsPattern("scheduler_schedule_attempts_total\\{profile=\"default-scheduler\",result=\"scheduled\"} [1-9]");
        assertThat(metrics).containsPattern("scheduler_schedule_attempts_total\\{profile=\"default-scheduler\",result=\"unschedulable\"} [1-9]");
        assertThat(metrics).contains("scheduler_pending_pods{queue=\"unschedulable\"}");
        assertThat(metrics).contains("scheduler_pending_pods{queue=\"active\"}");
    }

    // ---------------------------------------------------------------- helpers

    private static PodBuilder ownedBy(PodBuilder pod, String replicaSet, String uid) {
        return pod.editMetadata().addToOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("ReplicaSet")
                .withName(replicaSet).withUid(uid).withController(true).withBlockOwnerDeletion(true).build()).endMetadata();
    }

    static Pod pod(String name, String cpu, Consumer<PodBuilder> customize) {
        PodBuilder b = new PodBuilder().withNewMetadata().withName(name).withNamespace("default").addToLabels("app", name).endMetadata()
                .withNewSpec().addNewContainer().withName("main").withImage("nginx:1.27")
                .withNewResources().addToRequests("cpu", new Quantity(cpu)).addToRequests("memory", new Quantity("64Mi")).endResources()
                .endContainer().endSpec();
        customize.accept(b);
        return b.build();
    }

    private static void create(Pod pod) {
        client.pods().inNamespace("default").resource(pod).create();
    }

    private static Pod get(String name) {
        return client.pods().inNamespace("default").withName(name).get();
    }

    private static void deleteNow(String name) {
        client.pods().inNamespace("default").withName(name).withGracePeriod(0).delete();
    }

    private static List<String> nodesOf(String prefix, int n) {
        List<String> out = new ArrayList<>();
        Map<String, String> byName = new HashMap<>();
        for (Pod p : client.pods().inNamespace("default").list().getItems()) {
            byName.put(p.getMetadata().getName(), p.getSpec().getNodeName());
        }
        for (int i = 0; i < n; i++) {
            out.add(byName.get(prefix + i));
        }
        return out;
    }

    static PodCondition condition(Pod pod, String type) {
        if (pod == null || pod.getStatus() == null) {
            return null;
        }
        return pod.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
    }

    private static Event event(String pod, String reason) {
        return client.v1().events().inNamespace("default").list().getItems().stream()
                .filter(e -> pod.equals(e.getInvolvedObject().getName()) && reason.equals(e.getReason()))
                .reduce((a, b) -> b).orElse(null);
    }

    @SuppressWarnings("unused")
    private static Node node(String name) {
        return client.nodes().withName(name).get();
    }
}
