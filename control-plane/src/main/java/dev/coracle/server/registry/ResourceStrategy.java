package dev.coracle.server.registry;

import dev.coracle.server.api.ApiException.FieldError;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.TableColumnDefinition;

import java.util.List;
import java.util.Map;

/**
 * One place per resource for what Kubernetes' registry strategies hold: defaults, validation,
 * how status and spec are kept apart, which fields can be selected, and the columns of
 * {@code kubectl get}.
 *
 * <p>The generic object metadata (name, namespace, uid, timestamps, resourceVersion, finalizers)
 * is handled by the API layer for every resource; a strategy deals only with what is specific
 * to its kind.
 */
public interface ResourceStrategy<T extends HasMetadata> {

    ResourceType type();

    /** Sets Kubernetes' defaults on a new or updated object (what the API server's defaulters do). */
    default void applyDefaults(T object) {
    }

    /** On create: drop what a client may not set (status for resources with a status subresource). */
    default void prepareForCreate(T object) {
    }

    /** On update through the main resource: keep the stored status; through /status: keep the stored spec. */
    default void prepareForUpdate(T object, T old) {
    }

    default void prepareForStatusUpdate(T object, T old) {
    }

    /** Field errors of a new object, paths as Kubernetes names them ({@code spec.replicas}). */
    List<FieldError> validate(T object);

    /** Field errors of an update, including immutable fields changed. Defaults to {@link #validate}. */
    default List<FieldError> validateUpdate(T object, T old) {
        return validate(object);
    }

    /**
     * Field errors of an update through the {@code status} subresource. Defaults to {@link #validateUpdate};
     * strategies whose kind Kubernetes validates differently on status updates override it.
     */
    default List<FieldError> validateStatusUpdate(T object, T old) {
        return validateUpdate(object, old);
    }

    /**
     * How {@code metadata.name} is validated ({@link Validation#validateObjectMeta}): a DNS-1123 subdomain
     * unless the kind requires a label (Namespace) or a DNS-1035 label (Service).
     */
    default NameRule nameRule() {
        return NameRule.DNS1123_SUBDOMAIN;
    }

    /** Whether {@code metadata.generation} is tracked: bumped when anything but metadata and status changes. */
    default boolean tracksGeneration() {
        return false;
    }

    /** Fields usable in a fieldSelector beyond metadata.name and metadata.namespace. */
    default Map<String, String> selectableFields(T object) {
        return Map.of();
    }

    /** The Table columns kube-apiserver prints for this resource; {@code priority 1} columns are the {@code -o wide} ones. */
    List<TableColumnDefinition> columns();

    /** One row's cells, in the order of {@link #columns()}. */
    List<Object> cells(T object);

    /**
     * Seconds a deleted object is given to go gracefully before it may be removed (a scheduled pod's
     * termination grace period); 0 removes it at once, finalizers permitting.
     */
    default long deletionGracePeriod(T object, Long requested) {
        return 0;
    }

    /** Marks an object whose deletion must wait (a namespace turns Terminating). */
    default void markDeleting(T object) {
    }

    /** Whether something besides metadata.finalizers still holds a marked object (a namespace's spec.finalizers). */
    default boolean holdsDeletion(T object) {
        return false;
    }

    /**
     * The names {@link #selectableFields} answers, read off an empty object, so a fieldSelector on
     * anything else gets the 400 Kubernetes gives.
     */
    default java.util.Set<String> selectableFieldNames() {
        try {
            @SuppressWarnings("unchecked")
            T blank = (T) type().modelClass().getDeclaredConstructor().newInstance();
            return selectableFields(blank).keySet();
        } catch (ReflectiveOperationException | RuntimeException e) {
            return java.util.Set.of();
        }
    }
}
