package dev.coracle.server.scheduler.filter;

import dev.coracle.server.scheduler.AffinityTerm;
import dev.coracle.server.scheduler.CycleState;
import dev.coracle.server.scheduler.NodeInfo;
import dev.coracle.server.scheduler.PodInfo;
import dev.coracle.server.scheduler.SchedulerCache;
import dev.coracle.server.scheduler.TopologyPair;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * kube-scheduler's InterPodAffinity filter ({@code interpodaffinity/filtering.go}). PreFilter counts, per
 * topology domain, the existing pods matching the pod's required affinity terms (a pod must match all of
 * them), those matching its required anti-affinity terms, and the existing pods whose own required
 * anti-affinity matches the pod (the symmetric rule) — the last from the cache's index of nodes holding such
 * pods, so that a pod without affinity is skipped when none exists. Filter then only looks up the node's
 * domains. The first pod of a group with affinity to itself may go anywhere its topology keys exist.
 */
public final class InterPodAffinity implements Filter {

    public static final String NAME = "InterPodAffinity";
    public static final String AFFINITY_RULES_NOT_MATCH = "node(s) didn't match pod affinity rules";
    public static final String ANTI_AFFINITY_RULES_NOT_MATCH = "node(s) didn't match pod anti-affinity rules";
    public static final String EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH = "node(s) didn't satisfy existing pods anti-affinity rules";

    /** The {@code preFilterState}. */
    static final class State {
        final Function<String, Map<String, String>> namespaceLabels;
        final Map<TopologyPair, Long> existingAntiAffinityCounts = new HashMap<>();
        final Map<TopologyPair, Long> affinityCounts = new HashMap<>();
        final Map<TopologyPair, Long> antiAffinityCounts = new HashMap<>();

