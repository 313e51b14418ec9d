package dev.coracle.server.registry.core;

import io.fabric8.kubernetes.api.model.Node;
import org.junit.jupiter.api.Test;

import static dev.coracle.server.registry.Fixtures.CLOCK;
import static dev.coracle.server.registry.Fixtures.ago;
import static dev.coracle.server.registry.Fixtures.render;
import static dev.coracle.server.registry.Fixtures.yaml;
import static org.assertj.core.api.Assertions.assertThat;

class NodeStrategyTest {

    private final NodeStrategy strategy = new NodeStrategy(CLOCK);

    private static Node node(String extra) {
        return yaml("""
                metadata:
                  name: server
                  creationTimestamp: "%s"
                  labels: {node-role.kubernetes.io/control-plane: "true", node-role.kubernetes.io/master: "true"}
                %s
                """.formatted(ago(86400 * 12), extra), Node.class);
    }

    @Test
    void allocatableDefaultsToCapacityAndStatusIsKeptOnCreate() {
        Node n = node("status: {capacity: {cpu: \"2\", memory: 4Gi}}");
        strategy.applyDefaults(n);
        strategy.prepareForCreate(n);
        assertThat(n.getStatus().getAllocatable()).containsKeys("cpu", "memory");
    }

    @Test
    void printsAReadyControlPlaneNode() {
        Node n = node("""
                status:
                  conditions: [{type: Ready, status: "True"}]
                  addresses: [{type: InternalIP, address: 192.168.56.10}, {type: Hostname, address: server}]
                  nodeInfo: {kubeletVersion: v1.32.0+coracle, osImage: Ubuntu 24.04 LTS, kernelVersion: 6.8.0-31-generic, containerRuntimeVersion: runc://1.2.0}
                """);
        assertThat(strategy.columns()).extracting(c -> c.getName()).containsExactly("Name", "Status", "Roles", "Age", "Version",
                "Internal-IP", "External-IP", "OS-Image", "Kernel-Version", "Container-Runtime");
        assertThat(strategy.cells(n)).containsExactly("server", "Ready", "control-plane,master", "12d", "v1.32.0+coracle",
                "192.168.56.10", "<none>", "Ubuntu 24.04 LTS", "6.8.0-31-generic", "runc://1.2.0");
    }

    @Test
    void printsACordonedNodeAndUnknownStatus() {
        Node cordoned = yaml("""
                metadata: {name: worker}
                spec: {unschedulable: true}
                status: {conditions: [{type: Ready, status: "True"}]}
                """, Node.class);
        assertThat(strategy.cells(cordoned).subList(0, 3)).containsExactly("worker", "Ready,SchedulingDisabled", "<none>");
        Node notReady = yaml("metadata: {name: w}\nstatus: {conditions: [{type: Ready, status: \"Unknown\"}]}", Node.class);
        assertThat(strategy.cells(notReady).get(1)).isEqualTo("NotReady");
        Node unknown = yaml("metadata: {name: w}", Node.class);
        assertThat(strategy.cells(unknown).get(1)).isEqualTo("Unknown");
        assertThat(strategy.cells(unknown).get(7)).isEqualTo("<unknown>");
        assertThat(strategy.selectableFields(cordoned)).containsEntry("spec.unschedulable", "true");
    }

    @Test
    void taintsAreValidatedAndUnique() {
        Node n = node("""
                spec:
                  taints:
                  - {key: dedicated, value: gpu, effect: NoSchedule}
                  - {key: dedicated, value: other, effect: NoSchedule}
                  - {key: x, effect: Sometimes}
                """);
        assertThat(render(strategy.validate(n))).containsExactly(
                "metadata.taints[1]: Duplicate value: core.Taint{Key:\"dedicated\", Value:\"other\", Effect:\"NoSchedule\", TimeAdded:(*v1.Time)(nil)}: taints must be unique by key and effect pair",
                "metadata.taints[2].effect: Unsupported value: \"Sometimes\": supported values: \"NoSchedule\", \"PreferNoSchedule\", \"NoExecute\"");
    }

    @Test
    void podCidrIsImmutableOnceSet() {
        Node old = node("spec: {podCIDR: 10.42.0.0/24, podCIDRs: [10.42.0.0/24]}");
        Node now = node("spec: {podCIDR: 10.42.1.0/24, podCIDRs: [10.42.1.0/24]}");
        assertThat(render(strategy.validateUpdate(now, old))).containsExactly(
                "spec.podCIDRs: Forbidden: node updates may not change podCIDR except from \"\" to valid");
    }

    @Test
    void statusUpdateKeepsTheSpecAndUpdateKeepsTheStatus() {
        Node old = node("spec: {unschedulable: true}\nstatus: {conditions: [{type: Ready, status: \"True\"}]}");
        Node now = node("spec: {unschedulable: false}\nstatus: {conditions: [{type: Ready, status: \"False\"}]}");
        strategy.prepareForStatusUpdate(now, old);
        assertThat(now.getSpec().getUnschedulable()).isTrue();
        assertThat(now.getStatus().getConditions().get(0).getStatus()).isEqualTo("False");
        Node update = node("spec: {unschedulable: false}");
        strategy.prepareForUpdate(update, old);
        assertThat(update.getStatus().getConditions()).hasSize(1);
    }
}
