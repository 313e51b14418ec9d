package dev.coracle.server.controller.nodeipam;

import dev.coracle.server.testing.TestServer;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Nodes get their pod CIDRs from --cluster-cidr, keep them across a restart, and free them when deleted. */
class NodeIpamControllerTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void eachNodeGetsItsOwnSlash24WhichSurvivesARestartAndIsFreedWithTheNode() throws Exception {
        Path dataDir = Files.createTempDirectory("coracle-ipam-");
        try (TestServer server = TestServer.start(dataDir, null, "--cluster-cidr", "10.99.0.0/23");
             KubernetesClient client = server.client()) {
            create(client, "n1");
            create(client, "n2");
            await().atMost(WAIT).until(() -> cidr(client, "n1") != null && cidr(client, "n2") != null);
            assertThat(new String[]{cidr(client, "n1"), cidr(client, "n2")}).containsExactlyInAnyOrder("10.99.0.0/24", "10.99.1.0/24");
            assertThat(client.nodes().withName("n1").get().getSpec().getPodCIDRs()).containsExactly(cidr(client, "n1"));

            create(client, "n3");
            await().atMost(WAIT).untilAsserted(() -> assertThat(client.v1().events().inNamespace("default").list().getItems())
                    .anyMatch(e -> "CIDRNotAvailable".equals(e.getReason()) && "n3".equals(e.getInvolvedObject().getName())));
            String freed = cidr(client, "n1");
            client.nodes().withName("n1").delete();
            await().atMost(WAIT).until(() -> freed.equals(cidr(client, "n3")));
        }
        try (TestServer again = TestServer.start(dataDir, null, "--cluster-cidr", "10.99.0.0/23");
             KubernetesClient client = again.client()) {
            String n2 = cidr(client, "n2");
            String n3 = cidr(client, "n3");
            client.nodes().withName("n3").delete();
            create(client, "n4");
            await().atMost(WAIT).until(() -> n3.equals(cidr(client, "n4")));
            assertThat(cidr(client, "n2")).isEqualTo(n2);
        }
    }

    private static void create(KubernetesClient client, String name) {
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName(name).endMetadata().build()).create();
    }

    private static String cidr(KubernetesClient client, String name) {
        Node node = client.nodes().withName(name).get();
        return node == null || node.getSpec() == null ? null : node.getSpec().getPodCIDR();
    }
}
