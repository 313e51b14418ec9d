package dev.coracle.server.registry.storage;

import dev.coracle.server.api.ApiException.FieldError;
import dev.coracle.server.registry.BaseStrategy;
import dev.coracle.server.registry.ResourceType;
import dev.coracle.server.registry.Tables;
import dev.coracle.server.registry.Validation;
import io.fabric8.kubernetes.api.model.TableColumnDefinition;
import io.fabric8.kubernetes.api.model.TopologySelectorLabelRequirement;
import io.fabric8.kubernetes.api.model.TopologySelectorTerm;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

import static dev.coracle.server.registry.Validation.duplicate;
import static dev.coracle.server.registry.Validation.forbidden;
import static dev.coracle.server.registry.Validation.index;
import static dev.coracle.server.registry.Validation.invalid;
import static dev.coracle.server.registry.Validation.notSupported;
import static dev.coracle.server.registry.Validation.required;

/** storage.k8s.io/v1 storage classes, as {@code pkg/registry/storage/storageclass/strategy.go}, and the storage class printer. */
@Component
public class StorageClassStrategy extends BaseStrategy<StorageClass> {

    static final ResourceType TYPE = new ResourceType("storage.k8s.io", "v1", "StorageClass", "storageclasses", "storageclass", false,
            List.of("sc"), List.of(), List.of(), StorageClass.class);

    public static final String DEFAULT_ANNOTATION = "storageclass.kubernetes.io/is-default-class";
    public static final String BETA_DEFAULT_ANNOTATION = "storageclass.beta.kubernetes.io/is-default-class";
    private static final int MAX_PARAMETERS = 512;
    private static final int MAX_PARAMETERS_SIZE = 256 * (1 << 10);
    private static final List<String> RECLAIM_POLICIES = List.of("Delete", "Retain");
    private static final List<String> BINDING_MODES = List.of("Immediate", "WaitForFirstConsumer");

    public StorageClassStrategy() {
    }

    public StorageClassStrategy(Clock clock) {
        super(clock);
    }

    @Override
    public ResourceType type() {
        return TYPE;
    }

    /** {@code SetDefaults_StorageClass}: reclaimPolicy Delete, volumeBindingMode Immediate. */
    @Override
    public void applyDefaults(StorageClass sc) {
        if (sc.getReclaimPolicy() == null) {
            sc.setReclaimPolicy("Delete");
        }
        if (sc.getVolumeBindingMode() == null) {
            sc.setVolumeBindingMode("Immediate");
        }
    }

    /** {@code ValidateStorageClass}: provisioner required and qualified, parameters bounded, known policies. */
    @Override
    public List<FieldError> validate(StorageClass sc) {
        List<FieldError> errs = new ArrayList<>();
        String provisioner = nz(sc.getProvisioner());
        if (provisioner.isEmpty()) {
            errs.add(required("provisioner"));
        } else {
            errs.addAll(Validation.validateQualifiedName(provisioner.toLowerCase(Locale.ROOT), "provisioner"));
        }
        Map<String, String> params = sc.getParameters() == null ? Map.of() : new TreeMap<>(sc.getParameters());
        if (params.size() > MAX_PARAMETERS) {
            errs.add(Validation.tooLong("parameters", MAX_PARAMETERS));
        } else {
            long total = 0;
            for (Map.Entry<String, String> e : params.entrySet()) {
                if (e.getKey().isEmpty()) {
                    errs.add(invalid("parameters", e.getKey(), "field can not be empty."));
                }
                total += Validation.utf8Length(e.getKey()) + Validation.utf8Length(e.getValue());
            }
            if (total > MAX_PARAMETERS_SIZE) {
                errs.add(Validation.tooLong("parameters", MAX_PARAMETERS_SIZE));
            }
        }
        String reclaim = nz(sc.getReclaimPolicy());
        if (!reclaim.isEmpty() && !RECLAIM_POLICIES.contains(reclaim)) {
            errs.add(notSupported("reclaimPolicy", reclaim, RECLAIM_POLICIES));
        }
        if (sc.getVolumeBindingMode() == null) {
            errs.add(required("volumeBindingMode"));
        } else if (!BINDING_MODES.contains(sc.getVolumeBindingMode())) {
            errs.add(notSupported("volumeBindingMode", sc.getVolumeBindingMode(), BINDING_MODES));
        }
        errs.addAll(validateAllowedTopologies(sc.getAllowedTopologies()));
        return errs;
    }

