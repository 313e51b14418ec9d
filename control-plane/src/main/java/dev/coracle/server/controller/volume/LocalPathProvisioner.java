package dev.coracle.server.controller.volume;

import dev.coracle.server.api.ApiException;
import dev.coracle.server.api.InternalClient;
import dev.coracle.server.patch.PatchType;
import dev.coracle.server.registry.core.PodReferences;
import dev.coracle.server.bootstrap.DisabledComponents;
import dev.coracle.server.controller.Controller;
import dev.coracle.server.controller.EventRecorder;
import dev.coracle.server.controller.Informer;
import dev.coracle.server.controller.Informers;
import dev.coracle.server.store.RevisionRecord.EventType;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import java.util.Objects;
import java.util.Optional;

/**
 * k3s's local-path provisioner (rancher.io/local-path) for the {@code local-path} StorageClass: a claim of the class
 * gets a hostPath volume of its own on the node of the first pod that uses it ({@code WaitForFirstConsumer}; the node
 * is written to the claim's {@code volume.kubernetes.io/selected-node}, as the scheduler does there), under
 * {@code coracle.local-path.dir} ({@code /var/lib/coracle/storage}, k3s's {@code /var/lib/rancher/k3s/storage}), named
 * {@code pvc-<claim uid>_<namespace>_<name>}, pinned to that node by node affinity and pre-bound to the claim, which
 * the PersistentVolume controller then binds. A released volume whose policy is Delete is deleted. Events as the
 * provisioner's: Provisioning, ProvisioningSucceeded, ProvisioningFailed. Off with {@code --disable local-storage}.
 */
@Component
public class LocalPathProvisioner extends Controller {

    public static final String CLASS_NAME = "local-path";
    public static final String PROVISIONER = "rancher.io/local-path";
    static final String PROVISIONED_BY = "pv.kubernetes.io/provisioned-by";
    private static final String CLAIM = "claim:";
    private static final String VOLUME = "volume:";

    private final InternalClient client;
    private final EventRecorder events;
    private final boolean enabled;
    private final String baseDir;
    private Informer<PersistentVolumeClaim> claims;
    private Informer<PersistentVolume> volumes;
    private Informer<StorageClass> classes;
    private Informer<Pod> pods;

    public LocalPathProvisioner(InternalClient client, EventRecorder events, DisabledComponents disabled,
                                @Value("${coracle.local-path.dir:/var/lib/coracle/storage}") String baseDir) {
        this.client = client.as(PROVISIONER);
        this.events = events;
        this.enabled = !disabled.isDisabled(DisabledComponents.LOCAL_STORAGE);
        this.baseDir = baseDir.endsWith("/") ? baseDir.substring(0, baseDir.length() - 1) : baseDir;
    }

    @Override
    public String name() {
        return "local-path-provisioner";
    }

    @Override
    protected int workerCount() {
        return 1;
    }

    @Override
    protected void register(Informers informers) {
        if (!enabled) {
            return;
        }
        claims = informers.of(PersistentVolumeClaim.class);
        volumes = informers.of(PersistentVolume.class);
        classes = informers.of(StorageClass.class);
        pods = informers.of(Pod.class);
        claims.onChange(c -> {
            if (c.type() != EventType.DELETED) {
                enqueue(CLAIM + Informer.key(c.current()));
            }
        });
        pods.onChange(c -> {
            Pod pod = c.current();
            if (c.type() != EventType.DELETED && pod.getSpec() != null && pod.getSpec().getNodeName() != null) {
                claimNames(pod.getSpec()).forEach(name -> enqueue(CLAIM + Informer.key(pod.getMetadata().getNamespace(), name)));
            }
        });
        volumes.onChange(c -> {
            if (c.type() != EventType.DELETED && ours(c.current())) {
                enqueue(VOLUME + c.current().getMetadata().getName());
            }
        });
    }

