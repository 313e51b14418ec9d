package dev.coracle.server.join;

import dev.coracle.server.bootstrap.ClusterCredentials;
import dev.coracle.server.testing.TestDatabases;
import dev.coracle.server.testing.TestServer;
import io.fabric8.kubernetes.api.model.Secret;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class NodeCredentialsTest {

    @Test
    void aJoinedNodeIsKnownByItsSecretWhichHoldsOnlyTheTokensHash() {
        try (TestServer server = TestServer.embedded()) {
            String token = join(server, "w1");

            assertThat(server.send("GET", "/api/v1/nodes", null, null, token).statusCode()).isEqualTo(200);
            Secret secret = server.client().secrets().inNamespace("kube-system").withName("w1.node-credential.coracle").get();
            assertThat(secret.getType()).isEqualTo("coracle.dev/node-credential");
            String stored = new String(Base64.getDecoder().decode(secret.getData().get("token-sha256")), StandardCharsets.US_ASCII);
            assertThat(stored).isEqualTo(NodeCredentials.sha256(token)).doesNotContain(token);
        }
    }

    @Test
    void joiningAgainUnderTheSameNameRevokesTheOldCredential() {
        try (TestServer server = TestServer.embedded()) {
            String first = join(server, "w1");
            assertThat(server.send("GET", "/api/v1/nodes", null, null, first).statusCode()).isEqualTo(200);

            String second = join(server, "w1");

            assertThat(server.send("GET", "/api/v1/nodes", null, null, first).statusCode()).isEqualTo(401);
            assertThat(server.send("GET", "/api/v1/nodes", null, null, second).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aForgedNodeTokenIsRefused() {
        try (TestServer server = TestServer.embedded()) {
            join(server, "w1");
            String forged = "node.w1." + "0".repeat(48);
            assertThat(server.send("GET", "/api/v1/nodes", null, null, forged).statusCode()).isEqualTo(401);
            assertThat(server.send("GET", "/api/v1/nodes", null, null, "node.nosuch." + "1".repeat(48)).statusCode()).isEqualTo(401);
        }
    }

    @Test
    void aNodeJoinedThroughOneControlPlaneReplicaIsAcceptedByTheOther() {
        assumeTrue(TestDatabases.postgresAvailable(), "needs CORACLE_TEST_POSTGRES (./coracle test)");
        String datastore = TestDatabases.newPostgresDatabase();
        try (TestServer a = TestServer.start(datastore, "--token", "shared-secret", "--coracle.controllers.enabled=false");
             TestServer b = TestServer.start(datastore, "--token", "shared-secret", "--coracle.controllers.enabled=false")) {
            String token = join(a, "w1");

            assertThat(b.send("GET", "/api/v1/nodes", null, null, token).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aCredentialKeptInTheDataDirByAnEarlierVersionMovesIntoItsSecret() throws Exception {
        Path dataDir = Files.createTempDirectory("coracle-test-");
        String token = "node.w1." + "ab".repeat(24);
        Files.createDirectories(dataDir.resolve("cred/nodes"));
        Files.writeString(dataDir.resolve("cred/nodes/w1.token"), token + "\n");
        try (TestServer server = TestServer.start(dataDir, null)) {
            assertThat(server.send("GET", "/api/v1/nodes", null, null, token).statusCode()).isEqualTo(200);
            assertThat(dataDir.resolve("cred/nodes/w1.token")).doesNotExist();
            assertThat(server.client().secrets().inNamespace("kube-system").withName("w1.node-credential.coracle").get()).isNotNull();
        }
    }

    private static String join(TestServer server, String node) {
        String joinToken = server.bean(ClusterCredentials.class).joinToken();
        HttpResponse<String> response = server.send("POST", JoinController.NODE_CREDENTIAL + "?node=" + node, null, new byte[0], joinToken);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response.body().trim();
    }
}
