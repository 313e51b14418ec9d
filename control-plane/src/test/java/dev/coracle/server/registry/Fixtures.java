package dev.coracle.server.registry;

import dev.coracle.server.api.ApiException.FieldError;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

/** Test helpers: objects from YAML, a fixed clock, rendered errors. */
public final class Fixtures {

    public static final Instant NOW = Instant.parse("2025-01-10T12:00:00Z");
    public static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private Fixtures() {
    }

    public static <T> T yaml(String text, Class<T> type) {
        return SERIALIZATION.unmarshal(text, type);
    }

    public static String json(Object o) {
        return SERIALIZATION.asJson(o);
    }

    /** An RFC 3339 timestamp {@code seconds} before {@link #NOW}. */
    public static String ago(long seconds) {
        return NOW.minusSeconds(seconds).toString();
    }

    /** Errors as kube-apiserver renders them in a 422 message: {@code field: message}. */
    public static List<String> render(List<FieldError> errors) {
        return errors.stream().map(e -> e.field() + ": " + e.message()).toList();
    }
}
