package dev.coracle.server.selector;

import tools.jackson.core.io.JsonStringEncoder;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What selectors look at — labels and selectable fields — kept beside each stored object and
 * revision so that lists and watches filter without parsing bodies.
 */
public record Attributes(Map<String, String> labels, Map<String, String> fields) {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final TypeReference<Map<String, Map<String, String>>> SHAPE = new TypeReference<>() {
    };

    public Attributes {
        labels = labels == null ? Map.of() : labels;
        fields = fields == null ? Map.of() : fields;
    }

    /** {@code {"f":{...},"l":{...}}}, keys sorted: what Jackson writes for the sorted maps, written directly (every write does it). */
    public String encode() {
        StringBuilder out = new StringBuilder(32 + 48 * (labels.size() + fields.size()));
        out.append("{\"f\":");
        appendSorted(out, fields);
        out.append(",\"l\":");
        appendSorted(out, labels);
        return out.append('}').toString();
    }

    private static void appendSorted(StringBuilder out, Map<String, String> map) {
        out.append('{');
        boolean first = true;
        for (Map.Entry<String, String> e : (map.size() < 2 ? map : new TreeMap<>(map)).entrySet()) {
            if (!first) {
                out.append(',');
            }
            first = false;
            appendString(out, e.getKey());
            out.append(':');
            if (e.getValue() == null) {
                out.append("null");
            } else {
                appendString(out, e.getValue());
            }
        }
        out.append('}');
    }

    private static void appendString(StringBuilder out, String s) {
        out.append('"');
        JsonStringEncoder.getInstance().quoteAsString(s, out);
        out.append('"');
    }

    /**
     * The texts, in order, that {@link #encode()}'s JSON contains exactly when the labels hold
     * {@code key=value}: the labels object's opening (the last member, as keys are sorted; a quote
     * inside a string is escaped, so nothing before it can read the same), then the pair. A database
     * can filter on them ({@code LIKE '%"l":{%"app":"web"%'}) without parsing.
     */
    public static List<String> labelTexts(String key, String value) {
        return List.of("\"l\":{", JSON.writeValueAsString(key) + ":" + JSON.writeValueAsString(value));
    }

    public static Attributes decode(String json) {
        if (json == null || json.isEmpty()) {
            return new Attributes(Map.of(), Map.of());
        }
        Map<String, Map<String, String>> map = JSON.readValue(json, SHAPE);
        return new Attributes(map.get("l"), map.get("f"));
    }
}
