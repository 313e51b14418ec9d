package dev.coracle.server.scheduler;

import io.fabric8.kubernetes.api.model.Node;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * kube-scheduler's cache: every node with the pods on it, including pods <em>assumed</em> there — chosen
 * by the scheduler, binding in flight — so that a burst of decisions never counts the same free
 * resources twice. An assumed pod is confirmed when the informer shows it bound, and forgotten if its
 * binding fails. Callers lock it ({@link #lock()}) for a whole scheduling cycle.
 */
public final class SchedulerCache {

    private record Placement(String node, PodInfo pod, boolean assumed) {
    }

    private final Map<String, NodeInfo> nodes = new HashMap<>();
    /** Nodes that exist as objects, in the order they were added: the candidates. */
    private final List<NodeInfo> nodeList = new ArrayList<>();
    private final Map<String, Placement> pods = new HashMap<>();

    public Object lock() {
        return this;
    }

    public synchronized void clear() {
        nodes.clear();
        nodeList.clear();
        pods.clear();
    }

    public synchronized void setNode(Node node) {
        String name = node.getMetadata().getName();
        NodeInfo info = nodes.computeIfAbsent(name, NodeInfo::new);
        if (info.node() == null) {
            nodeList.add(info);
        }
        info.setNode(node);
    }

    public synchronized void removeNode(String name) {
        NodeInfo info = nodes.get(name);
        if (info == null) {
            return;
        }
        nodeList.remove(info);
        info.clearNode();
        if (info.podCount() == 0) {
            nodes.remove(name);
        }
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

    /** A pod the API shows bound to {@code node} (and not finished): adds it, or confirms or moves an assumed one. */
    public synchronized void addOrUpdateBound(PodInfo pod, String node) {
        place(pod, node, false);
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
        nodes.computeIfAbsent(node, NodeInfo::new).addPod(pod);
        pods.put(pod.key, new Placement(node, pod, assumed));
    }

    private boolean unplace(String key) {
        Placement p = pods.remove(key);
        if (p == null) {
            return false;
        }
        NodeInfo info = nodes.get(p.node());
        if (info != null) {
            info.removePod(key);
            if (info.node() == null && info.podCount() == 0) {
                nodes.remove(p.node());
            }
        }
        return true;
    }

    public synchronized int podCount() {
        return pods.size();
    }
}
