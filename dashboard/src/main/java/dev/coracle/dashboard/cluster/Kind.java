package dev.coracle.dashboard.cluster;

import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Informable;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/** A resource the dashboard watches, by its plural name (also the name the live-update stream uses). */
public record Kind<T extends HasMetadata>(String plural, String kind, Class<T> type, boolean namespaced,
                                          Function<KubernetesClient, Informable<T>> source) {

    public static final Kind<Pod> PODS = new Kind<>("pods", "Pod", Pod.class, true, c -> c.pods().inAnyNamespace());
    public static final Kind<Node> NODES = new Kind<>("nodes", "Node", Node.class, false, KubernetesClient::nodes);
    public static final Kind<Deployment> DEPLOYMENTS = new Kind<>("deployments", "Deployment", Deployment.class, true,
            c -> c.apps().deployments().inAnyNamespace());
    public static final Kind<ReplicaSet> REPLICASETS = new Kind<>("replicasets", "ReplicaSet", ReplicaSet.class, true,
            c -> c.apps().replicaSets().inAnyNamespace());
    public static final Kind<Service> SERVICES = new Kind<>("services", "Service", Service.class, true,
            c -> c.services().inAnyNamespace());
    public static final Kind<Endpoints> ENDPOINTS = new Kind<>("endpoints", "Endpoints", Endpoints.class, true,
            c -> c.endpoints().inAnyNamespace());
    public static final Kind<Event> EVENTS = new Kind<>("events", "Event", Event.class, true,
            c -> c.v1().events().inAnyNamespace());
    public static final Kind<Namespace> NAMESPACES = new Kind<>("namespaces", "Namespace", Namespace.class, false,
            KubernetesClient::namespaces);
    public static final Kind<PersistentVolume> PERSISTENT_VOLUMES = new Kind<>("persistentvolumes", "PersistentVolume",
            PersistentVolume.class, false, KubernetesClient::persistentVolumes);
    public static final Kind<PersistentVolumeClaim> PERSISTENT_VOLUME_CLAIMS = new Kind<>("persistentvolumeclaims",
            "PersistentVolumeClaim", PersistentVolumeClaim.class, true, c -> c.persistentVolumeClaims().inAnyNamespace());
    public static final Kind<StorageClass> STORAGE_CLASSES = new Kind<>("storageclasses", "StorageClass", StorageClass.class,
            false, c -> c.storage().v1().storageClasses());

    public static final List<Kind<?>> ALL = List.of(PODS, NODES, DEPLOYMENTS, REPLICASETS, SERVICES, ENDPOINTS, EVENTS,
            NAMESPACES, PERSISTENT_VOLUMES, PERSISTENT_VOLUME_CLAIMS, STORAGE_CLASSES);

    public static Optional<Kind<?>> byPlural(String plural) {
        return ALL.stream().filter(k -> k.plural.equals(plural)).findFirst();
    }

    @Override
    public String toString() {
        return plural;
    }
}
