package dev.coracle.server.openapi;

import dev.coracle.server.registry.ResourceType;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static dev.coracle.server.openapi.TestResourceTypes.ALL;
import static dev.coracle.server.openapi.TestResourceTypes.DEPLOYMENTS;
import static dev.coracle.server.openapi.TestResourceTypes.PODS;
import static org.assertj.core.api.Assertions.assertThat;

class OpenApiDocumentsTest {

    private static final String CORE = "io.k8s.api.core.v1.";
    private static final String META = "io.k8s.apimachinery.pkg.apis.meta.v1.";

    private final OpenApiDocuments documents = new OpenApiDocuments(ALL);

    private JsonNode doc(String path) {
        return documents.groupVersion(path).orElseThrow().tree();
    }

    private JsonNode schema(String path, String name) {
        JsonNode schema = doc(path).path("components").path("schemas").path(name);
        assertThat(schema.isMissingNode()).as("schema %s in %s", name, path).isFalse();
        return schema;
    }

    private static JsonNode property(JsonNode schema, String name) {
        JsonNode property = schema.path("properties").path(name);
        assertThat(property.isMissingNode()).as("property %s", name).isFalse();
        return property;
    }

    @Test
    void indexListsEveryGroupVersionWithTheHashOfItsDocument() {
        JsonNode index = documents.index().tree();
        assertThat(names(index.path("paths"))).containsExactly("api/v1", "apis/apps/v1",
                "apis/coordination.k8s.io/v1", "apis/events.k8s.io/v1", "apis/metrics.k8s.io/v1beta1",
                "apis/storage.k8s.io/v1");
        OpenApiDocuments.Document apps = documents.groupVersion("apis/apps/v1").orElseThrow();
        assertThat(index.path("paths").path("apis/apps/v1").path("serverRelativeURL").asString())
                .isEqualTo("/openapi/v3/apis/apps/v1?hash=" + apps.hash());
        assertThat(apps.hash()).matches("[0-9A-F]{128}");
        assertThat(apps.etag()).isEqualTo("\"" + apps.hash() + "\"");
    }

    @Test
    void documentsAndHashesAreTheSameForTheSameResourcesInAnyOrder() {
        List<ResourceType> reversed = new ArrayList<>(ALL);
        java.util.Collections.reverse(reversed);
        OpenApiDocuments again = new OpenApiDocuments(reversed);
        assertThat(again.index().hash()).isEqualTo(documents.index().hash());
        documents.groupVersions().forEach((path, document) -> {
            assertThat(again.groupVersion(path).orElseThrow().json()).isEqualTo(document.json());
            assertThat(again.groupVersion(path).orElseThrow().hash()).isEqualTo(document.hash());
        });
        OpenApiDocuments fewer = new OpenApiDocuments(List.of(PODS));
        assertThat(fewer.groupVersion("api/v1").orElseThrow().hash())
                .isNotEqualTo(documents.groupVersion("api/v1").orElseThrow().hash());
    }

    @Test
    void requestPathsFindTheIndexAndGroupVersionDocuments() {
        assertThat(documents.forRequestPath("/openapi/v3")).contains(documents.index());
        assertThat(documents.forRequestPath("/openapi/v3/")).contains(documents.index());
        assertThat(documents.forRequestPath("/openapi/v3/apis/apps/v1?hash=ABC"))
                .isEqualTo(documents.groupVersion("apis/apps/v1"));
        assertThat(documents.forRequestPath("/openapi/v3/api/v1")).isEqualTo(documents.groupVersion("/api/v1/"));
        assertThat(documents.forRequestPath("/openapi/v3/apis/batch/v1")).isEmpty();
        assertThat(documents.forRequestPath("/openapi/v3x")).isEmpty();
        assertThat(documents.forRequestPath("/openapi/v2")).isEmpty();
    }

