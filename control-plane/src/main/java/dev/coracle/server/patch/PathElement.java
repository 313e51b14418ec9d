package dev.coracle.server.patch;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One step of a field path as {@code fieldsV1} spells it: {@code f:<field>}, {@code k:<keys as JSON>} (an item of
 * a list-map), {@code v:<value as JSON>} (an item of a set) or {@code i:<index>}. The JSON is canonical (sorted keys,
 * compact) so equal items have equal elements. Ordered as structured-merge-diff orders them: fields, keys, values, indexes.
 */
record PathElement(String encoded) implements Comparable<PathElement> {

    static PathElement field(String name) {
        return new PathElement("f:" + name);
    }

    static PathElement key(ObjectNode keys) {
        return new PathElement("k:" + Json.canonical(keys));
    }

    static PathElement value(JsonNode value) {
        return new PathElement("v:" + Json.canonical(value));
    }

    static PathElement index(int index) {
        return new PathElement("i:" + index);
    }

    /** Parses a {@code fieldsV1} key; throws IllegalArgumentException for anything else. */
    static PathElement parse(String encoded) {
        if (encoded.length() < 2 || encoded.charAt(1) != ':') {
            throw new IllegalArgumentException("unknown path element " + encoded);
        }
        String body = encoded.substring(2);
        switch (encoded.charAt(0)) {
            case 'f':
                return new PathElement(encoded);
            case 'i':
                try {
                    return index(Integer.parseInt(body));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("bad index in " + encoded);
                }
            case 'k':
            case 'v':
                JsonNode json;
                try {
                    json = Json.MAPPER.readTree(body);
                } catch (JacksonException e) {
                    throw new IllegalArgumentException("bad JSON in " + encoded);
                }
                if (encoded.charAt(0) == 'k') {
                    if (!(json instanceof ObjectNode keys)) {
                        throw new IllegalArgumentException("keys must be an object in " + encoded);
                    }
                    return key(keys);
                }
                return value(json);
            default:
                throw new IllegalArgumentException("unknown path element " + encoded);
        }
    }

    boolean isField() {
        return encoded.startsWith("f:");
    }

    String fieldName() {
        return isField() ? encoded.substring(2) : null;
    }

    private int rank() {
        return switch (encoded.charAt(0)) {
            case 'f' -> 0;
            case 'k' -> 1;
            case 'v' -> 2;
            default -> 3;
        };
    }

    @Override
    public int compareTo(PathElement o) {
        int byRank = Integer.compare(rank(), o.rank());
        return byRank != 0 ? byRank : encoded.compareTo(o.encoded);
    }

    /** How structured-merge-diff prints the element in conflict messages: {@code .image}, {@code [name="nginx"]}, {@code [="x"]}, {@code [0]}. */
    @Override
    public String toString() {
        String body = encoded.substring(2);
        return switch (encoded.charAt(0)) {
            case 'f' -> "." + body;
            case 'k' -> {
                JsonNode keys = Json.MAPPER.readTree(body);
                List<String> parts = new ArrayList<>();
                for (Map.Entry<String, JsonNode> e : keys.properties()) {
                    parts.add(e.getKey() + "=" + display(e.getValue()));
                }
                yield "[" + String.join(",", parts) + "]";
            }
            case 'v' -> "[=" + display(Json.MAPPER.readTree(body)) + "]";
            default -> "[" + body + "]";
        };
    }

    private static String display(JsonNode value) {
        return value.isString() ? Json.quote(value.stringValue()) : Json.canonical(value);
    }

    /** A whole path, e.g. {@code .spec.template.spec.containers[name="nginx"].image}. */
    static String render(List<PathElement> path) {
        StringBuilder out = new StringBuilder();
        path.forEach(out::append);
        return out.toString();
    }
}
