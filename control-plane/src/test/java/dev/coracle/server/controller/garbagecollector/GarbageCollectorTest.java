package dev.coracle.server.controller.garbagecollector;

import dev.coracle.server.testing.TestServer;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Cascading deletion on a real server: the three propagation policies, through the API and through kubectl. */
class GarbageCollectorTest {

    private static final Path KUBECTL = Path.of("/usr/bin/kubectl");
    private static final Duration WAIT = Duration.ofSeconds(20);

    private static TestServer server;
    private static KubernetesClient client;

    @TempDir
    Path home;

    @BeforeAll
    static void start() {
        server = TestServer.embedded();
        client = server.client();
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    // ---- an owner chain as the Deployment and ReplicaSet controllers make it ----------------

    record Chain(Deployment deployment, ReplicaSet replicaSet, List<Pod> pods) {
    }

    private static void namespace(String ns) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
    }

    private static OwnerReference controllerRef(HasMetadata owner) {
        return new OwnerReferenceBuilder().withApiVersion(owner.getApiVersion()).withKind(owner.getKind())
                .withName(owner.getMetadata().getName()).withUid(owner.getMetadata().getUid())
                .withController(true).withBlockOwnerDeletion(true).build();
    }

    private static PodTemplateSpec template(Map<String, String> labels) {
        return new PodTemplateSpecBuilder().withNewMetadata().withLabels(labels).endMetadata()
                .withNewSpec().addNewContainer().withName("nginx").withImage("nginx:1.25").endContainer().endSpec().build();
    }

    /** Deployment web → ReplicaSet web-5d4f8c7b9 → two pods, each reference controller and blocking. */
    private static Chain chain(String ns) {
        Map<String, String> labels = Map.of("app", "web");
        Deployment web = client.apps().deployments().inNamespace(ns).resource(new DeploymentBuilder()
                .withNewMetadata().withName("web").withLabels(labels).endMetadata()
                .withNewSpec().withReplicas(2).withNewSelector().withMatchLabels(labels).endSelector()
                .withTemplate(template(labels)).endSpec().build()).create();
        Map<String, String> hashed = Map.of("app", "web", "pod-template-hash", "5d4f8c7b9");
        ReplicaSet rs = client.apps().replicaSets().inNamespace(ns).resource(new ReplicaSetBuilder()
                .withNewMetadata().withName("web-5d4f8c7b9").withLabels(hashed).withOwnerReferences(controllerRef(web)).endMetadata()
                .withNewSpec().withReplicas(2).withNewSelector().withMatchLabels(hashed).endSelector()
                .withTemplate(template(hashed)).endSpec().build()).create();
        List<Pod> pods = new ArrayList<>();
        for (String suffix : List.of("x7k2p", "q9m4z")) {
            pods.add(client.pods().inNamespace(ns).resource(new PodBuilder()
                    .withNewMetadata().withName("web-5d4f8c7b9-" + suffix).withLabels(hashed).withOwnerReferences(controllerRef(rs)).endMetadata()
                    .withSpec(template(hashed).getSpec()).build()).create());
        }
        return new Chain(web, rs, pods);
    }

    private static int podCount(String ns) {
        return client.pods().inNamespace(ns).list().getItems().size();
    }

    private static int replicaSetCount(String ns) {
        return client.apps().replicaSets().inNamespace(ns).list().getItems().size();
    }

    private static boolean deploymentGone(String ns) {
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
        namespace("gc-background");
        chain("gc-background");

        client.apps().deployments().inNamespace("gc-background").withName("web")
                .withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();

        assertThat(deploymentGone("gc-background")).as("the owner goes at once").isTrue();
        await("the ReplicaSet and its pods are collected",
                () -> replicaSetCount("gc-background") == 0 && podCount("gc-background") == 0);
    }

