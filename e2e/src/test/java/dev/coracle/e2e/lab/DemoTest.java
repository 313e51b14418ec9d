package dev.coracle.e2e.lab;

import dev.coracle.e2e.Kubectl;
import dev.coracle.e2e.Table;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * README's first command: {@code ./coracle demo} brings up the seed's lab on one machine — the server
 * with its own agent (node m, tainted like the seed's control plane) and agents w1 and w2 — prints
 * what to export for kubectl, and Ctrl-C stops every process it started.
 */
class DemoTest {

    @TempDir
    Path work;

    @Test
    void demoStartsThreeReadyNodesAndCtrlCLeavesNoProcessBehind() {
        int[] ports = LabPorts.consecutive(5);
        Path dataDir = work.resolve("demo");
        try (LauncherProcess demo = LauncherProcess.start(work.resolve("demo.log"), "demo", "--data-dir", dataDir.toString(),
                "--https-listen-port", String.valueOf(ports[0]), "--agent-port", String.valueOf(ports[1]),
                "--dashboard-port", String.valueOf(ports[4]))) {
            String banner = demo.awaitOutput(Duration.ofMinutes(5), out -> out.contains("Press Ctrl-C to stop everything."));
            Path kubeconfig = dataDir.resolve("server/kubeconfig.yaml");
            assertThat(banner).contains("export KUBECONFIG=" + kubeconfig, "https://127.0.0.1:" + ports[0]);

            Kubectl kubectl = new Kubectl(kubeconfig, work);
            Table nodes = kubectl.run("get", "nodes").ok().table();
            assertThat(nodes.rows()).extracting(row -> row.get("NAME") + " " + row.get("STATUS"))
                    .containsExactlyInAnyOrder("m Ready", "w1 Ready", "w2 Ready");
            assertThat(kubectl.run("get", "node", "m", "-o", "jsonpath={.spec.taints[*].key}={.spec.taints[*].value}:{.spec.taints[*].effect}")
                    .ok().stdout()).isEqualTo("k3s-controlplane=true:NoExecute");

            List<ProcessHandle> started = demo.tree();
            assertThat(started).as("the launcher, the server's launcher, the server, three agents").hasSizeGreaterThanOrEqualTo(6);

            demo.interrupt();
            assertThat(demo.awaitExit(Duration.ofSeconds(90))).isZero();
            assertThat(demo.output()).contains("coracle: stopping...");
            assertThat(LabProcesses.awaitGone(started, Duration.ofSeconds(30))).as("processes the demo started that outlived it").isEmpty();
            assertThat(LabProcesses.mentioning(dataDir.toString())).as("processes still naming the demo's data dir").isEmpty();
        }
    }
}
