package dev.coracle.server.scheduler.filter;

import dev.coracle.server.scheduler.CycleState;
import dev.coracle.server.scheduler.NodeInfo;
import dev.coracle.server.scheduler.PodInfo;

/** A host port (protocol, port, host IP) already taken on the node by another pod. */
public final class NodePorts implements Filter {

    static final String REASON = "node(s) didn't have free ports for the requested pod ports";

    @Override
    public String name() {
        return "NodePorts";
    }

    @Override
    public FilterStatus filter(CycleState state, PodInfo pod, NodeInfo node) {
        for (PodInfo.HostPort p : pod.hostPorts) {
            if (node.portInUse(p)) {
                return FilterStatus.resolvable(REASON);
            }
        }
        return null;
    }
}
