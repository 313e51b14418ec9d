package dev.coracle.agent;

import dev.coracle.testsupport.Https;
import dev.coracle.testsupport.Ports;
import dev.coracle.testsupport.ServerProcess;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** kubectl logs, exec and top through a real server process to a real agent and its processes. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NodeAgentApiTest {

    private static final String NODE = "api-test-node";

    @TempDir
    static Path tmp;

    private ServerProcess server;
    private NodeAgent agent;
    private Kubectl kubectl;
    private int agentPort;

    @BeforeAll
    void start() throws Exception {
        server = ServerProcess.server("node-agent-api-test", tmp.resolve("server"))
                .flags("--coracle.metrics.resolution=2s").start();
        kubectl = new Kubectl(server.kubeconfig(), tmp.resolve("kubectl-cache"));
        agentPort = Ports.free();
        agent = NodeAgent.start(AgentFlags.parse("--server", server.url(), "--token", server.joinToken(),
                "--node-name", NODE, "--node-ip", "127.0.0.1", "--data-dir", tmp.resolve("agent").toString(),
                "--agent-port", String.valueOf(agentPort), "--restart-backoff-base", "500ms",
                "--proxy-mode", "none", "--stop-pods-on-exit")); // its pods go with it: nothing of this test runs on
        String manifest = """
                apiVersion: v1
                kind: Pod
                metadata: {name: talker, namespace: default}
                spec:
                  nodeName: %1$s
                  containers:
                  - name: main
                    image: busybox
                    workingDir: %2$s
                    command: [sh, -c, "echo hello $GREETING; while [ ! -e later.mark ]; do sleep 0.1; done; echo later; sleep 1000"]
                    env: [{name: GREETING, value: world}]
                """.formatted(NODE, Files.createDirectories(tmp.resolve("talker-dir")));
        apply(manifest);
        awaitRunning("talker");
    }

    @AfterAll
    void stop() throws Exception {
        if (agent != null) {
            agent.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void logsFollowTailAndLimitLikeTheKubelets() throws Exception {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(kubectl.run("logs", "talker").out()).isEqualTo("hello world\n"));
        Process follow = kubectlProcess("logs", "-f", "talker");
        try {
            StringBuilder seen = new StringBuilder();
            Thread reader = pump(follow.getInputStream(), seen);
            await().atMost(Duration.ofSeconds(20)).until(() -> text(seen).contains("hello world"));
            Files.createFile(tmp.resolve("talker-dir/later.mark"));
            await().atMost(Duration.ofSeconds(20)).until(() -> text(seen).contains("later"));
            assertThat(follow.isAlive()).as("logs -f stays open").isTrue();
            reader.interrupt();
        } finally {
            follow.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        assertThat(kubectl.run("logs", "talker", "--tail=1").out()).isEqualTo("later\n");
        assertThat(kubectl.run("logs", "talker", "--limit-bytes=5").out()).isEqualTo("hello");
        assertThat(kubectl.run("logs", "talker", "--since=1h").out()).contains("hello world", "later");
        Kubectl.Result invalid = kubectl.run("get", "--raw", "/api/v1/namespaces/default/pods/talker/log?tailLines=-2");
        assertThat(invalid.exit()).isNotZero();
        assertThat(invalid.out()).contains("tailLines: Invalid value: -2: must be greater than or equal to 0");
        Kubectl.Result noPrevious = kubectl.run("logs", "-p", "talker");
        assertThat(noPrevious.exit()).isNotZero();
        assertThat(noPrevious.out()).contains("previous terminated container \"main\" in pod \"talker\" not found");
    }

    @Test
    void aPodOfTwoContainersNeedsTheContainerNamed() throws Exception {
        apply("""
                apiVersion: v1
                kind: Pod
                metadata: {name: duo, namespace: default}
                spec:
                  nodeName: %s
                  containers:
                  - {name: a, image: busybox, command: [sh, -c, "echo from-a; sleep 1000"]}
                  - {name: b, image: busybox, command: [sh, -c, "echo from-b; sleep 1000"]}
                """.formatted(NODE));
        awaitRunning("duo");
        Kubectl.Result unnamed = kubectl.run("get", "--raw", "/api/v1/namespaces/default/pods/duo/log");
        assertThat(unnamed.out()).contains("a container name must be specified for pod duo, choose one of: [a b]");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(kubectl.run("logs", "duo", "-c", "b").out()).isEqualTo("from-b\n"));
        Kubectl.Result wrong = kubectl.run("logs", "duo", "-c", "c");
        assertThat(wrong.out()).contains("container c is not valid for pod duo");
        kubectl.run("delete", "pod", "duo", "--grace-period=0", "--wait=false");
    }

    @Test
    void previousShowsTheRunBeforeARestart() throws Exception {
        Path mark = tmp.resolve("restarter.mark");
        apply("""
                apiVersion: v1
                kind: Pod
                metadata: {name: restarter, namespace: default}
                spec:
                  nodeName: %s
                  containers:
                  - name: main
                    image: busybox
                    command: [sh, -c, "if [ -e %s ]; then echo second run; sleep 1000; else touch %2$s; echo first run; exit 1; fi"]
                """.formatted(NODE, mark));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(kubectl.run("get", "pod", "restarter", "-o",
                "jsonpath={.status.containerStatuses[0].restartCount} {.status.phase} {.status.containerStatuses[0].ready}").out())
                .isEqualTo("1 Running true"));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(kubectl.run("logs", "restarter").out()).isEqualTo("second run\n"));
        assertThat(kubectl.run("logs", "-p", "restarter").out()).isEqualTo("first run\n");
        kubectl.run("delete", "pod", "restarter", "--grace-period=0", "--wait=false");
    }

    @Test
    void execRunsInTheContainersEnvironmentWithStdinAndExitCode() throws Exception {
        Kubectl.Result env = kubectl.run("exec", "talker", "--", "sh", "-c", "echo $GREETING; pwd; echo to-stderr >&2");
        assertThat(env.exit()).as(env.out()).isZero();
        // stdout and stderr travel as separate channels and this helper merges them: the stderr line may land anywhere
        assertThat(env.out()).contains("to-stderr\n");
        assertThat(env.out().replace("to-stderr\n", "")).contains("world\n" + tmp.resolve("talker-dir") + "\n");
        Kubectl.Result echo = kubectl.run("exec", "talker", "--", "echo", "hi; not a shell");
        assertThat(echo.out()).isEqualTo("hi; not a shell\n");
        Kubectl.Result cat = kubectl.runWithInput("line one\nline two\n", "exec", "-i", "talker", "--", "cat");
        assertThat(cat.exit()).as(cat.out()).isZero();
        assertThat(cat.out()).isEqualTo("line one\nline two\n");
        Kubectl.Result failing = kubectl.run("exec", "talker", "--", "sh", "-c", "exit 3");
        assertThat(failing.exit()).isEqualTo(3);
        assertThat(failing.out()).contains("command terminated with exit code 3");
    }

    @Test
    void execIntoAContainerNotYetStartedSaysSo() throws Exception {
        apply("""
                apiVersion: v1
                kind: Pod
                metadata: {name: initialising, namespace: default}
                spec:
                  nodeName: %s
                  initContainers:
                  - {name: wait, image: busybox, command: [sleep, "1000"]}
                  containers:
                  - {name: main, image: busybox, command: [sleep, "1000"]}
                """.formatted(NODE));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(kubectl.run("get", "pod", "initialising", "-o",
                "jsonpath={.status.initContainerStatuses[0].state.running.startedAt}").out()).isNotEmpty());
        // kubectl tries a WebSocket, then SPDY, and shows the second answer: both say why
        Kubectl.Result exec = kubectl.run("exec", "initialising", "-c", "main", "--", "true");
        assertThat(exec.exit()).isNotZero();
        assertThat(exec.out()).contains("container main is not running in pod initialising").doesNotContain("Upgrade");
        kubectl.run("delete", "pod", "initialising", "--grace-period=0", "--wait=false");
    }

    @Test
    void execWithATerminalGetsAPseudoTerminalOfTheClientsSize() throws Exception {
        // kubectl -t needs a terminal of its own: util-linux script gives it one
        String kubectlCommand = String.join(" ", "kubectl", "--kubeconfig", server.kubeconfig().toString(), "--cache-dir",
                tmp.resolve("kubectl-cache").toString(), "exec", "-it", "talker", "--", "sh", "-c", "'sleep 0.5; tty; stty size'");
        ProcessBuilder builder = new ProcessBuilder("script", "-q", "-e", "-c", "stty cols 100 rows 40; " + kubectlCommand, "/dev/null")
                .redirectErrorStream(true);
        builder.environment().remove("KUBECONFIG");
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(out).contains("/dev/pts/").contains("40 100");
        assertThat(process.exitValue()).as(out).isZero();
    }

    @Test
    void topShowsNodeAndPodUsageAndTheHistoryKeepsIt() throws Exception {
        apply("""
                apiVersion: v1
                kind: Pod
                metadata: {name: busy, namespace: default}
                spec:
                  nodeName: %s
                  containers:
                  - {name: spin, image: busybox, command: [sh, -c, "i=0; while [ $i -lt 100000000 ]; do i=$((i+1)); done; sleep 1000"]}
                """.formatted(NODE));
        try {
            awaitRunning("busy");
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                Kubectl.Result top = kubectl.run("top", "pods");
                assertThat(top.exit()).as(top.out()).isZero();
                assertThat(top.out()).containsPattern("busy\\s+[1-9][0-9]*m\\s+[0-9]+Mi");
            });
            Kubectl.Result containers = kubectl.run("top", "pods", "busy", "--containers");
            assertThat(containers.out()).containsPattern("busy\\s+spin\\s+[0-9]+m");
            Kubectl.Result nodes = kubectl.run("top", "nodes");
            assertThat(nodes.exit()).as(nodes.out()).isZero();
            assertThat(nodes.out()).containsPattern(NODE + "\\s+[1-9][0-9]*m\\s+[0-9]+%\\s+[1-9][0-9]*Mi");

            String history = get("/v1-coracle/metrics/history?kind=Pod&namespace=default&name=busy", server.adminToken()).body();
            assertThat(history).startsWith("{\"kind\":\"MetricsHistory\",\"resolution\":\"2s\",\"window\":\"1h\",\"points\":[{\"timestamp\":\"")
                    .containsPattern("\"cpuNanoCores\":[1-9][0-9]*,\"memoryBytes\":[1-9][0-9]*");
            assertThat(get("/v1-coracle/metrics/history?kind=Node&name=" + NODE, server.adminToken()).body()).contains("\"cpuNanoCores\":");
            assertThat(get("/v1-coracle/metrics/history?kind=Cluster", server.adminToken()).body()).contains("\"memoryBytes\":");
            HttpResponse<String> unknown = get("/v1-coracle/metrics/history?kind=Node&name=no-such-node", server.adminToken());
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(unknown.body()).contains("\"kind\":\"Status\"").contains("nodes \\\"no-such-node\\\" not found");
        } finally {
            kubectl.run("delete", "pod", "busy", "--grace-period=0", "--wait=false");
        }
    }

    @Test
    void theAgentPortServesOnlyTheControlPlane() throws Exception {
        assertThat(kubectl.run("get", "node", NODE, "-o", "jsonpath={.status.daemonEndpoints.kubeletEndpoint.Port}").out())
                .isEqualTo(String.valueOf(agentPort));
        URI summary = URI.create("https://127.0.0.1:" + agentPort + "/stats/summary");
        HttpResponse<String> anonymous = Https.trustAllClient().send(HttpRequest.newBuilder(summary).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);
        HttpClient intruder = HttpClient.newBuilder().sslContext(clientCertificateContext("system:node:intruder")).build();
        HttpResponse<String> otherUser = intruder.send(HttpRequest.newBuilder(summary).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(otherUser.statusCode()).isEqualTo(403);
        HttpClient controlPlane = HttpClient.newBuilder().sslContext(clientCertificateContext("system:apiserver")).build();
        HttpResponse<String> allowed = controlPlane.send(HttpRequest.newBuilder(summary).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(allowed.statusCode()).isEqualTo(200);
        assertThat(allowed.body()).contains("\"nodeName\":\"" + NODE + "\"", "\"usageCoreNanoSeconds\"", "\"workingSetBytes\"");
        // through the control plane, a node's own credential may not read other pods' logs
        String nodeToken = Files.readString(tmp.resolve("agent/cred/node.token")).trim();
        assertThat(get("/api/v1/namespaces/default/pods/talker/log", nodeToken).statusCode()).isEqualTo(403);
    }

    // ---- helpers ----------------------------------------------------------------------------

    private void apply(String manifest) throws Exception {
        Kubectl.Result applied = kubectl.runWithInput(manifest, "apply", "-f", "-");
        assertThat(applied.exit()).as(applied.out()).isZero();
    }

    private void awaitRunning(String pod) {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(kubectl.run("get", "pod", pod, "-o", "jsonpath={.status.phase}").out()).isEqualTo("Running"));
    }

    private Process kubectlProcess(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("kubectl", "--kubeconfig", server.kubeconfig().toString(),
                "--cache-dir", tmp.resolve("kubectl-cache").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove("KUBECONFIG");
        return builder.start();
    }

    private static Thread pump(InputStream in, StringBuilder into) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[4096];
            try {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    synchronized (into) {
                        into.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                    }
                }
            } catch (java.io.IOException ignored) {
                // the process ended
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static String text(StringBuilder b) {
        synchronized (b) {
            return b.toString();
        }
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        return Https.trustAllClient().send(HttpRequest.newBuilder(URI.create(server.url() + path))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A client certificate signed by the cluster CA (read from the server's data dir) for this common name. */
    private SSLContext clientCertificateContext(String commonName) throws Exception {
        Path tls = server.dataDir().resolve("tls");
        X509Certificate ca;
        PrivateKey caKey;
        try (PEMParser parser = new PEMParser(Files.newBufferedReader(tls.resolve("server-ca.crt")))) {
            ca = new JcaX509CertificateConverter().getCertificate((X509CertificateHolder) parser.readObject());
        }
        try (PEMParser parser = new PEMParser(Files.newBufferedReader(tls.resolve("server-ca.key")))) {
            Object key = parser.readObject();
            caKey = key instanceof PEMKeyPair pair ? new JcaPEMKeyConverter().getKeyPair(pair).getPrivate()
                    : new JcaPEMKeyConverter().getPrivateKey((org.bouncycastle.asn1.pkcs.PrivateKeyInfo) key);
        }
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair pair = generator.generateKeyPair();
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(ca, BigInteger.valueOf(System.nanoTime()),
                Date.from(Instant.now().minusSeconds(60)), Date.from(Instant.now().plusSeconds(3600)),
                new X500Name("CN=" + commonName), pair.getPublic());
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
        X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKey)));
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("client", pair.getPrivate(), new char[0], new X509Certificate[]{cert, ca});
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, new char[0]);
        return dev.coracle.agent.join.Join.trustingAnything(keys.getKeyManagers());
    }
}
