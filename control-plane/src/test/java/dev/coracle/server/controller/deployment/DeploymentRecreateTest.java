package dev.coracle.server.controller.deployment;

import dev.coracle.server.controller.replicaset.Cluster;
import dev.coracle.server.controller.replicaset.Kubelet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Recreate: every old pod is gone before the first new one is made. */
class DeploymentRecreateTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private final Cluster cluster = Cluster.get();
    private final KubernetesClient client = cluster.client();

    static Deployment deployment(String name, int replicas, String image, String strategy) {
        return new DeploymentBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withReplicas(replicas)
                .withNewStrategy().withType(strategy).endStrategy()
                .withNewSelector().addToMatchLabels("app", name).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata()
                .withNewSpec().addNewContainer().withName("web").withImage(image).endContainer().endSpec()
                .endTemplate().endSpec().build();
    }

    @Test
    void recreateNeverRunsOldAndNewPodsTogether() {
        String ns = cluster.namespace("recreate");
        try (Kubelet ignored = new Kubelet(client, ns, Duration.ofMillis(200))) {
            client.apps().deployments().inNamespace(ns).resource(deployment("web", 3, "nginx:1.25", "Recreate")).create();
            await().atMost(WAIT).until(() -> client.apps().deployments().inNamespace(ns).withName("web").get().getStatus().getAvailableReplicas(),
                    a -> Objects.equals(a, 3));

            try (PodRecorder recorder = new PodRecorder(client, ns)) {
                client.apps().deployments().inNamespace(ns).withName("web").edit(d -> {
                    d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("nginx:1.26");
                    return d;
                });
                await().atMost(WAIT).untilAsserted(() -> {
                    Deployment d = client.apps().deployments().inNamespace(ns).withName("web").get();
                    assertThat(d.getStatus().getObservedGeneration()).isEqualTo(2L);
                    assertThat(d.getStatus().getUpdatedReplicas()).isEqualTo(3);
                    assertThat(d.getStatus().getAvailableReplicas()).isEqualTo(3);
                    assertThat(d.getStatus().getReplicas()).isEqualTo(3);
                });
                List<PodRecorder.Moment> moments = recorder.moments();
                assertThat(moments).as("templates present at every moment").allSatisfy(m -> assertThat(m.hashes()).hasSizeLessThanOrEqualTo(1));
                assertThat(moments).anySatisfy(m -> assertThat(m.pods()).isZero());
                assertThat(moments.get(0).hashes()).isNotEqualTo(moments.get(moments.size() - 1).hashes());
            }
            assertThat(client.pods().inNamespace(ns).list().getItems()).hasSize(3)
                    .allSatisfy(p -> assertThat(p.getSpec().getContainers().get(0).getImage()).isEqualTo("nginx:1.26"));
        }
    }
}