    @Test
    void foregroundDeletionHoldsTheOwnerUntilBlockingDependentsAreGone() throws Exception {
        String ns = "gc-foreground";
        namespace(ns);
        Chain chain = chain(ns);
        // one pod that cannot go yet: it holds a finalizer of its own
        String held = chain.pods().get(0).getMetadata().getName();
        client.pods().inNamespace(ns).withName(held).edit(p -> new PodBuilder(p).editMetadata().addToFinalizers("example.com/hold").endMetadata().build());

        client.apps().deployments().inNamespace(ns).withName("web").withPropagationPolicy(DeletionPropagation.FOREGROUND).delete();

        await("the free pod is deleted", () -> podCount(ns) == 1 && client.pods().inNamespace(ns).withName(held).get()
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
        String ns = "gc-orphan";
        namespace(ns);
        Chain chain = chain(ns);

        client.apps().deployments().inNamespace(ns).withName("web").withPropagationPolicy(DeletionPropagation.ORPHAN).delete();

        await("the Deployment is gone", () -> deploymentGone(ns));
        ReplicaSet rs = client.apps().replicaSets().inNamespace(ns).withName(chain.replicaSet().getMetadata().getName()).get();
        assertThat(rs).isNotNull();
        assertThat(rs.getMetadata().getOwnerReferences()).as("no longer owned").isEmpty();
        assertThat(rs.getMetadata().getDeletionTimestamp()).isNull();
        List<Pod> pods = client.pods().inNamespace(ns).list().getItems();
        assertThat(pods).hasSize(2).allSatisfy(p -> assertThat(p.getMetadata().getOwnerReferences())
                .extracting(OwnerReference::getUid).containsExactly(rs.getMetadata().getUid()));
        // and they stay: nothing collects them afterwards
        Thread.sleep(300);
        assertThat(podCount(ns)).isEqualTo(2);
        assertThat(replicaSetCount(ns)).isEqualTo(1);
    }

    @Test
    void aDependentOfAnOwnerThatNeverExistedOrWasReplacedIsCollected() throws Exception {
        String ns = "gc-dangling";
        namespace(ns);
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

    private String kubectl(String... args) throws IOException, InterruptedException {
        assumeTrue(Files.isExecutable(KUBECTL), "kubectl is not installed at " + KUBECTL);
        List<String> command = new ArrayList<>(List.of(KUBECTL.toString(), "--kubeconfig=" + server.kubeconfig(),
                "--cache-dir=" + home.resolve("cache"), "--request-timeout=30s"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("HOME", home.toString());
        builder.redirectErrorStream(true);
        Path out = home.resolve("out");
        builder.redirectOutput(out.toFile());
        Process process = builder.start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("kubectl " + String.join(" ", args) + " did not finish in 60s: " + Files.readString(out));
        }
        String output = Files.readString(out);
        assertThat(process.exitValue()).as("kubectl %s: %s", String.join(" ", args), output).isZero();
        return output;
    }

    @Test
    void kubectlDeleteDeploymentCascadesInTheBackground() throws Exception {
        String ns = "kubectl-background";
        namespace(ns);
        chain(ns);

        assertThat(kubectl("delete", "deployment", "web", "-n", ns)).contains("deployment.apps \"web\" deleted");

        await("its ReplicaSets and their pods are deleted", () -> replicaSetCount(ns) == 0 && podCount(ns) == 0);
    }

    @Test
    void kubectlDeleteWithCascadeOrphanLeavesTheReplicaSetsAndPods() throws Exception {
        String ns = "kubectl-orphan";
        namespace(ns);
        chain(ns);

        assertThat(kubectl("delete", "deployment", "web", "-n", ns, "--cascade=orphan")).contains("deployment.apps \"web\" deleted");

        assertThat(deploymentGone(ns)).as("kubectl waited for the Deployment to go").isTrue();
        assertThat(replicaSetCount(ns)).isEqualTo(1);
        assertThat(podCount(ns)).isEqualTo(2);
        assertThat(kubectl("get", "rs", "-n", ns, "-o", "jsonpath={.items[0].metadata.ownerReferences}")).isBlank();
    }

    @Test
    void kubectlDeleteWithCascadeForegroundRemovesPodsAndReplicaSetsBeforeTheDeployment() throws Exception {
        String ns = "kubectl-foreground";
        namespace(ns);
        chain(ns);

        assertThat(kubectl("delete", "deployment", "web", "-n", ns, "--cascade=foreground")).contains("deployment.apps \"web\" deleted");

        // kubectl returns once the Deployment is gone; by then its dependents are gone already
        assertThat(deploymentGone(ns)).isTrue();
        assertThat(replicaSetCount(ns)).isZero();
        assertThat(podCount(ns)).isZero();
    }
}
