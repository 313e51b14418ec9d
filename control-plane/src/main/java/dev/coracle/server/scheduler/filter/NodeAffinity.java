package dev.coracle.server.scheduler.filter;

import dev.coracle.server.scheduler.CycleState;
import dev.coracle.server.scheduler.NodeInfo;
import dev.coracle.server.scheduler.NodeSelectors;
import dev.coracle.server.scheduler.PodInfo;

/** {@code spec.nodeSelector} and required node affinity ({@code nodeSelectorTerms}, ORed) must both match. */
public final class NodeAffinity implements Filter {

    static final String REASON = "node(s) didn't match Pod's node affinity/selector";

    @Override
    public String name() {
        return "NodeAffinity";
    }

    @Override
    public FilterStatus filter(CycleState state, PodInfo pod, NodeInfo node) {
        return NodeSelectors.matchesRequiredNodeAffinity(pod, node) ? null : FilterStatus.unresolvable(REASON);
    }
}
