package dev.coracle.server.scheduler.score;

import dev.coracle.server.scheduler.CycleState;
import dev.coracle.server.scheduler.NodeInfo;
import dev.coracle.server.scheduler.PodInfo;
import dev.coracle.server.scheduler.SchedulerCache;
import dev.coracle.server.scheduler.SpreadConstraint;

import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * kube-scheduler's PodTopologySpread score ({@code podtopologyspread/scoring.go}): for the pod's
 * {@code ScheduleAnyway} constraints — or, when it has no constraints at all, the system defaults
 * (hostname with maxSkew 3, zone with maxSkew 5) — a node scores the matching pods of its domains, each
 * weighted by {@code log(domains + 2)}, plus {@code maxSkew - 1}; fewer is better after normalizing. With
 * explicit constraints, nodes lacking one of the topology keys score 0.
 * <p>
 * The system defaults select, in kube-scheduler, the pods of the services, ReplicationControllers,
 * ReplicaSets and StatefulSets selecting the pod; here they select the pods of the same controlling
 * ReplicaSet, ReplicationController or StatefulSet, counted by the cache per node at no cost. That is
 * the one way Coracle spreads a workload's replicas by default.
 */
public final class PodTopologySpreadScore implements Score {

    static final String HOSTNAME = NodeInfo.HOSTNAME;
    static final String ZONE = SchedulerCache.ZONE;
    /** {@code systemDefaultConstraints}: ScheduleAnyway, with the default inclusion policies. */
    static final List<SpreadConstraint> SYSTEM_DEFAULTS = List.of(
            new SpreadConstraint(3, HOSTNAME, null, 1, true, false),
            new SpreadConstraint(5, ZONE, null, 1, true, false));
    /** The same when no node has a zone: the zone constraint would add nothing to any node. */
    private static final List<SpreadConstraint> SYSTEM_DEFAULTS_WITHOUT_ZONES = SYSTEM_DEFAULTS.subList(0, 1);
    private static final Set<String> DEFAULT_SELECTOR_OWNERS = Set.of("ReplicaSet", "ReplicationController", "StatefulSet");
    private static final long IGNORED = -1;

    /** The {@code preScoreState}. */
    static final class State {
        final List<SpreadConstraint> constraints;
        /** For the system defaults: the controller whose pods are spread. */
        final String owner;
        /** For the system defaults: the owner's pods per node name, read once from the cache's owner index. */
        Map<String, Integer> ownerPods = Map.of();
        /** Nodes lacking a topology key of explicit constraints; null while there is none. */
        Set<NodeInfo> ignored;
        final List<Map<String, Long>> valueCounts;
        final double[] weights;

        State(List<SpreadConstraint> constraints, String owner) {
            this.constraints = constraints;
            this.owner = owner;
            this.valueCounts = new java.util.ArrayList<>(constraints.size());
            for (SpreadConstraint c : constraints) {
                valueCounts.add(c.topologyKey().equals(HOSTNAME) ? null : new HashMap<>());
            }
            this.weights = new double[constraints.size()];
        }

        int count(SpreadConstraint c, PodInfo pod, NodeInfo node) {
            return owner != null ? ownerPods.getOrDefault(node.name(), 0) : c.countOn(node, pod.namespace());
        }
    }

    @Override
    public String name() {
        return "PodTopologySpread";
    }

    @Override
    public int weight() {
        return 2;
    }

