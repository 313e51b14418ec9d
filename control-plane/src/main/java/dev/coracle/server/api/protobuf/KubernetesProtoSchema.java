package dev.coracle.server.api.protobuf;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FileDescriptor;
import io.kubernetes.client.proto.V1;
import io.kubernetes.client.proto.V1Admissionregistration;
import io.kubernetes.client.proto.V1Apps;
import io.kubernetes.client.proto.V1Authentication;
import io.kubernetes.client.proto.V1Authorization;
import io.kubernetes.client.proto.V1Autoscaling;
import io.kubernetes.client.proto.V1Batch;
import io.kubernetes.client.proto.V1Certificates;
import io.kubernetes.client.proto.V1Networking;
import io.kubernetes.client.proto.V1Policy;
import io.kubernetes.client.proto.V1Rbac;
import io.kubernetes.client.proto.V1Scheduling;
import io.kubernetes.client.proto.V1Storage;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The protobuf schema of the Kubernetes API: message descriptors by {@code apiVersion} and {@code kind}.
 *
 * <p>The descriptors come from {@code io.kubernetes:client-java-proto}, whose generated files describe
 * Kubernetes 1.30. They are rebuilt here with what a 1.32 client may send and that jar lacks:
 * the groups {@code coordination.k8s.io/v1} (Lease), {@code events.k8s.io/v1} (Event) and {@code discovery.k8s.io/v1}
 * (EndpointSlice), and the few
 * fields of the served kinds added in 1.31 and 1.32 (field numbers as in Kubernetes'
 * {@code generated.proto}). A patch is skipped when its field number is already known, so a newer
 * jar simply takes over.
 */
final class KubernetesProtoSchema {

    static final String CORE = "k8s.io.api.core.v1";
    static final String APPS = "k8s.io.api.apps.v1";
    static final String META = "k8s.io.apimachinery.pkg.apis.meta.v1";
    static final String RUNTIME = "k8s.io.apimachinery.pkg.runtime";
    static final String INTSTR = "k8s.io.apimachinery.pkg.util.intstr";
    static final String RESOURCE = "k8s.io.apimachinery.pkg.api.resource";

    /** Kinds that meta/v1 registers in every group version (client-go sends DeleteOptions as {@code apps/v1}, ...). */
    private static final Set<String> META_KINDS_IN_EVERY_GROUP = Set.of(
            "DeleteOptions", "CreateOptions", "UpdateOptions", "PatchOptions", "GetOptions", "ListOptions", "Status");

    /** Proto package → message simple name → descriptor, top-level messages only. */
    private final Map<String, Map<String, Descriptor>> messagesByPackage = new HashMap<>();

    static KubernetesProtoSchema get() {
        return Holder.INSTANCE;
    }

    /** Built on first use, after this class's patch tables. */
    private static final class Holder {
        private static final KubernetesProtoSchema INSTANCE = new KubernetesProtoSchema();
    }

    private KubernetesProtoSchema() {
        List<FileDescriptor> roots = List.of(
                V1.getDescriptor(), V1Apps.getDescriptor(), V1Autoscaling.getDescriptor(), V1Batch.getDescriptor(),
                V1Storage.getDescriptor(), V1Networking.getDescriptor(), V1Policy.getDescriptor(),
                V1Rbac.getDescriptor(), V1Scheduling.getDescriptor(), V1Certificates.getDescriptor(),
                V1Admissionregistration.getDescriptor(), V1Authentication.getDescriptor(),
                V1Authorization.getDescriptor());

        // Every file of the jar we need, dependencies before dependants, as FileDescriptorProtos.
        Map<String, FileDescriptorProto> protos = new LinkedHashMap<>();
        for (FileDescriptor root : roots) {
            collect(root, protos);
        }
        protos.replaceAll((name, proto) -> patch(proto));
        protos.put(COORDINATION_V1.getName(), COORDINATION_V1);
        protos.put(EVENTS_V1.getName(), EVENTS_V1);
        protos.put(DISCOVERY_V1.getName(), DISCOVERY_V1);

        Map<String, FileDescriptor> built = new HashMap<>();
        for (FileDescriptorProto proto : protos.values()) {
            build(proto, protos, built);
        }
        for (FileDescriptor file : built.values()) {
            Map<String, Descriptor> byName = messagesByPackage.computeIfAbsent(file.getPackage(), p -> new HashMap<>());
            for (Descriptor message : file.getMessageTypes()) {
                byName.put(message.getName(), message);
            }
        }
    }

