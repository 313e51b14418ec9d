package dev.coracle.server.metrics;

import dev.coracle.server.testing.Kubectl;
import dev.coracle.server.testing.TestServer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code kubectl get --raw /metrics}: the server's Prometheus metrics where kube-apiserver has them, for callers it knows. */
class ApiserverMetricsTest {

    @AutoClose
    private static final TestServer server = TestServer.start((String) null, "--coracle.controllers.enabled=false").awaitReady();

    @TempDir
    Path home;

    @Test
    void theRequestMetricsAreScrapedFromSlashMetrics() {
        Kubectl kubectl = new Kubectl(server, home);
        kubectl.succeeds("get", "configmaps", "-A");

        String metrics = kubectl.succeeds("get", "--raw", "/metrics");

        assertThat(metrics).contains("# TYPE apiserver_request_total counter")
                .containsPattern("apiserver_request_total\\{.*resource=\"configmaps\".*verb=\"LIST\".*} [1-9]");
    }

    @Test
    void anUnknownCallerIsRefused() {
        HttpResponse<String> anonymous = server.send("GET", "/metrics", null, null, "not-a-token");
        assertThat(anonymous.statusCode()).isEqualTo(401);
    }
}
