package dev.coracle.server.registry.events;

import io.fabric8.kubernetes.api.model.events.v1.Event;
import org.junit.jupiter.api.Test;

import static dev.coracle.server.registry.Fixtures.CLOCK;
import static dev.coracle.server.registry.Fixtures.ago;
import static dev.coracle.server.registry.Fixtures.render;
import static dev.coracle.server.registry.Fixtures.yaml;
import static org.assertj.core.api.Assertions.assertThat;

class EventsV1EventStrategyTest {

    private final EventsV1EventStrategy strategy = new EventsV1EventStrategy(CLOCK);

    private static final String VALID = """
            metadata: {name: web.1, namespace: default}
            regarding: {kind: Pod, name: web, namespace: default}
            eventTime: "%s"
            reportingController: coracle.dev/scheduler
            reportingInstance: server
            action: Binding
            reason: Scheduled
            note: Successfully assigned default/web to worker-1
            type: Normal
            """;

    @Test
    void aWellFormedEventIsValid() {
        Event e = yaml(VALID.formatted("2025-01-10T11:59:00.000000Z"), Event.class);
        assertThat(strategy.validate(e)).isEmpty();
        assertThat(strategy.type().group()).isEqualTo("events.k8s.io");
        assertThat(strategy.type().shortNames()).containsExactly("ev");
    }

    @Test
    void strictValidationRequiresEventTimeAndAKnownType() {
        Event e = yaml("""
                metadata: {name: web.1, namespace: default}
                regarding: {kind: Pod, name: web, namespace: default}
                reason: Scheduled
                type: Info
                deprecatedCount: 3
                """, Event.class);
        assertThat(render(strategy.validate(e))).containsExactly(
                "eventTime: Required value",
                "type: Invalid value: \"\": has invalid value: Info",
                "count: Invalid value: \"\": needs to be unset");
    }

    @Test
    void onlyTheSeriesMayChange() {
        Event old = yaml(VALID.formatted("2025-01-10T11:59:00.000000Z"), Event.class);
        Event now = yaml(VALID.formatted("2025-01-10T11:59:00.000000Z").replace("reason: Scheduled", "reason: Other"), Event.class);
        assertThat(render(strategy.validateUpdate(now, old))).containsExactly(
                "reason: Invalid value: \"Other\": field is immutable",
                "reason: Invalid value: \"Other\": field is immutable");
    }

    @Test
    void printsLikeCoreEventsAndSelectsOnRegarding() {
        Event e = yaml(VALID.formatted(ago(120).replace("Z", ".000000Z")), Event.class);
        assertThat(strategy.cells(e)).containsExactly("2m", "Normal", "Scheduled", "pod/web", "", "coracle.dev/scheduler, server",
                "Successfully assigned default/web to worker-1", "2m", 1L, "web.1");
        assertThat(strategy.selectableFields(e)).containsEntry("regarding.kind", "Pod").containsEntry("regarding.name", "web")
                .containsEntry("reportingController", "coracle.dev/scheduler").containsEntry("type", "Normal");
    }
}
