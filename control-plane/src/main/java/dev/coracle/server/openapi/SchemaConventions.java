package dev.coracle.server.openapi;

import tools.jackson.databind.node.ObjectNode;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What Kubernetes says about its types beyond their Go structs, and what reflection on Fabric8's classes
 * cannot see: required fields, the merge semantics of lists ({@code x-kubernetes-list-type},
 * {@code x-kubernetes-list-map-keys}, {@code x-kubernetes-patch-merge-key}, {@code x-kubernetes-patch-strategy}),
 * atomic structs, and which string fields are timestamps.
 */
final class SchemaConventions {

    private static final String CORE = "io.k8s.api.core.v1.";
    private static final String APPS = "io.k8s.api.apps.v1.";
    private static final String META = SchemaNames.META_V1;

    /** How a list merges. A null field is left out. */
    record ListRule(String listType, List<String> mapKeys, String mergeKey, String patchStrategy) {

        static final ListRule ATOMIC = new ListRule("atomic", null, null, null);

        static ListRule map(String mergeKey, String patchStrategy, String... mapKeys) {
            return new ListRule("map", List.of(mapKeys), mergeKey, patchStrategy);
        }

        void applyTo(ObjectNode property) {
            if (listType != null) {
                property.put("x-kubernetes-list-type", listType);
            }
            if (mapKeys != null) {
                var keys = property.putArray("x-kubernetes-list-map-keys");
                mapKeys.forEach(keys::add);
            }
            if (mergeKey != null) {
                property.put("x-kubernetes-patch-merge-key", mergeKey);
            }
            if (patchStrategy != null) {
                property.put("x-kubernetes-patch-strategy", patchStrategy);
            }
        }
    }

    private static final Map<String, List<String>> REQUIRED = new HashMap<>();
    private static final Map<String, ListRule> LISTS = new HashMap<>();
    private static final Map<String, ListRule> LISTS_BY_PROPERTY = new HashMap<>();

    /** Structs Kubernetes marks {@code +structType=atomic}: replaced whole by merges. */
    private static final Set<String> ATOMIC_STRUCTS = Set.of(
            META + "LabelSelector", CORE + "LocalObjectReference", CORE + "ObjectReference", CORE + "NodeSelector",
            CORE + "NodeSelectorTerm", CORE + "ConfigMapKeySelector", CORE + "SecretKeySelector",
            CORE + "ObjectFieldSelector", CORE + "ResourceFieldSelector", CORE + "TopologySelectorTerm",
            CORE + "TypedLocalObjectReference", CORE + "SecretReference");

    /** String fields whose names do not say they are timestamps although Kubernetes types them {@code Time}. */
    private static final Set<String> TIME_FIELDS = Set.of("time", "timestamp", "timeAdded", "startedAt", "finishedAt");

