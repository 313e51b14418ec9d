package dev.coracle.server.scheduler.filter;

import dev.coracle.server.scheduler.CycleState;
import dev.coracle.server.scheduler.NodeInfo;
import dev.coracle.server.scheduler.PodInfo;
import dev.coracle.server.scheduler.Taints;
import io.fabric8.kubernetes.api.model.Taint;

/**
 * The node's first NoSchedule or NoExecute taint the pod does not tolerate keeps it off (the seed's
 * {@code k3s-controlplane=true:NoExecute} keeps workloads off the server). The taints include those a
 * not-ready, unreachable or network-unavailable node is due from the node lifecycle controller.
 */
public final class TaintToleration implements Filter {

    @Override
    public String name() {
        return "TaintToleration";
    }

    @Override
    public FilterStatus filter(CycleState state, PodInfo pod, NodeInfo node) {
        Taint taint = Taints.firstUntoleratedNoScheduleOrNoExecute(node.taints(), pod.tolerations);
        if (taint == null) {
            return null;
        }
        return FilterStatus.unresolvable("node(s) had untolerated taint {" + nz(taint.getKey()) + ": " + nz(taint.getValue()) + "}");
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
