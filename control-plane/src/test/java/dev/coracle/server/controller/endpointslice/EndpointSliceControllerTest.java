package dev.coracle.server.controller.endpointslice;

import dev.coracle.server.controller.node.FakeKubelets;
import dev.coracle.server.controller.replicaset.Cluster;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * EndpointSlices on a real server, read as a user reads them with the real kubectl; the test plays the kubelet
 * (Nodes, and pods' IPs and readiness through pods/status).
 */
class EndpointSliceControllerTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Cluster cluster = Cluster.get();
    private static final KubernetesClient client = cluster.client();
    private static final List<String> NODES = List.of("slices-node-1", "slices-node-2");
    private static FakeKubelets kubelets;

    @BeforeAll
    static void nodes() {
        kubelets = new FakeKubelets(client, 2000);
        // tainted so the workload tests sharing this server schedule nothing here
        Taint keepOut = new Taint("NoSchedule", "coracle.test/endpointslices", null, null);
        NODES.forEach(n -> kubelets.register(n, "2", "4Gi", Map.of("topology.kubernetes.io/zone", "zone-" + n.charAt(n.length() - 1)), keepOut));
    }

    @AfterAll
    static void removeNodes() {
        kubelets.close();
        NODES.forEach(n -> client.nodes().withName(n).delete());
    }

    private static Pod pod(String ns, String name, Map<String, String> labels, String node, int httpPort) {
        return client.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata()
                .withNewSpec().withNodeName(node).addNewContainer().withName("nginx").withImage("nginx:1.25")
                .addNewPort().withName("http").withContainerPort(httpPort).endPort().endContainer().endSpec().build()).create();
    }

    /** What the kubelet reports: Running, the IP, and the Ready condition. */
    private static void status(String ns, String name, String ip, boolean ready) {
        FakeKubelets.reportPod(client, ns, name, ip, ready);
    }

    private static List<EndpointSlice> slices(String ns, String service) {
        return client.discovery().v1().endpointSlices().inNamespace(ns).withLabel("kubernetes.io/service-name", service).list().getItems();
    }

    private static int endpointCount(String ns, String service) {
        return slices(ns, service).stream().mapToInt(s -> s.getEndpoints().size()).sum();
    }

    private static String kubectl(String... args) {
        return cluster.kubectlIfInstalled(args).outOrFail();
    }

    @Test
    void describeShowsTheReadyPodsWhileTheSliceHoldsEveryPodWithAnIp() throws Exception {
        String ns = cluster.namespace("slices");
        Map<String, String> web = Map.of("app", "web");
        client.services().inNamespace(ns).resource(new ServiceBuilder()
                .withNewMetadata().withName("web").withLabels(Map.of("tier", "front")).endMetadata()
                .withNewSpec().withSelector(web)
                .addNewPort().withName("http").withPort(80).withTargetPort(new IntOrString("http")).endPort()
                .endSpec().build()).create();
        Pod a = pod(ns, "web-a", web, NODES.get(0), 8080);
        pod(ns, "web-b", web, NODES.get(1), 8081);
        pod(ns, "web-c", web, NODES.get(0), 8080);
        status(ns, "web-a", "10.42.1.10", true);
        status(ns, "web-b", "10.42.2.11", false); // not ready: in the slice, not on describe's Endpoints line
        status(ns, "web-c", null, true); // no IP yet: no endpoint

        Cluster.await("two endpoints in web's slices", WAIT, () -> endpointCount(ns, "web") == 2);
        String described = kubectl("describe", "svc", "web", "-n", ns);
        assertThat(described).containsPattern("(?m)^Endpoints:\\s+10\\.42\\.1\\.10:8080$");

        // each pod's container port differs, so each set of ports has its slice
        assertThat(kubectl("get", "endpointslices", "-n", ns))
                .containsPattern("(?m)^NAME\\s+ADDRESSTYPE\\s+PORTS\\s+ENDPOINTS\\s+AGE$")
                .containsPattern("(?m)^web-[a-z0-9]{5}\\s+IPv4\\s+8080\\s+10\\.42\\.1\\.10\\s+\\d+s$")
                .containsPattern("(?m)^web-[a-z0-9]{5}\\s+IPv4\\s+8081\\s+10\\.42\\.2\\.11\\s+\\d+s$");
        List<EndpointSlice> slices = slices(ns, "web");
        assertThat(slices).hasSize(2);
        EndpointSlice sliceOfA = slices.stream().filter(s -> s.getPorts().get(0).getPort() == 8080).findFirst().orElseThrow();
        assertThat(sliceOfA.getMetadata().getGenerateName()).isEqualTo("web-");
        assertThat(sliceOfA.getMetadata().getLabels()).containsExactlyInAnyOrderEntriesOf(Map.of("tier", "front",
                "kubernetes.io/service-name", "web", "endpointslice.kubernetes.io/managed-by", "endpointslice-controller.k8s.io"));
        assertThat(sliceOfA.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
            assertThat(o.getKind()).isEqualTo("Service");
            assertThat(o.getName()).isEqualTo("web");
            assertThat(o.getController()).isTrue();
            assertThat(o.getBlockOwnerDeletion()).isTrue();
        });
        assertThat(sliceOfA.getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getName()).isEqualTo("http");
            assertThat(p.getProtocol()).isEqualTo("TCP");
        });
        Endpoint endpointA = sliceOfA.getEndpoints().get(0);
        assertThat(endpointA.getAddresses()).containsExactly("10.42.1.10");
        assertThat(endpointA.getNodeName()).isEqualTo(NODES.get(0));
        assertThat(endpointA.getZone()).isEqualTo("zone-1");
        assertThat(endpointA.getTargetRef().getUid()).isEqualTo(a.getMetadata().getUid());
        assertThat(List.of(endpointA.getConditions().getReady(), endpointA.getConditions().getServing(),
                endpointA.getConditions().getTerminating())).containsExactly(true, true, false);
        Endpoint endpointB = slices.stream().filter(s -> s != sliceOfA).findFirst().orElseThrow().getEndpoints().get(0);
        assertThat(List.of(endpointB.getConditions().getReady(), endpointB.getConditions().getServing(),
                endpointB.getConditions().getTerminating())).containsExactly(false, false, false);

        // b turns ready, a terminates (still serving, no longer ready): the slices are updated in place
        String sliceName = sliceOfA.getMetadata().getName();
        status(ns, "web-b", "10.42.2.11", true);
        client.pods().inNamespace(ns).withName("web-a").withGracePeriod(30).delete();
        Cluster.await("describe shows b alone", WAIT, () -> kubectl("describe", "svc", "web", "-n", ns)
                .matches("(?s).*\\nEndpoints:\\s+10\\.42\\.2\\.11:8081\\n.*"));
        EndpointSlice updated = client.discovery().v1().endpointSlices().inNamespace(ns).withName(sliceName).get();
        assertThat(updated.getMetadata().getGeneration()).isGreaterThan(1L);
        assertThat(updated.getEndpoints()).singleElement().satisfies(e -> assertThat(List.of(e.getConditions().getReady(),
                e.getConditions().getServing(), e.getConditions().getTerminating())).containsExactly(false, true, true));
        client.pods().inNamespace(ns).withName("web-a").withGracePeriod(0).delete();
    }

    @Test
    void aServiceWithoutPodsHasAnEmptySliceThatGoesWithTheService() throws Exception {
        String ns = cluster.namespace("slices-gc");
        client.services().inNamespace(ns).resource(new ServiceBuilder().withNewMetadata().withName("idle").endMetadata()
                .withNewSpec().withSelector(Map.of("app", "idle")).addNewPort().withPort(80).endPort().endSpec().build()).create();
        Cluster.await("idle has its placeholder slice", WAIT, () -> slices(ns, "idle").size() == 1);
        assertThat(kubectl("get", "endpointslices", "-n", ns)).containsPattern("(?m)^idle-[a-z0-9]{5}\\s+IPv4\\s+<unset>\\s+<unset>\\s+\\d+s$");

        kubectl("delete", "svc", "idle", "-n", ns);
        Cluster.await("the garbage collector deletes idle's slice", WAIT, () -> slices(ns, "idle").isEmpty());
    }

    @Test
    void aSliceOfAnUnknownAddressTypeIsRefused() throws Exception {
        String ns = cluster.namespace("slices-invalid");
        Path manifest = Files.createTempFile("slice-", ".yaml");
        Files.writeString(manifest, """
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  name: manual
                addressType: IPv5
                endpoints:
                - addresses: ["10.0.0.1"]
                ports:
                - port: 80
                """, StandardCharsets.UTF_8);
        Cluster.Result refused = cluster.kubectlIfInstalled("create", "-f", manifest.toString(), "-n", ns);
        assertThat(refused.exitCode()).isNotZero();
        assertThat(refused.err()).contains("The EndpointSlice \"manual\" is invalid: addressType: Unsupported value: \"IPv5\": "
                + "supported values: \"FQDN\", \"IPv4\", \"IPv6\"");

        Files.writeString(manifest, Files.readString(manifest).replace("IPv5", "IPv4"));
        kubectl("create", "-f", manifest.toString(), "-n", ns);
        Cluster.Result immutable = cluster.kubectl("patch", "endpointslice", "manual", "-n", ns, "--type=merge", "-p", "{\"addressType\":\"FQDN\"}");
        assertThat(immutable.err()).contains("addressType: Invalid value: \"FQDN\": field is immutable");
        assertThat(kubectl("get", "endpointslice", "manual", "-n", ns, "-o", "jsonpath={.ports[0].name}|{.ports[0].protocol}"))
                .isEqualTo("|TCP");
        Files.delete(manifest);
    }
}
