package dev.coracle.server.scheduler;

import dev.coracle.server.scheduler.filter.Filter;
import dev.coracle.server.scheduler.filter.FilterStatus;
import dev.coracle.server.scheduler.filter.NodeAffinity;
import dev.coracle.server.scheduler.filter.NodePorts;
import dev.coracle.server.scheduler.filter.NodeResourcesFit;
import dev.coracle.server.scheduler.score.Score;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.NodeSelectorTermBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Filters, effective requests and the failure message, without a server. */
class SchedulerFiltersTest {

    @Test
    void effectiveRequestsTakeTheLargestInitContainerAndAddSidecarsAndOverhead() {
        Pod pod = new PodBuilder().withNewMetadata().withName("p").withNamespace("default").endMetadata().withNewSpec()
                .addToInitContainers(container("init-big", "2", "1Gi", null))
                .addToInitContainers(container("sidecar", "500m", "100Mi", "Always"))
                .addToInitContainers(container("init-after-sidecar", "1800m", "10Mi", null))
                .addToContainers(container("a", "1", "1Gi", null), container("b", "500m", "1Gi", null))
                .withOverhead(Map.of("cpu", new Quantity("10m")))
                .endSpec().build();
        PodInfo info = PodInfo.of(pod);
        // containers 1.5 + sidecar 0.5 = 2 cpu; init: 2, then 1.8 + 0.5 = 2.3 -> 2.3, plus 10m overhead
        assertThat(info.requests.milliCpu).isEqualTo(2310);
        // containers 2Gi + sidecar 100Mi; init 1Gi, 10Mi + 100Mi -> 2Gi + 100Mi
        assertThat(info.requests.memory).isEqualTo(2L * 1024 * 1024 * 1024 + 100L * 1024 * 1024);
    }

    @Test
    void nonZeroRequestsCountContainersAskingForNothing() {
        Pod pod = new PodBuilder().withNewMetadata().withName("p").withNamespace("default").endMetadata().withNewSpec()
                .addToContainers(new ContainerBuilder().withName("a").withImage("x").build()).endSpec().build();
        PodInfo info = PodInfo.of(pod);
        assertThat(info.requests.isZero()).isTrue();
        assertThat(info.nonZeroMilliCpu).isEqualTo(100);
        assertThat(info.nonZeroMemory).isEqualTo(200L * 1024 * 1024);
    }

    @Test
    void requiredNodeAffinityOperatorsAndFields() {
        NodeInfo node = nodeInfo(node("n1", Map.of("zone", "a", "gen", "5")));
        assertThat(affinity(node, req("zone", "In", "a", "b"))).isNull();
        assertThat(affinity(node, req("zone", "NotIn", "a"))).isNotNull();
        assertThat(affinity(node, req("missing", "NotIn", "a"))).isNull();
        assertThat(affinity(node, req("zone", "Exists"))).isNull();
        assertThat(affinity(node, req("zone", "DoesNotExist"))).isNotNull();
        assertThat(affinity(node, req("gen", "Gt", "4"))).isNull();
        assertThat(affinity(node, req("gen", "Lt", "4"))).isNotNull();
        assertThat(affinity(node, req("zone", "Gt", "4"))).isNotNull();
        Pod byName = new PodBuilder().withNewMetadata().withName("p").withNamespace("default").endMetadata().withNewSpec()
                .withNewAffinity().withNewNodeAffinity().withNewRequiredDuringSchedulingIgnoredDuringExecution()
                .addToNodeSelectorTerms(new NodeSelectorTermBuilder().addToMatchFields(new NodeSelectorRequirementBuilder()
                        .withKey("metadata.name").withOperator("In").withValues("n1").build()).build())
                .endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().endAffinity()
                .addNewContainer().withName("c").withImage("x").endContainer().endSpec().build();
        assertThat(new NodeAffinity().filter(new CycleState(), PodInfo.of(byName), node)).isNull();
        assertThat(new NodeAffinity().filter(new CycleState(), PodInfo.of(byName), nodeInfo(node("n2", Map.of())))).isNotNull()
                .extracting(FilterStatus::reasons).isEqualTo(List.of("node(s) didn't match Pod's node affinity/selector"));
    }

    @Test
    void tolerationsMatchAsKubernetesDoes() {
        var taint = new TaintBuilder().withKey("k").withValue("v").withEffect("NoSchedule").build();
        assertThat(Taints.tolerates(new TolerationBuilder().withKey("k").withValue("v").build(), taint)).isTrue();
        assertThat(Taints.tolerates(new TolerationBuilder().withKey("k").withValue("w").build(), taint)).isFalse();
        assertThat(Taints.tolerates(new TolerationBuilder().withKey("k").withOperator("Exists").withEffect("NoExecute").build(), taint)).isFalse();
        assertThat(Taints.tolerates(new TolerationBuilder().withOperator("Exists").build(), taint)).isTrue();
    }

