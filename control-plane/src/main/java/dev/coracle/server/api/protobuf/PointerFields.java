package dev.coracle.server.api.protobuf;

import com.google.protobuf.Descriptors.FieldDescriptor;

import java.util.HashSet;
import java.util.Set;

/**
 * The scalar fields that are pointers in Kubernetes' Go types ({@code *int32}, {@code *bool}, {@code *string}),
 * where a zero value means something else than "not set".
 *
 * <p>Go's protobuf marshaller writes every non-pointer field, zero or not: a body from kubectl has
 * {@code generateName: ""}, {@code generation: 0}, {@code stdin: false} and the like on every object.
 * kube-apiserver reads those as "unset", because its Go structs cannot tell the two apart, and its JSON
 * omits them ({@code omitempty}). Pointer fields are written only when set, so there a present zero is
 * meaningful: {@code replicas: 0}, {@code automountServiceAccountToken: false}, {@code gracePeriodSeconds: 0},
 * {@code storageClassName: ""}. The converter keeps a present zero only for the fields listed here.
 *
 * <p>The list covers the kinds Coracle serves (and batch/v1, which {@code kubectl create job|cronjob} sends);
 * a pointer field missing from it loses only an explicit zero.
 */
final class PointerFields {

    private static final Set<String> FIELDS = new HashSet<>();

