package dev.coracle.server.controller.replicaset;

import io.fabric8.kubernetes.api.model.Pod;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which pods a shrinking ReplicaSet deletes first: Kubernetes' {@code ActivePodsWithRanks} ordering, with
 * its default {@code LogarithmicScaleDown} and {@code PodDeletionCost}.
 * <ol>
 * <li>unscheduled before scheduled;</li>
 * <li>Pending before Unknown before Running;</li>
 * <li>not ready before ready;</li>
 * <li>lower {@code controller.kubernetes.io/pod-deletion-cost} first;</li>
 * <li>more related pods on the same node first;</li>
 * <li>ready for less time first (compared on a log2 scale of age, ties broken by UID);</li>
 * <li>more container restarts first;</li>
 * <li>newer first (log2 scale again).</li>
 * </ol>
 */
public final class DeletionOrder {

    static final String DELETION_COST = "controller.kubernetes.io/pod-deletion-cost";
    private static final Map<String, Integer> PHASE_ORDINAL = Map.of("Pending", 0, "Unknown", 1, "Running", 2);

    private DeletionOrder() {
    }

    /** The first {@code count} pods to delete out of {@code pods}; {@code related} ranks by pods sharing a node. */
    public static List<Pod> podsToDelete(List<Pod> pods, Collection<Pod> related, int count) {
        List<Pod> sorted = new ArrayList<>(pods);
        if (count < sorted.size()) {
            Comparator<Pod> order = comparator(related, Instant.now());
            try {
                sorted.sort(order);
            } catch (IllegalArgumentException e) {
                // the log-scale buckets with UID tie-breaks are not always transitive; fall back to a sort that never objects
                sorted = new ArrayList<>(pods);
                insertionSort(sorted, order);
            }
        }
        return sorted.subList(0, Math.min(count, sorted.size()));
    }

    private static void insertionSort(List<Pod> pods, Comparator<Pod> order) {
        for (int i = 1; i < pods.size(); i++) {
            Pod p = pods.get(i);
            int j = i - 1;
            while (j >= 0 && order.compare(pods.get(j), p) > 0) {
                pods.set(j + 1, pods.get(j));
                j--;
            }
            pods.set(j + 1, p);
        }
    }

    static Comparator<Pod> comparator(Collection<Pod> related, Instant now) {
        Map<String, Integer> onNode = new HashMap<>();
        for (Pod p : related) {
            if (Pods.isActive(p)) {
                onNode.merge(nodeName(p), 1, Integer::sum);
            }
        }
        return (a, b) -> compare(a, b, onNode, now);
    }

    private static int compare(Pod a, Pod b, Map<String, Integer> onNode, Instant now) {
        String na = nodeName(a);
        String nb = nodeName(b);
        if (!na.equals(nb) && (na.isEmpty() || nb.isEmpty())) {
            return na.isEmpty() ? -1 : 1;
        }
        int pa = PHASE_ORDINAL.getOrDefault(Pods.phase(a), 0);
        int pb = PHASE_ORDINAL.getOrDefault(Pods.phase(b), 0);
        if (pa != pb) {
            return Integer.compare(pa, pb);
        }
        boolean ra = Pods.isReady(a);
        boolean rb = Pods.isReady(b);
        if (ra != rb) {
            return ra ? 1 : -1;
        }
        int ca = deletionCost(a);
        int cb = deletionCost(b);
        if (ca != cb) {
            return Integer.compare(ca, cb);
        }
        int rankA = onNode.getOrDefault(na, 0);
        int rankB = onNode.getOrDefault(nb, 0);
        if (rankA != rankB) {
            return Integer.compare(rankB, rankA);
        }
        if (ra && rb) {
            int c = newerFirst(Pods.readySince(a), Pods.readySince(b), a, b, now);
            if (c != 0) {
                return c;
            }
        }
        int restartsA = Pods.maxContainerRestarts(a);
        int restartsB = Pods.maxContainerRestarts(b);
        if (restartsA != restartsB) {
            return Integer.compare(restartsB, restartsA);
        }
        return newerFirst(Pods.parseTime(a.getMetadata().getCreationTimestamp()), Pods.parseTime(b.getMetadata().getCreationTimestamp()),
                a, b, now);
    }

    /** Empty time first, then the later time, on a log2 scale of the age ({@code logarithmicRankDiff}); UID on a tie. */
    private static int newerFirst(Instant ta, Instant tb, Pod a, Pod b, Instant now) {
        if (ta == null && tb == null || ta != null && ta.equals(tb)) {
            return 0;
        }
        if (ta == null || tb == null) {
            return ta == null ? -1 : 1;
        }
        long rankDiff = logRank(ta, now) - logRank(tb, now);
        if (rankDiff == 0) {
            return uid(a).compareTo(uid(b));
        }
        return Long.compare(rankDiff, 0);
    }

    private static long logRank(Instant t, Instant now) {
        long nanos = Duration.between(t, now).toNanos();
        return nanos > 0 ? (long) (Math.log(nanos) / Math.log(2)) : -1;
    }

    private static String uid(Pod p) {
        return p.getMetadata().getUid() == null ? "" : p.getMetadata().getUid();
    }

    private static String nodeName(Pod p) {
        return p.getSpec() == null || p.getSpec().getNodeName() == null ? "" : p.getSpec().getNodeName();
    }

    private static int deletionCost(Pod p) {
        var annotations = p.getMetadata().getAnnotations();
        if (annotations == null || !annotations.containsKey(DELETION_COST)) {
            return 0;
        }
        try {
            return Integer.parseInt(annotations.get(DELETION_COST));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