    private static List<FieldError> validateAllowedTopologies(List<TopologySelectorTerm> terms) {
        List<FieldError> errs = new ArrayList<>();
        List<Map<String, Set<String>>> seen = new ArrayList<>();
        for (int i = 0; terms != null && i < terms.size(); i++) {
            String p = index("allowedTopologies", i);
            Map<String, Set<String>> expressions = new HashMap<>();
            List<TopologySelectorLabelRequirement> reqs = terms.get(i).getMatchLabelExpressions();
            for (int j = 0; j < reqs.size(); j++) {
                TopologySelectorLabelRequirement r = reqs.get(j);
                String rp = index(p + ".matchLabelExpressions", j);
                Set<String> values = new HashSet<>();
                if (r.getValues().isEmpty()) {
                    errs.add(required(rp + ".values"));
                }
                for (int k = 0; k < r.getValues().size(); k++) {
                    if (!values.add(r.getValues().get(k))) {
                        errs.add(duplicate(index(rp + ".values", k), r.getValues().get(k)));
                    }
                }
                errs.addAll(Validation.validateLabelName(nz(r.getKey()), rp + ".key"));
                if (expressions.containsKey(nz(r.getKey()))) {
                    errs.add(duplicate(rp + ".key", nz(r.getKey())));
                }
                expressions.put(nz(r.getKey()), values);
            }
            for (Map<String, Set<String>> other : seen) {
                if (other.equals(expressions)) {
                    errs.add(duplicate(p + ".matchLabelExpressions", ""));
                }
            }
            seen.add(expressions);
        }
        return errs;
    }

    /** {@code ValidateStorageClassUpdate}: parameters, provisioner, reclaimPolicy and volumeBindingMode are immutable. */
    @Override
    public List<FieldError> validateUpdate(StorageClass sc, StorageClass old) {
        List<FieldError> errs = new ArrayList<>();
        if (!Objects.equals(emptyToNull(sc.getParameters()), emptyToNull(old.getParameters()))) {
            errs.add(forbidden("parameters", "updates to parameters are forbidden."));
        }
        if (!nz(sc.getProvisioner()).equals(nz(old.getProvisioner()))) {
            errs.add(forbidden("provisioner", "updates to provisioner are forbidden."));
        }
        if (!nz(sc.getReclaimPolicy()).equals(nz(old.getReclaimPolicy()))) {
            errs.add(forbidden("reclaimPolicy", "updates to reclaimPolicy are forbidden."));
        }
        errs.addAll(Validation.validateImmutable(sc.getVolumeBindingMode(), old.getVolumeBindingMode(), "volumeBindingMode"));
        return errs;
    }

    private static Map<String, String> emptyToNull(Map<String, String> m) {
        return m == null || m.isEmpty() ? null : m;
    }

    /** Whether the class carries the (GA or beta) default-class annotation set to "true". */
    public static boolean isDefault(StorageClass sc) {
        Map<String, String> a = sc.getMetadata() == null || sc.getMetadata().getAnnotations() == null ? Map.of() : sc.getMetadata().getAnnotations();
        return "true".equals(a.get(DEFAULT_ANNOTATION)) || "true".equals(a.get(BETA_DEFAULT_ANNOTATION));
    }

    @Override
    public List<TableColumnDefinition> columns() {
        return List.of(
                Tables.nameColumn(),
                Tables.column("Provisioner", "string", "provisioner indicates the type of the provisioner."),
                Tables.column("ReclaimPolicy", "string", "reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class. Defaults to Delete."),
                Tables.column("VolumeBindingMode", "string", "volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.  When unset, VolumeBindingImmediate is used. This field is only honored by servers that enable the VolumeScheduling feature."),
                Tables.column("AllowVolumeExpansion", "string", "allowVolumeExpansion shows whether the storage class allow volume expand."),
                Tables.ageColumn());
    }

    /** {@code printStorageClass}: the default class is shown as {@code name (default)}. */
    @Override
    public List<Object> cells(StorageClass sc) {
        String name = name(sc) + (isDefault(sc) ? " (default)" : "");
        List<Object> cells = new ArrayList<>();
        cells.add(name);
        cells.add(nz(sc.getProvisioner()));
        cells.add(sc.getReclaimPolicy() == null ? "Delete" : sc.getReclaimPolicy());
        cells.add(sc.getVolumeBindingMode() == null ? "Immediate" : sc.getVolumeBindingMode());
        cells.add(Boolean.TRUE.equals(sc.getAllowVolumeExpansion()));
        cells.add(age(sc));
        return cells;
    }
}
