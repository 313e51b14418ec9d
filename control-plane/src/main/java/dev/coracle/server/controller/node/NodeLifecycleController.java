package dev.coracle.server.controller.node;

import dev.coracle.server.api.ApiException;
import dev.coracle.server.api.InternalClient;
import dev.coracle.server.api.Json;
import dev.coracle.server.controller.Controller;
import dev.coracle.server.controller.ControllerProperties;
import dev.coracle.server.controller.EventRecorder;
import dev.coracle.server.controller.Informer;
import dev.coracle.server.controller.Informers;
import dev.coracle.server.patch.PatchType;
import dev.coracle.server.registry.Semantic;
import dev.coracle.server.scheduler.Taints;
import dev.coracle.server.store.RevisionRecord.EventType;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * kube-controller-manager's node lifecycle controller. Nodes heartbeat by renewing their Lease in
 * {@code kube-node-lease} and by posting status; a node heard from by neither for
 * {@code nodeMonitorGracePeriod} gets {@code Ready=Unknown} ({@code NodeStatusUnknown}, "Kubelet stopped
 * posting node status."), its pods are marked not ready, and it is tainted
 * {@code node.kubernetes.io/unreachable:NoExecute} (or {@code not-ready:NoExecute} when the kubelet
 * reports Ready=False) for the {@link TaintEvictionController} to act on; the taints go when it is
 * Ready again. It also keeps the NoSchedule taints that mirror node conditions and cordoning
 * ({@code node.kubernetes.io/unschedulable}). "Heard from" is measured on this server's clock, when a
 * change is observed, as Kubernetes does to be immune to clock skew.
 */
@Component
public class NodeLifecycleController extends Controller {

    private static final Logger log = LoggerFactory.getLogger(NodeLifecycleController.class);
    static final String COMPONENT = "node-controller";
    static final String NODE_LEASE_NAMESPACE = "kube-node-lease";
    private static final List<String> KUBELET_CONDITIONS = List.of("Ready", "MemoryPressure", "DiskPressure", "PIDPressure");

    /** What was last heard from a node, and when (this server's monotonic clock). */
    private static final class Health {
        long probeNanos;
        NodeCondition savedReady;
        ZonedDateTime leaseRenewTime;
    }

    private final InternalClient client;
    private final EventRecorder events;
    private final ControllerProperties properties;
    private final Map<String, Health> health = new ConcurrentHashMap<>();
    private final Set<String> known = ConcurrentHashMap.newKeySet();
    private Informer<Node> nodes;
    private Informer<Lease> leases;
    private Informer<Pod> pods;
    private volatile ScheduledExecutorService monitor;

    public NodeLifecycleController(InternalClient client, EventRecorder events, ControllerProperties properties) {
        this.client = client;
        this.events = events;
        this.properties = properties;
    }

    @Override
    public String name() {
        return "nodelifecycle";
    }

    @Override
    protected void register(Informers informers) {
        nodes = informers.of(Node.class);
        leases = informers.of(Lease.class);
        pods = informers.of(Pod.class);
        nodes.onChange(c -> {
            if (c.type() == EventType.DELETED) {
                health.remove(c.current().getMetadata().getName());
                known.remove(c.current().getMetadata().getName());
            } else {
                enqueue(c.current().getMetadata().getName());
            }
        });
        leases.onChange(c -> {
            if (c.type() != EventType.DELETED && NODE_LEASE_NAMESPACE.equals(c.current().getMetadata().getNamespace())) {
                enqueue(c.current().getMetadata().getName());
            }
        });
        pods.onChange(c -> {
            if (c.type() == EventType.DELETED) {
                return;
            }
            String node = nodeName(c.current());
            if (!node.isEmpty() && (c.old() == null || !node.equals(nodeName(c.old())))) {
                enqueue(Informer.key(c.current()));
            }
        });
    }

    /** A new leader starts every node's clock afresh, as Kubernetes does ("assuming now as a timestamp"). */
    @Override
    protected void started() {
        health.clear();
        known.clear();
        monitor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "node-monitor");
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(10, properties.nodeMonitorPeriod().toMillis());
        monitor.scheduleWithFixedDelay(() -> nodes.all().forEach(n -> enqueue(n.getMetadata().getName())),
                period, period, TimeUnit.MILLISECONDS);
    }

    @Override
    protected void stopped() {
        if (monitor != null) {
            monitor.shutdownNow();
        }
        health.clear();
        known.clear();
    }

    @Override
    protected void reconcile(String key) {
        if (key.contains("/")) {
            processPod(key);
        } else {
            monitorNode(key);
        }
    }

    // ---------------------------------------------------------------- node health

    private void monitorNode(String name) {
        Node node = nodes.get(null, name).orElse(null);
        if (node == null) {
            health.remove(name);
            return;
        }
        if (known.add(name)) {
            events.normal(node, COMPONENT, "RegisteredNode", "Registered Node " + name + " in Controller");
        }
        NodeCondition current = condition(node, "Ready");
        NodeCondition observed = current != null ? Semantic.copy(current) : unknownSince(node);
        Health h = observeHeartbeats(node, current);

        long now = System.nanoTime();
        if (now - h.probeNanos > properties.nodeMonitorGracePeriod().toNanos()) {
            node = Semantic.copy(node);
            if (node.getStatus() == null) {
                node.setStatus(new io.fabric8.kubernetes.api.model.NodeStatus());
            }
            String stamp = now();
            for (String type : KUBELET_CONDITIONS) {
                NodeCondition c = condition(node, type);
                if (c == null) {
                    c = new NodeCondition();
                    c.setType(type);
                    c.setStatus("Unknown");
                    c.setReason("NodeStatusNeverUpdated");
                    c.setMessage("Kubelet never posted node status.");
                    c.setLastHeartbeatTime(node.getMetadata().getCreationTimestamp());
                    c.setLastTransitionTime(stamp);
                    node.getStatus().getConditions().add(c);
                } else if (!"Unknown".equals(c.getStatus())) {
                    c.setStatus("Unknown");
                    c.setReason("NodeStatusUnknown");
                    c.setMessage("Kubelet stopped posting node status.");
                    c.setLastTransitionTime(stamp);
                }
            }
            current = condition(node, "Ready");
            if (!Semantic.equal(current, observed)) {
                log.info("node {} has not been heard from for {}: Ready is now Unknown", name, properties.nodeMonitorGracePeriod());
                node = client.updateStatus(node);
                h.savedReady = Semantic.copy(condition(node, "Ready"));
            }
        }

        if (current != null && !"True".equals(current.getStatus()) && "True".equals(observed.getStatus())) {
            events.normal(node, COMPONENT, "NodeNotReady", "Node " + name + " status is now: NodeNotReady");
            markPodsNotReady(name);
        }
        reconcileTaints(node, current == null ? null : observed.getStatus());
    }

    /** {@code tryUpdateNodeHealth}'s bookkeeping: a new Ready heartbeat or a renewed Lease resets the node's clock. */
    private Health observeHeartbeats(Node node, NodeCondition current) {
        String name = node.getMetadata().getName();
        Health h = health.get(name);
        long now = System.nanoTime();
        if (h == null) {
            h = new Health();
            h.probeNanos = current == null ? nanosAt(node.getMetadata().getCreationTimestamp(), now) : now;
            h.savedReady = current == null ? null : Semantic.copy(current);
            health.put(name, h);
        } else if ((h.savedReady == null) != (current == null)) {
            h.probeNanos = now;
            h.savedReady = current == null ? null : Semantic.copy(current);
        } else if (current != null && !Objects.equals(h.savedReady.getLastHeartbeatTime(), current.getLastHeartbeatTime())) {
            h.probeNanos = now;
            h.savedReady = Semantic.copy(current);
        }
        Lease lease = leases.get(NODE_LEASE_NAMESPACE, name).orElse(null);
        ZonedDateTime renew = lease == null || lease.getSpec() == null ? null : lease.getSpec().getRenewTime();
        if (renew != null && (h.leaseRenewTime == null || h.leaseRenewTime.isBefore(renew))) {
            h.leaseRenewTime = renew;
            h.probeNanos = now;
        }
        return h;
    }

    /**
     * The NoExecute taint that mirrors the Ready condition last observed (not-ready for False,
     * unreachable for Unknown, none for True), and the NoSchedule taints that mirror the conditions and
     * {@code spec.unschedulable}, in one write.
     */
    private void reconcileTaints(Node node, String observedReady) {
        List<Taint> taints = new ArrayList<>(node.getSpec() == null ? List.of() : node.getSpec().getTaints());
        boolean changed = false;
        Taint notReady = Taints.taint(Taints.NOT_READY, Taints.NO_EXECUTE);
        Taint unreachable = Taints.taint(Taints.UNREACHABLE, Taints.NO_EXECUTE);
        Taint wanted = observedReady == null ? null : switch (observedReady) {
            case "False" -> notReady;
            case "Unknown" -> unreachable;
            default -> null;
        };
        for (Taint t : observedReady == null ? List.<Taint>of() : List.of(notReady, unreachable)) {
            if ((wanted == null || !Taints.sameTaint(t, wanted)) && Taints.contains(taints, t)) {
                taints.removeIf(x -> Taints.sameTaint(x, t));
                changed = true;
            }
        }
        if (wanted != null && !Taints.contains(taints, wanted)) {
            wanted.setTimeAdded(now());
            taints.add(wanted);
            changed = true;
        }
        List<Taint> noSchedule = new ArrayList<>();
        for (Taint t : Taints.conditionTaints(node)) {
            if (!(t.getKey().equals(Taints.UNREACHABLE) && condition(node, "Ready") == null)) {
                noSchedule.add(t);
            }
        }
        for (Taint t : new ArrayList<>(taints)) {
            if (Taints.NO_SCHEDULE.equals(t.getEffect()) && isControllerNoScheduleKey(t.getKey()) && !Taints.contains(noSchedule, t)) {
                taints.remove(t);
                changed = true;
            }
        }
        for (Taint t : noSchedule) {
            if (!Taints.contains(taints, t)) {
                taints.add(t);
                changed = true;
            }
        }
        if (changed) {
            Node updated = Semantic.copy(node);
            if (updated.getSpec() == null) {
                updated.setSpec(new io.fabric8.kubernetes.api.model.NodeSpec());
            }
            updated.getSpec().setTaints(taints);
            client.update(updated);
        }
    }

    private static boolean isControllerNoScheduleKey(String key) {
        if (Taints.UNSCHEDULABLE.equals(key)) {
            return true;
        }
        for (Map<String, String> byStatus : Taints.CONDITION_TAINTS.values()) {
            if (byStatus.containsValue(key)) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- pods on unhealthy nodes

    /** {@code MarkPodsNotReady}: the Ready condition of every pod on the node becomes False, with a NodeNotReady event. */
    private void markPodsNotReady(String nodeName) {
        for (Pod pod : pods.list(null, p -> nodeName.equals(nodeName(p)))) {
            markNotReady(pod);
        }
    }

    private void markNotReady(Pod pod) {
        PodCondition ready = null;
        if (pod.getStatus() != null) {
            for (PodCondition c : pod.getStatus().getConditions()) {
                if ("Ready".equals(c.getType())) {
                    ready = c;
                }
            }
        }
        if (ready == null || "False".equals(ready.getStatus())) {
            return;
        }
        Map<String, Object> condition = new LinkedHashMap<>();
        condition.put("type", "Ready");
        condition.put("status", "False");
        condition.put("lastTransitionTime", now());
        String body = Json.write(Map.of("status", Map.of("conditions", List.of(condition))));
        try {
            client.patch(Pod.class, pod.getMetadata().getNamespace(), pod.getMetadata().getName(), "status",
                    PatchType.STRATEGIC_MERGE_PATCH, body);
            events.warning(pod, COMPONENT, "NodeNotReady", "Node is not ready");
        } catch (ApiException e) {
            if (e.code() != 404) {
                throw e;
            }
        }
    }

    /** A pod newly bound to a node that is not Ready is marked not ready at once. */
    private void processPod(String key) {
        Pod pod = pods.get(key).orElse(null);
        if (pod == null) {
            return;
        }
        Health h = health.get(nodeName(pod));
        if (h == null || h.savedReady == null || nodes.get(null, nodeName(pod)).isEmpty()) {
            return;
        }
        if (!"True".equals(h.savedReady.getStatus())) {
            markNotReady(pod);
        }
    }

    // ---------------------------------------------------------------- helpers

    static NodeCondition condition(Node node, String type) {
        if (node.getStatus() == null) {
            return null;
        }
        for (NodeCondition c : node.getStatus().getConditions()) {
            if (type.equals(c.getType())) {
                return c;
            }
        }
        return null;
    }

    private static NodeCondition unknownSince(Node node) {
        NodeCondition c = new NodeCondition();
        c.setType("Ready");
        c.setStatus("Unknown");
        c.setLastHeartbeatTime(node.getMetadata().getCreationTimestamp());
        c.setLastTransitionTime(node.getMetadata().getCreationTimestamp());
        return c;
    }

    private static long nanosAt(String timestamp, long nowNanos) {
        try {
            long ago = ChronoUnit.NANOS.between(Instant.parse(timestamp), Instant.now());
            return nowNanos - Math.max(0, ago);
        } catch (RuntimeException e) {
            return nowNanos;
        }
    }

    static String nodeName(Pod pod) {
        return pod.getSpec() == null || pod.getSpec().getNodeName() == null ? "" : pod.getSpec().getNodeName();
    }

    static String now() {
        return DateTimeFormatter.ISO_INSTANT.format(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    }
}
