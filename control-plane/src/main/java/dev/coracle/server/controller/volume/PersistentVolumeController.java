package dev.coracle.server.controller.volume;

import dev.coracle.server.api.InternalClient;
import dev.coracle.server.controller.Controller;
import dev.coracle.server.controller.EventRecorder;
import dev.coracle.server.controller.Informer;
import dev.coracle.server.controller.Informers;
import dev.coracle.server.registry.Semantic;
import dev.coracle.server.store.RevisionRecord.EventType;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimStatus;
import io.fabric8.kubernetes.api.model.PersistentVolumeStatus;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import org.springframework.stereotype.Component;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * kube-controller-manager's PersistentVolume controller (pkg/controller/volume/persistentvolume, the binder part):
 * binds each claim to the volume that fits it best and keeps both sides' phases true — a volume is Available,
 * Bound, Released once its claim is gone (then its reclaim policy runs) or Failed; a claim is Pending, Bound, or
 * Lost when its volume goes. Claims that find nothing say why in an event, as there. Volumes are not provisioned
 * here (no volume plugins): a claim of a class with a provisioner waits for it, as for an external provisioner.
 * One worker, as there: two concurrent syncs could pick the same volume for two claims.
 */
@Component
public class PersistentVolumeController extends Controller {

    static final String COMPONENT = "persistentvolume-controller";
    static final String BOUND_BY_CONTROLLER = "pv.kubernetes.io/bound-by-controller";
    static final String BIND_COMPLETED = "pv.kubernetes.io/bind-completed";
    static final String SELECTED_NODE = "volume.kubernetes.io/selected-node";
    private static final String CLAIM = "claim:";
    private static final String VOLUME = "volume:";

    private final InternalClient client;
    private final EventRecorder events;
    private Informer<PersistentVolume> volumes;
    private Informer<PersistentVolumeClaim> claims;
    private Informer<StorageClass> classes;

    public PersistentVolumeController(InternalClient client, EventRecorder events) {
        this.client = client.as("kube-controller-manager");
        this.events = events;
    }

    @Override
    public String name() {
        return "persistentvolume-binder";
    }

    @Override
    protected int workerCount() {
        return 1;
    }

    @Override
    protected void register(Informers informers) {
        volumes = informers.of(PersistentVolume.class);
        claims = informers.of(PersistentVolumeClaim.class);
        classes = informers.of(StorageClass.class);
        volumes.onChange(c -> {
            PersistentVolume volume = c.current();
            if (c.type() != EventType.DELETED) {
                enqueue(VOLUME + volume.getMetadata().getName());
            }
            ObjectReference ref = volume.getSpec() == null ? null : volume.getSpec().getClaimRef();
            if (ref != null) {
                enqueue(CLAIM + Informer.key(ref.getNamespace(), ref.getName()));
            }
            if (c.type() != EventType.DELETED && (ref == null || ref.getUid() == null)) {
                enqueuePendingClaims(); // a volume free for the taking: the claims waiting may fit it
            }
        });
        claims.onChange(c -> {
            PersistentVolumeClaim claim = c.current();
            if (c.type() != EventType.DELETED) {
                enqueue(CLAIM + Informer.key(claim));
            }
            String volumeName = claim.getSpec() == null ? null : claim.getSpec().getVolumeName();
            if (volumeName != null && !volumeName.isEmpty()) {
                enqueue(VOLUME + volumeName);
            }
        });
        classes.onChange(c -> enqueuePendingClaims());
    }

    private void enqueuePendingClaims() {
        claims.all().stream().filter(claim -> !hasAnnotation(claim, BIND_COMPLETED)).forEach(claim -> enqueue(CLAIM + Informer.key(claim)));
    }

    @Override
    protected void reconcile(String key) throws Exception {
        if (!volumes.waitForSync(30) || !claims.waitForSync(30) || !classes.waitForSync(30)) {
            throw new IllegalStateException("volumes, claims or storage classes not synced");
        }
        if (key.startsWith(CLAIM)) {
            String[] nsName = key.substring(CLAIM.length()).split("/", 2);
            PersistentVolumeClaim claim = claims.get(nsName[0], nsName[1]).orElse(null);
            if (claim != null) {
                syncClaim(Semantic.copy(claim));
            }
        } else {
            PersistentVolume volume = volumes.get(null, key.substring(VOLUME.length())).orElse(null);
            if (volume != null) {
                syncVolume(Semantic.copy(volume));
            }
        }
    }

