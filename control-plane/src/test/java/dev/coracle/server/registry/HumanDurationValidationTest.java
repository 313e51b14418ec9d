package dev.coracle.server.registry;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class HumanDurationValidationTest {

    private static String of(long seconds) {
        return HumanDuration.format(Duration.ofSeconds(seconds));
    }

    @Test
    void secondsUpToTwoMinutes() {
        assertThat(of(0)).isEqualTo("0s");
        assertThat(of(5)).isEqualTo("5s");
        assertThat(of(119)).isEqualTo("119s");
    }

    @Test
    void minutesWithSecondsBelowTenMinutes() {
        assertThat(of(120)).isEqualTo("2m");
        assertThat(of(200)).isEqualTo("3m20s");
        assertThat(of(599)).isEqualTo("9m59s");
        assertThat(of(600)).isEqualTo("10m");
        assertThat(of(3 * 3600 - 1)).isEqualTo("179m");
    }

    @Test
    void hoursThenDaysThenYears() {
        assertThat(of(3 * 3600)).isEqualTo("3h");
        assertThat(of(5 * 3600 + 10 * 60)).isEqualTo("5h10m");
        assertThat(of(8 * 3600 + 10 * 60)).isEqualTo("8h");
        assertThat(of(47 * 3600)).isEqualTo("47h");
        assertThat(of(53 * 3600)).isEqualTo("2d5h");
        assertThat(of(3 * 86400)).isEqualTo("3d");
        assertThat(of(400 * 86400)).isEqualTo("400d");
        assertThat(of((365 * 3 + 20) * 86400L)).isEqualTo("3y20d");
        assertThat(of(365 * 10 * 86400L)).isEqualTo("10y");
    }

    @Test
    void clockSkewIsToleratedThenInvalid() {
        assertThat(HumanDuration.format(Duration.ofMillis(-1500))).isEqualTo("0s");
        assertThat(of(-2)).isEqualTo("<invalid>");
    }

    @Test
    void ageOfAMissingTimestampIsUnknown() {
        assertThat(HumanDuration.since(null, Fixtures.CLOCK)).isEqualTo("<unknown>");
        assertThat(HumanDuration.since(Fixtures.ago(90), Fixtures.CLOCK)).isEqualTo("90s");
    }
}
