package dev.coracle.server.api;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class ObjectMetaRulesTest {

    @Test
    void uidsAreDistinctVersion4Uuids() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String uid = ObjectMetaRules.randomUid();
            UUID parsed = UUID.fromString(uid);
            assertThat(parsed.version()).isEqualTo(4);
            assertThat(parsed.variant()).isEqualTo(2);
            assertThat(uid).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
            assertThat(seen.add(uid)).isTrue();
        }
    }

    @Test
    void generatedNamesKeepThePrefixAndFitALabel() {
        assertThat(ObjectMetaRules.generateName("web-")).startsWith("web-").hasSize(9);
        assertThat(ObjectMetaRules.generateName("x".repeat(70))).hasSize(63);
    }
}