    @Test
    void everyKindHasAPatchOperationThatAcceptsFieldValidationAndEveryPatchType() {
        for (ResourceType type : ALL) {
            JsonNode paths = doc(OpenApiDocuments.groupVersionPath(type.group(), type.version())).path("paths");
            String base = type.group().isEmpty() ? "/api/v1" : "/apis/" + type.group() + "/" + type.version();
            String item = base + (type.namespaced() ? "/namespaces/{namespace}/" : "/") + type.plural() + "/{name}";
            JsonNode patch = paths.path(item).path("patch");
            assertThat(patch.path("x-kubernetes-action").asString()).as(item).isEqualTo("patch");
            JsonNode gvk = patch.path("x-kubernetes-group-version-kind");
            assertThat(gvk.path("group").asString()).isEqualTo(type.group());
            assertThat(gvk.path("version").asString()).isEqualTo(type.version());
            assertThat(gvk.path("kind").asString()).isEqualTo(type.kind());
            assertThat(parameterNames(patch)).contains("fieldValidation", "fieldManager", "dryRun", "force");
            assertThat(names(patch.path("requestBody").path("content"))).containsExactlyInAnyOrder(
                    "application/json-patch+json", "application/merge-patch+json",
                    "application/strategic-merge-patch+json", "application/apply-patch+yaml");
        }
    }

    @Test
    void everyPatchOperationOfAKindAcceptsFieldValidationIncludingSubresources() {
        // kubectl looks at the first PATCH operation it meets for the kind, in no particular order
        for (JsonNode document : documents.groupVersions().values().stream().map(d -> d.tree()).toList()) {
            for (JsonNode path : iterable(document.path("paths"))) {
                if (path.has("patch")) {
                    assertThat(parameterNames(path.path("patch"))).contains("fieldValidation");
                }
            }
        }
    }

    @Test
    void resourcesHaveCollectionItemAndSubresourcePathsWithActionsAndKinds() {
        JsonNode paths = doc("apis/apps/v1").path("paths");
        String collection = "/apis/apps/v1/namespaces/{namespace}/deployments";
        assertThat(names(paths)).contains("/apis/apps/v1/", "/apis/apps/v1/deployments", collection,
                collection + "/{name}", collection + "/{name}/status", collection + "/{name}/scale");
        assertThat(paths.path(collection).path("get").path("x-kubernetes-action").asString()).isEqualTo("list");
        assertThat(paths.path(collection).path("post").path("x-kubernetes-action").asString()).isEqualTo("post");
        assertThat(paths.path(collection).path("delete").path("x-kubernetes-action").asString())
                .isEqualTo("deletecollection");
        assertThat(paths.path(collection).path("get").path("operationId").asString())
                .isEqualTo("listAppsV1NamespacedDeployment");
        JsonNode item = paths.path(collection + "/{name}");
        assertThat(item.path("get").path("x-kubernetes-action").asString()).isEqualTo("get");
        assertThat(item.path("put").path("x-kubernetes-action").asString()).isEqualTo("put");
        assertThat(item.path("delete").path("x-kubernetes-action").asString()).isEqualTo("delete");
        assertThat(item.path("patch").path("operationId").asString()).isEqualTo("patchAppsV1NamespacedDeployment");
        assertThat(parameterNames(item)).contains("name", "namespace");
        JsonNode status = paths.path(collection + "/{name}/status");
        assertThat(status.path("patch").path("x-kubernetes-group-version-kind").path("kind").asString())
                .isEqualTo("Deployment");
        JsonNode scale = paths.path(collection + "/{name}/scale").path("put");
        assertThat(scale.path("x-kubernetes-group-version-kind").path("group").asString()).isEqualTo("autoscaling");
        assertThat(scale.path("x-kubernetes-group-version-kind").path("kind").asString()).isEqualTo("Scale");
        assertThat(scale.path("requestBody").path("content").path("*/*").path("schema").path("$ref").asString())
                .isEqualTo("#/components/schemas/io.k8s.api.autoscaling.v1.Scale");

        JsonNode core = doc("api/v1").path("paths");
        assertThat(names(core)).contains("/api/v1/namespaces/{namespace}/pods/{name}/binding",
                "/api/v1/namespaces/{namespace}/pods/{name}/log", "/api/v1/namespaces/{name}",
                "/api/v1/namespaces/{name}/finalize", "/api/v1/namespaces/{name}/status");
        assertThat(names(core)).doesNotContain("/api/v1/namespaces/{namespace}/namespaces");
        assertThat(core.path("/api/v1/namespaces").path("get").path("operationId").asString())
                .isEqualTo("listCoreV1Namespace");
        assertThat(core.path("/api/v1/namespaces/{namespace}/pods/{name}/binding").path("post")
                .path("x-kubernetes-group-version-kind").path("kind").asString()).isEqualTo("Binding");
    }

