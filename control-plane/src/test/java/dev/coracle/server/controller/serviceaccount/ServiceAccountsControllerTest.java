package dev.coracle.server.controller.serviceaccount;

import dev.coracle.server.controller.replicaset.Cluster;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/** The default ServiceAccount of every namespace, and pods admitted only with an existing account, on a real server. */
class ServiceAccountsControllerTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private final Cluster cluster = Cluster.get();
    private final KubernetesClient client = cluster.client();

    private Cluster.Result kubectl(String... args) {
        return cluster.kubectlIfInstalled(args);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        Cluster.await(what, WAIT, condition);
    }

    private ServiceAccount defaultAccount(String ns) {
        return client.serviceAccounts().inNamespace(ns).withName("default").get();
    }

    @Test
    void aNewNamespaceGetsTheDefaultServiceAccount() throws Exception {
        kubectl("create", "namespace", "sa-new").outOrFail();

        await("the default ServiceAccount exists", () -> defaultAccount("sa-new") != null);
        String table = kubectl("get", "serviceaccounts", "-n", "sa-new").outOrFail();
        assertThat(table.lines().toList()).hasSize(2);
        assertThat(table.lines().findFirst().orElseThrow()).matches("NAME\\s+SECRETS\\s+AGE");
        assertThat(table.lines().skip(1).findFirst().orElseThrow()).matches("default\\s+0\\s+\\d+s");
        // nothing but a name: no field for kube-controller-manager to own, so no managedFields entry, as on Kubernetes
        assertThat(defaultAccount("sa-new").getMetadata().getManagedFields()).isEmpty();
    }

    @Test
    void theBuiltInNamespacesHaveOneToo() throws Exception {
        for (String ns : new String[]{"default", "kube-system", "kube-public", "kube-node-lease"}) {
            await("namespace " + ns + " has its default ServiceAccount", () -> defaultAccount(ns) != null);
        }
    }

    @Test
    void aDeletedDefaultServiceAccountComesBack() throws Exception {
        String ns = cluster.namespace("sa-deleted");
        await("the default ServiceAccount exists", () -> defaultAccount(ns) != null);
        String firstUid = defaultAccount(ns).getMetadata().getUid();

        kubectl("delete", "serviceaccount", "default", "-n", ns).outOrFail();

        await("a new default ServiceAccount exists", () -> {
            ServiceAccount sa = defaultAccount(ns);
            return sa != null && !sa.getMetadata().getUid().equals(firstUid);
        });
    }

    @Test
    void kubectlRunRightAfterCreateNamespaceGetsThePodWithTheDefaultAccount() {
        kubectl("create", "namespace", "sa-run").outOrFail();
        kubectl("run", "web", "-n", "sa-run", "--image=nginx").outOrFail();

        Pod pod = client.pods().inNamespace("sa-run").withName("web").get();
        assertThat(pod.getSpec().getServiceAccountName()).isEqualTo("default");
        assertThat(pod.getSpec().getServiceAccount()).as("the deprecated alias, as the v1 conversion fills it").isEqualTo("default");
    }

    @Test
    void aPodNamingAMissingServiceAccountIsForbiddenAsKubeApiserverWordsIt() {
        String ns = cluster.namespace("sa-missing");

        Cluster.Result run = kubectl("run", "web", "-n", ns, "--image=nginx", "--overrides={\"spec\":{\"serviceAccountName\":\"robot\"}}");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err().strip()).isEqualTo("Error from server (Forbidden): pods \"web\" is forbidden: error looking up service account "
                + ns + "/robot: serviceaccount \"robot\" not found");
    }

    @Test
    void aDeletedAccountAdmitsNoMorePods() throws Exception {
        String ns = cluster.namespace("sa-gone");
        kubectl("create", "serviceaccount", "robot", "-n", ns).outOrFail();
        String robot = "--overrides={\"spec\":{\"serviceAccountName\":\"robot\"}}";
        kubectl("run", "first", "-n", ns, "--image=nginx", robot).outOrFail();

        kubectl("delete", "serviceaccount", "robot", "-n", ns).outOrFail();

        // admission reads the accounts this server has seen, as kube-apiserver reads its informer: it follows the
        // deletion within moments, not necessarily before the next request
        int[] attempt = {0};
        await("a pod naming the deleted account is refused", () -> {
            Cluster.Result next = kubectl("run", "next-" + attempt[0]++, "-n", ns, "--image=nginx", robot);
            return next.exitCode() == 1 && next.err().contains("serviceaccount \"robot\" not found");
        });
    }

    @Test
    void aPodThatExistsMeetsTheAccountCheckFirstAsOnKubernetes() {
        String ns = cluster.namespace("sa-exists");
        kubectl("run", "web", "-n", ns, "--image=nginx").outOrFail();

        Cluster.Result again = kubectl("run", "web", "-n", ns, "--image=nginx", "--overrides={\"spec\":{\"serviceAccountName\":\"robot\"}}");

        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err()).contains("(Forbidden)").contains("serviceaccount \"robot\" not found");
    }

    @Test
    void aReplicaSetWhosePodsAreForbiddenRetriesUntilTheAccountExists() throws Exception {
        String ns = cluster.namespace("sa-retry");
        Map<String, String> labels = Map.of("app", "builder");
        client.apps().replicaSets().inNamespace(ns).resource(new ReplicaSetBuilder()
                .withNewMetadata().withName("builder").endMetadata()
                .withNewSpec().withReplicas(2).withNewSelector().withMatchLabels(labels).endSelector()
                .withNewTemplate().withNewMetadata().withLabels(labels).endMetadata()
                .withNewSpec().withServiceAccountName("builder").addNewContainer().withName("c").withImage("busybox").endContainer()
                .endSpec().endTemplate().endSpec().build()).create();
        await("a FailedCreate event tells why", () -> client.v1().events().inNamespace(ns).list().getItems().stream()
                .anyMatch(e -> "FailedCreate".equals(e.getReason()) && e.getMessage().equals("Error creating: pods \"builder-\" is forbidden: "
                        + "error looking up service account " + ns + "/builder: serviceaccount \"builder\" not found")));
        assertThat(client.pods().inNamespace(ns).list().getItems()).isEmpty();

        client.serviceAccounts().inNamespace(ns).resource(new ServiceAccountBuilder().withNewMetadata().withName("builder").endMetadata()
                .build()).create();

        await("the ReplicaSet, retrying, has its 2 pods", () -> client.pods().inNamespace(ns).list().getItems().size() == 2);
    }

    @Test
    void deletingTheNamespaceCompletesWithoutTheAccountComingBack() throws Exception {
        String ns = cluster.namespace("sa-gone");
        await("the default ServiceAccount exists", () -> defaultAccount(ns) != null);

        kubectl("delete", "namespace", ns, "--timeout=60s").outOrFail();

        assertThat(client.namespaces().withName(ns).get()).isNull();
        assertThat(client.serviceAccounts().inNamespace(ns).list().getItems()).isEmpty();
    }
}
