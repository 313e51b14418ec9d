package dev.coracle.server.controller.deployment;

import dev.coracle.server.controller.replicaset.Cluster;
import dev.coracle.server.controller.replicaset.Kubelet;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** kubectl's workload verbs against the Deployment controller: scale, rollout status/pause/resume/restart, progress deadline. */
class RolloutKubectlTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private final Cluster cluster = Cluster.get();
    private final KubernetesClient client = cluster.client();

    @BeforeAll
    static void needsKubectl() {
        assumeTrue(Cluster.kubectlAvailable(), "needs " + Cluster.KUBECTL);
    }

    private Deployment deployment(String ns) {
        return client.apps().deployments().inNamespace(ns).withName("web").get();
    }

    private List<ReplicaSet> replicaSets(String ns) {
        return client.apps().replicaSets().inNamespace(ns).list().getItems();
    }

    private DeploymentCondition condition(String ns, String type) {
        Deployment d = deployment(ns);
        return d.getStatus() == null || d.getStatus().getConditions() == null ? null
                : d.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
    }

    private List<String> events(String ns, String reason) {
        return client.v1().events().inNamespace(ns).list().getItems().stream()
                .filter(e -> reason.equals(e.getReason())).map(Event::getMessage).toList();
    }

    @Test
    void kubectlScaleUpAndDown() {
        String ns = cluster.namespace("scale");
        try (Kubelet ignored = new Kubelet(client, ns, Duration.ofMillis(100))) {
            cluster.kubectl("create", "deployment", "web", "--image=nginx:1.25", "-n", ns).outOrFail();
            assertThat(cluster.kubectl("rollout", "status", "deployment/web", "-n", ns, "--timeout=60s").outOrFail())
                    .endsWith("deployment \"web\" successfully rolled out\n");
            String rs = replicaSets(ns).get(0).getMetadata().getName();

            assertThat(cluster.kubectl("scale", "deployment/web", "--replicas=4", "-n", ns).outOrFail()).isEqualTo("deployment.apps/web scaled\n");
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(deployment(ns).getStatus().getAvailableReplicas()).isEqualTo(4);
                assertThat(client.pods().inNamespace(ns).list().getItems()).hasSize(4);
            });
            assertThat(cluster.kubectl("scale", "deployment/web", "--replicas=1", "-n", ns).outOrFail()).isEqualTo("deployment.apps/web scaled\n");
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(client.pods().inNamespace(ns).list().getItems()).hasSize(1);
                assertThat(deployment(ns).getStatus().getReplicas()).isEqualTo(1);
            });
            assertThat(replicaSets(ns)).hasSize(1);
            assertThat(events(ns, "ScalingReplicaSet")).contains("Scaled up replica set " + rs + " from 0 to 1",
                    "Scaled up replica set " + rs + " from 1 to 4", "Scaled down replica set " + rs + " from 4 to 1");
            assertThat(replicaSets(ns).get(0).getMetadata().getAnnotations())
                    .containsEntry("deployment.kubernetes.io/desired-replicas", "1").containsEntry("deployment.kubernetes.io/max-replicas", "2");
            assertThat(condition(ns, "Available").getReason()).isEqualTo("MinimumReplicasAvailable");
            assertThat(condition(ns, "Progressing").getReason()).isEqualTo("NewReplicaSetAvailable");
            assertThat(condition(ns, "Progressing").getMessage()).isEqualTo("ReplicaSet \"" + rs + "\" has successfully progressed.");
        }
    }

    @Test
    void pausedDeploymentsDoNotRollButStillScaleAndResumeRollsThem() {
        String ns = cluster.namespace("pause");
        try (Kubelet ignored = new Kubelet(client, ns, Duration.ofMillis(100))) {
            cluster.kubectl("create", "deployment", "web", "--image=nginx:1.25", "--replicas=2", "-n", ns).outOrFail();
            cluster.kubectl("rollout", "status", "deployment/web", "-n", ns, "--timeout=60s").outOrFail();

            assertThat(cluster.kubectl("rollout", "pause", "deployment/web", "-n", ns).outOrFail()).isEqualTo("deployment.apps/web paused\n");
            await().atMost(WAIT).until(() -> condition(ns, "Progressing"), c -> c != null && "DeploymentPaused".equals(c.getReason()));
            cluster.kubectl("set", "image", "deployment/web", "nginx=nginx:1.26", "-n", ns).outOrFail();
            cluster.kubectl("scale", "deployment/web", "--replicas=3", "-n", ns).outOrFail();
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(deployment(ns).getStatus().getObservedGeneration()).isEqualTo(deployment(ns).getMetadata().getGeneration());
                assertThat(deployment(ns).getStatus().getAvailableReplicas()).isEqualTo(3);
            });
            assertThat(replicaSets(ns)).as("no rollout while paused").hasSize(1);
            assertThat(client.pods().inNamespace(ns).list().getItems()).hasSize(3)
                    .allSatisfy(p -> assertThat(p.getSpec().getContainers().get(0).getImage()).isEqualTo("nginx:1.25"));
            assertThat(condition(ns, "Progressing").getStatus()).isEqualTo("Unknown");

            assertThat(cluster.kubectl("rollout", "resume", "deployment/web", "-n", ns).outOrFail()).isEqualTo("deployment.apps/web resumed\n");
            assertThat(cluster.kubectl("rollout", "status", "deployment/web", "-n", ns, "--timeout=60s").outOrFail())
                    .endsWith("deployment \"web\" successfully rolled out\n");
            assertThat(client.pods().inNamespace(ns).list().getItems()).hasSize(3)
                    .allSatisfy(p -> assertThat(p.getSpec().getContainers().get(0).getImage()).isEqualTo("nginx:1.26"));
            assertThat(replicaSets(ns)).hasSize(2);
        }
    }

    @Test
    void rolloutRestartRollsANewReplicaSetAndOldOnesArePrunedToTheHistoryLimit() {
        String ns = cluster.namespace("restart");
        try (Kubelet ignored = new Kubelet(client, ns, Duration.ofMillis(100))) {
            cluster.kubectl("create", "deployment", "web", "--image=nginx:1.25", "-n", ns).outOrFail();
            cluster.kubectl("patch", "deployment/web", "-n", ns, "-p", "{\"spec\":{\"revisionHistoryLimit\":1}}").outOrFail();
            cluster.kubectl("rollout", "status", "deployment/web", "-n", ns, "--timeout=60s").outOrFail();
            for (int i = 0; i < 2; i++) {
                assertThat(cluster.kubectl("rollout", "restart", "deployment/web", "-n", ns).outOrFail()).isEqualTo("deployment.apps/web restarted\n");
                cluster.kubectl("rollout", "status", "deployment/web", "-n", ns, "--timeout=60s").outOrFail();
                // restarts within the same second carry the same timestamp: let the clock move on
                Thread.sleep(1100);
            }
            await().atMost(WAIT).untilAsserted(() -> assertThat(replicaSets(ns)).hasSize(2));
            assertThat(replicaSets(ns).stream().map(rs -> rs.getMetadata().getAnnotations().get("deployment.kubernetes.io/revision")))
                    .containsExactlyInAnyOrder("2", "3");
            assertThat(client.pods().inNamespace(ns).list().getItems()).singleElement().satisfies(p ->
                    assertThat(p.getMetadata().getAnnotations()).containsKey("kubectl.kubernetes.io/restartedAt"));
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aRolloutThatMakesNoProgressExceedsItsDeadline() {
        String ns = cluster.namespace("deadline");
        // this kubelet never gets the new pods ready
        try (Kubelet ignored = new Kubelet(client, ns, Duration.ofMillis(100),
                p -> "nginx:broken".equals(p.getSpec().getContainers().get(0).getImage()))) {
            cluster.kubectl("create", "deployment", "web", "--image=nginx:1.25", "--replicas=2", "-n", ns).outOrFail();
            cluster.kubectl("patch", "deployment/web", "-n", ns, "-p", "{\"spec\":{\"progressDeadlineSeconds\":2}}").outOrFail();
            cluster.kubectl("rollout", "status", "deployment/web", "-n", ns, "--timeout=60s").outOrFail();

            cluster.kubectl("set", "image", "deployment/web", "nginx=nginx:broken", "-n", ns).outOrFail();

            Cluster.Result status = cluster.kubectl("rollout", "status", "deployment/web", "-n", ns, "--timeout=60s");
            assertThat(status.exitCode()).isNotZero();
            assertThat(status.err()).contains("deployment \"web\" exceeded its progress deadline");
            DeploymentCondition progressing = condition(ns, "Progressing");
            assertThat(progressing.getStatus()).isEqualTo("False");
            assertThat(progressing.getReason()).isEqualTo("ProgressDeadlineExceeded");
            assertThat(progressing.getMessage()).matches("ReplicaSet \"web-\\w+\" has timed out progressing\\.");
            // the old pods stay: maxUnavailable 0 of 2 replicas
            assertThat(deployment(ns).getStatus().getAvailableReplicas()).isEqualTo(2);
            assertThat(condition(ns, "Available").getStatus()).isEqualTo("True");
            assertThat(Objects.requireNonNull(deployment(ns).getStatus().getUnavailableReplicas())).isEqualTo(1);
        }
    }

    @Test
    void scalingInTheMiddleOfARolloutSpreadsTheNewReplicasInProportion() {
        // Kubernetes' documented example: 10 replicas, maxSurge 3, maxUnavailable 2, a bad image, then scaled to 15
        String ns = cluster.namespace("proportional");
        try (Kubelet ignored = new Kubelet(client, ns, Duration.ofMillis(50),
                p -> "nginx:broken".equals(p.getSpec().getContainers().get(0).getImage()))) {
            cluster.kubectl("create", "deployment", "web", "--image=nginx:1.25", "--replicas=10", "-n", ns).outOrFail();
            cluster.kubectl("patch", "deployment/web", "-n", ns, "-p",
                    "{\"spec\":{\"strategy\":{\"rollingUpdate\":{\"maxSurge\":3,\"maxUnavailable\":2}}}}").outOrFail();
            cluster.kubectl("rollout", "status", "deployment/web", "-n", ns, "--timeout=60s").outOrFail();
            String old = replicaSets(ns).get(0).getMetadata().getName();

            cluster.kubectl("set", "image", "deployment/web", "nginx=nginx:broken", "-n", ns).outOrFail();
            await().atMost(WAIT).untilAsserted(() -> assertThat(replicaSets(ns)).hasSize(2).allSatisfy(rs -> assertThat(rs.getSpec().getReplicas())
                    .isEqualTo(rs.getMetadata().getName().equals(old) ? 8 : 5)));

            cluster.kubectl("scale", "deployment/web", "--replicas=15", "-n", ns).outOrFail();

            await().atMost(WAIT).untilAsserted(() -> assertThat(replicaSets(ns)).hasSize(2).allSatisfy(rs -> {
                assertThat(rs.getSpec().getReplicas()).isEqualTo(rs.getMetadata().getName().equals(old) ? 11 : 7);
                assertThat(rs.getMetadata().getAnnotations()).containsEntry("deployment.kubernetes.io/desired-replicas", "15")
                        .containsEntry("deployment.kubernetes.io/max-replicas", "18");
            }));
            await().atMost(WAIT).until(() -> deployment(ns).getStatus().getAvailableReplicas(), a -> Objects.equals(a, 11));
        }
    }
}
