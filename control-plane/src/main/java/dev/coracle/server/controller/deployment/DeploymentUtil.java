package dev.coracle.server.controller.deployment;

import dev.coracle.server.controller.replicaset.Pods;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** {@code pkg/controller/deployment/util/deployment_util.go} and the ReplicaSet orderings of {@code controller_utils.go}. */
public final class DeploymentUtil {

    public static final String REVISION = "deployment.kubernetes.io/revision";
    public static final String REVISION_HISTORY = "deployment.kubernetes.io/revision-history";
    public static final String DESIRED_REPLICAS = "deployment.kubernetes.io/desired-replicas";
    public static final String MAX_REPLICAS = "deployment.kubernetes.io/max-replicas";
    public static final String CHANGE_CAUSE = "kubernetes.io/change-cause";
    static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";
    static final String DEPRECATED_ROLLBACK_TO = "deprecated.deployment.rollback.to";

    // Progressing reasons
    public static final String REPLICA_SET_UPDATED = "ReplicaSetUpdated";
    public static final String FAILED_RS_CREATE = "ReplicaSetCreateError";
    public static final String NEW_REPLICA_SET = "NewReplicaSetCreated";
    public static final String FOUND_NEW_RS = "FoundNewReplicaSet";
    public static final String NEW_RS_AVAILABLE = "NewReplicaSetAvailable";
    public static final String TIMED_OUT = "ProgressDeadlineExceeded";
    public static final String PAUSED = "DeploymentPaused";
    public static final String RESUMED = "DeploymentResumed";
    // Available reasons
    public static final String MINIMUM_REPLICAS_AVAILABLE = "MinimumReplicasAvailable";
    public static final String MINIMUM_REPLICAS_UNAVAILABLE = "MinimumReplicasUnavailable";

    private static final Set<String> ANNOTATIONS_TO_SKIP = Set.of(LAST_APPLIED, REVISION, REVISION_HISTORY, DESIRED_REPLICAS,
            MAX_REPLICAS, DEPRECATED_ROLLBACK_TO);

    private DeploymentUtil() {
    }

    // ---- conditions ----

    public static DeploymentCondition newCondition(String type, String status, String reason, String message) {
        String now = Pods.now();
        DeploymentCondition c = new DeploymentCondition();
        c.setType(type);
        c.setStatus(status);
        c.setReason(reason);
        c.setMessage(message);
        c.setLastUpdateTime(now);
        c.setLastTransitionTime(now);
        return c;
    }

    public static DeploymentCondition getCondition(DeploymentStatus status, String type) {
        if (status == null || status.getConditions() == null) {
            return null;
        }
        return status.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
    }

    /** {@code SetDeploymentCondition}: no change when status and reason are the same; the transition time kept when the status is. */
    public static void setCondition(DeploymentStatus status, DeploymentCondition condition) {
        DeploymentCondition current = getCondition(status, condition.getType());
        if (current != null && Objects.equals(current.getStatus(), condition.getStatus())
                && Objects.equals(current.getReason(), condition.getReason())) {
            return;
        }
        if (current != null && Objects.equals(current.getStatus(), condition.getStatus())) {
            condition.setLastTransitionTime(current.getLastTransitionTime());
        }
        List<DeploymentCondition> conditions = without(status.getConditions(), condition.getType());
        conditions.add(condition);
        status.setConditions(conditions);
    }

    public static void removeCondition(DeploymentStatus status, String type) {
        status.setConditions(without(status.getConditions(), type));
    }

    private static List<DeploymentCondition> without(List<DeploymentCondition> conditions, String type) {
        List<DeploymentCondition> out = new ArrayList<>();
        if (conditions != null) {
            for (DeploymentCondition c : conditions) {
                if (!type.equals(c.getType())) {
                    out.add(c);
                }
            }
        }
        return out;
    }

    // ---- revisions and annotations ----

    /** {@code SetDeploymentRevision}. */
    public static boolean setDeploymentRevision(Deployment d, String revision) {
        Map<String, String> annotations = annotations(d.getMetadata());
        if (!Objects.equals(annotations.get(REVISION), revision)) {
            annotations.put(REVISION, revision);
            return true;
        }
        return false;
    }