    // ---- claims -------------------------------------------------------------------------------------------------

    private void syncClaim(PersistentVolumeClaim claim) {
        if (hasAnnotation(claim, BIND_COMPLETED)) {
            syncBoundClaim(claim);
        } else if (volumeName(claim).isEmpty()) {
            syncClaimWithoutVolume(claim);
        } else {
            syncClaimAskingForVolume(claim);
        }
    }

    /** {@code syncUnboundClaim}, the user did not care which volume: the best match, or why there is none. */
    private void syncClaimWithoutVolume(PersistentVolumeClaim claim) {
        String className = VolumeMatch.claimClass(claim);
        StorageClass storageClass = className.isEmpty() ? null : classes.get(null, className).orElse(null);
        boolean delayBinding = storageClass != null && "WaitForFirstConsumer".equals(storageClass.getVolumeBindingMode());
        PersistentVolume volume = VolumeMatch.best(volumes.all(), claim, delayBinding);
        if (volume != null) {
            bind(Semantic.copy(volume), claim);
            return;
        }
        if (delayBinding && !hasAnnotation(claim, SELECTED_NODE)) {
            events.normal(claim, COMPONENT, "WaitForFirstConsumer", "waiting for first consumer to be created before binding");
        } else if (!className.isEmpty()) {
            waitForProvisioner(claim, className, storageClass);
        } else {
            events.normal(claim, COMPONENT, "FailedBinding", "no persistent volumes available for this claim and no storage class is set");
        }
        updateClaimStatus(claim, "Pending", null);
    }

    /** {@code provisionClaim} without volume plugins: every provisioner is an external one. */
    private void waitForProvisioner(PersistentVolumeClaim claim, String className, StorageClass storageClass) {
        if (storageClass == null) {
            events.warning(claim, COMPONENT, "ProvisioningFailed", "storageclass.storage.k8s.io \"" + className + "\" not found");
        } else if (storageClass.getProvisioner().startsWith("kubernetes.io/")) {
            // kube-controller-manager's in-tree plugins; kubernetes.io/no-provisioner is none of them on purpose
            events.warning(claim, COMPONENT, "ProvisioningFailed", "no volume plugin matched name: " + storageClass.getProvisioner());
        } else {
            events.normal(claim, COMPONENT, "ExternalProvisioning", "Waiting for a volume to be created either by the external provisioner '"
                    + storageClass.getProvisioner() + "' or manually by the system administrator. If volume creation is delayed, "
                    + "please verify that the provisioner is running and correctly registered.");
        }
    }

    /** {@code syncUnboundClaim}, the user asked for a volume by name. */
    private void syncClaimAskingForVolume(PersistentVolumeClaim claim) {
        PersistentVolume volume = volumes.get(null, volumeName(claim)).map(Semantic::copy).orElse(null);
        if (volume == null) {
            updateClaimStatus(claim, "Pending", null); // it may come: tried again when it does
        } else if (volume.getSpec().getClaimRef() == null || VolumeMatch.isBoundTo(volume, claim)) {
            bind(volume, claim);
        } else if (!hasAnnotation(claim, BOUND_BY_CONTROLLER)) {
            events.warning(claim, COMPONENT, "FailedBinding", "volume \"" + volumeName(claim) + "\" already bound to a different claim.");
            updateClaimStatus(claim, "Pending", null);
        } else {
            throw new IllegalStateException("invalid binding of claim " + Informer.key(claim) + " to volume " + volumeName(claim)
                    + ": volume already claimed by " + claimKey(volume.getSpec().getClaimRef()));
        }
    }

