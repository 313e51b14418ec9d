package dev.coracle.dashboard.view;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LabelSelectorTest {

    private static final Map<String, String> WEB = Map.of("app", "web", "env", "production", "tier", "front");

    @Test
    void equalityAndSetBasedTermsAllMustMatch() {
        assertThat(LabelSelector.parse("app=web").matches(WEB)).isTrue();
        assertThat(LabelSelector.parse("app==web,tier!=db").matches(WEB)).isTrue();
        assertThat(LabelSelector.parse("env in (production, qa)").matches(WEB)).isTrue();
        assertThat(LabelSelector.parse("env notin (production)").matches(WEB)).isFalse();
        assertThat(LabelSelector.parse("app,!legacy").matches(WEB)).isTrue();
        assertThat(LabelSelector.parse("app=web,env in (qa)").matches(WEB)).isFalse();
        assertThat(LabelSelector.parse("").matches(WEB)).isTrue();
        assertThat(LabelSelector.parse("app=web").matches(null)).isFalse();
    }

    @Test
    void aMalformedSelectorIsRefusedWithTheReason() {
        assertThatThrownBy(() -> LabelSelector.parse("app=web,,x")).hasMessageContaining("empty term");
        assertThatThrownBy(() -> LabelSelector.parse("bad key=1")).hasMessageContaining("invalid label key");
    }
}
