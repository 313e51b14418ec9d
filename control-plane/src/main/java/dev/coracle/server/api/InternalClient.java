package dev.coracle.server.api;

import dev.coracle.server.registry.Registry;
import dev.coracle.server.registry.ResourceStrategy;
import io.fabric8.kubernetes.api.model.HasMetadata;
import org.springframework.stereotype.Component;
import org.springframework.util.LinkedMultiValueMap;


/**
 * How the control plane's own parts (bootstrap, controllers) write objects: through the same
 * verbs as any client, so defaults, validation and watch events are the same.
 */
@Component
public class InternalClient {

    private final ResourceService resources;
    private final Registry registry;

    public InternalClient(ResourceService resources, Registry registry) {
        this.resources = resources;
        this.registry = registry;
    }

    /** Creates the object unless one of that name exists; true if it created it. */
    public boolean createIfMissing(String group, String version, String plural, String namespace, HasMetadata object) {
        ResourceStrategy<HasMetadata> strategy = registry.find(group, version, plural)
                .orElseThrow(() -> new IllegalStateException("not served: " + plural));
        Call call = new Call(new RequestInfo(group, version, namespace, plural, null, null, false), strategy,
                new Query(new LinkedMultiValueMap<>()), "system:apiserver", "kube-apiserver");
        try {
            resources.create(call, Json.toTree(object));
            return true;
        } catch (ApiException e) {
            if (e.code() == 409) {
                return false;
            }
            throw e;
        }
    }

}
