package dev.coracle.server.controller.deployment;

import dev.coracle.server.api.ApiException;
import dev.coracle.server.api.InternalClient;
import dev.coracle.server.api.Json;
import dev.coracle.server.controller.Controller;
import dev.coracle.server.controller.EventRecorder;
import dev.coracle.server.controller.Informer;
import dev.coracle.server.controller.Informers;
import dev.coracle.server.controller.replicaset.Pods;
import dev.coracle.server.patch.PatchType;
import dev.coracle.server.registry.LabelSelectors;
import dev.coracle.server.registry.Semantic;
import dev.coracle.server.store.RevisionRecord.EventType;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetCondition;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetSpec;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import static dev.coracle.server.controller.deployment.DeploymentUtil.active;
import static dev.coracle.server.controller.deployment.DeploymentUtil.getCondition;
import static dev.coracle.server.controller.deployment.DeploymentUtil.maxSurge;
import static dev.coracle.server.controller.deployment.DeploymentUtil.newCondition;
import static dev.coracle.server.controller.deployment.DeploymentUtil.replicas;
import static dev.coracle.server.controller.deployment.DeploymentUtil.setCondition;

/**
 * kube-controller-manager's Deployment controller ({@code pkg/controller/deployment}): one ReplicaSet per pod
 * template, rolled from old to new with {@code RollingUpdate} or {@code Recreate}, scaled proportionally,
 * revisions recorded in annotations, old ReplicaSets pruned to {@code revisionHistoryLimit}, progress reported
 * in the Progressing and Available conditions.
 */
@Component
public class DeploymentController extends Controller {

    public static final String COMPONENT = "deployment-controller";
    /** {@code maxRevHistoryLengthInChars}. */
    static final int MAX_REVISION_HISTORY_CHARS = 2000;

    private final InternalClient client;
    private final EventRecorder events;
    private Informer<Deployment> deployments;
    private Informer<ReplicaSet> replicaSets;
    private Informer<Pod> pods;

    public DeploymentController(InternalClient client, EventRecorder events) {
        this.client = client;
        this.events = events;
    }

    @Override
    public String name() {
        return "deployment";
    }

    @Override
    protected void register(Informers informers) {
        deployments = informers.of(Deployment.class);
        replicaSets = informers.of(ReplicaSet.class);
        pods = informers.of(Pod.class);
        deployments.onChange(change -> enqueue(Informer.key(change.current())));
        replicaSets.onChange(this::replicaSetChanged);
        pods.onChange(change -> {
            if (change.type() == EventType.DELETED) {
                podDeleted(change.current());
            }
        });
    }

    // ---- event handlers ----

    private void replicaSetChanged(Informer.Change<ReplicaSet> change) {
        ReplicaSet cur = change.current();
        ReplicaSet old = change.old();
        if (change.type() == EventType.MODIFIED && old != null
                && Objects.equals(old.getMetadata().getResourceVersion(), cur.getMetadata().getResourceVersion())) {
            return;
        }
        OwnerReference curRef = Pods.controllerOf(cur);
        OwnerReference oldRef = old == null ? null : Pods.controllerOf(old);
        if (oldRef != null && (curRef == null || !Objects.equals(curRef.getUid(), oldRef.getUid()))) {
            Deployment d = resolveControllerRef(old.getMetadata().getNamespace(), oldRef);
            if (d != null) {
                enqueue(Informer.key(d));
            }
        }
        if (curRef != null) {
            Deployment d = resolveControllerRef(cur.getMetadata().getNamespace(), curRef);
            if (d != null) {
                enqueue(Informer.key(d));
            }
            return;
        }
        if (change.type() == EventType.DELETED) {
            return;
        }
        boolean labelsChanged = old == null || !Objects.equals(old.getMetadata().getLabels(), cur.getMetadata().getLabels());
        if (labelsChanged || oldRef != null) {
            for (Deployment d : deploymentsSelecting(cur)) {
                enqueue(Informer.key(d));
            }
        }
    }

    /** A Recreate rollout waits for the old pods to be gone: their deletion wakes it. */
    private void podDeleted(Pod pod) {
        OwnerReference ref = Pods.controllerOf(pod);
        if (ref == null || !"ReplicaSet".equals(ref.getKind())) {
            return;
        }
        ReplicaSet rs = replicaSets.get(pod.getMetadata().getNamespace(), ref.getName()).orElse(null);
        if (rs == null || !Objects.equals(rs.getMetadata().getUid(), ref.getUid())) {
            return;
        }
        OwnerReference dRef = Pods.controllerOf(rs);
        Deployment d = dRef == null ? null : resolveControllerRef(rs.getMetadata().getNamespace(), dRef);
        if (d != null && d.getSpec().getStrategy() != null && "Recreate".equals(d.getSpec().getStrategy().getType())) {
            enqueue(Informer.key(d));
        }
    }

    private Deployment resolveControllerRef(String namespace, OwnerReference ref) {
        if (!"Deployment".equals(ref.getKind())) {
            return null;
        }
        Deployment d = deployments.get(namespace, ref.getName()).orElse(null);
        return d != null && Objects.equals(d.getMetadata().getUid(), ref.getUid()) ? d : null;
    }

