package dev.coracle.server.registry.storage;

import io.fabric8.kubernetes.api.model.storage.StorageClass;
import org.junit.jupiter.api.Test;

import static dev.coracle.server.registry.Fixtures.CLOCK;
import static dev.coracle.server.registry.Fixtures.ago;
import static dev.coracle.server.registry.Fixtures.render;
import static dev.coracle.server.registry.Fixtures.yaml;
import static org.assertj.core.api.Assertions.assertThat;

class StorageClassStrategyTest {

    private final StorageClassStrategy strategy = new StorageClassStrategy(CLOCK);

    private StorageClass sc(String yaml) {
        StorageClass sc = yaml(yaml, StorageClass.class);
        strategy.applyDefaults(sc);
        return sc;
    }

    @Test
    void defaultsToDeleteAndImmediate() {
        StorageClass s = sc("metadata: {name: local-path}\nprovisioner: coracle.dev/local-path");
        assertThat(s.getReclaimPolicy()).isEqualTo("Delete");
        assertThat(s.getVolumeBindingMode()).isEqualTo("Immediate");
        assertThat(strategy.validate(s)).isEmpty();
        assertThat(strategy.type().group()).isEqualTo("storage.k8s.io");
        assertThat(strategy.type().namespaced()).isFalse();
    }

    @Test
    void provisionerIsRequired() {
        StorageClass s = sc("metadata: {name: x}\nreclaimPolicy: Recycle");
        assertThat(render(strategy.validate(s))).containsExactly(
                "provisioner: Required value",
                "reclaimPolicy: Unsupported value: \"Recycle\": supported values: \"Delete\", \"Retain\"");
    }

    @Test
    void parametersProvisionerAndReclaimPolicyAreImmutable() {
        StorageClass old = sc("metadata: {name: x}\nprovisioner: a.io/p\nparameters: {type: ssd}");
        StorageClass now = sc("metadata: {name: x}\nprovisioner: b.io/p\nparameters: {type: hdd}\nreclaimPolicy: Retain");
        assertThat(render(strategy.validateUpdate(now, old))).containsExactly(
                "parameters: Forbidden: updates to parameters are forbidden.",
                "provisioner: Forbidden: updates to provisioner are forbidden.",
                "reclaimPolicy: Forbidden: updates to reclaimPolicy are forbidden.");
    }

    @Test
    void printsTheDefaultClassMarked() {
        StorageClass s = sc("""
                metadata:
                  name: local-path
                  creationTimestamp: "%s"
                  annotations: {storageclass.kubernetes.io/is-default-class: "true"}
                provisioner: rancher.io/local-path
                volumeBindingMode: WaitForFirstConsumer
                """.formatted(ago(86400 * 30)));
        assertThat(strategy.columns()).extracting(c -> c.getName())
                .containsExactly("Name", "Provisioner", "ReclaimPolicy", "VolumeBindingMode", "AllowVolumeExpansion", "Age");
        assertThat(strategy.cells(s)).containsExactly("local-path (default)", "rancher.io/local-path", "Delete", "WaitForFirstConsumer", false, "30d");
    }
}
