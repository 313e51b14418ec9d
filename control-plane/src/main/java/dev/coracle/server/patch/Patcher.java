package dev.coracle.server.patch;

import dev.coracle.server.registry.ResourceType;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import tools.jackson.databind.node.ObjectNode;

/**
 * The entry point for the non-apply PATCH bodies: the stored object (Kubernetes JSON) and the request body in,
 * the patched object out. The caller then decodes, defaults and validates it, and records ownership with
 * {@link FieldManager#update}. Server-side apply goes through {@link FieldManager#apply}.
 *
 * <pre>{@code
 * PatchType type = PatchType.fromContentType(request.contentType());          // 415 for anything else
 * FieldManager.validatePatchOptions(type, fieldManager, force);               // 422 PatchOptions errors
 * if (type == PatchType.APPLY_PATCH) {
 *     ApplyResult r = fieldManager.apply(liveOrNull, body, fieldManager, force, resourceType);
 * } else {
 *     ObjectNode patched = Patcher.patch(type, live, body, resourceType);
 *     // decode, default, validate, then:
 *     ObjectNode toStore = fieldManager.update(live, defaulted, FieldManager.managerFor(fieldManager, userAgent), resourceType);
 * }
 * }</pre>
 */
public final class Patcher {

    private Patcher() {
    }

    /**
     * Applies a JSON patch, merge patch or strategic merge patch to a copy of {@code live}.
     * Strategic merge patch of a custom resource ({@link GenericKubernetesResource}) is a 415, as in Kubernetes.
     *
     * @throws IllegalArgumentException for {@link PatchType#APPLY_PATCH}, which needs a field manager
     */
    public static ObjectNode patch(PatchType type, ObjectNode live, byte[] body, ResourceType resource) {
        return switch (type) {
            case JSON_PATCH -> JsonPatch.apply(live, body);
            case MERGE_PATCH -> MergePatch.apply(live, body);
            case STRATEGIC_MERGE_PATCH -> {
                if (GenericKubernetesResource.class.isAssignableFrom(resource.modelClass())) {
                    throw PatchType.unsupported(false);
                }
                yield StrategicMergePatch.apply(live, body, resource.modelClass());
            }
            case APPLY_PATCH -> throw new IllegalArgumentException("server-side apply goes through FieldManager.apply");
        };
    }
}
