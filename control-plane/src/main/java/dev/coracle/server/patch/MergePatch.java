package dev.coracle.server.patch;

import dev.coracle.server.api.ApiException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.Map;

/** RFC 7386 JSON merge patch ({@code application/merge-patch+json}): objects merge, {@code null} deletes, anything else replaces. */
public final class MergePatch {

    private MergePatch() {
    }

    /** Applies the patch to a copy of {@code live} and returns the copy; a body that is not a JSON object is a 400. */
    public static ObjectNode apply(ObjectNode live, byte[] body) {
        JsonNode patch = Json.parse(body);
        if (!patch.isObject()) {
            throw ApiException.badRequest("invalid JSON merge patch: the patch must be a JSON object");
        }
        return (ObjectNode) merge(live.deepCopy(), patch);
    }

    /** Merges {@code patch} into {@code target} (which it may modify) and returns the result. */
    static JsonNode merge(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch.deepCopy();
        }
        ObjectNode result = target instanceof ObjectNode o ? o : Json.object();
        for (Map.Entry<String, JsonNode> e : patch.properties()) {
            if (e.getValue().isNull()) {
                result.remove(e.getKey());
            } else {
                result.set(e.getKey(), merge(result.get(e.getKey()), e.getValue()));
            }
        }
        return result;
    }
}
