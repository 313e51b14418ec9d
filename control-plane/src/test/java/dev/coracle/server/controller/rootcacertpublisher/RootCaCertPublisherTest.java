package dev.coracle.server.controller.rootcacertpublisher;

import dev.coracle.server.controller.replicaset.Cluster;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Duration;
import java.util.Base64;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/** kube-root-ca.crt in every namespace, holding the CA the kubeconfig trusts, on a real server. */
class RootCaCertPublisherTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String DESCRIPTION = "Contains a CA bundle that can be used to verify the kube-apiserver when using internal"
            + " endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions"
            + " of Kubernetes clusters.";

    private final Cluster cluster = Cluster.get();
    private final KubernetesClient client = cluster.client();

    private Cluster.Result kubectl(String... args) {
        return cluster.kubectlIfInstalled(args);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        Cluster.await(what, WAIT, condition);
    }

    private ConfigMap rootCa(String ns) {
        return client.configMaps().inNamespace(ns).withName("kube-root-ca.crt").get();
    }

    /** The CA certificate the server wrote into the kubeconfig, as PEM. */
    private String kubeconfigCa() throws Exception {
        String line = Files.readAllLines(cluster.server().kubeconfig()).stream()
                .filter(l -> l.strip().startsWith("certificate-authority-data:")).findFirst().orElseThrow();
        return new String(Base64.getDecoder().decode(line.substring(line.indexOf(':') + 1).strip()));
    }

    @Test
    void aNewNamespaceGetsTheClusterCaWithKubernetesDescription() throws Exception {
        kubectl("create", "namespace", "ca-new").outOrFail();

        await("kube-root-ca.crt exists", () -> rootCa("ca-new") != null);
        assertThat(kubectl("get", "configmaps", "-n", "ca-new").outOrFail().lines().skip(1).toList())
                .singleElement().asString().matches("kube-root-ca\\.crt\\s+1\\s+\\d+s");
        ConfigMap cm = rootCa("ca-new");
        assertThat(cm.getData()).containsOnlyKeys("ca.crt");
        assertThat(cm.getData().get("ca.crt")).isEqualTo(kubeconfigCa()).startsWith("-----BEGIN CERTIFICATE-----");
        assertThat(cm.getMetadata().getAnnotations()).containsExactlyEntriesOf(java.util.Map.of("kubernetes.io/description", DESCRIPTION));
        assertThat(cm.getMetadata().getManagedFields())
                .extracting(f -> f.getManager() + "/" + f.getOperation()).containsExactly("kube-controller-manager/Update");
    }

    @Test
    void theBuiltInNamespacesHaveItToo() throws Exception {
        for (String ns : new String[]{"default", "kube-system", "kube-public", "kube-node-lease"}) {
            await("namespace " + ns + " has kube-root-ca.crt", () -> rootCa(ns) != null);
        }
    }

    @Test
    void aDeletedOneComesBack() throws Exception {
        String ns = cluster.namespace("ca-deleted");
        await("kube-root-ca.crt exists", () -> rootCa(ns) != null);
        String firstUid = rootCa(ns).getMetadata().getUid();

        kubectl("delete", "configmap", "kube-root-ca.crt", "-n", ns).outOrFail();

        await("a new kube-root-ca.crt exists", () -> {
            ConfigMap cm = rootCa(ns);
            return cm != null && !cm.getMetadata().getUid().equals(firstUid);
        });
        assertThat(rootCa(ns).getData().get("ca.crt")).isEqualTo(kubeconfigCa());
    }

    @Test
    void changedDataAndDescriptionArePutBackWhileAnotherAnnotationStays() throws Exception {
        String ns = cluster.namespace("ca-edited");
        await("kube-root-ca.crt exists", () -> rootCa(ns) != null);

        kubectl("patch", "configmap", "kube-root-ca.crt", "-n", ns, "--type=merge",
                "-p", "{\"data\":{\"ca.crt\":\"not a certificate\",\"extra\":\"x\"},\"metadata\":{\"annotations\":"
                        + "{\"kubernetes.io/description\":\"\",\"owner\":\"me\"}}}").outOrFail();

        String ca = kubeconfigCa();
        await("the data is the CA alone again", () -> {
            ConfigMap cm = rootCa(ns);
            return cm.getData().size() == 1 && ca.equals(cm.getData().get("ca.crt"));
        });
        assertThat(rootCa(ns).getMetadata().getAnnotations())
                .containsEntry("kubernetes.io/description", DESCRIPTION).containsEntry("owner", "me");
    }

    @Test
    void deletingTheNamespaceCompletesWithoutTheConfigMapComingBack() throws Exception {
        String ns = cluster.namespace("ca-gone");
        await("kube-root-ca.crt exists", () -> rootCa(ns) != null);

        kubectl("delete", "namespace", ns, "--timeout=60s").outOrFail();

        assertThat(client.namespaces().withName(ns).get()).isNull();
        assertThat(client.configMaps().inNamespace(ns).list().getItems()).isEmpty();
    }
}
