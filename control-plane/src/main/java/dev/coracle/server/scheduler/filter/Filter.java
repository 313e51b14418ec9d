package dev.coracle.server.scheduler.filter;

import dev.coracle.server.scheduler.CycleState;
import dev.coracle.server.scheduler.NodeInfo;
import dev.coracle.server.scheduler.PodInfo;
import dev.coracle.server.scheduler.SchedulerCache;

import java.util.List;

/** A filter plugin: whether a pod may run on a node. Runs under the scheduler cache's lock; must be cheap. */
public interface Filter {

    /** The plugin's name in kube-scheduler. */
    String name();

    /**
     * PreFilter: computes once per cycle, into {@code state}, what {@link #filter} needs for every node.
     * Returns false when the filter has nothing to check for this pod (kube-scheduler's {@code Skip}).
     */
    default boolean preFilter(CycleState state, PodInfo pod, SchedulerCache cache) {
        return true;
    }

    /** Null when the node fits. */
    FilterStatus filter(CycleState state, PodInfo pod, NodeInfo node);

    /**
     * PreFilterExtensions' {@code AddPod}/{@code RemovePod}: brings the PreFilter state up to date as if
     * {@code other} were added to ({@code sign} 1) or removed from ({@code sign} -1) {@code node}; what
     * preemption's dry run needs when it sets lower-priority pods aside.
     */
    default void updateWithPod(CycleState state, PodInfo pod, PodInfo other, NodeInfo node, int sign) {
    }

    /** kube-scheduler's default profile, in its order: the first failing filter names the node's reason. */
    static List<Filter> defaults() {
        return List.of(new NodeUnschedulable(), new TaintToleration(), new NodeAffinity(), new NodePorts(), new NodeResourcesFit(),
                new VolumeBinding(), new PodTopologySpread(), new InterPodAffinity());
    }
}