    static {
        required(CORE + "PodSpec", "containers");
        required(CORE + "Container", "name");
        required(CORE + "EphemeralContainer", "name");
        required(CORE + "ContainerPort", "containerPort");
        required(CORE + "EnvVar", "name");
        required(CORE + "Volume", "name");
        required(CORE + "VolumeMount", "name", "mountPath");
        required(CORE + "VolumeDevice", "name", "devicePath");
        required(CORE + "ServicePort", "port");
        required(CORE + "KeyToPath", "key", "path");
        required(CORE + "ConfigMapKeySelector", "key");
        required(CORE + "SecretKeySelector", "key");
        required(CORE + "ObjectFieldSelector", "fieldPath");
        required(CORE + "ResourceFieldSelector", "resource");
        required(CORE + "HTTPGetAction", "port");
        required(CORE + "HTTPHeader", "name", "value");
        required(CORE + "TCPSocketAction", "port");
        required(CORE + "GRPCAction", "port");
        required(CORE + "SleepAction", "seconds");
        required(CORE + "Taint", "key", "effect");
        required(CORE + "NodeSelector", "nodeSelectorTerms");
        required(CORE + "NodeSelectorRequirement", "key", "operator");
        required(CORE + "PreferredSchedulingTerm", "weight", "preference");
        required(CORE + "WeightedPodAffinityTerm", "weight", "podAffinityTerm");
        required(CORE + "PodAffinityTerm", "topologyKey");
        required(CORE + "TopologySpreadConstraint", "maxSkew", "topologyKey", "whenUnsatisfiable");
        required(CORE + "HostPathVolumeSource", "path");
        required(CORE + "PersistentVolumeClaimVolumeSource", "claimName");
        required(CORE + "DownwardAPIVolumeFile", "path");
        required(CORE + "ServiceAccountTokenProjection", "path");
        required(CORE + "NodeAddress", "type", "address");
        required(CORE + "NodeCondition", "type", "status");
        required(CORE + "PodCondition", "type", "status");
        required(CORE + "NamespaceCondition", "type", "status");
        required(CORE + "PersistentVolumeClaimCondition", "type", "status");
        required(CORE + "ContainerStatus", "name", "ready", "restartCount", "image", "imageID");
        required(CORE + "ContainerStateTerminated", "exitCode");
        required(CORE + "EndpointAddress", "ip");
        required(CORE + "EndpointPort", "port");
        required(CORE + "Sysctl", "name", "value");
        required(CORE + "PodReadinessGate", "conditionType");
        required(CORE + "PodSchedulingGate", "name");
        required(CORE + "PodResourceClaim", "name");
        required(CORE + "ResourceClaim", "name");
        required(CORE + "ContainerResizePolicy", "resourceName", "restartPolicy");
        required(CORE + "AttachedVolume", "name", "devicePath");
        required(CORE + "DaemonEndpoint", "Port");
        required(CORE + "PodIP", "ip");
        required(CORE + "HostIP", "ip");
        required(CORE + "HostAlias", "ip");
        required(CORE + "Event", "metadata", "involvedObject");
        required(CORE + "Binding", "target");
        required(APPS + "DeploymentSpec", "selector", "template");
        required(APPS + "ReplicaSetSpec", "selector");
        required(APPS + "StatefulSetSpec", "selector", "template");
        required(APPS + "DaemonSetSpec", "selector", "template");
        required(APPS + "DeploymentCondition", "type", "status");
        required(APPS + "ReplicaSetCondition", "type", "status");
        required(APPS + "StatefulSetCondition", "type", "status");
        required(APPS + "DaemonSetCondition", "type", "status");
        required(META + "OwnerReference", "apiVersion", "kind", "name", "uid");
        required(META + "LabelSelectorRequirement", "key", "operator");
        required(META + "FieldSelectorRequirement", "key", "operator");
        required(META + "Condition", "type", "status", "lastTransitionTime", "reason", "message");
        required(META + "APIResource", "name", "singularName", "namespaced", "kind", "verbs");
        required(META + "APIResourceList", "groupVersion", "resources");
        required("io.k8s.api.storage.v1.StorageClass", "provisioner");
        required("io.k8s.api.events.v1.Event", "eventTime");
        required("io.k8s.api.events.v1.EventSeries", "count", "lastObservedTime");
        required("io.k8s.metrics.pkg.apis.metrics.v1beta1.NodeMetrics", "timestamp", "window", "usage");
        required("io.k8s.metrics.pkg.apis.metrics.v1beta1.PodMetrics", "timestamp", "window", "containers");
        required("io.k8s.metrics.pkg.apis.metrics.v1beta1.ContainerMetrics", "name", "usage");

        for (String pod : List.of(CORE + "PodSpec")) {
            list(pod, "containers", ListRule.map("name", "merge", "name"));
            list(pod, "initContainers", ListRule.map("name", "merge", "name"));
            list(pod, "ephemeralContainers", ListRule.map("name", "merge", "name"));
            list(pod, "volumes", ListRule.map("name", "merge,retainKeys", "name"));
            list(pod, "imagePullSecrets", ListRule.map("name", "merge", "name"));
            list(pod, "hostAliases", ListRule.map("ip", "merge", "ip"));
            list(pod, "topologySpreadConstraints", ListRule.map("topologyKey", "merge", "topologyKey", "whenUnsatisfiable"));
            list(pod, "resourceClaims", ListRule.map("name", "merge,retainKeys", "name"));
            list(pod, "schedulingGates", ListRule.map("name", "merge", "name"));
            list(pod, "readinessGates", ListRule.ATOMIC);
        }
        for (String container : List.of(CORE + "Container", CORE + "EphemeralContainer")) {
            list(container, "ports", ListRule.map("containerPort", "merge", "containerPort", "protocol"));
            list(container, "env", ListRule.map("name", "merge", "name"));
            list(container, "envFrom", ListRule.ATOMIC);
            list(container, "volumeMounts", ListRule.map("mountPath", "merge", "mountPath"));
            list(container, "volumeDevices", ListRule.map("devicePath", "merge", "devicePath"));
            list(container, "command", ListRule.ATOMIC);
            list(container, "args", ListRule.ATOMIC);
            list(container, "resizePolicy", ListRule.ATOMIC);
        }
        list(CORE + "ServiceSpec", "ports", ListRule.map("port", "merge", "port", "protocol"));
        list(CORE + "ServiceSpec", "clusterIPs", ListRule.ATOMIC);
        list(CORE + "ServiceSpec", "externalIPs", ListRule.ATOMIC);
        list(CORE + "ServiceSpec", "ipFamilies", ListRule.ATOMIC);
        list(CORE + "ServiceSpec", "loadBalancerSourceRanges", ListRule.ATOMIC);
        list(CORE + "ServiceAccount", "secrets", new ListRule(null, null, "name", "merge"));
        list(CORE + "ServiceAccount", "imagePullSecrets", ListRule.ATOMIC);
        list(CORE + "PodStatus", "podIPs", ListRule.map("ip", "merge", "ip"));
        list(CORE + "PodStatus", "hostIPs", ListRule.map("ip", "merge", "ip"));
        list(CORE + "PodStatus", "containerStatuses", ListRule.ATOMIC);
        list(CORE + "PodStatus", "initContainerStatuses", ListRule.ATOMIC);
        list(CORE + "PodStatus", "ephemeralContainerStatuses", ListRule.ATOMIC);
        list(CORE + "NodeStatus", "addresses", ListRule.map("type", "merge", "type"));
        list(CORE + "NodeStatus", "images", ListRule.ATOMIC);
        list(CORE + "NodeStatus", "volumesInUse", ListRule.ATOMIC);
        list(CORE + "NodeStatus", "volumesAttached", ListRule.ATOMIC);
        list(CORE + "NodeSpec", "taints", ListRule.ATOMIC);
        list(CORE + "NodeSpec", "podCIDRs", new ListRule("set", null, null, "merge"));
        list(CORE + "NodeSelector", "nodeSelectorTerms", ListRule.ATOMIC);
        list(CORE + "NodeSelectorTerm", "matchExpressions", ListRule.ATOMIC);
        list(CORE + "NodeSelectorTerm", "matchFields", ListRule.ATOMIC);
        list(CORE + "NodeSelectorRequirement", "values", ListRule.ATOMIC);
        list(CORE + "Capabilities", "add", ListRule.ATOMIC);
        list(CORE + "Capabilities", "drop", ListRule.ATOMIC);
        list(CORE + "PersistentVolumeClaimSpec", "accessModes", ListRule.ATOMIC);
        list(CORE + "PersistentVolumeSpec", "accessModes", ListRule.ATOMIC);
        list(CORE + "PersistentVolumeSpec", "mountOptions", ListRule.ATOMIC);
        list(CORE + "Endpoints", "subsets", ListRule.ATOMIC);
        list(CORE + "EndpointSubset", "addresses", ListRule.ATOMIC);
        list(CORE + "EndpointSubset", "notReadyAddresses", ListRule.ATOMIC);
        list(CORE + "EndpointSubset", "ports", ListRule.ATOMIC);
        list(CORE + "LoadBalancerStatus", "ingress", ListRule.ATOMIC);
        list("io.k8s.api.storage.v1.StorageClass", "mountOptions", ListRule.ATOMIC);
        list("io.k8s.api.storage.v1.StorageClass", "allowedTopologies", ListRule.ATOMIC);
        list(META + "ObjectMeta", "finalizers", new ListRule("set", null, null, "merge"));
        list(META + "ObjectMeta", "ownerReferences", ListRule.map("uid", "merge", "uid"));
        list(META + "ObjectMeta", "managedFields", ListRule.ATOMIC);
        list(META + "LabelSelector", "matchExpressions", ListRule.ATOMIC);
        list(META + "LabelSelectorRequirement", "values", ListRule.ATOMIC);

        LISTS_BY_PROPERTY.put("tolerations", ListRule.ATOMIC);
        LISTS_BY_PROPERTY.put("conditions", ListRule.map("type", "merge", "type"));
    }

