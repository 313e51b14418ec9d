package dev.coracle.server.api;

import dev.coracle.server.registry.ResourceType;
import io.fabric8.kubernetes.api.model.HasMetadata;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.Map;

/** The API's door to the patch package: picks the patch type by Content-Type and keeps managedFields. */
@Component
public class Patching {

    public enum Kind {
        JSON("application/json-patch+json"),
        MERGE("application/merge-patch+json"),
        STRATEGIC("application/strategic-merge-patch+json"),
        APPLY("application/apply-patch+yaml");

        final String mediaType;

        Kind(String mediaType) {
            this.mediaType = mediaType;
        }

        public static Kind of(String contentType) {
            String base = contentType == null ? "" : contentType.split(";")[0].trim().toLowerCase();
            for (Kind k : values()) {
                if (k.mediaType.equals(base)) {
                    return k;
                }
            }
            if (base.equals("application/apply-patch+cbor")) {
                throw ApiException.unsupportedMediaType(contentType);
            }
            throw ApiException.of(415, "UnsupportedMediaType", "the body of the request was in an unknown format - accepted media types include: "
                    + "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json");
        }
    }

    public ObjectNode patch(Kind kind, ObjectNode live, byte[] body, String manager, boolean force, ResourceType type) {
        if (kind == Kind.MERGE) {
            JsonNode patch = Json.readTree(body);
            return (ObjectNode) mergePatch(live, patch);
        }
        throw ApiException.unsupportedMediaType(kind.mediaType);
    }

    public ObjectNode applyToNothing(byte[] body, String manager, ResourceType type) {
        throw ApiException.unsupportedMediaType(Kind.APPLY.mediaType);
    }

    public void recordCreate(ObjectNode body, HasMetadata object, String manager, ResourceType type) {
    }

    public void recordUpdate(ObjectNode live, HasMetadata object, String manager, ResourceType type) {
    }

    private static JsonNode mergePatch(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch;
        }
        ObjectNode result = target != null && target.isObject() ? (ObjectNode) target.deepCopy() : Json.MAPPER.createObjectNode();
        for (Map.Entry<String, JsonNode> e : patch.properties()) {
            if (e.getValue().isNull()) {
                result.remove(e.getKey());
            } else {
                result.set(e.getKey(), mergePatch(result.get(e.getKey()), e.getValue()));
            }
        }
        return result;
    }
}
