package dev.coracle.server.scheduler.filter;

import dev.coracle.server.scheduler.CycleState;
import dev.coracle.server.scheduler.NodeInfo;
import dev.coracle.server.scheduler.PodInfo;
import dev.coracle.server.scheduler.Taints;

/** A cordoned node ({@code spec.unschedulable}) takes only pods tolerating {@code node.kubernetes.io/unschedulable:NoSchedule}. */
public final class NodeUnschedulable implements Filter {

    static final String REASON = "node(s) were unschedulable";
    private static final io.fabric8.kubernetes.api.model.Taint TAINT = Taints.taint(Taints.UNSCHEDULABLE, Taints.NO_SCHEDULE);

    @Override
    public String name() {
        return "NodeUnschedulable";
    }

    @Override
    public FilterStatus filter(CycleState state, PodInfo pod, NodeInfo node) {
        if (!node.unschedulable() || Taints.tolerated(pod.tolerations, TAINT)) {
            return null;
        }
        return FilterStatus.unresolvable(REASON);
    }
}
