package dev.coracle.server.controller.replicaset;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Which pods a shrinking ReplicaSet gives up first. */
class ReplicaSetDeletionOrderTest {

    private static final Instant NOW = Instant.parse("2024-05-01T12:00:00Z");

    private static Pod pod(String name, String node, String phase, Boolean readySinceSecondsAgo, long ageSeconds, long readySeconds) {
        PodBuilder b = new PodBuilder().withNewMetadata().withName(name).withUid(name)
                .withCreationTimestamp(NOW.minusSeconds(ageSeconds).toString()).endMetadata()
                .withNewSpec().withNodeName(node).endSpec()
                .withNewStatus().withPhase(phase).endStatus();
        if (readySinceSecondsAgo != null) {
            b.editStatus().addNewCondition().withType("Ready").withStatus(readySinceSecondsAgo ? "True" : "False")
                    .withLastTransitionTime(NOW.minusSeconds(readySeconds).toString()).endCondition().endStatus();
        }
        return b.build();
    }

    private static List<String> order(List<Pod> pods) {
        List<Pod> sorted = new java.util.ArrayList<>(pods);
        sorted.sort(DeletionOrder.comparator(pods, NOW));
        return sorted.stream().map(p -> p.getMetadata().getName()).toList();
    }

    @Test
    void unscheduledThenPendingThenNotReadyThenReady() {
        Pod ready = pod("ready", "n1", "Running", true, 1000, 900);
        Pod notReady = pod("not-ready", "n1", "Running", false, 1000, 900);
        Pod pending = pod("pending", "n1", "Pending", null, 1000, 0);
        Pod unscheduled = pod("unscheduled", null, "Pending", null, 1000, 0);
        assertThat(order(List.of(ready, notReady, pending, unscheduled))).containsExactly("unscheduled", "pending", "not-ready", "ready");
    }

    @Test
    void amongReadyPodsTheMostRecentlyReadyGoesFirst() {
        Pod old = pod("ready-long-ago", "n1", "Running", true, 100_000, 90_000);
        Pod recent = pod("ready-just-now", "n1", "Running", true, 100_000, 10);
        assertThat(order(List.of(old, recent))).containsExactly("ready-just-now", "ready-long-ago");
    }

    @Test
    void otherwiseTheNewerPodGoesFirst() {
        Pod older = pod("older", "n1", "Pending", null, 100_000, 0);
        Pod newer = pod("newer", "n1", "Pending", null, 20, 0);
        assertThat(order(List.of(older, newer))).containsExactly("newer", "older");
    }

    @Test
    void aLowerDeletionCostGoesFirst() {
        Pod cheap = pod("cheap", "n1", "Running", true, 100, 90);
        Pod dear = pod("dear", "n1", "Running", true, 100, 90);
        dear.getMetadata().setAnnotations(java.util.Map.of(DeletionOrder.DELETION_COST, "100"));
        cheap.getMetadata().setAnnotations(java.util.Map.of(DeletionOrder.DELETION_COST, "-5"));
        assertThat(order(List.of(dear, cheap))).containsExactly("cheap", "dear");
    }

    @Test
    void podsDoubledUpOnANodeGoBeforeLonelyOnes() {
        Pod lonely = pod("lonely", "n1", "Running", true, 100, 90);
        Pod crowdedA = pod("crowded-a", "n2", "Running", true, 100, 90);
        Pod crowdedB = pod("crowded-b", "n2", "Running", true, 100, 90);
        assertThat(order(List.of(lonely, crowdedA, crowdedB)).get(2)).isEqualTo("lonely");
    }
}
