package dev.coracle.server.controller.replicaset;

import dev.coracle.server.api.ApiException;
import dev.coracle.server.api.InternalClient;
import dev.coracle.server.api.Json;
import dev.coracle.server.controller.Controller;
import dev.coracle.server.controller.EventRecorder;
import dev.coracle.server.controller.Informer;
import dev.coracle.server.controller.Informers;
import dev.coracle.server.controller.NamespaceTerminating;
import dev.coracle.server.patch.PatchType;
import dev.coracle.server.registry.LabelSelectors;
import dev.coracle.server.registry.Semantic;
import dev.coracle.server.store.RevisionRecord.EventType;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetCondition;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatus;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * kube-controller-manager's ReplicaSet controller ({@code pkg/controller/replicaset/replica_set.go}): keeps
 * {@code spec.replicas} active pods for every ReplicaSet, adopting orphans its selector matches and releasing
 * pods it owns that no longer match, and reports what it sees in {@code status}.
 */
@Component
public class ReplicaSetController extends Controller {

    public static final String COMPONENT = "replicaset-controller";
    /** {@code BurstReplicas}: at most this many creations or deletions in one sync. */
    static final int BURST_REPLICAS = 500;
    private static final String RS_API_VERSION = "apps/v1";
    private static final String RS_KIND = "ReplicaSet";

    private final InternalClient client;
    private final EventRecorder events;
    private final Expectations expectations = new Expectations();
    private Informer<ReplicaSet> replicaSets;
    private Informer<Pod> pods;

    public ReplicaSetController(InternalClient client, EventRecorder events) {
        this.client = client;
        this.events = events;
    }

    @Override
    public String name() {
        return "replicaset";
    }

    @Override
    protected void register(Informers informers) {
        replicaSets = informers.of(ReplicaSet.class);
        pods = informers.of(Pod.class);
        replicaSets.onChange(change -> {
            String key = Informer.key(change.current());
            if (change.type() != EventType.MODIFIED) {
                // a ReplicaSet seen for the first time (also after this server takes the lead again) awaits nothing yet
                expectations.forget(key);
            }
            enqueue(key);
        });
        pods.onChange(this::podChanged);
    }

    // ---- event handlers (addPod, updatePod, deletePod) ----

    private void podChanged(Informer.Change<Pod> change) {
        switch (change.type()) {
            case ADDED -> podAdded(change.current());
            case MODIFIED -> podUpdated(change.old(), change.current());
            case DELETED -> podDeleted(change.current());
        }
    }

