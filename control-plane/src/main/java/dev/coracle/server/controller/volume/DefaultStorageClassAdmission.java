package dev.coracle.server.controller.volume;

import dev.coracle.server.api.AdmissionHook;
import dev.coracle.server.api.Json;
import dev.coracle.server.registry.ResourceType;
import dev.coracle.server.registry.storage.StorageClassStrategy;
import dev.coracle.server.store.ObjectStore;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import org.springframework.stereotype.Component;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * kube-apiserver's DefaultStorageClass admission: a claim created without {@code storageClassName} (null, not "") gets
 * the default class — the newest of those annotated {@code storageclass.kubernetes.io/is-default-class: "true"} —
 * when there is one. k3s's {@code local-path} is such a class.
 */
@Component
public class DefaultStorageClassAdmission implements AdmissionHook {

    private final ObjectStore store;

    public DefaultStorageClassAdmission(ObjectStore store) {
        this.store = store;
    }

    @Override
    public boolean appliesTo(ResourceType type) {
        return type.group().isEmpty() && type.plural().equals("persistentvolumeclaims");
    }

    @Override
    public boolean reserves() {
        return false;
    }

    @Override
    public List<String> beforeCreate(HasMetadata object, String user, boolean dryRun) {
        PersistentVolumeClaim claim = (PersistentVolumeClaim) object;
        Map<String, String> annotations = claim.getMetadata().getAnnotations();
        if (claim.getSpec().getStorageClassName() != null
                || (annotations != null && annotations.containsKey(VolumeMatch.BETA_CLASS_ANNOTATION))) {
            return List.of();
        }
        return store.list("storage.k8s.io/storageclasses", null, "", "", o -> true, 0).items().stream()
                .map(o -> Json.readStoredWithoutManagedFields(o.body(), StorageClass.class)).filter(StorageClassStrategy::isDefault)
                .max(Comparator.comparing((StorageClass sc) -> Objects.toString(sc.getMetadata().getCreationTimestamp(), ""))
                        .thenComparing(sc -> sc.getMetadata().getName(), Comparator.reverseOrder()))
                .map(sc -> {
                    claim.getSpec().setStorageClassName(sc.getMetadata().getName());
                    return List.of("/spec/storageClassName");
                }).orElse(List.of());
    }
}
