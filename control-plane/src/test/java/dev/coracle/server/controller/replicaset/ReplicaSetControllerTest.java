package dev.coracle.server.controller.replicaset;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The ReplicaSet controller against a real control plane; the test plays the kubelet. */
class ReplicaSetControllerTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private final Cluster cluster = Cluster.get();
    private final KubernetesClient client = cluster.client();

    private static ReplicaSet replicaSet(String name, int replicas) {
        return new ReplicaSetBuilder()
                .withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withReplicas(replicas)
                .withNewSelector().addToMatchLabels("app", name).endSelector()
                .withNewTemplate()
                .withNewMetadata().addToLabels("app", name).addToLabels("tier", "web").addToAnnotations("note", "from-template").endMetadata()
                .withNewSpec().addNewContainer().withName("web").withImage("nginx:1.25").endContainer().endSpec()
                .endTemplate().endSpec().build();
    }

    private List<Pod> pods(String ns, String app) {
        return client.pods().inNamespace(ns).withLabel("app", app).list().getItems();
    }

    private List<Pod> activePods(String ns, String app) {
        return pods(ns, app).stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
    }

    private ReplicaSet rs(String ns, String name) {
        return client.apps().replicaSets().inNamespace(ns).withName(name).get();
    }

    private void scale(String ns, String name, int replicas) {
        client.apps().replicaSets().inNamespace(ns).withName(name).edit(r -> {
            r.getSpec().setReplicas(replicas);
            return r;
        });
    }

    @Test
    void aReplicaSetCreatesPodsFromItsTemplateOwnsThemAndReportsThemInItsStatus() {
        String ns = cluster.namespace("rs-create");
        try (Kubelet ignored = new Kubelet(client, ns, Duration.ofMillis(200))) {
            ReplicaSet created = client.apps().replicaSets().inNamespace(ns).resource(replicaSet("web", 3)).create();

            await().atMost(WAIT).untilAsserted(() -> {
                ReplicaSet rs = rs(ns, "web");
                assertThat(rs.getStatus().getReplicas()).isEqualTo(3);
                assertThat(rs.getStatus().getFullyLabeledReplicas()).isEqualTo(3);
                assertThat(rs.getStatus().getReadyReplicas()).isEqualTo(3);
                assertThat(rs.getStatus().getAvailableReplicas()).isEqualTo(3);
                assertThat(rs.getStatus().getObservedGeneration()).isEqualTo(1L);
            });
            List<Pod> pods = pods(ns, "web");
            assertThat(pods).hasSize(3);
            for (Pod pod : pods) {
                assertThat(pod.getMetadata().getName()).matches("web-[bcdfghjklmnpqrstvwxz2456789]{5}");
                assertThat(pod.getMetadata().getGenerateName()).isEqualTo("web-");
                assertThat(pod.getMetadata().getLabels()).containsEntry("app", "web").containsEntry("tier", "web");
                assertThat(pod.getMetadata().getAnnotations()).containsEntry("note", "from-template");
                assertThat(pod.getSpec().getContainers().get(0).getImage()).isEqualTo("nginx:1.25");
                OwnerReference ref = pod.getMetadata().getOwnerReferences().get(0);
                assertThat(ref.getKind()).isEqualTo("ReplicaSet");
                assertThat(ref.getApiVersion()).isEqualTo("apps/v1");
                assertThat(ref.getName()).isEqualTo("web");
                assertThat(ref.getUid()).isEqualTo(created.getMetadata().getUid());
                assertThat(ref.getController()).isTrue();
                assertThat(ref.getBlockOwnerDeletion()).isTrue();
            }
            Set<String> messages = events(ns, "web", "SuccessfulCreate");
            assertThat(messages).containsExactlyInAnyOrderElementsOf(
                    pods.stream().map(p -> "Created pod: " + p.getMetadata().getName()).toList());
        }
    }

    private Set<String> events(String ns, String involved, String reason) {
        return client.v1().events().inNamespace(ns).list().getItems().stream()
                .filter(e -> involved.equals(e.getInvolvedObject().getName()) && reason.equals(e.getReason()))
                .map(Event::getMessage).collect(Collectors.toSet());
    }

    @Test
    void scalingUpAddsPodsAndScalingDownRemovesThem() {
        String ns = cluster.namespace("rs-scale");
        try (Kubelet ignored = new Kubelet(client, ns, Duration.ofMillis(100))) {
            client.apps().replicaSets().inNamespace(ns).resource(replicaSet("web", 1)).create();
            await().atMost(WAIT).until(() -> rs(ns, "web").getStatus().getReadyReplicas(), r -> Objects.equals(r, 1));

            scale(ns, "web", 5);
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(activePods(ns, "web")).hasSize(5);
                assertThat(rs(ns, "web").getStatus().getReadyReplicas()).isEqualTo(5);
                assertThat(rs(ns, "web").getStatus().getObservedGeneration()).isEqualTo(2L);
            });

            scale(ns, "web", 2);
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(pods(ns, "web")).hasSize(2);
                assertThat(rs(ns, "web").getStatus().getReplicas()).isEqualTo(2);
            });
            assertThat(events(ns, "web", "SuccessfulDelete")).hasSize(3).allMatch(m -> m.matches("Deleted pod: web-\\w{5}"));
            // and it stays there: no late creation from a stale cache
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> pods(ns, "web").size() == 2);
        }
    }

    @Test
    void aDeletedPodIsReplaced() {
        String ns = cluster.namespace("rs-heal");
        try (Kubelet ignored = new Kubelet(client, ns, Duration.ofMillis(100))) {
            client.apps().replicaSets().inNamespace(ns).resource(replicaSet("web", 2)).create();
            await().atMost(WAIT).until(() -> rs(ns, "web").getStatus().getReadyReplicas(), r -> Objects.equals(r, 2));
            String victim = pods(ns, "web").get(0).getMetadata().getName();

            client.pods().inNamespace(ns).withName(victim).delete();

            await().atMost(WAIT).untilAsserted(() -> {
                List<Pod> pods = pods(ns, "web");
                assertThat(pods).hasSize(2).noneMatch(p -> p.getMetadata().getName().equals(victim));
                assertThat(rs(ns, "web").getStatus().getReadyReplicas()).isEqualTo(2);
            });
        }
    }

    @Test
    void aHandMadePodWithTheSelectedLabelsIsAdoptedInsteadOfMakingAnother() {
        String ns = cluster.namespace("rs-adopt");
        try (Kubelet ignored = new Kubelet(client, ns, Duration.ofMillis(100))) {
            client.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName("hand-made").addToLabels("app", "web").endMetadata()
                    .withNewSpec().addNewContainer().withName("web").withImage("nginx:1.25").endContainer().endSpec().build()).create();
            await().atMost(WAIT).until(() -> Pods.isReady(client.pods().inNamespace(ns).withName("hand-made").get()));

            ReplicaSet created = client.apps().replicaSets().inNamespace(ns).resource(replicaSet("web", 2)).create();

            await().atMost(WAIT).untilAsserted(() -> {
                Pod adopted = client.pods().inNamespace(ns).withName("hand-made").get();
                assertThat(adopted.getMetadata().getOwnerReferences()).singleElement().satisfies(ref -> {
                    assertThat(ref.getUid()).isEqualTo(created.getMetadata().getUid());
                    assertThat(ref.getController()).isTrue();
                });
                assertThat(rs(ns, "web").getStatus().getReadyReplicas()).isEqualTo(2);
            });
            assertThat(pods(ns, "web")).hasSize(2);
            // the adopted pod lacks the template's tier label: it counts, but not as fully labeled
            assertThat(rs(ns, "web").getStatus().getFullyLabeledReplicas()).isEqualTo(1);
        }
    }

    @Test
    void aPodWhoseLabelsNoLongerMatchIsReleasedAndReplaced() {
        String ns = cluster.namespace("rs-release");
        try (Kubelet ignored = new Kubelet(client, ns, Duration.ofMillis(100))) {
            client.apps().replicaSets().inNamespace(ns).resource(replicaSet("web", 2)).create();
            await().atMost(WAIT).until(() -> rs(ns, "web").getStatus().getReadyReplicas(), r -> Objects.equals(r, 2));
            String released = pods(ns, "web").get(0).getMetadata().getName();

            client.pods().inNamespace(ns).withName(released).edit(p -> {
                p.getMetadata().getLabels().put("app", "debugging");
                return p;
            });

            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(client.pods().inNamespace(ns).withName(released).get().getMetadata().getOwnerReferences()).isNullOrEmpty();
                assertThat(pods(ns, "web")).hasSize(2).noneMatch(p -> p.getMetadata().getName().equals(released));
            });
        }
    }

    @Test
    void scalingDownDeletesNotReadyPodsBeforeReadyOnes() {
        String ns = cluster.namespace("rs-order");
        client.apps().replicaSets().inNamespace(ns).resource(replicaSet("web", 3)).create();
        await().atMost(WAIT).until(() -> pods(ns, "web").size() == 3);
        List<Pod> pods = pods(ns, "web");
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        for (Pod pod : pods.subList(0, 2)) {
            pod.getStatus().setPhase("Running");
            pod.getStatus().setConditions(List.of(new PodConditionBuilder().withType("Ready").withStatus("True").withLastTransitionTime(now).build()));
            client.pods().inNamespace(ns).resource(pod).updateStatus();
        }
        String notReady = pods.get(2).getMetadata().getName();
        await().atMost(WAIT).until(() -> rs(ns, "web").getStatus().getReadyReplicas(), r -> Objects.equals(r, 2));

        scale(ns, "web", 2);

        await().atMost(WAIT).untilAsserted(() -> assertThat(pods(ns, "web")).hasSize(2)
                .noneMatch(p -> p.getMetadata().getName().equals(notReady)));
    }

    @Test
    void terminatingPodsDoNotCountAndAreReplacedAtOnce() {
        String ns = cluster.namespace("rs-terminating");
        ReplicaSet held = replicaSet("web", 2);
        held.getSpec().getTemplate().getMetadata().setFinalizers(List.of("example.com/hold"));
        client.apps().replicaSets().inNamespace(ns).resource(held).create();
        await().atMost(WAIT).until(() -> pods(ns, "web").size() == 2);
        String victim = pods(ns, "web").get(0).getMetadata().getName();

        client.pods().inNamespace(ns).withName(victim).delete();

        await().atMost(WAIT).untilAsserted(() -> {
            List<Pod> pods = pods(ns, "web");
            assertThat(pods).hasSize(3);
            assertThat(pods.stream().filter(p -> p.getMetadata().getDeletionTimestamp() != null).map(p -> p.getMetadata().getName()))
                    .containsExactly(victim);
            assertThat(rs(ns, "web").getStatus().getReplicas()).isEqualTo(2);
        });
        for (Pod pod : pods(ns, "web")) {
            client.pods().inNamespace(ns).withName(pod.getMetadata().getName()).edit(p -> {
                p.getMetadata().setFinalizers(List.of());
                return p;
            });
        }
    }

    @Test
    void podsCountAsAvailableOnlyAfterMinReadySeconds() {
        String ns = cluster.namespace("rs-minready");
        try (Kubelet ignored = new Kubelet(client, ns, Duration.ofMillis(100))) {
            ReplicaSet slow = replicaSet("web", 2);
            slow.getSpec().setMinReadySeconds(3);
            client.apps().replicaSets().inNamespace(ns).resource(slow).create();

            await().atMost(WAIT).until(() -> rs(ns, "web").getStatus().getReadyReplicas(), r -> Objects.equals(r, 2));
            ReplicaSet justReady = rs(ns, "web");
            assertThat(justReady.getStatus().getAvailableReplicas()).isIn(null, 0);
            await().atMost(WAIT).until(() -> rs(ns, "web").getStatus().getAvailableReplicas(), a -> Objects.equals(a, 2));
        }
    }

    @Test
    void podsGetOnlyTheTemplatesLabelsAnnotationsAndSpec() {
        Pod pod = ReplicaSetController.podFromTemplate(replicaSet("web", 1).getSpec().getTemplate(),
                new ReplicaSetBuilder(replicaSet("web", 1)).editMetadata().withNamespace("ns").withUid("u-1").endMetadata().build());
        assertThat(pod.getMetadata().getGenerateName()).isEqualTo("web-");
        assertThat(pod.getMetadata().getName()).isNull();
        assertThat(pod.getMetadata().getLabels()).isEqualTo(Map.of("app", "web", "tier", "web"));
        assertThat(pod.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(r -> assertThat(r.getUid()).isEqualTo("u-1"));
    }

    @Test
    void aFailedCreateShowsAsReplicaFailureUntilASyncSucceeds() {
        ReplicaSet rs = new ReplicaSetBuilder(replicaSet("web", 2)).withNewStatus().withReplicas(0).endStatus().build();
        var failed = ReplicaSetController.calculateStatus(rs, List.of(),
                dev.coracle.server.api.ApiException.forbidden("pods \"web-x\" is forbidden: exceeded quota"));
        assertThat(failed.getConditions()).singleElement().satisfies(c -> {
            assertThat(c.getType()).isEqualTo("ReplicaFailure");
            assertThat(c.getStatus()).isEqualTo("True");
            assertThat(c.getReason()).isEqualTo("FailedCreate");
            assertThat(c.getMessage()).isEqualTo("pods \"web-x\" is forbidden: exceeded quota");
        });
        rs.setStatus(failed);
        assertThat(ReplicaSetController.calculateStatus(rs, List.of(), null).getConditions()).isNullOrEmpty();
    }
}