    private List<Deployment> deploymentsSelecting(ReplicaSet rs) {
        Map<String, String> labels = rs.getMetadata().getLabels();
        if (labels == null || labels.isEmpty()) {
            return List.of();
        }
        return deployments.list(rs.getMetadata().getNamespace(), d -> {
            LabelSelector s = d.getSpec() == null ? null : d.getSpec().getSelector();
            return s != null && !LabelSelectors.isEmpty(s) && LabelSelectors.matches(s, labels);
        });
    }

    // ---- syncDeployment ----

    @Override
    protected void reconcile(String key) throws Exception {
        Deployment cached = deployments.get(key).orElse(null);
        if (cached == null) {
            return;
        }
        Deployment d = Semantic.copy(cached);
        LabelSelector selector = d.getSpec().getSelector();
        if (selector == null || LabelSelectors.isEmpty(selector)) {
            events.warning(d, COMPONENT, "SelectingAll", "This deployment is selecting all pods. A non-empty selector is required.");
            if (d.getStatus() == null) {
                d.setStatus(new DeploymentStatus());
            }
            if (DeploymentUtil.observed(d.getStatus()) < DeploymentUtil.generation(d)) {
                d.getStatus().setObservedGeneration(DeploymentUtil.generation(d));
                updateStatus(d);
            }
            return;
        }
        if (d.getStatus() == null) {
            d.setStatus(new DeploymentStatus());
        }
        List<ReplicaSet> rsList = replicaSetsForDeployment(d);
        Map<String, List<Pod>> podMap = podMapForDeployment(d, rsList);

        if (d.getMetadata().getDeletionTimestamp() != null) {
            syncStatusOnly(d, rsList);
            return;
        }
        checkPausedConditions(d);
        if (Boolean.TRUE.equals(d.getSpec().getPaused())) {
            sync(d, rsList);
            return;
        }
        if (isScalingEvent(d, rsList)) {
            sync(d, rsList);
            return;
        }
        String type = d.getSpec().getStrategy() == null ? "" : d.getSpec().getStrategy().getType();
        if ("Recreate".equals(type)) {
            rolloutRecreate(d, rsList, podMap);
        } else if ("RollingUpdate".equals(type)) {
            rolloutRolling(d, rsList);
        } else {
            throw new IllegalStateException("unexpected deployment strategy type: " + type);
        }
    }

    /** {@code getReplicaSetsForDeployment}: the Deployment's ReplicaSets, after adopting orphans and releasing strays. */
    private List<ReplicaSet> replicaSetsForDeployment(Deployment d) {
        LabelSelector selector = d.getSpec().getSelector();
        boolean deleting = d.getMetadata().getDeletionTimestamp() != null;
        List<ReplicaSet> owned = new ArrayList<>();
        Boolean canAdopt = null;
        for (ReplicaSet rs : replicaSets.list(d.getMetadata().getNamespace(), r -> true)) {
            OwnerReference ref = Pods.controllerOf(rs);
            boolean matches = LabelSelectors.matches(selector, rs.getMetadata().getLabels());
            if (ref != null) {
                if (!Objects.equals(ref.getUid(), d.getMetadata().getUid())) {
                    continue;
                }
                if (matches) {
                    owned.add(rs);
                } else if (!deleting) {
                    patchOwner(rs, Map.of("$patch", "delete", "uid", d.getMetadata().getUid()));
                }
                continue;
            }
            if (deleting || !matches || rs.getMetadata().getDeletionTimestamp() != null) {
                continue;
            }
            if (canAdopt == null) {
                Deployment fresh = client.get(Deployment.class, d.getMetadata().getNamespace(), d.getMetadata().getName()).orElse(null);
                canAdopt = fresh != null && Objects.equals(fresh.getMetadata().getUid(), d.getMetadata().getUid())
                        && fresh.getMetadata().getDeletionTimestamp() == null;
            }
            if (canAdopt) {
                owned.add(patchOwner(rs, Pods.newControllerRef(d, "apps/v1", "Deployment")));
            }
        }
        return owned;
    }