    /**
     * The message of a kind, as kube-apiserver would find it in its scheme: a top-level message of the
     * group version's package that has {@code metadata}, or one of meta/v1's options kinds.
     */
    Optional<Descriptor> messageFor(String apiVersion, String kind) {
        String pkg = protoPackage(apiVersion);
        if (pkg == null) {
            return Optional.empty();
        }
        Descriptor message = messagesByPackage.getOrDefault(pkg, Map.of()).get(kind);
        if (message != null && message.findFieldByName("metadata") != null) {
            return Optional.of(message);
        }
        if (META_KINDS_IN_EVERY_GROUP.contains(kind) && messagesByPackage.containsKey(pkg)) {
            return Optional.ofNullable(messagesByPackage.get(META).get(kind));
        }
        return Optional.empty();
    }

    /** A message by its full proto name, e.g. {@code k8s.io.api.core.v1.PodSpec}. */
    Optional<Descriptor> messageNamed(String fullName) {
        int dot = fullName.lastIndexOf('.');
        return Optional.ofNullable(messagesByPackage.getOrDefault(fullName.substring(0, dot), Map.of())
                .get(fullName.substring(dot + 1)));
    }

    /** {@code v1} → k8s.io.api.core.v1; {@code apps/v1} → k8s.io.api.apps.v1; {@code storage.k8s.io/v1} → k8s.io.api.storage.v1. */
    static String protoPackage(String apiVersion) {
        if (apiVersion == null || apiVersion.isEmpty()) {
            return null;
        }
        int slash = apiVersion.indexOf('/');
        if (slash < 0) {
            return "k8s.io.api.core." + apiVersion;
        }
        String group = apiVersion.substring(0, slash);
        String version = apiVersion.substring(slash + 1);
        if (group.isEmpty() || version.isEmpty() || version.contains("/")) {
            return null;
        }
        if (group.equals("meta.k8s.io")) {
            return "k8s.io.apimachinery.pkg.apis.meta." + version;
        }
        int dot = group.indexOf('.');
        return "k8s.io.api." + (dot < 0 ? group : group.substring(0, dot)) + "." + version;
    }

    private static void collect(FileDescriptor file, Map<String, FileDescriptorProto> into) {
        if (into.containsKey(file.getName())) {
            return;
        }
        for (FileDescriptor dependency : file.getDependencies()) {
            collect(dependency, into);
        }
        into.put(file.getName(), file.toProto());
    }

    private static FileDescriptor build(FileDescriptorProto proto, Map<String, FileDescriptorProto> protos,
                                        Map<String, FileDescriptor> built) {
        FileDescriptor done = built.get(proto.getName());
        if (done != null) {
            return done;
        }
        List<FileDescriptor> dependencies = new ArrayList<>();
        for (String dependency : proto.getDependencyList()) {
            FileDescriptorProto dependencyProto = protos.get(dependency);
            if (dependencyProto == null) {
                throw new IllegalStateException("protobuf file " + proto.getName() + " needs " + dependency);
            }
            dependencies.add(build(dependencyProto, protos, built));
        }
        try {
            FileDescriptor file = FileDescriptor.buildFrom(proto, dependencies.toArray(new FileDescriptor[0]));
            built.put(proto.getName(), file);
            return file;
        } catch (DescriptorValidationException e) {
            throw new IllegalStateException("invalid protobuf schema " + proto.getName() + ": " + e.getMessage(), e);
        }
    }

    // ---- what Kubernetes 1.31/1.32 added to the served kinds, missing from the 1.30 jar ----

