package dev.coracle.server.scheduler.score;

import dev.coracle.server.scheduler.AffinityTerm;
import dev.coracle.server.scheduler.CycleState;
import dev.coracle.server.scheduler.NodeInfo;
import dev.coracle.server.scheduler.PodInfo;
import dev.coracle.server.scheduler.SchedulerCache;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * kube-scheduler's InterPodAffinity score ({@code interpodaffinity/scoring.go}): every domain gets the
 * weights of the pod's preferred affinity terms matched by the pods in it, less those of its preferred
 * anti-affinity terms; and, symmetrically, of the existing pods' preferred terms (and their required
 * affinity terms, at {@code hardPodAffinityWeight} 1) the pod matches. A node scores the sum over its
 * domains, scaled between the lowest and the highest. A pod without preferred terms only looks at the
 * nodes whose pods have affinity, from the cache's index; when none has, the plugin is skipped.
 */
public final class InterPodAffinityScore implements Score {

    static final int HARD_POD_AFFINITY_WEIGHT = 1;

    @Override
    public String name() {
        return "InterPodAffinity";
    }

    @Override
    public int weight() {
        return 2;
    }

    @Override
    public boolean preScore(CycleState cycle, PodInfo pod, List<NodeInfo> feasible, SchedulerCache cache) {
        boolean hasConstraints = !pod.preferredAffinityTerms.isEmpty() || !pod.preferredAntiAffinityTerms.isEmpty();
        Collection<NodeInfo> nodes = hasConstraints ? cache.nodes() : cache.nodesWithAffinityPods();
        if (nodes.isEmpty()) {
            return false;
        }
        Function<String, Map<String, String>> namespaceLabels = cache::namespaceLabels;
        Map<String, Map<String, Long>> topologyScore = new HashMap<>();
        for (NodeInfo node : nodes) {
            if (node.node() == null || node.labels().isEmpty()) {
                continue;
            }
            for (PodInfo existing : hasConstraints ? node.pods() : node.podsWithAffinity()) {
                add(topologyScore, pod.preferredAffinityTerms, existing, namespaceLabels, node, 1, false);
                add(topologyScore, pod.preferredAntiAffinityTerms, existing, namespaceLabels, node, -1, false);
                add(topologyScore, existing.requiredAffinityTerms, pod, namespaceLabels, node, HARD_POD_AFFINITY_WEIGHT, true);
                add(topologyScore, existing.preferredAffinityTerms, pod, namespaceLabels, node, 1, false);
                add(topologyScore, existing.preferredAntiAffinityTerms, pod, namespaceLabels, node, -1, false);
            }
        }
        if (topologyScore.isEmpty()) {
            return false;
        }
        cycle.write(this, topologyScore);
        return true;
    }

    /** {@code processTerm} for each term {@code pod} matches: its weight (or {@code fixedWeight}) times {@code sign} in the node's domain. */
    private static void add(Map<String, Map<String, Long>> topologyScore, List<AffinityTerm> terms, PodInfo pod,
                            Function<String, Map<String, String>> namespaceLabels, NodeInfo node, int sign, boolean fixedWeight) {
        for (AffinityTerm term : terms) {
            if (!term.matches(pod, namespaceLabels)) {
                continue;
            }
            String value = node.labels().get(term.topologyKey());
            if (value != null) {
                long weight = fixedWeight ? sign : (long) term.weight() * sign;
                topologyScore.computeIfAbsent(term.topologyKey(), k -> new HashMap<>()).merge(value, weight, Long::sum);
            }
        }
    }

    @Override
    public long score(CycleState cycle, PodInfo pod, NodeInfo node) {
        Map<String, Map<String, Long>> topologyScore = cycle.read(this);
        long score = 0;
        for (Map.Entry<String, Map<String, Long>> e : topologyScore.entrySet()) {
            String value = node.labels().get(e.getKey());
            if (value != null) {
                score += e.getValue().getOrDefault(value, 0L);
            }
        }
        return score;
    }

    /** Scaled from the lowest (0) to the highest (100); all 0 when every node scores the same. */
    @Override
    public void normalize(CycleState cycle, long[] scores) {
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (long s : scores) {
            min = Math.min(min, s);
            max = Math.max(max, s);
        }
        long diff = max - min;
        for (int i = 0; i < scores.length; i++) {
            scores[i] = diff > 0 ? (long) (MAX * ((double) (scores[i] - min) / diff)) : 0;
        }
    }
}
