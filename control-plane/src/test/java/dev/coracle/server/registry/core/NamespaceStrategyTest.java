package dev.coracle.server.registry.core;

import dev.coracle.server.registry.NameRule;
import io.fabric8.kubernetes.api.model.Namespace;
import org.junit.jupiter.api.Test;

import static dev.coracle.server.registry.Fixtures.CLOCK;
import static dev.coracle.server.registry.Fixtures.ago;
import static dev.coracle.server.registry.Fixtures.render;
import static dev.coracle.server.registry.Fixtures.yaml;
import static org.assertj.core.api.Assertions.assertThat;

class NamespaceStrategyTest {

    private final NamespaceStrategy strategy = new NamespaceStrategy(CLOCK);

    private Namespace created(String yaml) {
        Namespace ns = yaml(yaml, Namespace.class);
        strategy.applyDefaults(ns);
        strategy.prepareForCreate(ns);
        return ns;
    }

    @Test
    void isClusterScopedWithALabelNameRule() {
        assertThat(strategy.type().namespaced()).isFalse();
        assertThat(strategy.type().shortNames()).containsExactly("ns");
        assertThat(strategy.type().subresources()).containsExactly("status", "finalize");
        assertThat(strategy.nameRule()).isEqualTo(NameRule.DNS1123_LABEL);
    }

    @Test
    void createAddsTheKubernetesFinalizerActivePhaseAndNameLabel() {
        Namespace ns = created("metadata: {name: team-a}\nstatus: {phase: Terminating}");
        assertThat(ns.getSpec().getFinalizers()).containsExactly("kubernetes");
        assertThat(ns.getStatus().getPhase()).isEqualTo("Active");
        assertThat(ns.getMetadata().getLabels()).containsEntry("kubernetes.io/metadata.name", "team-a");
    }

    @Test
    void updateKeepsFinalizersAndStatus() {
        Namespace old = created("metadata: {name: team-a}");
        Namespace now = yaml("metadata: {name: team-a}\nspec: {finalizers: []}\nstatus: {phase: Terminating}", Namespace.class);
        strategy.prepareForUpdate(now, old);
        assertThat(now.getSpec().getFinalizers()).containsExactly("kubernetes");
        assertThat(now.getStatus().getPhase()).isEqualTo("Active");
    }

    @Test
    void finalizerNamesMustBeQualified() {
        Namespace ns = created("metadata: {name: a}\nspec: {finalizers: [custom]}");
        assertThat(render(strategy.validate(ns))).containsExactly(
                "spec.finalizers: Invalid value: \"custom\": name is neither a standard finalizer name nor is it fully qualified");
    }

    @Test
    void statusPhaseMustMatchDeletion() {
        Namespace old = created("metadata: {name: a}");
        Namespace now = created("metadata: {name: a}");
        now.getStatus().setPhase("Terminating");
        assertThat(render(strategy.validateStatusUpdate(now, old))).containsExactly(
                "status.Phase: Invalid value: \"Terminating\": may only be 'Active' if `deletionTimestamp` is empty");
    }

    @Test
    void printsNameStatusAge() {
        Namespace ns = created("metadata: {name: a, creationTimestamp: \"%s\"}".formatted(ago(86400 * 3)));
        assertThat(strategy.columns()).extracting(c -> c.getName()).containsExactly("Name", "Status", "Age");
        assertThat(strategy.cells(ns)).containsExactly("a", "Active", "3d");
        assertThat(strategy.selectableFields(ns)).containsEntry("status.phase", "Active").containsEntry("name", "a");
    }
}
