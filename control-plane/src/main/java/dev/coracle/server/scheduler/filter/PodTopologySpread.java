package dev.coracle.server.scheduler.filter;

import dev.coracle.server.scheduler.CycleState;
import dev.coracle.server.scheduler.NodeInfo;
import dev.coracle.server.scheduler.PodInfo;
import dev.coracle.server.scheduler.SchedulerCache;
import dev.coracle.server.scheduler.SpreadConstraint;
import dev.coracle.server.scheduler.TopologyPair;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * kube-scheduler's PodTopologySpread filter ({@code podtopologyspread/filtering.go}) for the pod's
 * {@code DoNotSchedule} constraints. PreFilter counts the matching pods of every domain among the nodes
 * that have all the constraints' topology keys and pass the inclusion policies (a domain with none counts
 * as 0), the number of domains, and each key's global minimum; Filter refuses a node when
 * {@code matching in its domain + 1 (if the pod matches itself) - global minimum > maxSkew}, the minimum
 * being 0 while there are fewer domains than {@code minDomains}. There are no system default constraints
 * to filter with: those are {@code ScheduleAnyway} and only score.
 */
public final class PodTopologySpread implements Filter {

    public static final String NAME = "PodTopologySpread";
    public static final String CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints";
    public static final String NODE_LABEL_NOT_MATCH = CONSTRAINTS_NOT_MATCH + " (missing required label)";

    /** The {@code preFilterState}; each key's minimum is recomputed when preemption moves a count. */
    static final class State {
        final List<SpreadConstraint> constraints;
        final Map<TopologyPair, Integer> matchNum = new HashMap<>();
        final Map<String, Integer> domains = new HashMap<>();
        final Map<String, Integer> minMatchNum = new HashMap<>();

        State(List<SpreadConstraint> constraints) {
            this.constraints = constraints;
        }

        void recomputeMinimum(String key) {
            int min = Integer.MAX_VALUE;
            for (Map.Entry<TopologyPair, Integer> e : matchNum.entrySet()) {
                if (e.getKey().key().equals(key)) {
                    min = Math.min(min, e.getValue());
                }
            }
            minMatchNum.put(key, min);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean preFilter(CycleState cycle, PodInfo pod, SchedulerCache cache) {
        if (pod.topologySpreadConstraints.isEmpty()) {
            return false;
        }
        List<SpreadConstraint> constraints = SpreadConstraint.of(pod, SpreadConstraint.DO_NOT_SCHEDULE);
        if (constraints.isEmpty()) {
            return false;
        }
        State state = new State(constraints);
        for (NodeInfo node : cache.nodes()) {
            if (!SpreadConstraint.nodeHasAllKeys(node.labels(), constraints)) {
                continue;
            }
            for (SpreadConstraint c : constraints) {
                if (c.includes(pod, node)) {
                    state.matchNum.merge(new TopologyPair(c.topologyKey(), node.labels().get(c.topologyKey())),
                            c.countOn(node, pod.namespace()), Integer::sum);
                }
            }
        }
        for (TopologyPair pair : state.matchNum.keySet()) {
            state.domains.merge(pair.key(), 1, Integer::sum);
        }
        for (SpreadConstraint c : constraints) {
            state.recomputeMinimum(c.topologyKey());
        }
        cycle.write(this, state);
        return true;
    }

    @Override
    public void updateWithPod(CycleState cycle, PodInfo pod, PodInfo other, NodeInfo node, int sign) {
        State state = cycle.read(this);
        if (state == null || !other.namespace().equals(pod.namespace()) || node.node() == null
                || !SpreadConstraint.nodeHasAllKeys(node.labels(), state.constraints)) {
            return;
        }
        for (SpreadConstraint c : state.constraints) {
            if (c.selects(other) && c.includes(pod, node)) {
                state.matchNum.merge(new TopologyPair(c.topologyKey(), node.labels().get(c.topologyKey())), sign, Integer::sum);
                state.recomputeMinimum(c.topologyKey());
            }
        }
    }

    @Override
    public FilterStatus filter(CycleState cycle, PodInfo pod, NodeInfo node) {
        State state = cycle.read(this);
        if (state == null) {
            return null;
        }
        for (SpreadConstraint c : state.constraints) {
            String value = node.labels().get(c.topologyKey());
            if (value == null) {
                return FilterStatus.unresolvable(NODE_LABEL_NOT_MATCH);
            }
            int min = state.minMatchNum.getOrDefault(c.topologyKey(), Integer.MAX_VALUE);
            if (min == Integer.MAX_VALUE) {
                continue; // no domain at all: kube-scheduler finds no critical path and lets the constraint pass
            }
            if (state.domains.getOrDefault(c.topologyKey(), 0) < c.minDomains()) {
                min = 0;
            }
            int self = c.selects(pod) ? 1 : 0;
            int matching = state.matchNum.getOrDefault(new TopologyPair(c.topologyKey(), value), 0);
            if (matching + self - min > c.maxSkew()) {
                return FilterStatus.resolvable(CONSTRAINTS_NOT_MATCH);
            }
        }
        return null;
    }

    /**
     * The queueing hint for an assigned pod of the same namespace added ({@code old} null) or relabelled:
     * whether it is (or, relabelled, started or stopped being) one of the pods {@code pending}'s constraints
     * spread ({@code isSchedulableAfterPodChange}).
     */
    public static boolean schedulableAfterPodChange(PodInfo pending, PodInfo old, PodInfo now) {
        if (!now.namespace().equals(pending.namespace())) {
            return false;
        }
        List<SpreadConstraint> constraints = new java.util.ArrayList<>(SpreadConstraint.of(pending, SpreadConstraint.DO_NOT_SCHEDULE));
        constraints.addAll(SpreadConstraint.of(pending, SpreadConstraint.SCHEDULE_ANYWAY));
        for (SpreadConstraint c : constraints) {
            if (old == null ? c.selects(now) : c.selects(old) != c.selects(now)) {
                return true;
            }
        }
        return false;
    }
}
