package dev.coracle.server.scheduler;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Taint;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * kube-scheduler's {@code framework.NodeInfo}: a node and what the pods on it (bound, or assumed while
 * their binding is in flight) take of it. Read and changed only under the {@link SchedulerCache}'s lock.
 */
public final class NodeInfo {

    private final String name;
    private Node node;
    private Map<String, String> labels = Map.of();
    /** Whether the node has the {@code kubernetes.io/hostname} label, kept apart as default spreading asks for every node in every cycle. */
    private boolean hostnameLabelled;
    private List<Taint> taints = List.of();
    private boolean unschedulable;
    private Resource allocatable = new Resource();
    private long allowedPods;

    private final Map<String, PodInfo> pods = new LinkedHashMap<>();
    private final Resource requested = new Resource();
    private long nonZeroMilliCpu;
    private long nonZeroMemory;
    /** host IP, then "protocol/port", to how many pods use it. */
    private final Map<String, Map<String, Integer>> usedPorts = new HashMap<>();
    /** controller owner uid to how many of its pods are here, not counting those being deleted (as spreading does not). */
    /** {@code PodsWithAffinity} and {@code PodsWithRequiredAntiAffinity}: what inter-pod affinity must look at here. */
    private final Map<String, PodInfo> podsWithAffinity = new LinkedHashMap<>();
    private final Map<String, PodInfo> podsWithRequiredAntiAffinity = new LinkedHashMap<>();

    public static final String HOSTNAME = "kubernetes.io/hostname";

    NodeInfo(String name) {
        this.name = name;
    }

    void setNode(Node node) {
        this.node = node;
        this.labels = node.getMetadata().getLabels() == null ? Map.of() : node.getMetadata().getLabels();
        this.hostnameLabelled = labels.containsKey(HOSTNAME);
        this.unschedulable = node.getSpec() != null && Boolean.TRUE.equals(node.getSpec().getUnschedulable());
        List<Taint> effective = new ArrayList<>(node.getSpec() == null ? List.of() : node.getSpec().getTaints());
        for (Taint implied : Taints.conditionTaints(node)) {
            if (!Taints.contains(effective, implied) && !implied.getKey().equals(Taints.UNSCHEDULABLE)) {
                effective.add(implied);
            }
        }
        this.taints = effective;
        Map<String, Quantity> alloc = node.getStatus() == null || node.getStatus().getAllocatable() == null
                ? Map.of() : node.getStatus().getAllocatable();
        this.allocatable = Resource.of(alloc);
        Quantity pods = alloc.get(Resource.PODS);
        this.allowedPods = pods == null ? 0 : Resource.value(pods);
    }

    void clearNode() {
        this.node = null;
    }

    void addPod(PodInfo pod) {
        PodInfo old = pods.put(pod.key, pod);
        if (old != null) {
            account(old, -1);
        }
        account(pod, 1);
    }

    PodInfo removePod(String key) {
        PodInfo old = pods.remove(key);
        if (old != null) {
            account(old, -1);
        }
        return old;
    }

    private void account(PodInfo pod, int sign) {
        requested.add(pod.requests, sign);
        nonZeroMilliCpu += sign * pod.nonZeroMilliCpu;
        nonZeroMemory += sign * pod.nonZeroMemory;
        for (PodInfo.HostPort p : pod.hostPorts) {
            Map<String, Integer> byIp = usedPorts.computeIfAbsent(p.ip(), k -> new HashMap<>());
            String k = p.protocol() + "/" + p.port();
            int n = byIp.getOrDefault(k, 0) + sign;
            if (n <= 0) {
                byIp.remove(k);
                if (byIp.isEmpty()) {
                    usedPorts.remove(p.ip());
                }
            } else {
                byIp.put(k, n);
            }
        }
        if (pod.hasPodAffinity) {
            if (sign > 0) {
                podsWithAffinity.put(pod.key, pod);
                if (!pod.requiredAntiAffinityTerms.isEmpty()) {
                    podsWithRequiredAntiAffinity.put(pod.key, pod);
                }
            } else {
                podsWithAffinity.remove(pod.key);
                podsWithRequiredAntiAffinity.remove(pod.key);
            }
        }
    }

    /** {@code HostPortInfo.CheckConflict}: 0.0.0.0 conflicts with every address, any other address with itself and 0.0.0.0. */
    public boolean portInUse(PodInfo.HostPort p) {
        String k = p.protocol() + "/" + p.port();
        if (p.ip().equals("0.0.0.0")) {
            for (Map<String, Integer> byIp : usedPorts.values()) {
                if (byIp.containsKey(k)) {
                    return true;
                }
            }
            return false;
        }
        Map<String, Integer> any = usedPorts.get("0.0.0.0");
        Map<String, Integer> same = usedPorts.get(p.ip());
        return (any != null && any.containsKey(k)) || (same != null && same.containsKey(k));
    }

    public String name() {
        return name;
    }

    public Node node() {
        return node;
    }

    public Map<String, String> labels() {
        return labels;
    }

    public boolean hostnameLabelled() {
        return hostnameLabelled;
    }

    /** The node's taints plus the NoSchedule taints its conditions imply, should the node lifecycle controller not have added them yet. */
    public List<Taint> taints() {
        return taints;
    }

    public boolean unschedulable() {
        return unschedulable;
    }

    public Resource allocatable() {
        return allocatable;
    }

    public long allowedPods() {
        return allowedPods;
    }

    public int podCount() {
        return pods.size();
    }

    public Iterable<PodInfo> pods() {
        return pods.values();
    }

    public Resource requested() {
        return requested;
    }

    public long nonZeroMilliCpu() {
        return nonZeroMilliCpu;
    }

    public long nonZeroMemory() {
        return nonZeroMemory;
    }

    public Iterable<PodInfo> podsWithAffinity() {
        return podsWithAffinity.values();
    }

    public Iterable<PodInfo> podsWithRequiredAntiAffinity() {
        return podsWithRequiredAntiAffinity.values();
    }

    boolean hasPodsWithAffinity() {
        return !podsWithAffinity.isEmpty();
    }

    boolean hasPodsWithRequiredAntiAffinity() {
        return !podsWithRequiredAntiAffinity.isEmpty();
    }
}
