package dev.coracle.dashboard.view;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.Pod;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * One node as {@code kubectl get nodes -o wide} and {@code kubectl describe node} show it, plus the used figures of
 * {@code kubectl top node} when metrics are served (null otherwise).
 */
public record NodeRow(String name, String status, String health, String roles, List<String> taints, String version,
                      String internalIp, String externalIp, int pods, String age,
                      Resource cpu, Resource memory) {

    /** Capacity, allocatable, requested (sum of the requests of the node's non-terminated pods) and used. */
    public record Resource(long capacity, long allocatable, long requested, Long used, boolean isCpu) {

        public String text(long v) {
            return isCpu ? Quantities.cpu(v) : Quantities.memory(v);
        }

        public int requestedPercent() {
            return Quantities.percent(requested, allocatable);
        }

        public Integer usedPercent() {
            return used == null ? null : Quantities.percent(used, allocatable);
        }
    }

    public static NodeRow of(Node node, List<Pod> podsOnNode, Long usedMillicores, Long usedBytes, Instant now) {
        var st = node.getStatus();
        String status = "Unknown";
        if (st != null && st.getConditions() != null) {
            for (var c : st.getConditions()) {
                if ("Ready".equals(c.getType())) {
                    status = "True".equals(c.getStatus()) ? "Ready" : "NotReady";
                }
            }
        }
        String health = status.equals("Ready") ? "ok" : "bad";
        if (node.getSpec() != null && Boolean.TRUE.equals(node.getSpec().getUnschedulable())) {
            status += ",SchedulingDisabled";
            health = health.equals("ok") ? "warn" : health;
        }
        TreeSet<String> roles = new TreeSet<>();
        Map<String, String> labels = node.getMetadata().getLabels() == null ? Map.of() : node.getMetadata().getLabels();
        labels.forEach((k, v) -> {
            if (k.startsWith("node-role.kubernetes.io/") && k.length() > "node-role.kubernetes.io/".length()) {
                roles.add(k.substring("node-role.kubernetes.io/".length()));
            } else if (k.equals("kubernetes.io/role") && !v.isEmpty()) {
                roles.add(v);
            }
        });
        List<String> taints = new ArrayList<>();
        if (node.getSpec() != null && node.getSpec().getTaints() != null) {
            node.getSpec().getTaints().forEach(t -> taints.add(t.getKey() + (t.getValue() == null || t.getValue().isEmpty() ? "" : "=" + t.getValue())
                    + ":" + t.getEffect()));
        }
        String internal = "<none>";
        String external = "<none>";
        if (st != null && st.getAddresses() != null) {
            for (NodeAddress a : st.getAddresses()) {
                if ("InternalIP".equals(a.getType()) && internal.equals("<none>")) {
                    internal = a.getAddress();
                } else if ("ExternalIP".equals(a.getType()) && external.equals("<none>")) {
                    external = a.getAddress();
                }
            }
        }
        long reqCpu = 0;
        long reqMem = 0;
        int running = 0;
        for (Pod p : podsOnNode) {
            String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
            if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
                continue;
            }
            running++;
            for (Container c : p.getSpec().getContainers()) {
                if (c.getResources() != null) {
                    reqCpu += Quantities.millicores(c.getResources().getRequests());
                    reqMem += Quantities.bytes(c.getResources().getRequests());
                }
            }
        }
        var capacity = st == null ? null : st.getCapacity();
        var allocatable = st == null ? null : st.getAllocatable();
        String version = st == null || st.getNodeInfo() == null ? "" : st.getNodeInfo().getKubeletVersion();
        return new NodeRow(node.getMetadata().getName(), status, health, roles.isEmpty() ? "<none>" : String.join(",", roles), taints,
                version, internal, external, running, Ages.since(node.getMetadata().getCreationTimestamp(), now),
                new Resource(Quantities.millicores(capacity), Quantities.millicores(allocatable), reqCpu, usedMillicores, true),
                new Resource(Quantities.bytes(capacity), Quantities.bytes(allocatable), reqMem, usedBytes, false));
    }
}
