package dev.coracle.server.registry;

import io.fabric8.kubernetes.api.model.HasMetadata;

import java.util.List;

/**
 * What the API serves for one resource: its group/version/kind, its names as discovery shows them,
 * its scope, its subresources and the Fabric8 model class its objects decode into.
 */
public record ResourceType(
        String group,
        String version,
        String kind,
        String plural,
        String singular,
        boolean namespaced,
        List<String> shortNames,
        List<String> categories,
        List<String> subresources,
        Class<? extends HasMetadata> modelClass) {

    public String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    /** {@code deployments.apps}, or {@code pods} for the core group: the name errors and RBAC use. */
    public String qualifiedResource() {
        return group.isEmpty() ? plural : plural + "." + group;
    }

    /** {@code Deployment.apps}, or {@code Pod} for the core group: how 422 messages name the kind. */
    public String qualifiedKind() {
        return group.isEmpty() ? kind : kind + "." + group;
    }

    public boolean hasSubresource(String name) {
        return subresources.contains(name);
    }

    /** The key objects of this resource are stored under: group and plural, stable across versions. */
    public String storageKey() {
        return group.isEmpty() ? plural : group + "/" + plural;
    }

    /**
     * The verbs discovery lists and the API serves. Namespaces have no deletecollection in
     * Kubernetes: deleting them all would take kube-system with them.
     */
    public List<String> verbs() {
        if (group.equals("metrics.k8s.io")) {
            return List.of("get", "list"); // read-only, served from the agents' stats
        }
        if (group.equals("authorization.k8s.io") || group.equals("authentication.k8s.io")) {
            return List.of("create"); // reviews: asked, answered, never stored
        }
        if (group.isEmpty() && plural.equals("namespaces")) {
            return List.of("create", "delete", "get", "list", "patch", "update", "watch");
        }
        return List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");
    }
}
