package dev.coracle.server.bootstrap;

import dev.coracle.server.testing.Kubectl;
import dev.coracle.server.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The {@code kubernetes} Service leads to the server: its Endpoints and, as kubectl 1.31+ reads them, its EndpointSlice. */
class KubernetesServiceEndpointsTest {

    @Test
    void describeShowsTheAdvertisedAddressFromTheApiServersOwnSlice(@TempDir Path home) {
        assumeTrue(Kubectl.installed(), "kubectl is not installed");
        // a documentation address (TEST-NET-1): advertised only, never dialled
        try (TestServer server = TestServer.start((String) null, "--advertise-address", "192.0.2.10").awaitReady()) {
            Kubectl kubectl = new Kubectl(server, home);
            String port = String.valueOf(server.port());

            assertThat(kubectl.succeeds("describe", "svc", "kubernetes")).containsPattern("(?m)^Endpoints:\\s+192\\.0\\.2\\.10:" + port + "$");
            assertThat(kubectl.succeeds("get", "endpointslice", "kubernetes"))
                    .containsPattern("(?m)^kubernetes\\s+IPv4\\s+" + port + "\\s+192\\.0\\.2\\.10\\s+\\d+s$");
            assertThat(kubectl.succeeds("get", "endpointslice", "kubernetes", "-o",
                    "jsonpath={.metadata.labels}|{.endpoints[0].conditions}|{.ports[0].name}"))
                    .isEqualTo("{\"kubernetes.io/service-name\":\"kubernetes\"}|{\"ready\":true}|https");
            assertThat(kubectl.succeeds("get", "endpoints", "kubernetes", "-o", "jsonpath={.metadata.labels}"))
                    .isEqualTo("{\"endpointslice.kubernetes.io/skip-mirror\":\"true\"}");
        }
    }
}
