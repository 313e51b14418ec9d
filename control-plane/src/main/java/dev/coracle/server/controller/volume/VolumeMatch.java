package dev.coracle.server.controller.volume;

import dev.coracle.server.registry.LabelSelectors;
import dev.coracle.server.registry.Quantities;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Which volume a claim gets, as kube-controller-manager's volume index ({@code findMatchingVolume}): a volume
 * pre-bound to the claim first; otherwise the smallest Available volume of the claim's class and volume mode whose
 * access modes include the claim's, whose labels the claim's selector matches and whose capacity covers the request.
 * With delayed binding (WaitForFirstConsumer) only a pre-bound volume: the rest waits for a consumer.
 */
final class VolumeMatch {

    static final String BETA_CLASS_ANNOTATION = "volume.beta.kubernetes.io/storage-class";

    private VolumeMatch() {
    }

    static PersistentVolume best(Collection<PersistentVolume> volumes, PersistentVolumeClaim claim, boolean delayBinding) {
        Quantity requested = requested(claim);
        PersistentVolume smallest = null;
        for (PersistentVolume volume : volumes) {
            if (volume.getMetadata().getDeletionTimestamp() != null || !sameVolumeMode(volume, claim)) {
                continue;
            }
            ObjectReference ref = volume.getSpec().getClaimRef();
            if (ref != null) {
                if (isBoundTo(volume, claim)) {
                    return volume; // pre-bound by the user (or bound earlier): it is this claim's, whatever it is like
                }
                continue;
            }
            if (delayBinding || !"Available".equals(phase(volume)) || !satisfies(volume, claim)) {
                continue;
            }
            Quantity capacity = capacity(volume);
            if (capacity == null || (requested != null && Quantities.compare(capacity, requested) < 0)) {
                continue;
            }
            if (smallest == null || Quantities.compare(capacity, capacity(smallest)) < 0) {
                smallest = volume;
            }
        }
        return smallest;
    }

    /** {@code checkVolumeSatisfyClaim} without the size: class, access modes, selector. */
    static boolean satisfies(PersistentVolume volume, PersistentVolumeClaim claim) {
        if (!volumeClass(volume).equals(claimClass(claim))) {
            return false;
        }
        List<String> offered = volume.getSpec().getAccessModes() == null ? List.of() : volume.getSpec().getAccessModes();
        List<String> wanted = claim.getSpec().getAccessModes() == null ? List.of() : claim.getSpec().getAccessModes();
        if (!offered.containsAll(wanted)) {
            return false;
        }
        Map<String, String> labels = volume.getMetadata().getLabels() == null ? Map.of() : volume.getMetadata().getLabels();
        return claim.getSpec().getSelector() == null || LabelSelectors.matches(claim.getSpec().getSelector(), labels);
    }

    /** {@code IsVolumeBoundToClaim}: the volume's claimRef names the claim, and its uid if it has one. */
    static boolean isBoundTo(PersistentVolume volume, PersistentVolumeClaim claim) {
        ObjectReference ref = volume.getSpec().getClaimRef();
        if (ref == null || !Objects.equals(ref.getName(), claim.getMetadata().getName())
                || !Objects.equals(ref.getNamespace(), claim.getMetadata().getNamespace())) {
            return false;
        }
        return ref.getUid() == null || ref.getUid().isEmpty() || ref.getUid().equals(claim.getMetadata().getUid());
    }

    /** {@code GetPersistentVolumeClass}: the beta annotation first, then the field. */
    static String volumeClass(PersistentVolume volume) {
        String beta = annotation(volume, BETA_CLASS_ANNOTATION);
        return beta != null ? beta : Objects.toString(volume.getSpec().getStorageClassName(), "");
    }

    /** {@code GetPersistentVolumeClaimClass}. */
    static String claimClass(PersistentVolumeClaim claim) {
        String beta = annotation(claim, BETA_CLASS_ANNOTATION);
        return beta != null ? beta : Objects.toString(claim.getSpec().getStorageClassName(), "");
    }

    static Quantity capacity(PersistentVolume volume) {
        return volume.getSpec().getCapacity() == null ? null : volume.getSpec().getCapacity().get("storage");
    }

    static String phase(PersistentVolume volume) {
        return volume.getStatus() == null ? "" : Objects.toString(volume.getStatus().getPhase(), "");
    }

    private static Quantity requested(PersistentVolumeClaim claim) {
        var resources = claim.getSpec().getResources();
        return resources == null || resources.getRequests() == null ? null : resources.getRequests().get("storage");
    }

    private static boolean sameVolumeMode(PersistentVolume volume, PersistentVolumeClaim claim) {
        return Objects.toString(volume.getSpec().getVolumeMode(), "Filesystem")
                .equals(Objects.toString(claim.getSpec().getVolumeMode(), "Filesystem"));
    }

    /** An annotation of the object, or null. */
    static String annotation(HasMetadata object, String key) {
        Map<String, String> annotations = object.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(key);
    }
}
