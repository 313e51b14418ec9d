package dev.coracle.e2e.lab;

import dev.coracle.e2e.Kubectl;
import dev.coracle.testsupport.ServerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The lab rehearsal: the seed's three-VM cluster with network namespaces on a bridge standing in for
 * the VMs on their private network. The real {@code provision/server.sh} installs the server on m
 * with the seed's k3s flags, the real {@code provision/agent.sh} joins w1 and w2 with the token the
 * server generated, and the real kubectl on the host uses the kubeconfig the server's provisioning
 * wrote for the host.
 */
class LabRehearsalTest {

    @TempDir
    Path lab;

    @Test
    void provisionedServerAndWorkersFormTheSeedsCluster() throws Exception {
        assumeTrue(LabNetwork.available(), "needs root and iproute2 (ip netns) to build the lab network");
        String port = String.valueOf(LabPorts.consecutive(1)[0]);
        try (LabNetwork network = LabNetwork.create("m", "w1", "w2")) {
            LabNode m = new LabNode("m", network, lab);
            LabNode w1 = new LabNode("w1", network, lab);
            LabNode w2 = new LabNode("w2", network, lab);
            try {
                Path kubeconfig = lab.resolve("shared/kubeconfig.yaml");
                Path token = lab.resolve("shared/token");
                String[] serverFlags = {"--flannel-iface", "eth1", "--node-name", "m", "--https-listen-port", port,
                        "--node-taint", "k3s-controlplane=true:NoExecute", "--disable", "traefik", "--disable", "servicelb",
                        "--kubeconfig-out", kubeconfig.toString(), "--token-out", token.toString()};
                String output = m.provision("server.sh", serverFlags).await();
                assertThat(output).contains("server m is up");
                assertThat(Files.readString(kubeconfig)).contains("server: https://" + m.ip() + ":" + port);

                String server = "https://" + m.ip() + ":" + port;
                List<LabNode.Run> agents = List.of(
                        w1.provision("agent.sh", "--server", server, "--token-file", token.toString(), "--iface", "eth1", "--node-name", "w1"),
                        w2.provision("agent.sh", "--server", server, "--token-file", token.toString(), "--iface", "eth1", "--node-name", "w2"));
                agents.forEach(LabNode.Run::await);

                Kubectl kubectl = new Kubectl(kubeconfig, Files.createDirectories(lab.resolve("kubectl")));
                awaitReadyNodes(kubectl, 3);
                assertThat(kubectl.run("get", "nodes", "-o", "wide").ok().table().rows())
                        .extracting(row -> row.get("NAME") + " " + row.get("STATUS") + " " + row.get("INTERNAL-IP"))
                        .containsExactlyInAnyOrder("m Ready " + m.ip(), "w1 Ready " + w1.ip(), "w2 Ready " + w2.ip());
                assertThat(kubectl.run("get", "node", "m", "-o",
                        "jsonpath={.spec.taints[0].key}={.spec.taints[0].value}:{.spec.taints[0].effect}").ok().stdout())
                        .isEqualTo("k3s-controlplane=true:NoExecute");

                // provisioning again with the same flags changes nothing
                assertThat(m.provision("server.sh", serverFlags).await()).contains("coracle-server is running", "and unchanged");

                kubectl.run("create", "deployment", "web", "--image=busybox", "--replicas=2", "--", "sleep", "3600").ok();
                kubectl.run("rollout", "status", "deployment/web", "--timeout=180s").ok();
                assertThat(kubectl.run("get", "pods", "-l", "app=web", "-o", "wide").ok().table().rows())
                        .extracting(row -> row.get("STATUS") + " " + row.get("NODE"))
                        .containsExactlyInAnyOrder("Running w1", "Running w2");
                // pods outlive a stopped agent (as with a kubelet), so the workload goes before the nodes
                kubectl.run("delete", "deployment", "web").ok();
                kubectl.run("wait", "--for=delete", "pod", "-l", "app=web", "--timeout=120s");
            } finally {
                for (LabNode node : List.of(w2, w1, m)) {
                    node.stop();
                }
            }
            assertThat(LabProcesses.mentioning(lab.toString())).as("processes of the lab still running").isEmpty();
        }
    }

    /** The agents register once they joined: waits (bounded) until {@code count} nodes are Ready. */
    static void awaitReadyNodes(Kubectl kubectl, int count) {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            Kubectl.Result nodes = kubectl.run("get", "nodes");
            last = nodes.toString();
            if (nodes.exitCode() == 0 && !nodes.stdout().isBlank() && nodes.table().rows().stream().filter(row -> "Ready".equals(row.get("STATUS"))).count() >= count) {
                return;
            }
            ServerProcess.sleep(1000);
        }
        throw new AssertionError("fewer than " + count + " nodes Ready after 3 minutes:\n" + last);
    }
}
