package dev.coracle.server.scheduler.score;

import dev.coracle.server.scheduler.CycleState;
import dev.coracle.server.scheduler.NodeInfo;
import dev.coracle.server.scheduler.PodInfo;
import dev.coracle.server.scheduler.SchedulerCache;

import java.util.List;

/**
 * A score plugin: how well a feasible node suits a pod, 0 to {@link #MAX} after {@link #normalize},
 * multiplied by the plugin's weight; the node with the highest sum wins, ties broken at random.
 */
public interface Score {

    long MAX = 100;

    String name();

    int weight();

    /**
     * PreScore: computes once per cycle, into {@code state}, what {@link #score} needs for the feasible nodes.
     * Returns false when the plugin has nothing to say about this pod (kube-scheduler's {@code Skip}): it then
     * adds nothing to any node.
     */
    default boolean preScore(CycleState state, PodInfo pod, List<NodeInfo> feasible, SchedulerCache cache) {
        return true;
    }

    long score(CycleState state, PodInfo pod, NodeInfo node);

    /** Brings the raw scores of all feasible nodes to 0..100. */
    default void normalize(CycleState state, long[] scores) {
    }

    /** kube-scheduler's default profile, with its weights. */
    static List<Score> defaults() {
        return List.of(new TaintTolerationScore(), new NodeAffinityScore(), new LeastAllocated(), new BalancedAllocation(),
                new PodTopologySpreadScore(), new InterPodAffinityScore());
    }

    /** {@code helper.DefaultNormalizeScore}. */
    static void defaultNormalize(long[] scores, boolean reverse) {
        long max = 0;
        for (long s : scores) {
            max = Math.max(max, s);
        }
        if (max == 0) {
            if (reverse) {
                java.util.Arrays.fill(scores, MAX);
            }
            return;
        }
        for (int i = 0; i < scores.length; i++) {
            long s = MAX * scores[i] / max;
            scores[i] = reverse ? MAX - s : s;
        }
    }
}
