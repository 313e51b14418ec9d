package dev.coracle.agent.pods;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class BackOffTest {

    private final Instant t0 = Instant.parse("2026-11-27T08:00:00Z");

    @Test
    void firstRestartIsImmediateThenTheDelayDoublesUpToTheMaximum() {
        BackOff b = new BackOff(Duration.ofSeconds(10), Duration.ofSeconds(40));
        assertThat(b.waitUntil(t0)).isNull();
        b.restarted(t0);
        // crashed one second after that restart: wait out the 10 s
        assertThat(b.waitUntil(t0.plusSeconds(1))).isEqualTo(t0.plusSeconds(10));
        b.restarted(t0.plusSeconds(10));
        assertThat(b.delay()).isEqualTo(Duration.ofSeconds(20));
        b.restarted(t0.plusSeconds(30));
        b.restarted(t0.plusSeconds(70));
        assertThat(b.delay()).isEqualTo(Duration.ofSeconds(40));
    }

    @Test
    void aContainerThatRanLongerThanTheDelayRestartsAtOnceAndALongQuietSpellStartsOver() {
        BackOff b = new BackOff(Duration.ofSeconds(10), Duration.ofSeconds(40));
        b.restarted(t0);
        assertThat(b.waitUntil(t0.plusSeconds(15))).isNull();
        b.restarted(t0.plusSeconds(15));
        assertThat(b.delay()).isEqualTo(Duration.ofSeconds(20));
        b.restarted(t0.plusSeconds(200));
        assertThat(b.delay()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void delaysPrintAsGoDurations() {
        assertThat(BackOff.format(Duration.ofSeconds(10))).isEqualTo("10s");
        assertThat(BackOff.format(Duration.ofSeconds(80))).isEqualTo("1m20s");
        assertThat(BackOff.format(Duration.ofMinutes(5))).isEqualTo("5m0s");
        assertThat(BackOff.format(Duration.ofMillis(500))).isEqualTo("500ms");
        assertThat(BackOff.format(Duration.ofMillis(1500))).isEqualTo("1.5s");
    }
}
