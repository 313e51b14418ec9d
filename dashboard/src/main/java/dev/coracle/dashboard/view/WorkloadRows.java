package dev.coracle.dashboard.view;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Deployments and ReplicaSets as {@code kubectl get deploy,rs -o wide} shows them, with the rollout revision. */
public final class WorkloadRows {

    public static final String REVISION = "deployment.kubernetes.io/revision";

    private WorkloadRows() {
    }

    public record DeploymentRow(String namespace, String name, int desired, int ready, int upToDate, int available,
                                String images, String revision, boolean paused, String age, String health) {

        public String readyText() {
            return ready + "/" + desired;
        }
    }

    public record ReplicaSetRow(String namespace, String name, int desired, int current, int ready, String images,
                                String revision, String owner, String age, String health) {
    }

    public static DeploymentRow deployment(Deployment d, Instant now) {
        var st = d.getStatus();
        int desired = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
        int ready = st == null ? 0 : n(st.getReadyReplicas());
        int available = st == null ? 0 : n(st.getAvailableReplicas());
        int updated = st == null ? 0 : n(st.getUpdatedReplicas());
        String health = ready == desired && available == desired ? "ok" : ready == 0 && desired > 0 ? "bad" : "warn";
        return new DeploymentRow(d.getMetadata().getNamespace(), d.getMetadata().getName(), desired, ready, updated, available,
                images(d.getSpec().getTemplate()), annotation(d.getMetadata().getAnnotations(), REVISION),
                Boolean.TRUE.equals(d.getSpec().getPaused()), Ages.since(d.getMetadata().getCreationTimestamp(), now), health);
    }

    public static ReplicaSetRow replicaSet(ReplicaSet rs, Instant now) {
        var st = rs.getStatus();
        int desired = rs.getSpec().getReplicas() == null ? 1 : rs.getSpec().getReplicas();
        int current = st == null ? 0 : n(st.getReplicas());
        int ready = st == null ? 0 : n(st.getReadyReplicas());
        String owner = rs.getMetadata().getOwnerReferences() == null ? null : rs.getMetadata().getOwnerReferences().stream()
                .filter(o -> Boolean.TRUE.equals(o.getController())).map(o -> o.getName()).findFirst().orElse(null);
        String health = ready == desired ? "ok" : ready == 0 && desired > 0 ? "bad" : "warn";
        return new ReplicaSetRow(rs.getMetadata().getNamespace(), rs.getMetadata().getName(), desired, current, ready,
                images(rs.getSpec().getTemplate()), annotation(rs.getMetadata().getAnnotations(), REVISION), owner,
                Ages.since(rs.getMetadata().getCreationTimestamp(), now), health);
    }

    public static String images(PodTemplateSpec template) {
        if (template == null || template.getSpec() == null || template.getSpec().getContainers() == null) {
            return "";
        }
        return String.join(",", template.getSpec().getContainers().stream().map(Container::getImage).toList());
    }

    static String annotation(Map<String, String> annotations, String key) {
        return annotations == null ? "" : annotations.getOrDefault(key, "");
    }

    /** The revision as a number for ordering (0 when absent). */
    public static long revisionNumber(String revision) {
        try {
            return revision == null || revision.isEmpty() ? 0 : Long.parseLong(revision);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    static int n(Integer i) {
        return i == null ? 0 : i;
    }

    public static <T> List<T> nonNull(List<T> l) {
        return l == null ? List.of() : l;
    }
}
