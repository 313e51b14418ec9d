package dev.coracle.server.registry;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Quantity;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static dev.coracle.server.registry.Fixtures.yaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class QuantitiesValidationTest {

    @Test
    void canonicalFormsMatchKubernetes() {
        assertThat(Quantities.canonical("1024Mi")).isEqualTo("1Gi");
        assertThat(Quantities.canonical("1536Mi")).isEqualTo("1536Mi");
        assertThat(Quantities.canonical("0.5")).isEqualTo("500m");
        assertThat(Quantities.canonical("2000")).isEqualTo("2k");
        assertThat(Quantities.canonical("1500")).isEqualTo("1500");
        assertThat(Quantities.canonical("100m")).isEqualTo("100m");
        assertThat(Quantities.canonical("512")).isEqualTo("512");
        assertThat(Quantities.canonical("1e3")).isEqualTo("1e3");
        assertThat(Quantities.canonical("0Gi")).isEqualTo("0");
        assertThat(Quantities.canonical("10Gi")).isEqualTo("10Gi");
    }

    @Test
    void comparesByValue() {
        assertThat(Quantities.compare(new Quantity("1"), new Quantity("1000m"))).isZero();
        assertThat(Quantities.compare(new Quantity("1Gi"), new Quantity("1G"))).isPositive();
    }

    @Test
    void malformedQuantitiesAreRejected() {
        assertThatThrownBy(() -> Quantities.parse("ten")).hasMessageContaining("quantities must match the regular expression");
        assertThatThrownBy(() -> Quantities.parse("1Gb")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void roundsUpToMilliOnDefaulting() {
        assertThat(Quantities.text(Quantities.roundUpToMilli(new Quantity("0.0001")))).isEqualTo("1m");
    }

    @Test
    void selectorsMatchAndFormatLikeLabelsSelector() {
        LabelSelector s = yaml("""
                matchLabels: {app: web}
                matchExpressions:
                - {key: tier, operator: In, values: [b, a]}
                - {key: canary, operator: DoesNotExist}
                """, LabelSelector.class);
        assertThat(LabelSelectors.matches(s, Map.of("app", "web", "tier", "a"))).isTrue();
        assertThat(LabelSelectors.matches(s, Map.of("app", "web", "tier", "c"))).isFalse();
        assertThat(LabelSelectors.matches(s, Map.of("app", "web", "tier", "a", "canary", "1"))).isFalse();
        assertThat(LabelSelectors.format(s)).isEqualTo("app=web,!canary,tier in (a,b)");
        assertThat(LabelSelectors.format(new LabelSelector())).isEqualTo("<none>");
        assertThat(LabelSelectors.matches(null, Map.of())).isFalse();
        assertThat(LabelSelectors.formatLabels(Map.of("b", "2", "a", "1"))).isEqualTo("a=1,b=2");
    }
}
