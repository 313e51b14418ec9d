package dev.coracle.server.auth;

import dev.coracle.server.api.Json;
import dev.coracle.server.bootstrap.ClusterCredentials;
import dev.coracle.server.join.JoinController;
import dev.coracle.server.testing.TestServer;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** What a node's credential may write: its Node, its Lease, Events, and its own pods' status and deletion; nothing else. */
class NodeAuthorizationTest {

    @AutoClose
    private static final TestServer server = TestServer.start((String) null, "--coracle.controllers.enabled=false").awaitReady();
    private static String w1;

    @BeforeAll
    static void join() {
        String joinToken = server.bean(ClusterCredentials.class).joinToken();
        HttpResponse<String> issued = server.send("POST", JoinController.NODE_CREDENTIAL + "?node=w1", null, new byte[0], joinToken);
        assertThat(issued.statusCode()).as(issued.body()).isEqualTo(200);
        w1 = issued.body().trim();
        try (KubernetesClient admin = server.client()) {
            for (String node : new String[] {"w1", "w2"}) {
                admin.secrets().inNamespace("default").resource(new SecretBuilder().withNewMetadata().withName("for-" + node)
                        .endMetadata().addToStringData("token", "s3cr3t").build()).create();
                admin.configMaps().inNamespace("default").resource(new ConfigMapBuilder().withNewMetadata().withName("settings-" + node)
                        .endMetadata().addToData("color", "blue").build()).create();
                admin.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("on-" + node).endMetadata()
                        .withNewSpec().withNodeName(node).addNewContainer().withName("main").withImage("busybox")
                        .addNewEnv().withName("TOKEN").withNewValueFrom().withNewSecretKeyRef("token", "for-" + node, false)
                        .endValueFrom().endEnv().endContainer()
                        .addNewVolume().withName("settings").withNewConfigMap().withName("settings-" + node).endConfigMap().endVolume()
                        .endSpec().build()).create();
            }
        }
    }

    @Test
    void aNodeWritesItsOwnNodeLeaseAndEvents() {
        assertThat(asW1("POST", "/api/v1/nodes", "{\"metadata\":{\"name\":\"w1\"}}").statusCode()).isEqualTo(201);
        assertThat(asW1("PATCH", "/api/v1/nodes/w1/status", "{\"status\":{\"phase\":\"Running\"}}").statusCode()).isEqualTo(200);
        assertThat(asW1("POST", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases",
                "{\"metadata\":{\"name\":\"w1\"},\"spec\":{\"holderIdentity\":\"w1\"}}").statusCode()).isEqualTo(201);
        assertThat(asW1("POST", "/api/v1/namespaces/default/events", "{\"metadata\":{\"name\":\"w1.started\"},"
                + "\"involvedObject\":{\"kind\":\"Node\",\"name\":\"w1\"},\"reason\":\"Starting\",\"type\":\"Normal\"}").statusCode())
                .isEqualTo(201);
    }

    @Test
    void aNodeReportsTheStatusOfItsOwnPodsOnly() {
        assertThat(asW1("PATCH", "/api/v1/namespaces/default/pods/on-w1/status", "{\"status\":{\"phase\":\"Running\"}}").statusCode())
                .isEqualTo(200);
        HttpResponse<String> other = asW1("PATCH", "/api/v1/namespaces/default/pods/on-w2/status", "{\"status\":{\"phase\":\"Failed\"}}");
        assertThat(message(other)).isEqualTo("pods \"on-w2\" is forbidden: User \"system:node:w1\" cannot patch resource \"pods/status\" "
                + "in API group \"\" in the namespace \"default\": can only update the status of or delete pods bound to node 'w1'");
        assertThat(message(asW1("DELETE", "/api/v1/namespaces/default/pods/on-w2", null))).contains("cannot delete resource \"pods\"");
    }

    @Test
    void aNodeWritesNothingElse() {
        assertThat(message(asW1("PATCH", "/api/v1/nodes/w2", "{\"metadata\":{\"labels\":{\"x\":\"y\"}}}")))
                .endsWith("node 'w1' cannot modify node 'w2'");
        // the name of a create is in its body: NodeRestriction's check
        assertThat(message(asW1("POST", "/api/v1/nodes", "{\"metadata\":{\"name\":\"w2\"}}")))
                .isEqualTo("nodes \"w2\" is forbidden: node \"w1\" is not allowed to modify node \"w2\"");
        assertThat(message(asW1("POST", "/api/v1/namespaces/default/configmaps", "{\"metadata\":{\"name\":\"planted\"}}")))
                .startsWith("configmaps is forbidden: User \"system:node:w1\" cannot create resource \"configmaps\"");
        assertThat(message(asW1("POST", "/api/v1/namespaces/default/pods", "{\"metadata\":{\"name\":\"planted\"}}")))
                .contains("cannot create resource \"pods\"");
        assertThat(message(asW1("PUT", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/w2", "{\"metadata\":{\"name\":\"w2\"}}")))
                .endsWith("can only access node lease with the same name as the requesting node");
        assertThat(asW1("GET", "/api/v1/namespaces/default/services", null).statusCode()).as("other reads stay open").isEqualTo(200);
    }

    @Test
    void aNodeReadsOnlyTheSecretsAndConfigMapsOfItsPods() {
        assertThat(asW1("GET", "/api/v1/namespaces/default/secrets/for-w1", null).statusCode()).isEqualTo(200);
        assertThat(asW1("GET", "/api/v1/namespaces/default/configmaps/settings-w1", null).statusCode()).isEqualTo(200);
        // one object watched by name, as the kubelet's secret manager does
        assertThat(asW1("GET", "/api/v1/namespaces/default/secrets?fieldSelector=metadata.name%3Dfor-w1", null).statusCode()).isEqualTo(200);
        assertThat(message(asW1("GET", "/api/v1/namespaces/default/secrets/for-w2", null))).isEqualTo("secrets \"for-w2\" is forbidden: "
                + "User \"system:node:w1\" cannot get resource \"secrets\" in API group \"\" in the namespace \"default\": "
                + "no relationship found between node 'w1' and this object");
        assertThat(message(asW1("GET", "/api/v1/namespaces/default/configmaps/settings-w2", null)))
                .endsWith("no relationship found between node 'w1' and this object");
        assertThat(message(asW1("GET", "/api/v1/namespaces/default/secrets", null))).endsWith("No Object name found");
        assertThat(message(asW1("GET", "/api/v1/secrets", null))).isEqualTo("secrets is forbidden: User \"system:node:w1\" "
                + "cannot list resource \"secrets\" in API group \"\" at the cluster scope: can only read namespaced object of this type");
    }

    @Test
    void theAccessReviewTellsANodeTheSame() {
        assertThat(canW1("create", "configmaps", "", "default", "")).isFalse();
        assertThat(canW1("patch", "nodes", "status", "", "w1")).isTrue();
        assertThat(canW1("patch", "pods", "status", "default", "on-w1")).isTrue();
        assertThat(canW1("patch", "pods", "status", "default", "on-w2")).isFalse();
        assertThat(canW1("list", "secrets", "", "default", "")).isFalse();
        assertThat(canW1("get", "secrets", "", "default", "for-w1")).isTrue();
        assertThat(canW1("get", "secrets", "", "default", "for-w2")).isFalse();
        assertThat(canW1("list", "services", "", "", "")).isTrue();
    }

    private static boolean canW1(String verb, String resource, String subresource, String namespace, String name) {
        String review = "{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SelfSubjectAccessReview\",\"spec\":{\"resourceAttributes\":"
                + "{\"verb\":\"" + verb + "\",\"resource\":\"" + resource + "\",\"subresource\":\"" + subresource
                + "\",\"namespace\":\"" + namespace + "\",\"name\":\"" + name + "\"}}}";
        HttpResponse<String> answer = asW1("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", review);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(201);
        return Json.readTree(answer.body().getBytes(StandardCharsets.UTF_8)).path("status").path("allowed").asBoolean();
    }

    private static String message(HttpResponse<String> refused) {
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(403);
        return Json.readTree(refused.body().getBytes(StandardCharsets.UTF_8)).path("message").asString();
    }

    private static HttpResponse<String> asW1(String method, String path, String body) {
        String type = method.equals("PATCH") ? "application/merge-patch+json" : "application/json";
        return server.send(method, path, body == null ? null : type, body == null ? null : body.getBytes(StandardCharsets.UTF_8), w1);
    }
}
