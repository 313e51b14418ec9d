package dev.coracle.server.controller.replicaset;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** Pod and owner helpers of Kubernetes' {@code podutil} and {@code controller_utils.go}, shared by the workload controllers. */
public final class Pods {

    private Pods() {
    }

    /** {@code IsPodActive}: not finished and not being deleted. */
    public static boolean isActive(Pod pod) {
        String phase = phase(pod);
        return !"Succeeded".equals(phase) && !"Failed".equals(phase) && pod.getMetadata().getDeletionTimestamp() == null;
    }

    public static String phase(Pod pod) {
        return pod.getStatus() == null || pod.getStatus().getPhase() == null ? "" : pod.getStatus().getPhase();
    }

    /** {@code IsPodReady}: the Ready condition is True. */
    public static boolean isReady(Pod pod) {
        PodCondition c = readyCondition(pod);
        return c != null && "True".equals(c.getStatus());
    }

    /** {@code IsPodAvailable}: ready, and ready for at least {@code minReadySeconds}. */
    public static boolean isAvailable(Pod pod, int minReadySeconds, Instant now) {
        if (!isReady(pod)) {
            return false;
        }
        if (minReadySeconds == 0) {
            return true;
        }
        Instant since = readySince(pod);
        return since != null && since.plusSeconds(minReadySeconds).isBefore(now);
    }

    /** When the pod last became ready; null when not ready or unknown. */
    public static Instant readySince(Pod pod) {
        PodCondition c = readyCondition(pod);
        if (c == null || !"True".equals(c.getStatus())) {
            return null;
        }
        return parseTime(c.getLastTransitionTime());
    }

    private static PodCondition readyCondition(Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
            return null;
        }
        for (PodCondition c : pod.getStatus().getConditions()) {
            if ("Ready".equals(c.getType())) {
                return c;
            }
        }
        return null;
    }

    public static Instant parseTime(String time) {
        if (time == null || time.isEmpty()) {
            return null;
        }
        try {
            return Instant.parse(time);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** metav1.Now() as the API writes it: RFC 3339, whole seconds. */
    public static String now() {
        return DateTimeFormatter.ISO_INSTANT.format(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    }

    /** {@code metav1.GetControllerOf}: the owner reference with controller=true, or null. */
    public static OwnerReference controllerOf(HasMetadata object) {
        if (object.getMetadata().getOwnerReferences() == null) {
            return null;
        }
        for (OwnerReference ref : object.getMetadata().getOwnerReferences()) {
            if (Boolean.TRUE.equals(ref.getController())) {
                return ref;
            }
        }
        return null;
    }

    /** {@code metav1.IsControlledBy}. */
    public static boolean isControlledBy(HasMetadata object, HasMetadata owner) {
        OwnerReference ref = controllerOf(object);
        return ref != null && owner.getMetadata().getUid() != null && owner.getMetadata().getUid().equals(ref.getUid());
    }

    /** {@code metav1.NewControllerRef}: controller and blockOwnerDeletion set. */
    public static OwnerReference newControllerRef(HasMetadata owner, String apiVersion, String kind) {
        return new OwnerReferenceBuilder().withApiVersion(apiVersion).withKind(kind)
                .withName(owner.getMetadata().getName()).withUid(owner.getMetadata().getUid())
                .withController(true).withBlockOwnerDeletion(true).build();
    }

    public static String key(HasMetadata object) {
        return object.getMetadata().getNamespace() + "/" + object.getMetadata().getName();
    }

    public static int maxContainerRestarts(Pod pod) {
        int max = 0;
        if (pod.getStatus() != null && pod.getStatus().getContainerStatuses() != null) {
            for (var cs : pod.getStatus().getContainerStatuses()) {
                if (cs.getRestartCount() != null) {
                    max = Math.max(max, cs.getRestartCount());
                }
            }
        }
        return max;
    }
}