    static {
        String meta = KubernetesProtoSchema.META + ".";
        add(meta + "ObjectMeta", "deletionGracePeriodSeconds");
        add(meta + "OwnerReference", "controller", "blockOwnerDeletion");
        add(meta + "DeleteOptions", "gracePeriodSeconds", "orphanDependents", "propagationPolicy",
                "ignoreStoreReadErrorWithClusterBreakingPotential");
        add(meta + "Preconditions", "uid", "resourceVersion");
        add(meta + "ListMeta", "remainingItemCount");
        add(meta + "PatchOptions", "force");

        String core = KubernetesProtoSchema.CORE + ".";
        add(core + "PodSpec", "terminationGracePeriodSeconds", "activeDeadlineSeconds", "automountServiceAccountToken",
                "shareProcessNamespace", "priority", "runtimeClassName", "enableServiceLinks", "preemptionPolicy",
                "setHostnameAsFQDN", "hostUsers");
        add(core + "Container", "restartPolicy");
        add(core + "EphemeralContainerCommon", "restartPolicy");
        add(core + "VolumeMount", "recursiveReadOnly", "mountPropagation");
        add(core + "VolumeMountStatus", "recursiveReadOnly");
        add(core + "Probe", "terminationGracePeriodSeconds");
        add(core + "GRPCAction", "service");
        add(core + "SecurityContext", "privileged", "runAsUser", "runAsGroup", "runAsNonRoot",
                "readOnlyRootFilesystem", "allowPrivilegeEscalation", "procMount");
        add(core + "PodSecurityContext", "runAsUser", "runAsGroup", "runAsNonRoot", "fsGroup", "fsGroupChangePolicy",
                "supplementalGroupsPolicy", "seLinuxChangePolicy");
        add(core + "SeccompProfile", "localhostProfile");
        add(core + "AppArmorProfile", "localhostProfile");
        add(core + "WindowsSecurityContextOptions", "gmsaCredentialSpecName", "gmsaCredentialSpec", "runAsUserName",
                "hostProcess");
        add(core + "Toleration", "tolerationSeconds");
        add(core + "TopologySpreadConstraint", "minDomains", "nodeAffinityPolicy", "nodeTaintsPolicy");
        add(core + "ConfigMapKeySelector", "optional");
        add(core + "SecretKeySelector", "optional");
        add(core + "ConfigMapEnvSource", "optional");
        add(core + "SecretEnvSource", "optional");
        add(core + "SecretVolumeSource", "defaultMode", "optional");
        add(core + "ConfigMapVolumeSource", "defaultMode", "optional");
        add(core + "KeyToPath", "mode");
        add(core + "ProjectedVolumeSource", "defaultMode");
        add(core + "SecretProjection", "optional");
        add(core + "ConfigMapProjection", "optional");
        add(core + "DownwardAPIVolumeSource", "defaultMode");
        add(core + "DownwardAPIVolumeFile", "mode");
        add(core + "ServiceAccountTokenProjection", "expirationSeconds");
        add(core + "ClusterTrustBundleProjection", "name", "signerName", "optional");
        add(core + "HostPathVolumeSource", "type");
        add(core + "CSIVolumeSource", "readOnly", "fsType");
        add(core + "ISCSIVolumeSource", "initiatorName");
        add(core + "ISCSIPersistentVolumeSource", "initiatorName");
        add(core + "AzureDiskVolumeSource", "cachingMode", "fsType", "readOnly", "kind");
        add(core + "AzureFilePersistentVolumeSource", "secretNamespace");
        add(core + "FCVolumeSource", "lun");
        add(core + "LocalVolumeSource", "fsType");
        add(core + "PersistentVolumeClaimSpec", "storageClassName", "volumeMode", "volumeAttributesClassName");
        add(core + "PersistentVolumeClaimStatus", "currentVolumeAttributesClassName");
        add(core + "PersistentVolumeSpec", "volumeMode", "volumeAttributesClassName");
        add(core + "TypedLocalObjectReference", "apiGroup");
        add(core + "TypedObjectReference", "apiGroup", "namespace");
        add(core + "PodResourceClaim", "resourceClaimName", "resourceClaimTemplateName");
        add(core + "ClaimSource", "resourceClaimName", "resourceClaimTemplateName");
        add(core + "PodDNSConfigOption", "value");
        add(core + "ContainerStatus", "started");
        add(core + "ServiceSpec", "allocateLoadBalancerNodePorts", "loadBalancerClass", "internalTrafficPolicy",
                "ipFamilyPolicy", "trafficDistribution");
        add(core + "ServicePort", "appProtocol");
        add(core + "ClientIPConfig", "timeoutSeconds");
        add(core + "LoadBalancerIngress", "ipMode");
        add(core + "PortStatus", "error");
        add(core + "EndpointAddress", "nodeName");
        add(core + "EndpointPort", "appProtocol");
        add(core + "ServiceAccount", "automountServiceAccountToken");
        add(core + "Secret", "immutable");
        add(core + "ConfigMap", "immutable");
        add(core + "NodeRuntimeHandlerFeatures", "recursiveReadOnlyMounts", "userNamespaces");

        String apps = KubernetesProtoSchema.APPS + ".";
        add(apps + "DeploymentSpec", "replicas", "revisionHistoryLimit", "progressDeadlineSeconds");
        add(apps + "DeploymentStatus", "collisionCount");
        add(apps + "ReplicaSetSpec", "replicas");
        add(apps + "StatefulSetSpec", "replicas", "revisionHistoryLimit");
        add(apps + "StatefulSetStatus", "collisionCount");
        add(apps + "RollingUpdateStatefulSetStrategy", "partition");
        add(apps + "DaemonSetSpec", "revisionHistoryLimit");
        add(apps + "DaemonSetStatus", "collisionCount");

        // autoscaling/v1 Scale: replicas is a plain int32 in Go, but 0 is the point of `kubectl scale --replicas=0`.
        add("k8s.io.api.autoscaling.v1.ScaleSpec", "replicas");
        add("k8s.io.api.autoscaling.v1.ScaleStatus", "replicas");
        add("k8s.io.api.autoscaling.v1.HorizontalPodAutoscalerSpec", "minReplicas", "targetCPUUtilizationPercentage");
        add("k8s.io.api.autoscaling.v1.HorizontalPodAutoscalerStatus", "observedGeneration",
                "currentCPUUtilizationPercentage");

        add("k8s.io.api.storage.v1.StorageClass", "reclaimPolicy", "allowVolumeExpansion", "volumeBindingMode");
        add("k8s.io.api.storage.v1.CSIDriverSpec", "attachRequired", "podInfoOnMount", "storageCapacity",
                "requiresRepublish", "seLinuxMount", "fsGroupPolicy");

        add("k8s.io.api.discovery.v1.Endpoint", "hostname", "nodeName", "zone");
        add("k8s.io.api.discovery.v1.EndpointConditions", "ready", "serving", "terminating");
        add("k8s.io.api.discovery.v1.EndpointPort", "name", "protocol", "port", "appProtocol");
        add("k8s.io.api.coordination.v1.LeaseSpec", "holderIdentity", "leaseDurationSeconds", "leaseTransitions",
                "strategy", "preferredHolder");

        add("k8s.io.api.batch.v1.JobSpec", "parallelism", "completions", "activeDeadlineSeconds", "backoffLimit",
                "backoffLimitPerIndex", "maxFailedIndexes", "manualSelector", "ttlSecondsAfterFinished",
                "completionMode", "suspend", "podReplacementPolicy", "managedBy");
        add("k8s.io.api.batch.v1.JobStatus", "ready", "terminating", "failedIndexes");
        add("k8s.io.api.batch.v1.CronJobSpec", "timeZone", "startingDeadlineSeconds", "suspend",
                "successfulJobsHistoryLimit", "failedJobsHistoryLimit");
    }

    private PointerFields() {
    }

    private static void add(String message, String... fields) {
        for (String field : fields) {
            FIELDS.add(message + "." + field);
        }
    }

    static boolean isPointer(FieldDescriptor field) {
        return FIELDS.contains(field.getFullName());
    }

    /** Every entry, as {@code full.message.Name.field}: for checking the list against the schema. */
    static Set<String> all() {
        return Set.copyOf(FIELDS);
    }
}
