package dev.coracle.server.api;

import dev.coracle.server.registry.ResourceType;

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
 * in the order of their sorted keys.
 */
final class StrictDecoding {

    private StrictDecoding() {
    }

    /** @param body the body as sent, or null when the object was not decoded from one (a patch's result) */
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
        for (String error : errors) {
            // kube-apiserver's addStrictDecodingWarnings: a YAML error listing several keys is one warning per key
            if (error.startsWith(YAML_PREFIX)) {
                error.substring(YAML_PREFIX.length()).lines().map(String::trim).forEach(warnings::add);
            } else {
                warnings.add(error);
            }
        }
    }

    /** A body that does not decode into the kind, worded as kube-apiserver's transformDecodeError words it: a 400. */
    static ApiException notDecodable(ResourceType type, String why) {
        return ApiException.badRequest(type.kind() + " in version \"" + type.version() + "\" cannot be handled as a "
                + type.kind() + ": " + why);
    }

    private static final String YAML_PREFIX = "yaml: unmarshal errors:\n";

    private static List<String> yamlErrors(List<String> unknown, List<RequestBody.Repeated> repeated) {
        List<String> errors = new ArrayList<>();
        if (!repeated.isEmpty()) {
            StringBuilder yaml = new StringBuilder(YAML_PREFIX);
            for (int i = 0; i < repeated.size(); i++) {
                RequestBody.Repeated r = repeated.get(i);
                yaml.append(i == 0 ? "" : "\n").append("  line ").append(r.line()).append(": key \"").append(r.key())
                        .append("\" already set in map");
            }
            errors.add(yaml.toString());
        }
        unknown.stream().sorted(StrictDecoding::byKeys).forEach(u -> errors.add(unknownField(u)));
        return errors;
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
