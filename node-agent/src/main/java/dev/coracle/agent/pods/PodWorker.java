package dev.coracle.agent.pods;

import dev.coracle.agent.logs.ContainerLogs;
import dev.coracle.agent.runtime.ContainerHandle;
import dev.coracle.agent.runtime.ContainerRuntime;
import dev.coracle.agent.runtime.ContainerSpec;
import dev.coracle.agent.runtime.ContainerStartException;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIPBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Drives one pod to its spec on its own thread: starts each container through the runtime,
 * restarts them per {@code restartPolicy} with exponential back-off (base doubling to 5 min, shown
 * as {@code CrashLoopBackOff}), reports the pod's status, and on deletion stops the containers
 * (SIGTERM, the grace period, SIGKILL) and removes the pod object with gracePeriodSeconds=0.
 */
public class PodWorker {

    private static final Logger log = LoggerFactory.getLogger(PodWorker.class);
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(5);
    private static final long TICK_MILLIS = 200;

    private final KubernetesClient client;
    private final String nodeIp;
    private final ContainerRuntime runtime;
    private final ContainerLogs logs;
    private final Duration backOffBase;
    private final Runnable onDone;
    private final String uid;
    private final String namespace;
    private final String name;
    private final Object lock = new Object();
    private volatile Pod pod;
    private volatile boolean removed;
    private volatile boolean shutdown;
    private final Map<String, Slot> slots = new LinkedHashMap<>();
    private Thread thread;
    private Instant startTime;
    private String podIp;
    private PodStatus lastReported;

    /** One container's supervision state. */
    private static final class Slot {
        ContainerHandle handle;
        int restartCount;
        Instant nextStart = Instant.EPOCH;
        Duration backOff;
        ContainerState lastTerminated;
        ContainerState waiting;
        boolean done; // will not be started again
    }

    PodWorker(KubernetesClient client, Pod pod, String nodeIp, ContainerRuntime runtime, ContainerLogs logs,
              Duration backOffBase, Runnable onDone) {
        this.client = client;
        this.pod = pod;
        this.nodeIp = nodeIp;
        this.runtime = runtime;
        this.logs = logs;
        this.backOffBase = backOffBase;
        this.onDone = onDone;
        this.uid = pod.getMetadata().getUid();
        this.namespace = pod.getMetadata().getNamespace();
        this.name = pod.getMetadata().getName();
    }

