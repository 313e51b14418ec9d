package dev.coracle.server.scheduler.score;

import dev.coracle.server.scheduler.CycleState;
import dev.coracle.server.scheduler.NodeInfo;
import dev.coracle.server.scheduler.PodInfo;

/**
 * NodeResourcesFit's LeastAllocated strategy: the share of cpu and memory left free once the pod is on
 * the node, equally weighted, counting 100m/200Mi for containers that request nothing.
 */
public final class LeastAllocated implements Score {

    @Override
    public String name() {
        return "NodeResourcesFit";
    }

    @Override
    public int weight() {
        return 1;
    }

    @Override
    public long score(CycleState state, PodInfo pod, NodeInfo node) {
        long cpu = leastRequested(node.nonZeroMilliCpu() + pod.nonZeroMilliCpu, node.allocatable().milliCpu);
        long memory = leastRequested(node.nonZeroMemory() + pod.nonZeroMemory, node.allocatable().memory);
        return (cpu + memory) / 2;
    }

    static long leastRequested(long requested, long capacity) {
        if (capacity == 0 || requested > capacity) {
            return 0;
        }
        return (capacity - requested) * MAX / capacity;
    }
}
