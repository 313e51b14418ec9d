package dev.coracle.server.controller.volume;

import dev.coracle.server.controller.replicaset.Cluster;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** k3s's default StorageClass and its provisioner: the session a user has with a claim and the pod that uses it. */
class LocalPathProvisionerTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private final Cluster cluster = Cluster.get();
    private final KubernetesClient client = cluster.client();


    private PersistentVolumeClaim claim(String ns) {
        return client.persistentVolumeClaims().inNamespace(ns).withName("data").get();
    }

    private boolean hasEvent(String ns, String reason, String message) {
        return client.v1().events().inNamespace(ns).list().getItems().stream().anyMatch(e -> "data".equals(e.getInvolvedObject().getName())
                && reason.equals(e.getReason()) && e.getMessage().contains(message));
    }

    @Test
    void aClaimWithoutAClassGetsALocalPathVolumeOnTheNodeOfItsFirstPod() throws Exception {
        assertThat(cluster.kubectlIfInstalled("get", "storageclass").outOrFail())
                .containsPattern("local-path \\(default\\)\\s+rancher.io/local-path\\s+Delete\\s+WaitForFirstConsumer\\s+false");
        String ns = cluster.namespace("local-path");
        cluster.apply("""
                apiVersion: v1
                kind: PersistentVolumeClaim
                metadata: {name: data, namespace: %s}
                spec:
                  accessModes: [ReadWriteOnce]
                  resources: {requests: {storage: 2Gi}}
                """.formatted(ns));
        assertThat(claim(ns).getSpec().getStorageClassName()).as("the default class, as DefaultStorageClass admission sets it")
                .isEqualTo("local-path");
        Cluster.await("the claim waits for its first consumer", WAIT, () -> hasEvent(ns, "WaitForFirstConsumer",
                "waiting for first consumer to be created before binding"));
        assertThat(claim(ns).getStatus().getPhase()).isEqualTo("Pending");

        cluster.apply("""
                apiVersion: v1
                kind: Pod
                metadata: {name: db, namespace: %s}
                spec:
                  nodeName: disk-node
                  containers: [{name: main, image: busybox, volumeMounts: [{name: data, mountPath: /data}]}]
                  volumes: [{name: data, persistentVolumeClaim: {claimName: data}}]
                """.formatted(ns));

        Cluster.await("the claim is bound", WAIT, () -> "Bound".equals(claim(ns).getStatus().getPhase()));
        PersistentVolumeClaim bound = claim(ns);
        String volumeName = "pvc-" + bound.getMetadata().getUid();
        assertThat(bound.getSpec().getVolumeName()).isEqualTo(volumeName);
        assertThat(bound.getMetadata().getAnnotations()).containsEntry("volume.kubernetes.io/selected-node", "disk-node");
        PersistentVolume volume = client.persistentVolumes().withName(volumeName).get();
        assertThat(volume.getSpec().getHostPath().getPath()).isEqualTo("/var/lib/coracle/storage/" + volumeName + "_" + ns + "_data");
        assertThat(volume.getSpec().getNodeAffinity().getRequired().getNodeSelectorTerms().get(0).getMatchExpressions().get(0)
                .getValues()).containsExactly("disk-node");
        assertThat(volume.getMetadata().getAnnotations()).containsEntry("pv.kubernetes.io/provisioned-by", "rancher.io/local-path");
        assertThat(cluster.kubectl("get", "pv", volumeName).outOrFail())
                .containsPattern(volumeName + "\\s+2Gi\\s+RWO\\s+Delete\\s+Bound\\s+" + ns + "/data\\s+local-path");
        assertThat(hasEvent(ns, "Provisioning", "External provisioner is provisioning volume for claim \"" + ns + "/data\"")).isTrue();
        assertThat(hasEvent(ns, "ProvisioningSucceeded", "Successfully provisioned volume " + volumeName)).isTrue();

        cluster.kubectl("delete", "pod", "db", "-n", ns, "--grace-period=0", "--force").outOrFail();
        cluster.kubectl("delete", "pvc", "data", "-n", ns).outOrFail();
        Cluster.await("the volume goes with its claim (reclaim policy Delete)", WAIT,
                () -> client.persistentVolumes().withName(volumeName).get() == null);
    }
}
