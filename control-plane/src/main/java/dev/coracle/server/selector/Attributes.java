package dev.coracle.server.selector;

import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

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

    public String encode() {
        Map<String, Object> out = new TreeMap<>();
        out.put("l", new TreeMap<>(labels));
        out.put("f", new TreeMap<>(fields));
        return JSON.writeValueAsString(out);
    }

    /**
     * The text a label {@code key=value} takes inside {@link #encode()}'s JSON: every object carrying
     * that label has it in its encoded attributes (the converse need not hold), so a database can
     * pre-filter on it.
     */
    public static String labelText(String key, String value) {
        return JSON.writeValueAsString(key) + ":" + JSON.writeValueAsString(value);
    }

    public static Attributes decode(String json) {
        if (json == null || json.isEmpty()) {
            return new Attributes(Map.of(), Map.of());
        }
        Map<String, Map<String, String>> map = JSON.readValue(json, SHAPE);
        return new Attributes(map.get("l"), map.get("f"));
    }
}