    void start() {
        thread = new Thread(this::run, "pod-" + namespace + "-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    void update(Pod latest) {
        this.pod = latest;
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    /** The pod object is gone from the API: stop at once. */
    void removed() {
        this.removed = true;
        update(pod);
    }

    /** The agent stops: containers are stopped too (the process runtime cannot outlive its agent cleanly). */
    void shutdown() {
        shutdown = true;
        update(pod);
        if (thread != null) {
            try {
                thread.join(35_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The container's runtime handle while it runs, for exec and stats; null otherwise. */
    ContainerHandle runningContainer(String container) {
        Slot slot = slots.get(container);
        ContainerHandle handle = slot == null ? null : slot.handle;
        return handle != null && handle.isRunning() ? handle : null;
    }

    Pod pod() {
        return pod;
    }

    private void run() {
        try {
            if (isTerminal(pod.getStatus())) {
                return;
            }
            startTime = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            podIp = runtime.podIp(uid, nodeIp);
            for (Container c : pod.getSpec().getContainers()) {
                Slot slot = new Slot();
                slot.backOff = backOffBase;
                slots.put(c.getName(), slot);
            }
            while (!shutdown && !removed && pod.getMetadata().getDeletionTimestamp() == null) {
                supervise();
                report(false);
                if (allDone()) {
                    break;
                }
                synchronized (lock) {
                    lock.wait(TICK_MILLIS);
                }
            }
            if (removed || shutdown || pod.getMetadata().getDeletionTimestamp() != null) {
                terminate();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.error("worker of pod {}/{} failed", namespace, name, e);
        } finally {
            if (removed || shutdown || pod.getMetadata().getDeletionTimestamp() != null) {
                runtime.removePod(uid);
                onDone.run();
            }
        }
    }

    private void supervise() {
        String policy = Objects.requireNonNullElse(pod.getSpec().getRestartPolicy(), "Always");
        for (Container c : pod.getSpec().getContainers()) {
            Slot slot = slots.get(c.getName());
            if (slot == null || slot.done) {
                continue;
            }
            if (slot.handle != null && !slot.handle.isRunning()) {
                int code = slot.handle.exitCode().orElse(-1);
                slot.lastTerminated = terminated(slot.handle, code);
                slot.handle = null;
                boolean restart = policy.equals("Always") || (policy.equals("OnFailure") && code != 0);
                if (!restart) {
                    slot.done = true;
                    continue;
                }
                slot.nextStart = Instant.now().plus(slot.backOff);
                slot.waiting = new ContainerStateBuilder().withNewWaiting().withReason("CrashLoopBackOff")
                        .withMessage("back-off " + slot.backOff.toSeconds() + "s restarting failed container=" + c.getName()
                                + " pod=" + name + "_" + namespace + "(" + uid + ")").endWaiting().build();
                Duration doubled = slot.backOff.multipliedBy(2);
                slot.backOff = doubled.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : doubled;
                slot.restartCount++;
                log.info("container {} of pod {}/{} exited with {}: restarting in {}", c.getName(), namespace, name, code,
                        slot.nextStart);
            }
            if (slot.handle == null && !Instant.now().isBefore(slot.nextStart)) {
                startContainer(c, slot);
            }
        }
    }

    private void startContainer(Container c, Slot slot) {
        List<String> command = new ArrayList<>();
        if (c.getCommand() != null) {
            command.addAll(c.getCommand());
        }
        if (c.getArgs() != null) {
            command.addAll(c.getArgs());
        }
        Map<String, String> env = new LinkedHashMap<>();
        if (c.getEnv() != null) {
            for (EnvVar var : c.getEnv()) {
                if (var.getValue() != null) {
                    env.put(var.getName(), expand(var.getValue(), env));
                } else if (var.getValueFrom() != null && var.getValueFrom().getFieldRef() != null) {
                    env.put(var.getName(), fieldRef(var.getValueFrom().getFieldRef().getFieldPath()));
                } else if (var.getValueFrom() == null) {
                    env.put(var.getName(), "");
                }
            }
        }
        ContainerSpec spec = new ContainerSpec(uid, namespace, name, c.getName(), c.getImage(), command, env,
                c.getWorkingDir(), logs.logFile(namespace, name, uid, c.getName(), slot.restartCount));
        try {
            slot.handle = runtime.start(spec);
            slot.waiting = null;
            log.info("started container {} of pod {}/{} as {}", c.getName(), namespace, name, slot.handle.id());
        } catch (ContainerStartException e) {
            slot.waiting = new ContainerStateBuilder().withNewWaiting().withReason(e.reason()).withMessage(e.getMessage())
                    .endWaiting().build();
            slot.nextStart = Instant.now().plus(slot.backOff);
            Duration doubled = slot.backOff.multipliedBy(2);
            slot.backOff = doubled.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : doubled;
        }
    }

    /** {@code $(VAR)} references to variables defined earlier, as Kubernetes expands them. */
    private static String expand(String value, Map<String, String> env) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            if (ch == '$' && i + 1 < value.length() && value.charAt(i + 1) == '$') {
                out.append('$');
                i++;
            } else if (ch == '$' && i + 1 < value.length() && value.charAt(i + 1) == '(' && value.indexOf(')', i) > 0) {
                int end = value.indexOf(')', i);
                String ref = value.substring(i + 2, end);
                out.append(env.containsKey(ref) ? env.get(ref) : "$(" + ref + ")");
                i = end;
            } else {
                out.append(ch);
            }
        }
        return out.toString();
    }

    private String fieldRef(String path) {
        return switch (path) {
            case "metadata.name" -> name;
            case "metadata.namespace" -> namespace;
            case "metadata.uid" -> uid;
            case "spec.nodeName" -> pod.getSpec().getNodeName();
            case "spec.serviceAccountName" -> Objects.requireNonNullElse(pod.getSpec().getServiceAccountName(), "");
            case "status.hostIP" -> nodeIp;
            case "status.podIP" -> podIp;
            default -> "";
        };
    }

    private static ContainerState terminated(ContainerHandle handle, int code) {
        Instant finished = handle.finishedAt() == null ? Instant.now() : handle.finishedAt();
        return new ContainerStateBuilder().withNewTerminated().withExitCode(code)
                .withReason(code == 0 ? "Completed" : "Error").withContainerID(handle.id())
                .withStartedAt(handle.startedAt().truncatedTo(ChronoUnit.SECONDS).toString())
                .withFinishedAt(finished.truncatedTo(ChronoUnit.SECONDS).toString()).endTerminated().build();
    }

    private boolean allDone() {
        return slots.values().stream().allMatch(s -> s.done);
    }

    private void terminate() throws InterruptedException {
        long grace = removed ? 0 : graceSeconds();
        for (Map.Entry<String, Slot> e : slots.entrySet()) {
            ContainerHandle handle = e.getValue().handle;
            if (handle != null && handle.isRunning()) {
                log.info("stopping container {} of pod {}/{} (grace {}s)", e.getKey(), namespace, name, grace);
            }
        }
        // all containers get SIGTERM together and share the grace period
        List<Thread> stoppers = new ArrayList<>();
        for (Slot slot : slots.values()) {
            if (slot.handle != null) {
                ContainerHandle handle = slot.handle;
                Thread t = new Thread(() -> handle.stop(Duration.ofSeconds(grace)));
                t.start();
                stoppers.add(t);
            }
        }
        for (Thread t : stoppers) {
            t.join();
        }
        if (shutdown || removed) {
            return;
        }
        try {
            client.pods().inNamespace(namespace).withName(name).withGracePeriod(0).delete();
            log.info("pod {}/{} stopped and deleted", namespace, name);
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                log.warn("cannot delete pod {}/{}: {}", namespace, name, e.getMessage());
            }
        }
    }

    private long graceSeconds() {
        Long fromMetadata = pod.getMetadata().getDeletionGracePeriodSeconds();
        if (fromMetadata != null) {
            return fromMetadata;
        }
        Long fromSpec = pod.getSpec().getTerminationGracePeriodSeconds();
        return fromSpec == null ? 30 : fromSpec;
    }

    private static boolean isTerminal(PodStatus status) {
        return status != null && ("Succeeded".equals(status.getPhase()) || "Failed".equals(status.getPhase()));
    }

    private void report(boolean force) {
        PodStatus status = status();
        if (!force && Objects.equals(status, lastReported)) {
            return;
        }
        try {
            client.pods().inNamespace(namespace).withName(name).subresource("status")
                    .patch(PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(Map.of("status", status)));
            lastReported = status;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                removed = true;
            } else {
                log.warn("cannot report the status of pod {}/{}: {}", namespace, name, e.getMessage());
            }
        }
    }

    private PodStatus status() {
        List<ContainerStatus> statuses = new ArrayList<>();
        boolean allReady = true;
        int running = 0;
        int succeeded = 0;
        int failed = 0;
        for (Container c : pod.getSpec().getContainers()) {
            Slot slot = slots.get(c.getName());
            ContainerState state;
            boolean ready = false;
            if (slot.handle != null && slot.handle.isRunning()) {
                state = new ContainerStateBuilder().withNewRunning()
                        .withStartedAt(slot.handle.startedAt().truncatedTo(ChronoUnit.SECONDS).toString()).endRunning().build();
                ready = true;
                running++;
            } else if (slot.done && slot.lastTerminated != null) {
                state = slot.lastTerminated;
                if (state.getTerminated().getExitCode() == 0) {
                    succeeded++;
                } else {
                    failed++;
                }
            } else if (slot.waiting != null) {
                state = slot.waiting;
            } else {
                state = new ContainerStateBuilder().withNewWaiting().withReason("ContainerCreating").endWaiting().build();
            }
            allReady &= ready;
            ContainerStatusBuilder b = new ContainerStatusBuilder().withName(c.getName()).withImage(c.getImage())
                    .withImageID("").withReady(ready).withStarted(ready).withRestartCount(slot.restartCount).withState(state);
            if (slot.handle != null) {
                b.withContainerID(slot.handle.id());
            }
            if (slot.lastTerminated != null && !(slot.done && state == slot.lastTerminated)) {
                b.withLastState(slot.lastTerminated);
            }
            statuses.add(b.build());
        }
        int total = statuses.size();
        String phase;
        if (total > 0 && succeeded == total) {
            phase = "Succeeded";
        } else if (total > 0 && succeeded + failed == total) {
            phase = "Failed";
        } else if (running > 0 || succeeded + failed > 0) {
            phase = "Running";
        } else {
            phase = "Pending";
        }
        String start = startTime.toString();
        List<PodCondition> conditions = List.of(
                condition("PodReadyToStartContainers", true, start),
                condition("Initialized", true, start),
                condition("Ready", allReady, start),
                condition("ContainersReady", allReady, start),
                condition("PodScheduled", true, start));
        return new PodStatusBuilder().withPhase(phase).withConditions(conditions).withHostIP(nodeIp)
                .withHostIPs(new io.fabric8.kubernetes.api.model.HostIPBuilder().withIp(nodeIp).build())
                .withPodIP(podIp).withPodIPs(new PodIPBuilder().withIp(podIp).build())
                .withStartTime(start).withQosClass(qosClass()).withContainerStatuses(statuses).build();
    }

    private PodCondition condition(String type, boolean on, String time) {
        PodConditionBuilder b = new PodConditionBuilder().withType(type).withStatus(on ? "True" : "False");
        if (!on) {
            b.withReason("ContainersNotReady");
        }
        return b.build();
    }

    private String qosClass() {
        boolean any = false;
        boolean guaranteed = true;
        for (Container c : pod.getSpec().getContainers()) {
            var r = c.getResources();
            Map<String, io.fabric8.kubernetes.api.model.Quantity> requests = r == null || r.getRequests() == null ? Map.of() : r.getRequests();
            Map<String, io.fabric8.kubernetes.api.model.Quantity> limits = r == null || r.getLimits() == null ? Map.of() : r.getLimits();
            any |= !requests.isEmpty() || !limits.isEmpty();
            guaranteed &= limits.containsKey("cpu") && limits.containsKey("memory")
                    && (requests.isEmpty() || (Objects.equals(requests.get("cpu"), limits.get("cpu"))
                    && Objects.equals(requests.get("memory"), limits.get("memory"))));
        }
        return !any ? "BestEffort" : guaranteed ? "Guaranteed" : "Burstable";
    }
}
