package dev.coracle.server.registry.core;

import dev.coracle.server.api.ApiException.FieldError;
import dev.coracle.server.registry.BaseStrategy;
import dev.coracle.server.registry.GoValues;
import dev.coracle.server.registry.ResourceType;
import dev.coracle.server.registry.Semantic;
import dev.coracle.server.registry.Tables;
import dev.coracle.server.registry.Validation;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeSpec;
import io.fabric8.kubernetes.api.model.PersistentVolumeStatus;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.TableColumnDefinition;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static dev.coracle.server.registry.Validation.forbidden;
import static dev.coracle.server.registry.Validation.invalid;
import static dev.coracle.server.registry.Validation.key;
import static dev.coracle.server.registry.Validation.notSupported;
import static dev.coracle.server.registry.Validation.required;

/** core/v1 persistent volumes, as {@code pkg/registry/core/persistentvolume/strategy.go}, and the PV printer. */
@Component
public class PersistentVolumeStrategy extends BaseStrategy<PersistentVolume> {

    static final ResourceType TYPE = new ResourceType("", "v1", "PersistentVolume", "persistentvolumes", "persistentvolume", false,
            List.of("pv"), List.of(), List.of("status"), PersistentVolume.class);

    private static final List<String> RECLAIM_POLICIES = List.of("Delete", "Recycle", "Retain");
    /** Fields of a PV spec that are not its volume source. */
    private static final List<String> NON_SOURCE_FIELDS = List.of("capacity", "accessModes", "claimRef", "persistentVolumeReclaimPolicy",
            "storageClassName", "mountOptions", "volumeMode", "nodeAffinity", "volumeAttributesClassName");

    public PersistentVolumeStrategy() {
    }

    public PersistentVolumeStrategy(Clock clock) {
        super(clock);
    }

    @Override
    public ResourceType type() {
        return TYPE;
    }

    /** {@code SetDefaults_PersistentVolume}: phase Pending, reclaim policy Retain, volume mode Filesystem. */
    @Override
    public void applyDefaults(PersistentVolume pv) {
        PersistentVolumeSpec spec = spec(pv);
        if (pv.getStatus() == null) {
            pv.setStatus(new PersistentVolumeStatus());
        }
        if (pv.getStatus().getPhase() == null || pv.getStatus().getPhase().isEmpty()) {
            pv.getStatus().setPhase("Pending");
        }
        if (spec.getPersistentVolumeReclaimPolicy() == null || spec.getPersistentVolumeReclaimPolicy().isEmpty()) {
            spec.setPersistentVolumeReclaimPolicy("Retain");
        }
        if (spec.getVolumeMode() == null) {
            spec.setVolumeMode("Filesystem");
        }
    }

    private static PersistentVolumeSpec spec(PersistentVolume pv) {
        if (pv.getSpec() == null) {
            pv.setSpec(new PersistentVolumeSpec());
        }
        return pv.getSpec();
    }

