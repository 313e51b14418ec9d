package dev.coracle.server.api;

import dev.coracle.server.testing.TestServer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code fieldValidation} on create, update and patch with the bodies and expectations of Kubernetes' own
 * integration test (test/integration/apiserver/field_validation_test.go): unknown and repeated fields, in JSON
 * and in YAML, refused under Strict with every error in Kubernetes' order, one Warning header each under Warn
 * (the default), silently dropped under Ignore. Raw HTTP: kubectl and the typed clients re-encode what they
 * read, so they never send a repeated key.
 */
class StrictFieldValidationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String DEPLOYMENTS = "/apis/apps/v1/namespaces/default/deployments";

    /** Kubernetes' invalidBodyJSON: two unknown fields (one of them repeated), two repeated known ones. */
    private static final String INVALID_JSON = """
            {
              "apiVersion": "apps/v1",
              "kind": "Deployment",
              "metadata": {"name": "%s", "labels": {"app": "nginx"}},
              "spec": {
                "unknown1": "val1",
                "unknownDupe": "valDupe",
                "unknownDupe": "valDupe2",
                "paused": true,
                "paused": false,
                "selector": {"matchLabels": {"app": "nginx"}},
                "template": {
                  "metadata": {"labels": {"app": "nginx"}},
                  "spec": {
                    "containers": [{
                      "name": "nginx",
                      "image": "nginx:latest",
                      "unknownNested": "val1",
                      "imagePullPolicy": "Always",
                      "imagePullPolicy": "Never"
                    }]
                  }
                }
              }
            }""";

    /** Kubernetes' invalidBodyYAML, line for line (the repeated keys are on lines 10, 12 and 26). */
    private static final String INVALID_YAML = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: %s
              labels:
                app: nginx
            spec:
              unknown1: val1
              unknownDupe: valDupe
              unknownDupe: valDupe2
              paused: true
              paused: false
              selector:
                matchLabels:
                  app: nginx
              template:
                metadata:
                  labels:
                    app: nginx
                spec:
                  containers:
                  - name: nginx
                    image: nginx:latest
                    unknownNested: val1
                    imagePullPolicy: Always
                    imagePullPolicy: Never""";

    private static final String VALID_JSON = """
            {
              "apiVersion": "apps/v1",
              "kind": "Deployment",
              "metadata": {"name": "%s", "labels": {"app": "nginx"}},
              "spec": {
                "selector": {"matchLabels": {"app": "nginx"}},
                "template": {
                  "metadata": {"labels": {"app": "nginx"}},
                  "spec": {"containers": [{"name": "nginx", "image": "nginx:latest", "imagePullPolicy": "Always"}]}
                }
              }
            }""";

    /** What sigs.k8s.io/json finds in the JSON body, in the order it finds it. */
    private static final List<String> JSON_ERRORS = List.of(
            "unknown field \"spec.unknown1\"",
            "unknown field \"spec.unknownDupe\"",
            "duplicate field \"spec.paused\"",
            "unknown field \"spec.template.spec.containers[0].unknownNested\"",
            "duplicate field \"spec.template.spec.containers[0].imagePullPolicy\"");

    /** What sigs.k8s.io/yaml and then sigs.k8s.io/json (on keys sorted by the conversion) find in the YAML body. */
    private static final List<String> YAML_WARNINGS = List.of(
            "line 10: key \"unknownDupe\" already set in map",
            "line 12: key \"paused\" already set in map",
            "line 26: key \"imagePullPolicy\" already set in map",
            "unknown field \"spec.template.spec.containers[0].unknownNested\"",
            "unknown field \"spec.unknown1\"",
            "unknown field \"spec.unknownDupe\"");

    @AutoClose
    private static final TestServer server = TestServer.start((String) null, "--coracle.controllers.enabled=false").awaitReady();

    @Test
    void strictRefusesUnknownAndRepeatedFieldsNamingEachInKubernetesOrder() {
        HttpResponse<String> r = post("?fieldValidation=Strict", "application/json", INVALID_JSON, "fv-strict");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        JsonNode status = JSON.readTree(r.body());
        assertThat(status.path("reason").asString()).isEqualTo("BadRequest");
        assertThat(status.path("message").asString()).isEqualTo("Deployment in version \"v1\" cannot be handled as a Deployment: "
                + "strict decoding error: " + String.join(", ", JSON_ERRORS));
        assertThat(server.send("GET", DEPLOYMENTS + "/fv-strict", null, null).statusCode()).as("nothing stored").isEqualTo(404);
    }

    @Test
    void warnAndTheDefaultCreateWithOneWarningPerField() {
        for (String query : List.of("?fieldValidation=Warn", "")) {
            String name = "fv-warn" + (query.isEmpty() ? "-default" : "");
            HttpResponse<String> r = post(query, "application/json", INVALID_JSON, name);

            assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
            assertThat(warnings(r)).as("warnings of %s", query).isEqualTo(JSON_ERRORS);
            JsonNode created = JSON.readTree(r.body());
            assertThat(created.at("/spec/paused").asBoolean()).as("the last value of a repeated key wins").isFalse();
            assertThat(created.at("/spec/template/spec/containers/0/imagePullPolicy").asString()).isEqualTo("Never");
            assertThat(created.at("/spec/template/spec/containers/0").has("unknownNested")).isFalse();
        }
    }

    @Test
    void ignoreCreatesSilently() {
        HttpResponse<String> r = post("?fieldValidation=Ignore", "application/json", INVALID_JSON, "fv-ignore");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        assertThat(r.headers().allValues("Warning")).isEmpty();
    }

    @Test
    void yamlRepeatedKeysAreReportedByLineThenTheUnknownFields() {
        HttpResponse<String> strict = post("?fieldValidation=Strict", "application/yaml", INVALID_YAML, "fv-yaml-strict");
        assertThat(strict.statusCode()).as(strict.body()).isEqualTo(400);
        assertThat(JSON.readTree(strict.body()).path("message").asString()).isEqualTo(
                "Deployment in version \"v1\" cannot be handled as a Deployment: strict decoding error: yaml: unmarshal errors:\n"
                        + "  line 10: key \"unknownDupe\" already set in map\n"
                        + "  line 12: key \"paused\" already set in map\n"
                        + "  line 26: key \"imagePullPolicy\" already set in map, "
                        + String.join(", ", YAML_WARNINGS.subList(3, 6)));

        HttpResponse<String> warn = post("?fieldValidation=Warn", "application/yaml", INVALID_YAML, "fv-yaml-warn");
        assertThat(warn.statusCode()).as(warn.body()).isEqualTo(201);
        assertThat(warnings(warn)).isEqualTo(YAML_WARNINGS);
    }

    @Test
    void anUpdateIsCheckedAsACreateIs() {
        HttpResponse<String> created = post("", "application/json", INVALID_JSON, "fv-put");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String path = DEPLOYMENTS + "/fv-put";

        HttpResponse<String> strict = server.send("PUT", path + "?fieldValidation=Strict", "application/json", body(INVALID_JSON, "fv-put"));
        assertThat(strict.statusCode()).as(strict.body()).isEqualTo(400);
        assertThat(JSON.readTree(strict.body()).path("message").asString()).endsWith(String.join(", ", JSON_ERRORS));

        HttpResponse<String> warn = server.send("PUT", path + "?fieldValidation=Warn", "application/json", body(INVALID_JSON, "fv-put"));
        assertThat(warn.statusCode()).as(warn.body()).isEqualTo(200);
        assertThat(warnings(warn)).isEqualTo(JSON_ERRORS);
    }

    @Test
    void aRepeatedMapKeyAndAnUnrepeatedBodyAreToldApart() {
        String repeatedLabel = """
                {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"fv-labels","labels":{"a":"1","a":"2"}},"data":{"k":"v"}}""";
        HttpResponse<String> r = server.send("POST", "/api/v1/namespaces/default/configmaps?fieldValidation=Strict", "application/json",
                repeatedLabel.getBytes(StandardCharsets.UTF_8));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(JSON.readTree(r.body()).path("message").asString()).endsWith("strict decoding error: duplicate field \"metadata.labels.a\"");

        String twoContainers = """
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"fv-clean"},
                 "spec":{"containers":[{"name":"a","image":"busybox"},{"name":"b","image":"busybox"}]}}""";
        HttpResponse<String> ok = server.send("POST", "/api/v1/namespaces/default/pods?fieldValidation=Strict", "application/json",
                twoContainers.getBytes(StandardCharsets.UTF_8));
        assertThat(ok.statusCode()).as("the same keys in two list items are no repetition: %s", ok.body()).isEqualTo(201);
        assertThat(ok.headers().allValues("Warning")).isEmpty();
    }

    /** Kubernetes' mergePatchBody, also sent as a strategic merge patch (its smpBody differs only in what it leaves out). */
    private static final String MERGE_PATCH = """
            {
              "spec": {
                "unknown1": "val1",
                "unknownDupe": "valDupe",
                "unknownDupe": "valDupe2",
                "paused": true,
                "paused": false,
                "template": {
                  "spec": {
                    "containers": [{
                      "name": "nginx",
                      "image": "nginx:latest",
                      "unknownNested": "val1",
                      "imagePullPolicy": "Always",
                      "imagePullPolicy": "Never"
                    }]
                  }
                }
              }
            }""";

    /** The patch's own repeated keys (all of them: it is decoded into a map), then the result's unknown fields by sorted key. */
    private static final List<String> PATCH_ERRORS = List.of(
            "duplicate field \"spec.unknownDupe\"",
            "duplicate field \"spec.paused\"",
            "duplicate field \"spec.template.spec.containers[0].imagePullPolicy\"",
            "unknown field \"spec.template.spec.containers[0].unknownNested\"",
            "unknown field \"spec.unknown1\"",
            "unknown field \"spec.unknownDupe\"");

    @Test
    void mergeAndStrategicPatchesAreCheckedThenTheirResult() {
        assertThat(post("", "application/json", VALID_JSON, "fv-patch").statusCode()).isEqualTo(201);
        String path = DEPLOYMENTS + "/fv-patch";
        for (String type : List.of("application/merge-patch+json", "application/strategic-merge-patch+json")) {
            HttpResponse<String> strict = server.send("PATCH", path + "?fieldValidation=Strict", type, MERGE_PATCH.getBytes(StandardCharsets.UTF_8));
            assertThat(strict.statusCode()).as("%s: %s", type, strict.body()).isEqualTo(422);
            JsonNode status = JSON.readTree(strict.body());
            assertThat(status.path("message").asString()).startsWith(" \"\" is invalid: patch: Invalid value: \"{")
                    .endsWith("strict decoding error: " + String.join(", ", PATCH_ERRORS));
            assertThat(status.at("/details/causes/0/field").asString()).isEqualTo("patch");

            HttpResponse<String> warn = server.send("PATCH", path + "?fieldValidation=Warn", type, MERGE_PATCH.getBytes(StandardCharsets.UTF_8));
            assertThat(warn.statusCode()).as("%s: %s", type, warn.body()).isEqualTo(200);
            assertThat(warnings(warn)).as(type).isEqualTo(PATCH_ERRORS);
        }
    }

    @Test
    void aJsonPatchHasItsOperationsChecked() {
        assertThat(post("", "application/json", VALID_JSON, "fv-json-patch").statusCode()).isEqualTo(201);
        String operations = """
                [
                  {"op": "add", "path": "/spec/unknown1", "value": "val1", "foo": "bar"},
                  {"op": "add", "path": "/spec/unknown2", "path": "/spec/unknown3", "value": "val1"},
                  {"op": "add", "path": "/spec/unknownDupe", "value": "valDupe"},
                  {"op": "add", "path": "/spec/unknownDupe", "value": "valDupe2"},
                  {"op": "add", "path": "/spec/paused", "value": true},
                  {"op": "add", "path": "/spec/paused", "value": false},
                  {"op": "add", "path": "/spec/template/spec/containers/0/unknownNested", "value": "val1"},
                  {"op": "add", "path": "/spec/template/spec/containers/0/imagePullPolicy", "value": "Always"},
                  {"op": "add", "path": "/spec/template/spec/containers/0/imagePullPolicy", "value": "Never"}
                ]""";
        HttpResponse<String> warn = server.send("PATCH", DEPLOYMENTS + "/fv-json-patch", "application/json-patch+json",
                operations.getBytes(StandardCharsets.UTF_8));
        assertThat(warn.statusCode()).as(warn.body()).isEqualTo(200);
        assertThat(warnings(warn)).isEqualTo(List.of(
                "json patch unknown field \"[0].foo\"",
                "json patch duplicate field \"[1].path\"",
                "unknown field \"spec.template.spec.containers[0].unknownNested\"",
                "unknown field \"spec.unknown1\"",
                "unknown field \"spec.unknown3\"",
                "unknown field \"spec.unknownDupe\""));
    }

    @Test
    void serverSideApplyReportsRepeatedKeysByLine() {
        String applyInvalid = """
                {
                  "apiVersion": "apps/v1",
                  "kind": "Deployment",
                  "metadata": {
                    "name": "%s",
                    "labels": {"app": "nginx"}
                  },
                  "spec": {
                    "paused": false,
                    "paused": true,
                    "selector": {
                      "matchLabels": {
                        "app": "nginx"
                      }
                    },
                    "template": {
                      "metadata": {
                        "labels": {
                          "app": "nginx"
                        }
                      },
                      "spec": {
                        "containers": [{
                          "name":  "nginx",
                          "image": "nginx:latest",
                          "imagePullPolicy": "Never",
                          "imagePullPolicy": "Always"
                        }]
                      }
                    }
                  }
                }""";
        HttpResponse<String> strict = server.send("PATCH", DEPLOYMENTS + "/fv-apply?fieldManager=mgr&fieldValidation=Strict",
                "application/apply-patch+yaml", body(applyInvalid, "fv-apply"));
        assertThat(strict.statusCode()).as(strict.body()).isEqualTo(400);
        assertThat(JSON.readTree(strict.body()).path("message").asString()).isEqualTo("error strict decoding YAML: "
                + "error converting YAML to JSON: yaml: unmarshal errors:\n"
                + "  line 10: key \"paused\" already set in map\n"
                + "  line 27: key \"imagePullPolicy\" already set in map");
        assertThat(server.send("GET", DEPLOYMENTS + "/fv-apply", null, null).statusCode()).as("nothing stored").isEqualTo(404);

        HttpResponse<String> warn = server.send("PATCH", DEPLOYMENTS + "/fv-apply?fieldManager=mgr",
                "application/apply-patch+yaml", body(applyInvalid, "fv-apply"));
        assertThat(warn.statusCode()).as(warn.body()).isEqualTo(201);
        assertThat(warnings(warn)).isEqualTo(List.of(
                "line 10: key \"paused\" already set in map",
                "line 27: key \"imagePullPolicy\" already set in map"));
    }

    private static HttpResponse<String> post(String query, String contentType, String template, String name) {
        return server.send("POST", DEPLOYMENTS + query, contentType, body(template, name));
    }

    private static byte[] body(String template, String name) {
        return String.format(template, name).getBytes(StandardCharsets.UTF_8);
    }

    /** The texts of the response's Warning headers ({@code 299 - "text"}), in order. */
    private static List<String> warnings(HttpResponse<String> r) {
        return r.headers().allValues("Warning").stream()
                .map(w -> w.substring("299 - \"".length(), w.length() - 1).replace("\\\"", "\""))
                .toList();
    }
}
