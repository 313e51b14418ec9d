package dev.coracle.server.controller.volume;

import dev.coracle.server.controller.replicaset.Cluster;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Claims meet volumes on a real server, driven with the real kubectl: the seed's PV / PVC / StorageClass chapter.
 * Volumes are cluster-wide and the server is shared, so each test uses a storage class name of its own.
 */
class PersistentVolumeControllerTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final AtomicInteger CLASSES = new AtomicInteger();

    private final Cluster cluster = Cluster.get();
    private final KubernetesClient client = cluster.client();


    private static String volume(String name, String storageClass, String size, String reclaim, String extra) {
        return """
                apiVersion: v1
                kind: PersistentVolume
                metadata: {name: %s, labels: {tier: %s}}
                spec:
                  storageClassName: "%s"
                  capacity: {storage: %s}
                  accessModes: [ReadWriteOnce]
                  persistentVolumeReclaimPolicy: %s
                  hostPath: {path: /tmp/coracle-test-%1$s}
                %s
                ---
                """.formatted(name, name.endsWith("fast") ? "fast" : "standard", storageClass, size, reclaim, extra);
    }

    private static String claim(String namespace, String name, String storageClass, String size, String extra) {
        return """
                apiVersion: v1
                kind: PersistentVolumeClaim
                metadata: {name: %s, namespace: %s}
                spec:
                  storageClassName: "%s"
                  accessModes: [ReadWriteOnce]
                  resources: {requests: {storage: %s}}
                %s
                ---
                """.formatted(name, namespace, storageClass, size, extra);
    }

    private PersistentVolumeClaim claimOf(String namespace, String name) {
        return client.persistentVolumeClaims().inNamespace(namespace).withName(name).get();
    }

    private PersistentVolume volumeOf(String name) {
        return client.persistentVolumes().withName(name).get();
    }

    private void awaitClaimPhase(String namespace, String name, String phase) throws InterruptedException {
        Cluster.await("claim " + name + " is " + phase, WAIT, () -> {
            PersistentVolumeClaim c = claimOf(namespace, name);
            return c != null && c.getStatus() != null && phase.equals(c.getStatus().getPhase());
        });
    }

    private void awaitVolumePhase(String name, String phase) throws InterruptedException {
        Cluster.await("volume " + name + " is " + phase, WAIT, () -> {
            PersistentVolume v = volumeOf(name);
            return v != null && v.getStatus() != null && phase.equals(v.getStatus().getPhase());
        });
    }

    private void awaitEvent(String namespace, String involved, String reason, String message) throws InterruptedException {
        Cluster.await("event " + reason + " on " + involved, WAIT, () -> client.v1().events().inNamespace(namespace).list().getItems().stream()
                .anyMatch((Event e) -> involved.equals(e.getInvolvedObject().getName()) && reason.equals(e.getReason())
                        && e.getMessage().contains(message)));
    }

    @Test
    void aClaimGetsTheSmallestVolumeThatFitsAndKubectlShowsBothBound() throws Exception {
        String sc = "binding-" + CLASSES.incrementAndGet();
        String ns = cluster.namespace("pvc");
        cluster.apply(volume(sc + "-big", sc, "5Gi", "Retain", "") + volume(sc + "-small", sc, "1Gi", "Retain", "")
                + volume(sc + "-tiny", sc, "100Mi", "Retain", ""));
        awaitVolumePhase(sc + "-small", "Available");

        cluster.apply(claim(ns, "data", sc, "500Mi", ""));

        awaitClaimPhase(ns, "data", "Bound");
        String claims = cluster.kubectl("get", "pvc", "-n", ns).outOrFail();
        assertThat(claims).containsPattern("data\\s+Bound\\s+" + sc + "-small\\s+1Gi\\s+RWO\\s+" + sc);
        awaitVolumePhase(sc + "-small", "Bound");
        String volumes = cluster.kubectl("get", "pv", sc + "-small", sc + "-big").outOrFail();
        assertThat(volumes).containsPattern(sc + "-small\\s+1Gi\\s+RWO\\s+Retain\\s+Bound\\s+" + ns + "/data\\s+" + sc);
        assertThat(volumes).containsPattern(sc + "-big\\s+5Gi\\s+RWO\\s+Retain\\s+Available\\s+" + sc);
        PersistentVolumeClaim bound = claimOf(ns, "data");
        assertThat(bound.getMetadata().getAnnotations()).containsEntry("pv.kubernetes.io/bind-completed", "yes")
                .containsEntry("pv.kubernetes.io/bound-by-controller", "yes");
        assertThat(volumeOf(sc + "-small").getSpec().getClaimRef().getUid()).isEqualTo(bound.getMetadata().getUid());
    }

    @Test
    void aSelectorPicksAmongTheVolumesAndAClaimNamingAVolumeGetsThatOne() throws Exception {
        String sc = "selecting-" + CLASSES.incrementAndGet();
        String ns = cluster.namespace("pvc");
        cluster.apply(volume(sc + "-1", sc, "1Gi", "Retain", "") + volume(sc + "-fast", sc, "10Gi", "Retain", "")
                + volume(sc + "-named", sc, "20Gi", "Retain", ""));
        awaitVolumePhase(sc + "-named", "Available");

        cluster.apply(claim(ns, "quick", sc, "1Gi", "  selector: {matchLabels: {tier: fast}}")
                + claim(ns, "chosen", sc, "1Gi", "  volumeName: " + sc + "-named"));

        awaitClaimPhase(ns, "quick", "Bound");
        awaitClaimPhase(ns, "chosen", "Bound");
        assertThat(claimOf(ns, "quick").getSpec().getVolumeName()).isEqualTo(sc + "-fast");
        assertThat(claimOf(ns, "chosen").getSpec().getVolumeName()).isEqualTo(sc + "-named");
        assertThat(claimOf(ns, "chosen").getMetadata().getAnnotations()).doesNotContainKey("pv.kubernetes.io/bound-by-controller");
        assertThat(claimOf(ns, "chosen").getStatus().getCapacity().get("storage").toString()).isEqualTo("20Gi");
        assertThat(VolumeMatch.phase(volumeOf(sc + "-1"))).isEqualTo("Available");
    }

    @Test
    void aClaimNothingFitsWaitsSaysWhyAndIsBoundWhenAVolumeComes() throws Exception {
        String sc = "waiting-" + CLASSES.incrementAndGet();
        String ns = cluster.namespace("pvc");
        cluster.apply(volume(sc + "-small", "", "1Gi", "Retain", ""));
        cluster.apply(claim(ns, "big", "", "3Gi", ""));

        awaitEvent(ns, "big", "FailedBinding", "no persistent volumes available for this claim and no storage class is set");
        assertThat(cluster.kubectl("get", "pvc", "big", "-n", ns).outOrFail()).containsPattern("big\\s+Pending");
        assertThat(cluster.kubectl("describe", "pvc", "big", "-n", ns).outOrFail())
                .contains("FailedBinding", "persistentvolume-controller", "no persistent volumes available for this claim");

        cluster.apply(volume(sc + "-large", "", "4Gi", "Retain", ""));

        awaitClaimPhase(ns, "big", "Bound");
        assertThat(claimOf(ns, "big").getSpec().getVolumeName()).isEqualTo(sc + "-large");
        cluster.kubectl("delete", "pv", sc + "-small").outOrFail();
    }

    @Test
    void aDeletedClaimReleasesARetainedVolumeAndFailsOneThatWouldNeedDeleting() throws Exception {
        String sc = "reclaim-" + CLASSES.incrementAndGet();
        String ns = cluster.namespace("pvc");
        cluster.apply(volume(sc + "-kept", sc, "1Gi", "Retain", "") + volume(sc + "-gone", sc, "2Gi", "Delete", ""));
        cluster.apply(claim(ns, "first", sc, "1Gi", "") + claim(ns, "second", sc, "2Gi", ""));
        awaitClaimPhase(ns, "first", "Bound");
        awaitClaimPhase(ns, "second", "Bound");

        cluster.kubectl("delete", "pvc", "first", "second", "-n", ns).outOrFail();

        awaitVolumePhase(sc + "-kept", "Released");
        awaitVolumePhase(sc + "-gone", "Failed");
        String volumes = cluster.kubectl("get", "pv", sc + "-kept", sc + "-gone").outOrFail();
        assertThat(volumes).containsPattern(sc + "-kept\\s+1Gi\\s+RWO\\s+Retain\\s+Released\\s+" + ns + "/first");
        assertThat(volumes).containsPattern(sc + "-gone\\s+2Gi\\s+RWO\\s+Delete\\s+Failed\\s+" + ns + "/second");
        assertThat(volumeOf(sc + "-gone").getStatus().getMessage()).contains("no deletable volume plugin matched");

        // a new claim of the same name does not get the released volume back: its data belongs to the old one
        cluster.apply(claim(ns, "first", sc, "1Gi", ""));
        awaitEvent(ns, "first", "ProvisioningFailed", "storageclass.storage.k8s.io \"" + sc + "\" not found");
        assertThat(VolumeMatch.phase(volumeOf(sc + "-kept"))).isEqualTo("Released");
    }

    @Test
    void aClassThatWaitsForAConsumerOrHasNoProvisionerSaysSo() throws Exception {
        String sc = "classes-" + CLASSES.incrementAndGet();
        String ns = cluster.namespace("pvc");
        cluster.apply("""
                apiVersion: storage.k8s.io/v1
                kind: StorageClass
                metadata: {name: %1$s-local}
                provisioner: kubernetes.io/no-provisioner
                volumeBindingMode: WaitForFirstConsumer
                ---
                apiVersion: storage.k8s.io/v1
                kind: StorageClass
                metadata: {name: %1$s-immediate}
                provisioner: kubernetes.io/no-provisioner
                ---
                """.formatted(sc));
        cluster.apply(volume(sc + "-disk", sc + "-local", "1Gi", "Retain", ""));
        cluster.apply(claim(ns, "later", sc + "-local", "1Gi", "") + claim(ns, "now", sc + "-immediate", "1Gi", "")
                + claim(ns, "nowhere", sc + "-missing", "1Gi", ""));

        awaitEvent(ns, "later", "WaitForFirstConsumer", "waiting for first consumer to be created before binding");
        awaitEvent(ns, "now", "ProvisioningFailed", "no volume plugin matched name: kubernetes.io/no-provisioner");
        awaitEvent(ns, "nowhere", "ProvisioningFailed", "storageclass.storage.k8s.io \"" + sc + "-missing\" not found");
        assertThat(claimOf(ns, "later").getStatus().getPhase()).isEqualTo("Pending");
        assertThat(VolumeMatch.phase(volumeOf(sc + "-disk"))).isEqualTo("Available");
    }
}
