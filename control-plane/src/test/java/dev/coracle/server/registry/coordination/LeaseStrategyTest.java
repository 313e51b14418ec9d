package dev.coracle.server.registry.coordination;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import org.junit.jupiter.api.Test;

import static dev.coracle.server.registry.Fixtures.CLOCK;
import static dev.coracle.server.registry.Fixtures.ago;
import static dev.coracle.server.registry.Fixtures.render;
import static dev.coracle.server.registry.Fixtures.yaml;
import static org.assertj.core.api.Assertions.assertThat;

class LeaseStrategyTest {

    private final LeaseStrategy strategy = new LeaseStrategy(CLOCK);

    @Test
    void durationAndTransitionsAreChecked() {
        Lease l = yaml("metadata: {name: worker-1, namespace: kube-node-lease}\nspec: {leaseDurationSeconds: 0, leaseTransitions: -1}", Lease.class);
        assertThat(render(strategy.validate(l))).containsExactly(
                "spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0",
                "spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0");
    }

    @Test
    void coordinatedLeaderElectionFieldsAreDropped() {
        Lease l = yaml("metadata: {name: x}\nspec: {holderIdentity: a, strategy: OldestEmulationVersion, preferredHolder: b}", Lease.class);
        strategy.prepareForCreate(l);
        assertThat(l.getSpec().getStrategy()).isNull();
        assertThat(l.getSpec().getPreferredHolder()).isNull();
        assertThat(strategy.validate(l)).isEmpty();
    }

    @Test
    void printsTheHolder() {
        Lease l = yaml("metadata: {name: worker-1, creationTimestamp: \"%s\"}\nspec: {holderIdentity: worker-1}".formatted(ago(40)), Lease.class);
        assertThat(strategy.columns()).extracting(c -> c.getName()).containsExactly("Name", "Holder", "Age");
        assertThat(strategy.cells(l)).containsExactly("worker-1", "worker-1", "40s");
        assertThat(strategy.type().group()).isEqualTo("coordination.k8s.io");
    }
}
