package dev.coracle.server.openapi;

import dev.coracle.server.testing.Kubectl;
import dev.coracle.server.testing.TestServer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code /openapi/v2}: the Swagger 2.0 document older clients and {@code kubectl get --raw} read, made from the
 * same schemas as {@code /openapi/v3}, negotiated as kube-openapi's handler does: JSON, gnostic's protobuf (what
 * client-go's OpenAPISchema asks for and {@code kubectl explain --output=plaintext-openapiv2} reads), else 406.
 */
class OpenApiV2Test {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String PROTOBUF = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";

    @AutoClose
    private static final TestServer server = TestServer.start((String) null, "--coracle.controllers.enabled=false").awaitReady();

    @TempDir
    Path home;

    @Test
    void theV2DocumentDescribesWhatV3Does() {
        HttpResponse<String> r = get("application/json");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        JsonNode swagger = JSON.readTree(r.body());
        assertThat(swagger.path("swagger").asString()).isEqualTo("2.0");
        assertThat(r.body()).as("every reference points into definitions").doesNotContain("#/components/").contains("#/definitions/");
        assertThat(r.body()).as("v3-only keywords are gone").doesNotContain("\"nullable\"").doesNotContain("\"requestBody\"");

        Set<String> v3Schemas = new TreeSet<>();
        Set<String> v3Paths = new TreeSet<>();
        for (JsonNode entry : JSON.readTree(server.send("GET", "/openapi/v3", null, null).body()).path("paths")) {
            JsonNode document = JSON.readTree(server.send("GET", entry.path("serverRelativeURL").asString(), null, null).body());
            document.path("components").path("schemas").propertyNames().forEach(v3Schemas::add);
            document.path("paths").propertyNames().forEach(v3Paths::add);
        }
        assertThat(new TreeSet<>(swagger.path("definitions").propertyNames())).isEqualTo(v3Schemas);
        assertThat(new TreeSet<>(swagger.path("paths").propertyNames())).isEqualTo(v3Paths);

        JsonNode pod = swagger.at("/definitions/io.k8s.api.core.v1.Pod");
        assertThat(pod.at("/x-kubernetes-group-version-kind/0/kind").asString()).isEqualTo("Pod");
        assertThat(pod.at("/properties/metadata/$ref").asString()).isEqualTo("#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
        assertThat(pod.at("/properties/metadata").has("allOf")).isFalse();
        assertThat(swagger.at("/definitions/io.k8s.api.core.v1.Container/properties/imagePullPolicy/type").asString()).isEqualTo("string");

        JsonNode create = swagger.at("/paths/~1api~1v1~1namespaces~1{namespace}~1pods/post");
        assertThat(create.path("operationId").asString()).isEqualTo("createCoreV1NamespacedPod");
        JsonNode body = create.path("parameters").get(0);
        assertThat(body.path("in").asString()).isEqualTo("body");
        assertThat(body.at("/schema/$ref").asString()).isEqualTo("#/definitions/io.k8s.api.core.v1.Pod");
        assertThat(create.at("/responses/201/schema/$ref").asString()).isEqualTo("#/definitions/io.k8s.api.core.v1.Pod");
        assertThat(create.path("produces").toString()).contains("application/json", "application/yaml");
        assertThat(create.path("parameters").findValuesAsString("name")).contains("dryRun", "fieldManager", "fieldValidation");
        JsonNode dryRun = create.path("parameters").findParents("name").stream()
                .filter(p -> p.path("name").asString().equals("dryRun")).findFirst().orElseThrow();
        assertThat(dryRun.path("in").asString()).isEqualTo("query");
        assertThat(dryRun.path("type").asString()).as("v2 parameters carry their type inline").isEqualTo("string");
        assertThat(swagger.at("/paths/~1api~1v1~1namespaces~1{namespace}~1pods~1{name}/patch/consumes").toString())
                .contains("application/strategic-merge-patch+json", "application/apply-patch+yaml");
        assertThat(swagger.at("/securityDefinitions/BearerToken/type").asString()).isEqualTo("apiKey");
    }

    @Test
    void acceptIsNegotiatedAsKubeOpenapiDoes() {
        HttpResponse<String> protobuf = get(PROTOBUF);
        assertThat(protobuf.statusCode()).isEqualTo(200);
        assertThat(protobuf.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("application/com.github.proto-openapi.spec.v2.v1.0+protobuf"));
        assertThat(protobuf.body()).as("Document.swagger, field 1").startsWith("\n\u00032.0");
        assertThat(get(PROTOBUF + ", application/json").headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).contains("protobuf"));
        assertThat(get("application/json;q=0, " + PROTOBUF).headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).contains("protobuf"));
        assertThat(get(null).headers().firstValue("Content-Type")).as("no Accept is */*").hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        assertThat(get("application/xml").statusCode()).isEqualTo(406);

        HttpResponse<String> first = get("application/json");
        String etag = first.headers().firstValue("ETag").orElseThrow();
        assertThat(first.headers().firstValue("Cache-Control")).hasValue("no-cache, private");
        HttpResponse<String> again = send(HttpRequest.newBuilder(URI.create(server.url() + "/openapi/v2"))
                .header("Accept", "application/json").header("If-None-Match", etag));
        assertThat(again.statusCode()).isEqualTo(304);
    }

    @Test
    void kubectlReadsItRawAndExplainsFromIt() {
        assumeTrue(Kubectl.installed(), "kubectl is not installed at " + Kubectl.PATH);
        String raw = kubectl("get", "--raw", "/openapi/v2");
        assertThat(JSON.readTree(raw).at("/definitions/io.k8s.api.apps.v1.Deployment/properties/spec/$ref").asString())
                .isEqualTo("#/definitions/io.k8s.api.apps.v1.DeploymentSpec");

        // the v2 explain reads the protobuf document through client-go's OpenAPISchema
        String explained = kubectl("explain", "deployments.spec.strategy", "--output=plaintext-openapiv2");
        assertThat(explained).contains("KIND:     Deployment", "VERSION:  apps/v1", "RESOURCE: strategy <Object>",
                "DeploymentStrategy describes how to replace existing pods with new ones.", "rollingUpdate\t<Object>", "type\t<string>");
        assertThat(kubectl("explain", "pods.spec.containers.imagePullPolicy", "--output=plaintext-openapiv2"))
                .contains("FIELD:    imagePullPolicy <string>", "Image pull policy.");
    }

    private String kubectl(String... args) {
        return new Kubectl(server, home).succeeds(args);
    }

    private static HttpResponse<String> get(String accept) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.url() + "/openapi/v2"));
        if (accept != null) {
            request.header("Accept", accept);
        }
        return send(request);
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) {
        return server.send(request);
    }
}