    private record FieldPatch(String message, FieldDescriptorProto field) {
    }

    private static final List<FieldPatch> FIELD_PATCHES = List.of(
            new FieldPatch(META + ".DeleteOptions", scalar(6, "ignoreStoreReadErrorWithClusterBreakingPotential", FieldDescriptorProto.Type.TYPE_BOOL)),
            new FieldPatch(CORE + ".PodSpec", message(40, "resources", "." + CORE + ".ResourceRequirements")),
            new FieldPatch(CORE + ".PodSecurityContext", scalar(12, "supplementalGroupsPolicy", FieldDescriptorProto.Type.TYPE_STRING)),
            new FieldPatch(CORE + ".PodSecurityContext", scalar(13, "seLinuxChangePolicy", FieldDescriptorProto.Type.TYPE_STRING)),
            new FieldPatch(CORE + ".PodResourceClaim", scalar(3, "resourceClaimName", FieldDescriptorProto.Type.TYPE_STRING)),
            new FieldPatch(CORE + ".PodResourceClaim", scalar(4, "resourceClaimTemplateName", FieldDescriptorProto.Type.TYPE_STRING)),
            new FieldPatch(CORE + ".VolumeSource", message(30, "image", "." + CORE + ".ImageVolumeSource")),
            new FieldPatch(CORE + ".NodeRuntimeHandlerFeatures", scalar(2, "userNamespaces", FieldDescriptorProto.Type.TYPE_BOOL)));

    private static final Map<String, DescriptorProto> MESSAGE_PATCHES = Map.of(
            CORE, DescriptorProto.newBuilder().setName("ImageVolumeSource")
                    .addField(scalar(1, "reference", FieldDescriptorProto.Type.TYPE_STRING))
                    .addField(scalar(2, "pullPolicy", FieldDescriptorProto.Type.TYPE_STRING))
                    .build());

    private static FileDescriptorProto patch(FileDescriptorProto file) {
        FileDescriptorProto.Builder builder = file.toBuilder();
        DescriptorProto newMessage = MESSAGE_PATCHES.get(file.getPackage());
        if (newMessage != null && file.getMessageTypeList().stream().noneMatch(m -> m.getName().equals(newMessage.getName()))) {
            builder.addMessageType(newMessage);
        }
        for (int i = 0; i < builder.getMessageTypeCount(); i++) {
            String fullName = file.getPackage() + "." + builder.getMessageType(i).getName();
            for (FieldPatch patch : FIELD_PATCHES) {
                if (patch.message().equals(fullName) && builder.getMessageType(i).getFieldList().stream()
                        .noneMatch(f -> f.getNumber() == patch.field().getNumber())) {
                    builder.getMessageTypeBuilder(i).addField(patch.field());
                }
            }
        }
        return builder.build();
    }

    // ---- groups missing from the jar: coordination.k8s.io/v1, events.k8s.io/v1 and discovery.k8s.io/v1 (Kubernetes 1.32 generated.proto) ----

    private static final String META_PROTO = "k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto";
    private static final String CORE_PROTO = "k8s.io/api/core/v1/generated.proto";
    private static final String MICRO_TIME = "." + META + ".MicroTime";
    private static final String TIME = "." + META + ".Time";
    private static final String OBJECT_META = "." + META + ".ObjectMeta";
    private static final String LIST_META = "." + META + ".ListMeta";