    private ReplicaSet patchOwner(ReplicaSet rs, Object ownerReference) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("ownerReferences", List.of(ownerReference));
        metadata.put("uid", rs.getMetadata().getUid());
        return client.patch(ReplicaSet.class, rs.getMetadata().getNamespace(), rs.getMetadata().getName(), PatchType.STRATEGIC_MERGE_PATCH,
                Json.write(Map.of("metadata", metadata)));
    }

    /** {@code getPodMapForDeployment}: the Deployment's pods by the UID of the ReplicaSet that owns them. */
    private Map<String, List<Pod>> podMapForDeployment(Deployment d, List<ReplicaSet> rsList) {
        Map<String, List<Pod>> map = new HashMap<>();
        for (ReplicaSet rs : rsList) {
            map.put(rs.getMetadata().getUid(), new ArrayList<>());
        }
        LabelSelector selector = d.getSpec().getSelector();
        for (Pod pod : pods.list(d.getMetadata().getNamespace(), p -> LabelSelectors.matches(selector, p.getMetadata().getLabels()))) {
            OwnerReference ref = Pods.controllerOf(pod);
            if (ref != null && map.containsKey(ref.getUid())) {
                map.get(ref.getUid()).add(pod);
            }
        }
        return map;
    }

    // ---- sync.go ----

    private void syncStatusOnly(Deployment d, List<ReplicaSet> rsList) {
        NewAndOld rss = allReplicaSetsAndSyncRevision(d, rsList, false);
        syncDeploymentStatus(rss.all(), rss.newRS(), d);
    }

    /** Scaling events and paused Deployments: proportional scaling, no rollout. */
    private void sync(Deployment d, List<ReplicaSet> rsList) {
        NewAndOld rss = allReplicaSetsAndSyncRevision(d, rsList, false);
        scale(d, rss.newRS(), rss.old(), rsList);
        if (Boolean.TRUE.equals(d.getSpec().getPaused())) {
            cleanupDeployment(rss.old(), d);
        }
        syncDeploymentStatus(rss.all(), rss.newRS(), d);
    }

    private void checkPausedConditions(Deployment d) {
        if (!DeploymentUtil.hasProgressDeadline(d)) {
            return;
        }
        DeploymentCondition cond = getCondition(d.getStatus(), "Progressing");
        if (cond != null && DeploymentUtil.TIMED_OUT.equals(cond.getReason())) {
            return;
        }
        boolean pausedCondition = cond != null && DeploymentUtil.PAUSED.equals(cond.getReason());
        boolean paused = Boolean.TRUE.equals(d.getSpec().getPaused());
        if (paused && !pausedCondition) {
            setCondition(d.getStatus(), newCondition("Progressing", "Unknown", DeploymentUtil.PAUSED, "Deployment is paused"));
        } else if (!paused && pausedCondition) {
            setCondition(d.getStatus(), newCondition("Progressing", "Unknown", DeploymentUtil.RESUMED, "Deployment is resumed"));
        } else {
            return;
        }
        updateStatus(d);
    }

    private record NewAndOld(ReplicaSet newRS, List<ReplicaSet> old) {
        List<ReplicaSet> all() {
            List<ReplicaSet> all = new ArrayList<>(old);
            all.add(newRS);
            return all;
        }
    }

    private NewAndOld allReplicaSetsAndSyncRevision(Deployment d, List<ReplicaSet> rsList, boolean create) {
        List<ReplicaSet> old = DeploymentUtil.findOldReplicaSets(d, rsList);
        ReplicaSet newRS = newReplicaSet(d, rsList, old, create);
        return new NewAndOld(newRS, old);
    }

    /**
     * {@code getNewReplicaSet}: the ReplicaSet of the current template with its revision brought up to date, created
     * when {@code create} and missing (named after the template hash; a name taken by another template bumps
     * {@code collisionCount}).
     */
    private ReplicaSet newReplicaSet(Deployment d, List<ReplicaSet> rsList, List<ReplicaSet> oldRSs, boolean create) {
        ReplicaSet existing = DeploymentUtil.findNewReplicaSet(d, rsList);
        String newRevision = Long.toString(DeploymentUtil.maxRevision(oldRSs) + 1);
        if (existing != null) {
            ReplicaSet rsCopy = Semantic.copy(existing);
            boolean annotationsUpdated = DeploymentUtil.setNewReplicaSetAnnotations(d, rsCopy, newRevision, true, MAX_REVISION_HISTORY_CHARS);
            int minReady = minReadySeconds(d);
            boolean minReadyNeedsUpdate = minReadySeconds(rsCopy) != minReady;
            if (annotationsUpdated || minReadyNeedsUpdate) {
                rsCopy.getSpec().setMinReadySeconds(minReady == 0 ? null : minReady);
                ReplicaSet updated = client.update(rsCopy);
                replaceIn(rsList, updated);
                return updated;
            }
            String revision = rsCopy.getMetadata().getAnnotations() == null ? null : rsCopy.getMetadata().getAnnotations().get(DeploymentUtil.REVISION);
            boolean needsUpdate = revision != null && DeploymentUtil.setDeploymentRevision(d, revision);
            if (DeploymentUtil.hasProgressDeadline(d) && getCondition(d.getStatus(), "Progressing") == null) {
                setCondition(d.getStatus(), newCondition("Progressing", "True", DeploymentUtil.FOUND_NEW_RS,
                        "Found new replica set \"" + rsCopy.getMetadata().getName() + "\""));
                needsUpdate = true;
            }
            if (needsUpdate) {
                updateStatus(d);
            }
            return rsCopy;
        }
        if (!create) {
            return null;
        }

        PodTemplateSpec template = Semantic.copy(d.getSpec().getTemplate());
        Integer collisionCount = d.getStatus().getCollisionCount();
        String hash = PodTemplateHash.compute(template, collisionCount);
        if (template.getMetadata() == null) {
            template.setMetadata(new ObjectMeta());
        }
        Map<String, String> labels = new LinkedHashMap<>(template.getMetadata().getLabels() == null ? Map.of() : template.getMetadata().getLabels());
        labels.put(PodTemplateHash.LABEL, hash);
        template.getMetadata().setLabels(labels);
        LabelSelector selector = Semantic.copy(d.getSpec().getSelector());
        Map<String, String> matchLabels = new LinkedHashMap<>(selector.getMatchLabels() == null ? Map.of() : selector.getMatchLabels());
        matchLabels.put(PodTemplateHash.LABEL, hash);
        selector.setMatchLabels(matchLabels);

        ReplicaSet newRS = new ReplicaSet();
        newRS.setApiVersion("apps/v1");
        newRS.setKind("ReplicaSet");
        ObjectMeta meta = new ObjectMeta();
        meta.setName(d.getMetadata().getName() + "-" + hash);
        meta.setNamespace(d.getMetadata().getNamespace());
        meta.setOwnerReferences(List.of(Pods.newControllerRef(d, "apps/v1", "Deployment")));
        meta.setLabels(new LinkedHashMap<>(labels));
        newRS.setMetadata(meta);
        ReplicaSetSpec spec = new ReplicaSetSpec();
        spec.setReplicas(0);
        spec.setMinReadySeconds(minReadySeconds(d) == 0 ? null : minReadySeconds(d));
        spec.setSelector(selector);
        spec.setTemplate(template);
        newRS.setSpec(spec);
        List<ReplicaSet> all = new ArrayList<>(oldRSs);
        all.add(newRS);
        int newReplicas = DeploymentUtil.newRSNewReplicas(d, all, newRS);
        spec.setReplicas(newReplicas);
        DeploymentUtil.setNewReplicaSetAnnotations(d, newRS, newRevision, false, MAX_REVISION_HISTORY_CHARS);

        boolean alreadyExists = false;
        ReplicaSet created;
        try {
            created = client.create(newRS);
        } catch (ApiException e) {
            if (e.code() == 409 && "AlreadyExists".equals(e.status().getReason())) {
                alreadyExists = true;
                ReplicaSet rs = client.get(ReplicaSet.class, meta.getNamespace(), meta.getName()).orElseThrow(() -> e);
                OwnerReference ref = Pods.controllerOf(rs);
                if (ref != null && Objects.equals(ref.getUid(), d.getMetadata().getUid())
                        && PodTemplateHash.equalIgnoreHash(d.getSpec().getTemplate(), rs.getSpec().getTemplate())) {
                    created = rs;
                } else {
                    d.getStatus().setCollisionCount(collisionCount == null ? 1 : collisionCount + 1);
                    updateStatus(d);
                    throw e;
                }
            } else if (e.code() == 403 && e.getMessage() != null && e.getMessage().contains("because it is being terminated")) {
                throw e;
            } else {
                String msg = "Failed to create new replica set \"" + meta.getName() + "\": " + e.getMessage();
                if (DeploymentUtil.hasProgressDeadline(d)) {
                    setCondition(d.getStatus(), newCondition("Progressing", "False", DeploymentUtil.FAILED_RS_CREATE, msg));
                    try {
                        updateStatus(d);
                    } catch (ApiException ignored) {
                        // the failure to create is the error worth reporting
                    }
                }
                events.warning(d, COMPONENT, DeploymentUtil.FAILED_RS_CREATE, msg);
                throw e;
            }
        }
        rsList.add(created);
        if (!alreadyExists && newReplicas > 0) {
            events.normal(d, COMPONENT, "ScalingReplicaSet",
                    "Scaled up replica set " + created.getMetadata().getName() + " from 0 to " + newReplicas);
        }
        boolean needsUpdate = DeploymentUtil.setDeploymentRevision(d, newRevision);
        if (!alreadyExists && DeploymentUtil.hasProgressDeadline(d)) {
            setCondition(d.getStatus(), newCondition("Progressing", "True", DeploymentUtil.NEW_REPLICA_SET,
                    "Created new replica set \"" + created.getMetadata().getName() + "\""));
            needsUpdate = true;
        }
        if (needsUpdate) {
            updateStatus(d);
        }
        return created;
    }

    /**
     * {@code scale}: the only active ReplicaSet gets all replicas; a saturated new one leaves none to the old; otherwise
     * (a RollingUpdate scaled mid-rollout, or paused) the difference is spread in proportion to each one's size.
     */
    private void scale(Deployment d, ReplicaSet newRS, List<ReplicaSet> oldRSs, List<ReplicaSet> rsList) {
        ReplicaSet activeOrLatest = DeploymentUtil.findActiveOrLatest(newRS, oldRSs);
        if (activeOrLatest != null) {
            if (replicas(activeOrLatest) == replicas(d)) {
                return;
            }
            scaleAndRecordEvent(activeOrLatest, replicas(d), d, rsList);
            return;
        }
        if (DeploymentUtil.isSaturated(d, newRS)) {
            for (ReplicaSet old : active(oldRSs)) {
                scaleAndRecordEvent(old, 0, d, rsList);
            }
            return;
        }
        if (!DeploymentUtil.isRollingUpdate(d)) {
            return;
        }
        List<ReplicaSet> all = new ArrayList<>(oldRSs);
        all.add(newRS);
        all = new ArrayList<>(active(all));
        int allReplicas = DeploymentUtil.replicaCount(all);
        int allowedSize = replicas(d) > 0 ? replicas(d) + maxSurge(d) : 0;
        int toAdd = allowedSize - allReplicas;
        String operation = "";
        if (toAdd > 0) {
            all.sort(DeploymentUtil.BY_SIZE_NEWER);
            operation = "up";
        } else if (toAdd < 0) {
            all.sort(DeploymentUtil.BY_SIZE_OLDER);
            operation = "down";
        }
        int added = 0;
        Map<String, Integer> sizes = new HashMap<>();
        for (ReplicaSet rs : all) {
            if (toAdd != 0) {
                int proportion = DeploymentUtil.proportion(rs, d, toAdd, added);
                sizes.put(rs.getMetadata().getName(), replicas(rs) + proportion);
                added += proportion;
            } else {
                sizes.put(rs.getMetadata().getName(), replicas(rs));
            }
        }
        for (int i = 0; i < all.size(); i++) {
            ReplicaSet rs = all.get(i);
            if (i == 0 && toAdd != 0) {
                int leftover = toAdd - added;
                sizes.put(rs.getMetadata().getName(), Math.max(0, sizes.get(rs.getMetadata().getName()) + leftover));
            }
            scaleReplicaSet(rs, sizes.get(rs.getMetadata().getName()), d, operation, rsList);
        }
    }

    private ReplicaSet scaleAndRecordEvent(ReplicaSet rs, int newScale, Deployment d, List<ReplicaSet> rsList) {
        if (replicas(rs) == newScale) {
            return rs;
        }
        return scaleReplicaSet(rs, newScale, d, replicas(rs) < newScale ? "up" : "down", rsList);
    }

    /** {@code scaleReplicaSet}: new size and the desired/max replica annotations, and a ScalingReplicaSet event. */
    private ReplicaSet scaleReplicaSet(ReplicaSet rs, int newScale, Deployment d, String operation, List<ReplicaSet> rsList) {
        boolean sizeNeedsUpdate = replicas(rs) != newScale;
        int max = replicas(d) + maxSurge(d);
        boolean annotationsNeedUpdate = DeploymentUtil.replicasAnnotationsNeedUpdate(rs, replicas(d), max);
        if (!sizeNeedsUpdate && !annotationsNeedUpdate) {
            return rs;
        }
        int oldScale = replicas(rs);
        ReplicaSet copy = Semantic.copy(rs);
        copy.getSpec().setReplicas(newScale);
        DeploymentUtil.setReplicasAnnotations(copy, replicas(d), max);
        ReplicaSet updated = client.update(copy);
        replaceIn(rsList, updated);
        if (sizeNeedsUpdate) {
            if (operation.isEmpty()) {
                operation = oldScale < newScale ? "up" : "down";
            }
            events.normal(d, COMPONENT, "ScalingReplicaSet",
                    "Scaled " + operation + " replica set " + updated.getMetadata().getName() + " from " + oldScale + " to " + newScale);
        }
        return updated;
    }

    /** {@code cleanupDeployment}: deletes the oldest scaled-down ReplicaSets beyond revisionHistoryLimit. */
    private void cleanupDeployment(List<ReplicaSet> oldRSs, Deployment d) {
        if (!DeploymentUtil.hasRevisionHistoryLimit(d)) {
            return;
        }
        List<ReplicaSet> cleanable = new ArrayList<>();
        for (ReplicaSet rs : oldRSs) {
            if (rs != null && rs.getMetadata().getDeletionTimestamp() == null) {
                cleanable.add(rs);
            }
        }
        int diff = cleanable.size() - d.getSpec().getRevisionHistoryLimit();
        if (diff <= 0) {
            return;
        }
        cleanable.sort(DeploymentUtil.BY_REVISION);
        for (int i = 0; i < diff; i++) {
            ReplicaSet rs = cleanable.get(i);
            long generation = rs.getMetadata().getGeneration() == null ? 0 : rs.getMetadata().getGeneration();
            long observed = rs.getStatus() == null || rs.getStatus().getObservedGeneration() == null ? 0 : rs.getStatus().getObservedGeneration();
            if (DeploymentUtil.status(rs).replicas() != 0 || replicas(rs) != 0 || generation > observed) {
                continue;
            }
            client.delete(ReplicaSet.class, rs.getMetadata().getNamespace(), rs.getMetadata().getName(), null);
        }
    }

    private void syncDeploymentStatus(List<ReplicaSet> all, ReplicaSet newRS, Deployment d) {
        DeploymentStatus status = calculateStatus(all, newRS, d);
        if (Semantic.equal(d.getStatus(), status)) {
            return;
        }
        d.setStatus(status);
        updateStatus(d);
    }

    /** {@code calculateStatus}: counts from the ReplicaSets, and the Available condition. */
    static DeploymentStatus calculateStatus(List<ReplicaSet> all, ReplicaSet newRS, Deployment d) {
        int available = DeploymentUtil.availableReplicaCount(all);
        int total = DeploymentUtil.replicaCount(all);
        DeploymentStatus status = new DeploymentStatus();
        long generation = DeploymentUtil.generation(d);
        status.setObservedGeneration(generation == 0 ? null : generation);
        status.setReplicas(omitZero(DeploymentUtil.actualReplicaCount(all)));
        status.setUpdatedReplicas(omitZero(newRS == null ? 0 : DeploymentUtil.status(newRS).replicas()));
        status.setReadyReplicas(omitZero(DeploymentUtil.readyReplicaCount(all)));
        status.setAvailableReplicas(omitZero(available));
        status.setUnavailableReplicas(omitZero(Math.max(0, total - available)));
        status.setCollisionCount(d.getStatus() == null ? null : d.getStatus().getCollisionCount());
        List<DeploymentCondition> conditions = new ArrayList<>();
        if (d.getStatus() != null && d.getStatus().getConditions() != null) {
            for (DeploymentCondition c : d.getStatus().getConditions()) {
                conditions.add(Semantic.copy(c));
            }
        }
        status.setConditions(conditions);
        if (available >= replicas(d) - DeploymentUtil.maxUnavailable(d)) {
            setCondition(status, newCondition("Available", "True", DeploymentUtil.MINIMUM_REPLICAS_AVAILABLE, "Deployment has minimum availability."));
        } else {
            setCondition(status, newCondition("Available", "False", DeploymentUtil.MINIMUM_REPLICAS_UNAVAILABLE,
                    "Deployment does not have minimum availability."));
        }
        return status;
    }

    /** {@code isScalingEvent}: an active ReplicaSet was sized for a different replica count than the Deployment's. */
    private boolean isScalingEvent(Deployment d, List<ReplicaSet> rsList) {
        NewAndOld rss = allReplicaSetsAndSyncRevision(d, rsList, false);
        for (ReplicaSet rs : active(rss.all())) {
            Integer desired = DeploymentUtil.intAnnotation(rs, DeploymentUtil.DESIRED_REPLICAS);
            if (desired != null && desired != replicas(d)) {
                return true;
            }
        }
        return false;
    }

    // ---- rolling.go ----

    private void rolloutRolling(Deployment d, List<ReplicaSet> rsList) {
        NewAndOld rss = allReplicaSetsAndSyncRevision(d, rsList, true);
        ReplicaSet newRS = rss.newRS();
        List<ReplicaSet> old = rss.old();
        if (reconcileNewReplicaSet(rss.all(), newRS, d, rsList)) {
            syncRolloutStatus(current(rsList, rss.all()), current(rsList, newRS), d);
            return;
        }
        if (reconcileOldReplicaSets(rss.all(), active(old), newRS, d, rsList)) {
            syncRolloutStatus(current(rsList, rss.all()), current(rsList, newRS), d);
            return;
        }
        if (DeploymentUtil.complete(d, d.getStatus())) {
            cleanupDeployment(old, d);
        }
        syncRolloutStatus(current(rsList, rss.all()), current(rsList, newRS), d);
    }

    private boolean reconcileNewReplicaSet(List<ReplicaSet> all, ReplicaSet newRS, Deployment d, List<ReplicaSet> rsList) {
        if (replicas(newRS) == replicas(d)) {
            return false;
        }
        if (replicas(newRS) > replicas(d)) {
            return scaleAndRecordEvent(newRS, replicas(d), d, rsList) != newRS;
        }
        int newReplicas = DeploymentUtil.newRSNewReplicas(d, all, newRS);
        return scaleAndRecordEvent(newRS, newReplicas, d, rsList) != newRS && newReplicas != replicas(newRS);
    }

    private boolean reconcileOldReplicaSets(List<ReplicaSet> all, List<ReplicaSet> oldRSs, ReplicaSet newRS, Deployment d,
                                            List<ReplicaSet> rsList) {
        int oldPods = DeploymentUtil.replicaCount(oldRSs);
        if (oldPods == 0) {
            return false;
        }
        int allPods = DeploymentUtil.replicaCount(all);
        int minAvailable = replicas(d) - DeploymentUtil.maxUnavailable(d);
        int newUnavailable = replicas(newRS) - DeploymentUtil.status(newRS).available();
        int maxScaledDown = allPods - minAvailable - newUnavailable;
        if (maxScaledDown <= 0) {
            return false;
        }
        List<ReplicaSet> old = new ArrayList<>(oldRSs);
        int cleaned;
        try {
            cleaned = cleanupUnhealthyReplicas(old, d, maxScaledDown, rsList);
        } catch (ApiException e) {
            return false;
        }
        List<ReplicaSet> allAfter = new ArrayList<>(old);
        allAfter.add(newRS);
        int scaledDown;
        try {
            scaledDown = scaleDownOldReplicaSetsForRollingUpdate(allAfter, old, d, rsList);
        } catch (ApiException e) {
            return false;
        }
        return cleaned + scaledDown > 0;
    }

    /** {@code cleanupUnhealthyReplicas}: scales old ReplicaSets down by their unavailable replicas first. */
    private int cleanupUnhealthyReplicas(List<ReplicaSet> oldRSs, Deployment d, int maxCleanup, List<ReplicaSet> rsList) {
        oldRSs.sort(DeploymentUtil.BY_CREATION);
        int total = 0;
        for (int i = 0; i < oldRSs.size(); i++) {
            ReplicaSet rs = oldRSs.get(i);
            if (total >= maxCleanup) {
                break;
            }
            if (replicas(rs) == 0 || replicas(rs) == DeploymentUtil.status(rs).available()) {
                continue;
            }
            int count = Math.min(maxCleanup - total, replicas(rs) - DeploymentUtil.status(rs).available());
            int newReplicas = replicas(rs) - count;
            if (newReplicas > replicas(rs)) {
                throw new IllegalStateException("when cleaning up unhealthy replicas, got invalid request to scale down "
                        + Informer.key(rs) + " " + replicas(rs) + " -> " + newReplicas);
            }
            oldRSs.set(i, scaleAndRecordEvent(rs, newReplicas, d, rsList));
            total += count;
        }
        return total;
    }

    /** {@code scaleDownOldReplicaSetsForRollingUpdate}: as far as maxUnavailable allows, oldest first. */
    private int scaleDownOldReplicaSetsForRollingUpdate(List<ReplicaSet> all, List<ReplicaSet> oldRSs, Deployment d, List<ReplicaSet> rsList) {
        int minAvailable = replicas(d) - DeploymentUtil.maxUnavailable(d);
        int available = DeploymentUtil.availableReplicaCount(all);
        if (available <= minAvailable) {
            return 0;
        }
        oldRSs.sort(DeploymentUtil.BY_CREATION);
        int total = 0;
        int toScaleDown = available - minAvailable;
        for (ReplicaSet rs : oldRSs) {
            if (total >= toScaleDown) {
                break;
            }
            if (replicas(rs) == 0) {
                continue;
            }
            int count = Math.min(replicas(rs), toScaleDown - total);
            scaleAndRecordEvent(rs, replicas(rs) - count, d, rsList);
            total += count;
        }
        return total;
    }

    // ---- recreate.go ----

    private void rolloutRecreate(Deployment d, List<ReplicaSet> rsList, Map<String, List<Pod>> podMap) {
        NewAndOld rss = allReplicaSetsAndSyncRevision(d, rsList, false);
        ReplicaSet newRS = rss.newRS();
        List<ReplicaSet> old = rss.old();
        boolean scaledDown = false;
        for (ReplicaSet rs : active(old)) {
            if (scaleAndRecordEvent(rs, 0, d, rsList) != rs) {
                scaledDown = true;
            }
        }
        if (scaledDown) {
            syncRolloutStatus(current(rsList, rss.all()), current(rsList, newRS), d);
            return;
        }
        if (oldPodsRunning(newRS, old, podMap)) {
            syncRolloutStatus(current(rsList, rss.all()), current(rsList, newRS), d);
            return;
        }
        if (newRS == null) {
            rss = allReplicaSetsAndSyncRevision(d, rsList, true);
            newRS = rss.newRS();
            old = rss.old();
        }
        scaleAndRecordEvent(current(rsList, newRS), replicas(d), d, rsList);
        if (DeploymentUtil.complete(d, d.getStatus())) {
            cleanupDeployment(old, d);
        }
        syncRolloutStatus(current(rsList, rss.all()), current(rsList, newRS), d);
    }

    /** {@code oldPodsRunning}: an old ReplicaSet still reports pods, or a pod not in a finished phase remains. */
    static boolean oldPodsRunning(ReplicaSet newRS, List<ReplicaSet> oldRSs, Map<String, List<Pod>> podMap) {
        if (DeploymentUtil.actualReplicaCount(oldRSs) > 0) {
            return true;
        }
        for (Map.Entry<String, List<Pod>> e : podMap.entrySet()) {
            if (newRS != null && Objects.equals(newRS.getMetadata().getUid(), e.getKey())) {
                continue;
            }
            for (Pod pod : e.getValue()) {
                String phase = Pods.phase(pod);
                if (!"Failed".equals(phase) && !"Succeeded".equals(phase)) {
                    return true;
                }
            }
        }
        return false;
    }

    // ---- progress.go ----

    /** {@code syncRolloutStatus}: the status, and the Progressing condition of a rollout under way. */
    private void syncRolloutStatus(List<ReplicaSet> all, ReplicaSet newRS, Deployment d) {
        DeploymentStatus status = calculateStatus(all, newRS, d);
        if (!DeploymentUtil.hasProgressDeadline(d)) {
            DeploymentUtil.removeCondition(status, "Progressing");
        }
        DeploymentCondition currentCond = getCondition(d.getStatus(), "Progressing");
        boolean isComplete = DeploymentUtil.nz(status.getReplicas()) == DeploymentUtil.nz(status.getUpdatedReplicas())
                && currentCond != null && DeploymentUtil.NEW_RS_AVAILABLE.equals(currentCond.getReason());
        if (DeploymentUtil.hasProgressDeadline(d) && !isComplete) {
            String subject = newRS != null ? "ReplicaSet \"" + newRS.getMetadata().getName() + "\"" : "Deployment \"" + d.getMetadata().getName() + "\"";
            if (DeploymentUtil.complete(d, status)) {
                setCondition(status, newCondition("Progressing", "True", DeploymentUtil.NEW_RS_AVAILABLE, subject + " has successfully progressed."));
            } else if (DeploymentUtil.progressing(d, status)) {
                DeploymentCondition condition = newCondition("Progressing", "True", DeploymentUtil.REPLICA_SET_UPDATED, subject + " is progressing.");
                if (currentCond != null) {
                    if ("True".equals(currentCond.getStatus())) {
                        condition.setLastTransitionTime(currentCond.getLastTransitionTime());
                    }
                    DeploymentUtil.removeCondition(status, "Progressing");
                }
                setCondition(status, condition);
            } else if (DeploymentUtil.timedOut(d, status, Instant.now())) {
                setCondition(status, newCondition("Progressing", "False", DeploymentUtil.TIMED_OUT, subject + " has timed out progressing."));
            }
        }
        List<DeploymentCondition> failures = replicaFailures(all, newRS);
        if (!failures.isEmpty()) {
            setCondition(status, failures.get(0));
        } else {
            DeploymentUtil.removeCondition(status, "ReplicaFailure");
        }
        if (Semantic.equal(d.getStatus(), status)) {
            requeueStuckDeployment(d, status);
            return;
        }
        d.setStatus(status);
        updateStatus(d);
    }

    private static List<DeploymentCondition> replicaFailures(List<ReplicaSet> all, ReplicaSet newRS) {
        List<DeploymentCondition> out = new ArrayList<>();
        if (newRS != null) {
            out.addAll(failureConditions(newRS));
        }
        if (!out.isEmpty()) {
            return out;
        }
        for (ReplicaSet rs : all) {
            if (rs != null) {
                out.addAll(failureConditions(rs));
            }
        }
        return out;
    }

    private static List<DeploymentCondition> failureConditions(ReplicaSet rs) {
        List<DeploymentCondition> out = new ArrayList<>();
        if (rs.getStatus() == null || rs.getStatus().getConditions() == null) {
            return out;
        }
        for (ReplicaSetCondition c : rs.getStatus().getConditions()) {
            if ("ReplicaFailure".equals(c.getType())) {
                DeploymentCondition dc = new DeploymentCondition();
                dc.setType(c.getType());
                dc.setStatus(c.getStatus());
                dc.setReason(c.getReason());
                dc.setMessage(c.getMessage());
                dc.setLastTransitionTime(c.getLastTransitionTime());
                dc.setLastUpdateTime(c.getLastTransitionTime());
                out.add(dc);
            }
        }
        return out;
    }

    /** {@code requeueStuckDeployment}: comes back when the progress deadline would pass. */
    private void requeueStuckDeployment(Deployment d, DeploymentStatus status) {
        DeploymentCondition cond = getCondition(d.getStatus(), "Progressing");
        if (!DeploymentUtil.hasProgressDeadline(d) || cond == null) {
            return;
        }
        if (DeploymentUtil.complete(d, status) || DeploymentUtil.TIMED_OUT.equals(cond.getReason())) {
            return;
        }
        Instant last = Pods.parseTime(cond.getLastUpdateTime());
        if (last == null) {
            return;
        }
        Duration after = Duration.between(Instant.now(), last.plusSeconds(d.getSpec().getProgressDeadlineSeconds()));
        String key = Informer.key(d);
        if (after.compareTo(Duration.ofSeconds(1)) < 0) {
            queue.addAfter(key, Duration.ofMillis(200));
        } else {
            queue.addAfter(key, after.plusSeconds(1));
        }
    }

    // ---- helpers ----

    private void updateStatus(Deployment d) {
        Deployment updated = client.updateStatus(d);
        d.getMetadata().setResourceVersion(updated.getMetadata().getResourceVersion());
    }

    /** Swaps the ReplicaSet this sync has just written into the list, so later steps see what it wrote. */
    private static void replaceIn(List<ReplicaSet> rsList, ReplicaSet updated) {
        for (int i = 0; i < rsList.size(); i++) {
            if (Objects.equals(rsList.get(i).getMetadata().getUid(), updated.getMetadata().getUid())) {
                rsList.set(i, updated);
                return;
            }
        }
    }

    private static ReplicaSet current(List<ReplicaSet> rsList, ReplicaSet rs) {
        if (rs == null) {
            return null;
        }
        for (ReplicaSet r : rsList) {
            if (Objects.equals(r.getMetadata().getUid(), rs.getMetadata().getUid())) {
                return r;
            }
        }
        return rs;
    }

    private static List<ReplicaSet> current(List<ReplicaSet> rsList, List<ReplicaSet> rss) {
        List<ReplicaSet> out = new ArrayList<>();
        for (ReplicaSet rs : rss) {
            out.add(current(rsList, rs));
        }
        return out;
    }

    /** Zero counts are left out, as Kubernetes' {@code omitempty} leaves them. */
    private static Integer omitZero(int i) {
        return i == 0 ? null : i;
    }

    private static int minReadySeconds(Deployment d) {
        return d.getSpec().getMinReadySeconds() == null ? 0 : d.getSpec().getMinReadySeconds();
    }

    private static int minReadySeconds(ReplicaSet rs) {
        return rs.getSpec().getMinReadySeconds() == null ? 0 : rs.getSpec().getMinReadySeconds();
    }
}
