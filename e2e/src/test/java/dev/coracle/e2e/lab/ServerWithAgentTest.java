package dev.coracle.e2e.lab;

import dev.coracle.e2e.Kubectl;
import dev.coracle.testsupport.ServerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ./coracle server} is k3s's server: the control plane and an agent beside it, the agent
 * getting the agent flags given to the server and the server's own token; the seed's k3s flags are
 * accepted. Even a launcher killed outright (SIGKILL, no trap runs) leaves neither process behind.
 */
class ServerWithAgentTest {

    @TempDir
    Path work;

    @Test
    void serverRunsItsOwnTaintedNodeAndNothingOutlivesAKilledLauncher() {
        int[] ports = LabPorts.consecutive(2);
        Path dataDir = work.resolve("node/server");
        List<String> args = new ArrayList<>(List.of("server", "--data-dir", dataDir.toString(),
                "--bind-address", "127.0.0.1", "--https-listen-port", String.valueOf(ports[0]), "--node-name", "m",
                "--node-ip", "127.0.0.1", "--node-taint", "k3s-controlplane=true:NoExecute", "--node-label", "lab=rehearsal",
                "--disable", "traefik", "--disable", "servicelb", "--write-kubeconfig-mode", "644", "--proxy-mode", "none"));
        if (agentTakesAgentPort()) {
            args.addAll(List.of("--agent-port", String.valueOf(ports[1])));
        }
        try (LauncherProcess server = LauncherProcess.start(work.resolve("server.log"), args.toArray(String[]::new))) {
            server.awaitOutput(Duration.ofMinutes(4), out -> out.contains("coracle agent: node m joined"));
            assertThat(server.output()).contains("--disable traefik: Coracle packages no traefik");
            assertThat(Files.isDirectory(work.resolve("node/agent"))).as("the agent's data dir beside the server's").isTrue();

            Kubectl kubectl = new Kubectl(dataDir.resolve("kubeconfig.yaml"), work);
            LabRehearsalTest.awaitReadyNodes(kubectl, 1);
            assertThat(kubectl.run("get", "nodes").ok().table().rows())
                    .extracting(row -> row.get("NAME") + " " + row.get("STATUS") + " " + row.get("ROLES"))
                    .containsExactly("m Ready control-plane,master");
            assertThat(kubectl.run("get", "node", "m", "-o",
                    "jsonpath={.spec.taints[0].key}={.spec.taints[0].value}:{.spec.taints[0].effect} {.metadata.labels.lab}")
                    .ok().stdout()).isEqualTo("k3s-controlplane=true:NoExecute rehearsal");
            assertThat(posixMode(dataDir.resolve("kubeconfig.yaml"))).isEqualTo("rw-r--r--");

            List<ProcessHandle> started = server.tree();
            assertThat(started).as("the launcher, the server, the agent").hasSizeGreaterThanOrEqualTo(3);
            started.get(0).destroyForcibly(); // SIGKILL to the launcher alone
            assertThat(LabProcesses.awaitGone(started, Duration.ofSeconds(60))).as("processes that outlived their killed launcher").isEmpty();
        }
    }

    /** Whether the agent built here knows --agent-port yet (it names its flags in AgentFlags). */
    private static boolean agentTakesAgentPort() {
        Path flags = ServerProcess.root().resolve("node-agent/target/classes/dev/coracle/agent/AgentFlags.class");
        try {
            return Files.exists(flags) && new String(Files.readAllBytes(flags), java.nio.charset.StandardCharsets.ISO_8859_1).contains("agent-port");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String posixMode(Path file) {
        try {
            return java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
