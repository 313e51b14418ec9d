package dev.coracle.server.auth;

import dev.coracle.server.testing.TestServer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;

import static org.assertj.core.api.Assertions.assertThat;

/** The join token, which every node holds, gets a node credential and reads discovery, and opens no object. */
class BootstrapAccessTest {

    @AutoClose
    private static final TestServer server = TestServer.start((String) null, "--coracle.controllers.enabled=false").awaitReady();

    @Test
    void theJoinTokenReadsNoObject() {
        HttpResponse<String> list = asJoinToken("GET", "/api/v1/namespaces/default/configmaps");
        assertThat(list.statusCode()).isEqualTo(403);
        assertThat(message(list)).contains("configmaps is forbidden: User \"system:node-bootstrap\" cannot list resource "
                + "\"configmaps\" in API group \"\" in the namespace \"default\"");
        HttpResponse<String> secret = asJoinToken("GET", "/api/v1/namespaces/kube-system/secrets/anything");
        assertThat(message(secret)).contains("secrets \"anything\" is forbidden: User \"system:node-bootstrap\" cannot get resource "
                + "\"secrets\" in API group \"\" in the namespace \"kube-system\"");
        assertThat(message(asJoinToken("DELETE", "/apis/apps/v1/namespaces/default/deployments")))
                .contains("cannot deletecollection resource \"deployments\" in API group \"apps\"");
        assertThat(message(asJoinToken("GET", "/api/v1/nodes"))).contains("at the cluster scope");
        assertThat(message(asJoinToken("GET", "/metrics"))).contains("cannot get path \"/metrics\"");
    }

    @Test
    void theJoinTokenReadsDiscoveryAndTheVersion() {
        assertThat(asJoinToken("GET", "/api").statusCode()).isEqualTo(200);
        assertThat(asJoinToken("GET", "/apis").statusCode()).isEqualTo(200);
        assertThat(asJoinToken("GET", "/apis/apps/v1").statusCode()).isEqualTo(200);
        assertThat(asJoinToken("GET", "/version").statusCode()).isEqualTo(200);
    }

    @Test
    void theAdminIsNotConcerned() {
        assertThat(server.send("GET", "/api/v1/namespaces/default/configmaps", null, null).statusCode()).isEqualTo(200);
    }

    private static String message(HttpResponse<String> status) {
        assertThat(status.statusCode()).isEqualTo(403);
        return dev.coracle.server.api.Json.readTree(status.body().getBytes()).path("message").asString();
    }

    private static HttpResponse<String> asJoinToken(String method, String path) {
        try {
            return server.send(method, path, null, null, Files.readString(server.dataDir().resolve("token")).trim());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
