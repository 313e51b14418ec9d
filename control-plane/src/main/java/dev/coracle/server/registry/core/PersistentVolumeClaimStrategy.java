package dev.coracle.server.registry.core;

import dev.coracle.server.api.ApiException.FieldError;
import dev.coracle.server.registry.BaseStrategy;
import dev.coracle.server.registry.Quantities;
import dev.coracle.server.registry.ResourceType;
import dev.coracle.server.registry.Semantic;
import dev.coracle.server.registry.Tables;
import dev.coracle.server.registry.Validation;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimSpec;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimStatus;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.TableColumnDefinition;
import io.fabric8.kubernetes.api.model.VolumeResourceRequirements;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.coracle.server.registry.Validation.forbidden;
import static dev.coracle.server.registry.Validation.invalid;
import static dev.coracle.server.registry.Validation.notSupported;
import static dev.coracle.server.registry.Validation.required;

/** core/v1 persistent volume claims, as {@code pkg/registry/core/persistentvolumeclaim/strategy.go}, and the PVC printer. */
@Component
public class PersistentVolumeClaimStrategy extends BaseStrategy<PersistentVolumeClaim> {

    static final ResourceType TYPE = new ResourceType("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", "persistentvolumeclaim", true,
            List.of("pvc"), List.of(), List.of("status"), PersistentVolumeClaim.class);

    public PersistentVolumeClaimStrategy() {
    }

    public PersistentVolumeClaimStrategy(Clock clock) {
        super(clock);
    }

    @Override
    public ResourceType type() {
        return TYPE;
    }

    /** {@code SetDefaults_PersistentVolumeClaim} (phase Pending) and {@code SetDefaults_PersistentVolumeClaimSpec} (volume mode Filesystem). */
    @Override
    public void applyDefaults(PersistentVolumeClaim pvc) {
        PersistentVolumeClaimSpec spec = spec(pvc);
        if (pvc.getStatus() == null) {
            pvc.setStatus(new PersistentVolumeClaimStatus());
        }
        if (pvc.getStatus().getPhase() == null || pvc.getStatus().getPhase().isEmpty()) {
            pvc.getStatus().setPhase("Pending");
        }
        if (spec.getVolumeMode() == null) {
            spec.setVolumeMode("Filesystem");
        }
    }

    private static PersistentVolumeClaimSpec spec(PersistentVolumeClaim pvc) {
        if (pvc.getSpec() == null) {
            pvc.setSpec(new PersistentVolumeClaimSpec());
        }
        if (pvc.getSpec().getResources() == null) {
            pvc.getSpec().setResources(new VolumeResourceRequirements());
        }
        return pvc.getSpec();
    }

    @Override
    public void prepareForCreate(PersistentVolumeClaim pvc) {
        PersistentVolumeClaimStatus status = new PersistentVolumeClaimStatus();
        status.setPhase("Pending");
        pvc.setStatus(status);
    }

    @Override
    public void prepareForUpdate(PersistentVolumeClaim pvc, PersistentVolumeClaim old) {
        pvc.setStatus(Semantic.copy(old.getStatus()));
    }

    @Override
    public void prepareForStatusUpdate(PersistentVolumeClaim pvc, PersistentVolumeClaim old) {
        pvc.setSpec(Semantic.copy(old.getSpec()));
    }

