package dev.coracle.server.patch;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Kubernetes' field tags that Go struct reflection gives kube-apiserver and Fabric8's model classes do not carry:
 * {@code patchStrategy}/{@code patchMergeKey} (strategic merge patch) and {@code listType}/{@code listMapKey},
 * {@code mapType}, {@code structType} (server-side apply), as written in k8s.io/api's types.go (1.32).
 * Keyed by the Go type name (which is the Fabric8 class's simple name) and the JSON field name.
 *
 * <p>For server-side apply a list without {@code listType} is, as kube-openapi converts it, a map keyed by its
 * {@code patchMergeKey} when its strategy is {@code merge}, a set when it is {@code merge} without a key, and atomic otherwise.
 */
final class PatchStrategies {

    enum ListType { ATOMIC, SET, MAP }

    /** The tags of one field; {@code listType} null means "derive from the patch strategy". */
    record Tags(String patchStrategy, String mergeKey, ListType listType, List<String> listMapKeys, boolean atomicMap) {

        boolean strategy(String name) {
            return patchStrategy != null && List.of(patchStrategy.split(",")).contains(name);
        }

        ListType effectiveListType() {
            if (listType != null) {
                return listType;
            }
            if (strategy("merge")) {
                return mergeKey == null ? ListType.SET : ListType.MAP;
            }
            return ListType.ATOMIC;
        }

        List<String> effectiveKeys() {
            if (listMapKeys != null && !listMapKeys.isEmpty()) {
                return listMapKeys;
            }
            return mergeKey == null ? List.of() : List.of(mergeKey);
        }
    }

    private static final Map<String, Tags> TAGS = new HashMap<>();

    /** {@code +structType=atomic}: the struct is replaced as a whole by apply and owned as one field. */
    private static final Set<String> ATOMIC_STRUCTS = Set.of(
            "LabelSelector", "OwnerReference", "ObjectReference", "LocalObjectReference", "TypedLocalObjectReference",
            "TypedObjectReference", "ConfigMapKeySelector", "SecretKeySelector", "ObjectFieldSelector",
            "ResourceFieldSelector", "NodeSelector", "NodeSelectorTerm", "TopologySelectorTerm", "SecretReference");

    /**
     * Fields that exist in Go's zero object: structs declared by value rather than by pointer ({@code metadata},
     * {@code spec} and {@code status} are such everywhere) and lists without {@code omitempty}. Kubernetes compares
     * a create with that zero object, so creating them is not "adding" them for managed-fields purposes.
     */
    private static final Set<String> IN_ZERO_VALUE = Set.of("PodSpec.containers",
            "DeploymentSpec.template", "DeploymentSpec.strategy", "ReplicaSetSpec.template",
            "StatefulSetSpec.template", "StatefulSetSpec.updateStrategy", "DaemonSetSpec.template",
            "DaemonSetSpec.updateStrategy", "JobSpec.template", "CronJobSpec.jobTemplate",
            "Container.resources", "EphemeralContainer.resources", "PersistentVolumeClaimSpec.resources",
            "ServiceStatus.loadBalancer", "NodeStatus.daemonEndpoints", "NodeStatus.nodeInfo",
            "NodeDaemonEndpoints.kubeletEndpoint", "Event.involvedObject", "Event.source");

    static {
        // meta/v1
        mergeMap("ObjectMeta.ownerReferences", "uid", "uid");
        mergeSet("ObjectMeta.finalizers");
        atomic("ObjectMeta.managedFields");

        // core/v1 PodSpec
        TAGS.put("PodSpec.volumes", new Tags("merge,retainKeys", "name", ListType.MAP, List.of("name"), false));
        for (String containers : List.of("initContainers", "containers", "ephemeralContainers", "imagePullSecrets", "schedulingGates")) {
            mergeMap("PodSpec." + containers, "name", "name");
        }
        mergeMap("PodSpec.hostAliases", "ip", "ip");
        mergeMap("PodSpec.topologySpreadConstraints", "topologyKey", "topologyKey", "whenUnsatisfiable");
        TAGS.put("PodSpec.resourceClaims", new Tags("merge,retainKeys", "name", ListType.MAP, List.of("name"), false));
        atomic("PodSpec.tolerations");
        atomic("PodSpec.readinessGates");
        atomicMap("PodSpec.nodeSelector");

        // core/v1 Container and EphemeralContainer
        for (String container : List.of("Container", "EphemeralContainer")) {
            mergeMap(container + ".ports", "containerPort", "containerPort", "protocol");
            mergeMap(container + ".env", "name", "name");
            mergeMap(container + ".volumeMounts", "mountPath", "mountPath");
            mergeMap(container + ".volumeDevices", "devicePath", "devicePath");
            atomic(container + ".envFrom");
            atomic(container + ".resizePolicy");
        }
        TAGS.put("ResourceRequirements.claims", new Tags(null, null, ListType.MAP, List.of("name"), false));

        // core/v1 PodStatus
        mergeMap("PodStatus.conditions", "type", "type");
        mergeMap("PodStatus.podIPs", "ip", "ip");
        TAGS.put("PodStatus.hostIPs", new Tags("merge", "ip", ListType.ATOMIC, null, false));
        TAGS.put("PodStatus.resourceClaimStatuses", new Tags("merge,retainKeys", "name", ListType.MAP, List.of("name"), false));
        atomic("PodStatus.containerStatuses");
        atomic("PodStatus.initContainerStatuses");
        atomic("PodStatus.ephemeralContainerStatuses");

        // core/v1 Service, Node, Namespace, volumes, ServiceAccount, ReplicationController
        mergeMap("ServiceSpec.ports", "port", "port", "protocol");
        atomicMap("ServiceSpec.selector");
        mergeMap("ServiceStatus.conditions", "type", "type");
        mergeSet("NodeSpec.podCIDRs");
        atomic("NodeSpec.taints");
        mergeMap("NodeStatus.conditions", "type", "type");
        mergeMap("NodeStatus.addresses", "type", "type");
        atomic("NamespaceSpec.finalizers");
        mergeMap("NamespaceStatus.conditions", "type", "type");
        mergeMap("PersistentVolumeClaimStatus.conditions", "type", "type");
        mergeMap("ServiceAccount.secrets", "name", "name");
        atomicMap("ReplicationControllerSpec.selector");
        mergeMap("ReplicationControllerStatus.conditions", "type", "type");

        // apps/v1
        TAGS.put("DeploymentSpec.strategy", new Tags("retainKeys", null, null, null, false));
        mergeMap("DeploymentStatus.conditions", "type", "type");
        mergeMap("ReplicaSetStatus.conditions", "type", "type");
        mergeMap("StatefulSetStatus.conditions", "type", "type");
        mergeMap("DaemonSetStatus.conditions", "type", "type");

        // batch/v1, autoscaling/v2, policy/v1, apiextensions/v1
        TAGS.put("JobStatus.conditions", new Tags("merge", "type", ListType.ATOMIC, null, false));
        mergeMap("HorizontalPodAutoscalerStatus.conditions", "type", "type");
        mergeMap("PodDisruptionBudgetStatus.conditions", "type", "type");
        TAGS.put("CustomResourceDefinitionStatus.conditions", new Tags(null, null, ListType.MAP, List.of("type"), false));
    }

    private PatchStrategies() {
    }

    /** The tags of {@code Type.field}, or null when the field has none (lists atomic and replaced, maps granular). */
    static Tags tags(String typeName, String field) {
        return TAGS.get(typeName + "." + field);
    }

    /** Every {@code Type.field} the table has tags for. */
    static Set<String> taggedFields() {
        return Set.copyOf(TAGS.keySet());
    }

    static boolean atomicStruct(String typeName) {
        return ATOMIC_STRUCTS.contains(typeName);
    }

    static boolean inZeroValue(String typeName, String field) {
        return field.equals("metadata") || field.equals("spec") || field.equals("status")
                || IN_ZERO_VALUE.contains(typeName + "." + field);
    }

    /** The OpenAPI default of a list-map key a list item may omit ({@code protocol: TCP} of ports). */
    static String keyDefault(String key) {
        return key.equals("protocol") ? "TCP" : null;
    }

    private static void mergeMap(String field, String mergeKey, String... keys) {
        TAGS.put(field, new Tags("merge", mergeKey, ListType.MAP, List.of(keys), false));
    }

    private static void mergeSet(String field) {
        TAGS.put(field, new Tags("merge", null, ListType.SET, null, false));
    }

    private static void atomic(String field) {
        TAGS.put(field, new Tags(null, null, ListType.ATOMIC, null, false));
    }

    private static void atomicMap(String field) {
        TAGS.put(field, new Tags(null, null, null, null, true));
    }
}
