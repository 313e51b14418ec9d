package dev.coracle.server.patch;

import dev.coracle.server.api.ApiException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * JSON tree helpers shared by the patchers: parsing request bodies, value equality that ignores how a number
 * happens to be stored ({@code 30} as int or long), and the canonical encoding Kubernetes uses inside
 * {@code fieldsV1} keys and the last-applied annotation (sorted keys, compact, Go's escaping).
 */
final class Json {

    static final JsonMapper MAPPER = JsonMapper.builder().build();
    static final YAMLMapper YAML = YAMLMapper.builder().build();
    static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private Json() {
    }

    /** Parses a JSON request body; malformed JSON is a 400 as kube-apiserver answers it. */
    static JsonNode parse(byte[] body) {
        try {
            JsonNode node = MAPPER.readTree(body == null ? new byte[0] : body);
            if (node == null || node.isMissingNode()) {
                throw ApiException.badRequest("unexpected end of JSON input");
            }
            return node;
        } catch (JacksonException e) {
            throw ApiException.badRequest("error decoding patch: " + e.getOriginalMessage());
        }
    }

    /** Parses an apply body: YAML, of which JSON is a subset. */
    static JsonNode parseYaml(byte[] body) {
        try {
            JsonNode node = YAML.readTree(body == null ? new byte[0] : body);
            return node == null || node.isMissingNode() ? NODES.objectNode() : node;
        } catch (JacksonException e) {
            throw ApiException.badRequest("error decoding YAML: " + e.getOriginalMessage());
        }
    }

    static ObjectNode object() {
        return NODES.objectNode();
    }

    static ArrayNode array() {
        return NODES.arrayNode();
    }

    /** Deep equality where numbers compare by value. {@code null} (absent) equals only absent. */
    static boolean equal(JsonNode a, JsonNode b) {
        if (a == b) {
            return true;
        }
        if (a == null || b == null) {
            return false;
        }
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue()) == 0;
        }
        if (a.getNodeType() != b.getNodeType()) {
            return false;
        }
        if (a.isObject()) {
            if (a.size() != b.size()) {
                return false;
            }
            for (Map.Entry<String, JsonNode> e : a.properties()) {
                if (!equal(e.getValue(), b.get(e.getKey()))) {
                    return false;
                }
            }
            return true;
        }
        if (a.isArray()) {
            if (a.size() != b.size()) {
                return false;
            }
            for (int i = 0; i < a.size(); i++) {
                if (!equal(a.get(i), b.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return a.equals(b);
    }

    /** Compact JSON with sorted object keys and integral numbers without a fraction, as Go's encoding/json writes a map. */
    static String canonical(JsonNode node) {
        StringBuilder out = new StringBuilder();
        writeCanonical(node, out);
        return out.toString();
    }

    private static void writeCanonical(JsonNode node, StringBuilder out) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            out.append("null");
        } else if (node.isObject()) {
            List<String> keys = new ArrayList<>(node.propertyNames());
            keys.sort(null);
            out.append('{');
            for (int i = 0; i < keys.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                quote(keys.get(i), out);
                out.append(':');
                writeCanonical(node.get(keys.get(i)), out);
            }
            out.append('}');
        } else if (node.isArray()) {
            out.append('[');
            for (int i = 0; i < node.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                writeCanonical(node.get(i), out);
            }
            out.append(']');
        } else if (node.isString()) {
            quote(node.stringValue(), out);
        } else if (node.isNumber()) {
            out.append(number(node));
        } else if (node.isBoolean()) {
            out.append(node.booleanValue());
        } else {
            quote(node.asString(), out);
        }
    }

    static String number(JsonNode node) {
        if (node.isIntegralNumber()) {
            return node.bigIntegerValue().toString();
        }
        BigDecimal d = node.decimalValue().stripTrailingZeros();
        return d.scale() <= 0 ? d.toBigInteger().toString() : d.toPlainString();
    }

    /** A JSON string literal escaped as Go's encoding/json does (including {@code <>&}). */
    static void quote(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '<', '>', '&', '\u2028', '\u2029' -> out.append(String.format("\\u%04x", (int) c));
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    static String quote(String s) {
        StringBuilder out = new StringBuilder();
        quote(s, out);
        return out.toString();
    }

    /** How Go's {@code %v} prints a decoded JSON value, for error messages worded as Kubernetes words them. */
    static String goValue(JsonNode node) {
        if (node == null || node.isNull()) {
            return "<nil>";
        }
        if (node.isObject()) {
            List<String> keys = new ArrayList<>(node.propertyNames());
            keys.sort(null);
            StringBuilder out = new StringBuilder("map[");
            for (int i = 0; i < keys.size(); i++) {
                if (i > 0) {
                    out.append(' ');
                }
                out.append(keys.get(i)).append(':').append(goValue(node.get(keys.get(i))));
            }
            return out.append(']').toString();
        }
        if (node.isArray()) {
            StringBuilder out = new StringBuilder("[");
            for (int i = 0; i < node.size(); i++) {
                if (i > 0) {
                    out.append(' ');
                }
                out.append(goValue(node.get(i)));
            }
            return out.append(']').toString();
        }
        if (node.isNumber()) {
            return number(node);
        }
        return node.asString();
    }

    /** A deep copy without the {@code null} values of objects (what a patch's nulls mean once merged into nothing). */
    static JsonNode withoutNulls(JsonNode node) {
        if (node instanceof ObjectNode o) {
            ObjectNode copy = NODES.objectNode();
            for (Map.Entry<String, JsonNode> e : o.properties()) {
                if (!e.getValue().isNull()) {
                    copy.set(e.getKey(), withoutNulls(e.getValue()));
                }
            }
            return copy;
        }
        if (node instanceof ArrayNode a) {
            ArrayNode copy = NODES.arrayNode();
            for (JsonNode item : a) {
                copy.add(withoutNulls(item));
            }
            return copy;
        }
        return node == null ? null : node.deepCopy();
    }
}