    /** {@code syncBoundClaim}: a claim bound before keeps its volume, or is Lost. */
    private void syncBoundClaim(PersistentVolumeClaim claim) {
        if (volumeName(claim).isEmpty()) {
            lose(claim, "ClaimLost", "Bound claim has lost reference to PersistentVolume. Data on the volume is lost!");
            return;
        }
        PersistentVolume volume = volumes.get(null, volumeName(claim)).map(Semantic::copy).orElse(null);
        if (volume == null) {
            lose(claim, "ClaimLost", "Bound claim has lost its PersistentVolume. Data on the volume is lost!");
        } else if (volume.getSpec().getClaimRef() == null
                || Objects.equals(volume.getSpec().getClaimRef().getUid(), claim.getMetadata().getUid())) {
            bind(volume, claim);
        } else {
            lose(claim, "ClaimMisbound", "Two claims are bound to the same volume, this one is bound incorrectly");
        }
    }

    private void lose(PersistentVolumeClaim claim, String reason, String message) {
        if (!"Lost".equals(claimPhase(claim))) {
            updateClaimStatus(claim, "Lost", null);
            events.warning(claim, COMPONENT, reason, message);
        }
    }

    // ---- volumes ------------------------------------------------------------------------------------------------

    /** {@code syncVolume}. */
    private void syncVolume(PersistentVolume volume) {
        ObjectReference ref = volume.getSpec().getClaimRef();
        if (ref == null || ref.getUid() == null || ref.getUid().isEmpty()) {
            updateVolumePhase(volume, "Available", null); // free, or kept for a claim that has not come yet
            return;
        }
        PersistentVolumeClaim claim = claims.get(ref.getNamespace(), ref.getName())
                .filter(c -> ref.getUid().equals(c.getMetadata().getUid())).orElse(null);
        if (claim == null) {
            release(volume);
        } else if (volumeName(claim).isEmpty()) {
            enqueue(CLAIM + Informer.key(claim)); // the claim's side of the binding is not written yet
        } else if (volumeName(claim).equals(volume.getMetadata().getName())) {
            updateVolumePhase(volume, "Bound", null);
        } else {
            unbind(volume); // this volume was offered to a claim that got another one
        }
    }

    /** The claim is gone: {@code reclaimVolume} by the volume's policy. */
    private void release(PersistentVolume volume) {
        String phase = VolumeMatch.phase(volume);
        if (!phase.equals("Released") && !phase.equals("Failed")) {
            volume = updateVolumePhase(volume, "Released", null);
        }
        String policy = Objects.toString(volume.getSpec().getPersistentVolumeReclaimPolicy(), "Retain");
        if (policy.equals("Retain") || VolumeMatch.phase(volume).equals("Failed")) {
            return; // retained for the administrator, who may clear its claimRef to offer it again
        }
        String provisioner = VolumeMatch.annotation(volume, LocalPathProvisioner.PROVISIONED_BY);
        if (policy.equals("Delete") && provisioner != null && !provisioner.startsWith("kubernetes.io/")) {
            return; // the external provisioner that made it deletes it (LocalPathProvisioner for local-path)
        }
        // no volume plugin here can delete or scrub storage: say so, as kube-controller-manager does for such a volume
        String reason = policy.equals("Delete") ? "VolumeFailedDelete" : "VolumeFailedRecycle";
        String message = policy.equals("Delete")
                ? "error getting deleter volume plugin for volume \"" + volume.getMetadata().getName() + "\": no deletable volume plugin matched"
                : "No recycler plugin found for the volume!";
        updateVolumePhase(volume, "Failed", message);
        events.warning(volume, COMPONENT, reason, message);
    }

    /** {@code unbindVolume}: a volume this controller bound goes back to the pool; one the user pre-bound stays theirs. */
    private void unbind(PersistentVolume volume) {
        if (hasAnnotation(volume, BOUND_BY_CONTROLLER)) {
            volume.getSpec().setClaimRef(null);
            Map<String, String> annotations = new HashMap<>(volume.getMetadata().getAnnotations());
            annotations.remove(BOUND_BY_CONTROLLER);
            volume.getMetadata().setAnnotations(annotations);
        } else {
            volume.getSpec().getClaimRef().setUid(null);
        }
        updateVolumePhase(client.update(volume), "Available", null);
    }

    // ---- binding ------------------------------------------------------------------------------------------------