    private String now() {
        return clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** Status starts over as Pending, stamped with the phase transition time. */
    @Override
    public void prepareForCreate(PersistentVolume pv) {
        PersistentVolumeStatus status = new PersistentVolumeStatus();
        status.setPhase("Pending");
        status.setLastPhaseTransitionTime(now());
        pv.setStatus(status);
    }

    @Override
    public void prepareForUpdate(PersistentVolume pv, PersistentVolume old) {
        pv.setStatus(Semantic.copy(old.getStatus()));
    }

    /** Spec is kept; a phase change stamps {@code lastPhaseTransitionTime}. */
    @Override
    public void prepareForStatusUpdate(PersistentVolume pv, PersistentVolume old) {
        pv.setSpec(Semantic.copy(old.getSpec()));
        String phase = pv.getStatus() == null ? "" : nz(pv.getStatus().getPhase());
        String oldPhase = old.getStatus() == null ? "" : nz(old.getStatus().getPhase());
        if (pv.getStatus() != null && !phase.equals(oldPhase)) {
            pv.getStatus().setLastPhaseTransitionTime(now());
        }
    }

    @Override
    public List<FieldError> validate(PersistentVolume pv) {
        List<FieldError> errs = new ArrayList<>();
        PersistentVolumeSpec spec = spec(pv);
        if (spec.getAccessModes().isEmpty()) {
            errs.add(required("spec.accessModes"));
        }
        errs.addAll(PersistentVolumes.validateAccessModes(spec.getAccessModes(), "spec.accessModes"));
        Map<String, Quantity> capacity = spec.getCapacity();
        if (capacity.isEmpty()) {
            errs.add(required("spec.capacity"));
        }
        if (!capacity.containsKey("storage") || capacity.size() > 1) {
            errs.add(notSupported("spec.capacity", GoValues.raw(capacity.isEmpty() ? "core.ResourceList(nil)" : "core.ResourceList{...}"), List.of("storage")));
        }
        for (Map.Entry<String, Quantity> e : new TreeMap<>(capacity).entrySet()) {
            errs.addAll(PersistentVolumes.validatePositive(e.getValue(), key("spec.capacity", e.getKey())));
        }
        String reclaim = nz(spec.getPersistentVolumeReclaimPolicy());
        if (!reclaim.isEmpty() && !RECLAIM_POLICIES.contains(reclaim)) {
            errs.add(notSupported("spec.persistentVolumeReclaimPolicy", reclaim, RECLAIM_POLICIES));
        }
        boolean nodeAffinity = false;
        if (spec.getNodeAffinity() != null) {
            nodeAffinity = true;
            if (spec.getNodeAffinity().getRequired() != null) {
                errs.addAll(PodSpecValidation.validateNodeSelector(spec.getNodeAffinity().getRequired(), "spec.nodeAffinity.required"));
            } else {
                errs.add(required("spec.nodeAffinity.required", "must specify required node constraints"));
            }
        }
        int sources = sourceCount(spec);
        if (sources > 1) {
            errs.add(forbidden("spec", "may not specify more than 1 volume type"));
        }
        if (spec.getHostPath() != null) {
            String path = nz(spec.getHostPath().getPath());
            if (path.isEmpty()) {
                errs.add(required("spec.hostPath.path"));
            } else if (java.util.Arrays.asList(path.split("/")).contains("..")) {
                errs.add(invalid("spec.hostPath.path", path, "must not contain '..'"));
            }
        }
        if (spec.getLocal() != null) {
            String path = nz(spec.getLocal().getPath());
            if (path.isEmpty()) {
                errs.add(required("spec.local.path"));
            }
            if (!nodeAffinity) {
                errs.add(required("spec.nodeAffinity", "Local volume requires node affinity"));
            }
        }
        if (spec.getNfs() != null) {
            if (nz(spec.getNfs().getServer()).isEmpty()) {
                errs.add(required("spec.nfs.server"));
            }
            String path = nz(spec.getNfs().getPath());
            if (path.isEmpty()) {
                errs.add(required("spec.nfs.path"));
            } else if (!path.startsWith("/")) {
                errs.add(invalid("spec.nfs.path", path, "must be an absolute path"));
            }
        }
        if (spec.getCsi() != null) {
            String driver = nz(spec.getCsi().getDriver());
            if (driver.isEmpty()) {
                errs.add(required("spec.csi.driver"));
            }
            if (nz(spec.getCsi().getVolumeHandle()).isEmpty()) {
                errs.add(required("spec.csi.volumeHandle"));
            }
        }
        if (sources == 0) {
            errs.add(required("spec", "must specify a volume type"));
        }
        if (spec.getHostPath() != null && "/".equals(spec.getHostPath().getPath()) && "Recycle".equals(reclaim)) {
            errs.add(forbidden("spec.persistentVolumeReclaimPolicy", "may not be 'recycle' for a hostPath mount of '/'"));
        }
        if (spec.getStorageClassName() != null && !spec.getStorageClassName().isEmpty()) {
            errs.addAll(PersistentVolumes.validateClassName(spec.getStorageClassName(), "spec.storageClassName"));
        }
        if (spec.getVolumeMode() != null && !PersistentVolumes.VOLUME_MODES.contains(spec.getVolumeMode())) {
            errs.add(notSupported("spec.volumeMode", spec.getVolumeMode(), PersistentVolumes.VOLUME_MODES));
        }
        return errs;
    }

    static int sourceCount(PersistentVolumeSpec s) {
        Object[] sources = {s.getHostPath(), s.getGcePersistentDisk(), s.getAwsElasticBlockStore(), s.getGlusterfs(), s.getFlocker(),
            s.getNfs(), s.getRbd(), s.getQuobyte(), s.getCephfs(), s.getIscsi(), s.getCinder(), s.getFc(), s.getFlexVolume(),
            s.getAzureFile(), s.getVsphereVolume(), s.getPhotonPersistentDisk(), s.getPortworxVolume(), s.getAzureDisk(),
            s.getScaleIO(), s.getLocal(), s.getStorageos(), s.getCsi()};
        int n = 0;
        for (Object o : sources) {
            if (o != null) {
                n++;
            }
        }
        return n;
    }

    /** The volume source is immutable, as are the volume mode and (once set) the node affinity. */
    @Override
    public List<FieldError> validateUpdate(PersistentVolume pv, PersistentVolume old) {
        List<FieldError> errs = new ArrayList<>(validate(pv));
        PersistentVolumeSpec spec = spec(pv);
        PersistentVolumeSpec oldSpec = spec(old);
        JsonNode source = volumeSource(spec);
        JsonNode oldSource = volumeSource(oldSpec);
        if (!source.equals(oldSource)) {
            errs.add(forbidden("spec.persistentvolumesource", "spec.persistentvolumesource is immutable after creation\n"
                    + "  core.PersistentVolumeSource{\n- \t" + oldSource + "\n+ \t" + source + "\n  }\n"));
        }
        errs.addAll(Validation.validateImmutable(nz(spec.getVolumeMode()), nz(oldSpec.getVolumeMode()), "volumeMode"));
        if (oldSpec.getNodeAffinity() != null && !Semantic.equal(spec.getNodeAffinity(), oldSpec.getNodeAffinity())) {
            errs.add(invalid("nodeAffinity", GoValues.raw("&core.VolumeNodeAffinity{...}"), "field is immutable, except for updating from beta label to GA"));
        }
        return errs;
    }

    private static JsonNode volumeSource(PersistentVolumeSpec spec) {
        JsonNode tree = Semantic.tree(spec);
        if (tree instanceof ObjectNode obj) {
            NON_SOURCE_FIELDS.forEach(obj::remove);
        }
        return tree;
    }

    @Override
    public List<FieldError> validateStatusUpdate(PersistentVolume pv, PersistentVolume old) {
        return List.of();
    }

    @Override
    public Map<String, String> selectableFields(PersistentVolume pv) {
        return Map.of("name", name(pv));
    }

    @Override
    public List<TableColumnDefinition> columns() {
        return List.of(
                Tables.nameColumn(),
                Tables.column("Capacity", "string", "capacity is the description of the persistent volume's resources and capacity. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#capacity"),
                Tables.column("Access Modes", "string", "accessModes contains all ways the volume can be mounted. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes"),
                Tables.column("Reclaim Policy", "string", "persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim. Valid options are Retain (default for manually created PersistentVolumes), Delete (default for dynamically provisioned PersistentVolumes), and Recycle (deprecated). Recycle must be supported by the volume plugin underlying this PersistentVolume. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#reclaiming"),
                Tables.column("Status", "string", "phase indicates if a volume is available, bound to a claim, or released by a claim. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#phase"),
                Tables.column("Claim", "string", "claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim. Expected to be non-nil when bound. claim.VolumeName is the authoritative bind between PV and PVC. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#binding"),
                Tables.column("StorageClass", "string", "StorageClass of the pv"),
                Tables.column("VolumeAttributesClass", "string", "VolumeAttributesClass of the pv"),
                Tables.column("Reason", "string", "reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI."),
                Tables.ageColumn(),
                Tables.wide("VolumeMode", "string", "volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state. Value of Filesystem is implied when not included in spec."));
    }

    /** {@code printPersistentVolume}; the phase reads Terminating once deletion started. */
    @Override
    public List<Object> cells(PersistentVolume pv) {
        PersistentVolumeSpec spec = spec(pv);
        PersistentVolumeStatus status = pv.getStatus() == null ? new PersistentVolumeStatus() : pv.getStatus();
        String claim = spec.getClaimRef() == null ? "" : nz(spec.getClaimRef().getNamespace()) + "/" + nz(spec.getClaimRef().getName());
        String phase = pv.getMetadata() != null && pv.getMetadata().getDeletionTimestamp() != null ? "Terminating" : nz(status.getPhase());
        Map<String, String> annotations = pv.getMetadata() == null || pv.getMetadata().getAnnotations() == null ? Map.of() : pv.getMetadata().getAnnotations();
        String storageClass = annotations.containsKey(PersistentVolumes.BETA_STORAGE_CLASS_ANNOTATION)
                ? annotations.get(PersistentVolumes.BETA_STORAGE_CLASS_ANNOTATION) : nz(spec.getStorageClassName());
        List<Object> cells = new ArrayList<>();
        cells.add(name(pv));
        cells.add(PersistentVolumes.storage(spec.getCapacity()));
        cells.add(PersistentVolumes.accessModes(spec.getAccessModes()));
        cells.add(nz(spec.getPersistentVolumeReclaimPolicy()));
        cells.add(phase);
        cells.add(claim);
        cells.add(storageClass);
        cells.add(spec.getVolumeAttributesClassName() == null ? "<unset>" : spec.getVolumeAttributesClassName());
        cells.add(nz(status.getReason()));
        cells.add(age(pv));
        cells.add(spec.getVolumeMode() == null ? "<unset>" : spec.getVolumeMode());
        return cells;
    }
}
