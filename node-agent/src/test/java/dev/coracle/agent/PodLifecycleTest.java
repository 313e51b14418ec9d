package dev.coracle.agent;

import dev.coracle.testsupport.Ports;
import dev.coracle.testsupport.ServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.awaitility.Awaitility.await;

/** What the agent does with a pod, seen through the real kubectl against a real server process. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PodLifecycleTest {

    private static final String NODE = "pods-node";
    private static final Duration WAIT = Duration.ofSeconds(40);
    /** Not loopback: Endpoints may not hold 127.0.0.0/8 addresses, and the process runtime's pods have the node's IP. */
    private static final String NODE_IP = AgentFlags.defaultIp();

    @TempDir
    static Path tmp;

    private ServerProcess server;
    private NodeAgent agent;
    private Kubectl kubectl;

    @BeforeAll
    void start() throws Exception {
        server = ServerProcess.server("pod-lifecycle-test", tmp.resolve("server")).start();
        kubectl = new Kubectl(server.kubeconfig(), tmp.resolve("kubectl-cache"));
        agent = NodeAgent.start(flags(NODE, tmp.resolve("agent")));
    }

    private AgentFlags flags(String node, Path dataDir) throws java.io.IOException {
        return AgentFlags.parse("--server", server.url(), "--token", server.joinToken(), "--node-name", node,
                "--node-ip", NODE_IP, "--data-dir", dataDir.toString(),
                "--restart-backoff-base", "1s", "--restart-backoff-max", "4s", "--agent-port", String.valueOf(Ports.free()),
                "--proxy-mode", "none");
    }

    @AfterAll
    void stop() throws Exception {
        if (kubectl != null) {
            kubectl.run("delete", "pods", "--all", "-A", "--timeout=60s");
        }
        if (agent != null) {
            agent.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private void apply(String manifest) throws Exception {
        Kubectl.Result r = kubectl.runWithInput(manifest, "apply", "-f", "-");
        assertThat(r.exit()).as(r.out()).isZero();
    }

    private String get(String... args) throws Exception {
        return kubectl.run(args).out();
    }

    private Path podLog(String pod, String container, int run) throws Exception {
        try (var dirs = Files.list(tmp.resolve("agent/pods"))) {
            return dirs.filter(d -> d.getFileName().toString().startsWith("default_" + pod + "_")).findFirst().orElseThrow()
                    .resolve(container + "/" + run + ".log");
        }
    }

    @Test
    void theNodeGetsAPodCidrAndItsAllocatable() throws Exception {
        await().atMost(WAIT).untilAsserted(() -> assertThat(get("get", "node", NODE, "-o",
                "jsonpath={.spec.podCIDR} {.spec.podCIDRs[0]} {.status.allocatable.pods}")).matches("10\\.42\\.\\d+\\.0/24 10\\.42\\.\\d+\\.0/24 110"));
        String conditions = get("get", "node", NODE, "-o", "jsonpath={range .status.conditions[*]}{.type}={.status} {end}");
        assertThat(conditions).contains("MemoryPressure=False", "DiskPressure=False", "PIDPressure=False", "Ready=True");
        assertThat(get("get", "node", NODE, "-o", "jsonpath={.metadata.annotations.coracle\\.dev/resource-limits}"))
                .matches("enforced with cgroup v[12]|not enforced: .*");
    }

    @Test
    void envFromConfigMapsSecretsAndTheDownwardApiReachTheProcess() throws Exception {
        apply("""
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: settings, namespace: default}
                data: {COLOR: blue, SIZE: large, "1bad": x}
                ---
                apiVersion: v1
                kind: Secret
                metadata: {name: creds, namespace: default}
                stringData: {password: s3cret}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: envy, namespace: default, labels: {app: envy}}
                spec:
                  nodeName: %s
                  restartPolicy: Never
                  containers:
                  - name: main
                    image: busybox
                    workingDir: /tmp
                    command: [sh, -c]
                    args: ["echo 'greeting=$(GREETING) escaped=$$(GREETING)'; echo pwd=$(pwd); env | sort"]
                    resources: {limits: {memory: 128Mi, cpu: 500m}}
                    envFrom:
                    - configMapRef: {name: settings}
                      prefix: CM_
                    - configMapRef: {name: settings}
                    - secretRef: {name: creds}
                    env:
                    - {name: WHO, value: world}
                    - {name: GREETING, value: "hello $(WHO) $(UNDEFINED)"}
                    - name: POD_NAME
                      valueFrom: {fieldRef: {fieldPath: metadata.name}}
                    - name: POD_APP
                      valueFrom: {fieldRef: {fieldPath: "metadata.labels['app']"}}
                    - name: NODE
                      valueFrom: {fieldRef: {fieldPath: spec.nodeName}}
                    - name: POD_IP
                      valueFrom: {fieldRef: {fieldPath: status.podIP}}
                    - name: MEM_MI
                      valueFrom: {resourceFieldRef: {resource: limits.memory, divisor: 1Mi}}
                    - name: CPU_MILLI
                      valueFrom: {resourceFieldRef: {resource: limits.cpu, divisor: 1m}}
                    - name: CPU_CORES
                      valueFrom: {resourceFieldRef: {resource: limits.cpu}}
                    - name: PASSWORD
                      valueFrom: {secretKeyRef: {name: creds, key: password}}
                    - name: MAYBE
                      valueFrom: {secretKeyRef: {name: creds, key: nope, optional: true}}
                    - name: COLOR
                      valueFrom: {configMapKeyRef: {name: settings, key: COLOR}}
                """.formatted(NODE));
        await().atMost(WAIT).untilAsserted(() -> assertThat(get("get", "pod", "envy", "-o", "jsonpath={.status.phase}")).isEqualTo("Succeeded"));
        String log = Files.readString(podLog("envy", "main", 0));
        assertThat(log).contains("stdout F greeting=hello world $(UNDEFINED) escaped=$(GREETING)", "stdout F pwd=/tmp")
                .contains("stdout F CM_COLOR=blue", "stdout F CM_SIZE=large", "stdout F POD_NAME=envy", "stdout F POD_APP=envy",
                        "stdout F NODE=" + NODE, "stdout F POD_IP=" + NODE_IP, "stdout F MEM_MI=128", "stdout F CPU_MILLI=500",
                        "stdout F CPU_CORES=1", "stdout F PASSWORD=s3cret", "stdout F COLOR=blue", "stdout F password=s3cret",
                        "stdout F SIZE=large", "stdout F CM_1bad=x")
                .doesNotContain("MAYBE=", "F 1bad=");
    }

    @Test
    void theServicesOfThePodsNamespaceAreInItsEnvironment() throws Exception {
        apply("""
                apiVersion: v1
                kind: Service
                metadata: {name: web-front, namespace: default}
                spec:
                  selector: {app: nothing}
                  ports:
                  - {name: http, port: 80, targetPort: 8080}
                  - {name: metrics, port: 9100, protocol: TCP}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: linked, namespace: default}
                spec:
                  nodeName: %1$s
                  restartPolicy: Never
                  containers:
                  - name: main
                    image: busybox
                    command: [sh, -c, "env | sort"]
                    env:
                    - {name: FRONT, value: "$(WEB_FRONT_SERVICE_HOST):$(WEB_FRONT_SERVICE_PORT)"}
                    - {name: WEB_FRONT_SERVICE_PORT_METRICS, value: "overridden"}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: unlinked, namespace: default}
                spec:
                  nodeName: %1$s
                  enableServiceLinks: false
                  restartPolicy: Never
                  containers:
                  - {name: main, image: busybox, command: [sh, -c, "env | sort"]}
                """.formatted(NODE));
        String ip = get("get", "service", "web-front", "-o", "jsonpath={.spec.clusterIP}");
        String kubernetes = get("get", "service", "kubernetes", "-o", "jsonpath={.spec.clusterIP}");
        await().atMost(WAIT).untilAsserted(() -> assertThat(get("get", "pods", "linked", "unlinked", "-o",
                "jsonpath={.items[*].status.phase}")).isEqualTo("Succeeded Succeeded"));

        String linked = Files.readString(podLog("linked", "main", 0));
        assertThat(linked).contains("F WEB_FRONT_SERVICE_HOST=" + ip + "\n", "F WEB_FRONT_SERVICE_PORT=80\n",
                "F WEB_FRONT_SERVICE_PORT_HTTP=80\n", "F WEB_FRONT_PORT=tcp://" + ip + ":80\n",
                "F WEB_FRONT_PORT_80_TCP=tcp://" + ip + ":80\n", "F WEB_FRONT_PORT_80_TCP_PROTO=tcp\n",
                "F WEB_FRONT_PORT_80_TCP_PORT=80\n", "F WEB_FRONT_PORT_80_TCP_ADDR=" + ip + "\n",
                "F WEB_FRONT_PORT_9100_TCP=tcp://" + ip + ":9100\n", "F KUBERNETES_SERVICE_HOST=" + kubernetes + "\n",
                "F KUBERNETES_SERVICE_PORT=443\n", "F KUBERNETES_SERVICE_PORT_HTTPS=443\n",
                "F FRONT=" + ip + ":80\n", "F WEB_FRONT_SERVICE_PORT_METRICS=overridden\n");
        String unlinked = Files.readString(podLog("unlinked", "main", 0));
        assertThat(unlinked).as("enableServiceLinks: false keeps only the API server's").contains("F KUBERNETES_SERVICE_HOST=" + kubernetes)
                .doesNotContain("WEB_FRONT_");
    }

    @Test
    void aMissingSecretKeyIsACreateContainerConfigError() throws Exception {
        apply("""
                apiVersion: v1
                kind: Pod
                metadata: {name: misconfigured, namespace: default}
                spec:
                  nodeName: %s
                  containers:
                  - name: main
                    image: busybox
                    command: [sleep, "30"]
                    env:
                    - name: TOKEN
                      valueFrom: {secretKeyRef: {name: missing-creds, key: token}}
                  - name: imageonly
                    image: nginx
                """.formatted(NODE));
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(get("get", "pod", "misconfigured", "-o",
                    "jsonpath={.status.phase} {.status.containerStatuses[0].state.waiting.reason}: {.status.containerStatuses[0].state.waiting.message}"))
                    .isEqualTo("Pending CreateContainerConfigError: secret \"missing-creds\" not found");
            assertThat(get("get", "pod", "misconfigured", "-o", "jsonpath={.status.containerStatuses[1].state.waiting.message}"))
                    .contains("container imageonly has no command or args");
            assertThat(get("get", "pods", "misconfigured")).contains("CreateContainerConfigError");
        });
        assertThat(kubectl.run("delete", "pod", "misconfigured", "--timeout=60s").exit()).isZero();
    }

    @Test
    void initContainersRunOneAfterAnotherBeforeTheContainers() throws Exception {
        Path order = tmp.resolve("init-order");
        Path release = tmp.resolve("init-release");
        apply("""
                apiVersion: v1
                kind: Pod
                metadata: {name: initialized, namespace: default}
                spec:
                  nodeName: %1$s
                  initContainers:
                  - {name: first, image: busybox, command: [sh, -c, "echo first >> %2$s"]}
                  - {name: second, image: busybox, command: [sh, -c, "while [ ! -e %3$s ]; do sleep 0.2; done; echo second >> %2$s"]}
                  containers:
                  - {name: main, image: busybox, command: [sh, -c, "echo main >> %2$s; sleep 30"]}
                """.formatted(NODE, order, release));
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(get("get", "pods", "initialized")).containsPattern("initialized\\s+0/1\\s+Init:1/2\\s");
            assertThat(get("get", "pod", "initialized", "-o",
                    "jsonpath={.status.phase} {.status.initContainerStatuses[0].state.terminated.reason} "
                            + "{.status.containerStatuses[0].state.waiting.reason} "
                            + "{.status.conditions[?(@.type==\"Initialized\")].status}"))
                    .isEqualTo("Pending Completed PodInitializing False");
        });
        assertThat(Files.readString(order)).isEqualTo("first\n");
        Files.writeString(release, "");
        await().atMost(WAIT).untilAsserted(() -> assertThat(get("get", "pods", "initialized")).containsPattern("initialized\\s+1/1\\s+Running\\s"));
        assertThat(Files.readAllLines(order)).containsExactly("first", "second", "main");
        // a steady pod's status is not written again and again
        String version = get("get", "pod", "initialized", "-o", "jsonpath={.metadata.resourceVersion}");
        Thread.sleep(6500);
        assertThat(get("get", "pod", "initialized", "-o", "jsonpath={.metadata.resourceVersion}")).isEqualTo(version);
        assertThat(get("get", "pod", "initialized", "-o", "jsonpath={.status.initContainerStatuses[*].state.terminated.exitCode}"))
                .isEqualTo("0 0");
        assertThat(kubectl.run("delete", "pod", "initialized", "--timeout=60s").exit()).isZero();
    }

    @Test
    void aCrashingContainerGoesIntoCrashLoopBackOffWithGrowingRestarts() throws Exception {
        apply("""
                apiVersion: v1
                kind: Pod
                metadata: {name: crashloop, namespace: default}
                spec:
                  nodeName: %s
                  containers:
                  - {name: main, image: busybox, command: [sh, -c, "echo run; exit 2"]}
                """.formatted(NODE));
        await().atMost(WAIT).untilAsserted(() -> {
            String status = get("get", "pod", "crashloop", "-o", "jsonpath={.status.containerStatuses[0].restartCount} "
                    + "{.status.containerStatuses[0].state.waiting.reason} {.status.containerStatuses[0].lastState.terminated.reason} "
                    + "{.status.containerStatuses[0].lastState.terminated.exitCode}");
            assertThat(status).matches("([3-9]|\\d\\d) CrashLoopBackOff Error 2");
        });
        assertThat(get("get", "pods", "crashloop")).containsPattern("crashloop\\s+0/1\\s+CrashLoopBackOff\\s+[3-9]");
        // the previous run's log is kept for kubectl logs -p
        int restarts = Integer.parseInt(get("get", "pod", "crashloop", "-o", "jsonpath={.status.containerStatuses[0].restartCount}"));
        assertThat(Files.readString(podLog("crashloop", "main", restarts - 1))).contains("stdout F run");
        assertThat(kubectl.run("delete", "pod", "crashloop", "--timeout=60s").exit()).isZero();
    }

    @Test
    void aFailingLivenessProbeRestartsTheContainer() throws Exception {
        apply("""
                apiVersion: v1
                kind: Pod
                metadata: {name: unhealthy, namespace: default}
                spec:
                  nodeName: %s
                  terminationGracePeriodSeconds: 2
                  containers:
                  - name: main
                    image: busybox
                    command: [sleep, "300"]
                    livenessProbe:
                      exec: {command: [sh, -c, "echo not alive; exit 1"]}
                      periodSeconds: 1
                      failureThreshold: 2
                """.formatted(NODE));
        await().atMost(WAIT).untilAsserted(() ->
                assertThat(Integer.parseInt(get("get", "pod", "unhealthy", "-o", "jsonpath={.status.containerStatuses[0].restartCount}")))
                        .isGreaterThanOrEqualTo(1));
        await().atMost(WAIT).untilAsserted(() -> {
            String events = get("get", "events", "--field-selector", "involvedObject.name=unhealthy", "-o",
                    "jsonpath={range .items[*]}{.reason}: {.message}{\"\\n\"}{end}");
            assertThat(events).contains("Unhealthy: Liveness probe failed: not alive")
                    .contains("Killing: Container main failed liveness probe, will be restarted");
        });
        assertThat(kubectl.run("delete", "pod", "unhealthy", "--timeout=60s").exit()).isZero();
    }

    @Test
    void aStartupProbeHoldsBackLivenessAndReadinessUntilTheServerIsUp() throws Exception {
        Path started = tmp.resolve("web-started");
        apply("""
                apiVersion: v1
                kind: Pod
                metadata: {name: slowstart, namespace: default}
                spec:
                  nodeName: %1$s
                  terminationGracePeriodSeconds: 2
                  containers:
                  - name: main
                    image: python
                    # the marker only once the server listens: liveness (failureThreshold 1) runs as soon as startup succeeds,
                    # and a python starting slowly on a busy machine would fail it (as under a kubelet)
                    command: [sh, -c, "sleep 3; python3 -m http.server 18080 --bind %3$s & until python3 -c 'import socket, sys;
                      socket.create_connection((sys.argv[1], 18080), 1)' %3$s 2>/dev/null; do sleep 0.2; done; touch %2$s; wait"]
                    ports: [{name: http, containerPort: 18080}]
                    startupProbe:
                      exec: {command: [test, -e, %2$s]}
                      periodSeconds: 1
                      failureThreshold: 30
                    livenessProbe:
                      tcpSocket: {port: 18080}
                      periodSeconds: 1
                      failureThreshold: 1
                    readinessProbe:
                      httpGet: {path: /, port: http}
                      periodSeconds: 1
                """.formatted(NODE, started, NODE_IP));
        await().atMost(WAIT).untilAsserted(() -> assertThat(get("get", "pod", "slowstart", "-o",
                "jsonpath={.status.containerStatuses[0].started} {.status.containerStatuses[0].ready}")).isEqualTo("false false"));
        await().atMost(WAIT).untilAsserted(() -> assertThat(get("get", "pod", "slowstart", "-o",
                "jsonpath={.status.containerStatuses[0].started} {.status.containerStatuses[0].ready} {.status.containerStatuses[0].restartCount}"))
                .isEqualTo("true true 0"));
        String events = get("get", "events", "--field-selector", "involvedObject.name=slowstart", "-o",
                "jsonpath={range .items[*]}{.reason}: {.message}{\"\\n\"}{end}");
        assertThat(events).doesNotContain("Liveness probe failed").doesNotContain("Killing");
        assertThat(kubectl.run("delete", "pod", "slowstart", "--timeout=60s").exit()).isZero();
    }

    @Test
    void readinessDecidesWhetherThePodIsAnEndpointOfItsService() throws Exception {
        assumeTrue(!NODE_IP.startsWith("127."), "needs a non-loopback address for Endpoints");
        Path readyFile = tmp.resolve("ready-now");
        apply("""
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: default}
                spec:
                  selector: {app: web}
                  ports: [{port: 80, targetPort: 8080}]
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: web, namespace: default, labels: {app: web}}
                spec:
                  nodeName: %s
                  containers:
                  - name: main
                    image: busybox
                    command: [sleep, "300"]
                    readinessProbe:
                      exec: {command: [test, -e, %s]}
                      periodSeconds: 1
                      failureThreshold: 1
                """.formatted(NODE, readyFile));
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(get("get", "pods", "web")).containsPattern("web\\s+0/1\\s+Running\\s");
            assertThat(get("get", "endpoints", "web", "-o", "jsonpath={.subsets[*].notReadyAddresses[*].ip}|{.subsets[*].addresses[*].ip}"))
                    .isEqualTo(NODE_IP + "|");
        });
        Files.writeString(readyFile, "");
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(get("get", "pod", "web", "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}")).isEqualTo("True");
            assertThat(get("get", "endpoints", "web", "-o", "jsonpath={.subsets[*].addresses[*].ip}")).isEqualTo(NODE_IP);
        });
        Files.delete(readyFile);
        await().atMost(WAIT).untilAsserted(() ->
                assertThat(get("get", "endpoints", "web", "-o", "jsonpath={.subsets[*].addresses[*].ip}")).isEmpty());
        assertThat(get("get", "pod", "web", "-o", "jsonpath={.status.conditions[?(@.type==\"ContainersReady\")].reason}"))
                .isEqualTo("ContainersNotReady");
        assertThat(kubectl.run("delete", "pod", "web", "--timeout=60s").exit()).isZero();
        kubectl.run("delete", "service", "web");
    }

    @Test
    void hooksRunAroundTheContainerAndDeletionSendsSigtermAfterPreStop() throws Exception {
        Path trace = tmp.resolve("graceful-trace");
        apply("""
                apiVersion: v1
                kind: Pod
                metadata: {name: graceful, namespace: default}
                spec:
                  nodeName: %1$s
                  terminationGracePeriodSeconds: 20
                  containers:
                  - name: main
                    image: busybox
                    command: [sh, -c, "trap 'echo TERM >> %2$s; exit 0' TERM; while true; do sleep 0.2; done"]
                    lifecycle:
                      postStart:
                        exec: {command: [sh, -c, "echo postStart >> %2$s"]}
                      preStop:
                        exec: {command: [sh, -c, "echo preStop >> %2$s"]}
                """.formatted(NODE, trace));
        await().atMost(WAIT).untilAsserted(() -> assertThat(get("get", "pod", "graceful", "-o", "jsonpath={.status.phase}")).isEqualTo("Running"));
        String uid = get("get", "pod", "graceful", "-o", "jsonpath={.metadata.uid}");
        Kubectl.Result deleted = kubectl.run("delete", "pod", "graceful", "--timeout=60s");
        assertThat(deleted.exit()).as(deleted.out()).isZero();
        assertThat(Files.readAllLines(trace)).containsExactly("postStart", "preStop", "TERM");
        assertThat(get("get", "pod", "graceful")).contains("NotFound");
        assertThat(tmp.resolve("agent/containers/" + uid)).doesNotExist();
    }

    @Test
    void aRestartedAgentAdoptsItsRunningProcessesAndRemovesOrphans() throws Exception {
        String node = "adopting-node";
        Path dataDir = tmp.resolve("adopting-agent");
        NodeAgent first = NodeAgent.start(flags(node, dataDir));
        String keeper = "adoption-marker-keeper";
        String orphan = "adoption-marker-orphan";
        try {
            apply("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: keeper, namespace: default}
                    spec:
                      nodeName: %1$s
                      containers:
                      - {name: main, image: busybox, command: [sh, -c, "while true; do echo tick; sleep 0.3; done # %2$s"]}
                    ---
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: orphan, namespace: default}
                    spec:
                      nodeName: %1$s
                      containers:
                      - {name: main, image: busybox, command: [sh, -c, "sleep 300 # %3$s"]}
                    """.formatted(node, keeper, orphan));
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(get("get", "pods", "keeper", "orphan", "-o", "jsonpath={.items[*].status.phase}")).isEqualTo("Running Running");
                assertThat(NodeAgentTest.containerProcesses(keeper)).hasSize(1);
                assertThat(NodeAgentTest.containerProcesses(orphan)).hasSize(1);
            });
        } finally {
            first.close();
        }
        long pid = NodeAgentTest.containerProcesses(keeper).get(0).pid();
        // while no agent runs: the pods run on, and one of them is deleted for good
        assertThat(kubectl.run("delete", "pod", "orphan", "--force", "--grace-period=0").exit()).isZero();
        Path log;
        try (var dirs = Files.list(dataDir.resolve("pods"))) {
            log = dirs.filter(d -> d.getFileName().toString().startsWith("default_keeper_")).findFirst().orElseThrow().resolve("main/0.log");
        }
        long linesBefore = Files.readAllLines(log).size();

        NodeAgent second = NodeAgent.start(flags(node, dataDir));
        try {
            await().atMost(WAIT).untilAsserted(() -> assertThat(NodeAgentTest.containerProcesses(orphan)).isEmpty());
            List<ProcessHandle> keepers = NodeAgentTest.containerProcesses(keeper);
            assertThat(keepers).hasSize(1);
            assertThat(keepers.get(0).pid()).isEqualTo(pid);
            await().atMost(WAIT).untilAsserted(() -> assertThat(Files.readAllLines(log).size()).isGreaterThan((int) linesBefore + 3));
            Thread.sleep(1500);
            assertThat(NodeAgentTest.containerProcesses(keeper)).hasSize(1);
            assertThat(get("get", "pod", "keeper", "-o", "jsonpath={.status.phase} {.status.containerStatuses[0].restartCount}"))
                    .isEqualTo("Running 0");
            List<ProcessHandle> family = new ArrayList<>(NodeAgentTest.processes(keeper));
            assertThat(kubectl.run("delete", "pod", "keeper", "--timeout=60s").exit()).isZero();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(family).noneMatch(ProcessHandle::isAlive));
        } finally {
            second.close();
        }
    }

    @Test
    void aKilledAgentProcessIsReplacedWithoutOrphansOrDuplicates() throws Exception {
        String node = "killed-node";
        Path dataDir = tmp.resolve("killed-agent");
        String marker = "killed-agent-marker";
        String[] agentFlags = {"--server", server.url(), "--token", server.joinToken(), "--node-name", node, "--node-ip", NODE_IP,
                "--data-dir", dataDir.toString(), "--agent-port", String.valueOf(Ports.free())};
        Path agentLog = Path.of("target", "agent-test-logs", "killed-agent.log").toAbsolutePath();
        AgentProcess first = AgentProcess.start(agentLog, agentFlags);
        AgentProcess second = null;
        try {
            await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> assertThat(get("get", "node", node, "-o",
                    "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}")).as(first.log()).isEqualTo("True"));
            apply("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: survivor, namespace: default}
                    spec:
                      nodeName: %s
                      containers:
                      - {name: main, image: busybox, command: [sh, -c, "while true; do echo tick; sleep 0.2; done # %s"]}
                    """.formatted(node, marker));
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(get("get", "pod", "survivor", "-o", "jsonpath={.status.phase}")).isEqualTo("Running");
                assertThat(NodeAgentTest.containerProcesses(marker)).hasSize(1);
            });
            ProcessHandle container = NodeAgentTest.containerProcesses(marker).get(0);
            first.kill();
            assertThat(container.isAlive()).isTrue();
            Path log;
            try (var dirs = Files.list(dataDir.resolve("pods"))) {
                log = dirs.filter(d -> d.getFileName().toString().startsWith("default_survivor_")).findFirst().orElseThrow()
                        .resolve("main/0.log");
            }
            int linesWhileKilled = Files.readAllLines(log).size();

            second = AgentProcess.start(agentLog, agentFlags);
            AgentProcess replacement = second;
            // what the container wrote while no agent ran, and after, reaches the same log
            await().atMost(Duration.ofSeconds(120)).untilAsserted(() ->
                    assertThat(Files.readAllLines(log).size()).as(replacement.log()).isGreaterThan(linesWhileKilled + 10));
            assertThat(NodeAgentTest.containerProcesses(marker)).containsExactly(container);
            assertThat(get("get", "pod", "survivor", "-o", "jsonpath={.status.phase} {.status.containerStatuses[0].restartCount}"))
                    .isEqualTo("Running 0");
            List<ProcessHandle> family = new ArrayList<>(NodeAgentTest.processes(marker));
            assertThat(kubectl.run("delete", "pod", "survivor", "--timeout=60s").exit()).isZero();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(family).noneMatch(ProcessHandle::isAlive));
        } finally {
            first.kill();
            if (second != null) {
                second.close();
            }
        }
    }

    @Test
    void aMemoryLimitIsEnforcedWithTheCgroupOfThisMachine() throws Exception {
        assumeTrue(agent.flags() != null && Files.isDirectory(Path.of("/sys/fs/cgroup/memory")) && isRoot(),
                "needs root and a cgroup v1 memory hierarchy");
        apply("""
                apiVersion: v1
                kind: Pod
                metadata: {name: limited, namespace: default}
                spec:
                  nodeName: %s
                  containers:
                  - name: main
                    image: busybox
                    command: [sh, -c, "sleep 300 # limited-marker"]
                    resources: {limits: {memory: 64Mi, cpu: 250m}, requests: {memory: 64Mi, cpu: 250m}}
                """.formatted(NODE));
        await().atMost(WAIT).untilAsserted(() -> assertThat(get("get", "pod", "limited", "-o", "jsonpath={.status.phase} {.status.qosClass}"))
                .isEqualTo("Running Guaranteed"));
        String uid = get("get", "pod", "limited", "-o", "jsonpath={.metadata.uid}");
        Path cgroup = Path.of("/sys/fs/cgroup/memory/coracle/pod" + uid + "/main");
        assertThat(Files.readString(cgroup.resolve("memory.limit_in_bytes")).trim()).isEqualTo(String.valueOf(64 * 1024 * 1024));
        assertThat(Files.readString(Path.of("/sys/fs/cgroup/cpu/coracle/pod" + uid + "/main/cpu.cfs_quota_us")).trim()).isEqualTo("25000");
        long pid = NodeAgentTest.containerProcesses("limited-marker").get(0).pid();
        assertThat(Files.readString(Path.of("/proc/" + pid + "/cgroup"))).contains("memory:/coracle/pod" + uid + "/main");
        assertThat(kubectl.run("delete", "pod", "limited", "--timeout=60s").exit()).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(cgroup.getParent()));

        // going past the limit: the kernel's OOM killer ends it, and the status says so
        apply("""
                apiVersion: v1
                kind: Pod
                metadata: {name: greedy, namespace: default}
                spec:
                  nodeName: %s
                  restartPolicy: Never
                  containers:
                  - name: main
                    image: python
                    command: [python3, -c, "x = b'x' * (256 * 1024 * 1024)"]
                    resources: {limits: {memory: 32Mi}}
                """.formatted(NODE));
        await().atMost(WAIT).untilAsserted(() -> assertThat(get("get", "pod", "greedy", "-o",
                "jsonpath={.status.phase} {.status.containerStatuses[0].state.terminated.reason} {.status.containerStatuses[0].state.terminated.exitCode}"))
                .isEqualTo("Failed OOMKilled 137"));
        assertThat(kubectl.run("delete", "pod", "greedy", "--timeout=60s").exit()).isZero();
    }

    private static boolean isRoot() throws Exception {
        return Files.readAllLines(Path.of("/proc/self/status")).stream().anyMatch(l -> l.matches("Uid:\\s+0\\s.*"));
    }
}