    private static final FileDescriptorProto COORDINATION_V1 = FileDescriptorProto.newBuilder()
            .setName("k8s.io/api/coordination/v1/generated.proto")
            .setPackage("k8s.io.api.coordination.v1")
            .addDependency(META_PROTO)
            .addMessageType(DescriptorProto.newBuilder().setName("Lease")
                    .addField(message(1, "metadata", OBJECT_META))
                    .addField(message(2, "spec", ".k8s.io.api.coordination.v1.LeaseSpec")))
            .addMessageType(DescriptorProto.newBuilder().setName("LeaseList")
                    .addField(message(1, "metadata", LIST_META))
                    .addField(repeated(message(2, "items", ".k8s.io.api.coordination.v1.Lease"))))
            .addMessageType(DescriptorProto.newBuilder().setName("LeaseSpec")
                    .addField(scalar(1, "holderIdentity", FieldDescriptorProto.Type.TYPE_STRING))
                    .addField(scalar(2, "leaseDurationSeconds", FieldDescriptorProto.Type.TYPE_INT32))
                    .addField(message(3, "acquireTime", MICRO_TIME))
                    .addField(message(4, "renewTime", MICRO_TIME))
                    .addField(scalar(5, "leaseTransitions", FieldDescriptorProto.Type.TYPE_INT32))
                    .addField(scalar(6, "strategy", FieldDescriptorProto.Type.TYPE_STRING))
                    .addField(scalar(7, "preferredHolder", FieldDescriptorProto.Type.TYPE_STRING)))
            .build();

    private static final FileDescriptorProto EVENTS_V1 = FileDescriptorProto.newBuilder()
            .setName("k8s.io/api/events/v1/generated.proto")
            .setPackage("k8s.io.api.events.v1")
            .addDependency(CORE_PROTO)
            .addDependency(META_PROTO)
            .addMessageType(DescriptorProto.newBuilder().setName("Event")
                    .addField(message(1, "metadata", OBJECT_META))
                    .addField(message(2, "eventTime", MICRO_TIME))
                    .addField(message(3, "series", ".k8s.io.api.events.v1.EventSeries"))
                    .addField(scalar(4, "reportingController", FieldDescriptorProto.Type.TYPE_STRING))
                    .addField(scalar(5, "reportingInstance", FieldDescriptorProto.Type.TYPE_STRING))
                    .addField(scalar(6, "action", FieldDescriptorProto.Type.TYPE_STRING))
                    .addField(scalar(7, "reason", FieldDescriptorProto.Type.TYPE_STRING))
                    .addField(message(8, "regarding", "." + CORE + ".ObjectReference"))
                    .addField(message(9, "related", "." + CORE + ".ObjectReference"))
                    .addField(scalar(10, "note", FieldDescriptorProto.Type.TYPE_STRING))
                    .addField(scalar(11, "type", FieldDescriptorProto.Type.TYPE_STRING))
                    .addField(message(12, "deprecatedSource", "." + CORE + ".EventSource"))
                    .addField(message(13, "deprecatedFirstTimestamp", TIME))
                    .addField(message(14, "deprecatedLastTimestamp", TIME))
                    .addField(scalar(15, "deprecatedCount", FieldDescriptorProto.Type.TYPE_INT32)))
            .addMessageType(DescriptorProto.newBuilder().setName("EventList")
                    .addField(message(1, "metadata", LIST_META))
                    .addField(repeated(message(2, "items", ".k8s.io.api.events.v1.Event"))))
            .addMessageType(DescriptorProto.newBuilder().setName("EventSeries")
                    .addField(scalar(1, "count", FieldDescriptorProto.Type.TYPE_INT32))
                    .addField(message(2, "lastObservedTime", MICRO_TIME)))
            .build();

    private static final String DISCOVERY = ".k8s.io.api.discovery.v1.";

