package dev.coracle.server.nodeproxy;

import dev.coracle.server.testing.Kubectl;
import dev.coracle.server.testing.TestServer;
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

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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

    private static final String NETNS = "coracle-proxy-test";
    private static final String HOST_SIDE = "cpx-host";
    private static final String POD_IP = "10.251.77.2";
    private static final int PORT = 18080;

    @TempDir
    static Path tmp;

    private TestServer server;
    private KubernetesClient client;
    private Process http;

    @BeforeAll
    void start() throws Exception {
        assumeTrue(ProcessHandle.current().info().user().map("root"::equals).orElse(false) && run("ip", "netns", "list") == 0,
                "needs root and ip netns");
        assumeTrue(Kubectl.installed(), "kubectl is not installed at " + Kubectl.PATH);
        removeNetwork();
        check("ip", "netns", "add", NETNS);
        check("ip", "link", "add", HOST_SIDE, "type", "veth", "peer", "name", "eth0", "netns", NETNS);
        check("ip", "addr", "add", "10.251.77.1/30", "dev", HOST_SIDE);
        check("ip", "link", "set", HOST_SIDE, "up");
        check("ip", "-n", NETNS, "addr", "add", POD_IP + "/30", "dev", "eth0");
        check("ip", "-n", NETNS, "link", "set", "eth0", "up");
        check("ip", "-n", NETNS, "link", "set", "lo", "up");
        Path site = Files.createDirectories(tmp.resolve("site"));
        Files.writeString(site.resolve("hello.txt"), "hello from the pod\n");
        http = new ProcessBuilder("ip", "netns", "exec", NETNS, "python3", "-m", "http.server", String.valueOf(PORT), "--bind", POD_IP)
                .directory(site.toFile()).redirectErrorStream(true).redirectOutput(tmp.resolve("http.log").toFile()).start();
        awaitListening();

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
        if (http != null) {
            http.destroyForcibly();
        }
        removeNetwork();
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

    private static void awaitListening() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(POD_IP, PORT), 500);
                return;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("the pod's HTTP server did not start");
    }

    private static void removeNetwork() {
        run("ip", "netns", "del", NETNS);
        run("ip", "link", "del", HOST_SIDE);
    }

    private static void check(String... command) {
        if (run(command) != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed");
        }
    }

    private static int run(String... command) {
        try {
            Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
