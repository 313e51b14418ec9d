package dev.coracle.server.controller.endpoints;

import dev.coracle.server.controller.node.FakeKubelets;
import dev.coracle.server.controller.replicaset.Cluster;
import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointPort;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/** Endpoints following pods' labels, readiness and IPs on a real server; the tests play the kubelet through pods/status. */
class EndpointsControllerTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private static final KubernetesClient client = Cluster.get().client();

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + WAIT.toSeconds() + "s waiting until " + what);
            }
            Thread.sleep(50);
        }
    }

    private static void namespace(String ns) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
    }

    /** A pod bound to {@code node}, its nginx container serving {@code http} on {@code httpPort} (none when 0). */
    private static Pod pod(String ns, String name, Map<String, String> labels, String node, int httpPort) {
        PodBuilder pod = new PodBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata()
                .withNewSpec().withNodeName(node).addNewContainer().withName("nginx").withImage("nginx:1.25").endContainer().endSpec();
        if (httpPort != 0) {
            pod.editSpec().editFirstContainer().addNewPort().withName("http").withContainerPort(httpPort).endPort().endContainer().endSpec();
        }
        return client.pods().inNamespace(ns).resource(pod.build()).create();
    }

    /** What the kubelet reports: Running, the IP, and the Ready condition. */
    private static void status(String ns, String name, String ip, boolean ready) {
        FakeKubelets.reportPod(client, ns, name, ip, ready);
    }

    private static Endpoints endpoints(String ns, String name) {
        return client.endpoints().inNamespace(ns).withName(name).get();
    }

    /** The endpoints flattened: "ready|notReady ip:port/name -> pod@node". */
    private static Set<String> flat(Endpoints ep) {
        Set<String> out = new TreeSet<>();
        if (ep == null || ep.getSubsets() == null) {
            return out;
        }
        for (EndpointSubset s : ep.getSubsets()) {
            for (EndpointPort p : s.getPorts()) {
                for (EndpointAddress a : s.getAddresses()) {
                    out.add("ready " + a.getIp() + ":" + p.getPort() + "/" + p.getName() + " -> " + target(a) + "@" + a.getNodeName());
                }
                for (EndpointAddress a : s.getNotReadyAddresses()) {
                    out.add("notReady " + a.getIp() + ":" + p.getPort() + "/" + p.getName() + " -> " + target(a) + "@" + a.getNodeName());
                }
            }
        }
        return out;
    }

    private static String target(EndpointAddress a) {
        return a.getTargetRef() == null ? "-" : a.getTargetRef().getName();
    }

    private static void awaitEndpoints(String ns, String name, Set<String> expected) throws InterruptedException {
        try {
            await("endpoints " + ns + "/" + name + " are " + expected, () -> flat(endpoints(ns, name)).equals(expected));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; they are " + flat(endpoints(ns, name)), e);
        }
    }

    @Test
    void readyAndNotReadyPodsAreApartWithNamedTargetPortsResolvedPerPod() throws Exception {
        String ns = "ep-apart";
        namespace(ns);
        Map<String, String> web = Map.of("app", "web");
        client.services().inNamespace(ns).resource(new ServiceBuilder()
                .withNewMetadata().withName("web").withLabels(Map.of("app", "web", "tier", "front")).endMetadata()
                .withNewSpec().withSelector(web)
                .addNewPort().withName("http").withPort(80).withTargetPort(new IntOrString("http")).endPort()
                .addNewPort().withName("metrics").withPort(9100).withTargetPort(new IntOrString(9100)).endPort()
                .endSpec().build()).create();
        Pod a = pod(ns, "web-a", web, "node-1", 8080);
        pod(ns, "web-b", web, "node-2", 8081);
        pod(ns, "web-c", web, "node-1", 8080);
        pod(ns, "web-d", web, "node-2", 0);
        pod(ns, "other", Map.of("app", "other"), "node-1", 8080);

        await("an Endpoints object with no subsets yet exists", () -> endpoints(ns, "web") != null);
        assertThat(endpoints(ns, "web").getSubsets()).isEmpty();

        status(ns, "web-a", "10.42.1.10", true);
        status(ns, "web-b", "10.42.2.11", false);
        status(ns, "web-c", null, true); // no IP yet: not an endpoint
        status(ns, "web-d", "10.42.2.13", true); // no port named http: only the numeric metrics port
        status(ns, "other", "10.42.1.14", true);

        awaitEndpoints(ns, "web", Set.of(
                "ready 10.42.1.10:8080/http -> web-a@node-1",
                "ready 10.42.1.10:9100/metrics -> web-a@node-1",
                "notReady 10.42.2.11:8081/http -> web-b@node-2",
                "notReady 10.42.2.11:9100/metrics -> web-b@node-2",
                "ready 10.42.2.13:9100/metrics -> web-d@node-2"));
        Endpoints ep = endpoints(ns, "web");
        assertThat(ep.getMetadata().getLabels()).isEqualTo(Map.of("app", "web", "tier", "front"));
        // like Kubernetes, a sync whose trigger time cannot be told (a resync, a lease handover) drops the annotation,
        // so it is checked when present rather than required
        String trigger = ep.getMetadata().getAnnotations() == null ? null
                : ep.getMetadata().getAnnotations().get("endpoints.kubernetes.io/last-change-trigger-time");
        if (trigger != null) {
            assertThat(Instant.parse(trigger)).isAfter(Instant.now().minusSeconds(60));
        }
        EndpointAddress address = ep.getSubsets().stream().flatMap(s -> s.getAddresses().stream())
                .filter(x -> x.getIp().equals("10.42.1.10")).findFirst().orElseThrow();
        assertThat(address.getTargetRef().getKind()).isEqualTo("Pod");
        assertThat(address.getTargetRef().getNamespace()).isEqualTo(ns);
        assertThat(address.getTargetRef().getName()).isEqualTo("web-a");
        assertThat(address.getTargetRef().getUid()).isEqualTo(a.getMetadata().getUid());
        assertThat(ep.getSubsets()).allSatisfy(s -> assertThat(s.getPorts()).allSatisfy(p -> assertThat(p.getProtocol()).isEqualTo("TCP")));
        // canonical form: one subset per distinct set of addresses, each with all the ports it serves
        assertThat(ep.getSubsets()).hasSize(3);
    }

    @Test
    void endpointsFollowReadinessIpsLabelsAndDeletion() throws Exception {
        String ns = "ep-follow";
        namespace(ns);
        Map<String, String> app = Map.of("app", "api");
        client.services().inNamespace(ns).resource(new ServiceBuilder().withNewMetadata().withName("api").endMetadata()
                .withNewSpec().withSelector(app).addNewPort().withPort(80).withTargetPort(new IntOrString(8080)).endPort()
                .endSpec().build()).create();
        pod(ns, "api-1", app, "node-1", 0);
        pod(ns, "api-2", app, "node-2", 0);
        status(ns, "api-1", "10.42.1.20", true);
        status(ns, "api-2", null, false);
        awaitEndpoints(ns, "api", Set.of("ready 10.42.1.20:8080/null -> api-1@node-1"));

        status(ns, "api-2", "10.42.2.21", false);
        awaitEndpoints(ns, "api", Set.of("ready 10.42.1.20:8080/null -> api-1@node-1", "notReady 10.42.2.21:8080/null -> api-2@node-2"));

        status(ns, "api-2", "10.42.2.21", true);
        status(ns, "api-1", "10.42.1.20", false);
        awaitEndpoints(ns, "api", Set.of("notReady 10.42.1.20:8080/null -> api-1@node-1", "ready 10.42.2.21:8080/null -> api-2@node-2"));

        // a pod relabelled out of the selector leaves
        client.pods().inNamespace(ns).withName("api-1").edit(p -> new PodBuilder(p).editMetadata().withLabels(Map.of("app", "debug")).endMetadata().build());
        awaitEndpoints(ns, "api", Set.of("ready 10.42.2.21:8080/null -> api-2@node-2"));

        // a terminating pod leaves; with no pod left the Endpoints stays, without subsets
        client.pods().inNamespace(ns).withName("api-2").withGracePeriod(30).delete();
        awaitEndpoints(ns, "api", Set.of());
        assertThat(endpoints(ns, "api").getSubsets()).isEmpty();
        client.pods().inNamespace(ns).withName("api-2").withGracePeriod(0).delete();
    }

    @Test
    void servicesWithoutSelectorAndTheApiServersOwnAreLeftAlone() throws Exception {
        String ns = "ep-manual";
        namespace(ns);
        client.services().inNamespace(ns).resource(new ServiceBuilder().withNewMetadata().withName("external").endMetadata()
                .withNewSpec().addNewPort().withPort(5432).endPort().endSpec().build()).create();
        Endpoints manual = client.endpoints().inNamespace(ns).resource(new EndpointsBuilder().withNewMetadata().withName("external").endMetadata()
                .addNewSubset().addNewAddress().withIp("192.168.1.50").endAddress().addNewPort().withPort(5432).endPort().endSubset()
                .build()).create();
        Endpoints kubernetes = endpoints("default", "kubernetes");
        // a Service with a selector, synced after the others: once its Endpoints exists the controller has been by
        client.services().inNamespace(ns).resource(new ServiceBuilder().withNewMetadata().withName("probe").endMetadata()
                .withNewSpec().withSelector(Map.of("app", "probe")).addNewPort().withPort(80).endPort().endSpec().build()).create();
        await("the probe's Endpoints exists", () -> endpoints(ns, "probe") != null);
        Thread.sleep(300);

        assertThat(endpoints(ns, "external").getMetadata().getResourceVersion()).isEqualTo(manual.getMetadata().getResourceVersion());
        assertThat(endpoints(ns, "external").getSubsets().get(0).getAddresses().get(0).getIp()).isEqualTo("192.168.1.50");
        // the kubernetes Service has no selector and is the API server's (which publishes no Endpoints on loopback)
        Endpoints after = endpoints("default", "kubernetes");
        assertThat(after == null ? null : after.getMetadata().getResourceVersion())
                .isEqualTo(kubernetes == null ? null : kubernetes.getMetadata().getResourceVersion());
    }

    @Test
    void headlessServicesAreLabelledAndDeletingTheServiceDeletesItsEndpoints() throws Exception {
        String ns = "ep-delete";
        namespace(ns);
        client.services().inNamespace(ns).resource(new ServiceBuilder().withNewMetadata().withName("db").endMetadata()
                .withNewSpec().withClusterIP("None").withSelector(Map.of("app", "db")).addNewPort().withPort(5432).endPort()
                .endSpec().build()).create();
        await("the Endpoints exists", () -> endpoints(ns, "db") != null);
        assertThat(endpoints(ns, "db").getMetadata().getLabels()).isEqualTo(Map.of("service.kubernetes.io/headless", ""));

        client.services().inNamespace(ns).withName("db").delete();

        await("the Endpoints is deleted with its Service", () -> endpoints(ns, "db") == null);
    }

    @Test
    void subsetsAreRepackedAsKubernetesRepacksThem() {
        EndpointAddress a = address("10.0.0.2", "uid-a");
        EndpointAddress b = address("10.0.0.1", "uid-b");
        EndpointPort http = port("http", 8080);
        EndpointPort metrics = port("metrics", 9100);
        List<EndpointSubset> repacked = Subsets.repack(List.of(
                subset(List.of(a), List.of(), http),
                subset(List.of(a), List.of(), metrics),
                subset(List.of(), List.of(b), http),
                subset(List.of(), List.of(b), metrics),
                subset(List.of(), List.of(a), http))); // ready wins over not ready for the same address and port

        assertThat(repacked).hasSize(1);
        assertThat(repacked.get(0).getAddresses()).extracting(EndpointAddress::getIp).containsExactly("10.0.0.2");
        assertThat(repacked.get(0).getNotReadyAddresses()).extracting(EndpointAddress::getIp).containsExactly("10.0.0.1");
        assertThat(repacked.get(0).getPorts()).extracting(EndpointPort::getName).containsExactly("http", "metrics");
    }

    private static EndpointAddress address(String ip, String uid) {
        EndpointAddress a = new EndpointAddress();
        a.setIp(ip);
        a.setTargetRef(new io.fabric8.kubernetes.api.model.ObjectReferenceBuilder().withKind("Pod").withUid(uid).build());
        return a;
    }

    private static EndpointPort port(String name, int number) {
        EndpointPort p = new EndpointPort();
        p.setName(name);
        p.setPort(number);
        p.setProtocol("TCP");
        return p;
    }

    private static EndpointSubset subset(List<EndpointAddress> ready, List<EndpointAddress> notReady, EndpointPort port) {
        EndpointSubset s = new EndpointSubset();
        s.setAddresses(ready);
        s.setNotReadyAddresses(notReady);
        s.setPorts(List.of(port));
        return s;
    }
}
