package dev.coracle.server.discovery;

import dev.coracle.server.testing.TestServer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code /readyz}, {@code /livez}, {@code /healthz} as kube-apiserver answers them, plain and {@code ?verbose}. */
class HealthEndpointsTest {

    @AutoClose
    private static final TestServer server = TestServer.start((String) null, "--coracle.controllers.enabled=false").awaitReady();

    @Test
    void readyIsOkForAnyone() {
        HttpResponse<String> ready = server.send("GET", "/readyz", null, null, "not-a-token");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).isEqualTo("ok");
    }

    @Test
    void verboseListsEachCheck() {
        assertThat(server.send("GET", "/readyz?verbose", null, null).body())
                .isEqualTo("[+]ping ok\n[+]etcd ok\n[+]poststarthook/bootstrap-controller ok\nreadyz check passed\n");
        assertThat(server.send("GET", "/livez?verbose", null, null).body()).isEqualTo("[+]ping ok\nlivez check passed\n");
    }

    @Test
    void oneCheckIsAskedByName() {
        assertThat(server.send("GET", "/readyz/etcd", null, null).body()).isEqualTo("ok");
        assertThat(server.send("GET", "/readyz/poststarthook/bootstrap-controller", null, null).body()).isEqualTo("ok");
        assertThat(server.send("GET", "/readyz/nothing", null, null).statusCode()).isEqualTo(404);
    }
}
