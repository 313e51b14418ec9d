package dev.coracle.server.api;

import dev.coracle.server.store.ObjectStore;
import dev.coracle.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Bad requests, one table: each is sent to a real server and must get the answer kube-apiserver gives
 * (code, a {@code Status} with its reason, a message naming what is wrong, {@code details.causes[].field}
 * for every field of a 422), never a 500, and must leave the store as it was.
 *
 * <p>Where Coracle deliberately answers differently from Kubernetes, the case says so in its name
 * ("Kubernetes: ..."). Cases Coracle still gets wrong are listed in {@link #knownGaps()}, documented
 * and not run.
 */
class BadInputTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final String NS = "default";
    private static final String CM = "/api/v1/namespaces/" + NS + "/configmaps";
    private static final String SECRETS = "/api/v1/namespaces/" + NS + "/secrets";
    private static final String PODS = "/api/v1/namespaces/" + NS + "/pods";
    private static final String SVC = "/api/v1/namespaces/" + NS + "/services";
    private static final String DEPLOY = "/apis/apps/v1/namespaces/" + NS + "/deployments";
    private static final String NAMESPACES = "/api/v1/namespaces";

    private static final String JSON_TYPE = "application/json";
    private static final String YAML_TYPE = "application/yaml";
    private static final String MERGE = "application/merge-patch+json";
    private static final String JSON_PATCH = "application/json-patch+json";
    private static final String STRATEGIC = "application/strategic-merge-patch+json";
    private static final String APPLY = "application/apply-patch+yaml";

    private static TestServer server;

    @BeforeAll
    static void start() {
        // a tiny revision log and watch cache, so a watch can resume from a compacted revision; no controllers,
        // so what a case finds unchanged is what the API left alone, not what a controller wrote meanwhile
        server = TestServer.start((String) null, "--coracle.compaction.retain=5", "--coracle.compaction.interval=1s",
                "--coracle.watch.cache-size=5", "--coracle.controllers.enabled=false");
        await().atMost(Duration.ofSeconds(30)).until(() -> send(Req.get(NAMESPACES + "/" + NS)).statusCode() == 200);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    // =============================================================================================
    // the table
    // =============================================================================================

    static Stream<Case> cases() {
        List<CaseBuilder> cases = new ArrayList<>();

        // ---- the body is not an object ------------------------------------------------------------
        cases.add(c("malformed JSON")
                .send(Req.post(CM, JSON_TYPE, "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"bi-malformed-json\""))
                .expect(400, "BadRequest", "JSON")
                .absent(CM, "bi-malformed-json"));
        cases.add(c("malformed YAML (application/yaml)")
                .send(Req.post(CM, YAML_TYPE, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bi-malformed-yaml\n data: [\n"))
                .expect(400, "BadRequest", "YAML")
                .absent(CM, "bi-malformed-yaml"));
        cases.add(c("YAML sequence instead of a mapping")
                .send(Req.post(CM, YAML_TYPE, "- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: bi-yaml-list\n"))
                .expect(400, "BadRequest", "array")
                .absent(CM, "bi-yaml-list"));
        cases.add(c("JSON array instead of an object")
                .send(Req.post(CM, JSON_TYPE, "[" + configMap("bi-json-array") + "]"))
                .expect(400, "BadRequest", "array")
                .absent(CM, "bi-json-array"));
        cases.add(c("JSON string instead of an object")
                .send(Req.post(CM, JSON_TYPE, "\"bi-json-string\""))
                .expect(400, "BadRequest", "string")
                .absent(CM, "bi-json-string"));
        cases.add(c("JSON number instead of an object")
                .send(Req.post(CM, JSON_TYPE, "42"))
                .expect(400, "BadRequest", "number")
                .nothingToStore("the body names no object"));
        cases.add(c("empty body on create")
                .send(Req.post(CM, JSON_TYPE, ""))
                .expect(400, "BadRequest")
                .nothingToStore("the body names no object"));

        // ---- kind, apiVersion, path --------------------------------------------------------------
        cases.add(c("unknown kind in the body")
                .send(Req.post(CM, JSON_TYPE, with(configMap("bi-kind-foo"), o -> o.put("kind", "Foo"))))
                .expect(400, "BadRequest", "Foo")
                .absent(CM, "bi-kind-foo"));
        cases.add(c("another resource's kind in the body (Service to configmaps)")
                .send(Req.post(CM, JSON_TYPE, with(configMap("bi-kind-svc"), o -> o.put("kind", "Service"))))
                .expect(400, "BadRequest", "Service")
                .absent(CM, "bi-kind-svc"));
        cases.add(c("wrong apiVersion (apps/v1beta1 Deployment)")
                .send(Req.post(DEPLOY, JSON_TYPE, with(deployment("bi-apiversion"), o -> o.put("apiVersion", "apps/v1beta1"))))
                .expect(400, "BadRequest", "apps/v1beta1")
                .absent(DEPLOY, "bi-apiversion"));
        cases.add(c("core apiVersion on an apps resource (v1 Deployment)")
                .send(Req.post(DEPLOY, JSON_TYPE, with(deployment("bi-apiversion-v1"), o -> o.put("apiVersion", "v1"))))
                .expect(400, "BadRequest", "(v1)")
                .absent(DEPLOY, "bi-apiversion-v1"));
        cases.add(c("unknown resource path")
                .send(Req.get("/api/v1/namespaces/" + NS + "/widgets"))
                .expect(404, "NotFound", "the server could not find the requested resource")
                .nothingToStore("a read"));
        cases.add(c("create on an unknown resource path")
                .send(Req.post("/api/v1/namespaces/" + NS + "/widgets", JSON_TYPE, configMap("bi-widget")))
                .expect(404, "NotFound", "the server could not find the requested resource")
                .absent(CM, "bi-widget"));
        cases.add(c("unknown API group")
                .send(Req.get("/apis/widgets.example.com/v1/namespaces/" + NS + "/widgets"))
                .expect(404, "NotFound", "the server could not find the requested resource")
                .nothingToStore("a read"));
        cases.add(c("unknown version of a known group")
                .send(Req.get("/apis/apps/v9/namespaces/" + NS + "/deployments"))
                .expect(404, "NotFound", "the server could not find the requested resource")
                .nothingToStore("a read"));
        cases.add(c("unknown subresource")
                .given(CM, configMap("bi-subresource"))
                .send(Req.get(CM + "/bi-subresource/frobnicate"))
                .expect(404, "NotFound", "the server could not find the requested resource")
                .unchanged(CM + "/bi-subresource"));
        cases.add(c("namespace in the body differs from the path")
                .send(Req.post(CM, JSON_TYPE, with(configMap("bi-other-ns"), o -> meta(o).put("namespace", "kube-public"))))
                .expect(400, "BadRequest", "the namespace of the provided object does not match the namespace sent on the request")
                .absent(CM, "bi-other-ns")
                .absent("/api/v1/namespaces/kube-public/configmaps", "bi-other-ns"));
        cases.add(c("PUT with a body name different from the URL name")
                .given(CM, configMap("bi-put-url"))
                .send(Req.put(CM + "/bi-put-url", JSON_TYPE, configMap("bi-put-body")))
                .expect(400, "BadRequest", "the name of the object (bi-put-body) does not match the name on the URL (bi-put-url)")
                .unchanged(CM + "/bi-put-url")
                .absent(CM, "bi-put-body"));

        // ---- names ----------------------------------------------------------------------------------
        cases.add(c("uppercase name")
                .send(Req.post(CM, JSON_TYPE, configMap("Bi-Upper")))
                .invalid("ConfigMap \"Bi-Upper\" is invalid: metadata.name: Invalid value: \"Bi-Upper\": a lowercase RFC 1123 subdomain",
                        "metadata.name")
                .absent(CM, "Bi-Upper"));
        String longName = "bi-" + "x".repeat(251);
        cases.add(c("name longer than 253 characters")
                .send(Req.post(CM, JSON_TYPE, configMap(longName)))
                .invalid("must be no more than 253 characters", "metadata.name")
                .absent(CM, longName));
        cases.add(c("name '..'")
                .send(Req.post(CM, JSON_TYPE, configMap("..")))
                .invalid("metadata.name: Invalid value: \"..\"", "metadata.name")
                .absent(CM, ".."));
        cases.add(c("name with a trailing dash")
                .send(Req.post(CM, JSON_TYPE, configMap("bi-trailing-")))
                .invalid("metadata.name: Invalid value: \"bi-trailing-\"", "metadata.name")
                .absent(CM, "bi-trailing-"));
        cases.add(c("Service name starting with a digit")
                .send(Req.post(SVC, JSON_TYPE, service("1bi-svc")))
                .invalid("Service \"1bi-svc\" is invalid: metadata.name: Invalid value: \"1bi-svc\": a DNS-1035 label", "metadata.name")
                .absent(SVC, "1bi-svc"));
        cases.add(c("Namespace name with a dot")
                .send(Req.post(NAMESPACES, JSON_TYPE, namespace("bi.dot")))
                .invalid("Namespace \"bi.dot\" is invalid: metadata.name: Invalid value: \"bi.dot\": must not contain dots", "metadata.name")
                .absent(NAMESPACES, "bi.dot"));
        String longNs = "bi-" + "n".repeat(61);
        cases.add(c("Namespace name longer than 63 characters")
                .send(Req.post(NAMESPACES, JSON_TYPE, namespace(longNs)))
                .invalid("must be no more than 63 characters", "metadata.name")
                .absent(NAMESPACES, longNs));
        cases.add(c("neither name nor generateName")
                .send(Req.post(CM, JSON_TYPE, with(configMap("x"), o -> meta(o).remove("name"))))
                .invalid("metadata.name: Required value: name or generateName is required", "metadata.name")
                .nothingToStore("no name to look for; every other create in this table is checked"));
        cases.add(c("invalid generateName")
                .send(Req.post(CM, JSON_TYPE, with(configMap("x"), o -> {
                    meta(o).remove("name");
                    meta(o).put("generateName", "Bi-Gen-");
                    meta(o).putObject("labels").put("bi-case", "generate-name");
                })))
                .invalid("metadata.generateName: Invalid value: \"Bi-Gen-\"", "metadata.generateName")
                .absentLabelled(CM, "bi-case=generate-name"));

        // ---- sizes and media types ------------------------------------------------------------------
        cases.add(c("body over 3 MiB")
                .send(Req.post(CM, JSON_TYPE, with(configMap("bi-huge"), o -> o.putObject("data").put("big", "x".repeat(3 * 1024 * 1024 + 100)))))
                .expect(413, "RequestEntityTooLarge", "limit is 3145728")
                .absent(CM, "bi-huge"));
        cases.add(c("ConfigMap data over 1 MiB (cause on the whole object, as Kubernetes)")
                .send(Req.post(CM, JSON_TYPE, with(configMap("bi-big-data"), o -> o.putObject("data").put("big", "x".repeat(1024 * 1024 + 1)))))
                .invalid("Too long", "")
                .absent(CM, "bi-big-data"));
        cases.add(c("POST with Content-Type text/plain")
                .send(Req.post(CM, "text/plain", configMap("bi-text-plain")))
                .expect(415, "UnsupportedMediaType", "application/json")
                .absent(CM, "bi-text-plain"));
        cases.add(c("POST with Content-Type application/xml")
                .send(Req.post(CM, "application/xml", "<ConfigMap><metadata><name>bi-xml</name></metadata></ConfigMap>"))
                .expect(415, "UnsupportedMediaType", "application/yaml")
                .absent(CM, "bi-xml"));
        cases.add(c("PATCH with Content-Type text/plain")
                .given(CM, configMap("bi-patch-text"))
                .send(Req.patch(CM + "/bi-patch-text", "text/plain", "{\"data\":{\"k\":\"changed\"}}"))
                .expect(415, "UnsupportedMediaType", "application/merge-patch+json")
                .unchanged(CM + "/bi-patch-text"));
        cases.add(c("PATCH with Content-Type application/xml")
                .given(CM, configMap("bi-patch-xml"))
                .send(Req.patch(CM + "/bi-patch-xml", "application/xml", "<data><k>changed</k></data>"))
                .expect(415, "UnsupportedMediaType", "application/json-patch+json")
                .unchanged(CM + "/bi-patch-xml"));
        cases.add(c("PATCH with Content-Type application/json (not a patch type)")
                .given(CM, configMap("bi-patch-plain-json"))
                .send(Req.patch(CM + "/bi-patch-plain-json", JSON_TYPE, "{\"data\":{\"k\":\"changed\"}}"))
                .expect(415, "UnsupportedMediaType", "application/strategic-merge-patch+json")
                .unchanged(CM + "/bi-patch-plain-json"));
        cases.add(c("Accept application/xml")
                .given(CM, configMap("bi-accept-xml"))
                .send(Req.get(CM + "/bi-accept-xml").header("Accept", "application/xml"))
                .expect(406, "NotAcceptable", "only the following media types are accepted: application/json, application/yaml")
                .unchanged(CM + "/bi-accept-xml"));

        // ---- unknown fields and wrong types -----------------------------------------------------------
        cases.add(c("unknown field with fieldValidation=Strict")
                .send(Req.post(CM + "?fieldValidation=Strict", JSON_TYPE, with(configMap("bi-strict"), o -> o.putObject("datta").put("k", "v"))))
                .expect(400, "BadRequest", "strict decoding error: unknown field \"datta\"")
                .absent(CM, "bi-strict"));
        cases.add(c("nested unknown field with fieldValidation=Strict")
                .send(Req.post(DEPLOY + "?fieldValidation=Strict", JSON_TYPE, with(deployment("bi-strict-nested"),
                        o -> container(o, 0).put("imagePullPolcy", "Always"))))
                .expect(400, "BadRequest", "unknown field \"spec.template.spec.containers[0].imagePullPolcy\"")
                .absent(DEPLOY, "bi-strict-nested"));
        cases.add(c("unknown field with fieldValidation=Warn: created, with a Warning header")
                .send(Req.post(CM + "?fieldValidation=Warn", JSON_TYPE, with(configMap("bi-warn"), o -> o.putObject("datta").put("k", "v"))))
                .expectCreated(r -> assertThat(r.headers().allValues("Warning"))
                        .anySatisfy(w -> assertThat(w).startsWith("299 ").contains("unknown field \\\"datta\\\"")))
                .stored(CM + "/bi-warn", o -> {
                    assertThat(o.has("datta")).as("the unknown field is dropped").isFalse();
                    assertThat(o.at("/data/k").asString()).isEqualTo("v");
                }));
        cases.add(c("duplicate field with fieldValidation=Strict")
                .send(Req.post(CM + "?fieldValidation=Strict", JSON_TYPE,
                        "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"bi-dup-field\"},\"data\":{\"k\":\"a\"},\"data\":{\"k\":\"b\"}}"))
                .expect(400, "BadRequest", "ConfigMap in version \"v1\" cannot be handled as a ConfigMap: strict decoding error: duplicate field \"data\"")
                .absent(CM, "bi-dup-field"));
        cases.add(c("duplicate nested field in YAML with fieldValidation=Strict")
                .send(Req.post(CM + "?fieldValidation=Strict", YAML_TYPE,
                        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bi-dup-yaml\n  name: bi-dup-yaml-2\ndata:\n  k: v\n"))
                .expect(400, "BadRequest", "strict decoding error: yaml: unmarshal errors:\n  line 5: key \"name\" already set in map")
                .absent(CM, "bi-dup-yaml")
                .absent(CM, "bi-dup-yaml-2"));
        cases.add(c("resourceVersion set on create (Kubernetes: 500 from its storage layer; Coracle: 400)")
                .send(Req.post(CM, JSON_TYPE, with(configMap("bi-create-rv"), o -> meta(o).put("resourceVersion", "5"))))
                .expect(400, "BadRequest", "resourceVersion should not be set on objects to be created")
                .absent(CM, "bi-create-rv"));
        cases.add(c("invalid quantity: a decode error naming the quantity")
                .send(Req.post(PODS, JSON_TYPE, with(pod("bi-quantity"),
                        o -> ((ObjectNode) o.at("/spec/containers/0")).putObject("resources").putObject("limits").put("cpu", "lots"))))
                .expect(400, "BadRequest", "Pod in version \"v1\" cannot be handled as a Pod:",
                        "spec.containers[0].resources.limits[cpu]: \"lots\"",
                        "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")
                .absent(PODS, "bi-quantity"));
        cases.add(c("empty quantity: a decode error")
                .send(Req.post(PODS, JSON_TYPE, with(pod("bi-quantity-empty"),
                        o -> ((ObjectNode) o.at("/spec/containers/0")).putObject("resources").putObject("requests").put("memory", ""))))
                .expect(400, "BadRequest", "spec.containers[0].resources.requests.memory",
                        "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")
                .absent(PODS, "bi-quantity-empty"));
        cases.add(c("quantity with an unknown suffix: a decode error naming it")
                .send(Req.post(PODS, JSON_TYPE, with(pod("bi-quantity-suffix"),
                        o -> ((ObjectNode) o.at("/spec/containers/0")).putObject("resources").putObject("requests").put("memory", "12Mb"))))
                .expect(400, "BadRequest", "spec.containers[0].resources.requests[memory]: \"12Mb\"")
                .absent(PODS, "bi-quantity-suffix"));
        cases.add(c("unsupported fieldValidation value")
                .send(Req.post(CM + "?fieldValidation=Sometimes", JSON_TYPE, configMap("bi-fv-value")))
                .invalid("CreateOptions.meta.k8s.io \"\" is invalid: fieldValidation: Unsupported value: \"Sometimes\"", "fieldValidation")
                .absent(CM, "bi-fv-value"));
        cases.add(c("wrong field type (replicas: \"two\")")
                .send(Req.post(DEPLOY, JSON_TYPE, with(deployment("bi-replicas-two"), o -> spec(o).put("replicas", "two"))))
                .expect(400, "BadRequest", "spec.replicas")
                .absent(DEPLOY, "bi-replicas-two"));
        cases.add(c("wrong field type (metadata is a string)")
                .send(Req.post(CM, JSON_TYPE, "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":\"bi-meta-string\"}"))
                .expect(400, "BadRequest", "metadata")
                .absent(CM, "bi-meta-string"));
        cases.add(c("wrong field type (containers is an object)")
                .send(Req.post(PODS, JSON_TYPE, with(pod("bi-containers-object"), o -> {
                    ObjectNode one = (ObjectNode) o.at("/spec/containers/0");
                    spec(o).set("containers", one);
                })))
                .expect(400, "BadRequest", "spec.containers")
                .absent(PODS, "bi-containers-object"));
        cases.add(c("ConfigMap data value that is a number")
                .send(Req.post(CM, JSON_TYPE, with(configMap("bi-cm-number"), o -> o.putObject("data").put("k", 5))))
                .expect(400, "BadRequest", "data.k", "json: cannot unmarshal number into Go value of type string")
                .absent(CM, "bi-cm-number"));
        cases.add(c("label value that is a number")
                .send(Req.post(CM, JSON_TYPE, with(configMap("bi-label-number"), o -> meta(o).putObject("labels").put("version", 2))))
                .expect(400, "BadRequest", "metadata.labels.version", "json: cannot unmarshal number into Go value of type string")
                .absent(CM, "bi-label-number"));
        cases.add(c("replicas as a numeric string (\"2\")")
                .send(Req.post(DEPLOY, JSON_TYPE, with(deployment("bi-replicas-string"), o -> spec(o).put("replicas", "2"))))
                .expect(400, "BadRequest", "spec.replicas", "json: cannot unmarshal string into Go value of type int32")
                .absent(DEPLOY, "bi-replicas-string"));
        cases.add(c("replicas as a fraction (1.5)")
                .send(Req.post(DEPLOY, JSON_TYPE, with(deployment("bi-replicas-fraction"), o -> spec(o).put("replicas", 1.5))))
                .expect(400, "BadRequest", "spec.replicas", "json: cannot unmarshal number into Go value of type int32")
                .absent(DEPLOY, "bi-replicas-fraction"));
        cases.add(c("Secret with data that is not base64")
                .send(Req.post(SECRETS, JSON_TYPE, with(secret("bi-secret-b64"), o -> o.putObject("data").put("password", "not base64!"))))
                .expect(400, "BadRequest", "data[password]", "illegal base64 data")
                .absent(SECRETS, "bi-secret-b64"));

        // ---- workload validation (422) ----------------------------------------------------------------
        cases.add(c("negative replicas on a Deployment")
                .send(Req.post(DEPLOY, JSON_TYPE, with(deployment("bi-negative"), o -> spec(o).put("replicas", -1))))
                .invalid("Deployment.apps \"bi-negative\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0",
                        "spec.replicas")
                .absent(DEPLOY, "bi-negative"));
        cases.add(c("negative replicas through PUT on the scale subresource")
                .given(DEPLOY, deployment("bi-scale-put"))
                .send(Req.put(DEPLOY + "/bi-scale-put/scale", JSON_TYPE,
                        "{\"apiVersion\":\"autoscaling/v1\",\"kind\":\"Scale\",\"metadata\":{\"name\":\"bi-scale-put\",\"namespace\":\"default\"},"
                                + "\"spec\":{\"replicas\":-1}}"))
                .invalid("Scale.autoscaling \"bi-scale-put\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0",
                        "spec.replicas")
                .unchanged(DEPLOY + "/bi-scale-put"));
        cases.add(c("negative replicas through PATCH on the scale subresource")
                .given(DEPLOY, deployment("bi-scale-patch"))
                .send(Req.patch(DEPLOY + "/bi-scale-patch/scale", MERGE, "{\"spec\":{\"replicas\":-3}}"))
                .invalid("spec.replicas: Invalid value: -3", "spec.replicas")
                .unchanged(DEPLOY + "/bi-scale-patch"));
        cases.add(c("Deployment selector does not match the template labels")
                .send(Req.post(DEPLOY, JSON_TYPE, with(deployment("bi-selector-mismatch"),
                        o -> ((ObjectNode) o.at("/spec/template/metadata/labels")).put("app", "something-else"))))
                .invalid("`selector` does not match template `labels`", "spec.template.metadata.labels")
                .absent(DEPLOY, "bi-selector-mismatch"));
        cases.add(c("Deployment without a selector")
                .send(Req.post(DEPLOY, JSON_TYPE, with(deployment("bi-no-selector"), o -> spec(o).remove("selector"))))
                .invalid("spec.selector: Required value", "spec.selector")
                .absent(DEPLOY, "bi-no-selector"));
        cases.add(c("Deployment template container without image")
                .send(Req.post(DEPLOY, JSON_TYPE, with(deployment("bi-deploy-no-image"), o -> container(o, 0).remove("image"))))
                .invalid("spec.template.spec.containers[0].image: Required value", "spec.template.spec.containers[0].image")
                .absent(DEPLOY, "bi-deploy-no-image"));
        cases.add(c("Deployment with two errors names both fields")
                .send(Req.post(DEPLOY, JSON_TYPE, with(deployment("bi-two-errors"), o -> {
                    spec(o).put("replicas", -2);
                    container(o, 0).remove("image");
                })))
                .invalid("is invalid: [", "spec.replicas", "spec.template.spec.containers[0].image")
                .absent(DEPLOY, "bi-two-errors"));
        cases.add(c("Pod without containers")
                .send(Req.post(PODS, JSON_TYPE, with(pod("bi-no-containers"), o -> spec(o).putArray("containers"))))
                .invalid("spec.containers: Required value", "spec.containers")
                .absent(PODS, "bi-no-containers"));
        cases.add(c("container without image")
                .send(Req.post(PODS, JSON_TYPE, with(pod("bi-no-image"), o -> ((ObjectNode) o.at("/spec/containers/0")).remove("image"))))
                .invalid("spec.containers[0].image: Required value", "spec.containers[0].image")
                .absent(PODS, "bi-no-image"));
        cases.add(c("duplicate container names")
                .send(Req.post(PODS, JSON_TYPE, with(pod("bi-dup-containers"), o -> {
                    ArrayNode containers = (ArrayNode) o.at("/spec/containers");
                    containers.add(containers.get(0).deepCopy());
                })))
                .invalid("spec.containers[1].name: Duplicate value: \"app\"", "spec.containers[1].name")
                .absent(PODS, "bi-dup-containers"));
        cases.add(c("container port out of range")
                .send(Req.post(PODS, JSON_TYPE, with(pod("bi-bad-port"),
                        o -> ((ObjectNode) o.at("/spec/containers/0")).putArray("ports").addObject().put("containerPort", 70000))))
                .invalid("spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive",
                        "spec.containers[0].ports[0].containerPort")
                .absent(PODS, "bi-bad-port"));
        cases.add(c("invalid restartPolicy")
                .send(Req.post(PODS, JSON_TYPE, with(pod("bi-restart"), o -> spec(o).put("restartPolicy", "Sometimes"))))
                .invalid("spec.restartPolicy: Unsupported value: \"Sometimes\"", "spec.restartPolicy")
                .absent(PODS, "bi-restart"));
        cases.add(c("invalid container name")
                .send(Req.post(PODS, JSON_TYPE, with(pod("bi-container-name"), o -> ((ObjectNode) o.at("/spec/containers/0")).put("name", "Web_1"))))
                .invalid("spec.containers[0].name: Invalid value: \"Web_1\"", "spec.containers[0].name")
                .absent(PODS, "bi-container-name"));
        cases.add(c("request above limit")
                .send(Req.post(PODS, JSON_TYPE, with(pod("bi-request-limit"), o -> {
                    ObjectNode resources = ((ObjectNode) o.at("/spec/containers/0")).putObject("resources");
                    resources.putObject("requests").put("cpu", "2");
                    resources.putObject("limits").put("cpu", "1");
                })))
                .invalid("must be less than or equal to cpu limit", "spec.containers[0].resources.requests")
                .absent(PODS, "bi-request-limit"));
        cases.add(c("invalid imagePullPolicy")
                .send(Req.post(PODS, JSON_TYPE, with(pod("bi-pull-policy"), o -> ((ObjectNode) o.at("/spec/containers/0")).put("imagePullPolicy", "Sometimes"))))
                .invalid("spec.containers[0].imagePullPolicy: Unsupported value: \"Sometimes\"", "spec.containers[0].imagePullPolicy")
                .absent(PODS, "bi-pull-policy"));
        cases.add(c("env var without a name")
                .send(Req.post(PODS, JSON_TYPE, with(pod("bi-env-name"),
                        o -> ((ObjectNode) o.at("/spec/containers/0")).putArray("env").addObject().put("value", "x"))))
                .invalid("spec.containers[0].env[0].name: Required value", "spec.containers[0].env[0].name")
                .absent(PODS, "bi-env-name"));
        cases.add(c("unknown Deployment strategy type")
                .send(Req.post(DEPLOY, JSON_TYPE, with(deployment("bi-strategy"), o -> spec(o).putObject("strategy").put("type", "Sideways"))))
                .invalid("spec.strategy: Unsupported value: apps.DeploymentStrategy{Type:\"Sideways\"", "spec.strategy")
                .absent(DEPLOY, "bi-strategy"));
        cases.add(c("Service with an invalid clusterIP")
                .send(Req.post(SVC, JSON_TYPE, with(service("bi-svc-bad-ip"), o -> spec(o).put("clusterIP", "300.1.1.1"))))
                .invalid("Invalid value: \"300.1.1.1\"", "spec.clusterIPs[0]")
                .absent(SVC, "bi-svc-bad-ip"));
        cases.add(c("Service without ports")
                .send(Req.post(SVC, JSON_TYPE, with(service("bi-svc-no-ports"), o -> spec(o).remove("ports"))))
                .invalid("spec.ports: Required value", "spec.ports")
                .absent(SVC, "bi-svc-no-ports"));
        cases.add(c("Service port 0")
                .send(Req.post(SVC, JSON_TYPE, with(service("bi-svc-port-zero"), o -> ((ObjectNode) o.at("/spec/ports/0")).put("port", 0))))
                .invalid("spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive", "spec.ports[0].port")
                .absent(SVC, "bi-svc-port-zero"));
        cases.add(c("Service of an unknown type")
                .send(Req.post(SVC, JSON_TYPE, with(service("bi-svc-type"), o -> spec(o).put("type", "Bogus"))))
                .invalid("spec.type: Unsupported value: \"Bogus\"", "spec.type")
                .absent(SVC, "bi-svc-type"));

        // ---- metadata validation -----------------------------------------------------------------------
        String longValue = "v".repeat(64);
        cases.add(c("label value longer than 63 characters")
                .send(Req.post(CM, JSON_TYPE, with(configMap("bi-label-long"), o -> meta(o).putObject("labels").put("app", longValue))))
                .invalid("metadata.labels: Invalid value: \"" + longValue + "\": must be no more than 63 characters", "metadata.labels")
                .absent(CM, "bi-label-long"));
        cases.add(c("invalid label key")
                .send(Req.post(CM, JSON_TYPE, with(configMap("bi-label-key"), o -> meta(o).putObject("labels").put("bad key!", "x"))))
                .invalid("metadata.labels: Invalid value: \"bad key!\"", "metadata.labels")
                .absent(CM, "bi-label-key"));
        cases.add(c("invalid annotation key")
                .send(Req.post(CM, JSON_TYPE, with(configMap("bi-annotation-key"), o -> meta(o).putObject("annotations").put("not valid/", "x"))))
                .invalid("metadata.annotations: Invalid value: \"not valid/\"", "metadata.annotations")
                .absent(CM, "bi-annotation-key"));
        cases.add(c("ownerReference without uid")
                .send(Req.post(CM, JSON_TYPE, with(configMap("bi-owner"), o -> meta(o).putArray("ownerReferences").addObject()
                        .put("apiVersion", "apps/v1").put("kind", "Deployment").put("name", "web"))))
                .invalid("metadata.ownerReferences.uid: Invalid value: \"\": must not be empty", "metadata.ownerReferences.uid")
                .absent(CM, "bi-owner"));
        cases.add(c("finalizer that is neither standard nor qualified")
                .send(Req.post(CM, JSON_TYPE, with(configMap("bi-finalizer"), o -> meta(o).putArray("finalizers").add("hold"))))
                .invalid("metadata.finalizers[0]: Invalid value: \"hold\": name is neither a standard finalizer name nor is it fully qualified",
                        "metadata.finalizers[0]")
                .absent(CM, "bi-finalizer"));
        cases.add(c("ConfigMap with an invalid key")
                .send(Req.post(CM, JSON_TYPE, with(configMap("bi-cm-key"), o -> o.putObject("data").put("bad key", "v"))))
                .invalid("data[bad key]: Invalid value: \"bad key\": a valid config key must consist of alphanumeric characters",
                        "data[bad key]")
                .absent(CM, "bi-cm-key"));
        cases.add(c("ConfigMap key in both data and binaryData")
                .send(Req.post(CM, JSON_TYPE, with(configMap("bi-cm-dup-key"), o -> o.putObject("binaryData").put("k", "dg=="))))
                .invalid("duplicate of key present in binaryData", "data[k]")
                .absent(CM, "bi-cm-dup-key"));
        cases.add(c("Secret with an invalid key")
                .send(Req.post(SECRETS, JSON_TYPE, with(secret("bi-secret-key"), o -> o.putObject("data").put("bad/key", "dg=="))))
                .invalid("data[bad/key]: Invalid value: \"bad/key\"", "data[bad/key]")
                .absent(SECRETS, "bi-secret-key"));

        // ---- immutable fields --------------------------------------------------------------------------
        cases.add(c("changing a Service's clusterIP")
                .given(SVC, with(service("bi-svc-ip"), o -> spec(o).put("clusterIP", "10.43.200.10")))
                .send(Req.patch(SVC + "/bi-svc-ip", MERGE, "{\"spec\":{\"clusterIP\":\"10.43.200.11\",\"clusterIPs\":[\"10.43.200.11\"]}}"))
                .invalid("spec.clusterIPs[0]: Invalid value: []string{\"10.43.200.11\"}: may not change once set", "spec.clusterIPs[0]")
                .unchanged(SVC + "/bi-svc-ip"));
        cases.add(c("changing a Deployment's selector")
                .given(DEPLOY, deployment("bi-selector-change"))
                .send(Req.patch(DEPLOY + "/bi-selector-change", MERGE,
                        "{\"spec\":{\"selector\":{\"matchLabels\":{\"app\":\"moved\"}},\"template\":{\"metadata\":{\"labels\":{\"app\":\"moved\"}}}}}"))
                .invalid("spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"moved\"}", "spec.selector")
                .unchanged(DEPLOY + "/bi-selector-change"));
        cases.add(c("changing an immutable ConfigMap's data")
                .given(CM, with(configMap("bi-cm-immutable"), o -> o.put("immutable", true)))
                .send(Req.patch(CM + "/bi-cm-immutable", MERGE, "{\"data\":{\"k\":\"changed\"}}"))
                .invalid("data: Forbidden: field is immutable when `immutable` is set", "data")
                .unchanged(CM + "/bi-cm-immutable"));
        cases.add(c("changing a Secret's type")
                .given(SECRETS, secret("bi-secret-type"))
                .send(Req.patch(SECRETS + "/bi-secret-type", MERGE, "{\"type\":\"example.com/other\"}"))
                .invalid("type: Invalid value: \"example.com/other\": field is immutable", "type")
                .unchanged(SECRETS + "/bi-secret-type"));

        // ---- conflicts ---------------------------------------------------------------------------------
        cases.add(c("creating an object that exists")
                .given(CM, configMap("bi-exists"))
                .send(Req.post(CM, JSON_TYPE, with(configMap("bi-exists"), o -> o.putObject("data").put("k", "second"))))
                .expect(409, "AlreadyExists", "configmaps \"bi-exists\" already exists")
                .details("bi-exists", "configmaps")
                .unchanged(CM + "/bi-exists"));
        cases.add(c("update with a stale resourceVersion")
                .given(CM, configMap("bi-stale"))
                .send(Req.put(CM + "/bi-stale", JSON_TYPE, with(configMap("bi-stale"), o -> {
                    meta(o).put("resourceVersion", "1");
                    o.putObject("data").put("k", "lost");
                })))
                .expect(409, "Conflict", "Operation cannot be fulfilled on configmaps \"bi-stale\": the object has been modified")
                .details("bi-stale", "configmaps")
                .unchanged(CM + "/bi-stale"));
        cases.add(c("delete with a failed uid precondition")
                .given(CM, configMap("bi-uid"))
                .send(Req.delete(CM + "/bi-uid", "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\","
                        + "\"preconditions\":{\"uid\":\"00000000-0000-0000-0000-000000000000\"}}"))
                .expect(409, "Conflict", "Precondition failed: UID in precondition: 00000000-0000-0000-0000-000000000000")
                .unchanged(CM + "/bi-uid"));
        cases.add(c("delete with a failed resourceVersion precondition")
                .given(CM, configMap("bi-rv-precondition"))
                .send(Req.delete(CM + "/bi-rv-precondition", "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\","
                        + "\"preconditions\":{\"resourceVersion\":\"1\"}}"))
                .expect(409, "Conflict", "Precondition failed: ResourceVersion in precondition: 1")
                .unchanged(CM + "/bi-rv-precondition"));

        // ---- not found, forbidden ----------------------------------------------------------------------
        cases.add(c("get of a missing object")
                .send(Req.get(CM + "/bi-missing"))
                .expect(404, "NotFound", "configmaps \"bi-missing\" not found")
                .details("bi-missing", "configmaps")
                .nothingToStore("a read"));
        cases.add(c("delete of a missing object")
                .send(Req.delete(CM + "/bi-missing-delete", null))
                .expect(404, "NotFound", "configmaps \"bi-missing-delete\" not found")
                .details("bi-missing-delete", "configmaps")
                .absent(CM, "bi-missing-delete"));
        cases.add(c("patch of a missing object")
                .send(Req.patch(CM + "/bi-missing-patch", MERGE, "{\"data\":{\"k\":\"v\"}}"))
                .expect(404, "NotFound", "configmaps \"bi-missing-patch\" not found")
                .absent(CM, "bi-missing-patch"));
        cases.add(c("PUT of a missing ConfigMap (no create on update)")
                .send(Req.put(CM + "/bi-missing-put", JSON_TYPE, configMap("bi-missing-put")))
                .expect(404, "NotFound", "configmaps \"bi-missing-put\" not found")
                .absent(CM, "bi-missing-put"));
        cases.add(c("get of a missing Deployment names its group")
                .send(Req.get(DEPLOY + "/bi-missing-deploy"))
                .expect(404, "NotFound", "deployments.apps \"bi-missing-deploy\" not found")
                .details("bi-missing-deploy", "deployments")
                .nothingToStore("a read"));
        cases.add(c("create in a missing namespace")
                .send(Req.post("/api/v1/namespaces/bi-nowhere/configmaps", JSON_TYPE, configMap("bi-in-nowhere")))
                .expect(404, "NotFound", "namespaces \"bi-nowhere\" not found")
                .absent("/api/v1/namespaces/bi-nowhere/configmaps", "bi-in-nowhere")
                .absent(NAMESPACES, "bi-nowhere"));
        cases.add(c("create in a terminating namespace")
                .given(NAMESPACES, namespace("bi-terminating"))
                .given("/api/v1/namespaces/bi-terminating/configmaps",
                        with(configMap("bi-holder"), o -> meta(o).putArray("finalizers").add("example.com/hold")))
                .givenDeleted(NAMESPACES + "/bi-terminating")
                .send(Req.post("/api/v1/namespaces/bi-terminating/configmaps", JSON_TYPE, configMap("bi-late")))
                .expect(403, "Forbidden", "unable to create new content in namespace bi-terminating because it is being terminated")
                .absent("/api/v1/namespaces/bi-terminating/configmaps", "bi-late"));
        cases.add(c("deleting the default namespace")
                .send(Req.delete(NAMESPACES + "/default", null))
                .expect(403, "Forbidden", "namespaces \"default\" is forbidden: this namespace may not be deleted")
                .stored(NAMESPACES + "/default", o -> assertThat(o.at("/metadata/deletionTimestamp").isMissingNode()).isTrue()));
        cases.add(c("deleting the kube-system namespace")
                .send(Req.delete(NAMESPACES + "/kube-system", null))
                .expect(403, "Forbidden", "namespaces \"kube-system\" is forbidden: this namespace may not be deleted")
                .stored(NAMESPACES + "/kube-system", o -> assertThat(o.at("/metadata/deletionTimestamp").isMissingNode()).isTrue()));

        // ---- list and watch parameters -----------------------------------------------------------------
        cases.add(c("invalid labelSelector 'a in ('")
                .send(Req.get(PODS + "?labelSelector=" + url("a in (")))
                .expect(400, "BadRequest", "a in (")
                .nothingToStore("a read"));
        cases.add(c("labelSelector with an invalid value")
                .send(Req.get(PODS + "?labelSelector=" + url("app=bad value!")))
                .expect(400, "BadRequest", "bad value!")
                .nothingToStore("a read"));
        cases.add(c("unsupported fieldSelector field")
                .send(Req.get(PODS + "?fieldSelector=" + url("spec.bogus=x")))
                .expect(400, "BadRequest", "field label not supported: spec.bogus")
                .nothingToStore("a read"));
        cases.add(c("unparsable fieldSelector")
                .send(Req.get(PODS + "?fieldSelector=" + url("metadata.name")))
                .expect(400, "BadRequest", "metadata.name")
                .nothingToStore("a read"));
        cases.add(c("limit that is not a number")
                .send(Req.get(CM + "?limit=ten"))
                .expect(400, "BadRequest", "ten")
                .nothingToStore("a read"));
        cases.add(c("continue token that is not one")
                .send(Req.get(CM + "?limit=1&continue=" + url("not-a-token!")))
                .expect(400, "BadRequest", "continue")
                .nothingToStore("a read"));
        cases.add(c("resourceVersionMatch without a resourceVersion")
                .send(Req.get(CM + "?resourceVersionMatch=NotOlderThan"))
                .invalid("ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided",
                        "resourceVersionMatch")
                .nothingToStore("a read"));
        cases.add(c("watch with a timeoutSeconds that is not a number")
                .send(Req.get(CM + "?watch=1&timeoutSeconds=soon"))
                .expect(400, "BadRequest", "soon")
                .nothingToStore("a read"));
        cases.add(c("watch with an invalid resourceVersion (Kubernetes: 500, kubernetes#139485; Coracle: 400)")
                .send(Req.get(CM + "?watch=1&resourceVersion=abc"))
                .expect(400, "BadRequest", "abc")
                .nothingToStore("a read"));
        cases.add(c("watch resumed from a compacted revision: 410 Expired as an ERROR event")
                .setUp(BadInputTest::compactPastRevisionOne)
                .send(Req.get(CM + "?watch=1&resourceVersion=1&timeoutSeconds=2"))
                .expectWatchError(410, "Expired", "too old resource version: 1")
                .nothingToStore("a read"));

        // ---- patches -----------------------------------------------------------------------------------
        cases.add(c("JSON patch with a failing test op")
                .given(CM, configMap("bi-jp-test"))
                .send(Req.patch(CM + "/bi-jp-test", JSON_PATCH,
                        "[{\"op\":\"test\",\"path\":\"/data/k\",\"value\":\"other\"},{\"op\":\"replace\",\"path\":\"/data/k\",\"value\":\"changed\"}]"))
                .expect(422, "Invalid", "the server rejected our request due to an error in our request")
                .causeMessage("/data/k")
                .unchanged(CM + "/bi-jp-test"));
        cases.add(c("JSON patch that is not an array")
                .given(CM, configMap("bi-jp-object"))
                .send(Req.patch(CM + "/bi-jp-object", JSON_PATCH, "{\"op\":\"replace\",\"path\":\"/data/k\",\"value\":\"changed\"}"))
                .expect(400, "BadRequest", "cannot unmarshal object into Go value of type jsonpatch.Patch")
                .unchanged(CM + "/bi-jp-object"));
        cases.add(c("JSON patch removing a missing path")
                .given(CM, configMap("bi-jp-remove"))
                .send(Req.patch(CM + "/bi-jp-remove", JSON_PATCH, "[{\"op\":\"remove\",\"path\":\"/data/nothing\"}]"))
                .expect(422, "Invalid", "the server rejected our request due to an error in our request")
                .causeMessage("/data/nothing")
                .unchanged(CM + "/bi-jp-remove"));
        cases.add(c("JSON patch with more than 10000 operations")
                .given(CM, configMap("bi-jp-many"))
                .send(Req.patch(CM + "/bi-jp-many", JSON_PATCH,
                        "[" + String.join(",", java.util.Collections.nCopies(10001, "{\"op\":\"test\",\"path\":\"/data/k\",\"value\":\"v\"}")) + "]"))
                .expect(413, "RequestEntityTooLarge", "The allowed maximum operations in a JSON patch is 10000")
                .unchanged(CM + "/bi-jp-many"));
        cases.add(c("strategic merge patch with an unknown $patch directive (Kubernetes: 500)")
                .given(DEPLOY, deployment("bi-smp-directive"))
                .send(Req.patch(DEPLOY + "/bi-smp-directive", STRATEGIC, "{\"spec\":{\"template\":{\"spec\":{\"$patch\":\"frobnicate\"}}}}"))
                .expect(400, "BadRequest", "frobnicate")
                .unchanged(DEPLOY + "/bi-smp-directive"));
        cases.add(c("strategic merge patch that is an array")
                .given(DEPLOY, deployment("bi-smp-array"))
                .send(Req.patch(DEPLOY + "/bi-smp-array", STRATEGIC, "[{\"spec\":{\"replicas\":3}}]"))
                .expect(400, "BadRequest", "array")
                .unchanged(DEPLOY + "/bi-smp-array"));
        cases.add(c("merge patch with malformed JSON")
                .given(CM, configMap("bi-merge-malformed"))
                .send(Req.patch(CM + "/bi-merge-malformed", MERGE, "{\"data\":{\"k\":"))
                .expect(400, "BadRequest")
                .unchanged(CM + "/bi-merge-malformed"));
        cases.add(c("apply patch without fieldManager")
                .given(CM, configMap("bi-apply-manager"))
                .send(Req.patch(CM + "/bi-apply-manager", APPLY, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bi-apply-manager\ndata:\n  k: changed\n"))
                .invalid("PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch", "fieldManager")
                .unchanged(CM + "/bi-apply-manager"));
        cases.add(c("apply creating an object whose configuration names a uid")
                .send(Req.patch(CM + "/bi-apply-uid?fieldManager=test", APPLY, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n"
                        + "  name: bi-apply-uid\n  uid: 6f1c0000-0000-0000-0000-000000000000\ndata:\n  k: v\n"))
                .expect(409, "Conflict", "Operation cannot be fulfilled on configmaps \"bi-apply-uid\": uid mismatch: the provided "
                        + "object specified uid 6f1c0000-0000-0000-0000-000000000000, and no existing object was found")
                .absent(CM, "bi-apply-uid"));
        cases.add(c("force on a non-apply patch")
                .given(CM, configMap("bi-merge-force"))
                .send(Req.patch(CM + "/bi-merge-force?force=true", MERGE, "{\"data\":{\"k\":\"changed\"}}"))
                .invalid("force: Forbidden: may not be specified for non-apply patch", "force")
                .unchanged(CM + "/bi-merge-force"));

        // ---- options -----------------------------------------------------------------------------------
        // Kubernetes validates the options before the body: 422 on CreateOptions, not a 400
        cases.add(c("dryRun=Foo on create")
                .send(Req.post(CM + "?dryRun=Foo", JSON_TYPE, configMap("bi-dryrun")))
                .invalid("CreateOptions.meta.k8s.io \"\" is invalid: dryRun: Unsupported value: []string{\"Foo\"}: supported values: \"All\"",
                        "dryRun")
                .absent(CM, "bi-dryrun"));
        cases.add(c("dryRun=Foo on update")
                .given(CM, configMap("bi-dryrun-update"))
                .send(Req.put(CM + "/bi-dryrun-update?dryRun=Foo", JSON_TYPE, with(configMap("bi-dryrun-update"), o -> o.putObject("data").put("k", "changed"))))
                .invalid("UpdateOptions.meta.k8s.io \"\" is invalid: dryRun: Unsupported value", "dryRun")
                .unchanged(CM + "/bi-dryrun-update"));
        cases.add(c("dryRun=Foo on delete")
                .given(CM, configMap("bi-dryrun-delete"))
                .send(Req.delete(CM + "/bi-dryrun-delete?dryRun=Foo", null))
                .invalid("DeleteOptions.meta.k8s.io \"\" is invalid: dryRun: Unsupported value", "dryRun")
                .unchanged(CM + "/bi-dryrun-delete"));
        cases.add(c("unsupported propagationPolicy")
                .given(CM, configMap("bi-propagation"))
                .send(Req.delete(CM + "/bi-propagation", "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"propagationPolicy\":\"Sideways\"}"))
                .invalid("DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Unsupported value: \"Sideways\"", "propagationPolicy")
                .unchanged(CM + "/bi-propagation"));

        // ---- authentication and methods ----------------------------------------------------------------
        cases.add(c("request without a token")
                .send(Req.post(CM, JSON_TYPE, configMap("bi-no-token")).token(null))
                .expect(401, "Unauthorized", "Unauthorized")
                .absent(CM, "bi-no-token"));
        cases.add(c("request with a wrong token")
                .send(Req.post(CM, JSON_TYPE, configMap("bi-wrong-token")).token("not-the-token"))
                .expect(401, "Unauthorized", "Unauthorized")
                .absent(CM, "bi-wrong-token"));
        cases.add(c("request with Basic credentials instead of a bearer token")
                .send(Req.get(CM).token(null).header("Authorization", "Basic YWRtaW46YWRtaW4="))
                .expect(401, "Unauthorized", "Unauthorized")
                .nothingToStore("a read"));
        cases.add(c("POST on an item path")
                .send(Req.post(CM + "/bi-post-item", JSON_TYPE, configMap("bi-post-item")))
                .expect(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")
                .absent(CM, "bi-post-item"));
        cases.add(c("PATCH on a collection path")
                .send(Req.patch(CM, MERGE, "{\"data\":{\"k\":\"v\"}}"))
                .expect(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")
                .nothingToStore("a collection patch names nothing"));
        cases.add(c("DELETE on the status subresource")
                .given(DEPLOY, deployment("bi-delete-status"))
                .send(Req.delete(DEPLOY + "/bi-delete-status/status", null))
                .expect(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")
                .unchanged(DEPLOY + "/bi-delete-status"));
        cases.add(c("PUT on a collection path")
                .send(Req.put(CM, JSON_TYPE, configMap("bi-put-collection")))
                .expect(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")
                .absent(CM, "bi-put-collection"));

        cases.add(// Kubernetes: namespaces have no deletecollection verb, so DELETE on the collection is a 405 and nothing is marked.
                c("DELETE on the namespaces collection")
                        .given(NAMESPACES, namespace("bi-survivor"))
                        .send(Req.delete(NAMESPACES, null))
                        .expect(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")
                        .stored(NAMESPACES + "/bi-survivor", o -> assertThat(o.at("/metadata/deletionTimestamp").isMissingNode()).isTrue()));

        return cases.stream().map(CaseBuilder::build);
    }

    /**
     * Cases where Coracle does not yet answer as Kubernetes does and the fix is not small: kept here,
     * asserting Kubernetes' answer, not run (a parameterized table cannot disable single rows).
     */
    static Stream<Case> knownGaps() {
        // none at present: each gap closed became a case of the table
        return Stream.<CaseBuilder>of().map(CaseBuilder::build);
    }

    // =============================================================================================
    // running a case
    // =============================================================================================

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void answersLikeKubernetesAndStoresNothing(Case c) {
        c.setUp().forEach(Runnable::run);
        Map<String, String> before = new LinkedHashMap<>();
        for (Check check : c.checks()) {
            if (check instanceof Check.Unchanged u) {
                before.put(u.path(), read(u.path()));
            }
        }

        HttpResponse<String> response = send(c.request());

        assertThat(response.statusCode()).as("%s: never a 500 (body: %s)", c.name(), response.body()).isLessThan(500);
        assertThat(response.statusCode()).as("%s: HTTP code (body: %s)", c.name(), response.body()).isEqualTo(c.code());
        c.expectation().accept(response);

        assertThat(c.checks()).as("every case says what must not have been stored").isNotEmpty();
        for (Check check : c.checks()) {
            if (check instanceof Check.Absent a) {
                assertThat(names(a.collection(), null)).as("%s: nothing stored", c.name()).doesNotContain(a.name());
            } else if (check instanceof Check.AbsentLabelled a) {
                assertThat(names(a.collection(), a.selector())).as("%s: nothing stored", c.name()).isEmpty();
            } else if (check instanceof Check.Unchanged u) {
                assertThat(read(u.path())).as("%s: %s unchanged", c.name(), u.path()).isEqualTo(before.get(u.path()));
            } else if (check instanceof Check.Stored s) {
                s.assertion().accept(parse(read(s.path())));
            }
        }
    }

    @Test
    void valuesKubernetesTakesInEitherFormStillDecode() {
        ObjectNode pod = with(pod("bi-ok-pod"), o -> {
            ObjectNode container = (ObjectNode) o.at("/spec/containers/0");
            ObjectNode resources = container.putObject("resources");
            resources.putObject("limits").put("cpu", 1).put("memory", "64Mi");
            resources.putObject("requests").put("cpu", 0.5);
            container.putArray("ports").addObject().put("containerPort", 80).put("name", "http");
            spec(o).put("terminationGracePeriodSeconds", 30);
        });
        ObjectNode service = with(service("bi-ok-svc"), o -> {
            ArrayNode ports = spec(o).putArray("ports");
            ports.addObject().put("name", "a").put("port", 80).put("targetPort", 8080);
            ports.addObject().put("name", "b").put("port", 81).put("targetPort", "http");
        });
        ObjectNode deployment = with(deployment("bi-ok-deploy"), o -> spec(o).putObject("strategy").put("type", "RollingUpdate")
                .putObject("rollingUpdate").put("maxSurge", 1).put("maxUnavailable", "25%"));
        ObjectNode configMap = with(configMap("bi-ok-cm"), o -> o.putObject("data").put("k", "5"));
        for (Map.Entry<String, ObjectNode> e : Map.of(PODS, pod, SVC, service, DEPLOY, deployment, CM, configMap).entrySet()) {
            HttpResponse<String> r = send(Req.post(e.getKey(), JSON_TYPE, e.getValue()));
            assertThat(r.statusCode()).as("create in %s: %s", e.getKey(), r.body()).isEqualTo(201);
        }
        assertThat(parse(read(PODS + "/bi-ok-pod")).at("/spec/containers/0/resources/limits/cpu").asString()).isEqualTo("1");
        assertThat(parse(read(SVC + "/bi-ok-svc")).at("/spec/ports/0/targetPort").asInt()).isEqualTo(8080);
    }

    @Test
    void theTableIsLargeAndItsNamesAreUnique() {
        List<String> names = cases().map(Case::name).toList();
        assertThat(names).hasSizeGreaterThanOrEqualTo(60).doesNotHaveDuplicates();
        assertThat(knownGaps().map(Case::name)).doesNotContainAnyElementsOf(names);
    }

    /** A Status body as kube-apiserver writes it: kind Status, status Failure, the reason, the code, the message. */
    private static JsonNode assertStatus(String body, int code, String reason, String... messageParts) {
        JsonNode status = parse(body);
        assertThat(status.path("kind").asString()).as("kind of %s", body).isEqualTo("Status");
        assertThat(status.path("apiVersion").asString()).as("apiVersion of %s", body).isEqualTo("v1");
        assertThat(status.path("status").asString()).as("status of %s", body).isEqualTo("Failure");
        assertThat(status.path("code").asInt()).as("code in %s", body).isEqualTo(code);
        assertThat(status.path("reason").asString()).as("reason in %s", body).isEqualTo(reason);
        String message = status.path("message").asString();
        assertThat(message).as("message of %s", body).isNotBlank();
        for (String part : messageParts) {
            assertThat(message).as("message of %s", body).contains(part);
        }
        return status;
    }

    /** Enough writes that revision 1 is neither in the (5-event) watch cache nor in the (5-revision) log. */
    private static void compactPastRevisionOne() {
        assertThat(send(Req.post(CM, JSON_TYPE, configMap("bi-churn"))).statusCode()).isEqualTo(201);
        for (int i = 0; i < 8; i++) {
            assertThat(send(Req.patch(CM + "/bi-churn", MERGE, "{\"data\":{\"n\":\"" + i + "\"}}")).statusCode()).isEqualTo(200);
        }
        ObjectStore store = server.bean(ObjectStore.class);
        await().atMost(Duration.ofSeconds(20)).until(() -> store.counter().compactedRevision() > 2);
    }

    // =============================================================================================
    // the case model
    // =============================================================================================

    record Case(String name, List<Runnable> setUp, Req request, int code, Consumer<HttpResponse<String>> expectation, List<Check> checks) {
        @Override
        public String toString() {
            return name;
        }
    }

    sealed interface Check {
        record Absent(String collection, String name) implements Check {
        }

        record AbsentLabelled(String collection, String selector) implements Check {
        }

        record Unchanged(String path) implements Check {
        }

        record Stored(String path, Consumer<JsonNode> assertion) implements Check {
        }

        record NothingToStore(String why) implements Check {
        }
    }

    static CaseBuilder c(String name) {
        return new CaseBuilder(name);
    }

    static final class CaseBuilder {
        private final String name;
        private final List<Runnable> setUp = new ArrayList<>();
        private final List<Check> checks = new ArrayList<>();
        private Req request;
        private int code;
        private Consumer<HttpResponse<String>> expectation = r -> {
        };

        CaseBuilder(String name) {
            this.name = name;
        }

        /** An object the case needs, created (201) before the request. */
        CaseBuilder given(String collection, Object body) {
            setUp.add(() -> {
                HttpResponse<String> r = BadInputTest.send(Req.post(collection, JSON_TYPE, body));
                assertThat(r.statusCode()).as("set-up of %s: create in %s: %s", name, collection, r.body()).isEqualTo(201);
            });
            return this;
        }

        CaseBuilder givenDeleted(String path) {
            setUp.add(() -> {
                HttpResponse<String> r = BadInputTest.send(Req.delete(path, null));
                assertThat(r.statusCode()).as("set-up of %s: delete %s: %s", name, path, r.body()).isIn(200, 202);
            });
            return this;
        }

        CaseBuilder setUp(Runnable step) {
            setUp.add(step);
            return this;
        }

        CaseBuilder send(Req request) {
            this.request = request;
            return this;
        }

        /** A failure Status with this code and reason whose message contains every part. */
        CaseBuilder expect(int code, String reason, String... messageParts) {
            this.code = code;
            this.expectation = r -> assertStatus(r.body(), code, reason, messageParts);
            return this;
        }

        /** A 422 Invalid whose message contains {@code message} and whose causes name every field. */
        CaseBuilder invalid(String message, String... fields) {
            this.code = 422;
            this.expectation = r -> {
                JsonNode status = assertStatus(r.body(), 422, "Invalid", message);
                List<String> causeFields = new ArrayList<>();
                status.path("details").path("causes").forEach(cause -> causeFields.add(cause.path("field").asString("")));
                assertThat(causeFields).as("details.causes[].field of %s", r.body()).contains(fields);
                for (String field : fields) {
                    if (!field.isEmpty()) {
                        assertThat(status.path("message").asString()).as("message names %s", field).contains(field);
                    }
                }
            };
            return this;
        }

        CaseBuilder expectCreated(Consumer<HttpResponse<String>> more) {
            this.code = 201;
            this.expectation = more;
            return this;
        }

        /** 200 and a watch stream whose first event is an ERROR carrying this Status. */
        CaseBuilder expectWatchError(int code, String reason, String... messageParts) {
            this.code = 200;
            this.expectation = r -> {
                String first = r.body().lines().filter(l -> !l.isBlank()).findFirst().orElse("");
                JsonNode event = parse(first);
                assertThat(event.path("type").asString()).as("first event of %s", r.body()).isEqualTo("ERROR");
                assertStatus(JSON.writeValueAsString(event.path("object")), code, reason, messageParts);
            };
            return this;
        }

        /** The Status names the object: details.name and details.kind (the resource, as Kubernetes sets it). */
        CaseBuilder details(String name, String resource) {
            return also(r -> {
                JsonNode details = parse(r.body()).path("details");
                assertThat(details.path("name").asString()).as("details.name of %s", r.body()).isEqualTo(name);
                assertThat(details.path("kind").asString()).as("details.kind of %s", r.body()).isEqualTo(resource);
            });
        }

        /** Some details.causes[].message contains the text (where Kubernetes puts the library's error, without a field). */
        CaseBuilder causeMessage(String text) {
            return also(r -> {
                List<String> messages = new ArrayList<>();
                parse(r.body()).path("details").path("causes").forEach(c -> messages.add(c.path("message").asString("")));
                assertThat(messages).as("details.causes[].message of %s", r.body()).anySatisfy(m -> assertThat(m).contains(text));
            });
        }

        private CaseBuilder also(Consumer<HttpResponse<String>> more) {
            expectation = expectation.andThen(more);
            return this;
        }

        /** No object of that name in the collection afterwards. */
        CaseBuilder absent(String collection, String name) {
            checks.add(new Check.Absent(collection, name));
            return this;
        }

        CaseBuilder absentLabelled(String collection, String selector) {
            checks.add(new Check.AbsentLabelled(collection, selector));
            return this;
        }

        /** The object reads exactly the same afterwards, resourceVersion included. */
        CaseBuilder unchanged(String path) {
            checks.add(new Check.Unchanged(path));
            return this;
        }

        CaseBuilder stored(String path, Consumer<JsonNode> assertion) {
            checks.add(new Check.Stored(path, assertion));
            return this;
        }

        /** Said explicitly, for requests that cannot store anything (reads, bodies that name nothing). */
        CaseBuilder nothingToStore(String why) {
            checks.add(new Check.NothingToStore(why));
            return this;
        }

        Case build() {
            assertThat(request).as("request of %s", name).isNotNull();
            assertThat(code).as("expected code of %s", name).isPositive();
            return new Case(name, List.copyOf(setUp), request, code, expectation, List.copyOf(checks));
        }
    }


    // =============================================================================================
    // bodies
    // =============================================================================================

    static ObjectNode configMap(String name) {
        ObjectNode o = object("v1", "ConfigMap", name);
        o.putObject("data").put("k", "v");
        return o;
    }

    static ObjectNode secret(String name) {
        ObjectNode o = object("v1", "Secret", name);
        o.put("type", "Opaque");
        o.putObject("data").put("k", "dg==");
        return o;
    }

    static ObjectNode namespace(String name) {
        return object("v1", "Namespace", name);
    }

    static ObjectNode pod(String name) {
        ObjectNode o = object("v1", "Pod", name);
        o.putObject("spec").putArray("containers").addObject().put("name", "app").put("image", "busybox:1.36");
        return o;
    }

    static ObjectNode service(String name) {
        ObjectNode o = object("v1", "Service", name);
        ObjectNode spec = o.putObject("spec");
        spec.putObject("selector").put("app", name);
        spec.putArray("ports").addObject().put("port", 80).put("targetPort", 8080);
        return o;
    }

    static ObjectNode deployment(String name) {
        ObjectNode o = object("apps/v1", "Deployment", name);
        ObjectNode spec = o.putObject("spec");
        spec.put("replicas", 1);
        spec.putObject("selector").putObject("matchLabels").put("app", name);
        ObjectNode template = spec.putObject("template");
        template.putObject("metadata").putObject("labels").put("app", name);
        template.putObject("spec").putArray("containers").addObject().put("name", "app").put("image", "nginx:1.27");
        return o;
    }

    private static ObjectNode object(String apiVersion, String kind, String name) {
        ObjectNode o = JSON.createObjectNode();
        o.put("apiVersion", apiVersion);
        o.put("kind", kind);
        o.putObject("metadata").put("name", name);
        return o;
    }

    static ObjectNode with(ObjectNode o, Consumer<ObjectNode> change) {
        change.accept(o);
        return o;
    }

    static ObjectNode meta(ObjectNode o) {
        return (ObjectNode) o.get("metadata");
    }

    static ObjectNode spec(ObjectNode o) {
        return (ObjectNode) o.get("spec");
    }

    static ObjectNode container(ObjectNode deployment, int i) {
        return (ObjectNode) deployment.at("/spec/template/spec/containers/" + i);
    }

    static String url(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    // =============================================================================================
    // HTTP
    // =============================================================================================

    /** One raw request; the admin token unless {@link #token} says otherwise. */
    record Req(String method, String path, String contentType, byte[] body, Map<String, String> headers, boolean admin, String token) {

        static Req get(String path) {
            return new Req("GET", path, null, null, Map.of(), true, null);
        }

        static Req post(String path, String contentType, Object body) {
            return new Req("POST", path, contentType, bytes(body), Map.of(), true, null);
        }

        static Req put(String path, String contentType, Object body) {
            return new Req("PUT", path, contentType, bytes(body), Map.of(), true, null);
        }

        static Req patch(String path, String contentType, Object body) {
            return new Req("PATCH", path, contentType, bytes(body), Map.of(), true, null);
        }

        static Req delete(String path, Object body) {
            return new Req("DELETE", path, body == null ? null : JSON_TYPE, body == null ? null : bytes(body), Map.of(), true, null);
        }

        /** Sends this token instead of the admin's; null sends none. */
        Req token(String token) {
            return new Req(method, path, contentType, body, headers, false, token);
        }

        Req header(String name, String value) {
            Map<String, String> more = new LinkedHashMap<>(headers);
            more.put(name, value);
            return new Req(method, path, contentType, body, more, admin, token);
        }

        private static byte[] bytes(Object body) {
            if (body instanceof byte[] b) {
                return b;
            }
            if (body instanceof JsonNode node) {
                return JSON.writeValueAsBytes(node);
            }
            return String.valueOf(body).getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    static HttpResponse<String> send(Req req) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url() + req.path()))
                .timeout(Duration.ofSeconds(60))
                .method(req.method(), req.body() == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(req.body()));
        if (req.contentType() != null) {
            b.header("Content-Type", req.contentType());
        }
        String token = req.admin() ? server.adminToken() : req.token();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        req.headers().forEach(b::header);
        try {
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String read(String path) {
        HttpResponse<String> r = BadInputTest.send(Req.get(path));
        assertThat(r.statusCode()).as("GET %s: %s", path, r.body()).isEqualTo(200);
        return r.body();
    }

    private static List<String> names(String collection, String labelSelector) {
        String path = collection + (labelSelector == null ? "" : "?labelSelector=" + url(labelSelector));
        HttpResponse<String> r = BadInputTest.send(Req.get(path));
        if (r.statusCode() == 404 && parse(r.body()).path("message").asString().startsWith("namespaces ")) {
            return List.of(); // the namespace itself does not exist, so nothing is in it
        }
        assertThat(r.statusCode()).as("list %s: %s", path, r.body()).isEqualTo(200);
        List<String> names = new ArrayList<>();
        parse(r.body()).path("items").forEach(item -> names.add(item.path("metadata").path("name").asString()));
        return names;
    }

    private static JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (RuntimeException e) {
            throw new AssertionError("not JSON: " + body, e);
        }
    }

    private static final HttpClient HTTP = insecureClient();

    private static HttpClient insecureClient() {
        try {
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, new TrustManager[]{new X509TrustManager() {
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                }

                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, new SecureRandom());
            return HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(10)).build();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
