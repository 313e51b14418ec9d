package dev.coracle.server.scheduler;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Taints and tolerations as {@code k8s.io/api/core/v1} and {@code v1helper} match them. */
public final class Taints {

    public static final String NO_SCHEDULE = "NoSchedule";
    public static final String PREFER_NO_SCHEDULE = "PreferNoSchedule";
    public static final String NO_EXECUTE = "NoExecute";

    public static final String NOT_READY = "node.kubernetes.io/not-ready";
    public static final String UNREACHABLE = "node.kubernetes.io/unreachable";
    public static final String UNSCHEDULABLE = "node.kubernetes.io/unschedulable";
    public static final String MEMORY_PRESSURE = "node.kubernetes.io/memory-pressure";
    public static final String DISK_PRESSURE = "node.kubernetes.io/disk-pressure";
    public static final String PID_PRESSURE = "node.kubernetes.io/pid-pressure";
    public static final String NETWORK_UNAVAILABLE = "node.kubernetes.io/network-unavailable";

    /** The node lifecycle controller's {@code nodeConditionToTaintKeyStatusMap}: condition type, status, taint key. */
    public static final Map<String, Map<String, String>> CONDITION_TAINTS = Map.of(
            "Ready", Map.of("False", NOT_READY, "Unknown", UNREACHABLE),
            "MemoryPressure", Map.of("True", MEMORY_PRESSURE),
            "DiskPressure", Map.of("True", DISK_PRESSURE),
            "NetworkUnavailable", Map.of("True", NETWORK_UNAVAILABLE),
            "PIDPressure", Map.of("True", PID_PRESSURE));

    private Taints() {
    }

    /** {@code Toleration.ToleratesTaint}: effect and key match (empty matches all), then Equal compares values, Exists does not. */
    public static boolean tolerates(Toleration t, Taint taint) {
        String effect = nz(t.getEffect());
        if (!effect.isEmpty() && !effect.equals(nz(taint.getEffect()))) {
            return false;
        }
        String key = nz(t.getKey());
        if (!key.isEmpty() && !key.equals(nz(taint.getKey()))) {
            return false;
        }
        return switch (nz(t.getOperator())) {
            case "", "Equal" -> nz(t.getValue()).equals(nz(taint.getValue()));
            case "Exists" -> true;
            default -> false;
        };
    }

    public static boolean tolerated(List<Toleration> tolerations, Taint taint) {
        for (Toleration t : tolerations) {
            if (tolerates(t, taint)) {
                return true;
            }
        }
        return false;
    }

    /** {@code FindMatchingUntoleratedTaint} with {@code DoNotScheduleTaintsFilterFunc}: the first NoSchedule or NoExecute taint not tolerated. */
    public static Taint firstUntoleratedNoScheduleOrNoExecute(List<Taint> taints, List<Toleration> tolerations) {
        for (Taint taint : taints) {
            String effect = nz(taint.getEffect());
            if ((effect.equals(NO_SCHEDULE) || effect.equals(NO_EXECUTE)) && !tolerated(tolerations, taint)) {
                return taint;
            }
        }
        return null;
    }

    /**
     * The taints the node lifecycle controller gives a node for its conditions (TaintNodesByCondition) and
     * for {@code spec.unschedulable}, all NoSchedule. A node that never posted a Ready condition counts as Unknown.
     */
    public static List<Taint> conditionTaints(Node node) {
        List<Taint> out = new ArrayList<>();
        boolean sawReady = false;
        List<NodeCondition> conditions = node.getStatus() == null ? List.of() : node.getStatus().getConditions();
        for (NodeCondition c : conditions) {
            sawReady |= "Ready".equals(c.getType());
            Map<String, String> byStatus = CONDITION_TAINTS.get(c.getType());
            String key = byStatus == null ? null : byStatus.get(c.getStatus());
            if (key != null) {
                out.add(taint(key, NO_SCHEDULE));
            }
        }
        if (!sawReady) {
            out.add(taint(UNREACHABLE, NO_SCHEDULE));
        }
        if (node.getSpec() != null && Boolean.TRUE.equals(node.getSpec().getUnschedulable())) {
            out.add(taint(UNSCHEDULABLE, NO_SCHEDULE));
        }
        return out;
    }

    public static Taint taint(String key, String effect) {
        Taint t = new Taint();
        t.setKey(key);
        t.setEffect(effect);
        return t;
    }

    /** Same key and effect: how Kubernetes identifies a taint ({@code Taint.MatchTaint}). */
    public static boolean sameTaint(Taint a, Taint b) {
        return Objects.equals(nz(a.getKey()), nz(b.getKey())) && Objects.equals(nz(a.getEffect()), nz(b.getEffect()));
    }

    public static boolean contains(List<Taint> taints, Taint taint) {
        for (Taint t : taints) {
            if (sameTaint(t, taint)) {
                return true;
            }
        }
        return false;
    }

    static String nz(String s) {
        return s == null ? "" : s;
    }
}