    /** {@code Revision}: the revision annotation as a number, 0 when absent, -1 when unreadable. */
    public static long revision(ReplicaSet rs) {
        String v = rs.getMetadata().getAnnotations() == null ? null : rs.getMetadata().getAnnotations().get(REVISION);
        if (v == null) {
            return 0;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    public static long maxRevision(List<ReplicaSet> rss) {
        long max = 0;
        for (ReplicaSet rs : rss) {
            max = Math.max(max, revision(rs));
        }
        return max;
    }

    /**
     * {@code SetNewReplicaSetAnnotations}: copies the Deployment's annotations, raises the revision to {@code newRevision}
     * keeping the one it replaces in {@code revision-history}, and (for a new ReplicaSet) sets the replica annotations.
     */
    public static boolean setNewReplicaSetAnnotations(Deployment d, ReplicaSet rs, String newRevision, boolean exists, int historyLimitChars) {
        boolean changed = copyDeploymentAnnotations(d, rs);
        Map<String, String> annotations = annotations(rs.getMetadata());
        String oldRevision = annotations.get(REVISION);
        long oldRevisionInt;
        if (oldRevision == null || oldRevision.isEmpty()) {
            oldRevisionInt = 0;
        } else {
            try {
                oldRevisionInt = Long.parseLong(oldRevision);
            } catch (NumberFormatException e) {
                return false;
            }
        }
        long newRevisionInt = Long.parseLong(newRevision);
        if (oldRevisionInt < newRevisionInt) {
            annotations.put(REVISION, newRevision);
            changed = true;
        }
        if (oldRevision != null && oldRevisionInt < newRevisionInt) {
            String history = annotations.getOrDefault(REVISION_HISTORY, "");
            if (history.isEmpty()) {
                annotations.put(REVISION_HISTORY, oldRevision);
            } else {
                List<String> old = new ArrayList<>(Arrays.asList(history.split(",", -1)));
                int total = history.length() + oldRevision.length() + 1;
                int start = 0;
                while (total > historyLimitChars && start < old.size()) {
                    total -= old.get(start).length() + 1;
                    start++;
                }
                if (total <= historyLimitChars) {
                    List<String> kept = new ArrayList<>(old.subList(start, old.size()));
                    kept.add(oldRevision);
                    annotations.put(REVISION_HISTORY, String.join(",", kept));
                }
            }
        }
        if (!exists && setReplicasAnnotations(rs, replicas(d), replicas(d) + maxSurge(d))) {
            changed = true;
        }
        return changed;
    }

    private static boolean copyDeploymentAnnotations(Deployment d, ReplicaSet rs) {
        boolean changed = false;
        Map<String, String> rsAnnotations = annotations(rs.getMetadata());
        Map<String, String> dAnnotations = d.getMetadata().getAnnotations();
        if (dAnnotations == null) {
            return false;
        }
        for (Map.Entry<String, String> e : dAnnotations.entrySet()) {
            if (ANNOTATIONS_TO_SKIP.contains(e.getKey()) || Objects.equals(rsAnnotations.get(e.getKey()), e.getValue())) {
                continue;
            }
            rsAnnotations.put(e.getKey(), e.getValue());
            changed = true;
        }
        return changed;
    }

    public static boolean setReplicasAnnotations(ReplicaSet rs, int desired, int max) {
        Map<String, String> annotations = annotations(rs.getMetadata());
        boolean updated = false;
        if (!Integer.toString(desired).equals(annotations.get(DESIRED_REPLICAS))) {
            annotations.put(DESIRED_REPLICAS, Integer.toString(desired));
            updated = true;
        }
        if (!Integer.toString(max).equals(annotations.get(MAX_REPLICAS))) {
            annotations.put(MAX_REPLICAS, Integer.toString(max));
            updated = true;
        }
        return updated;
    }

    public static boolean replicasAnnotationsNeedUpdate(ReplicaSet rs, int desired, int max) {
        Map<String, String> annotations = rs.getMetadata().getAnnotations();
        return annotations == null || !Integer.toString(desired).equals(annotations.get(DESIRED_REPLICAS))
                || !Integer.toString(max).equals(annotations.get(MAX_REPLICAS));
    }

    public static Integer intAnnotation(ReplicaSet rs, String key) {
        String v = rs.getMetadata().getAnnotations() == null ? null : rs.getMetadata().getAnnotations().get(key);
        if (v == null) {
            return null;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Map<String, String> annotations(io.fabric8.kubernetes.api.model.ObjectMeta meta) {
        if (meta.getAnnotations() == null) {
            meta.setAnnotations(new LinkedHashMap<>());
        } else if (!(meta.getAnnotations() instanceof HashMap)) {
            meta.setAnnotations(new LinkedHashMap<>(meta.getAnnotations()));
        }
        return meta.getAnnotations();
    }

    // ---- surge and unavailability ----

    public static boolean isRollingUpdate(Deployment d) {
        return d.getSpec().getStrategy() != null && "RollingUpdate".equals(d.getSpec().getStrategy().getType());
    }

    public static int replicas(Deployment d) {
        return d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    }

    public static int replicas(ReplicaSet rs) {
        return rs.getSpec() == null || rs.getSpec().getReplicas() == null ? 0 : rs.getSpec().getReplicas();
    }

    /** {@code intstr.GetScaledValueFromIntOrPercent}: an integer as is; a percentage of {@code total}, rounded up or down. */
    public static int valueFromIntOrPercent(IntOrString value, int total, boolean roundUp) {
        if (value == null) {
            return 0;
        }
        if (value.getStrVal() == null) {
            return value.getIntVal() == null ? 0 : value.getIntVal();
        }
        String s = value.getStrVal();
        if (!s.endsWith("%")) {
            throw new IllegalArgumentException("invalid value for IntOrString: invalid type: string is not a percentage");
        }
        int percent;
        try {
            percent = Integer.parseInt(s.substring(0, s.length() - 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid value \"" + s + "\": " + e.getMessage());
        }
        double scaled = (double) percent * total / 100;
        return (int) (roundUp ? Math.ceil(scaled) : Math.floor(scaled));
    }

    /** {@code ResolveFenceposts}: maxSurge rounds up, maxUnavailable down; both zero makes maxUnavailable 1. */
    public static int[] resolveFenceposts(IntOrString maxSurge, IntOrString maxUnavailable, int desired) {
        int surge = valueFromIntOrPercent(maxSurge == null ? new IntOrString(0) : maxSurge, desired, true);
        int unavailable = valueFromIntOrPercent(maxUnavailable == null ? new IntOrString(0) : maxUnavailable, desired, false);
        if (surge == 0 && unavailable == 0) {
            unavailable = 1;
        }
        return new int[]{surge, unavailable};
    }

    public static int maxSurge(Deployment d) {
        if (!isRollingUpdate(d)) {
            return 0;
        }
        var ru = d.getSpec().getStrategy().getRollingUpdate();
        return resolveFenceposts(ru == null ? null : ru.getMaxSurge(), ru == null ? null : ru.getMaxUnavailable(), replicas(d))[0];
    }

    public static int maxUnavailable(Deployment d) {
        if (!isRollingUpdate(d) || replicas(d) == 0) {
            return 0;
        }
        var ru = d.getSpec().getStrategy().getRollingUpdate();
        int unavailable = resolveFenceposts(ru == null ? null : ru.getMaxSurge(), ru == null ? null : ru.getMaxUnavailable(), replicas(d))[1];
        return Math.min(unavailable, replicas(d));
    }

    /** {@code GetProportion}: how many replicas this ReplicaSet gains or loses in a proportional scale. */
    public static int proportion(ReplicaSet rs, Deployment d, int toAdd, int added) {
        if (rs == null || replicas(rs) == 0 || toAdd == 0 || toAdd == added) {
            return 0;
        }
        int fraction = replicaSetFraction(rs, d);
        int allowed = toAdd - added;
        return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
    }

    private static int replicaSetFraction(ReplicaSet rs, Deployment d) {
        if (replicas(d) == 0) {
            return -replicas(rs);
        }
        int deploymentReplicas = replicas(d) + maxSurge(d);
        Integer annotated = intAnnotation(rs, MAX_REPLICAS);
        if (annotated == null) {
            annotated = d.getStatus() == null || d.getStatus().getReplicas() == null ? 0 : d.getStatus().getReplicas();
        }
        if (annotated == 0) {
            return 0;
        }
        double size = (double) replicas(rs) * deploymentReplicas / annotated;
        return (int) roundHalfAwayFromZero(size) - replicas(rs);
    }

    /** Go's {@code math.Round}. */
    static long roundHalfAwayFromZero(double v) {
        return v < 0 ? -Math.round(-v) : Math.round(v);
    }

    // ---- replica counts ----

    public static int replicaCount(List<ReplicaSet> rss) {
        return rss.stream().filter(Objects::nonNull).mapToInt(DeploymentUtil::replicas).sum();
    }

    public static int actualReplicaCount(List<ReplicaSet> rss) {
        return rss.stream().filter(Objects::nonNull).mapToInt(rs -> status(rs).replicas()).sum();
    }

    public static int readyReplicaCount(List<ReplicaSet> rss) {
        return rss.stream().filter(Objects::nonNull).mapToInt(rs -> status(rs).ready()).sum();
    }

    public static int availableReplicaCount(List<ReplicaSet> rss) {
        return rss.stream().filter(Objects::nonNull).mapToInt(rs -> status(rs).available()).sum();
    }

    record Counts(int replicas, int ready, int available) {
    }

    static Counts status(ReplicaSet rs) {
        var s = rs.getStatus();
        if (s == null) {
            return new Counts(0, 0, 0);
        }
        return new Counts(nz(s.getReplicas()), nz(s.getReadyReplicas()), nz(s.getAvailableReplicas()));
    }

    public static List<ReplicaSet> active(List<ReplicaSet> rss) {
        return rss.stream().filter(rs -> rs != null && replicas(rs) > 0).toList();
    }

    // ---- rollout progress ----

    /** {@code DeploymentComplete}: every desired replica updated and available, no old ones left, the generation observed. */
    public static boolean complete(Deployment d, DeploymentStatus s) {
        int replicas = replicas(d);
        return nz(s.getUpdatedReplicas()) == replicas && nz(s.getReplicas()) == replicas && nz(s.getAvailableReplicas()) == replicas
                && observed(s) >= generation(d);
    }

    /** {@code DeploymentProgressing}: more updated, ready or available pods, or fewer old ones, than the status says. */
    public static boolean progressing(Deployment d, DeploymentStatus s) {
        DeploymentStatus old = d.getStatus() == null ? new DeploymentStatus() : d.getStatus();
        int oldOld = nz(old.getReplicas()) - nz(old.getUpdatedReplicas());
        int newOld = nz(s.getReplicas()) - nz(s.getUpdatedReplicas());
        return nz(s.getUpdatedReplicas()) > nz(old.getUpdatedReplicas()) || newOld < oldOld
                || nz(s.getReadyReplicas()) > nz(old.getReadyReplicas()) || nz(s.getAvailableReplicas()) > nz(old.getAvailableReplicas());
    }

    /** {@code DeploymentTimedOut}: the Progressing condition has not moved for progressDeadlineSeconds. */
    public static boolean timedOut(Deployment d, DeploymentStatus s, Instant now) {
        if (!hasProgressDeadline(d)) {
            return false;
        }
        DeploymentCondition c = getCondition(s, "Progressing");
        if (c == null || NEW_RS_AVAILABLE.equals(c.getReason())) {
            return false;
        }
        if (TIMED_OUT.equals(c.getReason())) {
            return true;
        }
        Instant from = Pods.parseTime(c.getLastUpdateTime());
        return from != null && from.plusSeconds(d.getSpec().getProgressDeadlineSeconds()).isBefore(now);
    }

    public static boolean hasProgressDeadline(Deployment d) {
        Integer p = d.getSpec().getProgressDeadlineSeconds();
        return p != null && p != Integer.MAX_VALUE;
    }

    public static boolean hasRevisionHistoryLimit(Deployment d) {
        Integer l = d.getSpec().getRevisionHistoryLimit();
        return l != null && l != Integer.MAX_VALUE;
    }

    /**
     * {@code NewRSNewReplicas}: the size of the new ReplicaSet in this step of a rollout. The pods counted towards
     * the surge are each ReplicaSet's desired replicas or, while a scale-down is still deleting pods, the pods it
     * still has: so a new pod is never made before the old one it replaces is gone.
     */
    public static int newRSNewReplicas(Deployment d, List<ReplicaSet> all, ReplicaSet newRS) {
        String type = d.getSpec().getStrategy() == null ? "" : d.getSpec().getStrategy().getType();
        switch (type) {
            case "RollingUpdate" -> {
                var ru = d.getSpec().getStrategy().getRollingUpdate();
                int surge = valueFromIntOrPercent(ru == null ? null : ru.getMaxSurge(), replicas(d), true);
                int current = 0;
                for (ReplicaSet rs : all) {
                    if (rs != null) {
                        current += Math.max(replicas(rs), status(rs).replicas());
                    }
                }
                int maxTotal = replicas(d) + surge;
                if (current >= maxTotal) {
                    return replicas(newRS);
                }
                int scaleUp = Math.min(maxTotal - current, replicas(d) - replicas(newRS));
                return replicas(newRS) + scaleUp;
            }
            case "Recreate" -> {
                return replicas(d);
            }
            default -> throw new IllegalArgumentException("deployment type " + type + " isn't supported");
        }
    }

    /** {@code IsSaturated}: the new ReplicaSet holds, and has available, all desired replicas. */
    public static boolean isSaturated(Deployment d, ReplicaSet rs) {
        if (rs == null) {
            return false;
        }
        Integer desired = intAnnotation(rs, DESIRED_REPLICAS);
        return desired != null && replicas(rs) == replicas(d) && desired == replicas(d) && status(rs).available() == replicas(d);
    }

    // ---- finding replica sets ----

    /** {@code FindNewReplicaSet}: the oldest ReplicaSet whose template equals the Deployment's. */
    public static ReplicaSet findNewReplicaSet(Deployment d, List<ReplicaSet> rss) {
        List<ReplicaSet> sorted = new ArrayList<>(rss);
        sorted.sort(BY_CREATION);
        for (ReplicaSet rs : sorted) {
            if (PodTemplateHash.equalIgnoreHash(rs.getSpec().getTemplate(), d.getSpec().getTemplate())) {
                return rs;
            }
        }
        return null;
    }

    /** {@code FindOldReplicaSets}: all but the new one. */
    public static List<ReplicaSet> findOldReplicaSets(Deployment d, List<ReplicaSet> rss) {
        ReplicaSet newRS = findNewReplicaSet(d, rss);
        List<ReplicaSet> old = new ArrayList<>();
        for (ReplicaSet rs : rss) {
            if (newRS == null || !Objects.equals(rs.getMetadata().getUid(), newRS.getMetadata().getUid())) {
                old.add(rs);
            }
        }
        return old;
    }

    /** {@code FindActiveOrLatest}: the only active ReplicaSet, the newest when none is, or null when several are. */
    public static ReplicaSet findActiveOrLatest(ReplicaSet newRS, List<ReplicaSet> oldRSs) {
        if (newRS == null && oldRSs.isEmpty()) {
            return null;
        }
        List<ReplicaSet> old = new ArrayList<>(oldRSs);
        old.sort(BY_CREATION.reversed());
        List<ReplicaSet> all = new ArrayList<>(old);
        all.add(newRS);
        List<ReplicaSet> active = active(all);
        return switch (active.size()) {
            case 0 -> newRS != null ? newRS : old.get(0);
            case 1 -> active.get(0);
            default -> null;
        };
    }

    // ---- orderings ----

    /** {@code ReplicaSetsByCreationTimestamp}: older first, then by name. */
    public static final Comparator<ReplicaSet> BY_CREATION = Comparator
            .comparing((ReplicaSet rs) -> created(rs))
            .thenComparing(rs -> rs.getMetadata().getName());

    /** {@code ReplicaSetsBySizeOlder}: larger first; of equal size, older first. */
    public static final Comparator<ReplicaSet> BY_SIZE_OLDER = Comparator
            .comparingInt((ReplicaSet rs) -> -replicas(rs)).thenComparing(BY_CREATION);

    /** {@code ReplicaSetsBySizeNewer}: larger first; of equal size, newer first. */
    public static final Comparator<ReplicaSet> BY_SIZE_NEWER = Comparator
            .comparingInt((ReplicaSet rs) -> -replicas(rs)).thenComparing(BY_CREATION.reversed());

    /** {@code ReplicaSetsByRevision}: lower revision first, creation time on a tie. */
    public static final Comparator<ReplicaSet> BY_REVISION = (a, b) -> {
        long ra = revision(a);
        long rb = revision(b);
        if (ra < 0 || rb < 0 || ra == rb) {
            return BY_CREATION.compare(a, b);
        }
        return Long.compare(ra, rb);
    };

    private static Instant created(ReplicaSet rs) {
        Instant t = Pods.parseTime(rs.getMetadata().getCreationTimestamp());
        return t == null ? Instant.EPOCH : t;
    }

    static long generation(Deployment d) {
        return d.getMetadata().getGeneration() == null ? 0 : d.getMetadata().getGeneration();
    }

    static long observed(DeploymentStatus s) {
        return s.getObservedGeneration() == null ? 0 : s.getObservedGeneration();
    }

    static int nz(Integer i) {
        return i == null ? 0 : i;
    }
}
