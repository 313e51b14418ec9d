package dev.coracle.server.scheduler;

import dev.coracle.server.api.ApiException;
import dev.coracle.server.api.InternalClient;
import dev.coracle.server.api.Json;
import dev.coracle.server.controller.Controller;
import dev.coracle.server.controller.EventRecorder;
import dev.coracle.server.controller.Informer;
import dev.coracle.server.controller.Informers;
import dev.coracle.server.patch.PatchType;
import dev.coracle.server.scheduler.filter.Filter;
import dev.coracle.server.scheduler.filter.VolumeBinding;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import dev.coracle.server.scheduler.filter.InterPodAffinity;
import dev.coracle.server.scheduler.filter.PodTopologySpread;
import dev.coracle.server.scheduler.score.Score;
import dev.coracle.server.store.RevisionRecord.EventType;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * kube-scheduler inside the server: takes pods without a node whose {@code schedulerName} is
 * {@code default-scheduler}, one at a time, picks a node (filters, then scores), assumes the pod there
 * and writes the binding in the background. A pod that fits nowhere gets a {@code FailedScheduling}
 * event and {@code PodScheduled=False} ({@code Unschedulable}) and waits until a node or a bound pod
 * changes in a way that may make room (or, as a backstop, {@code podMaxInUnschedulablePodsDuration}):
 * any node change that matters and any bound pod leaving retry every waiting pod; a pod bound or relabelled
 * retries those that inter-pod affinity or topology spreading rejected when their queueing hints say it
 * may help, as kube-scheduler's {@code AssignedPodAdd}/{@code UpdatePodLabel} events do.
 */
@Component
public class Scheduler extends Controller {

    private static final Logger log = LoggerFactory.getLogger(Scheduler.class);
    public static final String SCHEDULER_NAME = "default-scheduler";

    private enum Queue { ACTIVE, BACKOFF, UNSCHEDULABLE }

    /** A pending pod's place in the scheduling queue. */
    private static final class Pending {
        volatile Queue queue = Queue.ACTIVE;
        volatile int attempts;
        volatile long lastAttemptNanos;
        volatile long backoffUntilNanos;
        volatile long unschedulableSinceNanos;
        /** The filters that rejected it last, and the pod as it was then, for the queueing hints. */
        volatile java.util.Set<String> rejectedBy = java.util.Set.of();
        volatile PodInfo info;
    }

    private final InternalClient client;
    private final SchedulerProperties properties;
    private final AsyncEvents events;
    private final SchedulerCache cache = new SchedulerCache();
    private final SchedulingAlgorithm algorithm = new SchedulingAlgorithm(Filter.defaults(), Score.defaults());
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    /** Pods of ours held back by scheduling gates. */
    private final java.util.Set<String> gated = ConcurrentHashMap.newKeySet();
    private final AtomicLong moveCycle = new AtomicLong();
    /** Unschedulable pods that a bound pod's arrival or new labels may help: rejected by InterPodAffinity or PodTopologySpread. */
    private final java.util.Set<String> waitingOnPods = ConcurrentHashMap.newKeySet();
    /** Counts bound pods added or relabelled, so that a pod rejected during such a change is retried. */
    private final AtomicLong assignedPodEvents = new AtomicLong();
    private final AtomicInteger binding = new AtomicInteger();
    private final MeterRegistry meters;
    private final Map<String, Counter> attempts = new ConcurrentHashMap<>();
    private final Map<String, Timer> durations = new ConcurrentHashMap<>();
    private Informer<Pod> pods;
    private Informer<Node> nodes;
    private Informer<Namespace> namespaces;
    private volatile ExecutorService binder;
    private volatile ScheduledExecutorService timer;

