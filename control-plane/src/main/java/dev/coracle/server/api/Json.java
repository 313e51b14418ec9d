package dev.coracle.server.api;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

import java.nio.charset.StandardCharsets;

/**
 * The one JSON configuration of the API: trees for what the API layer rewrites, typed Fabric8
 * objects for what strategies reason about. Unknown fields land in the models' additionalProperties,
 * where {@link UnknownFields} finds them; a wrong type is a 400, as in kube-apiserver.
 */
public final class Json {

    public static final JsonMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private static final YAMLMapper YAML = YAMLMapper.builder().build();

    private Json() {
    }

    public static ObjectNode parseObject(byte[] body) {
        return asObject(readTree(body));
    }

    public static JsonNode readTree(byte[] body) {
        try {
            return MAPPER.readTree(body);
        } catch (JacksonException e) {
            throw ApiException.badRequest("error decoding JSON: " + firstLine(e.getOriginalMessage()));
        }
    }

    public static ObjectNode parseYamlObject(byte[] body) {
        try {
            JsonNode tree = YAML.readTree(body);
            return asObject(tree);
        } catch (JacksonException e) {
            throw ApiException.badRequest("error converting YAML to JSON: " + firstLine(e.getOriginalMessage()));
        }
    }

    private static ObjectNode asObject(JsonNode tree) {
        if (tree == null || !tree.isObject()) {
            throw ApiException.badRequest("the body of the request must be a JSON object, got "
                    + (tree == null || tree.isMissingNode() ? "nothing" : tree.getNodeType().name().toLowerCase()));
        }
        return (ObjectNode) tree;
    }

    public static ObjectNode parseStored(String body) {
        return (ObjectNode) MAPPER.readTree(body);
    }

    public static <T> T toTyped(JsonNode tree, Class<T> type) {
        try {
            return MAPPER.treeToValue(tree, type);
        } catch (JacksonException e) {
            throw ApiException.badRequest("error decoding " + type.getSimpleName() + ": " + describe(e));
        }
    }

    public static ObjectNode toTree(Object typed) {
        return MAPPER.valueToTree(typed);
    }

    public static String write(Object value) {
        return MAPPER.writeValueAsString(value);
    }

    public static byte[] bytes(Object value) {
        return MAPPER.writeValueAsBytes(value);
    }

    public static String yaml(Object value) {
        return YAML.writeValueAsString(value);
    }

    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String describe(JacksonException e) {
        String path = e.getPath().stream()
                .map(ref -> ref.getPropertyName() != null ? ref.getPropertyName() : "[" + ref.getIndex() + "]")
                .reduce((a, b) -> b.startsWith("[") ? a + b : a + "." + b).orElse("");
        return (path.isEmpty() ? "" : "field " + path + ": ") + firstLine(e.getOriginalMessage());
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "malformed input";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