    @Override
    public boolean preScore(CycleState cycle, PodInfo pod, List<NodeInfo> feasible, SchedulerCache cache) {
        State state;
        if (!pod.topologySpreadConstraints.isEmpty()) {
            List<SpreadConstraint> constraints = SpreadConstraint.of(pod, SpreadConstraint.SCHEDULE_ANYWAY);
            if (constraints.isEmpty()) {
                return false;
            }
            state = new State(constraints, null);
        } else if (pod.ownerUid != null && DEFAULT_SELECTOR_OWNERS.contains(pod.ownerKind)) {
            state = new State(cache.hasZones() ? SYSTEM_DEFAULTS : SYSTEM_DEFAULTS_WITHOUT_ZONES, pod.ownerUid);
            // one small map of the nodes holding this owner's pods, rather than a lookup in each node's own map
            state.ownerPods = cache.podsOfOwnerByNode(pod.ownerUid);
            if (state.constraints == SYSTEM_DEFAULTS_WITHOUT_ZONES) {
                // the hostname default alone: one domain per feasible node, counted when scoring
                state.weights[0] = Math.log(feasible.size() + 2);
                cycle.write(this, state);
                return true;
            }
        } else {
            return false;
        }
        // only explicit constraints require every topology key: nodes without a zone still spread by hostname
        boolean requireAllKeys = state.owner == null;
        int n = state.constraints.size();
        boolean[] labelled = new boolean[n];
        boolean[] unlabelled = new boolean[n];
        for (NodeInfo node : feasible) {
            if (requireAllKeys && !SpreadConstraint.nodeHasAllKeys(node.labels(), state.constraints)) {
                if (state.ignored == null) {
                    state.ignored = Collections.newSetFromMap(new IdentityHashMap<>());
                }
                state.ignored.add(node);
                continue;
            }
            for (int i = 0; i < n; i++) {
                String key = state.constraints.get(i).topologyKey();
                if (key.equals(HOSTNAME)) {
                    continue; // counted per node when scoring
                }
                String value = node.labels().get(key);
                if (value == null) {
                    unlabelled[i] = true; // one more domain for the weight, "" in kube-scheduler; never scored
                } else {
                    labelled[i] = true;
                    state.valueCounts.get(i).putIfAbsent(value, 0L);
                }
            }
        }
        for (int i = 0; i < n; i++) {
            SpreadConstraint c = state.constraints.get(i);
            int size = c.topologyKey().equals(HOSTNAME) ? feasible.size() - (state.ignored == null ? 0 : state.ignored.size())
                    : state.valueCounts.get(i).size() + (unlabelled[i] ? 1 : 0);
            state.weights[i] = Math.log(size + 2);
        }
        // the domains' counts over every node; a constraint no feasible node has the key of adds nothing to any score
        boolean anyDomain = false;
        for (int i = 0; i < n; i++) {
            anyDomain |= labelled[i];
        }
        if (anyDomain) {
            for (NodeInfo node : cache.nodes()) {
                if (requireAllKeys && !SpreadConstraint.nodeHasAllKeys(node.labels(), state.constraints)) {
                    continue;
                }
                for (int i = 0; i < n; i++) {
                    SpreadConstraint c = state.constraints.get(i);
                    if (!labelled[i] || !c.includes(pod, node)) {
                        continue;
                    }
                    String value = node.labels().get(c.topologyKey());
                    Map<String, Long> counts = state.valueCounts.get(i);
                    Long current = value == null ? null : counts.get(value);
                    if (current != null) {
                        counts.put(value, current + state.count(c, pod, node));
                    }
                }
            }
        }
        cycle.write(this, state);
        return true;
    }

    @Override
    public long score(CycleState cycle, PodInfo pod, NodeInfo node) {
        State state = cycle.read(this);
        if (state.constraints == SYSTEM_DEFAULTS_WITHOUT_ZONES) {
            // the common case, every cycle for every node of a workload's pods: the hostname default alone
            return node.hostnameLabelled() ? Math.round(state.ownerPods.getOrDefault(node.name(), 0) * state.weights[0] + 2) : 0;
        }
        if (state.ignored != null && state.ignored.contains(node)) {
            return IGNORED;
        }
        double score = 0;
        for (int i = 0; i < state.constraints.size(); i++) {
            SpreadConstraint c = state.constraints.get(i);
            long count;
            if (c.topologyKey().equals(HOSTNAME)) {
                if (!node.hostnameLabelled()) {
                    continue;
                }
                count = state.count(c, pod, node);
            } else {
                String value = node.labels().get(c.topologyKey());
                if (value == null) {
                    continue;
                }
                count = state.valueCounts.get(i).getOrDefault(value, 0L);
            }
            score += count * state.weights[i] + (c.maxSkew() - 1);
        }
        return Math.round(score);
    }

    /** Fewer matching pods is better: {@code 100 * (max + min - score) / max}; ignored nodes get 0. */
    @Override
    public void normalize(CycleState cycle, long[] scores) {
        long min = Long.MAX_VALUE;
        long max = 0;
        for (long s : scores) {
            if (s == IGNORED) {
                continue;
            }
            min = Math.min(min, s);
            max = Math.max(max, s);
        }
        for (int i = 0; i < scores.length; i++) {
            if (scores[i] == IGNORED) {
                scores[i] = 0;
            } else if (max == 0) {
                scores[i] = MAX;
            } else {
                scores[i] = MAX * (max + min - scores[i]) / max;
            }
        }
    }
}