    /** {@code ValidatePersistentVolumeClaimSpec}. */
    @Override
    public List<FieldError> validate(PersistentVolumeClaim pvc) {
        List<FieldError> errs = new ArrayList<>();
        PersistentVolumeClaimSpec spec = spec(pvc);
        if (spec.getAccessModes().isEmpty()) {
            errs.add(required("spec.accessModes", "at least 1 access mode is required"));
        }
        if (spec.getSelector() != null) {
            errs.addAll(Validation.validateLabelSelector(spec.getSelector(), "spec.selector"));
        }
        errs.addAll(PersistentVolumes.validateAccessModes(spec.getAccessModes(), "spec.accessModes"));
        Quantity storage = spec.getResources().getRequests() == null ? null : spec.getResources().getRequests().get("storage");
        if (storage == null) {
            errs.add(required("spec.resources[storage]"));
        } else {
            List<FieldError> positive = PersistentVolumes.validatePositive(storage, "spec.resources[storage]");
            errs.addAll(positive.isEmpty() ? PodSpecValidation.validateResourceQuantityValue("storage", storage, "spec.resources[storage]") : positive);
        }
        if (spec.getStorageClassName() != null && !spec.getStorageClassName().isEmpty()) {
            errs.addAll(PersistentVolumes.validateClassName(spec.getStorageClassName(), "spec.storageClassName"));
        }
        if (spec.getVolumeMode() != null && !PersistentVolumes.VOLUME_MODES.contains(spec.getVolumeMode())) {
            errs.add(notSupported("spec.volumeMode", spec.getVolumeMode(), PersistentVolumes.VOLUME_MODES));
        }
        if (spec.getDataSource() != null) {
            var ds = spec.getDataSource();
            if (nz(ds.getName()).isEmpty()) {
                errs.add(required("spec.dataSource.name"));
            }
            if (nz(ds.getKind()).isEmpty()) {
                errs.add(required("spec.dataSource.kind"));
            }
            if (nz(ds.getApiGroup()).isEmpty() && !"PersistentVolumeClaim".equals(ds.getKind())) {
                errs.add(invalid("spec.dataSource", nz(ds.getKind()), "must be 'PersistentVolumeClaim' when referencing the default apiGroup"));
            }
        }
        return errs;
    }

    /**
     * {@code ValidatePersistentVolumeClaimUpdate}: the spec is immutable except volumeName (once) and, for bound
     * claims, the storage request, which may not go below the capacity already provisioned.
     */
    @Override
    public List<FieldError> validateUpdate(PersistentVolumeClaim pvc, PersistentVolumeClaim old) {
        List<FieldError> errs = new ArrayList<>(validate(pvc));
        PersistentVolumeClaimSpec spec = Semantic.copy(spec(pvc));
        PersistentVolumeClaimSpec oldSpec = Semantic.copy(spec(old));
        if (nz(oldSpec.getVolumeName()).isEmpty()) {
            oldSpec.setVolumeName(spec.getVolumeName());
        }
        if (oldSpec.getStorageClassName() == null && spec.getStorageClassName() != null) {
            Map<String, String> annotations = old.getMetadata() == null ? null : old.getMetadata().getAnnotations();
            String beta = annotations == null ? null : annotations.get(PersistentVolumes.BETA_STORAGE_CLASS_ANNOTATION);
            if (beta == null || beta.equals(spec.getStorageClassName())) {
                spec.setStorageClassName(null);
            }
        }
        String phase = pvc.getStatus() == null ? "" : nz(pvc.getStatus().getPhase());
        if (phase.equals("Bound") && spec.getResources().getRequests() != null) {
            Map<String, Quantity> requests = new LinkedHashMap<>(spec.getResources().getRequests());
            Quantity oldStorage = oldSpec.getResources() == null || oldSpec.getResources().getRequests() == null ? null : oldSpec.getResources().getRequests().get("storage");
            if (oldStorage == null) {
                requests.remove("storage");
            } else {
                requests.put("storage", oldStorage);
            }
            spec.getResources().setRequests(requests);
        }
        if (phase.equals("Bound") && spec.getVolumeAttributesClassName() != null) {
            spec.setVolumeAttributesClassName(oldSpec.getVolumeAttributesClassName());
        }
        if (!Semantic.equal(spec, oldSpec)) {
            errs.add(forbidden("spec", "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n"
                    + diff(oldSpec, spec)));
        }
        Quantity newSize = requestOf(pvc.getSpec());
        Quantity oldSize = requestOf(old.getSpec());
        if (newSize != null && oldSize != null && Quantities.isValid(newSize) && Quantities.isValid(oldSize) && Quantities.compare(newSize, oldSize) < 0) {
            Quantity capacity = old.getStatus() == null || old.getStatus().getCapacity() == null ? null : old.getStatus().getCapacity().get("storage");
            if (capacity == null || Quantities.compare(newSize, capacity) <= 0) {
                errs.add(forbidden("spec.resources.requests.storage", "field can not be less than status.capacity"));
            }
        }
        errs.addAll(Validation.validateImmutable(nz(pvc.getSpec().getVolumeMode()), nz(old.getSpec().getVolumeMode()), "volumeMode"));
        return errs;
    }

    private static Quantity requestOf(PersistentVolumeClaimSpec spec) {
        if (spec == null || spec.getResources() == null || spec.getResources().getRequests() == null) {
            return null;
        }
        return spec.getResources().getRequests().get("storage");
    }

