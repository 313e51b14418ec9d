package dev.coracle.server.scheduler.filter;

import dev.coracle.server.scheduler.NodeInfo;
import dev.coracle.server.scheduler.PodInfo;

import java.util.List;

/** A filter plugin: whether a pod may run on a node. Runs under the scheduler cache's lock; must be cheap. */
public interface Filter {

    /** The plugin's name in kube-scheduler. */
    String name();

    /** Null when the node fits. */
    FilterStatus filter(PodInfo pod, NodeInfo node);

    /** kube-scheduler's default profile, in its order: the first failing filter names the node's reason. */
    static List<Filter> defaults() {
        return List.of(new NodeUnschedulable(), new TaintToleration(), new NodeAffinity(), new NodePorts(), new NodeResourcesFit());
    }
}