    private void podAdded(Pod pod) {
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            podDeleted(pod);
            return;
        }
        OwnerReference ref = Pods.controllerOf(pod);
        if (ref != null) {
            ReplicaSet rs = resolveControllerRef(pod.getMetadata().getNamespace(), ref);
            if (rs != null) {
                String key = Informer.key(rs);
                expectations.creationObserved(key);
                enqueue(key);
            }
            return;
        }
        replicaSetsSelecting(pod).forEach(rs -> enqueue(Informer.key(rs)));
    }

    private void podUpdated(Pod old, Pod cur) {
        if (old == null) {
            podAdded(cur);
            return;
        }
        if (Objects.equals(old.getMetadata().getResourceVersion(), cur.getMetadata().getResourceVersion())) {
            return;
        }
        boolean labelsChanged = !Objects.equals(labels(old), labels(cur));
        if (cur.getMetadata().getDeletionTimestamp() != null) {
            // a graceful delete shows first as an update: act on it now rather than when the kubelet is done
            podDeleted(cur);
            if (labelsChanged) {
                podDeleted(old);
            }
            return;
        }
        OwnerReference curRef = Pods.controllerOf(cur);
        OwnerReference oldRef = Pods.controllerOf(old);
        boolean refChanged = !Objects.equals(curRef == null ? null : curRef.getUid(), oldRef == null ? null : oldRef.getUid());
        if (refChanged && oldRef != null) {
            ReplicaSet rs = resolveControllerRef(old.getMetadata().getNamespace(), oldRef);
            if (rs != null) {
                enqueue(Informer.key(rs));
            }
        }
        if (curRef != null) {
            ReplicaSet rs = resolveControllerRef(cur.getMetadata().getNamespace(), curRef);
            if (rs == null) {
                return;
            }
            enqueue(Informer.key(rs));
            int minReady = minReadySeconds(rs);
            if (!Pods.isReady(old) && Pods.isReady(cur) && minReady > 0) {
                queue.addAfter(Informer.key(rs), Duration.ofSeconds(minReady + 1L));
            }
            return;
        }
        if (labelsChanged || refChanged) {
            replicaSetsSelecting(cur).forEach(rs -> enqueue(Informer.key(rs)));
        }
    }

    private void podDeleted(Pod pod) {
        OwnerReference ref = Pods.controllerOf(pod);
        if (ref == null) {
            return;
        }
        ReplicaSet rs = resolveControllerRef(pod.getMetadata().getNamespace(), ref);
        if (rs == null) {
            return;
        }
        String key = Informer.key(rs);
        expectations.deletionObserved(key, Pods.key(pod));
        enqueue(key);
    }

    private ReplicaSet resolveControllerRef(String namespace, OwnerReference ref) {
        if (!RS_KIND.equals(ref.getKind())) {
            return null;
        }
        ReplicaSet rs = replicaSets.get(namespace, ref.getName()).orElse(null);
        if (rs == null || !Objects.equals(rs.getMetadata().getUid(), ref.getUid())) {
            return null;
        }
        return rs;
    }

    /** {@code getPodReplicaSets}: the ReplicaSets whose selector matches an orphan pod. */
    private List<ReplicaSet> replicaSetsSelecting(Pod pod) {
        return replicaSets.list(pod.getMetadata().getNamespace(), rs -> {
            LabelSelector selector = rs.getSpec() == null ? null : rs.getSpec().getSelector();
            return selector != null && !LabelSelectors.isEmpty(selector) && LabelSelectors.matches(selector, labels(pod));
        });
    }

    // ---- sync ----

    @Override
    protected void reconcile(String key) throws Exception {
        ReplicaSet cached = replicaSets.get(key).orElse(null);
        if (cached == null) {
            expectations.forget(key);
            return;
        }
        boolean needsSync = expectations.satisfied(key);
        LabelSelector selector = cached.getSpec().getSelector();
        if (selector == null || !LabelSelectors.isValid(selector)) {
            return;
        }
        String namespace = cached.getMetadata().getNamespace();
        List<Pod> active = pods.list(namespace, Pods::isActive);
        List<Pod> owned = claimPods(cached, selector, active);

        RuntimeException manageError = null;
        if (needsSync && cached.getMetadata().getDeletionTimestamp() == null) {
            try {
                manageReplicas(owned, cached);
            } catch (RuntimeException e) {
                manageError = e;
            }
        }
        ReplicaSet rs = Semantic.copy(cached);
        ReplicaSetStatus status = calculateStatus(rs, owned, manageError);
        ReplicaSet updated = updateStatus(rs, status);
        int minReady = minReadySeconds(updated);
        int replicas = replicas(updated);
        if (manageError == null && minReady > 0 && nz(updated.getStatus().getReadyReplicas()) == replicas
                && nz(updated.getStatus().getAvailableReplicas()) != replicas) {
            queue.addAfter(key, Duration.ofSeconds(minReady));
        }
        if (manageError != null) {
            throw manageError;
        }
    }

    /**
     * {@code PodControllerRefManager.ClaimPods}: the pods this ReplicaSet owns after adopting matching orphans
     * and releasing owned pods whose labels no longer match.
     */
    private List<Pod> claimPods(ReplicaSet rs, LabelSelector selector, List<Pod> candidates) {
        List<Pod> claimed = new ArrayList<>();
        boolean rsDeleting = rs.getMetadata().getDeletionTimestamp() != null;
        Boolean canAdopt = null;
        ApiException firstError = null;
        for (Pod pod : candidates) {
            OwnerReference ref = Pods.controllerOf(pod);
            boolean matches = LabelSelectors.matches(selector, labels(pod));
            if (ref != null) {
                if (!Objects.equals(ref.getUid(), rs.getMetadata().getUid())) {
                    continue;
                }
                if (matches) {
                    claimed.add(pod);
                } else if (!rsDeleting) {
                    try {
                        release(rs, pod);
                    } catch (ApiException e) {
                        if (e.code() != 404 && e.code() != 422) {
                            firstError = firstError == null ? e : firstError;
                        }
                    }
                }
                continue;
            }
            if (rsDeleting || !matches || pod.getMetadata().getDeletionTimestamp() != null) {
                continue;
            }
            if (canAdopt == null) {
                canAdopt = recheckNotDeleting(rs);
            }
            if (!canAdopt) {
                continue;
            }
            try {
                claimed.add(adopt(rs, pod));
            } catch (ApiException e) {
                if (e.code() != 404 && e.code() != 422) {
                    firstError = firstError == null ? e : firstError;
                }
            }
        }
        if (firstError != null) {
            throw firstError;
        }
        return claimed;
    }

    /** {@code RecheckDeletionTimestamp}: adopt only if a fresh read shows the same, live ReplicaSet. */
    private boolean recheckNotDeleting(ReplicaSet rs) {
        ReplicaSet fresh = client.get(ReplicaSet.class, rs.getMetadata().getNamespace(), rs.getMetadata().getName()).orElse(null);
        return fresh != null && Objects.equals(fresh.getMetadata().getUid(), rs.getMetadata().getUid())
                && fresh.getMetadata().getDeletionTimestamp() == null;
    }

    private Pod adopt(ReplicaSet rs, Pod pod) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("ownerReferences", List.of(Pods.newControllerRef(rs, RS_API_VERSION, RS_KIND)));
        metadata.put("uid", pod.getMetadata().getUid());
        return client.patch(Pod.class, pod.getMetadata().getNamespace(), pod.getMetadata().getName(), PatchType.STRATEGIC_MERGE_PATCH,
                Json.write(Map.of("metadata", metadata)));
    }

    private void release(ReplicaSet rs, Pod pod) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("ownerReferences", List.of(Map.of("$patch", "delete", "uid", rs.getMetadata().getUid())));
        metadata.put("uid", pod.getMetadata().getUid());
        client.patch(Pod.class, pod.getMetadata().getNamespace(), pod.getMetadata().getName(), PatchType.STRATEGIC_MERGE_PATCH,
                Json.write(Map.of("metadata", metadata)));
    }

    /** {@code manageReplicas}: creates or deletes pods, at most {@link #BURST_REPLICAS} at a time. */
    private void manageReplicas(List<Pod> owned, ReplicaSet rs) {
        String key = Informer.key(rs);
        int diff = owned.size() - replicas(rs);
        if (diff < 0) {
            int toCreate = Math.min(-diff, BURST_REPLICAS);
            expectations.expectCreations(key, toCreate);
            int created = 0;
            RuntimeException error = null;
            // slow start: a failure stops the remaining creations, as a failed batch does in slowStartBatch
            for (int i = 0; i < toCreate; i++) {
                try {
                    createPod(rs);
                    created++;
                } catch (ApiException e) {
                    if (NamespaceTerminating.is(e)) {
                        created++;
                        continue;
                    }
                    error = e;
                    break;
                }
            }
            for (int i = created; i < toCreate; i++) {
                expectations.creationObserved(key);
            }
            if (error != null) {
                throw error;
            }
        } else if (diff > 0) {
            int toDelete = Math.min(diff, BURST_REPLICAS);
            List<Pod> victims = DeletionOrder.podsToDelete(owned, relatedPods(rs), toDelete);
            expectations.expectDeletions(key, victims.stream().map(Pods::key).toList());
            RuntimeException error = null;
            for (Pod pod : victims) {
                try {
                    if (client.delete(Pod.class, pod.getMetadata().getNamespace(), pod.getMetadata().getName(), null)) {
                        events.normal(rs, COMPONENT, "SuccessfulDelete", "Deleted pod: " + pod.getMetadata().getName());
                    } else {
                        expectations.deletionObserved(key, Pods.key(pod));
                    }
                } catch (ApiException e) {
                    expectations.deletionObserved(key, Pods.key(pod));
                    events.warning(rs, COMPONENT, "FailedDelete", "Error deleting: " + e.getMessage());
                    error = error == null ? e : error;
                }
            }
            if (error != null) {
                throw error;
            }
        }
    }

    /** {@code RealPodControl.CreatePods} with {@code GetPodFromTemplate}. */
    private void createPod(ReplicaSet rs) {
        Pod pod = podFromTemplate(rs.getSpec().getTemplate(), rs);
        if (pod.getMetadata().getLabels() == null || pod.getMetadata().getLabels().isEmpty()) {
            throw ApiException.badRequest("unable to create pods, no labels");
        }
        try {
            Pod created = client.create(pod);
            events.normal(rs, COMPONENT, "SuccessfulCreate", "Created pod: " + created.getMetadata().getName());
        } catch (ApiException e) {
            if (!NamespaceTerminating.is(e)) {
                events.warning(rs, COMPONENT, "FailedCreate", "Error creating: " + e.getMessage());
            }
            throw e;
        }
    }

    static Pod podFromTemplate(PodTemplateSpec template, ReplicaSet rs) {
        PodTemplateSpec t = Semantic.copy(template);
        ObjectMeta tm = t.getMetadata() == null ? new ObjectMeta() : t.getMetadata();
        ObjectMeta meta = new ObjectMeta();
        meta.setNamespace(rs.getMetadata().getNamespace());
        meta.setGenerateName(rs.getMetadata().getName() + "-");
        meta.setLabels(tm.getLabels() == null ? null : new HashMap<>(tm.getLabels()));
        meta.setAnnotations(tm.getAnnotations() == null || tm.getAnnotations().isEmpty() ? null : new HashMap<>(tm.getAnnotations()));
        meta.setFinalizers(tm.getFinalizers() == null || tm.getFinalizers().isEmpty() ? null : new ArrayList<>(tm.getFinalizers()));
        meta.setOwnerReferences(List.of(Pods.newControllerRef(rs, RS_API_VERSION, RS_KIND)));
        Pod pod = new Pod();
        pod.setApiVersion("v1");
        pod.setKind("Pod");
        pod.setMetadata(meta);
        pod.setSpec(t.getSpec());
        return pod;
    }

    /** {@code getIndirectlyRelatedPods}: the active pods of every ReplicaSet with the same controller, for ranking. */
    private List<Pod> relatedPods(ReplicaSet rs) {
        OwnerReference controller = Pods.controllerOf(rs);
        if (controller == null) {
            return List.of();
        }
        Map<String, Pod> seen = new LinkedHashMap<>();
        for (ReplicaSet related : replicaSets.list(rs.getMetadata().getNamespace(),
                r -> Pods.controllerOf(r) != null && Objects.equals(Pods.controllerOf(r).getUid(), controller.getUid()))) {
            LabelSelector selector = related.getSpec().getSelector();
            for (Pod p : pods.list(rs.getMetadata().getNamespace(), p -> LabelSelectors.matches(selector, labels(p)))) {
                seen.putIfAbsent(p.getMetadata().getUid(), p);
            }
        }
        return new ArrayList<>(seen.values());
    }

    /** {@code calculateStatus}. */
    static ReplicaSetStatus calculateStatus(ReplicaSet rs, List<Pod> owned, RuntimeException manageError) {
        ReplicaSetStatus status = rs.getStatus() == null ? new ReplicaSetStatus() : Semantic.copy(rs.getStatus());
        Map<String, String> templateLabels = rs.getSpec().getTemplate() == null || rs.getSpec().getTemplate().getMetadata() == null
                ? Map.of() : nullToEmpty(rs.getSpec().getTemplate().getMetadata().getLabels());
        int fullyLabeled = 0;
        int ready = 0;
        int available = 0;
        Instant now = Instant.now();
        for (Pod pod : owned) {
            Map<String, String> podLabels = labels(pod);
            if (templateLabels.entrySet().stream().allMatch(e -> e.getValue().equals(podLabels.get(e.getKey())))) {
                fullyLabeled++;
            }
            if (Pods.isReady(pod)) {
                ready++;
                if (Pods.isAvailable(pod, minReadySeconds(rs), now)) {
                    available++;
                }
            }
        }
        List<ReplicaSetCondition> conditions = new ArrayList<>(status.getConditions() == null ? List.of() : status.getConditions());
        ReplicaSetCondition failure = conditions.stream().filter(c -> "ReplicaFailure".equals(c.getType())).findFirst().orElse(null);
        if (manageError != null && failure == null) {
            int diff = owned.size() - replicas(rs);
            String reason = diff < 0 ? "FailedCreate" : diff > 0 ? "FailedDelete" : "";
            conditions.add(new ReplicaSetCondition(Pods.now(), manageError.getMessage(), reason, "True", "ReplicaFailure"));
        } else if (manageError == null && failure != null) {
            conditions.remove(failure);
        }
        status.setConditions(conditions);
        status.setReplicas(owned.size());
        status.setFullyLabeledReplicas(omitZero(fullyLabeled));
        status.setReadyReplicas(omitZero(ready));
        status.setAvailableReplicas(omitZero(available));
        if (conditions.isEmpty()) {
            status.setConditions(null);
        }
        return status;
    }

    /** {@code updateReplicaSetStatus}: writes the status if it changed, with one re-read on failure. */
    private ReplicaSet updateStatus(ReplicaSet rs, ReplicaSetStatus status) {
        ReplicaSetStatus current = rs.getStatus() == null ? new ReplicaSetStatus() : rs.getStatus();
        long generation = rs.getMetadata().getGeneration() == null ? 0 : rs.getMetadata().getGeneration();
        if (nz(current.getReplicas()) == nz(status.getReplicas())
                && nz(current.getFullyLabeledReplicas()) == nz(status.getFullyLabeledReplicas())
                && nz(current.getReadyReplicas()) == nz(status.getReadyReplicas())
                && nz(current.getAvailableReplicas()) == nz(status.getAvailableReplicas())
                && (current.getObservedGeneration() == null ? 0 : current.getObservedGeneration()) == generation
                && Semantic.equal(current.getConditions(), status.getConditions())) {
            return rs;
        }
        status.setObservedGeneration(generation == 0 ? null : generation);
        ReplicaSet target = rs;
        for (int attempt = 0; ; attempt++) {
            target.setStatus(status);
            try {
                return client.updateStatus(target);
            } catch (ApiException e) {
                if (attempt >= 1) {
                    throw e;
                }
                target = client.get(ReplicaSet.class, rs.getMetadata().getNamespace(), rs.getMetadata().getName()).orElseThrow(() -> e);
            }
        }
    }

    static Map<String, String> labels(Pod pod) {
        return nullToEmpty(pod.getMetadata().getLabels());
    }

    private static Map<String, String> nullToEmpty(Map<String, String> m) {
        return m == null ? Map.of() : m;
    }

    private static int replicas(ReplicaSet rs) {
        return rs.getSpec() == null || rs.getSpec().getReplicas() == null ? 1 : rs.getSpec().getReplicas();
    }

    private static int minReadySeconds(ReplicaSet rs) {
        return rs.getSpec() == null || rs.getSpec().getMinReadySeconds() == null ? 0 : rs.getSpec().getMinReadySeconds();
    }

    /** Zero counts are left out, as Kubernetes' {@code omitempty} leaves them. */
    static Integer omitZero(int i) {
        return i == 0 ? null : i;
    }

    private static int nz(Integer i) {
        return i == null ? 0 : i;
    }
}
