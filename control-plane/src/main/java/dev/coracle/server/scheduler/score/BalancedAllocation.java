package dev.coracle.server.scheduler.score;

import dev.coracle.server.scheduler.CycleState;
import dev.coracle.server.scheduler.NodeInfo;
import dev.coracle.server.scheduler.PodInfo;

/** NodeResourcesBalancedAllocation: nodes whose cpu and memory would be used in equal shares score higher. */
public final class BalancedAllocation implements Score {

    @Override
    public String name() {
        return "NodeResourcesBalancedAllocation";
    }

    @Override
    public int weight() {
        return 1;
    }

    @Override
    public long score(CycleState state, PodInfo pod, NodeInfo node) {
        double[] fractions = new double[2];
        int n = 0;
        long cpuAlloc = node.allocatable().milliCpu;
        if (cpuAlloc > 0) {
            fractions[n++] = Math.min(1.0, (double) (node.requested().milliCpu + pod.requests.milliCpu) / cpuAlloc);
        }
        long memAlloc = node.allocatable().memory;
        if (memAlloc > 0) {
            fractions[n++] = Math.min(1.0, (double) (node.requested().memory + pod.requests.memory) / memAlloc);
        }
        double std = n == 2 ? Math.abs((fractions[0] - fractions[1]) / 2) : 0;
        return (long) ((1 - std) * MAX);
    }
}