    public Scheduler(InternalClient client, EventRecorder recorder, SchedulerProperties properties, MeterRegistry meters) {
        // kube-scheduler writes with its own client: its PodScheduled conditions and events are kube-scheduler's in managedFields
        this.client = client.as("kube-scheduler");
        this.properties = properties;
        this.events = new AsyncEvents(recorder.as("kube-scheduler"), SCHEDULER_NAME);
        this.meters = meters;
        for (Queue q : Queue.values()) {
            Gauge.builder("scheduler_pending_pods", this, s -> s.count(q))
                    .description("Number of pending pods, by the queue type.")
                    .tags("queue", q == Queue.ACTIVE ? "active" : q == Queue.BACKOFF ? "backoff" : "unschedulable")
                    .register(meters);
        }
        Gauge.builder("scheduler_pending_pods", gated, java.util.Set::size)
                .description("Number of pending pods, by the queue type.").tags("queue", "gated").register(meters);
    }

    @Override
    public String name() {
        return "scheduler";
    }

    /** One scheduling cycle at a time, as kube-scheduler; bindings run in parallel. */
    @Override
    protected int workerCount() {
        return 1;
    }

    @Override
    protected void register(Informers informers) {
        pods = informers.of(Pod.class);
        nodes = informers.of(Node.class);
        namespaces = informers.of(Namespace.class);
        cache.namespaceLabels(ns -> namespaces.get(null, ns).map(n -> n.getMetadata().getLabels()).orElse(null));
        Informer<PersistentVolumeClaim> claims = informers.of(PersistentVolumeClaim.class);
        Informer<PersistentVolume> volumes = informers.of(PersistentVolume.class);
        Informer<StorageClass> classes = informers.of(StorageClass.class);
        cache.volumes(new VolumeLookup() {
            @Override
            public Optional<PersistentVolumeClaim> claim(String namespace, String name) {
                return claims.get(namespace, name);
            }

            @Override
            public Optional<PersistentVolume> volume(String name) {
                return volumes.get(null, name);
            }

            @Override
            public Optional<StorageClass> storageClass(String name) {
                return classes.get(null, name);
            }
        });
        pods.onChange(this::onPod);
        nodes.onChange(this::onNode);
        // VolumeBinding's queueing hints: a claim, volume or class that appears or changes may let its pods fit
        claims.onChange(c -> volumeChanged());
        volumes.onChange(c -> volumeChanged());
        classes.onChange(c -> volumeChanged());
    }

    private void volumeChanged() {
        pending.forEach((key, p) -> {
            if (p.queue == Queue.UNSCHEDULABLE && p.rejectedBy.contains(VolumeBinding.NAME)) {
                requeue(key, p);
            }
        });
    }