    @Test
    void schemasAreNamedAsKubernetesNamesThem() {
        assertThat(names(doc("api/v1").path("components").path("schemas"))).contains(
                CORE + "Pod", CORE + "PodList", CORE + "PodSpec", CORE + "Container", CORE + "Namespace",
                META + "ObjectMeta", META + "ListMeta", META + "OwnerReference", META + "ManagedFieldsEntry",
                META + "Status", META + "DeleteOptions", META + "Patch", META + "Time",
                "io.k8s.apimachinery.pkg.api.resource.Quantity", "io.k8s.apimachinery.pkg.util.intstr.IntOrString");
        assertThat(names(doc("apis/apps/v1").path("components").path("schemas"))).contains(
                "io.k8s.api.apps.v1.Deployment", "io.k8s.api.apps.v1.DeploymentSpec",
                "io.k8s.api.apps.v1.DeploymentStrategy", "io.k8s.api.apps.v1.RollingUpdateDeployment",
                CORE + "PodTemplateSpec", "io.k8s.api.autoscaling.v1.Scale");
        schema("apis/storage.k8s.io/v1", "io.k8s.api.storage.v1.StorageClass");
        schema("apis/coordination.k8s.io/v1", "io.k8s.api.coordination.v1.Lease");
        schema("apis/events.k8s.io/v1", "io.k8s.api.events.v1.Event");
        schema("apis/metrics.k8s.io/v1beta1", "io.k8s.metrics.pkg.apis.metrics.v1beta1.NodeMetrics");
        for (JsonNode document : documents.groupVersions().values().stream().map(d -> d.tree()).toList()) {
            assertThat(names(document.path("components").path("schemas"))).allMatch(n -> n.startsWith("io.k8s."));
        }
    }

    @Test
    void topLevelKindsAndTheirListsCarryTheirGroupVersionKind() {
        assertThat(schema("api/v1", CORE + "Pod").path("x-kubernetes-group-version-kind").toString())
                .isEqualTo("[{\"group\":\"\",\"kind\":\"Pod\",\"version\":\"v1\"}]");
        assertThat(schema("api/v1", CORE + "PodList").path("x-kubernetes-group-version-kind").toString())
                .isEqualTo("[{\"group\":\"\",\"kind\":\"PodList\",\"version\":\"v1\"}]");
        assertThat(schema("apis/apps/v1", "io.k8s.api.apps.v1.Deployment").path("x-kubernetes-group-version-kind")
                .toString()).isEqualTo("[{\"group\":\"apps\",\"kind\":\"Deployment\",\"version\":\"v1\"}]");
        assertThat(schema("api/v1", CORE + "PodSpec").has("x-kubernetes-group-version-kind")).isFalse();
        assertThat(schema("api/v1", CORE + "PodList").path("required").toString()).isEqualTo("[\"items\"]");
    }

    @Test
    void javaTypesMapToOpenApiTypes() {
        JsonNode container = schema("api/v1", CORE + "Container");
        assertThat(property(container, "image").path("type").asString()).isEqualTo("string");
        assertThat(property(container, "stdin").path("type").asString()).isEqualTo("boolean");
        assertThat(property(container, "args").path("items").path("type").asString()).isEqualTo("string");
        assertThat(refOf(property(container, "resources")))
                .isEqualTo("#/components/schemas/" + CORE + "ResourceRequirements");
        JsonNode port = schema("api/v1", CORE + "ContainerPort");
        assertThat(property(port, "containerPort").path("type").asString()).isEqualTo("integer");
        assertThat(property(port, "containerPort").path("format").asString()).isEqualTo("int32");
        JsonNode meta = schema("api/v1", META + "ObjectMeta");
        assertThat(property(meta, "generation").path("format").asString()).isEqualTo("int64");
        assertThat(property(meta, "labels").path("type").asString()).isEqualTo("object");
        assertThat(property(meta, "labels").path("additionalProperties").path("type").asString()).isEqualTo("string");
        assertThat(refOf(property(meta, "creationTimestamp")))
                .isEqualTo("#/components/schemas/" + META + "Time");
        assertThat(schema("api/v1", META + "Time").path("format").asString()).isEqualTo("date-time");
        JsonNode resources = schema("api/v1", CORE + "ResourceRequirements");
        assertThat(refOf(property(resources, "limits").path("additionalProperties")))
                .isEqualTo("#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity");
        JsonNode rollingUpdate = schema("apis/apps/v1", "io.k8s.api.apps.v1.RollingUpdateDeployment");
        assertThat(refOf(property(rollingUpdate, "maxSurge")))
                .isEqualTo("#/components/schemas/io.k8s.apimachinery.pkg.util.intstr.IntOrString");
        assertThat(schema("apis/apps/v1", "io.k8s.apimachinery.pkg.util.intstr.IntOrString")
                .path("x-kubernetes-int-or-string").asBoolean()).isTrue();
        JsonNode leaseSpec = schema("apis/coordination.k8s.io/v1", "io.k8s.api.coordination.v1.LeaseSpec");
        assertThat(refOf(property(leaseSpec, "renewTime")))
                .isEqualTo("#/components/schemas/" + META + "MicroTime");
        JsonNode event = schema("apis/events.k8s.io/v1", "io.k8s.api.events.v1.Event");
        assertThat(refOf(property(event, "eventTime")))
                .isEqualTo("#/components/schemas/" + META + "MicroTime");
        assertThat(schema("api/v1", CORE + "Pod").path("properties").has("additionalProperties")).isFalse();
        assertThat(names(schema("api/v1", CORE + "Pod").path("properties")))
                .containsExactly("apiVersion", "kind", "metadata", "spec", "status");
    }

