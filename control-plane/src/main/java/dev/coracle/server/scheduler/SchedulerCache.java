package dev.coracle.server.scheduler;

import io.fabric8.kubernetes.api.model.Node;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * kube-scheduler's cache: every node with the pods on it, including pods <em>assumed</em> there — chosen
 * by the scheduler, binding in flight — so that a burst of decisions never counts the same free
 * resources twice. An assumed pod is confirmed when the informer shows it bound, and forgotten if its
 * binding fails. Callers lock it ({@link #lock()}) for a whole scheduling cycle. As the snapshot's
 * {@code HavePodsWithAffinityList}, it keeps the nodes holding pods with inter-pod (anti-)affinity apart,
 * so that a pod without affinity, in a cluster where no pod has any, pays nothing for the feature.
 */
public final class SchedulerCache {

    public static final String ZONE = "topology.kubernetes.io/zone";

    private record Placement(String node, PodInfo pod, boolean assumed) {
    }

    private final Map<String, NodeInfo> nodes = new HashMap<>();
    /** Owner uid → node name → its pods there (not terminating): what default spreading counts for every node. */
    private final Map<String, Map<String, Integer>> ownerPods = new HashMap<>();
    /** Nodes that exist as objects, in the order they were added: the candidates. */
    private final List<NodeInfo> nodeList = new ArrayList<>();
    private final Map<String, Placement> pods = new HashMap<>();
    private final Set<NodeInfo> nodesWithAffinityPods = new LinkedHashSet<>();
    private final Set<NodeInfo> nodesWithRequiredAntiAffinityPods = new LinkedHashSet<>();
    private volatile Function<String, Map<String, String>> namespaceLabels = ns -> Map.of();
    private volatile VolumeLookup volumes = VolumeLookup.NONE;
    /** Candidate nodes labelled with a zone: without any, the zone part of the default spreading has nothing to do. */
    private int zonedNodes;

    public Object lock() {
        return this;
    }

    public synchronized void clear() {
        nodes.clear();
        nodeList.clear();
        pods.clear();
        nodesWithAffinityPods.clear();
        nodesWithRequiredAntiAffinityPods.clear();
        zonedNodes = 0;
    }

    /** Where the labels of a namespace come from (the namespace informer), for namespace selectors of affinity terms. */
    public void volumes(VolumeLookup lookup) {
        this.volumes = lookup;
    }

    /** The claims, volumes and classes the VolumeBinding filter reads. */
    public VolumeLookup volumes() {
        return volumes;
    }

    public void namespaceLabels(Function<String, Map<String, String>> lookup) {
        this.namespaceLabels = lookup;
    }

    /** The labels of a namespace, empty when it is unknown (as {@code GetNamespaceLabelsSnapshot}). */
    public Map<String, String> namespaceLabels(String namespace) {
        Map<String, String> labels = namespaceLabels.apply(namespace);
        return labels == null ? Map.of() : labels;
    }

    /** Nodes holding a pod with pod affinity or anti-affinity; to be read under the lock (may include nodes whose object is gone). */
    public Collection<NodeInfo> nodesWithAffinityPods() {
        return nodesWithAffinityPods;
    }

    /** Nodes holding a pod with required pod anti-affinity; to be read under the lock (may include nodes whose object is gone). */
    public Collection<NodeInfo> nodesWithRequiredAntiAffinityPods() {
        return nodesWithRequiredAntiAffinityPods;
    }

    public synchronized void setNode(Node node) {
        String name = node.getMetadata().getName();
        NodeInfo info = nodes.computeIfAbsent(name, NodeInfo::new);
        if (info.node() == null) {
            nodeList.add(info);
        } else if (info.labels().containsKey(ZONE)) {
            zonedNodes--;
        }
        info.setNode(node);
        if (info.labels().containsKey(ZONE)) {
            zonedNodes++;
        }
    }

    public synchronized void removeNode(String name) {
        NodeInfo info = nodes.get(name);
        if (info == null) {
            return;
        }
        if (info.node() != null && info.labels().containsKey(ZONE)) {
            zonedNodes--;
        }
        nodeList.remove(info);
        info.clearNode();
        if (info.podCount() == 0) {
            nodes.remove(name);
        }
    }

    /** Whether some candidate node has the {@code topology.kubernetes.io/zone} label; to be read under the lock. */
    public boolean hasZones() {
        return zonedNodes > 0;
    }

    /** The candidate nodes; to be read under the lock. */
    public List<NodeInfo> nodes() {
        return nodeList;
    }

    public synchronized NodeInfo node(String name) {
        return nodes.get(name);
    }

    /** Puts a pod on its node before the binding is written. */
    public synchronized void assume(PodInfo pod, String node) {
        place(pod, node, true);
    }

    /** Takes back an assumed pod whose binding failed; a pod already confirmed stays. */
    public synchronized boolean forget(String key) {
        Placement p = pods.get(key);
        if (p == null || !p.assumed()) {
            return false;
        }
        unplace(key);
        return true;
    }

    public synchronized boolean isAssumed(String key) {
        Placement p = pods.get(key);
        return p != null && p.assumed();
    }

    /**
     * A pod the API shows bound to {@code node} (and not finished): adds it, or confirms or moves an assumed one.
     * Returns what the cache held of it as bound before (null when it is new to the cache or was only assumed).
     */
    public synchronized PodInfo addOrUpdateBound(PodInfo pod, String node) {
        Placement old = pods.get(pod.key);
        place(pod, node, false);
        return old == null || old.assumed() ? null : old.pod();
    }

    /** A bound pod that is gone or finished; true if it took anything from a node. */
    public synchronized boolean removeBound(String key) {
        return unplace(key);
    }

    private void place(PodInfo pod, String node, boolean assumed) {
        Placement old = pods.get(pod.key);
        if (old != null && !old.node().equals(node)) {
            unplace(pod.key);
        }
        NodeInfo info = nodes.computeIfAbsent(node, NodeInfo::new);
        info.addPod(pod);
        Placement replaced = pods.put(pod.key, new Placement(node, pod, assumed));
        if (replaced != null && replaced.node().equals(node)) {
            countOwner(replaced.pod(), node, -1);
        }
        countOwner(pod, node, 1);
        if (pod.hasPodAffinity || (old != null && old.pod().hasPodAffinity)) {
            indexAffinity(info);
        }
    }

    private void indexAffinity(NodeInfo info) {
        if (info.hasPodsWithAffinity()) {
            nodesWithAffinityPods.add(info);
        } else {
            nodesWithAffinityPods.remove(info);
        }
        if (info.hasPodsWithRequiredAntiAffinity()) {
            nodesWithRequiredAntiAffinityPods.add(info);
        } else {
            nodesWithRequiredAntiAffinityPods.remove(info);
        }
    }

    private boolean unplace(String key) {
        Placement p = pods.remove(key);
        if (p == null) {
            return false;
        }
        countOwner(p.pod(), p.node(), -1);
        NodeInfo info = nodes.get(p.node());
        if (info != null) {
            info.removePod(key);
            if (p.pod().hasPodAffinity) {
                indexAffinity(info);
            }
            if (info.node() == null && info.podCount() == 0) {
                nodes.remove(p.node());
            }
        }
        return true;
    }

    private void countOwner(PodInfo pod, String node, int sign) {
        if (pod.ownerUid == null || pod.terminating) {
            return;
        }
        Map<String, Integer> byNode = ownerPods.computeIfAbsent(pod.ownerUid, k -> new HashMap<>());
        int n = byNode.getOrDefault(node, 0) + sign;
        if (n > 0) {
            byNode.put(node, n);
        } else {
            byNode.remove(node);
            if (byNode.isEmpty()) {
                ownerPods.remove(pod.ownerUid);
            }
        }
    }

    /**
     * The owner's pods (not terminating) per node name: a read-only view, valid while the caller holds {@link #lock()}
     * (a scheduling cycle does); copying it cost a fifth of every cycle.
     */
    public synchronized Map<String, Integer> podsOfOwnerByNode(String ownerUid) {
        Map<String, Integer> byNode = ownerPods.get(ownerUid);
        return byNode == null ? Map.of() : Collections.unmodifiableMap(byNode);
    }

    public synchronized int podCount() {
        return pods.size();
    }
}