    private SchemaConventions() {
    }

    private static void required(String schema, String... fields) {
        REQUIRED.put(schema, List.of(fields));
    }

    private static void list(String schema, String property, ListRule rule) {
        LISTS.put(schema + "#" + property, rule);
    }

    static List<String> required(String schemaName) {
        return REQUIRED.getOrDefault(schemaName, List.of());
    }

    static boolean atomicStruct(String schemaName) {
        return ATOMIC_STRUCTS.contains(schemaName);
    }

    /**
     * The merge rule of a list property: one named for this schema and property, else one that holds for the
     * property wherever it appears ({@code tolerations}, and {@code conditions} keyed by a {@code type} its
     * items have).
     */
    static ListRule listRule(String schemaName, String property, boolean itemsHaveType) {
        ListRule rule = LISTS.get(schemaName + "#" + property);
        if (rule != null) {
            return rule;
        }
        if (property.equals("conditions") && !itemsHaveType) {
            return null;
        }
        return LISTS_BY_PROPERTY.get(property);
    }

    /** Whether a string field holds a timestamp ({@code creationTimestamp}, {@code lastTransitionTime}, ...). */
    static boolean isTimeField(String property) {
        return property.endsWith("Timestamp") || property.endsWith("Time") || TIME_FIELDS.contains(property);
    }
}
