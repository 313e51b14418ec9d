package dev.coracle.server.controller.deployment;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** maxSurge and maxUnavailable as Kubernetes resolves them, and the size of the next new ReplicaSet. */
class DeploymentFencepostsTest {

    private static IntOrString v(String s) {
        return s.endsWith("%") ? new IntOrString(s) : new IntOrString(Integer.parseInt(s));
    }

    private static Deployment rolling(int replicas, String surge, String unavailable) {
        return new DeploymentBuilder().withNewMetadata().withName("web").endMetadata()
                .withNewSpec().withReplicas(replicas).withNewStrategy().withType("RollingUpdate")
                .withNewRollingUpdate().withMaxSurge(v(surge)).withMaxUnavailable(v(unavailable)).endRollingUpdate()
                .endStrategy().endSpec().build();
    }

    @ParameterizedTest(name = "{0} replicas, surge {1}, unavailable {2} -> {3}/{4}")
    @CsvSource({
            "2, 25%, 25%, 1, 0",
            "10, 25%, 25%, 3, 2",
            "4, 25%, 25%, 1, 1",
            "3, 50%, 50%, 2, 1",
            "2, 0, 1, 0, 1",
            "5, 2, 3, 2, 3",
            "2, 0%, 1%, 0, 1",
            "10, 1%, 0, 1, 0",
            "0, 25%, 25%, 0, 0",
    })
    void surgeRoundsUpAndUnavailableRoundsDown(int replicas, String surge, String unavailable, int expectedSurge, int expectedUnavailable) {
        Deployment d = rolling(replicas, surge, unavailable);
        assertThat(DeploymentUtil.maxSurge(d)).isEqualTo(expectedSurge);
        assertThat(DeploymentUtil.maxUnavailable(d)).isEqualTo(expectedUnavailable);
    }

    @Test
    void bothResolvingToZeroAllowsOneUnavailable() {
        assertThat(DeploymentUtil.resolveFenceposts(v("0%"), v("10%"), 3)).containsExactly(0, 1);
    }

    @Test
    void recreateHasNeitherSurgeNorUnavailability() {
        Deployment d = new DeploymentBuilder().withNewSpec().withReplicas(3).withNewStrategy().withType("Recreate").endStrategy().endSpec().build();
        assertThat(DeploymentUtil.maxSurge(d)).isZero();
        assertThat(DeploymentUtil.maxUnavailable(d)).isZero();
        assertThat(DeploymentUtil.newRSNewReplicas(d, List.of(), rs("new", 0, 0))).isEqualTo(3);
    }

    private static ReplicaSet rs(String name, int replicas, int actual) {
        return new ReplicaSetBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec().withReplicas(replicas).endSpec()
                .withNewStatus().withReplicas(actual).endStatus().build();
    }

    @Test
    void theNewReplicaSetGrowsByTheSurgeLeft() {
        Deployment d = rolling(10, "3", "2");
        ReplicaSet old = rs("old", 10, 10);
        ReplicaSet fresh = rs("new", 0, 0);
        assertThat(DeploymentUtil.newRSNewReplicas(d, List.of(old, fresh), fresh)).isEqualTo(3);
        ReplicaSet grown = rs("new", 3, 3);
        ReplicaSet shrunk = rs("old", 5, 5);
        assertThat(DeploymentUtil.newRSNewReplicas(d, List.of(shrunk, grown), grown)).isEqualTo(8);
    }

    @Test
    void podsAnOldReplicaSetIsStillDeletingCountAgainstTheSurge() {
        Deployment d = rolling(2, "25%", "25%");
        ReplicaSet old = rs("old", 1, 2);
        ReplicaSet fresh = rs("new", 1, 1);
        assertThat(DeploymentUtil.newRSNewReplicas(d, List.of(old, fresh), fresh)).isEqualTo(1);
        ReplicaSet oldDone = rs("old", 1, 1);
        assertThat(DeploymentUtil.newRSNewReplicas(d, List.of(oldDone, fresh), fresh)).isEqualTo(2);
    }

    @Test
    void proportionsFollowTheMaxReplicasAnnotation() {
        Deployment d = rolling(20, "3", "2");
        ReplicaSet a = rs("a", 10, 10);
        a.getMetadata().setAnnotations(java.util.Map.of(DeploymentUtil.MAX_REPLICAS, "13"));
        // scaling 10 -> 20 (+surge 3 = 23 allowed): a holds 10 of 13, so it gets round(10*23/13) - 10 = 8
        assertThat(DeploymentUtil.proportion(a, d, 10, 0)).isEqualTo(8);
        assertThat(DeploymentUtil.proportion(a, d, 10, 5)).isEqualTo(5);
    }
}