    /** {@code bind}: the volume's claimRef, its phase, the claim's volumeName and annotations, its status; each only if needed. */
    private void bind(PersistentVolume volume, PersistentVolumeClaim claim) {
        volume = bindVolumeToClaim(volume, claim);
        volume = updateVolumePhase(volume, "Bound", null);
        claim = bindClaimToVolume(claim, volume);
        updateClaimStatus(claim, "Bound", volume);
    }

    private PersistentVolume bindVolumeToClaim(PersistentVolume volume, PersistentVolumeClaim claim) {
        ObjectReference ref = volume.getSpec().getClaimRef();
        if (ref != null && Objects.equals(ref.getUid(), claim.getMetadata().getUid())
                && Objects.equals(ref.getName(), claim.getMetadata().getName()) && Objects.equals(ref.getNamespace(), claim.getMetadata().getNamespace())) {
            return volume;
        }
        if (ref == null) {
            annotate(volume, BOUND_BY_CONTROLLER);
        }
        volume.getSpec().setClaimRef(new ObjectReferenceBuilder().withKind("PersistentVolumeClaim").withApiVersion("v1")
                .withNamespace(claim.getMetadata().getNamespace()).withName(claim.getMetadata().getName())
                .withUid(claim.getMetadata().getUid()).withResourceVersion(claim.getMetadata().getResourceVersion()).build());
        return client.update(volume);
    }

    private PersistentVolumeClaim bindClaimToVolume(PersistentVolumeClaim claim, PersistentVolume volume) {
        boolean dirty = false;
        if (!volume.getMetadata().getName().equals(volumeName(claim))) {
            claim.getSpec().setVolumeName(volume.getMetadata().getName());
            annotate(claim, BOUND_BY_CONTROLLER);
            dirty = true;
        }
        if (!hasAnnotation(claim, BIND_COMPLETED)) {
            annotate(claim, BIND_COMPLETED);
            dirty = true;
        }
        return dirty ? client.update(claim) : claim;
    }

    private PersistentVolumeClaim updateClaimStatus(PersistentVolumeClaim claim, String phase, PersistentVolume volume) {
        PersistentVolumeClaimStatus status = claim.getStatus() == null ? new PersistentVolumeClaimStatus() : claim.getStatus();
        boolean dirty = !phase.equals(status.getPhase());
        status.setPhase(phase);
        if (volume == null) {
            dirty |= status.getAccessModes() != null && !status.getAccessModes().isEmpty()
                    || status.getCapacity() != null && !status.getCapacity().isEmpty();
            status.setAccessModes(null);
            status.setCapacity(null);
        } else {
            dirty |= !Objects.equals(status.getAccessModes(), volume.getSpec().getAccessModes())
                    || !Semantic.equal(status.getCapacity(), volume.getSpec().getCapacity());
            status.setAccessModes(volume.getSpec().getAccessModes());
            status.setCapacity(volume.getSpec().getCapacity());
        }
        claim.setStatus(status);
        return dirty ? client.updateStatus(claim) : claim;
    }

    private PersistentVolume updateVolumePhase(PersistentVolume volume, String phase, String message) {
        PersistentVolumeStatus status = volume.getStatus() == null ? new PersistentVolumeStatus() : volume.getStatus();
        if (phase.equals(status.getPhase()) && Objects.equals(message, status.getMessage())) {
            return volume;
        }
        status.setPhase(phase);
        status.setMessage(message);
        volume.setStatus(status);
        return client.updateStatus(volume);
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private static void annotate(HasMetadata object, String key) {
        Map<String, String> annotations = object.getMetadata().getAnnotations() == null ? new HashMap<>()
                : new HashMap<>(object.getMetadata().getAnnotations());
        annotations.put(key, "yes");
        object.getMetadata().setAnnotations(annotations);
    }

    private static boolean hasAnnotation(HasMetadata object, String key) {
        return VolumeMatch.annotation(object, key) != null;
    }

    private static String volumeName(PersistentVolumeClaim claim) {
        return Objects.toString(claim.getSpec().getVolumeName(), "");
    }

    private static String claimPhase(PersistentVolumeClaim claim) {
        return claim.getStatus() == null ? "" : Objects.toString(claim.getStatus().getPhase(), "");
    }

    private static String claimKey(ObjectReference ref) {
        return ref.getNamespace() + "/" + ref.getName();
    }
}
