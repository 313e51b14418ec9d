package dev.coracle.server.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.type.LogicalType;
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
            // Go's encoding/json: a number is not a string, a string is not a number, 1.5 is not an int32
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .withCoercionConfig(LogicalType.Textual, c -> c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail).setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .withCoercionConfig(LogicalType.Integer, c -> c.setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail))
            .withCoercionConfig(LogicalType.Boolean, c -> c.setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail))
            .build();

    private static final YAMLMapper YAML = YAMLMapper.builder().build();

    /** MAPPER, but skipping {@code metadata.managedFields} while it reads: for caches that never look at them. */
    private static final JsonMapper WITHOUT_MANAGED_FIELDS = MAPPER.rebuild().addMixIn(ObjectMeta.class, SkipManagedFields.class).build();

    @JsonIgnoreProperties("managedFields")
    private interface SkipManagedFields {
    }

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

    /**
     * Straight from stored JSON to {@code type} without {@code metadata.managedFields}, which are skipped rather than
     * decoded: what an informer keeps (client-go's TransformStripManagedFields), in one pass.
     */
    public static <T> T readStoredWithoutManagedFields(String body, Class<T> type) {
        return WITHOUT_MANAGED_FIELDS.readValue(body, type);
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
        return (path.isEmpty() ? "" : "field " + path + ": ") + goMessage(firstLine(e.getOriginalMessage()));
    }

    private static final java.util.regex.Pattern COERCE = java.util.regex.Pattern.compile(
            "Cannot coerce (\\S+) value .* to `([^`]+)` value.*");
    private static final java.util.regex.Pattern MISMATCH = java.util.regex.Pattern.compile(
            "Cannot deserialize value of type `([^`]+)` from (\\S+) .*");

    /** Jackson's type mismatches, worded as Go's encoding/json words them ({@code json: cannot unmarshal number into Go value of type string}). */
    private static String goMessage(String message) {
        if (message.startsWith("Invalid quantity string format passed")) {
            // Fabric8's Quantity refuses an empty string before Coracle's own check can: word it as resource.Quantity does
            return dev.coracle.server.registry.Quantities.REGEX_MESSAGE;
        }
        java.util.regex.Matcher m = COERCE.matcher(message);
        if (m.matches()) {
            return "json: cannot unmarshal " + jsonShape(m.group(1)) + " into Go value of type " + goType(m.group(2));
        }
        m = MISMATCH.matcher(message);
        if (m.matches()) {
            return "json: cannot unmarshal " + jsonShape(m.group(2)) + " into Go value of type " + goType(m.group(1));
        }
        return message;
    }

    private static String jsonShape(String jackson) {
        return switch (jackson) {
            case "Integer", "Floating-point", "Float" -> "number";
            case "String" -> "string";
            case "Boolean" -> "bool";
            case "Object" -> "object";
            case "Array" -> "array";
            default -> jackson.toLowerCase();
        };
    }

    private static String goType(String java) {
        if (java.startsWith("java.util.") && java.contains("List")) {
            return "[]" + goType(java.substring(java.indexOf('<') + 1, java.lastIndexOf('>')));
        }
        if (java.startsWith("java.util.") && java.contains("Map")) {
            return "map[string]" + goType(java.substring(java.indexOf(',') + 1, java.lastIndexOf('>')).trim());
        }
        return switch (java) {
            case "java.lang.String" -> "string";
            case "java.lang.Integer", "int" -> "int32";
            case "java.lang.Long", "long" -> "int64";
            case "java.lang.Boolean", "boolean" -> "bool";
            case "java.lang.Double", "double", "java.lang.Float", "float" -> "float64";
            default -> java.substring(java.lastIndexOf('.') + 1);
        };
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "malformed input";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