    @Override
    protected void started() {
        cache.clear();
        for (Node node : nodes.all()) {
            cache.setNode(node);
        }
        for (Pod pod : pods.all()) {
            onPod(new Informer.Change<>(EventType.ADDED, null, pod));
        }
        AtomicInteger n = new AtomicInteger();
        binder = Executors.newFixedThreadPool(properties.bindWorkers(), r -> {
            Thread t = new Thread(r, "scheduler-binder-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "scheduler-flush");
            t.setDaemon(true);
            return t;
        });
        long flush = Math.max(1, Math.min(30_000, properties.podMaxInUnschedulablePodsDuration().toMillis() / 2));
        timer.scheduleWithFixedDelay(this::flushUnschedulableLeftover, flush, flush, TimeUnit.MILLISECONDS);
    }

    @Override
    protected void stopped() {
        if (binder != null) {
            binder.shutdownNow();
        }
        if (timer != null) {
            timer.shutdownNow();
        }
        events.clear();
        cache.clear();
        pending.clear();
        gated.clear();
        waitingOnPods.clear();
    }

    // ---------------------------------------------------------------- events from the informers

    private void onPod(Informer.Change<Pod> change) {
        Pod pod = change.current();
        String key = Informer.key(pod);
        gated.remove(key);
        if (change.type() == EventType.DELETED) {
            pending.remove(key);
            waitingOnPods.remove(key);
            if (cache.removeBound(key)) {
                moveAllToActive();
            }
            return;
        }
        String node = nodeName(pod);
        if (!node.isEmpty()) {
            pending.remove(key);
            if (terminal(pod)) {
                if (cache.removeBound(key)) {
                    moveAllToActive();
                }
            } else {
                PodInfo now = PodInfo.of(pod);
                PodInfo before = cache.addOrUpdateBound(now, node);
                if (before == null || !before.labels.equals(now.labels)) {
                    assignedPodChanged(before, now);
                }
            }
            return;
        }
        if (!responsible(pod)) {
            pending.remove(key);
            if (responsible(pod, true)) {
                gated.add(key);
            }
            return;
        }
        Pending p = pending.get(key);
        if (p == null) {
            pending.put(key, new Pending());
            enqueue(key);
        } else if (p.queue == Queue.UNSCHEDULABLE) {
            Pod old = change.old();
            if (old == null || !Objects.equals(old.getSpec(), pod.getSpec())
                    || !Objects.equals(old.getMetadata().getLabels(), pod.getMetadata().getLabels())) {
                requeue(key, p);
            }
        }
    }

    private void onNode(Informer.Change<Node> change) {
        Node node = change.current();
        switch (change.type()) {
            case DELETED -> cache.removeNode(node.getMetadata().getName());
            case ADDED -> {
                cache.setNode(node);
                moveAllToActive();
            }
            default -> {
                cache.setNode(node);
                if (change.old() == null || schedulingPropertiesChanged(change.old(), node)) {
                    moveAllToActive();
                }
            }
        }
    }

    /** {@code nodeSchedulingPropertiesChange}: what may let a pod fit, not heartbeats. */
    static boolean schedulingPropertiesChanged(Node old, Node now) {
        if (!Objects.equals(old.getMetadata().getLabels(), now.getMetadata().getLabels())) {
            return true;
        }
        var oldSpec = old.getSpec();
        var spec = now.getSpec();
        if (!Objects.equals(oldSpec == null ? null : oldSpec.getUnschedulable(), spec == null ? null : spec.getUnschedulable())
                || !Objects.equals(oldSpec == null ? null : oldSpec.getTaints(), spec == null ? null : spec.getTaints())) {
            return true;
        }
        var oldStatus = old.getStatus();
        var status = now.getStatus();
        if (oldStatus == null || status == null) {
            return oldStatus != status;
        }
        return !Objects.equals(oldStatus.getAllocatable(), status.getAllocatable())
                || !conditionStatuses(oldStatus.getConditions()).equals(conditionStatuses(status.getConditions()));
    }

    private static Map<String, String> conditionStatuses(List<NodeCondition> conditions) {
        Map<String, String> out = new LinkedHashMap<>();
        for (NodeCondition c : conditions) {
            out.put(c.getType(), c.getStatus());
        }
        return out;
    }

    /**
     * A pod bound (as the API shows it) or relabelled: the unschedulable pods that inter-pod affinity or
     * topology spreading rejected go back to the queue when that plugin's queueing hint says it may help.
     */
    private void assignedPodChanged(PodInfo old, PodInfo now) {
        assignedPodEvents.incrementAndGet();
        if (waitingOnPods.isEmpty()) {
            return;
        }
        for (String key : waitingOnPods) {
            Pending p = pending.get(key);
            if (p == null || p.queue != Queue.UNSCHEDULABLE || p.info == null) {
                waitingOnPods.remove(key);
                continue;
            }
            PodInfo waiting = p.info;
            java.util.Set<String> rejectedBy = p.rejectedBy;
            if ((rejectedBy.contains(InterPodAffinity.NAME) && InterPodAffinity.schedulableAfterPodChange(waiting, old, now, cache::namespaceLabels))
                    || (rejectedBy.contains(PodTopologySpread.NAME) && PodTopologySpread.schedulableAfterPodChange(waiting, old, now))) {
                waitingOnPods.remove(key);
                requeue(key, p);
            }
        }
    }

    /** Unschedulable pods go back to the queue, after what is left of their back-off. */
    private void moveAllToActive() {
        moveCycle.incrementAndGet();
        pending.forEach((key, p) -> {
            if (p.queue == Queue.UNSCHEDULABLE) {
                requeue(key, p);
            }
        });
    }

    private void requeue(String key, Pending p) {
        long wait = p.lastAttemptNanos + properties.backoff(Math.max(1, p.attempts)).toNanos() - System.nanoTime();
        if (wait > 0) {
            p.queue = Queue.BACKOFF;
            p.backoffUntilNanos = System.nanoTime() + wait;
            queue.addAfter(key, Duration.ofNanos(wait));
        } else {
            p.queue = Queue.ACTIVE;
            enqueue(key);
        }
    }

    private void flushUnschedulableLeftover() {
        long limit = properties.podMaxInUnschedulablePodsDuration().toNanos();
        long now = System.nanoTime();
        pending.forEach((key, p) -> {
            if (p.queue == Queue.UNSCHEDULABLE && now - p.unschedulableSinceNanos > limit) {
                requeue(key, p);
            }
        });
    }

    // ---------------------------------------------------------------- the scheduling cycle

    @Override
    protected void reconcile(String key) {
        Pod pod = pods.get(key).orElse(null);
        if (pod == null || !nodeName(pod).isEmpty() || !responsible(pod)) {
            pending.remove(key);
            return;
        }
        if (cache.isAssumed(key)) {
            return;
        }
        Pending p = pending.computeIfAbsent(key, k -> new Pending());
        p.queue = Queue.ACTIVE;
        p.attempts++;
        p.lastAttemptNanos = System.nanoTime();
        long cycle = moveCycle.get();
        long podEvents = assignedPodEvents.get();
        long start = System.nanoTime();
        PodInfo info = PodInfo.of(pod);
        SchedulingAlgorithm.Result result;
        synchronized (cache.lock()) {
            result = algorithm.schedule(info, cache);
            if (result.node() != null) {
                cache.assume(info, result.node());
            }
        }
        if (result.node() != null) {
            pending.remove(key);
            waitingOnPods.remove(key);
            binding.incrementAndGet();
            String node = result.node();
            binder.execute(() -> bind(info, node, start));
            return;
        }
        record(result.noNodes() ? "error" : "unschedulable", start);
        p.rejectedBy = result.rejectedBy();
        boolean waitsOnPods = p.rejectedBy.contains(InterPodAffinity.NAME) || p.rejectedBy.contains(PodTopologySpread.NAME);
        // kept only for the queueing hints: for any other pending pod it would be a second copy beside the informer's
        p.info = waitsOnPods ? info : null;
        p.queue = Queue.UNSCHEDULABLE;
        p.unschedulableSinceNanos = System.nanoTime();
        if (waitsOnPods) {
            waitingOnPods.add(key);
        } else {
            waitingOnPods.remove(key);
        }
        // a change seen while this cycle ran may already have made room: retry after the back-off
        if (moveCycle.get() != cycle || (waitsOnPods && assignedPodEvents.get() != podEvents)) {
            requeue(key, p);
        }
        reportUnschedulable(pod, result.message());
    }

    private void bind(PodInfo pod, String node, long start) {
        try {
            client.bind(pod.namespace(), pod.name(), pod.uid, node);
            record("scheduled", start);
            events.normal(pod.pod, "Scheduled", "Successfully assigned " + pod.key + " to " + node);
        } catch (RuntimeException e) {
            cache.forget(pod.key);
            record("error", start);
            if (e instanceof ApiException api && (api.code() == 404 || api.code() == 409)) {
                log.debug("binding {} to {}: {}", pod.key, node, e.getMessage());
                return;
            }
            log.info("binding {} to {} failed: {}", pod.key, node, e.toString());
            events.warning(pod.pod, "FailedScheduling", "Binding rejected: " + e.getMessage());
            Pending p = pending.computeIfAbsent(pod.key, k -> new Pending());
            p.attempts++;
            p.lastAttemptNanos = System.nanoTime();
            requeue(pod.key, p);
        } finally {
            binding.decrementAndGet();
        }
    }

    /** The FailedScheduling event, and {@code PodScheduled=False} with reason Unschedulable through the status subresource. */
    private void reportUnschedulable(Pod pod, String message) {
        events.warning(pod, "FailedScheduling", message);
        PodCondition current = null;
        if (pod.getStatus() != null) {
            for (PodCondition c : pod.getStatus().getConditions()) {
                if ("PodScheduled".equals(c.getType())) {
                    current = c;
                }
            }
        }
        if (current != null && "False".equals(current.getStatus()) && "Unschedulable".equals(current.getReason())
                && Objects.equals(message, current.getMessage())) {
            return;
        }
        String transition = current != null && "False".equals(current.getStatus()) && current.getLastTransitionTime() != null
                ? current.getLastTransitionTime()
                : DateTimeFormatter.ISO_INSTANT.format(Instant.now().truncatedTo(ChronoUnit.SECONDS));
        Map<String, Object> condition = new LinkedHashMap<>();
        condition.put("type", "PodScheduled");
        condition.put("status", "False");
        condition.put("lastProbeTime", null);
        condition.put("lastTransitionTime", transition);
        condition.put("reason", "Unschedulable");
        condition.put("message", message);
        String body = Json.write(Map.of("status", Map.of("conditions", List.of(condition))));
        try {
            client.patch(Pod.class, pod.getMetadata().getNamespace(), pod.getMetadata().getName(), "status",
                    PatchType.STRATEGIC_MERGE_PATCH, body);
        } catch (ApiException e) {
            log.debug("could not mark {} unschedulable: {}", Informer.key(pod), e.getMessage());
        }
    }

    // ---------------------------------------------------------------- helpers

    private static String nodeName(Pod pod) {
        return pod.getSpec() == null || pod.getSpec().getNodeName() == null ? "" : pod.getSpec().getNodeName();
    }

    private static boolean terminal(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return "Succeeded".equals(phase) || "Failed".equals(phase);
    }

    /** Ours to schedule: our scheduler name, not being deleted, not gated, not finished. */
    static boolean responsible(Pod pod) {
        return responsible(pod, false);
    }

    private static boolean responsible(Pod pod, boolean evenIfGated) {
        if (pod.getSpec() == null || pod.getMetadata().getDeletionTimestamp() != null || terminal(pod)) {
            return false;
        }
        String name = pod.getSpec().getSchedulerName();
        if (name != null && !name.isEmpty() && !name.equals(SCHEDULER_NAME)) {
            return false;
        }
        return evenIfGated || pod.getSpec().getSchedulingGates().isEmpty();
    }

    private void record(String result, long startNanos) {
        attempts.computeIfAbsent(result, r -> Counter.builder("scheduler_schedule_attempts")
                .description("Number of attempts to schedule pods, by the result.")
                .tags("result", r, "profile", SCHEDULER_NAME).register(meters)).increment();
        durations.computeIfAbsent(result, r -> Timer.builder("scheduler_scheduling_attempt_duration")
                .description("Scheduling attempt latency (scheduling algorithm + binding).")
                .tags("result", r, "profile", SCHEDULER_NAME).register(meters))
                .record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
    }

    private double count(Queue q) {
        long now = System.nanoTime();
        int n = 0;
        for (Pending p : new ArrayList<>(pending.values())) {
            Queue effective = p.queue == Queue.BACKOFF && p.backoffUntilNanos <= now ? Queue.ACTIVE : p.queue;
            if (effective == q) {
                n++;
            }
        }
        return n;
    }

    /** Pods whose binding is being written. */
    public int bindingsInFlight() {
        return binding.get();
    }
}
