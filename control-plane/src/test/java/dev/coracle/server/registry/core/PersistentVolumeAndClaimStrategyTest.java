package dev.coracle.server.registry.core;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import org.junit.jupiter.api.Test;

import static dev.coracle.server.registry.Fixtures.CLOCK;
import static dev.coracle.server.registry.Fixtures.NOW;
import static dev.coracle.server.registry.Fixtures.ago;
import static dev.coracle.server.registry.Fixtures.render;
import static dev.coracle.server.registry.Fixtures.yaml;
import static org.assertj.core.api.Assertions.assertThat;

class PersistentVolumeAndClaimStrategyTest {

    private final PersistentVolumeStrategy pvs = new PersistentVolumeStrategy(CLOCK);
    private final PersistentVolumeClaimStrategy pvcs = new PersistentVolumeClaimStrategy(CLOCK);

    private PersistentVolume pv(String spec) {
        PersistentVolume pv = yaml("""
                metadata: {name: pv-1, creationTimestamp: "%s"}
                spec:
                %s
                """.formatted(ago(7200), spec.indent(2)), PersistentVolume.class);
        pvs.applyDefaults(pv);
        pvs.prepareForCreate(pv);
        return pv;
    }

    private PersistentVolumeClaim pvc(String spec) {
        PersistentVolumeClaim pvc = yaml("""
                metadata: {name: data, namespace: default, creationTimestamp: "%s"}
                spec:
                %s
                """.formatted(ago(7200), spec.indent(2)), PersistentVolumeClaim.class);
        pvcs.applyDefaults(pvc);
        pvcs.prepareForCreate(pvc);
        return pvc;
    }

    @Test
    void pvDefaultsToRetainFilesystemAndPending() {
        PersistentVolume v = pv("capacity: {storage: 1Gi}\naccessModes: [ReadWriteOnce]\nhostPath: {path: /data}");
        assertThat(v.getSpec().getPersistentVolumeReclaimPolicy()).isEqualTo("Retain");
        assertThat(v.getSpec().getVolumeMode()).isEqualTo("Filesystem");
        assertThat(v.getStatus().getPhase()).isEqualTo("Pending");
        assertThat(v.getStatus().getLastPhaseTransitionTime()).isEqualTo(NOW.toString());
        assertThat(pvs.validate(v)).isEmpty();
        assertThat(pvs.tracksGeneration()).isFalse();
    }

    @Test
    void pvNeedsAccessModesCapacityAndASource() {
        PersistentVolume v = pv("persistentVolumeReclaimPolicy: Keep");
        assertThat(render(pvs.validate(v))).containsExactly(
                "spec.accessModes: Required value",
                "spec.capacity: Required value",
                "spec.capacity: Unsupported value: core.ResourceList(nil): supported values: \"storage\"",
                "spec.persistentVolumeReclaimPolicy: Unsupported value: \"Keep\": supported values: \"Delete\", \"Recycle\", \"Retain\"",
                "spec: Required value: must specify a volume type");
    }

    @Test
    void pvSourceIsImmutable() {
        PersistentVolume old = pv("capacity: {storage: 1Gi}\naccessModes: [ReadWriteOnce]\nhostPath: {path: /data}");
        PersistentVolume now = pv("capacity: {storage: 2Gi}\naccessModes: [ReadWriteOnce]\nhostPath: {path: /other}");
        var errors = render(pvs.validateUpdate(now, old));
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0)).startsWith("spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is immutable after creation\n");
    }

    @Test
    void printsABoundPv() {
        PersistentVolume v = pv("""
                capacity: {storage: 1024Mi}
                accessModes: [ReadWriteOnce, ReadOnlyMany]
                storageClassName: local-path
                hostPath: {path: /data}
                claimRef: {namespace: default, name: data}
                """);
        v.getStatus().setPhase("Bound");
        assertThat(pvs.columns()).extracting(c -> c.getName()).containsExactly("Name", "Capacity", "Access Modes", "Reclaim Policy",
                "Status", "Claim", "StorageClass", "VolumeAttributesClass", "Reason", "Age", "VolumeMode");
        assertThat(pvs.cells(v)).containsExactly("pv-1", "1Gi", "RWO,ROX", "Retain", "Bound", "default/data", "local-path", "<unset>", "", "120m", "Filesystem");
    }

    @Test
    void pvcDefaultsAndValidation() {
        PersistentVolumeClaim c = pvc("accessModes: [ReadWriteOnce]\nresources: {requests: {storage: 1Gi}}");
        assertThat(c.getStatus().getPhase()).isEqualTo("Pending");
        assertThat(c.getSpec().getVolumeMode()).isEqualTo("Filesystem");
        assertThat(pvcs.validate(c)).isEmpty();
        PersistentVolumeClaim bad = pvc("accessModes: []\nresources: {requests: {}}");
        assertThat(render(pvcs.validate(bad))).containsExactly(
                "spec.accessModes: Required value: at least 1 access mode is required",
                "spec.resources[storage]: Required value");
    }

    @Test
    void pvcSpecIsImmutableButMayGrowWhenBound() {
        PersistentVolumeClaim old = pvc("accessModes: [ReadWriteOnce]\nresources: {requests: {storage: 1Gi}}\nstorageClassName: local-path");
        PersistentVolumeClaim changed = pvc("accessModes: [ReadWriteMany]\nresources: {requests: {storage: 1Gi}}\nstorageClassName: local-path");
        pvcs.prepareForUpdate(changed, old);
        var errors = render(pvcs.validateUpdate(changed, old));
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0)).startsWith("spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n");

        old.getStatus().setPhase("Bound");
        old.getStatus().setCapacity(java.util.Map.of("storage", new io.fabric8.kubernetes.api.model.Quantity("1Gi")));
        PersistentVolumeClaim grown = pvc("accessModes: [ReadWriteOnce]\nresources: {requests: {storage: 2Gi}}\nstorageClassName: local-path\nvolumeName: pv-1");
        pvcs.prepareForUpdate(grown, old);
        assertThat(pvcs.validateUpdate(grown, old)).isEmpty();
        PersistentVolumeClaim shrunk = pvc("accessModes: [ReadWriteOnce]\nresources: {requests: {storage: 500Mi}}\nstorageClassName: local-path");
        pvcs.prepareForUpdate(shrunk, old);
        assertThat(render(pvcs.validateUpdate(shrunk, old))).containsExactly(
                "spec.resources.requests.storage: Forbidden: field can not be less than status.capacity");
    }

    @Test
    void printsPvcsPendingAndBound() {
        PersistentVolumeClaim pending = pvc("accessModes: [ReadWriteOnce]\nresources: {requests: {storage: 1Gi}}\nstorageClassName: local-path");
        assertThat(pvcs.cells(pending)).containsExactly("data", "Pending", "", "", "", "local-path", "<unset>", "120m", "Filesystem");
        PersistentVolumeClaim bound = pvc("accessModes: [ReadWriteOnce]\nresources: {requests: {storage: 1Gi}}\nstorageClassName: local-path\nvolumeName: pv-1");
        bound.getStatus().setPhase("Bound");
        bound.getStatus().setAccessModes(java.util.List.of("ReadWriteOnce"));
        bound.getStatus().setCapacity(java.util.Map.of("storage", new io.fabric8.kubernetes.api.model.Quantity("1Gi")));
        assertThat(pvcs.cells(bound).subList(0, 6)).containsExactly("data", "Bound", "pv-1", "1Gi", "RWO", "local-path");
        assertThat(pvcs.selectableFields(bound)).containsEntry("name", "data");
    }
}