    @Test
    void wellKnownListsCarryTheirMergeSemantics() {
        JsonNode podSpec = schema("api/v1", CORE + "PodSpec");
        assertThat(podSpec.path("required").toString()).isEqualTo("[\"containers\"]");
        JsonNode containers = property(podSpec, "containers");
        assertThat(containers.path("x-kubernetes-list-type").asString()).isEqualTo("map");
        assertThat(containers.path("x-kubernetes-list-map-keys").toString()).isEqualTo("[\"name\"]");
        assertThat(containers.path("x-kubernetes-patch-merge-key").asString()).isEqualTo("name");
        assertThat(containers.path("x-kubernetes-patch-strategy").asString()).isEqualTo("merge");
        assertThat(property(podSpec, "initContainers").path("x-kubernetes-patch-merge-key").asString())
                .isEqualTo("name");
        assertThat(property(podSpec, "volumes").path("x-kubernetes-patch-strategy").asString())
                .isEqualTo("merge,retainKeys");
        assertThat(property(podSpec, "tolerations").path("x-kubernetes-list-type").asString()).isEqualTo("atomic");
        JsonNode container = schema("api/v1", CORE + "Container");
        assertThat(container.path("required").toString()).isEqualTo("[\"name\"]");
        assertThat(property(container, "ports").path("x-kubernetes-list-map-keys").toString())
                .isEqualTo("[\"containerPort\",\"protocol\"]");
        assertThat(property(container, "ports").path("x-kubernetes-patch-merge-key").asString())
                .isEqualTo("containerPort");
        assertThat(property(container, "env").path("x-kubernetes-patch-merge-key").asString()).isEqualTo("name");
        assertThat(property(container, "volumeMounts").path("x-kubernetes-patch-merge-key").asString())
                .isEqualTo("mountPath");
        JsonNode servicePorts = property(schema("api/v1", CORE + "ServiceSpec"), "ports");
        assertThat(servicePorts.path("x-kubernetes-list-map-keys").toString()).isEqualTo("[\"port\",\"protocol\"]");
        assertThat(servicePorts.path("x-kubernetes-patch-merge-key").asString()).isEqualTo("port");
        JsonNode meta = schema("api/v1", META + "ObjectMeta");
        assertThat(property(meta, "finalizers").path("x-kubernetes-list-type").asString()).isEqualTo("set");
        assertThat(property(meta, "ownerReferences").path("x-kubernetes-patch-merge-key").asString()).isEqualTo("uid");
        assertThat(property(schema("apis/apps/v1", "io.k8s.api.apps.v1.DeploymentStatus"), "conditions")
                .path("x-kubernetes-list-map-keys").toString()).isEqualTo("[\"type\"]");
        assertThat(property(schema("api/v1", CORE + "PodStatus"), "conditions")
                .path("x-kubernetes-patch-merge-key").asString()).isEqualTo("type");
        assertThat(schema("apis/apps/v1", "io.k8s.api.apps.v1.DeploymentSpec").path("required").toString())
                .isEqualTo("[\"selector\",\"template\"]");
        assertThat(schema("api/v1", META + "LabelSelector").path("x-kubernetes-map-type").asString())
                .isEqualTo("atomic");
    }

