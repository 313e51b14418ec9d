package dev.coracle.server.scheduler.filter;

import dev.coracle.server.registry.core.PodReferences;
import dev.coracle.server.scheduler.CycleState;
import dev.coracle.server.scheduler.NodeInfo;
import dev.coracle.server.scheduler.NodeSelectors;
import dev.coracle.server.scheduler.PodInfo;
import dev.coracle.server.scheduler.SchedulerCache;
import io.fabric8.kubernetes.api.model.NodeSelector;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Volume;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * kube-scheduler's VolumeBinding plugin, for claims already bound and those waiting for a consumer: a pod whose claim
 * does not exist, is being deleted, or is unbound in a class that binds at once cannot be placed (its PreFilter's
 * reasons); one whose bound volumes carry node affinity (local-path volumes do) goes only where that affinity holds.
 * A claim that waits for its first consumer ({@code WaitForFirstConsumer}) does not hold the pod back: its volume is
 * made on the pod's node afterwards (Kubernetes checks and binds it within the scheduling cycle instead).
 */
public final class VolumeBinding implements Filter {

    public static final String NAME = "VolumeBinding";
    static final String NODE_CONFLICT = "node(s) had volume node affinity conflict";
    static final String UNBOUND_IMMEDIATE = "pod has unbound immediate PersistentVolumeClaims";

    private record State(String failure, List<NodeSelector> affinities) {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean preFilter(CycleState state, PodInfo pod, SchedulerCache cache) {
        List<Volume> podVolumes = pod.pod.getSpec() == null ? null : pod.pod.getSpec().getVolumes();
        if (podVolumes == null || podVolumes.isEmpty()) {
            return false; // most pods: nothing to look up
        }
        var claims = PodReferences.of(pod.pod.getSpec(), "persistentvolumeclaims");
        if (claims.isEmpty()) {
            return false;
        }
        String namespace = pod.pod.getMetadata().getNamespace();
        List<NodeSelector> affinities = new ArrayList<>();
        for (String name : claims) {
            PersistentVolumeClaim claim = cache.volumes().claim(namespace, name).orElse(null);
            if (claim == null) {
                state.write(this, new State("persistentvolumeclaim \"" + name + "\" not found", List.of()));
                return true;
            }
            if (claim.getMetadata().getDeletionTimestamp() != null) {
                state.write(this, new State("persistentvolumeclaim \"" + name + "\" is being deleted", List.of()));
                return true;
            }
            String volumeName = Objects.toString(claim.getSpec().getVolumeName(), "");
            if (!volumeName.isEmpty()) {
                cache.volumes().volume(volumeName).map(PersistentVolume::getSpec)
                        .filter(spec -> spec.getNodeAffinity() != null && spec.getNodeAffinity().getRequired() != null)
                        .ifPresent(spec -> affinities.add(spec.getNodeAffinity().getRequired()));
            } else if (!waitsForConsumer(cache, claim)) {
                state.write(this, new State(UNBOUND_IMMEDIATE, List.of()));
                return true;
            }
        }
        if (affinities.isEmpty()) {
            return false;
        }
        state.write(this, new State(null, affinities));
        return true;
    }

    @Override
    public FilterStatus filter(CycleState state, PodInfo pod, NodeInfo node) {
        State s = state.read(this);
        if (s.failure() != null) {
            return FilterStatus.unresolvable(s.failure());
        }
        for (NodeSelector affinity : s.affinities()) {
            if (!NodeSelectors.matches(affinity, node.node(), node.labels())) {
                return FilterStatus.unresolvable(NODE_CONFLICT);
            }
        }
        return null;
    }

    private static boolean waitsForConsumer(SchedulerCache cache, PersistentVolumeClaim claim) {
        String className = claim.getSpec().getStorageClassName();
        return className != null && !className.isEmpty() && cache.volumes().storageClass(className)
                .map(sc -> "WaitForFirstConsumer".equals(sc.getVolumeBindingMode())).orElse(false);
    }
}
