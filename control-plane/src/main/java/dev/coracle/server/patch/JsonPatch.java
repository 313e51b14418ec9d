package dev.coracle.server.patch;

import dev.coracle.server.api.ApiException;
import io.fabric8.kubernetes.api.model.StatusCauseBuilder;
import io.fabric8.kubernetes.api.model.StatusDetailsBuilder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/**
 * RFC 6902 JSON patch ({@code application/json-patch+json}), with the outcomes kube-apiserver gives:
 * a body that is not a list of operations is a 400; an operation that does not apply (missing path, failed
 * {@code test}, unknown op) is a 422 whose cause carries the json-patch library's message; more than
 * 10000 operations is a 413.
 */
public final class JsonPatch {

    static final int MAX_OPERATIONS = 10000;

    private JsonPatch() {
    }

    /** Applies the patch to a copy of {@code live} and returns the copy. */
    public static ObjectNode apply(ObjectNode live, byte[] body) {
        JsonNode patch = Json.parse(body);
        if (!patch.isArray()) {
            throw ApiException.badRequest("json: cannot unmarshal " + jsonKind(patch) + " into Go value of type jsonpatch.Patch");
        }
        for (JsonNode op : patch) {
            if (!op.isObject()) {
                throw ApiException.badRequest("json: cannot unmarshal " + jsonKind(op) + " into Go value of type jsonpatch.Operation");
            }
        }
        if (patch.size() > MAX_OPERATIONS) {
            throw ApiException.tooLarge("The allowed maximum operations in a JSON patch is " + MAX_OPERATIONS
                    + ", got " + patch.size());
        }
        JsonNode doc = live.deepCopy();
        for (JsonNode op : patch) {
            doc = applyOperation(doc, (ObjectNode) op);
        }
        if (!(doc instanceof ObjectNode result)) {
            throw notApplicable("the patched document is not a JSON object");
        }
        return result;
    }

    private static JsonNode applyOperation(JsonNode doc, ObjectNode op) {
        String kind = text(op, "op");
        if (kind == null) {
            throw notApplicable("Unexpected kind: unknown");
        }
        return switch (kind) {
            case "add" -> add(doc, path(op, "path"), value(op), "add");
            case "remove" -> {
                String path = path(op, "path");
                remove(doc, path, "remove operation does not apply: doc is missing path: \"" + path + "\": missing value");
                yield doc;
            }
            case "replace" -> {
                String path = path(op, "path");
                if (path.isEmpty()) {
                    yield value(op).deepCopy();
                }
                Location at = locate(doc, path);
                if (at == null || at.get() == null) {
                    throw notApplicable("replace operation does not apply: doc is missing key: " + path + ": missing value");
                }
                at.set(value(op).deepCopy());
                yield doc;
            }
            case "move" -> {
                String from = path(op, "from");
                String path = path(op, "path");
                Location source = locate(doc, from);
                if (source == null || source.get() == null) {
                    throw notApplicable("move operation does not apply: doc is missing from path: " + from + ": missing value");
                }
                JsonNode moved = source.get();
                remove(doc, from, "move operation does not apply: doc is missing from path: " + from + ": missing value");
                yield add(doc, path, moved, "move");
            }
            case "copy" -> {
                String from = path(op, "from");
                Location source = locate(doc, from);
                JsonNode copied = from.isEmpty() ? doc : source == null ? null : source.get();
                if (copied == null) {
                    throw notApplicable("copy operation does not apply: doc is missing from path: " + from + ": missing value");
                }
                yield add(doc, path(op, "path"), copied.deepCopy(), "copy");
            }
            case "test" -> {
                String path = path(op, "path");
                JsonNode actual = path.isEmpty() ? doc : locateValue(doc, path);
                JsonNode expected = op.get("value");
                boolean same = actual == null
                        ? expected == null || expected.isNull()
                        : Json.equal(actual, expected == null ? Json.NODES.nullNode() : expected);
                if (!same) {
                    throw notApplicable("testing value " + path + " failed: test failed");
                }
                yield doc;
            }
            default -> throw notApplicable("Unexpected kind: " + kind);
        };
    }

    private static JsonNode add(JsonNode doc, String path, JsonNode value, String op) {
        if (path.isEmpty()) {
            return value.deepCopy();
        }
        List<String> tokens = tokens(path);
        JsonNode parent = walk(doc, tokens.subList(0, tokens.size() - 1));
        String last = tokens.get(tokens.size() - 1);
        if (parent instanceof ObjectNode o) {
            o.set(last, value.deepCopy());
            return doc;
        }
        if (parent instanceof ArrayNode a) {
            int index = last.equals("-") ? a.size() : index(last);
            if (index < 0) {
                index = a.size() + 1 + index;
            }
            if (index < 0 || index > a.size()) {
                throw notApplicable("Unable to access invalid index: " + last + ": invalid index referenced");
            }
            a.insert(index, value.deepCopy());
            return doc;
        }
        throw notApplicable(op + " operation does not apply: doc is missing path: \"" + path + "\": missing value");
    }

