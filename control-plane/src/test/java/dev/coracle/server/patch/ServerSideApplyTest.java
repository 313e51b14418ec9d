package dev.coracle.server.patch;

import dev.coracle.server.api.ApiException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.stream.Stream;

import static dev.coracle.server.patch.Kube.DEPLOYMENTS;
import static dev.coracle.server.patch.Kube.json;
import static dev.coracle.server.patch.Kube.obj;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServerSideApplyTest {

    private final FieldManager fields = new FieldManager(Clock.fixed(Instant.parse("2024-05-01T10:00:00.123Z"), ZoneOffset.UTC));

    /** {@code kubectl apply --server-side -f web.yaml} sends this YAML with fieldManager=kubectl. */
    private static final String WEB_YAML = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
              namespace: default
              labels:
                app: web
                tier: frontend
            spec:
              replicas: 2
              selector:
                matchLabels:
                  app: web
              template:
                metadata:
                  labels:
                    app: web
                spec:
                  containers:
                  - name: nginx
                    image: nginx:1.25
                    ports:
                    - containerPort: 80
            """;

    private static byte[] yaml(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static JsonNode entry(ObjectNode object, String manager) {
        for (JsonNode e : object.at("/metadata/managedFields")) {
            if (e.get("manager").asString().equals(manager)) {
                return e;
            }
        }
        return null;
    }

    /** The object as the API layer would store it: defaults set, server fields added. */
    private static ObjectNode stored(ApplyResult result) {
        ObjectNode o = result.object();
        o.withObject("/metadata").put("uid", "6f1c").put("resourceVersion", "1").put("creationTimestamp", "2024-05-01T10:00:00Z");
        o.withObject("/spec/template/spec").put("restartPolicy", "Always");
        return o;
    }

    @Test
    void applyCreatesTheObjectAndRecordsWhatTheManagerApplied() {
        ApplyResult result = fields.apply(null, yaml(WEB_YAML), "kubectl", false, DEPLOYMENTS);

        assertThat(result.created()).isTrue();
        ObjectNode web = result.object();
        assertThat(web.at("/spec/template/spec/containers/0/image").asString()).isEqualTo("nginx:1.25");
        assertThat(web.at("/metadata/managedFields")).hasSize(1);
        assertThat(entry(web, "kubectl")).isEqualTo(json("""
                {'manager':'kubectl','operation':'Apply','apiVersion':'apps/v1','time':'2024-05-01T10:00:00Z',
                 'fieldsType':'FieldsV1','fieldsV1':{
                   'f:metadata':{'f:labels':{'f:app':{},'f:tier':{}}},
                   'f:spec':{'f:replicas':{},'f:selector':{},'f:template':{
                     'f:metadata':{'f:labels':{'f:app':{}}},
                     'f:spec':{'f:containers':{'k:{\\"name\\":\\"nginx\\"}':{'.':{},'f:image':{},'f:name':{},
                       'f:ports':{'k:{\\"containerPort\\":80,\\"protocol\\":\\"TCP\\"}':{'.':{},'f:containerPort':{}}}}}}}}}}"""));
    }

    @Test
    void applyAcceptsJsonBodiesToo() {
        byte[] body = Kube.body("{'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'c'},'data':{'a':'1'}}");
        ApplyResult result = fields.apply(null, body, "tool", false, Kube.CONFIGMAPS);
        assertThat(result.object().at("/data/a").asString()).isEqualTo("1");
        assertThat(entry(result.object(), "tool").get("fieldsV1")).isEqualTo(json("{'f:data':{'f:a':{}}}"));
    }

    @Test
    void reapplyingWithAFieldRemovedRemovesItWhenNobodyElseOwnsIt() {
        ObjectNode live = stored(fields.apply(null, yaml(WEB_YAML), "kubectl", false, DEPLOYMENTS));
        String without = WEB_YAML.replace("    tier: frontend\n", "").replace("        ports:\n        - containerPort: 80\n", "");

        ApplyResult result = fields.apply(live, yaml(without), "kubectl", false, DEPLOYMENTS);

        ObjectNode web = result.object();
        assertThat(result.created()).isFalse();
        assertThat(web.at("/metadata/labels")).isEqualTo(json("{'app':'web'}"));
        assertThat(web.at("/spec/template/spec/containers/0").has("ports")).isFalse();
        assertThat(web.at("/spec/template/spec/restartPolicy").asString()).as("fields nobody applied stay").isEqualTo("Always");
        assertThat(web.at("/metadata/uid").asString()).isEqualTo("6f1c");
        assertThat(entry(web, "kubectl").at("/fieldsV1/f:metadata/f:labels")).isEqualTo(json("{'f:app':{}}"));
    }

    @Test
    void aFieldRemovedFromTheConfigurationStaysWhenAnotherManagerOwnsIt() {
        ObjectNode live = stored(fields.apply(null, yaml(WEB_YAML), "kubectl", false, DEPLOYMENTS));
        live = fields.apply(live, Kube.obj("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web','labels':{'tier':'frontend'}}}"),
                "other", false, DEPLOYMENTS).object();

        ObjectNode web = fields.apply(live, yaml(WEB_YAML.replace("    tier: frontend\n", "")), "kubectl", false, DEPLOYMENTS).object();

        assertThat(web.at("/metadata/labels")).isEqualTo(json("{'app':'web','tier':'frontend'}"));
    }

    @Test
    void applyingADifferentValueForAFieldAnotherApplierOwnsIsA409NamingFieldAndManager() {
        ObjectNode live = stored(fields.apply(null, yaml(WEB_YAML), "kubectl", false, DEPLOYMENTS));
        ObjectNode scaled = obj("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web'},'spec':{'replicas':5}}");

        assertThatThrownBy(() -> fields.apply(live, scaled, "autoscaler", false, DEPLOYMENTS))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(409);
                    assertThat(e.status().getReason()).isEqualTo("Conflict");
                    assertThat(e.getMessage()).isEqualTo("Apply failed with 1 conflict: conflict with \"kubectl\": .spec.replicas");
                    assertThat(e.status().getDetails().getCauses()).singleElement().satisfies(c -> {
                        assertThat(c.getReason()).isEqualTo("FieldManagerConflict");
                        assertThat(c.getField()).isEqualTo(".spec.replicas");
                        assertThat(c.getMessage()).isEqualTo("conflict with \"kubectl\"");
                    });
                });
    }

    @Test
    void conflictsWithAnUpdaterNameItsApiVersionAndListEveryField() {
        ObjectNode live = stored(fields.apply(null, yaml(WEB_YAML), "kubectl", false, DEPLOYMENTS));
        ObjectNode edited = live.deepCopy();
        edited.withObject("/spec").put("replicas", 5);
        edited.withObject("/spec/template/spec/containers/0").put("image", "nginx:1.26");
        live = fields.update(live, edited, "kubectl-edit", DEPLOYMENTS);
        ObjectNode finalLive = live;

        assertThatThrownBy(() -> fields.apply(finalLive, yaml(WEB_YAML), "kubectl", false, DEPLOYMENTS))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(409);
                    assertThat(e.getMessage()).isEqualTo("""
                            Apply failed with 2 conflicts: conflicts with "kubectl-edit" using apps/v1:
                            - .spec.replicas
                            - .spec.template.spec.containers[name="nginx"].image""");
                    assertThat(e.status().getDetails().getCauses()).extracting(c -> c.getField())
                            .containsExactly(".spec.replicas", ".spec.template.spec.containers[name=\"nginx\"].image");
                });
    }

    @Test
    void applyingTheSameValueAsAnotherManagerSharesOwnership() {
        ObjectNode live = stored(fields.apply(null, yaml(WEB_YAML), "kubectl", false, DEPLOYMENTS));
        ObjectNode same = obj("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web'},'spec':{'replicas':2}}");

        ObjectNode web = fields.apply(live, same, "autoscaler", false, DEPLOYMENTS).object();

        assertThat(entry(web, "kubectl").at("/fieldsV1/f:spec/f:replicas").isObject()).isTrue();
        assertThat(entry(web, "autoscaler").at("/fieldsV1/f:spec/f:replicas").isObject()).isTrue();
    }

    @Test
    void forceTakesOwnershipOfConflictingFields() {
        ObjectNode live = stored(fields.apply(null, yaml(WEB_YAML), "kubectl", false, DEPLOYMENTS));
        ObjectNode scaled = obj("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web'},'spec':{'replicas':5}}");

        ApplyResult result = fields.apply(live, scaled, "autoscaler", true, DEPLOYMENTS);

        ObjectNode web = result.object();
        assertThat(web.at("/spec/replicas").asInt()).isEqualTo(5);
        assertThat(entry(web, "autoscaler").get("fieldsV1")).isEqualTo(json("{'f:spec':{'f:replicas':{}}}"));
        assertThat(entry(web, "kubectl").at("/fieldsV1/f:spec").has("f:replicas")).isFalse();
        assertThat(entry(web, "kubectl").at("/fieldsV1/f:spec").has("f:template")).isTrue();

        // kubectl re-applying its configuration without replicas no longer touches them
        ObjectNode reapplied = fields.apply(stored(result), yaml(WEB_YAML.replace("  replicas: 2\n", "")), "kubectl", false, DEPLOYMENTS).object();
        assertThat(reapplied.at("/spec/replicas").asInt()).isEqualTo(5);
    }

    @Test
    void theKubectlLastAppliedApplyOfOnlyMetadataKeepsTheSpecOwnedByKubectl() {
        ObjectNode live = stored(fields.apply(null, yaml(WEB_YAML), "kubectl", false, DEPLOYMENTS));
        String lastApplied = Json.canonical(Json.parseYaml(yaml(WEB_YAML))) + "\n";
        ObjectNode metadataOnly = Json.object();
        metadataOnly.put("apiVersion", "apps/v1").put("kind", "Deployment");
        metadataOnly.putObject("metadata").put("name", "web").put("namespace", "default")
                .putObject("annotations").put(FieldManager.LAST_APPLIED_ANNOTATION, lastApplied);

        ObjectNode once = fields.apply(live, metadataOnly, "kubectl-last-applied", false, DEPLOYMENTS).object();
        ObjectNode twice = fields.apply(stored(new ApplyResult(once, false, true)), metadataOnly, "kubectl-last-applied", false, DEPLOYMENTS).object();

        for (ObjectNode web : new ObjectNode[]{once, twice}) {
            assertThat(web.at("/spec/replicas").asInt()).isEqualTo(2);
            assertThat(web.at("/spec/template/spec/containers/0/image").asString()).isEqualTo("nginx:1.25");
            assertThat(web.at("/metadata/labels")).isEqualTo(json("{'app':'web','tier':'frontend'}"));
            assertThat(web.at("/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration").asString()).isEqualTo(lastApplied);
            assertThat(entry(web, "kubectl").at("/fieldsV1/f:spec/f:replicas").isObject()).isTrue();
            assertThat(entry(web, "kubectl-last-applied").get("fieldsV1")).isEqualTo(json(
                    "{'f:metadata':{'f:annotations':{'f:kubectl.kubernetes.io/last-applied-configuration':{}}}}"));
        }
    }

    @Test
    void statusIsNeverOwnedThroughTheMainResource() {
        ObjectNode config = obj("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web'},'spec':{'replicas':1},'status':{'replicas':9}}");
        ObjectNode web = fields.apply(null, config, "kubectl", false, DEPLOYMENTS).object();
        assertThat(entry(web, "kubectl").get("fieldsV1")).isEqualTo(json("{'f:spec':{'f:replicas':{}}}"));
    }

    @Test
    void applyOntoAnObjectNobodyTrackedMakesItsFieldsBelongToBeforeFirstApply() {
        ObjectNode live = Kube.deployment();

        assertThatThrownBy(() -> fields.apply(live, obj("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web'},'spec':{'replicas':3}}"),
                "kubectl", false, DEPLOYMENTS))
                .isInstanceOfSatisfying(ApiException.class, e ->
                        assertThat(e.getMessage()).isEqualTo("Apply failed with 1 conflict: conflict with \"before-first-apply\" using apps/v1: .spec.replicas"));
    }

    @Test
    void kubectlMovingFromClientSideApplyDoesNotConflictOnFieldsItAppliedBefore() {
        ObjectNode created = Kube.deployment();
        created.remove("status");
        ObjectNode lastApplied = obj("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web'},'spec':{'replicas':1}}");
        created.withObject("/metadata/annotations").put(FieldManager.LAST_APPLIED_ANNOTATION, Json.canonical(lastApplied) + "\n");
        ObjectNode live = fields.update(null, created, "kubectl-client-side-apply", DEPLOYMENTS);
        live.withObject("/metadata").put("uid", "6f1c");

        ObjectNode config = obj("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web'},'spec':{'replicas':4}}");
        ObjectNode web = fields.apply(live, config, "kubectl", false, DEPLOYMENTS).object();

        assertThat(web.at("/spec/replicas").asInt()).isEqualTo(4);
        assertThat(entry(web, "kubectl-client-side-apply").at("/fieldsV1/f:spec").has("f:replicas")).isFalse();
        assertThat(web.at("/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration").asString())
                .as("kubectl's server-side apply keeps the annotation in step").isEqualTo(Json.canonical(config) + "\n");
        assertThatThrownBy(() -> fields.apply(live, config, "someone-else", false, DEPLOYMENTS)).isInstanceOf(ApiException.class);
    }

    @Test
    void reapplyingTheSameConfigurationChangesNothing() {
        ObjectNode live = stored(fields.apply(null, yaml(WEB_YAML), "kubectl", false, DEPLOYMENTS));
        FieldManager later = new FieldManager(Clock.fixed(Instant.parse("2024-06-01T00:00:00Z"), ZoneOffset.UTC));

        ApplyResult again = later.apply(live, yaml(WEB_YAML), "kubectl", false, DEPLOYMENTS);

        assertThat(again.changed()).isFalse();
        assertThat(again.object()).isEqualTo(live);
    }

    @Test
    void listMapsMergeItemsByKeyAndKeepOtherManagersItems() {
        ObjectNode live = stored(fields.apply(null, yaml(WEB_YAML), "kubectl", false, DEPLOYMENTS));
        ObjectNode sidecar = obj("""
                {'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web'},
                 'spec':{'template':{'spec':{'containers':[{'name':'proxy','image':'envoy:1'}]}}}}""");

        ObjectNode web = fields.apply(live, sidecar, "mesh", false, DEPLOYMENTS).object();
        assertThat(web.at("/spec/template/spec/containers")).hasSize(2);
        assertThat(web.at("/spec/template/spec/containers/0/name").asString()).isEqualTo("nginx");

        // kubectl re-applies its own configuration: the mesh's container stays
        ObjectNode again = fields.apply(stored(new ApplyResult(web, false, true)), yaml(WEB_YAML), "kubectl", false, DEPLOYMENTS).object();
        assertThat(again.at("/spec/template/spec/containers/1/name").asString()).isEqualTo("proxy");
    }

    static Stream<Arguments> badConfigurations() {
        return Stream.of(
                Arguments.of("another apiVersion", "{'apiVersion':'apps/v1beta1','kind':'Deployment','metadata':{'name':'web'}}",
                        "invalid object type: apps/v1beta1, Kind=Deployment"),
                Arguments.of("another kind", "{'apiVersion':'apps/v1','kind':'StatefulSet','metadata':{'name':'web'}}",
                        "invalid object type: apps/v1, Kind=StatefulSet"),
                Arguments.of("managed fields", "{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web','managedFields':[]}}",
                        "metadata.managedFields must be nil"),
                Arguments.of("a container without its name",
                        "{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web'},'spec':{'template':{'spec':{'containers':[{'image':'x'}]}}}}",
                        "failed to create typed patch object (apps/v1, Kind=Deployment): .spec.template.spec.containers: element 0: "
                                + "associative list with keys has an element that omits key field \"name\" (and doesn't have default value)"),
                Arguments.of("not an object", "[1,2]",
                        "error decoding YAML: json: cannot unmarshal array into Go value of type map[string]interface {}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badConfigurations")
    void aConfigurationApplyCannotTakeIs400(String name, String config, String message) {
        assertThatThrownBy(() -> fields.apply(null, Kube.body(config), "kubectl", false, DEPLOYMENTS))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(400);
                    assertThat(e.getMessage()).isEqualTo(message);
                });
    }

    @Test
    void applyWithoutAFieldManagerIsRejectedAsKubernetesDoes() {
        assertThatThrownBy(() -> FieldManager.validatePatchOptions(PatchType.APPLY_PATCH, null, null))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(422);
                    assertThat(e.getMessage()).isEqualTo(
                            "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch");
                });
        assertThatThrownBy(() -> FieldManager.validatePatchOptions(PatchType.MERGE_PATCH, "x", true))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getMessage()).isEqualTo(
                        "PatchOptions.meta.k8s.io \"\" is invalid: force: Forbidden: may not be specified for non-apply patch"));
        assertThatThrownBy(() -> FieldManager.validatePatchOptions(PatchType.APPLY_PATCH, "x".repeat(129), false))
                .isInstanceOf(ApiException.class);
        FieldManager.validatePatchOptions(PatchType.APPLY_PATCH, "kubectl", true);
        FieldManager.validatePatchOptions(PatchType.STRATEGIC_MERGE_PATCH, null, null);
    }
}
