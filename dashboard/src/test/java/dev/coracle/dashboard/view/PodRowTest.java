package dev.coracle.dashboard.view;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class PodRowTest {

    private static final Instant NOW = Instant.parse("2026-11-27T08:00:00Z");
    private static final KubernetesSerialization JSON = new KubernetesSerialization();

    private static Pod pod(String yaml) {
        return JSON.unmarshal(yaml, Pod.class);
    }

    @Test
    void aRunningReadyPodShowsItsColumnsLikeKubectl() {
        PodRow row = PodRow.of(pod("""
                metadata: {name: web-1, namespace: demo, creationTimestamp: "2026-11-27T07:55:00Z",
                  ownerReferences: [{kind: ReplicaSet, name: web-abc, controller: true, apiVersion: apps/v1, uid: u1}]}
                spec: {nodeName: w1, containers: [{name: main, image: nginx}]}
                status:
                  phase: Running
                  podIP: 10.42.1.5
                  conditions: [{type: Ready, status: "True"}]
                  containerStatuses:
                  - {name: main, ready: true, restartCount: 2, image: nginx, imageID: "", state: {running: {startedAt: "2026-11-27T07:58:00Z"}},
                     lastState: {terminated: {exitCode: 1, finishedAt: "2026-11-27T07:57:00Z"}}}
                """), NOW);
        assertThat(row.ready()).isEqualTo("1/1");
        assertThat(row.status()).isEqualTo("Running");
        assertThat(row.health()).isEqualTo("ok");
        assertThat(row.restartsText()).isEqualTo("2 (3m ago)");
        assertThat(row.node()).isEqualTo("w1");
        assertThat(row.ip()).isEqualTo("10.42.1.5");
        assertThat(row.age()).isEqualTo("5m");
        assertThat(row.owner()).isEqualTo("ReplicaSet/web-abc");
    }

    @Test
    void aWaitingReasonWinsOverThePhase() {
        PodRow row = PodRow.of(pod("""
                metadata: {name: crash, namespace: demo}
                spec: {containers: [{name: main, image: busybox}]}
                status:
                  phase: Running
                  containerStatuses:
                  - {name: main, ready: false, restartCount: 5, image: busybox, imageID: "", state: {waiting: {reason: CrashLoopBackOff}}}
                """), NOW);
        assertThat(row.status()).isEqualTo("CrashLoopBackOff");
        assertThat(row.health()).isEqualTo("bad");
        assertThat(row.ready()).isEqualTo("0/1");
        assertThat(row.node()).isEqualTo("<none>");
    }

    @Test
    void aTerminatedContainerWithoutReasonShowsItsExitCodeOrSignal() {
        assertThat(PodRow.of(pod("""
                metadata: {name: p, namespace: d}
                spec: {containers: [{name: main, image: x}]}
                status: {phase: Failed, containerStatuses: [{name: main, ready: false, restartCount: 0, image: x, imageID: "", state: {terminated: {exitCode: 3}}}]}
                """), NOW).status()).isEqualTo("ExitCode:3");
        assertThat(PodRow.of(pod("""
                metadata: {name: p, namespace: d}
                spec: {containers: [{name: main, image: x}]}
                status: {phase: Failed, containerStatuses: [{name: main, ready: false, restartCount: 0, image: x, imageID: "", state: {terminated: {exitCode: 137, signal: 9}}}]}
                """), NOW).status()).isEqualTo("Signal:9");
    }

    @Test
    void initContainersAreCountedUntilTheyAllSucceed() {
        PodRow row = PodRow.of(pod("""
                metadata: {name: p, namespace: d}
                spec: {initContainers: [{name: a, image: x}, {name: b, image: x}], containers: [{name: main, image: x}]}
                status:
                  phase: Pending
                  initContainerStatuses:
                  - {name: a, ready: true, restartCount: 0, image: x, imageID: "", state: {terminated: {exitCode: 0, reason: Completed}}}
                  - {name: b, ready: false, restartCount: 0, image: x, imageID: "", state: {running: {}}}
                """), NOW);
        assertThat(row.status()).isEqualTo("Init:1/2");
        assertThat(row.health()).isEqualTo("warn");
    }

    @Test
    void aDeletedPodIsTerminatingUnlessItAlreadyFinished() {
        assertThat(PodRow.of(pod("""
                metadata: {name: p, namespace: d, deletionTimestamp: "2026-11-27T07:59:00Z"}
                spec: {containers: [{name: main, image: x}]}
                status: {phase: Running}
                """), NOW).status()).isEqualTo("Terminating");
        assertThat(PodRow.of(pod("""
                metadata: {name: p, namespace: d, deletionTimestamp: "2026-11-27T07:59:00Z"}
                spec: {containers: [{name: main, image: x}]}
                status: {phase: Succeeded, containerStatuses: [{name: main, ready: false, restartCount: 0, image: x, imageID: "", state: {terminated: {exitCode: 0, reason: Completed}}}]}
                """), NOW).status()).isEqualTo("Completed");
    }

    @Test
    void aPendingPodWithoutStatusIsPending() {
        PodRow row = PodRow.of(pod("""
                metadata: {name: p, namespace: d}
                spec: {containers: [{name: main, image: x}, {name: side, image: y}]}
                """), NOW);
        assertThat(row.status()).isEqualTo("Pending");
        assertThat(row.ready()).isEqualTo("0/2");
        assertThat(row.age()).isEqualTo("<unknown>");
    }
}
