package dev.coracle.agent.pods;

import dev.coracle.agent.cgroups.Limits;
import dev.coracle.agent.events.EventRecorder;
import dev.coracle.agent.logs.ContainerLogs;
import dev.coracle.agent.probes.ProbeResult;
import dev.coracle.agent.probes.ProbeState;
import dev.coracle.agent.probes.Prober;
import dev.coracle.agent.runtime.ContainerHandle;
import dev.coracle.agent.runtime.ContainerRuntime;
import dev.coracle.agent.runtime.ContainerSpec;
import dev.coracle.agent.runtime.ContainerStartException;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Drives one pod to its spec, as the kubelet's pod worker: init containers one at a time, each to success;
 * then the containers, restarted per {@code restartPolicy} with the kubelet's back-off
 * ({@code CrashLoopBackOff}); startup, liveness and readiness probes; the pod's status, handed to the
 * {@link StatusReporter}. Containers found running after an agent restart are adopted, not started twice.
 * When the pod gets its deletionTimestamp: preStop hooks, SIGTERM, the grace period, SIGKILL, then the pod
 * object is removed (grace period 0, with the pod's uid as precondition).
 *
 * <p>Its sync loop is a series of passes on the {@link PodWorkerPool}'s shared threads, one pass at a time per
 * pod: a new version of the pod makes one at once, and a tick every {@link #TICK} otherwise (to see a container
 * exit, a back-off end, a probe finish). Wake-ups that come while a pass runs make one more pass, not one each.
 */
public class PodWorker {

    private static final Logger log = LoggerFactory.getLogger(PodWorker.class);
    private static final Duration TICK = Duration.ofMillis(200);
    private static final Duration CONFIG_RETRY = Duration.ofSeconds(2);
    /** The kubelet's minimum grace when a pod vanished from the API without one. */
    private static final Duration MIN_GRACE = Duration.ofSeconds(2);
    private static final Duration STATUS_RESYNC = Duration.ofSeconds(5);

    private final KubernetesClient client;
    private final PodSettings settings;
    private final ContainerRuntime runtime;
    private final ContainerLogs logs;
    private final EventRecorder events;
    private final Prober prober;
    private final ExecutorService probes;
    private final boolean stopOnShutdown;
    private final Runnable onDone;
    private final PodWorkerPool pool;
    private final StatusReporter.Channel statusChannel;
    private final String uid;
    private final String namespace;
    private final String name;
    private volatile Pod pod;
    private volatile boolean removed;
    private volatile boolean shutdown;
    private final List<ContainerSlot> initSlots = new ArrayList<>();
    private final List<ContainerSlot> appSlots = new ArrayList<>();
    /** Wake-ups not yet answered by a pass; the one that makes it leave zero submits the next run of passes. */
    private final AtomicInteger wakeups = new AtomicInteger();
    /** Counted down once the worker has nothing left to do: stopped (or let go) on shutdown, or terminated. */
    private final CountDownLatch stopped = new CountDownLatch(1);
    private ScheduledFuture<?> nextTick;
    /** No more passes: the pod is being terminated, or the agent stops. */
    private boolean finished;
    /** Succeeded or Failed, reported: nothing runs again; passes only look for deletion or shutdown. */
    private boolean settled;
    private String startTime;
    private String podIp;
    private PodStatuses statuses;
    /** The last status computed, for which version of the pod and from what. */
    private PodStatus computed;
    private Pod computedFor;
    private List<Object> computedInputs;
    /** The last status handed to the reporter, and the last one the API server took (with when). */
    private PodStatus requested;
    private volatile PodStatus reported;
    private volatile Instant reportedAt = Instant.EPOCH;
    private boolean failedInit;

    private final ServiceEnv services;

    PodWorker(KubernetesClient client, Pod pod, PodSettings settings, ContainerRuntime runtime, ContainerLogs logs,
              EventRecorder events, Prober prober, ExecutorService probes, PodWorkerPool pool, StatusReporter reporter,
              ServiceEnv services, boolean stopOnShutdown, Runnable onDone) {
        this.client = client;
        this.services = services;
        this.pod = pod;
        this.settings = settings;
        this.runtime = runtime;
        this.logs = logs;
        this.events = events;
        this.prober = prober;
        this.probes = probes;
        this.stopOnShutdown = stopOnShutdown;
        this.onDone = onDone;
        this.uid = pod.getMetadata().getUid();
        this.namespace = pod.getMetadata().getNamespace();
        this.name = pod.getMetadata().getName();
        this.pool = pool;
        this.statusChannel = reporter.channel(namespace, name, this::reported, this::removed);
    }

    void start() {
        wake();
    }

    void update(Pod latest) {
        this.pod = latest;
        wake();
    }

    /** The pod object is gone from the API: stop at once. */
    void removed() {
        this.removed = true;
        wake();
    }

    /** The agent stops: the containers run on for the next agent to adopt (or stop, when told to). */
    void shutdown() {
        shutdown = true;
        wake();
    }

    /** Waits (bounded) until {@link #shutdown} or a termination under way has done its work. */
    void awaitStopped(Duration timeout) {
        try {
            stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void wake() {
        if (wakeups.getAndIncrement() == 0) {
            try {
                pool.execute(this::passes);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // the agent has stopped
            }
        }
    }

    /** Passes until every wake-up so far is answered; only ever one such run per pod at a time. */
    private void passes() {
        int answered;
        do {
            answered = wakeups.get();
            try {
                pass();
            } catch (RuntimeException e) {
                log.error("worker of pod {}/{} failed; trying again at the next tick", namespace, name, e);
                scheduleTick();
            }
        } while (wakeups.addAndGet(-answered) != 0);
    }

    /** The running container of this pod by name, if any (for logs, exec and stats). */
    public Optional<ContainerHandle> container(String containerName) {
        for (ContainerSlot s : allSlots()) {
            ContainerHandle h = s.handle;
            if (s.name().equals(containerName) && h != null && h.isRunning()) {
                return Optional.of(h);
            }
        }
        return Optional.empty();
    }

    public Pod pod() {
        return pod;
    }

    private List<ContainerSlot> allSlots() {
        List<ContainerSlot> all = new ArrayList<>(initSlots);
        all.addAll(appSlots);
        return all;
    }

    private boolean deleting() {
        return pod.getMetadata().getDeletionTimestamp() != null;
    }

    /** One pass of the pod's sync loop. */
    private void pass() {
        if (finished) {
            return;
        }
        if (statuses == null) {
            setUp();
        }
        if (removed || deleting()) {
            finish();
            // the grace period is waited for off the shared threads
            pool.blocking(() -> {
                try {
                    terminate();
                    runtime.removePod(uid);
                    logs.removePod(namespace, name, uid);
                    onDone.run();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (RuntimeException e) {
                    log.error("cannot terminate pod {}/{}", namespace, name, e);
                } finally {
                    stopped.countDown();
                }
            });
            return;
        }
        if (shutdown) {
            finish();
            pool.blocking(() -> {
                try {
                    for (ContainerSlot s : allSlots()) {
                        if (s.handle != null) {
                            if (stopOnShutdown) {
                                s.handle.stop(gracePeriod());
                            } else {
                                s.handle.detach();
                            }
                        }
                    }
                } finally {
                    stopped.countDown();
                }
            });
            return;
        }
        if (settled) {
            return;
        }
        step();
        report();
        if (terminal() && allSlots().stream().noneMatch(ContainerSlot::running)) {
            // Succeeded or Failed: nothing runs again; the object stays until someone deletes it (a new version wakes the worker)
            settled = true;
            cancelTick();
            return;
        }
        scheduleTick();
    }

    /** The first pass: the pod's containers, with what the runtime still has of them and what the API last showed. */
    private void setUp() {
        PodStatus existing = pod.getStatus();
        statuses = new PodStatuses(existing);
        startTime = existing != null && existing.getStartTime() != null ? existing.getStartTime() : PodStatuses.time(Instant.now());
        podIp = runtime.podIp(uid, settings.nodeIp());
        if (pod.getSpec().getInitContainers() != null) {
            for (Container c : pod.getSpec().getInitContainers()) {
                initSlots.add(slot(c, true, existing == null ? null : existing.getInitContainerStatuses()));
            }
        }
        for (Container c : pod.getSpec().getContainers()) {
            appSlots.add(slot(c, false, existing == null ? null : existing.getContainerStatuses()));
        }
    }

    private void finish() {
        finished = true;
        cancelTick();
    }

    private void scheduleTick() {
        cancelTick();
        try {
            nextTick = pool.schedule(this::wake, TICK);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // the agent has stopped
        }
    }

    private void cancelTick() {
        if (nextTick != null) {
            nextTick.cancel(false);
            nextTick = null;
        }
    }

    /** A container's supervision state, picking up what the runtime still has and what the API last showed. */
    private ContainerSlot slot(Container c, boolean init, List<ContainerStatus> reported) {
        ContainerSlot slot = new ContainerSlot(c, init, new BackOff(settings.backOffBase(), settings.backOffMax()));
        ContainerStatus before = reported == null ? null
                : reported.stream().filter(s -> c.getName().equals(s.getName())).findFirst().orElse(null);
        if (before != null) {
            slot.lastTerminated = before.getLastState() == null || before.getLastState().getTerminated() == null ? null : before.getLastState();
        }
        Optional<ContainerHandle> existing = runtime.existing(uid, c.getName());
        if (existing.isPresent()) {
            slot.handle = existing.get();
            slot.nextRun = existing.get().restartCount() + 1;
            if (slot.handle.isRunning()) {
                slot.env = resolveEnvQuietly(c);
                startProbes(slot);
                log.info("pod {}/{}: adopted container {} ({})", namespace, name, c.getName(), slot.handle.id());
            }
            return slot;
        }
        if (before != null) {
            boolean ran = before.getState() != null && (before.getState().getRunning() != null || before.getState().getTerminated() != null)
                    || slot.lastTerminated != null;
            slot.nextRun = ran ? Objects.requireNonNullElse(before.getRestartCount(), 0) + 1 : 0;
            if (before.getState() != null && before.getState().getTerminated() != null) {
                int code = before.getState().getTerminated().getExitCode();
                if (!restarts(init, code)) {
                    slot.finalState = before.getState();
                } else {
                    slot.lastTerminated = before.getState();
                }
            } else if (before.getState() != null && before.getState().getRunning() != null) {
                // it ran when the agent stopped and its process is gone now (a reboot): a lost run
                slot.lastTerminated = new ContainerStateBuilder().withNewTerminated().withExitCode(137)
                        .withReason("ContainerStatusUnknown")
                        .withMessage("The container could not be located when the pod was terminated")
                        .endTerminated().build();
            }
        }
        return slot;
    }

    private boolean restarts(boolean init, int exitCode) {
        String policy = Objects.requireNonNullElse(pod.getSpec().getRestartPolicy(), "Always");
        if (init) {
            return exitCode != 0 && !policy.equals("Never");
        }
        return policy.equals("Always") || (policy.equals("OnFailure") && exitCode != 0);
    }

    private boolean terminal() {
        PodStatus s = reported;
        return s != null && ("Succeeded".equals(s.getPhase()) || "Failed".equals(s.getPhase()));
    }

    /** One pass: init containers in order, then the containers and their probes. */
    private void step() {
        Instant now = Instant.now();
        boolean initialized = true;
        for (ContainerSlot slot : initSlots) {
            if (slot.succeeded()) {
                continue;
            }
            initialized = false;
            if (slot.done()) {
                failedInit = true;
                break;
            }
            supervise(slot, now);
            if (slot.succeeded()) {
                initialized = true;
                continue;
            }
            break;
        }
        if (!initialized || failedInit) {
            return;
        }
        for (ContainerSlot slot : appSlots) {
            supervise(slot, now);
            if (slot.running()) {
                probe(slot, now);
            }
        }
    }

    private void supervise(ContainerSlot slot, Instant now) {
        if (slot.done()) {
            return;
        }
        if (slot.handle != null) {
            if (slot.handle.isRunning()) {
                return;
            }
            ContainerHandle ended = slot.handle;
            slot.handle = null;
            slot.stopping = null;
            slot.clearProbes();
            ContainerState term = terminated(ended);
            ended.remove();
            log.info("container {} of pod {}/{} exited with {}", slot.name(), namespace, name, term.getTerminated().getExitCode());
            ended(slot, term, now);
        }
        if (slot.handle == null && !slot.done() && (slot.nextStart == null || !now.isBefore(slot.nextStart))) {
            startContainer(slot, now);
        }
    }

    /** A run ended: it is the container's last, or the next one starts now or after the back-off. */
    private void ended(ContainerSlot slot, ContainerState term, Instant now) {
        int code = term.getTerminated().getExitCode();
        if (!restarts(slot.init, code)) {
            slot.finalState = term;
            slot.waiting = null;
            return;
        }
        slot.lastTerminated = term;
        Instant finishedAt = Instant.parse(term.getTerminated().getFinishedAt());
        Instant until = slot.backOff.waitUntil(finishedAt.isAfter(now) ? now : finishedAt);
        if (until != null && now.isBefore(until)) {
            slot.nextStart = until;
            slot.waiting = new ContainerStateBuilder().withNewWaiting().withReason("CrashLoopBackOff")
                    .withMessage("back-off " + BackOff.format(slot.backOff.delay()) + " restarting failed container=" + slot.name()
                            + " pod=" + name + "_" + namespace + "(" + uid + ")").endWaiting().build();
            events.warning(pod, slot.fieldPath(), "BackOff", "Back-off restarting failed container " + slot.name()
                    + " in pod " + name + "_" + namespace + "(" + uid + ")");
        } else {
            slot.nextStart = null;
        }
    }

    private void startContainer(ContainerSlot slot, Instant now) {
        Container c = slot.spec;
        Map<String, String> env;
        try {
            ContainerEnv resolver = new ContainerEnv(client, pod, settings.nodeIp(), podIp, settings.allocatable(), services.of(pod));
            env = resolver.resolve(c);
            if (!resolver.invalidNames().isEmpty()) {
                events.warning(pod, slot.fieldPath(), "InvalidEnvironmentVariableNames", "Keys [" + String.join(", ", resolver.invalidNames())
                        + "] from the EnvFrom were skipped since they are considered invalid environment variable names.");
            }
        } catch (ContainerConfigException | KubernetesClientException e) {
            configError(slot, now, e.getMessage());
            return;
        }
        if (slot.nextRun > 0) {
            slot.backOff.restarted(now);
        }
        int run = slot.nextRun;
        ContainerSpec spec = new ContainerSpec(uid, namespace, name, c.getName(), c.getImage(), ContainerEnv.commandLine(c, env), env,
                c.getWorkingDir(), run, logs.logFile(namespace, name, uid, c.getName(), run), limits(c), podLimits());
        try {
            slot.handle = runtime.start(spec);
            slot.nextRun = run + 1;
            slot.waiting = null;
            slot.nextStart = null;
            slot.env = env;
            logs.pruneBefore(namespace, name, uid, c.getName(), run);
            events.normal(pod, slot.fieldPath(), "Created", "Created container " + c.getName());
            events.normal(pod, slot.fieldPath(), "Started", "Started container " + c.getName());
            log.info("started container {} of pod {}/{} as {}", c.getName(), namespace, name, slot.handle.id());
            if (!runPostStart(slot)) {
                return;
            }
            startProbes(slot);
        } catch (ContainerStartException e) {
            events.warning(pod, slot.fieldPath(), "Failed", "Error: " + e.getMessage());
            if (e.reason().equals("StartError")) {
                // created but could not start: a run that ended at once, with exit code 128, as containerd reports it
                slot.nextRun = run + 1;
                String at = PodStatuses.time(now);
                ContainerState term = new ContainerStateBuilder().withNewTerminated().withExitCode(128).withReason("StartError")
                        .withMessage(e.getMessage()).withStartedAt("1970-01-01T00:00:00Z").withFinishedAt(at).endTerminated().build();
                ended(slot, term, now);
            } else {
                slot.waiting = new ContainerStateBuilder().withNewWaiting().withReason(e.reason()).withMessage(e.getMessage())
                        .endWaiting().build();
                slot.nextStart = now.plus(CONFIG_RETRY);
            }
        }
    }

    private void configError(ContainerSlot slot, Instant now, String message) {
        boolean repeated = slot.waiting != null && slot.waiting.getWaiting() != null && message.equals(slot.waiting.getWaiting().getMessage());
        slot.waiting = new ContainerStateBuilder().withNewWaiting().withReason("CreateContainerConfigError").withMessage(message)
                .endWaiting().build();
        slot.nextStart = now.plus(CONFIG_RETRY);
        if (!repeated) {
            log.info("container {} of pod {}/{}: {}", slot.name(), namespace, name, message);
        }
        events.warning(pod, slot.fieldPath(), "Failed", "Error: " + message);
    }

    private Map<String, String> resolveEnvQuietly(Container c) {
        try {
            return new ContainerEnv(client, pod, settings.nodeIp(), podIp, settings.allocatable(), services.of(pod)).resolve(c);
        } catch (ContainerConfigException | KubernetesClientException e) {
            return Map.of();
        }
    }

    private void startProbes(ContainerSlot slot) {
        if (slot.init) {
            return;
        }
        Instant started = slot.handle.startedAt();
        Container c = slot.spec;
        slot.startup = c.getStartupProbe() == null ? null : new ProbeState(ProbeState.Kind.STARTUP, c.getStartupProbe(), started);
        slot.liveness = c.getLivenessProbe() == null ? null : new ProbeState(ProbeState.Kind.LIVENESS, c.getLivenessProbe(), started);
        slot.readiness = c.getReadinessProbe() == null ? null : new ProbeState(ProbeState.Kind.READINESS, c.getReadinessProbe(), started);
    }

    /** Startup first; liveness and readiness once it succeeded. A failed startup or liveness probe restarts the container. */
    private void probe(ContainerSlot slot, Instant now) {
        if (slot.startup != null && !slot.startup.succeeded()) {
            runProbe(slot, slot.startup, now);
            if (slot.startup != null && slot.startup.failed()) {
                kill(slot, "Container " + slot.name() + " failed startup probe, will be restarted", slot.startup.probe());
            }
            return;
        }
        if (slot.liveness != null) {
            runProbe(slot, slot.liveness, now);
            if (slot.liveness.failed()) {
                kill(slot, "Container " + slot.name() + " failed liveness probe, will be restarted", slot.liveness.probe());
                return;
            }
        }
        if (slot.readiness != null) {
            runProbe(slot, slot.readiness, now);
        }
    }

    private void runProbe(ContainerSlot slot, ProbeState state, Instant now) {
        Probe p = state.probe();
        Map<String, String> env = slot.env;
        Container c = slot.spec;
        ProbeResult result = state.poll(now, probes, () -> {
            if (p.getExec() != null) {
                return prober.exec(p.getExec(), env, c.getWorkingDir(), state.timeout());
            } else if (p.getHttpGet() != null) {
                return prober.httpGet(p.getHttpGet(), c, podIp, state.timeout());
            } else if (p.getTcpSocket() != null) {
                return prober.tcpSocket(p.getTcpSocket(), c, podIp, state.timeout());
            }
            return new ProbeResult(false, "probe has no handler this runtime supports");
        });
        if (result != null && !result.success()) {
            events.warning(pod, slot.fieldPath(), "Unhealthy", state.kind().label() + " probe failed: " + result.output());
        }
    }

    private void kill(ContainerSlot slot, String message, Probe probe) {
        events.normal(pod, slot.fieldPath(), "Killing", message);
        log.info("pod {}/{}: {}", namespace, name, message);
        slot.clearProbes();
        Duration grace = probe.getTerminationGracePeriodSeconds() != null ? Duration.ofSeconds(probe.getTerminationGracePeriodSeconds())
                : Duration.ofSeconds(Objects.requireNonNullElse(pod.getSpec().getTerminationGracePeriodSeconds(), 30L));
        stopAside(slot, grace, true);
    }

    /**
     * Stops the slot's current run off the shared threads (its preStop hook first, when asked); meanwhile the
     * container counts as neither started nor ready, and the passes go on and see it exit.
     */
    private void stopAside(ContainerSlot slot, Duration grace, boolean preStop) {
        ContainerHandle handle = slot.handle;
        Map<String, String> env = slot.env;
        slot.stopping = handle;
        pool.blocking(() -> {
            if (preStop) {
                runPreStop(slot, env, grace);
            }
            handle.stop(grace);
            wake();
        });
    }

    private ContainerState terminated(ContainerHandle handle) {
        int code = handle.exitCode().orElse(137);
        Instant finished = handle.finishedAt() == null ? Instant.now() : handle.finishedAt();
        String reason = handle.oomKilled() ? "OOMKilled" : code == 0 ? "Completed" : "Error";
        return new ContainerStateBuilder().withNewTerminated().withExitCode(code).withReason(reason).withContainerID(handle.id())
                .withStartedAt(PodStatuses.time(handle.startedAt())).withFinishedAt(PodStatuses.time(finished)).endTerminated().build();
    }

    /** Deletion: every container's preStop hook, then SIGTERM, all sharing the grace period; then the object goes. */
    private void terminate() throws InterruptedException {
        Duration grace = removed ? MIN_GRACE : gracePeriod();
        Instant deadline = Instant.now().plus(grace);
        List<Thread> stoppers = new ArrayList<>();
        for (ContainerSlot slot : allSlots()) {
            ContainerHandle handle = slot.handle;
            slot.clearProbes();
            if (handle == null || !handle.isRunning()) {
                continue;
            }
            events.normal(pod, slot.fieldPath(), "Killing", "Stopping container " + slot.name());
            log.info("stopping container {} of pod {}/{} (grace {}s)", slot.name(), namespace, name, grace.toSeconds());
            Thread t = new Thread(() -> {
                runPreStop(slot, slot.env, grace);
                Duration left = Duration.between(Instant.now(), deadline);
                // the kubelet leaves at least 2 s between SIGTERM and SIGKILL, even when preStop took it all
                handle.stop(left.compareTo(MIN_GRACE) < 0 && grace.compareTo(MIN_GRACE) >= 0 ? MIN_GRACE : left.isNegative() ? Duration.ZERO : left);
            }, "stop-" + name + "-" + slot.name());
            t.start();
            stoppers.add(t);
        }
        for (Thread t : stoppers) {
            t.join();
        }
        if (removed) {
            return;
        }
        deletePodObject();
    }

    /**
     * The postStart hook, run as the kubelet does right after the start and before the container counts
     * as started; when it fails the container is killed ({@code FailedPostStartHook}) and restarts per policy.
     */
    private boolean runPostStart(ContainerSlot slot) {
        if (slot.spec.getLifecycle() == null || slot.spec.getLifecycle().getPostStart() == null) {
            return true;
        }
        LifecycleHandler hook = slot.spec.getLifecycle().getPostStart();
        Duration grace = Duration.ofSeconds(Objects.requireNonNullElse(pod.getSpec().getTerminationGracePeriodSeconds(), 30L));
        ProbeResult result;
        if (hook.getExec() != null) {
            result = prober.exec(hook.getExec(), slot.env, slot.spec.getWorkingDir(), grace);
        } else if (hook.getHttpGet() != null) {
            result = prober.httpGet(hook.getHttpGet(), slot.spec, podIp, grace);
        } else {
            return true;
        }
        if (result.success()) {
            return true;
        }
        events.warning(pod, slot.fieldPath(), "FailedPostStartHook", "PostStartHook failed: " + result.output());
        events.normal(pod, slot.fieldPath(), "Killing", "FailedPostStartHook");
        stopAside(slot, grace, false);
        return false;
    }

    /** {@code env}: the environment of the run being stopped (the slot's may be the next run's by then). */
    private void runPreStop(ContainerSlot slot, Map<String, String> env, Duration grace) {
        Container spec = slot.spec;
        if (spec.getLifecycle() == null || spec.getLifecycle().getPreStop() == null) {
            return;
        }
        LifecycleHandler hook = spec.getLifecycle().getPreStop();
        ProbeResult result;
        if (hook.getExec() != null) {
            result = prober.exec(hook.getExec(), env, spec.getWorkingDir(), grace);
        } else if (hook.getHttpGet() != null) {
            result = prober.httpGet(hook.getHttpGet(), spec, podIp, grace);
        } else if (hook.getSleep() != null) {
            long seconds = Math.min(hook.getSleep().getSeconds(), grace.toSeconds());
            try {
                Thread.sleep(seconds * 1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        } else {
            return;
        }
        if (!result.success()) {
            events.warning(pod, slot.fieldPath(), "FailedPreStopHook", "PreStopHook failed: " + result.output());
        }
    }

    /** As the kubelet: a delete with gracePeriodSeconds=0 that only applies to this very pod (its uid). */
    private void deletePodObject() {
        String path = client.getMasterUrl().toString().replaceAll("/+$", "") + "/api/v1/namespaces/" + namespace + "/pods/" + name;
        Map<String, Object> options = Map.of("apiVersion", "v1", "kind", "DeleteOptions", "gracePeriodSeconds", 0,
                "preconditions", Map.of("uid", uid));
        try {
            client.raw(path, "DELETE", options);
            log.info("pod {}/{} stopped and deleted", namespace, name);
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404 && e.getCode() != 409) {
                log.warn("cannot delete pod {}/{}: {}", namespace, name, e.getMessage());
            }
        }
    }

    private Duration gracePeriod() {
        Long fromMetadata = pod.getMetadata().getDeletionGracePeriodSeconds();
        if (fromMetadata != null) {
            return Duration.ofSeconds(fromMetadata);
        }
        Long fromSpec = pod.getSpec().getTerminationGracePeriodSeconds();
        return Duration.ofSeconds(fromSpec == null ? 30 : fromSpec);
    }

    private static Limits limits(Container c) {
        var r = c.getResources();
        Map<String, Quantity> limits = r == null || r.getLimits() == null ? Map.of() : r.getLimits();
        Map<String, Quantity> requests = r == null || r.getRequests() == null ? Map.of() : r.getRequests();
        Long cpu = limits.containsKey("cpu") ? milli(limits.get("cpu")) : null;
        Quantity cpuRequest = requests.getOrDefault("cpu", limits.get("cpu"));
        Long shares = cpuRequest == null ? null : Limits.sharesFor(milli(cpuRequest));
        Long memory = limits.containsKey("memory") ? Quantity.getAmountInBytes(limits.get("memory")).longValue() : null;
        return new Limits(cpu, shares, memory, null);
    }

    /** The sum of the containers' limits when all have one (else none), and the pod's process limit. */
    private Limits podLimits() {
        Long cpu = 0L;
        Long memory = 0L;
        for (Container c : pod.getSpec().getContainers()) {
            Limits l = limits(c);
            cpu = cpu == null || l.cpuMillis() == null ? null : cpu + l.cpuMillis();
            memory = memory == null || l.memoryBytes() == null ? null : memory + l.memoryBytes();
        }
        if (pod.getSpec().getInitContainers() != null) {
            // an init container runs alone: the pod needs room for the largest of them too
            for (Container c : pod.getSpec().getInitContainers()) {
                Limits l = limits(c);
                cpu = cpu == null || l.cpuMillis() == null ? null : Math.max(cpu, l.cpuMillis());
                memory = memory == null || l.memoryBytes() == null ? null : Math.max(memory, l.memoryBytes());
            }
        }
        return new Limits(cpu, null, memory, settings.podPidsLimit() > 0 ? settings.podPidsLimit() : null);
    }

    private static long milli(Quantity q) {
        return Quantity.getAmountInBytes(q).multiply(BigDecimal.valueOf(1000)).setScale(0, java.math.RoundingMode.CEILING).longValue();
    }

    /**
     * Hands the status to the reporter when it changed, when the last one did not get through, and when the
     * API's copy disagrees (someone else wrote it).
     */
    private void report() {
        PodStatus status = status();
        boolean changed = !Objects.equals(status, requested);
        boolean lost = !changed && !Objects.equals(requested, reported) && statusChannel.idle();
        boolean drifted = !changed && !lost && Instant.now().isAfter(reportedAt.plus(STATUS_RESYNC))
                && !Objects.equals(ours(pod.getStatus()), status);
        if (changed || lost || drifted) {
            requested = status;
            statusChannel.send(status);
        }
    }

    /**
     * The pod's status, computed again only when what it is made of changed: this version of the pod, and each
     * container's run, state and readiness. (Building it with the model's builders is most of what a pass
     * allocates, and most passes change nothing.)
     */
    private PodStatus status() {
        List<Object> inputs = new ArrayList<>();
        inputs.add(failedInit);
        for (ContainerSlot s : allSlots()) {
            // the handle and the states are replaced, not changed, when the container moves on
            inputs.addAll(Arrays.asList(s.handle, s.running(), s.started(), s.ready(), s.finalState, s.waiting, s.lastTerminated,
                    s.restartCount()));
        }
        if (computed == null || pod != computedFor || !inputs.equals(computedInputs)) {
            computed = statuses.compute(pod, initSlots, appSlots, settings.nodeIp(), podIp, startTime, failedInit);
            computedFor = pod;
            computedInputs = inputs;
        }
        return computed;
    }

    /** The API server took {@code status}. */
    private void reported(PodStatus status) {
        reported = status;
        reportedAt = Instant.now();
        if ("Succeeded".equals(status.getPhase()) || "Failed".equals(status.getPhase())) {
            wake(); // to settle
        }
    }

    /** The fields of a pod's status that the agent owns. */
    private static PodStatus ours(PodStatus s) {
        if (s == null) {
            return null;
        }
        return new PodStatusBuilder().withPhase(s.getPhase()).withConditions(s.getConditions()).withHostIP(s.getHostIP())
                .withHostIPs(s.getHostIPs()).withPodIP(s.getPodIP()).withPodIPs(s.getPodIPs()).withStartTime(s.getStartTime())
                .withQosClass(s.getQosClass()).withContainerStatuses(s.getContainerStatuses())
                .withInitContainerStatuses(s.getInitContainerStatuses() == null || s.getInitContainerStatuses().isEmpty()
                        ? null : s.getInitContainerStatuses()).build();
    }
}
