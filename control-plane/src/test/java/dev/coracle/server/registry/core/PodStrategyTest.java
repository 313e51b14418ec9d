package dev.coracle.server.registry.core;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Toleration;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.coracle.server.registry.Fixtures.CLOCK;
import static dev.coracle.server.registry.Fixtures.ago;
import static dev.coracle.server.registry.Fixtures.render;
import static dev.coracle.server.registry.Fixtures.yaml;
import static org.assertj.core.api.Assertions.assertThat;

class PodStrategyTest {

    private final PodStrategy strategy = new PodStrategy(CLOCK);

    private static Pod pod(String spec) {
        return yaml("""
                apiVersion: v1
                kind: Pod
                metadata:
                  name: web
                  namespace: default
                  creationTimestamp: "%s"
                spec:
                %s
                """.formatted(ago(300), spec.indent(2)), Pod.class);
    }

    private Pod created(String spec) {
        Pod p = pod(spec);
        strategy.applyDefaults(p);
        strategy.prepareForCreate(p);
        return p;
    }

    @Test
    void describesPodsAsDiscoveryDoes() {
        assertThat(strategy.type().plural()).isEqualTo("pods");
        assertThat(strategy.type().shortNames()).containsExactly("po");
        assertThat(strategy.type().categories()).containsExactly("all");
        assertThat(strategy.type().subresources()).contains("status", "binding", "log", "eviction");
        assertThat(strategy.tracksGeneration()).isFalse();
    }

    @Test
    void defaultsTheSpecAsTheV1Defaulter() {
        Pod p = pod("""
                containers:
                - name: web
                  image: nginx
                  ports:
                  - containerPort: 80
                  livenessProbe:
                    httpGet:
                      port: 80
                """);
        strategy.applyDefaults(p);
        var spec = p.getSpec();
        assertThat(spec.getRestartPolicy()).isEqualTo("Always");
        assertThat(spec.getDnsPolicy()).isEqualTo("ClusterFirst");
        assertThat(spec.getSchedulerName()).isEqualTo("default-scheduler");
        assertThat(spec.getTerminationGracePeriodSeconds()).isEqualTo(30L);
        assertThat(spec.getSecurityContext()).isNotNull();
        assertThat(spec.getEnableServiceLinks()).isTrue();
        var c = spec.getContainers().get(0);
        assertThat(c.getImagePullPolicy()).isEqualTo("Always");
        assertThat(c.getTerminationMessagePath()).isEqualTo("/dev/termination-log");
        assertThat(c.getTerminationMessagePolicy()).isEqualTo("File");
        assertThat(c.getPorts().get(0).getProtocol()).isEqualTo("TCP");
        var probe = c.getLivenessProbe();
        assertThat(probe.getTimeoutSeconds()).isEqualTo(1);
        assertThat(probe.getPeriodSeconds()).isEqualTo(10);
        assertThat(probe.getSuccessThreshold()).isEqualTo(1);
        assertThat(probe.getFailureThreshold()).isEqualTo(3);
        assertThat(probe.getHttpGet().getScheme()).isEqualTo("HTTP");
        assertThat(probe.getHttpGet().getPath()).isEqualTo("/");
    }

    @Test
    void pullPolicyIsAlwaysOnlyForLatestOrUntaggedImages() {
        assertThat(PodSpecDefaults.defaultPullPolicy("nginx")).isEqualTo("Always");
        assertThat(PodSpecDefaults.defaultPullPolicy("nginx:latest")).isEqualTo("Always");
        assertThat(PodSpecDefaults.defaultPullPolicy("registry.local:5000/team/app")).isEqualTo("Always");
        assertThat(PodSpecDefaults.defaultPullPolicy("nginx:1.27")).isEqualTo("IfNotPresent");
        assertThat(PodSpecDefaults.defaultPullPolicy("registry.local:5000/team/app:v2")).isEqualTo("IfNotPresent");
        assertThat(PodSpecDefaults.defaultPullPolicy("nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"))
                .isEqualTo("IfNotPresent");
    }

