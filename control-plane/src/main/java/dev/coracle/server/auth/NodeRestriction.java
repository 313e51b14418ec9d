package dev.coracle.server.auth;

import dev.coracle.server.api.AdmissionHook;
import dev.coracle.server.api.ApiException;
import dev.coracle.server.registry.ResourceType;
import io.fabric8.kubernetes.api.model.HasMetadata;
import org.springframework.stereotype.Component;

import java.util.List;

/**
 * Kubernetes' NodeRestriction admission for Node creates: a node's credential creates only the Node of its own name.
 * The authorization filter sees the path alone, and a create's name is in its body.
 */
@Component
public class NodeRestriction implements AdmissionHook {

    @Override
    public boolean appliesTo(ResourceType type) {
        return type.group().isEmpty() && type.plural().equals("nodes");
    }

    @Override
    public boolean reserves() {
        return false;
    }

    @Override
    public boolean mayWait(HasMetadata object) {
        return false;
    }

    @Override
    public List<String> beforeCreate(HasMetadata object, String user, boolean dryRun) {
        if (user != null && user.startsWith(NodeAuthorization.NODE_PREFIX)) {
            String node = user.substring(NodeAuthorization.NODE_PREFIX.length());
            String name = object.getMetadata().getName();
            if (!node.equals(name)) {
                throw ApiException.forbidden("nodes \"" + name + "\" is forbidden: node \"" + node + "\" is not allowed to modify node \""
                        + name + "\"");
            }
        }
        return List.of();
    }
}
