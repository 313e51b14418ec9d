package dev.coracle.server.controller.garbagecollector;

import dev.coracle.server.controller.replicaset.Cluster;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Cascading deletion on a real server, beside the real Deployment and ReplicaSet controllers: the three
 * propagation policies, through the API and through kubectl.
 */
class GarbageCollectorTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private final Cluster cluster = Cluster.get();
    private final KubernetesClient client = cluster.client();

    // ---- an owner chain, as the Deployment and ReplicaSet controllers make it -----------------

    record Chain(Deployment deployment, ReplicaSet replicaSet, List<Pod> pods) {
    }

    /** Deployment web of two replicas, once its controllers have made its ReplicaSet and that ReplicaSet its pods. */
    private Chain chain(String ns) throws InterruptedException {
        Map<String, String> labels = Map.of("app", "web");
        Deployment web = client.apps().deployments().inNamespace(ns).resource(new DeploymentBuilder()
                .withNewMetadata().withName("web").withLabels(labels).endMetadata()
                .withNewSpec().withReplicas(2).withNewSelector().withMatchLabels(labels).endSelector()
                .withNewTemplate().withNewMetadata().withLabels(labels).endMetadata()
                .withNewSpec().addNewContainer().withName("nginx").withImage("nginx:1.25").endContainer().endSpec().endTemplate()
                .endSpec().build()).create();
        await("the Deployment has a ReplicaSet with two pods, each owned by the one above, blocking its deletion", () -> {
            List<ReplicaSet> sets = client.apps().replicaSets().inNamespace(ns).list().getItems();
            return sets.size() == 1 && ownedBy(sets.get(0), web) && client.pods().inNamespace(ns).list().getItems().stream()
                    .filter(p -> ownedBy(p, sets.get(0))).count() == 2;
        });
        ReplicaSet rs = client.apps().replicaSets().inNamespace(ns).list().getItems().get(0);
        return new Chain(web, rs, client.pods().inNamespace(ns).list().getItems());
    }

    private static boolean ownedBy(HasMetadata dependent, HasMetadata owner) {
        return dependent.getMetadata().getOwnerReferences().stream().anyMatch(r -> r.getUid().equals(owner.getMetadata().getUid())
                && Boolean.TRUE.equals(r.getController()) && Boolean.TRUE.equals(r.getBlockOwnerDeletion()));
    }

    private static OwnerReference controllerRef(HasMetadata owner) {
        return new OwnerReferenceBuilder().withApiVersion(owner.getApiVersion()).withKind(owner.getKind())
                .withName(owner.getMetadata().getName()).withUid(owner.getMetadata().getUid())
                .withController(true).withBlockOwnerDeletion(true).build();
    }

    private int podCount(String ns) {
        return client.pods().inNamespace(ns).list().getItems().size();
    }

    private int replicaSetCount(String ns) {
        return client.apps().replicaSets().inNamespace(ns).list().getItems().size();
    }

    private boolean deploymentGone(String ns) {
        return client.apps().deployments().inNamespace(ns).withName("web").get() == null;
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + WAIT.toSeconds() + "s waiting until " + what);
            }
            Thread.sleep(50);
        }
    }

    // ---- through the API --------------------------------------------------------------------

    @Test
    void backgroundDeletionTakesTheReplicaSetsAndTheirPodsAfterTheOwnerIsGone() throws Exception {
        String ns = cluster.namespace("gc-background");
        chain(ns);

        client.apps().deployments().inNamespace(ns).withName("web").withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();

        assertThat(deploymentGone(ns)).as("the owner goes at once").isTrue();
        await("the ReplicaSet and its pods are collected", () -> replicaSetCount(ns) == 0 && podCount(ns) == 0);
    }

    @Test
    void foregroundDeletionHoldsTheOwnerUntilBlockingDependentsAreGone() throws Exception {
        String ns = cluster.namespace("gc-foreground");
        Chain chain = chain(ns);
        // one pod that cannot go yet: it holds a finalizer of its own
        String held = chain.pods().get(0).getMetadata().getName();
        client.pods().inNamespace(ns).withName(held).edit(p -> new PodBuilder(p).editMetadata().addToFinalizers("example.com/hold").endMetadata().build());

        client.apps().deployments().inNamespace(ns).withName("web").withPropagationPolicy(DeletionPropagation.FOREGROUND).delete();

        await("the free pod is deleted and the held one marked", () -> podCount(ns) == 1 && client.pods().inNamespace(ns).withName(held).get()
                .getMetadata().getDeletionTimestamp() != null);
        Deployment web = client.apps().deployments().inNamespace(ns).withName("web").get();
        assertThat(web).as("the Deployment waits for its ReplicaSet").isNotNull();
        assertThat(web.getMetadata().getFinalizers()).containsExactly("foregroundDeletion");
        assertThat(web.getMetadata().getDeletionTimestamp()).isNotNull();
        ReplicaSet rs = client.apps().replicaSets().inNamespace(ns).withName(chain.replicaSet().getMetadata().getName()).get();
        assertThat(rs).as("the ReplicaSet, having dependents, is deleted in the foreground too").isNotNull();
        assertThat(rs.getMetadata().getFinalizers()).containsExactly("foregroundDeletion");
        assertThat(rs.getMetadata().getDeletionTimestamp()).isNotNull();

        client.pods().inNamespace(ns).withName(held).edit(p -> new PodBuilder(p).editMetadata().withFinalizers().endMetadata().build());

        await("the whole chain is gone", () -> deploymentGone(ns) && replicaSetCount(ns) == 0 && podCount(ns) == 0);
    }

    @Test
    void orphanDeletionReleasesTheDependents() throws Exception {
        String ns = cluster.namespace("gc-orphan");
        Chain chain = chain(ns);

        client.apps().deployments().inNamespace(ns).withName("web").withPropagationPolicy(DeletionPropagation.ORPHAN).delete();

        await("the Deployment is gone", () -> deploymentGone(ns));
        ReplicaSet rs = client.apps().replicaSets().inNamespace(ns).withName(chain.replicaSet().getMetadata().getName()).get();
        assertThat(rs).isNotNull();
        assertThat(rs.getMetadata().getOwnerReferences()).as("no longer owned").isEmpty();
        assertThat(rs.getMetadata().getDeletionTimestamp()).isNull();
        List<Pod> pods = client.pods().inNamespace(ns).list().getItems();
        assertThat(pods).extracting(p -> p.getMetadata().getName())
                .containsExactlyInAnyOrderElementsOf(chain.pods().stream().map(p -> p.getMetadata().getName()).toList());
        assertThat(pods).allSatisfy(p -> assertThat(p.getMetadata().getOwnerReferences())
                .extracting(OwnerReference::getUid).containsExactly(rs.getMetadata().getUid()));
        // and they stay: nothing collects them afterwards
        Thread.sleep(300);
        assertThat(podCount(ns)).isEqualTo(2);
        assertThat(replicaSetCount(ns)).isEqualTo(1);
    }

    @Test
    void aDependentOfAnOwnerThatNeverExistedOrWasReplacedIsCollected() throws Exception {
        String ns = cluster.namespace("gc-dangling");
        ConfigMap owner = client.configMaps().inNamespace(ns).resource(new ConfigMapBuilder()
                .withNewMetadata().withName("owner").endMetadata().build()).create();
        OwnerReference stale = new OwnerReferenceBuilder().withApiVersion("v1").withKind("ConfigMap").withName("owner")
                .withUid("00000000-0000-0000-0000-000000000001").build();
        OwnerReference missing = new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("ReplicaSet").withName("nowhere")
                .withUid("00000000-0000-0000-0000-000000000002").build();
        client.configMaps().inNamespace(ns).resource(new ConfigMapBuilder()
                .withNewMetadata().withName("of-a-replaced-owner").withOwnerReferences(stale).endMetadata().build()).create();
        client.configMaps().inNamespace(ns).resource(new ConfigMapBuilder()
                .withNewMetadata().withName("of-a-missing-owner").withOwnerReferences(missing).endMetadata().build()).create();
        client.configMaps().inNamespace(ns).resource(new ConfigMapBuilder()
                .withNewMetadata().withName("still-owned").withOwnerReferences(controllerRef(owner), missing).endMetadata().build()).create();

        await("the dependents without a live owner are collected",
                () -> client.configMaps().inNamespace(ns).withName("of-a-replaced-owner").get() == null
                        && client.configMaps().inNamespace(ns).withName("of-a-missing-owner").get() == null);
        await("the dangling reference of the one still owned is removed", () -> client.configMaps().inNamespace(ns)
                .withName("still-owned").get().getMetadata().getOwnerReferences().size() == 1);
        assertThat(client.configMaps().inNamespace(ns).withName("still-owned").get().getMetadata().getOwnerReferences())
                .extracting(OwnerReference::getUid).containsExactly(owner.getMetadata().getUid());
    }

    // ---- through kubectl --------------------------------------------------------------------

    private String kubectl(String... args) {
        assumeTrue(Cluster.kubectlAvailable(), "kubectl is not installed at " + Cluster.KUBECTL);
        return cluster.kubectl(args).outOrFail();
    }

    @Test
    void kubectlDeleteDeploymentCascadesInTheBackground() throws Exception {
        String ns = cluster.namespace("kubectl-background");
        chain(ns);

        assertThat(kubectl("delete", "deployment", "web", "-n", ns)).contains("deployment.apps \"web\" deleted");

        await("its ReplicaSets and their pods are deleted", () -> replicaSetCount(ns) == 0 && podCount(ns) == 0);
    }

    @Test
    void kubectlDeleteWithCascadeOrphanLeavesTheReplicaSetsAndPods() throws Exception {
        String ns = cluster.namespace("kubectl-orphan");
        chain(ns);

        assertThat(kubectl("delete", "deployment", "web", "-n", ns, "--cascade=orphan")).contains("deployment.apps \"web\" deleted");

        assertThat(deploymentGone(ns)).as("kubectl waited for the Deployment to go").isTrue();
        assertThat(replicaSetCount(ns)).isEqualTo(1);
        assertThat(podCount(ns)).isEqualTo(2);
        assertThat(kubectl("get", "rs", "-n", ns, "-o", "jsonpath={.items[0].metadata.ownerReferences}")).isBlank();
    }

    @Test
    void kubectlDeleteWithCascadeForegroundRemovesPodsAndReplicaSetsBeforeTheDeployment() throws Exception {
        String ns = cluster.namespace("kubectl-foreground");
        chain(ns);

        assertThat(kubectl("delete", "deployment", "web", "-n", ns, "--cascade=foreground")).contains("deployment.apps \"web\" deleted");

        // kubectl returns once the Deployment is gone; by then its dependents are gone already
        assertThat(deploymentGone(ns)).isTrue();
        assertThat(replicaSetCount(ns)).isZero();
        assertThat(podCount(ns)).isZero();
    }
}
