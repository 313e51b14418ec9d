package dev.coracle.server.scheduler;

import dev.coracle.server.scheduler.filter.Filter;
import dev.coracle.server.scheduler.filter.FilterStatus;
import dev.coracle.server.scheduler.score.Score;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One scheduling cycle, as kube-scheduler's {@code schedulePod}: filter nodes (starting where the last
 * cycle stopped, until enough feasible ones are found), score the feasible ones, pick the best at
 * random among equals. PreFilter and PreScore plugins first compute, once per cycle, what their per-node
 * checks need; those with nothing to do for the pod are skipped. When no node fits, explains why in
 * Kubernetes' words, with what preemption would say. Called with the cache locked, from one thread.
 */
public final class SchedulingAlgorithm {

    /** {@code minFeasibleNodesToFind} and {@code minFeasibleNodesPercentageToFind}. */
    static final int MIN_FEASIBLE_NODES = 100;
    static final int MIN_FEASIBLE_PERCENTAGE = 5;

    static final String NO_NODES = "no nodes available to schedule pods";
    static final String PREEMPTION_NOT_HELPFUL = "Preemption is not helpful for scheduling";
    static final String NO_VICTIMS = "No preemption victims found for incoming pod";

    /**
     * A chosen node, or a failure message (with {@code noNodes} when the cluster has none) and the filters that
     * rejected nodes (kube-scheduler's {@code UnschedulablePlugins}, which decide what events retry the pod).
     */
    public record Result(String node, String message, boolean noNodes, int evaluated, int feasible, Set<String> rejectedBy) {
    }

    private final Filter[] filters;
    private final Score[] scores;
    private int nextStartNodeIndex;

    public SchedulingAlgorithm(List<Filter> filters, List<Score> scores) {
        this.filters = filters.toArray(new Filter[0]);
        this.scores = scores.toArray(new Score[0]);
    }

    public Result schedule(PodInfo pod, SchedulerCache cache) {
        List<NodeInfo> nodes = cache.nodes();
        int all = nodes.size();
        if (all == 0) {
            return new Result(null, NO_NODES, true, 0, 0, Set.of());
        }
        CycleState state = new CycleState();
        Filter[] active = preFilter(state, pod, cache);
        int wanted = numFeasibleNodesToFind(all);
        List<NodeInfo> feasible = new ArrayList<>(Math.min(wanted, all));
        Map<NodeInfo, FilterStatus> failed = new LinkedHashMap<>();
        int processed = 0;
        for (int i = 0; i < all && feasible.size() < wanted; i++) {
            NodeInfo node = nodes.get((nextStartNodeIndex + i) % all);
            processed++;
            FilterStatus status = runFilters(state, active, pod, node);
            if (status == null) {
                feasible.add(node);
            } else {
                failed.put(node, status);
            }
        }
        nextStartNodeIndex = (nextStartNodeIndex + processed) % all;
        if (feasible.isEmpty()) {
            Set<String> rejectedBy = new LinkedHashSet<>();
            for (FilterStatus s : failed.values()) {
                rejectedBy.add(s.plugin());
            }
            return new Result(null, fitError(state, active, pod, all, failed), false, processed, 0, rejectedBy);
        }
        if (feasible.size() == 1) {
            return new Result(feasible.get(0).name(), null, false, processed, 1, Set.of());
        }
        return new Result(selectHost(state, pod, feasible, cache), null, false, processed, feasible.size(), Set.of());
    }

    /**
     * The filters left once each has had its PreFilter, in their order; a skipped one is not run on any node (and not
     * looked at: every node of a cycle walks this array, and most pods skip several filters).
     */
    private Filter[] preFilter(CycleState state, PodInfo pod, SchedulerCache cache) {
        Filter[] active = new Filter[filters.length];
        int n = 0;
        for (Filter f : filters) {
            if (f.preFilter(state, pod, cache)) {
                active[n++] = f;
            }
        }
        return n == filters.length ? filters : java.util.Arrays.copyOf(active, n);
    }

    /** The first failing filter's status, tagged with the filter's name; null when the node fits. */
    static FilterStatus runFilters(CycleState state, Filter[] filters, PodInfo pod, NodeInfo node) {
        for (Filter f : filters) {
            FilterStatus s = f.filter(state, pod, node);
            if (s != null) {
                return s.from(f.name());
            }
        }
        return null;
    }