        State(Function<String, Map<String, String>> namespaceLabels) {
            this.namespaceLabels = namespaceLabels;
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean preFilter(CycleState cycle, PodInfo pod, SchedulerCache cache) {
        boolean incoming = !pod.requiredAffinityTerms.isEmpty() || !pod.requiredAntiAffinityTerms.isEmpty();
        if (!incoming && cache.nodesWithRequiredAntiAffinityPods().isEmpty()) {
            return false;
        }
        State state = new State(cache::namespaceLabels);
        for (NodeInfo node : cache.nodesWithRequiredAntiAffinityPods()) {
            if (node.node() == null) {
                continue;
            }
            for (PodInfo existing : node.podsWithRequiredAntiAffinity()) {
                addAntiAffinityMatches(state.existingAntiAffinityCounts, existing.requiredAntiAffinityTerms, pod, state.namespaceLabels, node, 1);
            }
        }
        if (incoming) {
            for (NodeInfo node : cache.nodes()) {
                for (PodInfo existing : node.pods()) {
                    addAffinityMatches(state.affinityCounts, pod.requiredAffinityTerms, existing, state.namespaceLabels, node, 1);
                    addAntiAffinityMatches(state.antiAffinityCounts, pod.requiredAntiAffinityTerms, existing, state.namespaceLabels, node, 1);
                }
            }
        }
        if (state.existingAntiAffinityCounts.isEmpty() && !incoming) {
            return false;
        }
        cycle.write(this, state);
        return true;
    }

    @Override
    public void updateWithPod(CycleState cycle, PodInfo pod, PodInfo other, NodeInfo node, int sign) {
        State state = cycle.read(this);
        if (state == null) {
            return;
        }
        addAntiAffinityMatches(state.existingAntiAffinityCounts, other.requiredAntiAffinityTerms, pod, state.namespaceLabels, node, sign);
        addAffinityMatches(state.affinityCounts, pod.requiredAffinityTerms, other, state.namespaceLabels, node, sign);
        addAntiAffinityMatches(state.antiAffinityCounts, pod.requiredAntiAffinityTerms, other, state.namespaceLabels, node, sign);
    }

    @Override
    public FilterStatus filter(CycleState cycle, PodInfo pod, NodeInfo node) {
        State state = cycle.read(this);
        if (state == null) {
            return null;
        }
        if (!satisfiesPodAffinity(state, pod, node)) {
            return FilterStatus.unresolvable(AFFINITY_RULES_NOT_MATCH);
        }
        if (!satisfiesPodAntiAffinity(state, pod, node)) {
            return FilterStatus.resolvable(ANTI_AFFINITY_RULES_NOT_MATCH);
        }
        if (!satisfiesExistingPodsAntiAffinity(state, node)) {
            return FilterStatus.resolvable(EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH);
        }
        return null;
    }

    private static boolean satisfiesPodAffinity(State state, PodInfo pod, NodeInfo node) {
        boolean podsExist = true;
        for (AffinityTerm term : pod.requiredAffinityTerms) {
            String value = node.labels().get(term.topologyKey());
            if (value == null) {
                return false;
            }
            if (state.affinityCounts.getOrDefault(new TopologyPair(term.topologyKey(), value), 0L) <= 0) {
                podsExist = false;
            }
        }
        if (podsExist) {
            return true;
        }
        // the first of a group of pods with affinity to each other: no pod anywhere matches, but it matches itself
        return state.affinityCounts.isEmpty() && matchesAll(pod.requiredAffinityTerms, pod, state.namespaceLabels);
    }

    private static boolean satisfiesPodAntiAffinity(State state, PodInfo pod, NodeInfo node) {
        if (state.antiAffinityCounts.isEmpty()) {
            return true;
        }
        for (AffinityTerm term : pod.requiredAntiAffinityTerms) {
            String value = node.labels().get(term.topologyKey());
            if (value != null && state.antiAffinityCounts.getOrDefault(new TopologyPair(term.topologyKey(), value), 0L) > 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean satisfiesExistingPodsAntiAffinity(State state, NodeInfo node) {
        if (state.existingAntiAffinityCounts.isEmpty()) {
            return true;
        }
        for (Map.Entry<String, String> label : node.labels().entrySet()) {
            if (state.existingAntiAffinityCounts.getOrDefault(new TopologyPair(label.getKey(), label.getValue()), 0L) > 0) {
                return false;
            }
        }
        return true;
    }

    /** {@code podMatchesAllAffinityTerms}: there is at least one term and the pod matches every one. */
    public static boolean matchesAll(List<AffinityTerm> terms, PodInfo pod, Function<String, Map<String, String>> namespaceLabels) {
        if (terms.isEmpty()) {
            return false;
        }
        for (AffinityTerm term : terms) {
            if (!term.matches(pod, namespaceLabels)) {
                return false;
            }
        }
        return true;
    }

    /** {@code updateWithAffinityTerms}: when {@code target} matches all the terms, each term's domain on {@code node} counts it. */
    private static void addAffinityMatches(Map<TopologyPair, Long> counts, List<AffinityTerm> terms, PodInfo target,
                                           Function<String, Map<String, String>> namespaceLabels, NodeInfo node, int sign) {
        if (!matchesAll(terms, target, namespaceLabels)) {
            return;
        }
        for (AffinityTerm term : terms) {
            String value = node.labels().get(term.topologyKey());
            if (value != null) {
                TopologyPair.add(counts, new TopologyPair(term.topologyKey(), value), sign);
            }
        }
    }

    /** {@code updateWithAntiAffinityTerms}: each term {@code target} matches counts it in the term's domain on {@code node}. */
    private static void addAntiAffinityMatches(Map<TopologyPair, Long> counts, List<AffinityTerm> terms, PodInfo target,
                                               Function<String, Map<String, String>> namespaceLabels, NodeInfo node, int sign) {
        for (AffinityTerm term : terms) {
            if (term.matches(target, namespaceLabels)) {
                String value = node.labels().get(term.topologyKey());
                if (value != null) {
                    TopologyPair.add(counts, new TopologyPair(term.topologyKey(), value), sign);
                }
            }
        }
    }

    /**
     * The queueing hint for an assigned pod added ({@code old} null) or relabelled: whether the change may let
     * {@code pending}, rejected by this plugin, fit — the new pod matches all its required affinity terms, or a
     * pod started to match them, or stopped matching all its anti-affinity terms ({@code isSchedulableAfterPodChange}).
     * A deleted pod retries every unschedulable pod anyway.
     */
    public static boolean schedulableAfterPodChange(PodInfo pending, PodInfo old, PodInfo now,
                                                    Function<String, Map<String, String>> namespaceLabels) {
        if (old == null) {
            return matchesAll(pending.requiredAffinityTerms, now, namespaceLabels);
        }
        return (!matchesAll(pending.requiredAffinityTerms, old, namespaceLabels) && matchesAll(pending.requiredAffinityTerms, now, namespaceLabels))
                || (matchesAll(pending.requiredAntiAffinityTerms, old, namespaceLabels)
                && !matchesAll(pending.requiredAntiAffinityTerms, now, namespaceLabels));
    }
}
