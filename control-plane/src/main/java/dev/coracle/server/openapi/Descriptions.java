package dev.coracle.server.openapi;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Descriptions of Kubernetes types and fields, for {@code kubectl explain}: Kubernetes' own where
 * {@link KubernetesDescriptions} has them, a few written here for the apimachinery types it lacks.
 */
final class Descriptions {

    private static final Map<String, String> ALL = load();

    private Descriptions() {
    }

    private static Map<String, String> load() {
        Map<String, String> all = new HashMap<>(2048);
        KubernetesDescriptions.load(all);
        all.putIfAbsent(SchemaNames.QUANTITY, "Quantity is a fixed-point number with an optional suffix: a binary SI "
                + "one (Ki, Mi, Gi, Ti, Pi, Ei), a decimal SI one (m, k, M, G, T, P, E) or a decimal exponent (e3), "
                + "such as 100m, 1.5, 128Mi or 1e3.");
        all.putIfAbsent(SchemaNames.INT_OR_STRING, "IntOrString holds either an integer or a string, such as 8080 "
                + "or \"http\", or 25 or \"25%\".");
        all.putIfAbsent(SchemaNames.TIME, "Time is a timestamp in RFC 3339 form with a precision of seconds, such "
                + "as 2025-01-01T00:00:00Z.");
        all.putIfAbsent(SchemaNames.MICRO_TIME, "MicroTime is a timestamp in RFC 3339 form with a precision of "
                + "microseconds, such as 2025-01-01T00:00:00.000000Z.");
        all.putIfAbsent(SchemaNames.DURATION, "Duration is a length of time written as a string, such as 30s, 5m "
                + "or 1h30m.");
        all.putIfAbsent(SchemaNames.RAW_EXTENSION, "RawExtension holds an embedded object of any kind, as JSON.");
        all.putIfAbsent(SchemaNames.PATCH, "Patch is the body of a PATCH request, in the form its content type "
                + "names.");
        all.putIfAbsent(SchemaNames.META_V1 + "FieldsV1", "FieldsV1 is the set of fields a field manager manages, "
                + "as a trie written in JSON.");
        return Map.copyOf(all);
    }

    static Optional<String> ofType(String schemaName) {
        return Optional.ofNullable(ALL.get(schemaName));
    }

    static Optional<String> ofField(String schemaName, String property) {
        return Optional.ofNullable(ALL.get(schemaName + "#" + property));
    }
}
