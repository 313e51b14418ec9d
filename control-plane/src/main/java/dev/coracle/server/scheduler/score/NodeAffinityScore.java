package dev.coracle.server.scheduler.score;

import dev.coracle.server.scheduler.CycleState;
import dev.coracle.server.scheduler.NodeInfo;
import dev.coracle.server.scheduler.NodeSelectors;
import dev.coracle.server.scheduler.PodInfo;
import io.fabric8.kubernetes.api.model.PreferredSchedulingTerm;

/** NodeAffinity's score: the summed weights of the preferred node affinity terms the node matches. */
public final class NodeAffinityScore implements Score {

    @Override
    public String name() {
        return "NodeAffinity";
    }

    @Override
    public int weight() {
        return 2;
    }

    @Override
    public long score(CycleState state, PodInfo pod, NodeInfo node) {
        long sum = 0;
        for (PreferredSchedulingTerm term : pod.preferredAffinity) {
            if (term.getWeight() != null && term.getWeight() != 0
                    && NodeSelectors.matchesTerm(term.getPreference(), node.node(), node.labels())) {
                sum += term.getWeight();
            }
        }
        return sum;
    }

    @Override
    public void normalize(CycleState state, long[] scores) {
        Score.defaultNormalize(scores, false);
    }
}
