package dev.coracle.dashboard.view;

import io.fabric8.kubernetes.api.model.Quantity;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class AgesAndQuantitiesTest {

    @Test
    void agesReadLikeKubectls() {
        assertThat(Ages.human(Duration.ofSeconds(59))).isEqualTo("59s");
        assertThat(Ages.human(Duration.ofSeconds(119))).isEqualTo("119s");
        assertThat(Ages.human(Duration.ofSeconds(150))).isEqualTo("2m30s");
        assertThat(Ages.human(Duration.ofMinutes(10))).isEqualTo("10m");
        assertThat(Ages.human(Duration.ofMinutes(185))).isEqualTo("3h5m");
        assertThat(Ages.human(Duration.ofHours(20))).isEqualTo("20h");
        assertThat(Ages.human(Duration.ofHours(50))).isEqualTo("2d2h");
        assertThat(Ages.human(Duration.ofDays(40))).isEqualTo("40d");
        assertThat(Ages.human(Duration.ofDays(800))).isEqualTo("2y70d");
        assertThat(Ages.human(Duration.ofSeconds(-5))).isEqualTo("<invalid>");
    }

    @Test
    void quantitiesBecomeNumbersAndShortForms() {
        assertThat(Quantities.millicores(new Quantity("250m"))).isEqualTo(250);
        assertThat(Quantities.millicores(new Quantity("2"))).isEqualTo(2000);
        assertThat(Quantities.nanocores(new Quantity("123456789n"))).isEqualTo(123456789);
        assertThat(Quantities.bytes(new Quantity("128Mi"))).isEqualTo(128L * 1024 * 1024);
        assertThat(Quantities.bytes(new Quantity("1G"))).isEqualTo(1_000_000_000L);
        assertThat(Quantities.cpu(250)).isEqualTo("250m");
        assertThat(Quantities.cpu(1500)).isEqualTo("1.5");
        assertThat(Quantities.memory(512 * 1024)).isEqualTo("512Ki");
        assertThat(Quantities.memory(3L * 1024 * 1024 * 1024)).isEqualTo("3Gi");
        assertThat(Quantities.percent(1, 3)).isEqualTo(33);
        assertThat(Quantities.percent(5, 0)).isZero();
    }
}
