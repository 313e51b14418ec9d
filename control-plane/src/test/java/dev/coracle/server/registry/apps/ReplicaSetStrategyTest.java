package dev.coracle.server.registry.apps;

import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import org.junit.jupiter.api.Test;

import static dev.coracle.server.registry.Fixtures.CLOCK;
import static dev.coracle.server.registry.Fixtures.ago;
import static dev.coracle.server.registry.Fixtures.render;
import static dev.coracle.server.registry.Fixtures.yaml;
import static org.assertj.core.api.Assertions.assertThat;

class ReplicaSetStrategyTest {

    private final ReplicaSetStrategy strategy = new ReplicaSetStrategy(CLOCK);

    private ReplicaSet created(String extra) {
        ReplicaSet rs = yaml("""
                metadata: {name: web-7d9f, namespace: default, creationTimestamp: "%s"}
                spec:
                  selector: {matchLabels: {app: web, pod-template-hash: 7d9f}}
                  template:
                    metadata: {labels: {app: web, pod-template-hash: 7d9f}}
                    spec:
                      containers: [{name: web, image: nginx:1.27}, {name: log, image: busybox:1.36}]
                %s
                """.formatted(ago(90), extra.indent(2)), ReplicaSet.class);
        strategy.applyDefaults(rs);
        strategy.prepareForCreate(rs);
        return rs;
    }

    @Test
    void replicasDefaultToOne() {
        ReplicaSet rs = created("");
        assertThat(rs.getSpec().getReplicas()).isEqualTo(1);
        assertThat(rs.getSpec().getTemplate().getSpec().getDnsPolicy()).isEqualTo("ClusterFirst");
        assertThat(strategy.validate(rs)).isEmpty();
        assertThat(strategy.tracksGeneration()).isTrue();
        assertThat(strategy.type().shortNames()).containsExactly("rs");
    }

    @Test
    void emptySelectorIsInvalid() {
        ReplicaSet rs = created("");
        rs.getSpec().setSelector(new io.fabric8.kubernetes.api.model.LabelSelector());
        assertThat(render(strategy.validate(rs))).containsExactly(
                "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment");
    }

    @Test
    void selectorIsImmutableAndSpecChangesBumpGeneration() {
        ReplicaSet old = created("");
        ReplicaSet now = created("replicas: 3");
        strategy.prepareForUpdate(now, old);
        assertThat(now.getMetadata().getGeneration()).isEqualTo(2L);
        assertThat(strategy.validateUpdate(now, old)).isEmpty();
        now.getSpec().getSelector().getMatchLabels().put("tier", "x");
        now.getSpec().getTemplate().getMetadata().getLabels().put("tier", "x");
        assertThat(render(strategy.validateUpdate(now, old))).hasSize(1).first().asString().startsWith("spec.selector: Invalid value: v1.LabelSelector{");
    }

    @Test
    void printsDesiredCurrentReady() {
        ReplicaSet rs = created("replicas: 3");
        rs.getStatus().setReplicas(3);
        rs.getStatus().setReadyReplicas(1);
        assertThat(strategy.columns()).extracting(c -> c.getName())
                .containsExactly("Name", "Desired", "Current", "Ready", "Age", "Containers", "Images", "Selector");
        assertThat(strategy.cells(rs)).containsExactly("web-7d9f", 3L, 3L, 1L, "90s", "web,log", "nginx:1.27,busybox:1.36",
                "app=web,pod-template-hash=7d9f");
        assertThat(strategy.selectableFields(rs)).containsEntry("status.replicas", "3");
    }
}
