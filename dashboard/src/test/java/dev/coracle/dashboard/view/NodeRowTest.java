package dev.coracle.dashboard.view;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class NodeRowTest {

    private static final KubernetesSerialization JSON = new KubernetesSerialization();
    private static final Instant NOW = Instant.parse("2026-11-27T08:00:00Z");

    private static final Node NODE = JSON.unmarshal("""
            metadata:
              name: master
              creationTimestamp: "2026-11-25T08:00:00Z"
              labels: {node-role.kubernetes.io/control-plane: "true", node-role.kubernetes.io/master: "true", kubernetes.io/hostname: master}
            spec:
              unschedulable: true
              taints: [{key: k3s-controlplane, value: "true", effect: NoExecute}, {key: node.kubernetes.io/unschedulable, effect: NoSchedule}]
            status:
              capacity: {cpu: "2", memory: 4Gi, pods: "110"}
              allocatable: {cpu: 1900m, memory: 3584Mi, pods: "110"}
              conditions: [{type: Ready, status: "True"}]
              addresses: [{type: InternalIP, address: 192.168.56.10}, {type: Hostname, address: master}]
              nodeInfo: {kubeletVersion: v1.32.0, architecture: amd64, bootID: "", containerRuntimeVersion: "", kernelVersion: "", kubeProxyVersion: "", machineID: "", operatingSystem: linux, osImage: "", systemUUID: ""}
            """, Node.class);

    private static Pod pod(String phase, String cpu, String memory) {
        return JSON.unmarshal("""
                metadata: {name: p, namespace: d}
                spec: {nodeName: master, containers: [{name: c, image: x, resources: {requests: {cpu: %s, memory: %s}}}]}
                status: {phase: %s}
                """.formatted(cpu, memory, phase), Pod.class);
    }

    @Test
    void showsStatusRolesTaintsAndAddressesLikeKubectl() {
        NodeRow row = NodeRow.of(NODE, List.of(), null, null, NOW);
        assertThat(row.status()).isEqualTo("Ready,SchedulingDisabled");
        assertThat(row.health()).isEqualTo("warn");
        assertThat(row.roles()).isEqualTo("control-plane,master");
        assertThat(row.taints()).containsExactly("k3s-controlplane=true:NoExecute", "node.kubernetes.io/unschedulable:NoSchedule");
        assertThat(row.internalIp()).isEqualTo("192.168.56.10");
        assertThat(row.externalIp()).isEqualTo("<none>");
        assertThat(row.version()).isEqualTo("v1.32.0");
        assertThat(row.age()).isEqualTo("2d");
    }

    @Test
    void requestedSumsTheRequestsOfPodsThatStillRunAndUsedComesFromMetrics() {
        NodeRow row = NodeRow.of(NODE, List.of(pod("Running", "250m", "128Mi"), pod("Pending", "500m", "256Mi"),
                pod("Succeeded", "1", "1Gi")), 950L, 1792L * 1024 * 1024, NOW);
        assertThat(row.pods()).isEqualTo(2);
        assertThat(row.cpu().capacity()).isEqualTo(2000);
        assertThat(row.cpu().allocatable()).isEqualTo(1900);
        assertThat(row.cpu().requested()).isEqualTo(750);
        assertThat(row.cpu().requestedPercent()).isEqualTo(39);
        assertThat(row.cpu().usedPercent()).isEqualTo(50);
        assertThat(row.cpu().text(row.cpu().requested())).isEqualTo("750m");
        assertThat(row.memory().requested()).isEqualTo(384L * 1024 * 1024);
        assertThat(row.memory().usedPercent()).isEqualTo(50);
        assertThat(row.memory().text(row.memory().allocatable())).isEqualTo("3.5Gi");
    }

    @Test
    void withoutMetricsThereIsNoUsedFigure() {
        NodeRow row = NodeRow.of(NODE, List.of(), null, null, NOW);
        assertThat(row.cpu().used()).isNull();
        assertThat(row.cpu().usedPercent()).isNull();
    }
}