    private static String diff(PersistentVolumeClaimSpec old, PersistentVolumeClaimSpec now) {
        JsonNode a = Semantic.tree(old);
        JsonNode b = Semantic.tree(now);
        StringBuilder out = new StringBuilder("  core.PersistentVolumeClaimSpec{\n");
        java.util.Set<String> keys = new java.util.TreeSet<>();
        a.propertyNames().forEach(keys::add);
        b.propertyNames().forEach(keys::add);
        for (String k : keys) {
            if (!java.util.Objects.equals(a.get(k), b.get(k))) {
                String field = Character.toUpperCase(k.charAt(0)) + k.substring(1);
                if (a.get(k) != null) {
                    out.append("- \t").append(field).append(": ").append(a.get(k)).append(",\n");
                }
                if (b.get(k) != null) {
                    out.append("+ \t").append(field).append(": ").append(b.get(k)).append(",\n");
                }
            }
        }
        return out.append("  }\n").toString();
    }

    @Override
    public List<FieldError> validateStatusUpdate(PersistentVolumeClaim pvc, PersistentVolumeClaim old) {
        List<FieldError> errs = new ArrayList<>();
        if (spec(pvc).getAccessModes().isEmpty()) {
            errs.add(required("Spec.accessModes"));
        }
        if (pvc.getStatus() != null && pvc.getStatus().getCapacity() != null) {
            pvc.getStatus().getCapacity().forEach((k, v) -> {
                if (Quantities.isValid(v) && Quantities.value(v).signum() < 0) {
                    errs.add(invalid("status.capacity[" + k + "]", Quantities.value(v).longValue(), "must be a valid resource quantity"));
                }
            });
        }
        return errs;
    }

    @Override
    public Map<String, String> selectableFields(PersistentVolumeClaim pvc) {
        return Map.of("name", name(pvc));
    }

    @Override
    public List<TableColumnDefinition> columns() {
        return List.of(
                Tables.nameColumn(),
                Tables.column("Status", "string", "phase represents the current phase of PersistentVolumeClaim."),
                Tables.column("Volume", "string", "volumeName is the binding reference to the PersistentVolume backing this claim."),
                Tables.column("Capacity", "string", "capacity represents the actual resources of the underlying volume."),
                Tables.column("Access Modes", "string", "accessModes contains the actual access modes the volume backing the PVC has. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes-1"),
                Tables.column("StorageClass", "string", "StorageClass of the pvc"),
                Tables.column("VolumeAttributesClass", "string", "VolumeAttributesClass of the pvc"),
                Tables.ageColumn(),
                Tables.wide("VolumeMode", "string", "volumeMode defines what type of volume is required by the claim. Value of Filesystem is implied when not included in claim spec."));
    }

    /** {@code printPersistentVolumeClaim}: capacity and access modes come from the status once bound to a volume. */
    @Override
    public List<Object> cells(PersistentVolumeClaim pvc) {
        PersistentVolumeClaimSpec spec = spec(pvc);
        PersistentVolumeClaimStatus status = pvc.getStatus() == null ? new PersistentVolumeClaimStatus() : pvc.getStatus();
        String phase = pvc.getMetadata() != null && pvc.getMetadata().getDeletionTimestamp() != null ? "Terminating" : nz(status.getPhase());
        String capacity = "";
        String accessModes = "";
        if (!nz(spec.getVolumeName()).isEmpty()) {
            accessModes = PersistentVolumes.accessModes(status.getAccessModes());
            capacity = PersistentVolumes.storage(status.getCapacity());
        }
        Map<String, String> annotations = pvc.getMetadata() == null || pvc.getMetadata().getAnnotations() == null ? Map.of() : pvc.getMetadata().getAnnotations();
        String storageClass = annotations.containsKey(PersistentVolumes.BETA_STORAGE_CLASS_ANNOTATION)
                ? annotations.get(PersistentVolumes.BETA_STORAGE_CLASS_ANNOTATION) : nz(spec.getStorageClassName());
        List<Object> cells = new ArrayList<>();
        cells.add(name(pvc));
        cells.add(phase);
        cells.add(nz(spec.getVolumeName()));
        cells.add(capacity);
        cells.add(accessModes);
        cells.add(storageClass);
        cells.add(spec.getVolumeAttributesClassName() == null ? "<unset>" : spec.getVolumeAttributesClassName());
        cells.add(age(pvc));
        cells.add(spec.getVolumeMode() == null ? "<unset>" : spec.getVolumeMode());
        return cells;
    }
}