    private static final FileDescriptorProto DISCOVERY_V1 = FileDescriptorProto.newBuilder()
            .setName("k8s.io/api/discovery/v1/generated.proto")
            .setPackage("k8s.io.api.discovery.v1")
            .addDependency(CORE_PROTO)
            .addDependency(META_PROTO)
            .addMessageType(DescriptorProto.newBuilder().setName("Endpoint")
                    .addField(repeated(scalar(1, "addresses", FieldDescriptorProto.Type.TYPE_STRING)))
                    .addField(message(2, "conditions", DISCOVERY + "EndpointConditions"))
                    .addField(scalar(3, "hostname", FieldDescriptorProto.Type.TYPE_STRING))
                    .addField(message(4, "targetRef", "." + CORE + ".ObjectReference"))
                    .addField(repeated(message(5, "deprecatedTopology", DISCOVERY + "Endpoint.DeprecatedTopologyEntry")))
                    .addField(scalar(6, "nodeName", FieldDescriptorProto.Type.TYPE_STRING))
                    .addField(scalar(7, "zone", FieldDescriptorProto.Type.TYPE_STRING))
                    .addField(message(8, "hints", DISCOVERY + "EndpointHints"))
                    .addNestedType(DescriptorProto.newBuilder().setName("DeprecatedTopologyEntry")
                            .addField(scalar(1, "key", FieldDescriptorProto.Type.TYPE_STRING))
                            .addField(scalar(2, "value", FieldDescriptorProto.Type.TYPE_STRING))
                            .setOptions(com.google.protobuf.DescriptorProtos.MessageOptions.newBuilder().setMapEntry(true))))
            .addMessageType(DescriptorProto.newBuilder().setName("EndpointConditions")
                    .addField(scalar(1, "ready", FieldDescriptorProto.Type.TYPE_BOOL))
                    .addField(scalar(2, "serving", FieldDescriptorProto.Type.TYPE_BOOL))
                    .addField(scalar(3, "terminating", FieldDescriptorProto.Type.TYPE_BOOL)))
            .addMessageType(DescriptorProto.newBuilder().setName("EndpointHints")
                    .addField(repeated(message(1, "forZones", DISCOVERY + "ForZone")))
                    .addField(repeated(message(2, "forNodes", DISCOVERY + "ForNode"))))
            .addMessageType(DescriptorProto.newBuilder().setName("EndpointPort")
                    .addField(scalar(1, "name", FieldDescriptorProto.Type.TYPE_STRING))
                    .addField(scalar(2, "protocol", FieldDescriptorProto.Type.TYPE_STRING))
                    .addField(scalar(3, "port", FieldDescriptorProto.Type.TYPE_INT32))
                    .addField(scalar(4, "appProtocol", FieldDescriptorProto.Type.TYPE_STRING)))
            .addMessageType(DescriptorProto.newBuilder().setName("EndpointSlice")
                    .addField(message(1, "metadata", OBJECT_META))
                    .addField(repeated(message(2, "endpoints", DISCOVERY + "Endpoint")))
                    .addField(repeated(message(3, "ports", DISCOVERY + "EndpointPort")))
                    .addField(scalar(4, "addressType", FieldDescriptorProto.Type.TYPE_STRING)))
            .addMessageType(DescriptorProto.newBuilder().setName("EndpointSliceList")
                    .addField(message(1, "metadata", LIST_META))
                    .addField(repeated(message(2, "items", DISCOVERY + "EndpointSlice"))))
            .addMessageType(DescriptorProto.newBuilder().setName("ForNode")
                    .addField(scalar(1, "name", FieldDescriptorProto.Type.TYPE_STRING)))
            .addMessageType(DescriptorProto.newBuilder().setName("ForZone")
                    .addField(scalar(1, "name", FieldDescriptorProto.Type.TYPE_STRING)))
            .build();

    private static FieldDescriptorProto scalar(int number, String name, FieldDescriptorProto.Type type) {
        return FieldDescriptorProto.newBuilder().setNumber(number).setName(name).setJsonName(name)
                .setLabel(FieldDescriptorProto.Label.LABEL_OPTIONAL).setType(type).build();
    }

    private static FieldDescriptorProto message(int number, String name, String typeName) {
        return FieldDescriptorProto.newBuilder().setNumber(number).setName(name).setJsonName(name)
                .setLabel(FieldDescriptorProto.Label.LABEL_OPTIONAL)
                .setType(FieldDescriptorProto.Type.TYPE_MESSAGE).setTypeName(typeName).build();
    }

    private static FieldDescriptorProto repeated(FieldDescriptorProto field) {
        return field.toBuilder().setLabel(FieldDescriptorProto.Label.LABEL_REPEATED).build();
    }
}
