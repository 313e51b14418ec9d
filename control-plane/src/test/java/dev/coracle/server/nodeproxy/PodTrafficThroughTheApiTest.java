package dev.coracle.server.nodeproxy;

import dev.coracle.server.testing.Kubectl;
import dev.coracle.server.testing.TestServer;
import dev.coracle.testsupport.NetnsHttpServer;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code kubectl get --raw .../pods/NAME/proxy/PATH}, {@code .../services/NAME:PORT/proxy/PATH} and {@code kubectl
 * port-forward}: the request reaches the pod's HTTP server — a real one, in a network namespace this test makes, at the
 * pod's IP — and its answer comes back.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PodTrafficThroughTheApiTest {

    private static final String POD_IP = "10.251.77.2";
    private static final int PORT = 18080;

    @TempDir
    static Path tmp;

    private TestServer server;
    private KubernetesClient client;
    private NetnsHttpServer backend;

    @BeforeAll
    void start() throws Exception {
        assumeTrue(NetnsHttpServer.possible(), "needs root and ip netns");
        assumeTrue(Kubectl.installed(), "kubectl is not installed at " + Kubectl.PATH);
        Path site = Files.createDirectories(tmp.resolve("site"));
        Files.writeString(site.resolve("hello.txt"), "hello from the pod\n");
        backend = NetnsHttpServer.start("coracle-proxy-test", "cpx-host", "10.251.77", PORT, site);

        server = TestServer.start((String) null, "--coracle.controllers.enabled=false").awaitReady();
        client = server.client();
        Pod pod = client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("web").endMetadata()
                .withNewSpec().addNewContainer().withName("main").withImage("python").addNewPort().withContainerPort(PORT).endPort()
                .endContainer().endSpec().build()).create();
        pod.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder(pod.getStatus()).withPhase("Running").withPodIP(POD_IP).build());
        client.pods().inNamespace("default").resource(pod).updateStatus();
        // a Service without a selector, its Endpoints written by hand as for an external backend
        client.services().inNamespace("default").resource(new ServiceBuilder().withNewMetadata().withName("site").endMetadata()
                .withNewSpec().addNewPort().withName("http").withPort(80).endPort().endSpec().build()).create();
        client.endpoints().inNamespace("default").resource(new EndpointsBuilder().withNewMetadata().withName("site").endMetadata()
                .addNewSubset().addNewAddress().withIp(POD_IP).endAddress().addNewPort().withName("http").withPort(PORT).endPort()
                .endSubset().build()).create();
        client.services().inNamespace("default").resource(new ServiceBuilder().withNewMetadata().withName("empty").endMetadata()
                .withNewSpec().addToSelector("app", "none").addNewPort().withPort(80).endPort().endSpec().build()).create();
    }

    @AfterAll
    void stop() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    @Test
    void aPodIsReachedAtItsIpOnItsFirstContainerPort() {
        assertThat(kubectl().succeeds("get", "--raw", "/api/v1/namespaces/default/pods/web/proxy/hello.txt")).isEqualTo("hello from the pod\n");
        assertThat(kubectl().succeeds("get", "--raw", "/api/v1/namespaces/default/pods/http:web:" + PORT + "/proxy/hello.txt?x=1"))
                .isEqualTo("hello from the pod\n");
    }

    @Test
    void aServiceIsReachedThroughAnEndpointOfThePortAskedFor() {
        assertThat(kubectl().succeeds("get", "--raw", "/api/v1/namespaces/default/services/site:http/proxy/hello.txt"))
                .isEqualTo("hello from the pod\n");
        assertThat(kubectl().succeeds("get", "--raw", "/api/v1/namespaces/default/services/site:80/proxy/hello.txt"))
                .isEqualTo("hello from the pod\n");
    }

    @Test
    void theTargetsAnswerComesBackAsItIs() {
        Kubectl.Result missing = kubectl().run("get", "--raw", "/api/v1/namespaces/default/services/site:http/proxy/missing.txt");
        assertThat(missing.exitCode()).isNotZero();
        assertThat(missing.err()).contains("NotFound");
    }

    @Test
    void aServiceWithoutEndpointsIsUnavailable() {
        Kubectl.Result unavailable = kubectl().run("get", "--raw", "/api/v1/namespaces/default/services/empty/proxy/");
        assertThat(unavailable.exitCode()).isNotZero();
        assertThat(unavailable.err()).contains("no endpoints available for service \"empty\"");
    }

    @Test
    void aPathlessProxyUrlMovesToItsDirectory() {
        var moved = server.send("GET", "/api/v1/namespaces/default/pods/web/proxy?a=b", null, null);
        assertThat(moved.statusCode()).isEqualTo(301);
        assertThat(moved.headers().firstValue("Location")).hasValue("/api/v1/namespaces/default/pods/web/proxy/?a=b");
    }

    @Test
    void kubectlPortForwardCarriesConnectionsToThePod() throws Exception {
        int local;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
            local = probe.getLocalPort();
        }
        Path log = tmp.resolve("port-forward.log");
        Process forward = new ProcessBuilder(Kubectl.PATH.toString(), "--kubeconfig", server.kubeconfig().toString(),
                "port-forward", "pod/web", local + ":" + PORT).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!Files.readString(log).contains("Forwarding from") && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(Files.readString(log)).contains("Forwarding from 127.0.0.1:" + local + " -> " + PORT);
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            for (int i = 0; i < 3; i++) {
                var answer = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + local + "/hello.txt"))
                        .timeout(java.time.Duration.ofSeconds(10)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
                assertThat(answer.body()).as("connection %d", i).isEqualTo("hello from the pod\n");
            }
        } finally {
            forward.destroy();
            forward.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private Kubectl kubectl() {
        return new Kubectl(server, tmp);
    }
}
