package dev.coracle.agent.proxy;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ProxyRulesTest {

    private static Service service(String name, String ip, Integer nodePort) {
        return new ServiceBuilder().withNewMetadata().withNamespace("default").withName(name).endMetadata()
                .withNewSpec().withClusterIP(ip).withType(nodePort == null ? "ClusterIP" : "NodePort")
                .addNewPort().withName("http").withPort(80).withProtocol("TCP").withNodePort(nodePort).endPort().endSpec().build();
    }

    private static EndpointSlice slice(String service, boolean... ready) {
        EndpointSliceBuilder b = new EndpointSliceBuilder().withNewMetadata().withNamespace("default").withName(service + "-abc")
                .addToLabels("kubernetes.io/service-name", service).endMetadata().withAddressType("IPv4")
                .addNewPort().withName("http").withPort(8080).withProtocol("TCP").endPort();
        for (int i = 0; i < ready.length; i++) {
            b.addNewEndpoint().withAddresses("10.42.0." + (10 + i)).withNewConditions().withReady(ready[i]).endConditions().endEndpoint();
        }
        return b.build();
    }

    @Test
    void chainNamesAreKubeProxysHashes() {
        // as every kube-proxy names them (iptables-save on any cluster)
        assertThat(ProxyRules.hash("default/kubernetes:https" + "tcp")).isEqualTo("NPX46M4PTMTKRN6Y");
        assertThat(ProxyRules.hash("kube-system/kube-dns:dns" + "udp")).isEqualTo("TCOU7JCQXEZGVUNU");
        assertThat(ProxyRules.hash("kube-system/kube-dns:dns-tcp" + "tcp")).isEqualTo("ERIFXISQEP7F7OF4");
    }

    @Test
    void readyEndpointsShareTheServiceAtRandomAndAServiceWithoutAnyIsRejected() {
        var entries = ProxyRules.entries(List.of(service("web", "10.43.0.20", 30080), service("empty", "10.43.0.21", null)),
                List.of(slice("web", true, true, true, false), slice("empty", false)));
        String rules = ProxyRules.restoreInput(entries, "10.42.0.0/16", Set.of("KUBE-SVC-GONEGONEGONEGONE", "DOCKER"));
        String svc = "KUBE-SVC-" + ProxyRules.hash("default/web:http" + "tcp");

        assertThat(rules).contains("-A KUBE-SERVICES -m comment --comment \"default/web:http cluster IP\" -m tcp -p tcp -d 10.43.0.20/32 "
                + "--dport 80 -j " + svc + "\n");
        assertThat(rules).contains("-A " + svc + " -m comment --comment \"default/web:http cluster IP\" -m tcp -p tcp -d 10.43.0.20/32 "
                + "--dport 80 ! -s 10.42.0.0/16 -j KUBE-MARK-MASQ\n");
        assertThat(rules).contains("--comment \"default/web:http -> 10.42.0.10:8080\" -m statistic --mode random --probability 0.3333333333 -j KUBE-SEP-");
        assertThat(rules).contains("--comment \"default/web:http -> 10.42.0.11:8080\" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-");
        assertThat(rules).containsPattern("--comment \"default/web:http -> 10.42.0.12:8080\" -j KUBE-SEP-\\S+\n");
        assertThat(rules).doesNotContain("10.42.0.13").contains("-j DNAT --to-destination 10.42.0.12:8080\n");
        assertThat(rules).contains("-A KUBE-NODEPORTS -m comment --comment default/web:http -m tcp -p tcp --dport 30080 -j KUBE-EXT-");
        assertThat(rules).contains("-A KUBE-SERVICES -m comment --comment \"default/empty:http has no endpoints\" -m tcp -p tcp "
                + "-d 10.43.0.21/32 --dport 80 -j REJECT --reject-with icmp-port-unreachable\n");
        assertThat(rules).as("a Service gone: its chain flushed and deleted; other chains untouched")
                .contains(":KUBE-SVC-GONEGONEGONEGONE - [0:0]\n", "-X KUBE-SVC-GONEGONEGONEGONE\n").doesNotContain("DOCKER");
        assertThat(rules.indexOf("--dst-type LOCAL -j KUBE-NODEPORTS")).as("node ports last").isGreaterThan(rules.lastIndexOf("-A KUBE-SERVICES -m comment --comment \"default/web"));
    }

    @Test
    void iptablesAcceptsTheRules() throws Exception {
        assumeTrue(Iptables.available(), "needs root and iptables");
        var entries = ProxyRules.entries(List.of(service("web", "10.43.0.20", 30080)), List.of(slice("web", true, true)));
        Process check = new ProcessBuilder("iptables-restore", "--test", "--noflush").redirectErrorStream(true).start();
        check.getOutputStream().write(ProxyRules.restoreInput(entries, "10.42.0.0/16", Set.of()).getBytes(StandardCharsets.UTF_8));
        check.getOutputStream().close();
        String out = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(check.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(check.exitValue()).as(out).isZero();
    }
}
