package dev.coracle.server.controller.deployment;

import dev.coracle.server.controller.replicaset.Cluster;
import dev.coracle.server.controller.replicaset.Kubelet;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The seed's chapter 3.5 with the real kubectl: a Deployment of two replicas gets a new image and rolls without
 * ever dropping below two available pods or going above three; {@code rollout history} shows both revisions;
 * {@code rollout undo} brings the first ReplicaSet back.
 */
class DeploymentRollingUpdateTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private final Cluster cluster = Cluster.get();
    private final KubernetesClient client = cluster.client();

    @BeforeAll
    static void needsKubectl() {
        assumeTrue(Cluster.kubectlAvailable(), "needs " + Cluster.KUBECTL);
    }

    /** {@code kubectl get rs} as NAME -> "DESIRED CURRENT READY". */
    private Map<String, String> getRs(String ns) {
        String out = cluster.kubectl("get", "rs", "-n", ns, "--no-headers").outOrFail();
        Map<String, String> rows = new LinkedHashMap<>();
        for (String line : out.strip().split("\n")) {
            String[] cells = line.trim().split("\\s+");
            rows.put(cells[0], cells[1] + " " + cells[2] + " " + cells[3]);
        }
        return rows;
    }

    private List<ReplicaSet> replicaSets(String ns) {
        return client.apps().replicaSets().inNamespace(ns).list().getItems();
    }

    @Test
    void aNewImageRollsOutWithTwoPodsAlwaysAvailableAndNeverMoreThanThreeThenUndoBringsTheFirstReplicaSetBack() {
        String ns = cluster.namespace("seed");
        try (Kubelet ignored = new Kubelet(client, ns, Duration.ofMillis(300))) {
            assertThat(cluster.kubectl("create", "deployment", "web", "--image=nginx:1.25", "--replicas=2", "-n", ns).outOrFail())
                    .isEqualTo("deployment.apps/web created\n");
            assertThat(cluster.kubectl("rollout", "status", "deployment/web", "-n", ns, "--timeout=60s").outOrFail())
                    .endsWith("deployment \"web\" successfully rolled out\n");
            String first = replicaSets(ns).get(0).getMetadata().getName();
            assertThat(first).matches("web-[bcdfghjklmnpqrstvwxz2456789]+");

            String second;
            try (PodRecorder recorder = new PodRecorder(client, ns)) {
                cluster.kubectl("set", "image", "deployment/web", "nginx=nginx:1.26", "-n", ns).outOrFail();
                assertThat(cluster.kubectl("rollout", "status", "deployment/web", "-n", ns, "--timeout=60s").outOrFail())
                        .endsWith("deployment \"web\" successfully rolled out\n");
                await().atMost(WAIT).until(() -> recorder.moments().get(recorder.moments().size() - 1).pods() == 2);
                List<PodRecorder.Moment> moments = recorder.moments();
                assertThat(moments).as("the rollout made and removed pods").hasSizeGreaterThan(6);
                assertThat(moments).as("available pods at every moment").allSatisfy(m -> assertThat(m.available()).isGreaterThanOrEqualTo(2));
                assertThat(moments).as("pods at every moment").allSatisfy(m -> assertThat(m.pods()).isLessThanOrEqualTo(3));
                assertThat(moments).anySatisfy(m -> assertThat(m.pods()).isEqualTo(3));
            }
            second = replicaSets(ns).stream().map(rs -> rs.getMetadata().getName()).filter(n -> !n.equals(first)).findFirst().orElseThrow();

            await().atMost(WAIT).untilAsserted(() -> assertThat(getRs(ns)).containsEntry(second, "2 2 2").containsEntry(first, "0 0 0").hasSize(2));
            assertThat(history(ns)).containsExactly(Map.entry("1", "<none>"), Map.entry("2", "<none>"));
            assertThat(revision(ns, first)).isEqualTo("1");
            assertThat(revision(ns, second)).isEqualTo("2");
            assertThat(client.apps().deployments().inNamespace(ns).withName("web").get().getMetadata().getAnnotations())
                    .containsEntry("deployment.kubernetes.io/revision", "2");

            List<String> scaling = client.v1().events().inNamespace(ns).list().getItems().stream()
                    .filter(e -> "ScalingReplicaSet".equals(e.getReason())).map(Event::getMessage).toList();
            assertThat(scaling).contains("Scaled up replica set " + first + " from 0 to 2", "Scaled up replica set " + second + " from 0 to 1",
                    "Scaled down replica set " + first + " from 2 to 1", "Scaled up replica set " + second + " from 1 to 2",
                    "Scaled down replica set " + first + " from 1 to 0");

            assertThat(cluster.kubectl("rollout", "undo", "deployment/web", "-n", ns).outOrFail()).isEqualTo("deployment.apps/web rolled back\n");
            assertThat(cluster.kubectl("rollout", "status", "deployment/web", "-n", ns, "--timeout=60s").outOrFail())
                    .endsWith("deployment \"web\" successfully rolled out\n");
            await().atMost(WAIT).untilAsserted(() -> assertThat(getRs(ns)).containsEntry(first, "2 2 2").containsEntry(second, "0 0 0").hasSize(2));
            assertThat(revision(ns, first)).isEqualTo("3");
            assertThat(annotation(ns, first, "deployment.kubernetes.io/revision-history")).isEqualTo("1");
            assertThat(client.pods().inNamespace(ns).list().getItems()).allSatisfy(p ->
                    assertThat(p.getSpec().getContainers().get(0).getImage()).isEqualTo("nginx:1.25"));
            assertThat(history(ns)).containsOnlyKeys("2", "3");
        }
    }

    /** {@code kubectl rollout history} as REVISION -> CHANGE-CAUSE, in the order printed. */
    private Map<String, String> history(String ns) {
        String out = cluster.kubectl("rollout", "history", "deployment/web", "-n", ns).outOrFail();
        assertThat(out).contains("REVISION  CHANGE-CAUSE\n");
        Map<String, String> rows = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            var m = java.util.regex.Pattern.compile("^(\\d+)\\s+(.*?)\\s*$").matcher(line);
            if (m.matches()) {
                rows.put(m.group(1), m.group(2));
            }
        }
        return rows;
    }

    private String revision(String ns, String rs) {
        return annotation(ns, rs, "deployment.kubernetes.io/revision");
    }

    private String annotation(String ns, String rs, String key) {
        return client.apps().replicaSets().inNamespace(ns).withName(rs).get().getMetadata().getAnnotations().get(key);
    }

    @Test
    void undoToARevisionAndChangeCausesInTheHistory() {
        String ns = cluster.namespace("undo");
        try (Kubelet ignored = new Kubelet(client, ns, Duration.ofMillis(100))) {
            cluster.kubectl("create", "deployment", "web", "--image=nginx:1.24", "-n", ns).outOrFail();
            cluster.kubectl("annotate", "deployment/web", "kubernetes.io/change-cause=first", "-n", ns).outOrFail();
            cluster.kubectl("rollout", "status", "deployment/web", "-n", ns, "--timeout=60s").outOrFail();
            for (String version : List.of("1.25", "1.26")) {
                cluster.kubectl("set", "image", "deployment/web", "nginx=nginx:" + version, "-n", ns).outOrFail();
                cluster.kubectl("annotate", "--overwrite", "deployment/web", "kubernetes.io/change-cause=image " + version, "-n", ns).outOrFail();
                cluster.kubectl("rollout", "status", "deployment/web", "-n", ns, "--timeout=60s").outOrFail();
            }
            assertThat(history(ns)).containsExactly(Map.entry("1", "first"), Map.entry("2", "image 1.25"), Map.entry("3", "image 1.26"));

            assertThat(cluster.kubectl("rollout", "undo", "deployment/web", "--to-revision=1", "-n", ns).outOrFail())
                    .isEqualTo("deployment.apps/web rolled back\n");
            cluster.kubectl("rollout", "status", "deployment/web", "-n", ns, "--timeout=60s").outOrFail();
            await().atMost(WAIT).untilAsserted(() -> assertThat(client.pods().inNamespace(ns).list().getItems()).singleElement()
                    .satisfies(p -> assertThat(p.getSpec().getContainers().get(0).getImage()).isEqualTo("nginx:1.24")));
            assertThat(replicaSets(ns)).hasSize(3);
            assertThat(client.apps().deployments().inNamespace(ns).withName("web").get().getMetadata().getAnnotations())
                    .containsEntry("kubernetes.io/change-cause", "first").containsEntry("deployment.kubernetes.io/revision", "4");
            assertThat(history(ns)).containsExactly(Map.entry("2", "image 1.25"), Map.entry("3", "image 1.26"), Map.entry("4", "first"));
            ReplicaSet rolledBack = replicaSets(ns).stream().filter(rs -> Objects.equals(
                    rs.getSpec().getTemplate().getSpec().getContainers().get(0).getImage(), "nginx:1.24")).findFirst().orElseThrow();
            assertThat(rolledBack.getSpec().getReplicas()).isEqualTo(1);
        }
    }
}