    private static void remove(JsonNode doc, String path, String missing) {
        List<String> tokens = tokens(path);
        if (tokens.isEmpty()) {
            throw notApplicable(missing);
        }
        JsonNode parent = walk(doc, tokens.subList(0, tokens.size() - 1));
        String last = tokens.get(tokens.size() - 1);
        if (parent instanceof ObjectNode o && o.has(last)) {
            o.remove(last);
            return;
        }
        if (parent instanceof ArrayNode a) {
            int index = index(last);
            if (index < 0) {
                index = a.size() + index;
            }
            if (index >= 0 && index < a.size()) {
                a.remove(index);
                return;
            }
        }
        throw notApplicable(missing);
    }

    private static JsonNode locateValue(JsonNode doc, String path) {
        Location at = locate(doc, path);
        return at == null ? null : at.get();
    }

    /** The container and key a non-empty pointer names, or null when its parent does not exist. */
    private static Location locate(JsonNode doc, String path) {
        if (path.isEmpty()) {
            return null;
        }
        List<String> tokens = tokens(path);
        JsonNode parent = walk(doc, tokens.subList(0, tokens.size() - 1));
        return parent == null ? null : new Location(parent, tokens.get(tokens.size() - 1));
    }

    private static JsonNode walk(JsonNode doc, List<String> tokens) {
        JsonNode node = doc;
        for (String token : tokens) {
            if (node instanceof ObjectNode o) {
                node = o.get(token);
            } else if (node instanceof ArrayNode a) {
                int i = indexOrMinus(token);
                node = i >= 0 && i < a.size() ? a.get(i) : null;
            } else {
                return null;
            }
            if (node == null) {
                return null;
            }
        }
        return node;
    }

    private record Location(JsonNode parent, String key) {
        JsonNode get() {
            if (parent instanceof ObjectNode o) {
                return o.get(key);
            }
            int i = indexOrMinus(key);
            return i >= 0 && i < parent.size() ? parent.get(i) : null;
        }

        void set(JsonNode value) {
            if (parent instanceof ObjectNode o) {
                o.set(key, value);
            } else {
                ((ArrayNode) parent).set(index(key), value);
            }
        }
    }

    static List<String> tokens(String pointer) {
        if (!pointer.startsWith("/")) {
            throw notApplicable("JSON pointer must be empty or start with a \"/\": " + pointer);
        }
        List<String> tokens = new ArrayList<>();
        for (String raw : pointer.substring(1).split("/", -1)) {
            tokens.add(raw.replace("~1", "/").replace("~0", "~"));
        }
        return tokens;
    }

    private static int indexOrMinus(String token) {
        try {
            return Integer.parseInt(token);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static int index(String token) {
        try {
            return Integer.parseInt(token);
        } catch (NumberFormatException e) {
            throw notApplicable("Unable to access invalid index: " + token + ": invalid index referenced");
        }
    }

    private static String path(ObjectNode op, String field) {
        String path = text(op, field);
        if (path == null) {
            throw notApplicable("operation missing " + field + " field: missing value");
        }
        return path;
    }

    private static JsonNode value(ObjectNode op) {
        JsonNode value = op.get("value");
        if (value == null) {
            throw notApplicable("operation missing value field: missing value");
        }
        return value;
    }

    private static String text(ObjectNode op, String field) {
        JsonNode node = op.get(field);
        return node != null && node.isString() ? node.stringValue() : null;
    }

    private static String jsonKind(JsonNode node) {
        return node.isObject() ? "object" : node.isArray() ? "array" : node.isString() ? "string"
                : node.isNumber() ? "number" : node.isBoolean() ? "bool" : "null";
    }

    /**
     * The 422 kube-apiserver returns when a patch does not apply: a generic message with the library's
     * error as the cause ({@code errors.NewGenericServerResponse(422, ...)}).
     */
    static ApiException notApplicable(String detail) {
        ApiException e = ApiException.of(422, "Invalid", "the server rejected our request due to an error in our request");
        e.status().setDetails(new StatusDetailsBuilder()
                .withCauses(new StatusCauseBuilder().withReason("UnexpectedServerResponse").withMessage(detail).build())
                .build());
        return e;
    }
}
