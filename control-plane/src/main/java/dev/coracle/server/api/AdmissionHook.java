package dev.coracle.server.api;

import dev.coracle.server.registry.ResourceType;
import io.fabric8.kubernetes.api.model.HasMetadata;

import java.util.List;

/**
 * A step that writes need beyond a strategy's pure rules, because it consults or reserves shared
 * state (a Service's ClusterIP). Runs after validation, just before the object is stored.
 */
public interface AdmissionHook {

    boolean appliesTo(ResourceType type);

    /**
     * Whether {@link #beforeCreate} reserves shared state (an IP, a port): then a create whose object exists already
     * is refused before the hook runs, so that nothing is reserved for a write that cannot succeed.
     */
    default boolean reserves() {
        return true;
    }

    /** Whether {@link #beforeCreate} of this object may block (read the store, wait): then it runs off the event loop. */
    default boolean mayWait(HasMetadata object) {
        return true;
    }

    /**
     * Checks the object against shared state and fills in what it needs from there (an IP, a port, an account).
     * Returns where it filled in fields the client had left unset, as JSON pointers ({@code /spec/ports/0/nodePort}):
     * Kubernetes assigns those after its field manager has run, so that no manager owns them.
     *
     * @param user who asks (an admin, {@code system:node:NAME}, ...), as Kubernetes' admission attributes carry it
     */
    default List<String> beforeCreate(HasMetadata object, String user, boolean dryRun) {
        return List.of();
    }

    default void beforeUpdate(HasMetadata object, HasMetadata old) {
    }
}