    @Override
    protected void reconcile(String key) throws Exception {
        if (!claims.waitForSync(30) || !volumes.waitForSync(30) || !classes.waitForSync(30) || !pods.waitForSync(30)) {
            throw new IllegalStateException("claims, volumes, storage classes or pods not synced");
        }
        if (key.startsWith(VOLUME)) {
            volumes.get(null, key.substring(VOLUME.length())).ifPresent(this::deleteIfReleased);
            return;
        }
        String[] nsName = key.substring(CLAIM.length()).split("/", 2);
        PersistentVolumeClaim claim = claims.get(nsName[0], nsName[1]).orElse(null);
        if (claim == null || claim.getMetadata().getDeletionTimestamp() != null
                || !Objects.toString(claim.getSpec().getVolumeName(), "").isEmpty()) {
            return;
        }
        StorageClass storageClass = classes.get(null, VolumeMatch.claimClass(claim)).orElse(null);
        if (storageClass == null || !PROVISIONER.equals(storageClass.getProvisioner())
                || volumes.get(null, volumeName(claim)).isPresent()) {
            return;
        }
        String node = VolumeMatch.annotation(claim, PersistentVolumeController.SELECTED_NODE);
        if (node == null) {
            if (!"WaitForFirstConsumer".equals(storageClass.getVolumeBindingMode())) {
                events.warning(claim, PROVISIONER, "ProvisioningFailed", "failed to provision volume with StorageClass \""
                        + storageClass.getMetadata().getName() + "\": configuration error, no node was specified");
                return;
            }
            Optional<String> consumerNode = firstConsumerNode(claim);
            if (consumerNode.isEmpty()) {
                return; // no pod of it placed yet: the PersistentVolume controller says WaitForFirstConsumer
            }
            node = consumerNode.get();
            client.patch(PersistentVolumeClaim.class, claim.getMetadata().getNamespace(), claim.getMetadata().getName(),
                    PatchType.MERGE_PATCH, "{\"metadata\":{\"annotations\":{\"" + PersistentVolumeController.SELECTED_NODE + "\":\"" + node + "\"}}}");
        }
        provision(claim, storageClass, node);
    }

    private void provision(PersistentVolumeClaim claim, StorageClass storageClass, String node) {
        String namespace = claim.getMetadata().getNamespace();
        String name = claim.getMetadata().getName();
        events.normal(claim, PROVISIONER, "Provisioning", "External provisioner is provisioning volume for claim \"" + namespace + "/" + name + "\"");
        String volumeName = volumeName(claim);
        PersistentVolume volume = new PersistentVolumeBuilder()
                .withNewMetadata().withName(volumeName).addToAnnotations(PROVISIONED_BY, PROVISIONER)
                .addToAnnotations("local.path.provisioner/selected-node", node).endMetadata()
                .withNewSpec()
                .addToCapacity("storage", claim.getSpec().getResources().getRequests().get("storage"))
                .withAccessModes(claim.getSpec().getAccessModes())
                .withPersistentVolumeReclaimPolicy(Objects.toString(storageClass.getReclaimPolicy(), "Delete"))
                .withStorageClassName(storageClass.getMetadata().getName())
                .withVolumeMode(claim.getSpec().getVolumeMode())
                .withNewHostPath(baseDir + "/" + volumeName + "_" + namespace + "_" + name, "DirectoryOrCreate")
                .withNewNodeAffinity().withNewRequired().addNewNodeSelectorTerm().addNewMatchExpression()
                .withKey("kubernetes.io/hostname").withOperator("In").withValues(node).endMatchExpression()
                .endNodeSelectorTerm().endRequired().endNodeAffinity()
                .withNewClaimRef().withKind("PersistentVolumeClaim").withApiVersion("v1").withNamespace(namespace).withName(name)
                .withUid(claim.getMetadata().getUid()).withResourceVersion(claim.getMetadata().getResourceVersion()).endClaimRef()
                .endSpec().build();
        try {
            client.create(volume);
        } catch (ApiException e) {
            if (e.code() != 409) {
                events.warning(claim, PROVISIONER, "ProvisioningFailed", "failed to provision volume with StorageClass \""
                        + storageClass.getMetadata().getName() + "\": " + e.getMessage());
                throw e;
            }
            return; // made by an earlier pass
        }
        events.normal(claim, PROVISIONER, "ProvisioningSucceeded", "Successfully provisioned volume " + volumeName);
    }

    /** The node of a pod already placed that uses the claim: where its volume has to be. */
    private Optional<String> firstConsumerNode(PersistentVolumeClaim claim) {
        String name = claim.getMetadata().getName();
        return pods.list(claim.getMetadata().getNamespace(), p -> p.getSpec() != null && p.getSpec().getNodeName() != null
                && claimNames(p.getSpec()).contains(name)).stream().map(p -> p.getSpec().getNodeName()).sorted().findFirst();
    }

    private void deleteIfReleased(PersistentVolume volume) {
        if ("Released".equals(VolumeMatch.phase(volume)) && "Delete".equals(volume.getSpec().getPersistentVolumeReclaimPolicy())) {
            // the directory stays on its node: nothing of Coracle's runs there to remove it (k3s starts a helper pod)
            client.delete(PersistentVolume.class, null, volume.getMetadata().getName(), null);
        }
    }

    private static java.util.Set<String> claimNames(io.fabric8.kubernetes.api.model.PodSpec spec) {
        return PodReferences.of(spec, "persistentvolumeclaims");
    }

    static boolean ours(PersistentVolume volume) {
        return PROVISIONER.equals(VolumeMatch.annotation(volume, PROVISIONED_BY));
    }

    /** {@code pvc-<uid>}, as every dynamic provisioner names the volume it makes for a claim. */
    private static String volumeName(PersistentVolumeClaim claim) {
        return "pvc-" + claim.getMetadata().getUid();
    }
}
