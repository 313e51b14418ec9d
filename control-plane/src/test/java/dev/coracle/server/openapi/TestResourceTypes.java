package dev.coracle.server.openapi;

import dev.coracle.server.registry.ResourceType;

import java.util.List;

/** The resources the OpenAPI tests serve. */
final class TestResourceTypes {

    static final ResourceType PODS = new ResourceType("", "v1", "Pod", "pods", "pod", true,
            List.of("po"), List.of("all"), List.of("status", "binding", "log"), io.fabric8.kubernetes.api.model.Pod.class);
    static final ResourceType NAMESPACES = new ResourceType("", "v1", "Namespace", "namespaces", "namespace", false,
            List.of("ns"), List.of(), List.of("status", "finalize"), io.fabric8.kubernetes.api.model.Namespace.class);
    static final ResourceType SERVICES = new ResourceType("", "v1", "Service", "services", "service", true,
            List.of("svc"), List.of("all"), List.of("status"), io.fabric8.kubernetes.api.model.Service.class);
    static final ResourceType DEPLOYMENTS = new ResourceType("apps", "v1", "Deployment", "deployments", "deployment",
            true, List.of("deploy"), List.of("all"), List.of("status", "scale"),
            io.fabric8.kubernetes.api.model.apps.Deployment.class);
    static final ResourceType STORAGE_CLASSES = new ResourceType("storage.k8s.io", "v1", "StorageClass",
            "storageclasses", "storageclass", false, List.of("sc"), List.of(), List.of(),
            io.fabric8.kubernetes.api.model.storage.StorageClass.class);
    static final ResourceType LEASES = new ResourceType("coordination.k8s.io", "v1", "Lease", "leases", "lease", true,
            List.of(), List.of(), List.of(), io.fabric8.kubernetes.api.model.coordination.v1.Lease.class);
    static final ResourceType EVENTS = new ResourceType("events.k8s.io", "v1", "Event", "events", "event", true,
            List.of("ev"), List.of(), List.of(), io.fabric8.kubernetes.api.model.events.v1.Event.class);
    static final ResourceType NODE_METRICS = new ResourceType("metrics.k8s.io", "v1beta1", "NodeMetrics", "nodes",
            "", false, List.of(), List.of(), List.of(),
            io.fabric8.kubernetes.api.model.metrics.v1beta1.NodeMetrics.class);

    /** What the kubectl test serves: pods, namespaces, services, deployments. */
    static final List<ResourceType> KUBECTL = List.of(PODS, NAMESPACES, SERVICES, DEPLOYMENTS);

    static final List<ResourceType> ALL = List.of(PODS, NAMESPACES, SERVICES, DEPLOYMENTS, STORAGE_CLASSES, LEASES,
            EVENTS, NODE_METRICS);

    private TestResourceTypes() {
    }
}