    /** {@code numFeasibleNodesToFind} with the adaptive percentage (50% less 1% per 125 nodes, at least 5%, at least 100 nodes). */
    static int numFeasibleNodesToFind(int all) {
        if (all < MIN_FEASIBLE_NODES) {
            return all;
        }
        int percentage = Math.max(MIN_FEASIBLE_PERCENTAGE, 50 - all / 125);
        int n = all * percentage / 100;
        return Math.max(n, MIN_FEASIBLE_NODES);
    }

    private String selectHost(CycleState state, PodInfo pod, List<NodeInfo> feasible, SchedulerCache cache) {
        int n = feasible.size();
        long[] total = new long[n];
        long[] raw = new long[n];
        for (Score s : scores) {
            if (!s.preScore(state, pod, feasible, cache)) {
                continue;
            }
            for (int i = 0; i < n; i++) {
                raw[i] = s.score(state, pod, feasible.get(i));
            }
            s.normalize(state, raw);
            for (int i = 0; i < n; i++) {
                total[i] += raw[i] * s.weight();
            }
        }
        // reservoir sampling among the best, as selectHost does
        int chosen = 0;
        int ties = 1;
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 1; i < n; i++) {
            if (total[i] > total[chosen]) {
                chosen = i;
                ties = 1;
            } else if (total[i] == total[chosen]) {
                ties++;
                if (random.nextInt(ties) == 0) {
                    chosen = i;
                }
            }
        }
        return feasible.get(chosen).name();
    }

    /**
     * {@code FitError.Error()}: a histogram of the reasons, sorted as strings, then what the default
     * preemption plugin found (omitted when preemption would have found victims, as Kubernetes then
     * reports no post-filter message).
     */
    String fitError(CycleState state, Filter[] active, PodInfo pod, int all, Map<NodeInfo, FilterStatus> failed) {
        Map<String, Integer> reasons = new TreeMap<>();
        for (FilterStatus s : failed.values()) {
            for (String r : s.reasons()) {
                reasons.merge(r, 1, Integer::sum);
            }
        }
        StringBuilder msg = new StringBuilder(histogram(all, reasons));
        String preemption = preemption(state, active, pod, all, failed);
        if (preemption != null) {
            msg.append(" preemption: ").append(preemption);
        }
        return msg.toString();
    }

    private static String histogram(int all, Map<String, Integer> reasons) {
        List<String> parts = new ArrayList<>();
        reasons.forEach((reason, count) -> parts.add(count + " " + reason));
        parts.sort(null);
        return "0/" + all + " nodes are available: " + String.join(", ", parts) + ".";
    }

    /**
     * DefaultPreemption's dry run, without evicting anyone: a node failing a filter preemption cannot fix
     * is "not helpful"; otherwise the pods of lower priority are set aside (from the node and from the
     * PreFilter state, as {@code RemovePod} does) and the filters run again. Returns null when some node
     * would fit once its lower-priority pods were gone.
     */
    private String preemption(CycleState state, Filter[] active, PodInfo pod, int all, Map<NodeInfo, FilterStatus> failed) {
        String policy = pod.pod.getSpec() == null ? null : pod.pod.getSpec().getPreemptionPolicy();
        if ("Never".equals(policy)) {
            return "not eligible due to preemptionPolicy=Never.";
        }
        Map<String, Integer> reasons = new TreeMap<>();
        for (Map.Entry<NodeInfo, FilterStatus> e : failed.entrySet()) {
            if (!e.getValue().resolvable()) {
                reasons.merge(PREEMPTION_NOT_HELPFUL, 1, Integer::sum);
                continue;
            }
            NodeInfo node = e.getKey();
            List<PodInfo> victims = new ArrayList<>();
            for (PodInfo p : node.pods()) {
                if (p.priority < pod.priority) {
                    victims.add(p);
                }
            }
            if (victims.isEmpty()) {
                reasons.merge(NO_VICTIMS, 1, Integer::sum);
                continue;
            }
            for (PodInfo v : victims) {
                node.removePod(v.key);
                update(state, active, pod, v, node, -1);
            }
            FilterStatus without;
            try {
                without = runFilters(state, active, pod, node);
            } finally {
                for (PodInfo v : victims) {
                    node.addPod(v);
                    update(state, active, pod, v, node, 1);
                }
            }
            if (without == null) {
                return null;
            }
            for (String r : without.reasons()) {
                reasons.merge(r, 1, Integer::sum);
            }
        }
        return histogram(all, reasons);
    }

    private static void update(CycleState state, Filter[] active, PodInfo pod, PodInfo other, NodeInfo node, int sign) {
        for (Filter f : active) {
            f.updateWithPod(state, pod, other, node, sign);
        }
    }
}
