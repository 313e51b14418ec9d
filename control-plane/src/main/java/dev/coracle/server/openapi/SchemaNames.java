package dev.coracle.server.openapi;

import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Version;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * The names Kubernetes gives its OpenAPI schemas ({@code io.k8s.api.core.v1.PodSpec},
 * {@code io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta}, ...), derived from a Fabric8 model class.
 */
final class SchemaNames {

    static final String META_V1 = "io.k8s.apimachinery.pkg.apis.meta.v1.";
    static final String QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity";
    static final String INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
    static final String RAW_EXTENSION = "io.k8s.apimachinery.pkg.runtime.RawExtension";
    static final String TIME = META_V1 + "Time";
    static final String MICRO_TIME = META_V1 + "MicroTime";
    static final String DURATION = META_V1 + "Duration";
    static final String OBJECT_META = META_V1 + "ObjectMeta";
    static final String LIST_META = META_V1 + "ListMeta";
    static final String STATUS = META_V1 + "Status";
    static final String DELETE_OPTIONS = META_V1 + "DeleteOptions";
    static final String PATCH = META_V1 + "Patch";
    static final String API_RESOURCE_LIST = META_V1 + "APIResourceList";

    private static final String FABRIC8_MODEL = "io.fabric8.kubernetes.api.model";
    private static final Pattern VERSION = Pattern.compile("v\\d+((alpha|beta)\\d+)?");

    /** Types Fabric8 keeps in its core package that Kubernetes defines in apimachinery's meta/v1. */
    private static final Set<String> FABRIC8_CORE_META_V1 = Set.of(
            "APIGroup", "APIGroupList", "APIResource", "APIResourceList", "APIVersions", "Condition",
            "CreateOptions", "DeleteOptions", "Duration", "FieldSelectorRequirement", "FieldsV1", "GetOptions",
            "GroupKind", "GroupResource", "GroupVersionForDiscovery", "GroupVersionKind", "GroupVersionResource",
            "LabelSelector", "LabelSelectorRequirement", "ListMeta", "ListOptions", "ManagedFieldsEntry",
            "MicroTime", "ObjectMeta", "OwnerReference", "Patch", "PatchOptions", "Preconditions", "RootPaths",
            "ServerAddressByClientCIDR", "Status", "StatusCause", "StatusDetails", "Time", "TypeMeta",
            "UpdateOptions", "WatchEvent");

    private static final Set<String> FABRIC8_CORE_APIREGISTRATION_V1 = Set.of(
            "APIService", "APIServiceCondition", "APIServiceList", "APIServiceSpec", "APIServiceStatus",
            "ServiceReference");

    private SchemaNames() {
    }

    /** The Kubernetes schema name of a model class. */
    static String of(Class<?> type) {
        String simple = type.getSimpleName();
        String pkg = type.getPackageName();
        switch (type.getName()) {
            case FABRIC8_MODEL + ".Quantity":
                return QUANTITY;
            case FABRIC8_MODEL + ".IntOrString":
                return INT_OR_STRING;
            case FABRIC8_MODEL + ".runtime.RawExtension":
                return RAW_EXTENSION;
            default:
                break;
        }
        if (pkg.equals(FABRIC8_MODEL)) {
            if (FABRIC8_CORE_META_V1.contains(simple)) {
                return META_V1 + simple;
            }
            if (FABRIC8_CORE_APIREGISTRATION_V1.contains(simple)) {
                return "io.k8s.kube-aggregator.pkg.apis.apiregistration.v1." + simple;
            }
            return "io.k8s.api.core.v1." + simple;
        }
        if (pkg.equals(FABRIC8_MODEL + ".version")) {
            return "io.k8s.apimachinery.pkg.version." + simple;
        }
        if (pkg.startsWith(FABRIC8_MODEL + ".")) {
            String[] segments = pkg.substring(FABRIC8_MODEL.length() + 1).split("\\.");
            String last = segments[segments.length - 1];
            String goPackage;
            String version;
            if (segments.length > 1 && VERSION.matcher(last).matches()) {
                goPackage = String.join(".", java.util.Arrays.copyOf(segments, segments.length - 1));
                version = last;
            } else {
                goPackage = String.join(".", segments);
                version = versionAnnotation(type, goPackage.equals("extensions") ? "v1beta1" : "v1");
            }
            return switch (goPackage) {
                case "metrics" -> "io.k8s.metrics.pkg.apis.metrics." + version + "." + simple;
                case "apiextensions" -> "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions." + version + "." + simple;
                default -> "io.k8s.api." + goPackage + "." + version + "." + simple;
            };
        }
        // A custom resource or another model: Kubernetes names CRD schemas by reversed group, version and kind.
        Group group = type.getAnnotation(Group.class);
        Version version = type.getAnnotation(Version.class);
        if (group != null && version != null) {
            String[] parts = group.value().split("\\.");
            StringBuilder reversed = new StringBuilder();
            for (int i = parts.length - 1; i >= 0; i--) {
                reversed.append(parts[i]).append('.');
            }
            return reversed + version.value() + "." + simple;
        }
        return type.getName().replace('$', '.');
    }

    private static String versionAnnotation(Class<?> type, String fallback) {
        Version version = type.getAnnotation(Version.class);
        return version != null ? version.value() : fallback;
    }

    /** {@code #/components/schemas/NAME}. */
    static String ref(String schemaName) {
        return "#/components/schemas/" + schemaName;
    }

    /** How operation ids spell a group: {@code Core}, {@code Apps}, {@code Storage}, {@code RbacAuthorization}. */
    static String operationGroup(String group) {
        if (group.isEmpty()) {
            return "Core";
        }
        String trimmed = group.endsWith(".k8s.io") ? group.substring(0, group.length() - ".k8s.io".length()) : group;
        StringBuilder out = new StringBuilder();
        for (String part : trimmed.split("[.-]")) {
            if (!part.isEmpty()) {
                out.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
            }
        }
        return out.toString();
    }

    /** How tags spell a group-version: {@code core_v1}, {@code apps_v1}, {@code storage_v1}. */
    static String tag(String group, String version) {
        if (group.isEmpty()) {
            return "core_" + version;
        }
        String trimmed = group.endsWith(".k8s.io") ? group.substring(0, group.length() - ".k8s.io".length()) : group;
        StringBuilder out = new StringBuilder();
        String[] parts = trimmed.split("\\.");
        for (int i = 0; i < parts.length; i++) {
            out.append(i == 0 ? parts[i] : Character.toUpperCase(parts[i].charAt(0)) + parts[i].substring(1));
        }
        return out + "_" + version;
    }
}