    @Test
    void hostPortsConflictOnTheSameProtocolAndAddress() {
        NodeInfo node = nodeInfo(node("n1", Map.of()));
        node.addPod(PodInfo.of(withPort("a", 8080, "TCP", null)));
        assertThat(new NodePorts().filter(new CycleState(), PodInfo.of(withPort("b", 8080, "TCP", null)), node)).isNotNull();
        assertThat(new NodePorts().filter(new CycleState(), PodInfo.of(withPort("c", 8080, "UDP", null)), node)).isNull();
        assertThat(new NodePorts().filter(new CycleState(), PodInfo.of(withPort("d", 8080, "TCP", "10.0.0.1")), node)).isNotNull();
        assertThat(new NodePorts().filter(new CycleState(), PodInfo.of(withPort("e", 8081, "TCP", null)), node)).isNull();
    }

    @Test
    void resourcesFitCountsPodsAndSaysWhenPreemptionCannotHelp() {
        NodeInfo node = nodeInfo(node("n1", Map.of()));
        node.addPod(PodInfo.of(SchedulerTest.pod("x", "1500m", p -> {
        })));
        FilterStatus status = new NodeResourcesFit().filter(new CycleState(), PodInfo.of(SchedulerTest.pod("y", "1", p -> {
        })), node);
        assertThat(status.reasons()).containsExactly("Insufficient cpu");
        assertThat(status.resolvable()).isTrue();
        status = new NodeResourcesFit().filter(new CycleState(), PodInfo.of(SchedulerTest.pod("z", "3", p -> {
        })), node);
        assertThat(status.resolvable()).isFalse();
    }

    @Test
    void feasibleNodesToFindFollowsTheAdaptivePercentage() {
        assertThat(SchedulingAlgorithm.numFeasibleNodesToFind(50)).isEqualTo(50);
        assertThat(SchedulingAlgorithm.numFeasibleNodesToFind(100)).isEqualTo(100);
        assertThat(SchedulingAlgorithm.numFeasibleNodesToFind(1000)).isEqualTo(420);
        assertThat(SchedulingAlgorithm.numFeasibleNodesToFind(5000)).isEqualTo(500);
        assertThat(SchedulingAlgorithm.numFeasibleNodesToFind(10000)).isEqualTo(500);
    }

    @Test
    void noNodesAtAll() {
        SchedulingAlgorithm algorithm = new SchedulingAlgorithm(Filter.defaults(), Score.defaults());
        var result = algorithm.schedule(PodInfo.of(SchedulerTest.pod("p", "1", p -> {
        })), new SchedulerCache());
        assertThat(result.node()).isNull();
        assertThat(result.message()).isEqualTo("no nodes available to schedule pods");
    }

    @Test
    void preemptionPolicyNeverIsNotEligible() {
        SchedulerCache cache = new SchedulerCache();
        cache.setNode(node("n1", Map.of()));
        Pod pod = SchedulerTest.pod("p", "4", p -> p.editSpec().withPreemptionPolicy("Never").endSpec());
        var result = new SchedulingAlgorithm(Filter.defaults(), Score.defaults()).schedule(PodInfo.of(pod), cache);
        assertThat(result.message()).isEqualTo("0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.");
    }

    // ---------------------------------------------------------------- helpers

    private static FilterStatus affinity(NodeInfo node, io.fabric8.kubernetes.api.model.NodeSelectorRequirement r) {
        Pod pod = new PodBuilder().withNewMetadata().withName("p").withNamespace("default").endMetadata().withNewSpec()
                .withNewAffinity().withNewNodeAffinity().withNewRequiredDuringSchedulingIgnoredDuringExecution()
                .addToNodeSelectorTerms(new NodeSelectorTermBuilder().addToMatchExpressions(r).build())
                .endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().endAffinity()
                .addNewContainer().withName("c").withImage("x").endContainer().endSpec().build();
        return new NodeAffinity().filter(new CycleState(), PodInfo.of(pod), node);
    }

    private static io.fabric8.kubernetes.api.model.NodeSelectorRequirement req(String key, String op, String... values) {
        return new NodeSelectorRequirementBuilder().withKey(key).withOperator(op).withValues(values).build();
    }

    private static Pod withPort(String name, int port, String protocol, String hostIp) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("default").endMetadata().withNewSpec()
                .addNewContainer().withName("c").withImage("x").withPorts(new ContainerPortBuilder().withContainerPort(80)
                        .withHostPort(port).withProtocol(protocol).withHostIP(hostIp).build()).endContainer().endSpec().build();
    }

    private static io.fabric8.kubernetes.api.model.Container container(String name, String cpu, String memory, String restartPolicy) {
        return new ContainerBuilder().withName(name).withImage("x").withRestartPolicy(restartPolicy)
                .withNewResources().addToRequests("cpu", new Quantity(cpu)).addToRequests("memory", new Quantity(memory)).endResources()
                .build();
    }

    private static Node node(String name, Map<String, String> labels) {
        Map<String, Quantity> capacity = Map.of("cpu", new Quantity("2"), "memory", new Quantity("4Gi"), "pods", new Quantity("110"));
        return new NodeBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata().withNewSpec().endSpec()
                .withNewStatus().withAllocatable(capacity).withCapacity(capacity).addNewCondition().withType("Ready").withStatus("True")
                .endCondition().endStatus().build();
    }

    private static NodeInfo nodeInfo(Node node) {
        SchedulerCache cache = new SchedulerCache();
        cache.setNode(node);
        return cache.node(node.getMetadata().getName());
    }
}
