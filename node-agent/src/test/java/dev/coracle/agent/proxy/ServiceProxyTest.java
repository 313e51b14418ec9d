package dev.coracle.agent.proxy;

import dev.coracle.agent.AgentFlags;
import dev.coracle.agent.Kubectl;
import dev.coracle.agent.NodeAgent;
import dev.coracle.testsupport.NetnsHttpServer;
import dev.coracle.testsupport.Ports;
import dev.coracle.testsupport.ServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The agent's service proxy with real iptables: a Service's cluster IP reaches an HTTP server in a network namespace
 * this test makes (all traffic ends there), a Service without endpoints is refused at once, and the rules read as
 * kube-proxy's in {@code iptables-save}; they go when the agent stops.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServiceProxyTest {

    private static final String BACKEND_IP = "10.251.88.2";
    private static final int BACKEND_PORT = 8080;

    @TempDir
    static Path tmp;

    private ServerProcess server;
    private NodeAgent agent;
    private Kubectl kubectl;
    private NetnsHttpServer backend;

    @BeforeAll
    void start() throws Exception {
        assumeTrue(Iptables.available() && NetnsHttpServer.possible(), "needs root, iptables and ip netns");
        Path site = Files.createDirectories(tmp.resolve("www"));
        Files.writeString(site.resolve("index.html"), "from the backend\n");
        backend = NetnsHttpServer.start("coracle-svc-test", "coracle-svc0", "10.251.88", BACKEND_PORT, site);
        server = ServerProcess.server("service-proxy-test", tmp.resolve("server")).start();
        kubectl = new Kubectl(server.kubeconfig(), tmp.resolve("kubectl-cache"));
        agent = NodeAgent.start(AgentFlags.parse("--server", server.url(), "--token", server.joinToken(),
                "--node-name", "proxy-node", "--node-ip", "127.0.0.1", "--data-dir", tmp.resolve("agent").toString(),
                "--agent-port", String.valueOf(Ports.free()), "--proxy-mode", "iptables", "--stop-pods-on-exit"));
    }

    @AfterAll
    void stop() throws Exception {
        if (agent != null) {
            agent.close();
        }
        if (server != null) {
            server.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    @Test
    void aClusterIpLeadsToTheServicesEndpointsAndOneWithoutEndpointsIsRefused() throws Exception {
        apply("""
                apiVersion: v1
                kind: Service
                metadata: {name: backend, namespace: default}
                spec:
                  ports: [{name: http, port: 80, targetPort: %2$d}]
                ---
                apiVersion: v1
                kind: Endpoints
                metadata: {name: backend, namespace: default}
                subsets:
                - addresses: [{ip: %1$s}]
                  ports: [{name: http, port: %2$d}]
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: nobody, namespace: default}
                spec:
                  selector: {app: nobody}
                  ports: [{port: 80}]
                """.formatted(BACKEND_IP, BACKEND_PORT));
        String backendIp = kubectl.run("get", "service", "backend", "-o", "jsonpath={.spec.clusterIP}").out();
        String nobodyIp = kubectl.run("get", "service", "nobody", "-o", "jsonpath={.spec.clusterIP}").out();

        String chain = "KUBE-SVC-" + ProxyRules.hash("default/backend:http" + "tcp");
        // no packet is sent before the rules for both addresses are in: unruled, it would leave the machine
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(output("iptables-save", "-t", "nat")).contains("-d " + backendIp + "/32").contains(chain);
            assertThat(output("iptables-save", "-t", "filter")).contains("-d " + nobodyIp + "/32");
        });

        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
        HttpResponse<String> answer = client.send(HttpRequest.newBuilder(URI.create("http://" + backendIp + "/index.html"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode() + " " + answer.body()).isEqualTo("200 from the backend\n");
        // no endpoints: refused at once (REJECT), not left to time out
        long started = System.nanoTime();
        assertThatThrownBy(() -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(nobodyIp, 80), 5000);
            }
        }).isInstanceOf(ConnectException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(4));

        String nat = output("iptables-save", "-t", "nat");
        assertThat(nat).contains("-A KUBE-SERVICES -d " + backendIp + "/32 -p tcp -m comment --comment \"default/backend:http cluster IP\" "
                + "-m tcp --dport 80 -j " + chain);
        assertThat(nat).containsPattern("-A KUBE-SEP-\\S+ -p tcp -m comment --comment \"default/backend:http\" -m tcp -j DNAT --to-destination "
                + BACKEND_IP + ":" + BACKEND_PORT);
        assertThat(nat).contains("-A OUTPUT -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES");

        kubectl.run("delete", "service", "backend");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(output("iptables-save", "-t", "nat")).doesNotContain(chain));
    }

    private void apply(String manifest) throws Exception {
        Kubectl.Result applied = kubectl.runWithInput(manifest, "apply", "-f", "-");
        assertThat(applied.exit()).as(applied.out()).isZero();
    }

    private static String output(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        return out;
    }
}
