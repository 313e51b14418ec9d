package dev.coracle.server.api;

import dev.coracle.server.patch.PatchType;
import dev.coracle.server.registry.ResourceType;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * kube-apiserver's strict decoding errors (runtime.StrictDecodingError) for a write: unknown fields and
 * repeated keys, refused under {@code fieldValidation=Strict} (400, "... cannot be handled as a Pod:
 * strict decoding error: unknown field "spec.foo", duplicate field "metadata.name""), one warning each
 * under {@code Warn}, the default, and nothing under {@code Ignore}.
 *
 * <p>As in Kubernetes: for JSON, sigs.k8s.io/json reports both kinds in the order the fields appear, and a
 * key that is unknown as well as repeated only as unknown; for YAML, sigs.k8s.io/yaml first reports every
 * repeated key by line ({@code line 12: key "paused" already set in map}, unknown or not), then the unknown fields
 * in the order of their sorted keys. Patches are checked as kube-apiserver's patch handlers check them (below).
 */
final class StrictDecoding {

    private StrictDecoding() {
    }

    /** @param body the POST or PUT body as sent, or null when the object was not decoded from one (server-side apply's result) */
    static void check(Call call, RequestBody body, List<String> unknown, List<String> warnings) {
        String validation = call.query().fieldValidation();
        if (validation.equals("Ignore")) {
            return;
        }
        List<RequestBody.Repeated> repeated = body == null ? List.of() : body.repeated();
        if (unknown.isEmpty() && repeated.isEmpty()) {
            return;
        }
        List<String> errors = body != null && body.yaml() ? yamlErrors(unknown, repeated) : jsonErrors(body, unknown, repeated);
        if (validation.equals("Strict")) {
            throw notDecodable(call.type(), "strict decoding error: " + String.join(", ", errors));
        }
        warn(errors, warnings);
    }

    /** kube-apiserver's addStrictDecodingWarnings: a YAML error listing several keys is one warning per key. */
    private static void warn(List<String> errors, List<String> warnings) {
        for (String error : errors) {
            String prefix = error.startsWith(YAML_PREFIX) ? YAML_PREFIX : error.startsWith(YAML_LONG_PREFIX) ? YAML_LONG_PREFIX : null;
            if (prefix != null) {
                error.substring(prefix.length()).lines().map(String::trim).forEach(warnings::add);
            } else {
                warnings.add(error);
            }
        }
    }

    // ---- patches ----------------------------------------------------------------------------------

    private static final Set<String> JSON_PATCH_OPERATION_FIELDS = Set.of("op", "path", "value", "from");

    /**
     * What Kubernetes finds wrong in a JSON, merge or strategic merge patch body itself, before applying it: every
     * repeated key of a merge patch ({@code duplicate field "spec.paused"}, unknown or not: the patch is decoded into a
     * map), and for a JSON patch, the operations' own unknown and repeated fields ({@code json patch unknown field
     * "[0].foo"}; repeated keys inside a value are lost by the JSON patch library, there as here). Empty under Ignore.
     */
    static List<String> patchErrors(Call call, PatchType type, byte[] body) {
        if (call.query().fieldValidation().equals("Ignore")) {
            return List.of();
        }
        List<RequestBody.Repeated> repeated = new RequestBody(null, body, false).repeated();
        if (type != PatchType.JSON_PATCH) {
            return repeated.stream().map(r -> "duplicate field \"" + r.path() + "\"").toList();
        }
        List<String> errors = new ArrayList<>();
        JsonNode operations;
        try {
            operations = Json.MAPPER.readTree(body);
        } catch (JacksonException e) {
            return List.of(); // not JSON: applying the patch says so
        }
        if (!operations.isArray()) {
            return List.of();
        }
        for (int i = 0; i < operations.size(); i++) {
            String at = "[" + i + "]";
            operations.get(i).propertyNames().stream().filter(k -> !JSON_PATCH_OPERATION_FIELDS.contains(k))
                    .forEach(k -> errors.add("json patch unknown field \"" + at + "." + k + "\""));
            repeated.stream().filter(r -> r.path().equals(at + "." + r.key()))
                    .forEach(r -> errors.add("json patch duplicate field \"" + r.path() + "\""));
        }
        return errors;
    }

    /**
     * A patched object's strict errors: the patch's own, then the unknown fields of the result (in sorted-key order:
     * Kubernetes decodes it from a map). Refused under Strict as kube-apiserver's patch handler does, a 422 on the
     * field {@code patch} whose value is the patched object; warnings under Warn.
     */
    static void checkPatched(Call call, List<String> patchErrors, List<String> unknown, JsonNode patched, List<String> warnings) {
        String validation = call.query().fieldValidation();
        if (validation.equals("Ignore") || (patchErrors.isEmpty() && unknown.isEmpty())) {
            return;
        }
        List<String> errors = new ArrayList<>(patchErrors);
        unknown.stream().sorted(StrictDecoding::byKeys).forEach(u -> errors.add(unknownField(u)));
        if (validation.equals("Strict")) {
            throw ApiException.invalid("", "", List.of(new ApiException.FieldError("FieldValueInvalid", "patch",
                    "Invalid value: " + Json.write(Json.write(patched)) + ": strict decoding error: " + String.join(", ", errors))));
        }
        warn(errors, warnings);
    }

    /**
     * Server-side apply's strict check, made once the apply has succeeded: the repeated keys of the YAML (or JSON)
     * body, by line, as sigs.k8s.io/yaml's UnmarshalStrict words them; empty when there are none or under Ignore.
     */
    static List<String> applyErrors(Call call, byte[] body) {
        if (call.query().fieldValidation().equals("Ignore")) {
            return List.of();
        }
        List<RequestBody.Repeated> repeated = new RequestBody(null, body, true).repeated();
        return repeated.isEmpty() ? List.of() : List.of("error converting YAML to JSON: " + byLine(repeated));
    }

    /** Refuses an apply with {@code applyErrors} under Strict (400 "error strict decoding YAML: ..."). */
    static void refuseApply(Call call, List<String> applyErrors) {
        if (!applyErrors.isEmpty() && call.query().fieldValidation().equals("Strict")) {
            throw ApiException.badRequest("error strict decoding YAML: " + applyErrors.get(0));
        }
    }

    /** Warns of {@code applyErrors} under Warn, one warning per key. */
    static void warnApply(Call call, List<String> applyErrors, List<String> warnings) {
        if (call.query().fieldValidation().equals("Warn")) {
            warn(applyErrors, warnings);
        }
    }

    /** A body that does not decode into the kind, worded as kube-apiserver's transformDecodeError words it: a 400. */
    static ApiException notDecodable(ResourceType type, String why) {
        return ApiException.badRequest(type.kind() + " in version \"" + type.version() + "\" cannot be handled as a "
                + type.kind() + ": " + why);
    }

    private static final String YAML_PREFIX = "yaml: unmarshal errors:\n";
    private static final String YAML_LONG_PREFIX = "error converting YAML to JSON: " + YAML_PREFIX;

    private static List<String> yamlErrors(List<String> unknown, List<RequestBody.Repeated> repeated) {
        List<String> errors = new ArrayList<>();
        if (!repeated.isEmpty()) {
            errors.add(byLine(repeated));
        }
        unknown.stream().sorted(StrictDecoding::byKeys).forEach(u -> errors.add(unknownField(u)));
        return errors;
    }

    /** go-yaml's error for repeated keys: {@code yaml: unmarshal errors:\n  line 10: key "paused" already set in map}. */
    private static String byLine(List<RequestBody.Repeated> repeated) {
        StringBuilder yaml = new StringBuilder(YAML_PREFIX);
        for (int i = 0; i < repeated.size(); i++) {
            RequestBody.Repeated r = repeated.get(i);
            yaml.append(i == 0 ? "" : "\n").append("  line ").append(r.line()).append(": key \"").append(r.key())
                    .append("\" already set in map");
        }
        return yaml.toString();
    }

    /**
     * sigs.k8s.io/yaml turns YAML into JSON through a Go map, which writes keys sorted: the unknown fields of a
     * YAML body are found in the order of their sorted keys, not as written.
     */
    private static int byKeys(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            int c = x[i].compareTo(y[i]);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(x.length, y.length);
    }

    private static List<String> jsonErrors(RequestBody body, List<String> unknown, List<RequestBody.Repeated> repeated) {
        record Entry(long ordinal, String error) {
        }
        Set<String> unknownPaths = new HashSet<>(unknown);
        Map<String, Long> appearances = body == null || unknown.size() + repeated.size() < 2 ? Map.of() : body.firstAppearances(unknownPaths);
        List<Entry> entries = new ArrayList<>();
        for (String u : unknown) {
            entries.add(new Entry(appearances.getOrDefault(u, Long.MAX_VALUE), unknownField(u)));
        }
        for (RequestBody.Repeated r : repeated) {
            if (!underAny(r.path(), unknownPaths)) {
                entries.add(new Entry(r.ordinal(), "duplicate field \"" + r.path() + "\""));
            }
        }
        entries.sort(Comparator.comparingLong(Entry::ordinal));
        return entries.stream().map(Entry::error).toList();
    }

    /** A key Kubernetes skips whole as unknown is not looked into for repetitions. */
    private static boolean underAny(String path, Set<String> unknown) {
        for (String u : unknown) {
            if (path.equals(u) || path.startsWith(u + ".") || path.startsWith(u + "[")) {
                return true;
            }
        }
        return false;
    }

    private static String unknownField(String path) {
        return "unknown field \"" + path + "\"";
    }
}
