package dev.coracle.agent;

import dev.coracle.agent.join.Join;
import dev.coracle.agent.join.JoinException;
import dev.coracle.testsupport.Https;
import dev.coracle.testsupport.Ports;
import dev.coracle.testsupport.ServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** A real server process, a real agent, the real kubectl. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NodeAgentTest {

    private static final String NODE = "agent-test-node";

    @TempDir
    static Path tmp;

    private ServerProcess server;
    private NodeAgent agent;
    private Kubectl kubectl;

    @BeforeAll
    void start() throws Exception {
        server = ServerProcess.server("node-agent-test", tmp.resolve("server")).start();
        kubectl = new Kubectl(server.kubeconfig(), tmp.resolve("kubectl-cache"));
        agent = NodeAgent.start(AgentFlags.parse("--server", server.url(), "--token", server.joinToken(),
                "--node-name", NODE, "--node-ip", "127.0.0.1", "--data-dir", tmp.resolve("agent").toString(),
                "--node-label", "tier=test", "--node-taint", "dedicated=test:PreferNoSchedule",
                "--restart-backoff-base", "500ms", "--restart-backoff-max", "4s",
                "--agent-port", String.valueOf(Ports.free()), "--proxy-mode", "none"));
    }

    @AfterAll
    void stop() throws Exception {
        if (kubectl != null) {
            // the agent leaves pods running when it stops (a kubelet restart does too): delete them first
            kubectl.run("delete", "pods", "--all", "-A", "--timeout=60s");
        }
        if (agent != null) {
            agent.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void nodeRegistersAndTurnsReadyInKubectl() throws Exception {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Kubectl.Result nodes = kubectl.run("get", "nodes", "-o", "wide");
            assertThat(nodes.exit()).as(nodes.out()).isZero();
            assertThat(nodes.out()).containsPattern(NODE + "\\s+Ready\\s").contains("127.0.0.1");
        });
        Kubectl.Result node = kubectl.run("get", "node", NODE, "-o",
                "jsonpath={.metadata.labels.kubernetes\\.io/hostname} {.metadata.labels.tier} {.spec.taints[0].effect} "
                        + "{.status.capacity.pods} {.status.nodeInfo.operatingSystem}");
        assertThat(node.out()).isEqualTo(NODE + " test PreferNoSchedule 110 linux");
        Kubectl.Result lease = kubectl.run("get", "lease", "-n", "kube-node-lease", NODE, "-o", "jsonpath={.spec.holderIdentity}");
        assertThat(lease.out()).isEqualTo(NODE);
        String renewed = kubectl.run("get", "lease", "-n", "kube-node-lease", NODE, "-o", "jsonpath={.spec.renewTime}").out();
        await().atMost(Duration.ofSeconds(25)).untilAsserted(() -> assertThat(
                kubectl.run("get", "lease", "-n", "kube-node-lease", NODE, "-o", "jsonpath={.spec.renewTime}").out())
                .isNotEmpty().isNotEqualTo(renewed));
        // the agent holds its own credential and nothing else
        assertThat(Files.readString(tmp.resolve("agent/cred/node.token"))).startsWith("node." + NODE + ".");
    }

    @Test
    void wrongTokenIsRefusedAndNothingIsSaved() {
        Path dataDir = tmp.resolve("intruder");
        String good = server.joinToken();
        String wrongSecret = good.substring(0, good.indexOf("::server:")) + "::server:not-the-secret";
        assertThatThrownBy(() -> Join.joinOrReuse(server.url(), wrongSecret, "intruder", dataDir))
                .isInstanceOf(JoinException.class).hasMessageContaining("refused the join token");
        String wrongCa = "K10" + "0".repeat(64) + good.substring(good.indexOf("::server:"));
        assertThatThrownBy(() -> Join.joinOrReuse(server.url(), wrongCa, "intruder", dataDir))
                .isInstanceOf(JoinException.class).hasMessageContaining("does not match the join token");
        assertThat(dataDir.resolve("cred/node.token")).doesNotExist();
    }

    @Test
    void podRunsAsAProcessAndKubectlDeleteStopsIt() throws Exception {
        String manifest = """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: hello
                  namespace: default
                spec:
                  nodeName: %s
                  containers:
                  - name: main
                    image: busybox
                    command: [sh, -c, "echo hello $GREETING; sleep 30"]
                    env:
                    - name: GREETING
                      value: from-coracle
                """.formatted(NODE);
        Kubectl.Result created = kubectl.runWithInput(manifest, "apply", "-f", "-");
        assertThat(created.exit()).as(created.out()).isZero();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Kubectl.Result pod = kubectl.run("get", "pod", "hello", "-o",
                    "jsonpath={.status.phase} {.status.podIP} {.status.containerStatuses[0].state.running.startedAt}");
            assertThat(pod.out()).startsWith("Running 127.0.0.1 20");
        });
        Kubectl.Result ready = kubectl.run("get", "pod", "hello", "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}");
        assertThat(ready.out()).isEqualTo("True");
        Path logDir;
        try (var dirs = Files.list(tmp.resolve("agent/pods"))) {
            logDir = dirs.filter(d -> d.getFileName().toString().startsWith("default_hello_")).findFirst().orElseThrow();
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(Files.readString(logDir.resolve("main/0.log"))).contains("hello from-coracle"));
        List<ProcessHandle> running = containerProcesses("echo hello $GREETING; sleep 30");
        assertThat(running).hasSize(1);
        List<ProcessHandle> family = new java.util.ArrayList<>(running);
        family.addAll(running.get(0).descendants().toList());

        Kubectl.Result deleted = kubectl.run("delete", "pod", "hello", "--timeout=60s");
        assertThat(deleted.exit()).as(deleted.out()).isZero();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(family).noneMatch(ProcessHandle::isAlive));
        Kubectl.Result gone = kubectl.run("get", "pod", "hello");
        assertThat(gone.out()).contains("NotFound");
    }

    @Test
    void failingContainerIsRestartedWithBackOffAndNeverPodSucceeds() throws Exception {
        String manifest = """
                apiVersion: v1
                kind: Pod
                metadata: {name: crasher, namespace: default}
                spec:
                  nodeName: %1$s
                  restartPolicy: OnFailure
                  containers:
                  - {name: main, image: busybox, command: [sh, -c, "echo try; exit 3"]}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: once, namespace: default}
                spec:
                  nodeName: %1$s
                  restartPolicy: Never
                  containers:
                  - {name: main, image: busybox, command: [sh, -c, "exit 0"], workingDir: /tmp}
                """.formatted(NODE);
        Kubectl.Result created = kubectl.runWithInput(manifest, "apply", "-f", "-");
        assertThat(created.exit()).as(created.out()).isZero();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Kubectl.Result pod = kubectl.run("get", "pod", "crasher", "-o",
                    "jsonpath={.status.containerStatuses[0].restartCount} {.status.containerStatuses[0].lastState.terminated.exitCode}");
            String[] parts = pod.out().split(" ");
            assertThat(Integer.parseInt(parts[0])).isGreaterThanOrEqualTo(2);
            assertThat(parts[1]).isEqualTo("3");
        });
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(kubectl.run("get", "pod", "once", "-o", "jsonpath={.status.phase}").out()).isEqualTo("Succeeded"));
        assertThat(kubectl.run("delete", "pod", "crasher", "once", "--timeout=60s").exit()).isZero();
    }

    @Test
    void theSchedulerBindsAPodToTheAgentsNode() throws Exception {
        String manifest = """
                apiVersion: v1
                kind: Pod
                metadata: {name: scheduled, namespace: default}
                spec:
                  containers:
                  - {name: main, image: busybox, command: [sh, -c, "sleep 30"]}
                """;
        assertThat(kubectl.runWithInput(manifest, "apply", "-f", "-").exit()).isZero();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(kubectl.run("get", "pod", "scheduled", "-o", "jsonpath={.spec.nodeName} {.status.phase}").out())
                        .isEqualTo(NODE + " Running"));
        assertThat(kubectl.run("delete", "pod", "scheduled", "--timeout=60s").exit()).isZero();
    }

    @Test
    void deletionSendsSigtermFirst() throws Exception {
        String manifest = """
                apiVersion: v1
                kind: Pod
                metadata: {name: graceful, namespace: default}
                spec:
                  nodeName: %s
                  terminationGracePeriodSeconds: 20
                  containers:
                  - {name: main, image: busybox, command: [sh, -c, "trap 'echo got-TERM > %s; exit 0' TERM; while true; do sleep 1; done"]}
                """.formatted(NODE, tmp.resolve("graceful-term"));
        assertThat(kubectl.runWithInput(manifest, "apply", "-f", "-").exit()).isZero();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(kubectl.run("get", "pod", "graceful", "-o", "jsonpath={.status.phase}").out()).isEqualTo("Running"));
        Kubectl.Result deleted = kubectl.run("delete", "pod", "graceful", "--timeout=60s");
        assertThat(deleted.exit()).as(deleted.out()).isZero();
        assertThat(Files.readString(tmp.resolve("graceful-term"))).contains("got-TERM");
    }

    @Test
    void rejoiningUnderTheSameNameReplacesTheOldCredentialWhichOnlyTheJoinTokenMayIssue() throws Exception {
        var first = Join.join(server.url(), server.joinToken(), "rejoiner");
        assertThat(status("/api/v1/nodes", first.token())).isEqualTo(200);
        var second = Join.join(server.url(), server.joinToken(), "rejoiner");
        assertThat(second.token()).isNotEqualTo(first.token());
        assertThat(status("/api/v1/nodes", first.token())).isEqualTo(401);
        assertThat(status("/api/v1/nodes", second.token())).isEqualTo(200);
        // a node credential cannot mint more of them
        var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.url() + "/v1-coracle/node-credential?node=other"))
                .header("Authorization", "Bearer " + second.token()).POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build();
        assertThat(Https.trustAllClient().send(request, java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(403);
    }

    private int status(String path, String token) throws Exception {
        var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.url() + path))
                .header("Authorization", "Bearer " + token).GET().build();
        return Https.trustAllClient().send(request, java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    /** The container's own processes, not the agent's shim that waits for them. */
    /**
     * The containers' main processes: a shim's children with the marker. (Not every process with it: a container's
     * shell forking to run a command has a child with the same command line until that child execs.)
     */
    static List<ProcessHandle> containerProcesses(String marker) {
        return processes(marker).stream().filter(p -> !isShim(p) && p.parent().map(NodeAgentTest::isShim).orElse(false)).toList();
    }

    private static boolean isShim(ProcessHandle p) {
        return p.info().commandLine().orElse("").contains("coracle-shim");
    }

    static List<ProcessHandle> processes(String marker) {
        return ProcessHandle.allProcesses().filter(p -> {
            Optional<String> line = p.info().commandLine();
            return line.isPresent() && line.get().contains(marker);
        }).toList();
    }
}
