package dev.coracle.server.selector;

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

    public String encode() {
        Map<String, Object> out = new TreeMap<>();
        out.put("l", new TreeMap<>(labels));
        out.put("f", new TreeMap<>(fields));
        return JSON.writeValueAsString(out);
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
