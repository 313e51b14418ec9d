package dev.coracle.server.patch;

import dev.coracle.server.api.ApiException;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.stream.Stream;

import static dev.coracle.server.patch.Kube.body;
import static dev.coracle.server.patch.Kube.json;
import static dev.coracle.server.patch.Kube.obj;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StrategicMergePatchTest {

    private static ObjectNode patchDeployment(String patch) {
        return StrategicMergePatch.apply(Kube.deployment(), body(patch), Deployment.class);
    }

    private static ObjectNode pod(String spec) {
        return obj("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'x','namespace':'default'},'spec':" + spec + "}");
    }

    // ------------------------------------------------------------ what kubectl 1.32 sends

    /** The body of {@code kubectl apply -f web.yaml} (1.32) after changing the image, the replicas and adding a sidecar. */
    static final String KUBECTL_APPLY_CHANGED_DEPLOYMENT = """
            {"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\\"apiVersion\\":\\"apps/v1\\",\\"kind\\":\\"Deployment\\",\\"metadata\\":{\\"annotations\\":{},\\"name\\":\\"web\\",\\"namespace\\":\\"default\\"},\\"spec\\":{\\"replicas\\":2,\\"selector\\":{\\"matchLabels\\":{\\"app\\":\\"web\\"}},\\"template\\":{\\"metadata\\":{\\"labels\\":{\\"app\\":\\"web\\"}},\\"spec\\":{\\"containers\\":[{\\"image\\":\\"nginx:1.26\\",\\"name\\":\\"nginx\\",\\"ports\\":[{\\"containerPort\\":80},{\\"containerPort\\":8080,\\"name\\":\\"metrics\\"}]},{\\"command\\":[\\"sleep\\",\\"infinity\\"],\\"image\\":\\"busybox:1.36\\",\\"name\\":\\"sidecar\\"}]}}}}\\n"}},\
            "spec":{"replicas":2,"template":{"spec":{"$setElementOrder/containers":[{"name":"nginx"},{"name":"sidecar"}],\
            "containers":[{"image":"nginx:1.26","name":"nginx"},{"command":["sleep","infinity"],"image":"busybox:1.36","name":"sidecar"}]}}}}""";

    @Test
    void kubectlApplyOfAChangedDeploymentMergesContainersInTheConfiguredOrder() {
        ObjectNode patched = StrategicMergePatch.apply(Kube.deployment(),
                KUBECTL_APPLY_CHANGED_DEPLOYMENT.getBytes(java.nio.charset.StandardCharsets.UTF_8), Deployment.class);

        assertThat(patched.at("/spec/replicas").asInt()).isEqualTo(2);
        JsonNode containers = patched.at("/spec/template/spec/containers");
        assertThat(containers).hasSize(2);
        assertThat(containers.get(0).get("name").asString()).isEqualTo("nginx");
        assertThat(containers.get(0).get("image").asString()).isEqualTo("nginx:1.26");
        assertThat(containers.get(0).get("ports")).as("untouched fields of a merged item stay").hasSize(2);
        assertThat(containers.get(0).get("imagePullPolicy").asString()).isEqualTo("IfNotPresent");
        assertThat(containers.get(1)).isEqualTo(json("{'command':['sleep','infinity'],'image':'busybox:1.36','name':'sidecar'}"));
        assertThat(patched.at("/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration").asString())
                .startsWith("{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\"").endsWith("}\n");
        assertThat(patched.at("/metadata/annotations/deployment.kubernetes.io~1revision").asString()).isEqualTo("1");
    }

    @Test
    void kubectlApplyRemovingAContainerPortDeletesItByMergeKey() {
        ObjectNode patched = patchDeployment("""
                {'spec':{'template':{'spec':{'$setElementOrder/containers':[{'name':'nginx'}],
                  'containers':[{'$setElementOrder/ports':[{'containerPort':80}],'name':'nginx',
                                 'ports':[{'$patch':'delete','containerPort':8080}]}]}}}}""");

        assertThat(patched.at("/spec/template/spec/containers/0/ports")).isEqualTo(json("[{'containerPort':80,'protocol':'TCP'}]"));
        assertThat(patched.at("/spec/template/spec/containers/0/image").asString()).isEqualTo("nginx:1.25");
    }

    @Test
    void kubectlSetImageChangesOnlyThatContainersImage() {
        ObjectNode patched = patchDeployment("{'spec':{'template':{'spec':{'containers':[{'image':'nginx:1.27','name':'nginx'}]}}}}");

        ObjectNode expected = Kube.deployment();
        expected.withObject("/spec/template/spec/containers/0").put("image", "nginx:1.27");
        assertThat(patched).isEqualTo(expected);
    }

    @Test
    void kubectlRolloutRestartAddsTheTemplateAnnotation() {
        ObjectNode patched = patchDeployment(
                "{'spec':{'template':{'metadata':{'annotations':{'kubectl.kubernetes.io/restartedAt':'2024-05-01T12:00:00Z'}}}}}");

        assertThat(patched.at("/spec/template/metadata")).isEqualTo(json(
                "{'labels':{'app':'web'},'annotations':{'kubectl.kubernetes.io/restartedAt':'2024-05-01T12:00:00Z'}}"));
        assertThat(patched.at("/spec/template/spec")).isEqualTo(Kube.deployment().at("/spec/template/spec"));
    }

    @Test
    void kubectlScaleAsStrategicPatchSetsReplicas() {
        assertThat(patchDeployment("{'spec':{'replicas':5}}").at("/spec/replicas").asInt()).isEqualTo(5);
    }

    @Test
    void kubectlApplySwitchingTheRolloutStrategyRetainsOnlyTheListedKeys() {
        ObjectNode patched = patchDeployment("{'spec':{'strategy':{'$retainKeys':['type'],'rollingUpdate':null,'type':'Recreate'}}}");
        assertThat(patched.at("/spec/strategy")).isEqualTo(json("{'type':'Recreate'}"));
    }

    @Test
    void kubectlLabelAsStrategicPatchAddsTheLabel() {
        ObjectNode patched = patchDeployment("{'metadata':{'labels':{'env':'prod'}}}");
        assertThat(patched.at("/metadata/labels")).isEqualTo(json("{'app':'web','env':'prod'}"));
    }

    // ------------------------------------------------------------ strategies and directives, table-driven on a Pod

    static Stream<Arguments> podPatches() {
        return Stream.of(
                Arguments.of("null deletes a key",
                        "{'restartPolicy':'Always','dnsPolicy':'ClusterFirst'}",
                        "{'spec':{'dnsPolicy':null}}",
                        "{'restartPolicy':'Always'}"),
                Arguments.of("env merges by name",
                        "{'containers':[{'name':'a','env':[{'name':'X','value':'1'},{'name':'Y','value':'2'}]}]}",
                        "{'spec':{'containers':[{'name':'a','env':[{'name':'Y','value':'3'}]}]}}",
                        "{'containers':[{'name':'a','env':[{'name':'X','value':'1'},{'name':'Y','value':'3'}]}]}"),
                Arguments.of("volumeMounts merge by mountPath",
                        "{'containers':[{'name':'a','volumeMounts':[{'name':'v','mountPath':'/data'}]}]}",
                        "{'spec':{'containers':[{'name':'a','volumeMounts':[{'mountPath':'/data','readOnly':true}]}]}}",
                        "{'containers':[{'name':'a','volumeMounts':[{'name':'v','mountPath':'/data','readOnly':true}]}]}"),
                Arguments.of("a new container without $setElementOrder goes first, as in Kubernetes",
                        "{'containers':[{'name':'a','image':'a'}]}",
                        "{'spec':{'containers':[{'name':'b','image':'b'}]}}",
                        "{'containers':[{'name':'b','image':'b'},{'name':'a','image':'a'}]}"),
                Arguments.of("$patch: delete removes a container",
                        "{'containers':[{'name':'a'},{'name':'b'}]}",
                        "{'spec':{'containers':[{'name':'a','$patch':'delete'}]}}",
                        "{'containers':[{'name':'b'}]}"),
                Arguments.of("$patch: replace replaces a list",
                        "{'containers':[{'name':'a','image':'a'},{'name':'b'}]}",
                        "{'spec':{'containers':[{'$patch':'replace'},{'name':'c','image':'c'}]}}",
                        "{'containers':[{'name':'c','image':'c'}]}"),
                Arguments.of("$patch: replace replaces a map",
                        "{'securityContext':{'runAsUser':1,'runAsGroup':2}}",
                        "{'spec':{'securityContext':{'$patch':'replace','runAsUser':5}}}",
                        "{'securityContext':{'runAsUser':5}}"),
                Arguments.of("$patch: delete empties a map",
                        "{'securityContext':{'runAsUser':1},'hostname':'h'}",
                        "{'spec':{'securityContext':{'$patch':'delete'}}}",
                        "{'securityContext':{},'hostname':'h'}"),
                Arguments.of("$patch: merge merges",
                        "{'securityContext':{'runAsUser':1}}",
                        "{'spec':{'securityContext':{'$patch':'merge','runAsGroup':2}}}",
                        "{'securityContext':{'runAsUser':1,'runAsGroup':2}}"),
                Arguments.of("tolerations have no merge key and are replaced",
                        "{'tolerations':[{'key':'a','operator':'Exists'}]}",
                        "{'spec':{'tolerations':[{'key':'b','operator':'Exists'}]}}",
                        "{'tolerations':[{'key':'b','operator':'Exists'}]}"),
                Arguments.of("container args are replaced",
                        "{'containers':[{'name':'a','args':['1','2']}]}",
                        "{'spec':{'containers':[{'name':'a','args':['3']}]}}",
                        "{'containers':[{'name':'a','args':['3']}]}"),
                Arguments.of("volumes merge by name with $retainKeys",
                        "{'volumes':[{'name':'data','emptyDir':{}},{'name':'other','emptyDir':{}}]}",
                        "{'spec':{'$setElementOrder/volumes':[{'name':'data'},{'name':'other'}],"
                                + "'volumes':[{'$retainKeys':['configMap','name'],'configMap':{'name':'cfg'},'emptyDir':null,'name':'data'}]}}",
                        "{'volumes':[{'name':'data','configMap':{'name':'cfg'}},{'name':'other','emptyDir':{}}]}"),
                Arguments.of("imagePullSecrets merge by name",
                        "{'imagePullSecrets':[{'name':'a'}]}",
                        "{'spec':{'imagePullSecrets':[{'name':'b'}]}}",
                        "{'imagePullSecrets':[{'name':'b'},{'name':'a'}]}"),
                Arguments.of("hostAliases merge by ip",
                        "{'hostAliases':[{'ip':'10.0.0.1','hostnames':['a']}]}",
                        "{'spec':{'hostAliases':[{'ip':'10.0.0.1','hostnames':['b']}]}}",
                        "{'hostAliases':[{'ip':'10.0.0.1','hostnames':['b']}]}"),
                Arguments.of("topologySpreadConstraints merge by topologyKey",
                        "{'topologySpreadConstraints':[{'topologyKey':'zone','maxSkew':1,'whenUnsatisfiable':'DoNotSchedule'}]}",
                        "{'spec':{'topologySpreadConstraints':[{'topologyKey':'zone','maxSkew':2}]}}",
                        "{'topologySpreadConstraints':[{'topologyKey':'zone','maxSkew':2,'whenUnsatisfiable':'DoNotSchedule'}]}"),
                Arguments.of("$setElementOrder reorders containers",
                        "{'containers':[{'name':'a'},{'name':'b'}]}",
                        "{'spec':{'$setElementOrder/containers':[{'name':'b'},{'name':'a'}]}}",
                        "{'containers':[{'name':'b'},{'name':'a'}]}"),
                Arguments.of("new nested keys are taken without their nulls",
                        "{}",
                        "{'spec':{'securityContext':{'runAsUser':1,'runAsGroup':null}}}",
                        "{'securityContext':{'runAsUser':1}}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("podPatches")
    void appliesKubernetesPatchStrategiesToAPodSpec(String name, String liveSpec, String patch, String expectedSpec) {
        ObjectNode patched = StrategicMergePatch.apply(pod(liveSpec), body(patch), Pod.class);
        assertThat(patched.get("spec")).isEqualTo(json(expectedSpec));
    }

    static Stream<Arguments> metadataPatches() {
        return Stream.of(
                Arguments.of("finalizers merge as a set, patch items first",
                        "{'name':'x','finalizers':['a']}", "{'metadata':{'finalizers':['b','a']}}",
                        "{'name':'x','finalizers':['b','a']}"),
                Arguments.of("finalizers: a new one goes before the live ones",
                        "{'name':'x','finalizers':['a']}", "{'metadata':{'finalizers':['b']}}",
                        "{'name':'x','finalizers':['b','a']}"),
                Arguments.of("$deleteFromPrimitiveList removes finalizers",
                        "{'name':'x','finalizers':['a','b']}", "{'metadata':{'$deleteFromPrimitiveList/finalizers':['a']}}",
                        "{'name':'x','finalizers':['b']}"),
                Arguments.of("$setElementOrder orders a primitive list",
                        "{'name':'x','finalizers':['a','b']}",
                        "{'metadata':{'$setElementOrder/finalizers':['b','a','c'],'finalizers':['c']}}",
                        "{'name':'x','finalizers':['b','a','c']}"),
                Arguments.of("ownerReferences merge by uid",
                        "{'name':'x','ownerReferences':[{'uid':'1','kind':'ReplicaSet','name':'rs'}]}",
                        "{'metadata':{'ownerReferences':[{'uid':'1','controller':true}]}}",
                        "{'name':'x','ownerReferences':[{'uid':'1','kind':'ReplicaSet','name':'rs','controller':true}]}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("metadataPatches")
    void appliesKubernetesPatchStrategiesToObjectMeta(String name, String liveMeta, String patch, String expectedMeta) {
        ObjectNode live = obj("{'apiVersion':'v1','kind':'Pod','metadata':" + liveMeta + "}");
        assertThat(StrategicMergePatch.apply(live, body(patch), Pod.class).get("metadata")).isEqualTo(json(expectedMeta));
    }

    @Test
    void podStatusConditionsMergeByType() {
        ObjectNode live = obj("{'kind':'Pod','status':{'conditions':[{'type':'Ready','status':'False'},{'type':'PodScheduled','status':'True'}]}}");
        ObjectNode patched = StrategicMergePatch.apply(live,
                body("{'status':{'conditions':[{'type':'Ready','status':'True'}]}}"), Pod.class);
        assertThat(patched.at("/status/conditions")).isEqualTo(json(
                "[{'type':'Ready','status':'True'},{'type':'PodScheduled','status':'True'}]"));
    }

    @Test
    void servicePortsMergeByPort() {
        ObjectNode live = obj("{'kind':'Service','spec':{'ports':[{'port':80,'targetPort':8080,'protocol':'TCP'},{'port':443,'protocol':'TCP'}]}}");
        ObjectNode patched = StrategicMergePatch.apply(live, body("{'spec':{'ports':[{'port':80,'targetPort':9090}]}}"), Service.class);
        assertThat(patched.at("/spec/ports")).isEqualTo(json(
                "[{'port':80,'targetPort':9090,'protocol':'TCP'},{'port':443,'protocol':'TCP'}]"));
    }

    @Test
    void theSamePodSpecStrategiesApplyInsideADeploymentTemplate() {
        ObjectNode patched = patchDeployment("{'spec':{'template':{'spec':{'containers':[{'name':'nginx','env':[{'name':'A','value':'1'}]}],"
                + "'tolerations':[{'key':'k','operator':'Exists'}]}}}}");
        assertThat(patched.at("/spec/template/spec/containers/0/env")).isEqualTo(json("[{'name':'A','value':'1'}]"));
        assertThat(patched.at("/spec/template/spec/containers/0/image").asString()).isEqualTo("nginx:1.25");
    }

    // ------------------------------------------------------------ errors

    static Stream<Arguments> badPatches() {
        return Stream.of(
                Arguments.of("not JSON", "{'spec':", 400, null),
                Arguments.of("not an object", "[1]", 400, null),
                Arguments.of("item without its merge key", "{'spec':{'containers':[{'image':'x'}]}}", 400,
                        "map: map[image:x] does not contain declared merge key: name"),
                Arguments.of("unknown $patch in a map", "{'spec':{'securityContext':{'$patch':'frob'}}}", 400,
                        "unknown patch type: frob in map: map[$patch:frob]"),
                Arguments.of("$retainKeys not naming a patched key", "{'spec':{'$retainKeys':['hostname'],'dnsPolicy':'x'}}", 400,
                        "invalid patch format of retainKeys"),
                Arguments.of("$setElementOrder not a list", "{'spec':{'$setElementOrder/containers':{}}}", 400,
                        "invalid patch format of setElementOrder list"),
                Arguments.of("patch list out of $setElementOrder's order",
                        "{'spec':{'$setElementOrder/containers':[{'name':'a'}],'containers':[{'name':'b'}]}}", 400, null),
                Arguments.of("lists of lists", "{'metadata':{'finalizers':[['a']]}}", 422, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badPatches")
    void rejectsMalformedPatches(String name, String patch, int code, String message) {
        ObjectNode live = pod("{'containers':[{'name':'a'}]}");
        assertThatThrownBy(() -> StrategicMergePatch.apply(live, body(patch), Pod.class))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(code);
                    if (message != null) {
                        assertThat(e.getMessage()).isEqualTo(message);
                    }
                });
    }

    @Test
    void customResourcesDoNotTakeStrategicMergePatch() {
        var crd = new dev.coracle.server.registry.ResourceType("example.com", "v1", "Widget", "widgets", "widget", true,
                java.util.List.of(), java.util.List.of(), java.util.List.of(), io.fabric8.kubernetes.api.model.GenericKubernetesResource.class);
        assertThatThrownBy(() -> Patcher.patch(PatchType.STRATEGIC_MERGE_PATCH, obj("{}"), body("{}"), crd))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(415));
    }
}
