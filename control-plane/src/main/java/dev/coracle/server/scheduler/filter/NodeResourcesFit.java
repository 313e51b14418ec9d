package dev.coracle.server.scheduler.filter;

import dev.coracle.server.scheduler.CycleState;
import dev.coracle.server.scheduler.NodeInfo;
import dev.coracle.server.scheduler.PodInfo;
import dev.coracle.server.scheduler.Resource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code noderesources.Fit}: the pod's effective requests against the node's allocatable minus what its
 * pods (bound and assumed) request, and the pod count against allocatable pods. Every short resource is
 * a reason; a request larger than the whole allocatable is one preemption could not solve.
 */
public final class NodeResourcesFit implements Filter {

    @Override
    public String name() {
        return "NodeResourcesFit";
    }

    @Override
    public FilterStatus filter(CycleState state, PodInfo pod, NodeInfo node) {
        List<String> reasons = null;
        boolean unresolvable = false;
        if (node.podCount() + 1 > node.allowedPods()) {
            reasons = add(reasons, "Too many pods");
        }
        Resource want = pod.requests;
        if (!want.isZero()) {
            Resource alloc = node.allocatable();
            Resource used = node.requested();
            if (want.milliCpu > 0 && want.milliCpu > alloc.milliCpu - used.milliCpu) {
                reasons = add(reasons, "Insufficient cpu");
                unresolvable |= want.milliCpu > alloc.milliCpu;
            }
            if (want.memory > 0 && want.memory > alloc.memory - used.memory) {
                reasons = add(reasons, "Insufficient memory");
                unresolvable |= want.memory > alloc.memory;
            }
            if (want.ephemeralStorage > 0 && want.ephemeralStorage > alloc.ephemeralStorage - used.ephemeralStorage) {
                reasons = add(reasons, "Insufficient ephemeral-storage");
                unresolvable |= want.ephemeralStorage > alloc.ephemeralStorage;
            }
            for (Map.Entry<String, Long> e : want.scalar.entrySet()) {
                long q = e.getValue();
                if (q > 0 && q > alloc.scalar(e.getKey()) - used.scalar(e.getKey())) {
                    reasons = add(reasons, "Insufficient " + e.getKey());
                    unresolvable |= q > alloc.scalar(e.getKey());
                }
            }
        }
        return reasons == null ? null : new FilterStatus(!unresolvable, reasons);
    }

    private static List<String> add(List<String> reasons, String reason) {
        List<String> out = reasons == null ? new ArrayList<>(2) : reasons;
        out.add(reason);
        return out;
    }
}
