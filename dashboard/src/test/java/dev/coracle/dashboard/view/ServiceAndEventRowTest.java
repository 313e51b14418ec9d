package dev.coracle.dashboard.view;

import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class ServiceAndEventRowTest {

    private static final KubernetesSerialization JSON = new KubernetesSerialization();
    private static final Instant NOW = Instant.parse("2026-11-27T08:00:00Z");

    @Test
    void aServiceShowsPortsSelectorAndReadyAndNotReadyEndpoints() {
        Service svc = JSON.unmarshal("""
                metadata: {name: web, namespace: demo}
                spec: {type: NodePort, clusterIP: 10.43.0.12, selector: {app: web}, ports: [{port: 80, nodePort: 30080, protocol: TCP}]}
                """, Service.class);
        Endpoints ep = JSON.unmarshal("""
                metadata: {name: web, namespace: demo}
                subsets:
                - addresses: [{ip: 10.42.1.5, targetRef: {kind: Pod, name: web-1}}]
                  notReadyAddresses: [{ip: 10.42.2.7}]
                  ports: [{port: 8080}]
                """, Endpoints.class);
        ServiceRow row = ServiceRow.of(svc, ep, NOW);
        assertThat(row.type()).isEqualTo("NodePort");
        assertThat(row.ports()).isEqualTo("80:30080/TCP");
        assertThat(row.selector()).isEqualTo("app=web");
        assertThat(row.readyEndpoints()).containsExactly("10.42.1.5:8080 (web-1)");
        assertThat(row.notReadyEndpoints()).containsExactly("10.42.2.7:8080");
        assertThat(ServiceRow.of(svc, null, NOW).readyEndpoints()).isEmpty();
    }

    @Test
    void anEventIsDatedByItsLastTimestampAndNamesItsObject() {
        EventRow row = EventRow.of(JSON.unmarshal("""
                metadata: {name: e1, namespace: demo}
                involvedObject: {kind: Pod, name: web-1, namespace: demo}
                reason: BackOff
                message: Back-off restarting failed container
                type: Warning
                count: 4
                firstTimestamp: "2026-11-27T07:00:00Z"
                lastTimestamp: "2026-11-27T07:58:00Z"
                """, Event.class), NOW);
        assertThat(row.lastSeen()).isEqualTo("2m");
        assertThat(row.object()).isEqualTo("pod/web-1");
        assertThat(row.warning()).isTrue();
        assertThat(row.count()).isEqualTo(4);
        assertThat(row.about("Pod", "demo", "web-1")).isTrue();
        assertThat(row.about("Pod", "other", "web-1")).isFalse();
    }

    @Test
    void aDeploymentRowCountsReadyAgainstDesired() {
        var row = WorkloadRows.deployment(JSON.unmarshal("""
                metadata: {name: web, namespace: demo, annotations: {deployment.kubernetes.io/revision: "3"}}
                spec:
                  replicas: 3
                  selector: {matchLabels: {app: web}}
                  template: {metadata: {labels: {app: web}}, spec: {containers: [{name: a, image: nginx:1.27}, {name: b, image: busybox}]}}
                status: {replicas: 3, readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2}
                """, Deployment.class), NOW);
        assertThat(row.readyText()).isEqualTo("2/3");
        assertThat(row.health()).isEqualTo("warn");
        assertThat(row.images()).isEqualTo("nginx:1.27,busybox");
        assertThat(row.revision()).isEqualTo("3");
        assertThat(WorkloadRows.revisionNumber("12")).isEqualTo(12);
    }
}
