package dev.coracle.server.scheduler.score;

import dev.coracle.server.scheduler.NodeInfo;
import dev.coracle.server.scheduler.PodInfo;

/**
 * Spreads the pods of one controller (ReplicaSet, StatefulSet, ...) across nodes: fewer pods of the
 * pod's controller owner on a node is better. This is what kube-scheduler's default topology spreading
 * (hostname, {@code ScheduleAnyway}) does for a workload's pods, keyed by owner instead of selector.
 */
public final class OwnerSpread implements Score {

    @Override
    public String name() {
        return "OwnerSpread";
    }

    @Override
    public int weight() {
        return 2;
    }

    @Override
    public long score(PodInfo pod, NodeInfo node) {
        return node.podsOfOwner(pod.ownerUid);
    }

    @Override
    public void normalize(long[] scores) {
        Score.defaultNormalize(scores, true);
    }
}