    @Test
    void requestsDefaultToLimitsOnPodsOnly() {
        Pod p = pod("""
                containers:
                - name: web
                  image: nginx:1.27
                  resources:
                    limits: {cpu: 500m, memory: 128Mi}
                """);
        strategy.applyDefaults(p);
        assertThat(p.getSpec().getContainers().get(0).getResources().getRequests()).containsKeys("cpu", "memory");
    }

    @Test
    void createSetsPendingStatusQosPriorityAndDefaultTolerations() {
        Pod p = pod("""
                containers:
                - name: web
                  image: nginx:1.27
                  resources:
                    limits: {cpu: 500m, memory: 128Mi}
                """);
        p.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Running").withPodIP("1.2.3.4").build());
        strategy.applyDefaults(p);
        strategy.prepareForCreate(p);
        assertThat(p.getStatus().getPhase()).isEqualTo("Pending");
        assertThat(p.getStatus().getPodIP()).isNull();
        assertThat(p.getStatus().getQosClass()).isEqualTo("Guaranteed");
        assertThat(p.getSpec().getPriority()).isZero();
        assertThat(p.getSpec().getPreemptionPolicy()).isEqualTo("PreemptLowerPriority");
        assertThat(p.getSpec().getTolerations()).extracting(Toleration::getKey, Toleration::getOperator, Toleration::getEffect, Toleration::getTolerationSeconds)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("node.kubernetes.io/not-ready", "Exists", "NoExecute", 300L),
                        org.assertj.core.groups.Tuple.tuple("node.kubernetes.io/unreachable", "Exists", "NoExecute", 300L));
    }

    @Test
    void qosClassIsBurstableOrBestEffort() {
        assertThat(created("""
                containers:
                - {name: a, image: nginx:1.27, resources: {requests: {cpu: 100m}}}
                """).getStatus().getQosClass()).isEqualTo("Burstable");
        assertThat(created("""
                containers:
                - {name: a, image: nginx:1.27}
                """).getStatus().getQosClass()).isEqualTo("BestEffort");
    }

    @Test
    void existingTolerationsForTheTaintsAreKept() {
        Pod p = created("""
                containers:
                - {name: a, image: nginx:1.27}
                tolerations:
                - {operator: Exists}
                """);
        assertThat(p.getSpec().getTolerations()).hasSize(1);
    }

    @Test
    void containersAreRequired() {
        Pod p = created("containers: []");
        assertThat(render(strategy.validate(p))).containsExactly("spec.containers: Required value");
    }

    @Test
    void imageIsRequired() {
        Pod p = created("""
                containers:
                - name: web
                """);
        assertThat(render(strategy.validate(p))).containsExactly("spec.containers[0].image: Required value");
    }

    @Test
    void containerNamesMustBeDnsLabelsAndUnique() {
        Pod p = created("""
                containers:
                - {name: Web_1, image: nginx:1.27}
                - {name: db, image: postgres:17}
                - {name: db, image: postgres:17}
                """);
        assertThat(render(strategy.validate(p))).containsExactly(
                "spec.containers[0].name: Invalid value: \"Web_1\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
                "spec.containers[2].name: Duplicate value: \"db\"");
    }

    @Test
    void portsAreRangeCheckedAndNamesUnique() {
        Pod p = created("""
                containers:
                - name: web
                  image: nginx:1.27
                  ports:
                  - {name: http, containerPort: 70000}
                  - {name: http, containerPort: 8080, hostPort: -1}
                  - {containerPort: 9090, protocol: HTTP}
                """);
        assertThat(render(strategy.validate(p))).containsExactly(
                "spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive",
                "spec.containers[0].ports[1].name: Duplicate value: \"http\"",
                "spec.containers[0].ports[1].hostPort: Invalid value: -1: must be between 1 and 65535, inclusive",
                "spec.containers[0].ports[2].protocol: Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\"");
    }

    @Test
    void restartPolicyMustBeKnown() {
        Pod p = created("""
                restartPolicy: Sometimes
                containers:
                - {name: web, image: nginx:1.27}
                """);
        assertThat(render(strategy.validate(p))).containsExactly(
                "spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\"");
    }

    @Test
    void volumeMountsMustNameAVolume() {
        Pod p = created("""
                containers:
                - name: web
                  image: nginx:1.27
                  volumeMounts:
                  - {name: data, mountPath: /data}
                """);
        assertThat(render(strategy.validate(p))).containsExactly("spec.containers[0].volumeMounts[0].name: Not found: \"data\"");
    }

    @Test
    void requestsMayNotExceedLimits() {
        Pod p = created("""
                containers:
                - name: web
                  image: nginx:1.27
                  resources:
                    requests: {cpu: "2"}
                    limits: {cpu: "1"}
                """);
        assertThat(render(strategy.validate(p))).containsExactly(
                "spec.containers[0].resources.requests: Invalid value: \"2\": must be less than or equal to cpu limit of 1");
    }

    @Test
    void imageMayChangeOnUpdate() {
        Pod old = created("containers:\n- {name: web, image: nginx:1.26}");
        Pod now = pod("containers:\n- {name: web, image: nginx:1.27}");
        strategy.applyDefaults(now);
        strategy.prepareForUpdate(now, old);
        assertThat(now.getSpec().getPriority()).isZero();
        assertThat(now.getSpec().getTolerations()).hasSize(2);
        assertThat(strategy.validateUpdate(now, old)).isEmpty();
    }

    @Test
    void otherSpecFieldsAreImmutable() {
        Pod old = created("containers:\n- {name: web, image: nginx:1.27}");
        Pod now = created("containers:\n- {name: web, image: nginx:1.27}\nnodeName: node-b");
        now.getSpec().setTolerations(old.getSpec().getTolerations());
        var errors = render(strategy.validateUpdate(now, old));
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0)).startsWith("spec: Forbidden: pod updates may not change fields other than "
                + "`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,"
                + "`spec.tolerations` (only additions to existing tolerations),"
                + "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n");
        assertThat(errors.get(0)).contains("NodeName");
    }

    @Test
    void containersCannotBeAddedOnUpdate() {
        Pod old = created("containers:\n- {name: web, image: nginx:1.27}");
        Pod now = created("containers:\n- {name: web, image: nginx:1.27}\n- {name: side, image: busybox:1.36}");
        assertThat(render(strategy.validateUpdate(now, old))).contains("spec.containers: Forbidden: pod updates may not add or remove containers");
    }

    @Test
    void updateKeepsStatusAndStatusUpdateKeepsSpec() {
        Pod old = created("containers:\n- {name: web, image: nginx:1.27}");
        old.getStatus().setPhase("Running");
        Pod now = created("containers:\n- {name: web, image: nginx:1.28}");
        strategy.prepareForUpdate(now, old);
        assertThat(now.getStatus().getPhase()).isEqualTo("Running");

        Pod status = created("containers:\n- {name: web, image: other:1}");
        status.getStatus().setPhase("Succeeded");
        status.getStatus().setQosClass(null);
        strategy.prepareForStatusUpdate(status, old);
        assertThat(status.getSpec().getContainers().get(0).getImage()).isEqualTo("nginx:1.27");
        assertThat(status.getStatus().getPhase()).isEqualTo("Succeeded");
        assertThat(status.getStatus().getQosClass()).isEqualTo("BestEffort");
    }

    @Test
    void selectableFieldsIncludeNodeNameAndPhase() {
        Pod p = created("containers:\n- {name: web, image: nginx:1.27}\nnodeName: node-a");
        assertThat(strategy.selectableFields(p)).containsEntry("spec.nodeName", "node-a").containsEntry("status.phase", "Pending")
                .containsEntry("spec.restartPolicy", "Always").containsEntry("spec.schedulerName", "default-scheduler")
                .containsKeys("spec.serviceAccountName", "status.podIP", "status.nominatedNodeName");
    }

    @Test
    void printsColumnsAsKubectlGetPods() {
        assertThat(strategy.columns()).extracting(c -> c.getName())
                .containsExactly("Name", "Ready", "Status", "Restarts", "Age", "IP", "Node", "Nominated Node", "Readiness Gates");
        assertThat(strategy.columns().get(0).getFormat()).isEqualTo("name");
        assertThat(strategy.columns()).filteredOn(c -> c.getPriority() == 1).hasSize(4);
    }

    @Test
    void printsARunningPod() {
        Pod p = yaml("""
                metadata: {name: web, creationTimestamp: "%s"}
                spec:
                  nodeName: node-a
                  containers: [{name: a, image: x}, {name: b, image: y}]
                status:
                  phase: Running
                  podIPs: [{ip: 10.42.0.5}]
                  conditions: [{type: Ready, status: "True"}]
                  containerStatuses:
                  - {name: a, ready: true, restartCount: 0, state: {running: {}}}
                  - {name: b, ready: false, restartCount: 0, state: {running: {}}}
                """.formatted(ago(200)), Pod.class);
        assertThat(strategy.cells(p)).containsExactly("web", "1/2", "Running", "0", "3m20s", "10.42.0.5", "node-a", "<none>", "<none>");
    }

    @Test
    void printsCrashLoopBackOffWithTheLastRestartAge() {
        Pod p = yaml("""
                metadata: {name: web, creationTimestamp: "%s"}
                spec:
                  containers: [{name: a, image: x}]
                status:
                  phase: Running
                  containerStatuses:
                  - name: a
                    ready: false
                    restartCount: 5
                    state: {waiting: {reason: CrashLoopBackOff}}
                    lastState: {terminated: {exitCode: 1, reason: Error, finishedAt: "%s"}}
                """.formatted(ago(3600 * 50), ago(300)), Pod.class);
        assertThat(strategy.cells(p).subList(0, 5)).containsExactly("web", "0/1", "CrashLoopBackOff", "5 (5m ago)", "2d2h");
    }

    @Test
    void printsTerminatingWhenDeletionTimestampIsSet() {
        Pod p = yaml("""
                metadata: {name: web, creationTimestamp: "%s", deletionTimestamp: "%s"}
                spec:
                  containers: [{name: a, image: x}]
                status:
                  phase: Running
                  containerStatuses:
                  - {name: a, ready: true, restartCount: 0, state: {running: {}}}
                """.formatted(ago(60), ago(1)), Pod.class);
        assertThat(strategy.cells(p).get(2)).isEqualTo("Terminating");
    }

    @Test
    void printsInitProgressAndCompleted() {
        Pod init = yaml("""
                metadata: {name: web}
                spec:
                  initContainers: [{name: i1, image: x}, {name: i2, image: x}]
                  containers: [{name: a, image: x}]
                status:
                  phase: Pending
                  initContainerStatuses:
                  - {name: i1, ready: false, restartCount: 0, state: {running: {}}}
                  - {name: i2, ready: false, restartCount: 0, state: {waiting: {reason: PodInitializing}}}
                """, Pod.class);
        assertThat(strategy.cells(init).subList(1, 5)).containsExactly("0/1", "Init:0/2", "0", "<unknown>");

        Pod done = yaml("""
                metadata: {name: job}
                spec:
                  containers: [{name: a, image: x}]
                status:
                  phase: Succeeded
                  containerStatuses:
                  - {name: a, ready: false, restartCount: 0, state: {terminated: {exitCode: 0, reason: Completed}}}
                """, Pod.class);
        assertThat(strategy.cells(done).get(2)).isEqualTo("Completed");

        Pod failedInit = yaml("""
                metadata: {name: web}
                spec:
                  initContainers: [{name: i1, image: x}]
                  containers: [{name: a, image: x}]
                status:
                  phase: Pending
                  initContainerStatuses:
                  - {name: i1, restartCount: 3, state: {waiting: {reason: CrashLoopBackOff}}}
                """, Pod.class);
        assertThat(strategy.cells(failedInit).get(2)).isEqualTo("Init:CrashLoopBackOff");
    }

    @Test
    void printsReadinessGates() {
        Pod p = yaml("""
                metadata: {name: web}
                spec:
                  containers: [{name: a, image: x}]
                  readinessGates: [{conditionType: "example.com/ready"}, {conditionType: "example.com/other"}]
                status:
                  phase: Running
                  conditions: [{type: "example.com/ready", status: "True"}]
                """, Pod.class);
        assertThat(strategy.cells(p).get(8)).isEqualTo("1/2");
    }

    @Test
    void errorsReadAsAList() {
        List<String> errs = render(strategy.validate(created("containers: [{name: a}]")));
        assertThat(errs).isNotEmpty();
    }
}
