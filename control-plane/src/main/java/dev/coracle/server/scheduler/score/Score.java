package dev.coracle.server.scheduler.score;

import dev.coracle.server.scheduler.NodeInfo;
import dev.coracle.server.scheduler.PodInfo;

import java.util.List;

/**
 * A score plugin: how well a feasible node suits a pod, 0 to {@link #MAX} after {@link #normalize},
 * multiplied by the plugin's weight; the node with the highest sum wins, ties broken at random.
 */
public interface Score {

    long MAX = 100;

    String name();

    int weight();

    long score(PodInfo pod, NodeInfo node);

    /** Brings the raw scores of all feasible nodes to 0..100. */
    default void normalize(long[] scores) {
    }

    /** kube-scheduler's default profile (weights as there), with spreading by controller owner for PodTopologySpread's defaults. */
    static List<Score> defaults() {
        return List.of(new TaintTolerationScore(), new NodeAffinityScore(), new LeastAllocated(), new BalancedAllocation(), new OwnerSpread());
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
