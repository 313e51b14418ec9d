package dev.coracle.server.controller.endpointslicemirroring;

import dev.coracle.server.controller.replicaset.Cluster;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A Service without a selector and the Endpoints a user writes for it, as the real kubectl shows them. */
class EndpointSliceMirroringControllerTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private final Cluster cluster = Cluster.get();
    private final KubernetesClient client = cluster.client();


    private List<EndpointSlice> mirrored(String ns) {
        return client.discovery().v1().endpointSlices().inNamespace(ns).withLabel("kubernetes.io/service-name", "database")
                .list().getItems();
    }

    @Test
    void endpointsWrittenByHandAreMirroredIntoSlicesWhileTheServiceHasNoSelector() throws Exception {
        String ns = cluster.namespace("mirror");
        cluster.apply("""
                apiVersion: v1
                kind: Service
                metadata: {name: database, namespace: %1$s}
                spec:
                  ports: [{name: pg, port: 5432, targetPort: 5432}]
                ---
                apiVersion: v1
                kind: Endpoints
                metadata: {name: database, namespace: %1$s, labels: {team: data}}
                subsets:
                - addresses: [{ip: 192.0.2.10}, {ip: 192.0.2.11, hostname: replica}]
                  notReadyAddresses: [{ip: 192.0.2.12}]
                  ports: [{name: pg, port: 5432}]
                """.formatted(ns));

        Cluster.await("the Endpoints are mirrored", WAIT, () -> mirrored(ns).size() == 1);
        EndpointSlice slice = mirrored(ns).get(0);
        assertThat(slice.getMetadata().getName()).startsWith("database-");
        assertThat(slice.getMetadata().getLabels()).containsEntry("endpointslice.kubernetes.io/managed-by",
                "endpointslicemirroring-controller.k8s.io").containsEntry("team", "data");
        assertThat(slice.getMetadata().getOwnerReferences().get(0).getKind()).isEqualTo("Endpoints");
        assertThat(slice.getAddressType()).isEqualTo("IPv4");
        assertThat(slice.getEndpoints()).extracting(e -> e.getAddresses().get(0) + "=" + e.getConditions().getReady())
                .containsExactly("192.0.2.10=true", "192.0.2.11=true", "192.0.2.12=false");
        assertThat(cluster.kubectl("get", "endpointslices", "-n", ns).outOrFail())
                .containsPattern("database-\\S+\\s+IPv4\\s+5432\\s+192.0.2.10,192.0.2.11,192.0.2.12");
        assertThat(cluster.kubectl("describe", "service", "database", "-n", ns).outOrFail())
                .containsPattern("Endpoints:\\s+192.0.2.10:5432,192.0.2.11:5432");

        cluster.apply("""
                apiVersion: v1
                kind: Endpoints
                metadata: {name: database, namespace: %s, labels: {team: data}}
                subsets:
                - addresses: [{ip: 192.0.2.20}]
                  ports: [{name: pg, port: 5432}]
                """.formatted(ns));
        Cluster.await("the slice follows the Endpoints", WAIT, () -> mirrored(ns).size() == 1
                && mirrored(ns).get(0).getEndpoints().size() == 1
                && mirrored(ns).get(0).getEndpoints().get(0).getAddresses().get(0).equals("192.0.2.20"));
        assertThat(mirrored(ns).get(0).getMetadata().getName()).as("updated in place").isEqualTo(slice.getMetadata().getName());

        cluster.kubectl("patch", "service", "database", "-n", ns, "-p", "{\"spec\":{\"selector\":{\"app\":\"db\"}}}").outOrFail();
        Cluster.await("a Service with a selector has no mirrored slices", WAIT, () -> mirrored(ns).stream().noneMatch(s ->
                "endpointslicemirroring-controller.k8s.io".equals(s.getMetadata().getLabels().get("endpointslice.kubernetes.io/managed-by"))));
    }

    @Test
    void theKubernetesServiceIsNotMirrored() {
        assertThat(client.discovery().v1().endpointSlices().inNamespace("default").withLabel("kubernetes.io/service-name", "kubernetes")
                .list().getItems()).noneMatch(s -> "endpointslicemirroring-controller.k8s.io"
                        .equals(s.getMetadata().getLabels().get("endpointslice.kubernetes.io/managed-by")));
    }
}
