package dev.coracle.server.auth;

import dev.coracle.server.testing.Kubectl;
import dev.coracle.server.testing.TestServer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code kubectl auth can-i} and {@code kubectl auth whoami}, answered for the admin of the kubeconfig. */
class SelfReviewsTest {

    @AutoClose
    private static final TestServer server = TestServer.start((String) null, "--coracle.controllers.enabled=false").awaitReady();

    @TempDir
    Path home;

    @Test
    void theAdminCanDoAnything() {
        assertThat(kubectl().succeeds("auth", "can-i", "create", "pods")).isEqualTo("yes\n");
        assertThat(kubectl().succeeds("auth", "can-i", "delete", "nodes", "--all-namespaces")).isEqualTo("yes\n");
        assertThat(kubectl().succeeds("auth", "can-i", "get", "/healthz")).isEqualTo("yes\n");
        assertThat(kubectl().succeeds("auth", "can-i", "--list")).contains("*.*").contains("[*]");
    }

    @Test
    void whoamiNamesTheUserAndItsGroups() {
        String whoami = kubectl().succeeds("auth", "whoami");
        assertThat(whoami).containsPattern("Username\\s+system:admin").containsPattern("Groups\\s+\\[system:masters system:authenticated\\]");
    }

    @Test
    void theReviewsAreListedForDiscovery() {
        assertThat(kubectl().succeeds("api-resources", "--api-group=authorization.k8s.io", "-o", "wide"))
                .containsPattern("selfsubjectaccessreviews\\s+authorization.k8s.io/v1\\s+false\\s+SelfSubjectAccessReview\\s+create");
        assertThat(kubectl().succeeds("api-resources", "--api-group=authentication.k8s.io"))
                .contains("selfsubjectreviews");
    }

    @Test
    void theJoinTokenMayNotExecIntoPods() throws IOException {
        String joinToken = Files.readString(server.dataDir().resolve("token")).trim();
        String exec = "{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SelfSubjectAccessReview\",\"spec\":{\"resourceAttributes\":"
                + "{\"namespace\":\"default\",\"verb\":\"create\",\"resource\":\"pods\",\"subresource\":\"exec\"}}}";
        var answer = server.send("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", "application/json",
                exec.getBytes(), joinToken);
        assertThat(answer.statusCode()).isEqualTo(201);
        assertThat(answer.body()).as("the join token opens no object").contains("\"allowed\":false");
        var asAdmin = server.send("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", "application/json", exec.getBytes());
        assertThat(asAdmin.body()).contains("\"allowed\":true");
    }

    @Test
    void aReviewAskingNothingIsInvalid() throws IOException {
        Path empty = home.resolve("review.json");
        Files.writeString(empty, "{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SelfSubjectAccessReview\",\"spec\":{}}");
        Kubectl.Result refused = kubectl().run("create", "--raw", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", "-f", empty.toString());
        assertThat(refused.exitCode()).isNotZero();
        assertThat(refused.err()).contains("spec.resourceAttributes: Invalid value: \"null\": exactly one of nonResourceAttributes or "
                + "resourceAttributes must be specified");
    }

    private Kubectl kubectl() {
        return new Kubectl(server, home);
    }
}
