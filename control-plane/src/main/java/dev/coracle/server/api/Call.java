package dev.coracle.server.api;

import dev.coracle.server.registry.ResourceStrategy;
import dev.coracle.server.registry.ResourceType;
import dev.coracle.server.store.ObjectKey;
import io.fabric8.kubernetes.api.model.HasMetadata;

/** One API request on a resource, resolved: what it names, the resource's strategy, its query. */
public record Call(RequestInfo info, ResourceStrategy<HasMetadata> strategy, Query query, String user, String userAgent) {

    public ResourceType type() {
        return strategy.type();
    }

    public ObjectKey key() {
        return new ObjectKey(type().storageKey(), type().namespaced() ? info.namespace() : "", info.name());
    }

    public ObjectKey key(String name) {
        return new ObjectKey(type().storageKey(), type().namespaced() ? info.namespace() : "", name);
    }

    public ApiException notFound() {
        return ApiException.notFound(type().group(), type().plural(), info.name());
    }

    /** The same call on the main resource, for subresources that write it. */
    public Call withoutSubresource() {
        return new Call(new RequestInfo(info.group(), info.version(), info.namespace(), info.resource(), info.name(), null, false),
                strategy, query, user, userAgent);
    }
}