    @Test
    void typesAndFieldsCarryKubernetesDescriptions() {
        assertThat(schema("api/v1", CORE + "Pod").path("description").asString())
                .startsWith("Pod is a collection of containers");
        JsonNode container = schema("api/v1", CORE + "Container");
        assertThat(property(container, "image").path("description").asString()).contains("Container image name");
        JsonNode spec = property(schema("apis/apps/v1", "io.k8s.api.apps.v1.Deployment"), "spec");
        assertThat(refOf(spec)).isEqualTo("#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec");
        assertThat(spec.path("description").asString()).startsWith("DeploymentSpec is the specification");
        assertThat(schema("api/v1", "io.k8s.apimachinery.pkg.api.resource.Quantity").path("description").asString())
                .isNotBlank();
    }

    @Test
    void aKindWithoutAModelClassGetsAnOpenSchemaNamedAsKubernetesNamesCustomResources() {
        ResourceType widgets = new ResourceType("example.com", "v1", "Widget", "widgets", "widget", true,
                List.of(), List.of(), List.of("status"), io.fabric8.kubernetes.api.model.GenericKubernetesResource.class);
        JsonNode document = new OpenApiDocuments(List.of(widgets)).groupVersion("apis/example.com/v1").orElseThrow()
                .tree();
        JsonNode widget = document.path("components").path("schemas").path("com.example.v1.Widget");
        assertThat(widget.path("x-kubernetes-preserve-unknown-fields").asBoolean()).isTrue();
        assertThat(widget.path("x-kubernetes-group-version-kind").toString())
                .isEqualTo("[{\"group\":\"example.com\",\"kind\":\"Widget\",\"version\":\"v1\"}]");
        assertThat(document.path("paths").path("/apis/example.com/v1/namespaces/{namespace}/widgets/{name}")
                .path("patch").path("x-kubernetes-group-version-kind").path("kind").asString()).isEqualTo("Widget");
    }

    @Test
    void everyReferenceResolvesWithinItsDocument() {
        for (OpenApiDocuments.Document document : documents.groupVersions().values()) {
            JsonNode tree = document.tree();
            Set<String> refs = new TreeSet<>();
            collectRefs(tree, refs);
            Set<String> schemas = new TreeSet<>(names(tree.path("components").path("schemas")));
            for (String ref : refs) {
                assertThat(ref).startsWith("#/components/schemas/");
                assertThat(schemas).as("%s in %s", ref, document.path())
                        .contains(ref.substring("#/components/schemas/".length()));
            }
        }
    }

    @Test
    void aDocumentHoldsOnlyTheSchemasItsResourcesReach() {
        Set<String> apps = new TreeSet<>(names(doc("apis/apps/v1").path("components").path("schemas")));
        assertThat(apps).doesNotContain(CORE + "Pod", CORE + "Namespace", CORE + "ServiceSpec");
        OpenApiDocuments podsOnly = new OpenApiDocuments(List.of(PODS, DEPLOYMENTS));
        assertThat(names(podsOnly.groupVersion("api/v1").orElseThrow().tree().path("components").path("schemas")))
                .doesNotContain(CORE + "ServiceSpec", CORE + "NamespaceSpec");
    }

    /** The schema a property refers to, directly or through the {@code allOf} that carries its description. */
    private static String refOf(JsonNode property) {
        JsonNode target = property.has("allOf") ? property.path("allOf").path(0) : property;
        return target.path("$ref").asString();
    }

    private static void collectRefs(JsonNode node, Set<String> refs) {
        if (node.isObject()) {
            for (String name : names(node)) {
                JsonNode child = node.get(name);
                if (name.equals("$ref")) {
                    refs.add(child.asString());
                } else {
                    collectRefs(child, refs);
                }
            }
        } else if (node.isArray()) {
            for (JsonNode child : node) {
                collectRefs(child, refs);
            }
        }
    }

    private static List<String> parameterNames(JsonNode operationOrPath) {
        List<String> names = new ArrayList<>();
        for (JsonNode parameter : operationOrPath.path("parameters")) {
            names.add(parameter.path("name").asString());
        }
        return names;
    }

    static List<String> names(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.propertyNames().forEach(names::add);
        return names;
    }

    private static Iterable<JsonNode> iterable(JsonNode object) {
        List<JsonNode> values = new ArrayList<>();
        for (String name : names(object)) {
            values.add(object.get(name));
        }
        return values;
    }
}
