package dev.coracle.server.controller.node;

import dev.coracle.server.api.ApiException;
import dev.coracle.server.api.InternalClient;
import dev.coracle.server.api.Json;
import dev.coracle.server.controller.Controller;
import dev.coracle.server.controller.EventRecorder;
import dev.coracle.server.controller.Informer;
import dev.coracle.server.controller.Informers;
import dev.coracle.server.patch.PatchType;
import dev.coracle.server.scheduler.Taints;
import dev.coracle.server.store.RevisionRecord.EventType;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Kubernetes' taint eviction controller ({@code taint-eviction-controller}): a pod on a node with a
 * NoExecute taint it does not tolerate is deleted at once; one that tolerates every such taint, some
 * only for {@code tolerationSeconds}, is deleted when the shortest of those has passed since the taint
 * was seen, unless the taint goes first. Each deletion is announced with a {@code TaintManagerEviction}
 * event and a {@code DisruptionTarget} condition on the pod.
 */
@Component
public class TaintEvictionController extends Controller {

    private static final Logger log = LoggerFactory.getLogger(TaintEvictionController.class);
    static final String COMPONENT = "taint-eviction-controller";
    private static final String NODE = "node:";
    private static final String POD = "pod:";

    /**
     * A scheduled deletion. It is in {@code evictions} before its timer is set, so a deletion due now,
     * which the timer may run before {@code schedule} returns, still finds itself there.
     */
    private final class Eviction implements Runnable {
        private final String key;
        private final long createdNanos;
        private volatile ScheduledFuture<?> future;

        private Eviction(String key, long createdNanos) {
            this.key = key;
            this.createdNanos = createdNanos;
        }

        @Override
        public void run() {
            if (evictions.remove(key, this)) {
                evict(key);
            }
        }

        private void cancel() {
            ScheduledFuture<?> f = future;
            if (f != null) {
                f.cancel(false);
            }
        }
    }

    private final InternalClient client;
    private final EventRecorder events;
    private final Map<String, List<Taint>> taintedNodes = new ConcurrentHashMap<>();
    private final Map<String, Eviction> evictions = new ConcurrentHashMap<>();
    private Informer<Node> nodes;
    private Informer<Pod> pods;
    private volatile ScheduledThreadPoolExecutor timer;

    public TaintEvictionController(InternalClient client, EventRecorder events) {
        this.client = client;
        this.events = events;
    }

    @Override
    public String name() {
        return COMPONENT;
    }

    @Override
    protected void register(Informers informers) {
        nodes = informers.of(Node.class);
        pods = informers.of(Pod.class);
        nodes.onChange(c -> {
            if (c.old() == null || c.type() == EventType.DELETED
                    || !noExecute(c.old()).equals(noExecute(c.current()))) {
                enqueue(NODE + c.current().getMetadata().getName());
            }
        });
        pods.onChange(c -> {
            if (c.type() == EventType.DELETED) {
                cancel(Informer.key(c.current()), true);
                return;
            }
            Pod old = c.old();
            Pod pod = c.current();
            if (old != null && Objects.equals(tolerations(old), tolerations(pod))
                    && NodeLifecycleController.nodeName(old).equals(NodeLifecycleController.nodeName(pod))) {
                return;
            }
            enqueue(POD + Informer.key(pod));
        });
    }

    @Override
    protected void started() {
        timer = new ScheduledThreadPoolExecutor(2, r -> {
            Thread t = new Thread(r, "taint-eviction");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        for (Node n : nodes.all()) {
            enqueue(NODE + n.getMetadata().getName());
        }
    }

    @Override
    protected void stopped() {
        if (timer != null) {
            timer.shutdownNow();
        }
        evictions.clear();
        taintedNodes.clear();
    }

    @Override
    protected void reconcile(String key) {
        if (key.startsWith(NODE)) {
            handleNode(key.substring(NODE.length()));
        } else if (key.startsWith(POD)) {
            handlePod(key.substring(POD.length()));
        }
    }

    private void handleNode(String name) {
        Node node = nodes.get(null, name).orElse(null);
        if (node == null) {
            taintedNodes.remove(name);
            return;
        }
        List<Taint> taints = noExecute(node);
        if (taints.isEmpty()) {
            taintedNodes.remove(name);
        } else {
            taintedNodes.put(name, taints);
        }
        List<Pod> onNode = pods.list(null, p -> name.equals(NodeLifecycleController.nodeName(p)));
        long now = System.nanoTime();
        for (Pod pod : onNode) {
            if (taints.isEmpty()) {
                cancel(Informer.key(pod), true);
            } else {
                processPodOnNode(pod, taints, now);
            }
        }
    }

    private void handlePod(String key) {
        Pod pod = pods.get(key).orElse(null);
        if (pod == null) {
            cancel(key, true);
            return;
        }
        String node = NodeLifecycleController.nodeName(pod);
        if (node.isEmpty()) {
            return;
        }
        List<Taint> taints = taintedNodes.get(node);
        if (taints == null) {
            return;
        }
        processPodOnNode(pod, taints, System.nanoTime());
    }

    /** {@code processPodOnNode}. */
    private void processPodOnNode(Pod pod, List<Taint> taints, long now) {
        String key = Informer.key(pod);
        List<Toleration> used = new ArrayList<>();
        for (Taint taint : taints) {
            Toleration match = null;
            for (Toleration t : tolerations(pod)) {
                if (Taints.tolerates(t, taint)) {
                    match = t;
                    break;
                }
            }
            if (match == null) {
                cancel(key, true);
                schedule(key, now, now);
                return;
            }
            used.add(match);
        }
        long min = minTolerationNanos(used);
        if (min < 0) {
            cancel(key, true);
            return;
        }
        long start = now;
        long trigger = now + min;
        Eviction existing = evictions.get(key);
        if (existing != null) {
            start = existing.createdNanos;
            if (start + min < trigger) {
                return;
            }
            cancel(key, true);
        }
        schedule(key, start, start + min);
    }

    /** {@code getMinTolerationTime}: the shortest tolerationSeconds (0 or less is now), or -1 when all tolerate forever. */
    static long minTolerationNanos(List<Toleration> used) {
        if (used.isEmpty()) {
            return 0;
        }
        long min = Long.MAX_VALUE;
        for (Toleration t : used) {
            if (t.getTolerationSeconds() != null) {
                if (t.getTolerationSeconds() <= 0) {
                    return 0;
                }
                min = Math.min(min, t.getTolerationSeconds());
            }
        }
        return min == Long.MAX_VALUE ? -1 : TimeUnit.SECONDS.toNanos(min);
    }

    private void schedule(String key, long created, long fire) {
        ScheduledThreadPoolExecutor t = timer;
        if (t == null || t.isShutdown()) {
            return;
        }
        Eviction eviction = new Eviction(key, created);
        evictions.put(key, eviction);
        eviction.future = t.schedule(eviction, Math.max(0, fire - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    /** Cancels a scheduled deletion, with the "Cancelling deletion" event when there was one. */
    private void cancel(String key, boolean withEvent) {
        Eviction e = evictions.remove(key);
        if (e == null) {
            return;
        }
        e.cancel();
        if (withEvent) {
            pods.get(key).ifPresent(p -> events.normal(p, COMPONENT, "TaintManagerEviction", "Cancelling deletion of Pod " + key));
        }
    }

    /** {@code deletePodHandler}: the event, then up to five tries of the DisruptionTarget condition and the delete. */
    private void evict(String key) {
        String namespace = key.substring(0, key.indexOf('/'));
        String name = key.substring(key.indexOf('/') + 1);
        Pod pod = pods.get(key).orElse(null);
        if (pod == null) {
            return;
        }
        log.info("deleting pod {}: NoExecute taint on node {}", key, NodeLifecycleController.nodeName(pod));
        events.normal(pod, COMPONENT, "TaintManagerEviction", "Marking for deletion Pod " + key);
        RuntimeException last = null;
        for (int i = 0; i < 5; i++) {
            try {
                addConditionAndDelete(namespace, name);
                return;
            } catch (ApiException e) {
                if (e.code() == 404) {
                    return;
                }
                last = e;
            } catch (RuntimeException e) {
                last = e;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        log.warn("could not delete pod {}: {}", key, last == null ? "" : last.toString());
    }

    private void addConditionAndDelete(String namespace, String name) {
        Pod pod = client.get(Pod.class, namespace, name).orElse(null);
        if (pod == null) {
            return;
        }
        boolean has = false;
        if (pod.getStatus() != null) {
            for (PodCondition c : pod.getStatus().getConditions()) {
                has |= "DisruptionTarget".equals(c.getType()) && "True".equals(c.getStatus())
                        && "DeletionByTaintManager".equals(c.getReason());
            }
        }
        if (!has) {
            Map<String, Object> condition = new LinkedHashMap<>();
            condition.put("type", "DisruptionTarget");
            condition.put("status", "True");
            condition.put("lastTransitionTime", NodeLifecycleController.now());
            condition.put("reason", "DeletionByTaintManager");
            condition.put("message", "Taint manager: deleting due to NoExecute taint");
            client.patch(Pod.class, namespace, name, "status", PatchType.STRATEGIC_MERGE_PATCH,
                    Json.write(Map.of("status", Map.of("conditions", List.of(condition)))));
        }
        client.delete(Pod.class, namespace, name, null);
    }

    private static List<Taint> noExecute(Node node) {
        List<Taint> out = new ArrayList<>();
        if (node.getSpec() != null) {
            for (Taint t : node.getSpec().getTaints()) {
                if (Taints.NO_EXECUTE.equals(t.getEffect())) {
                    out.add(t);
                }
            }
        }
        return out;
    }

    private static List<Toleration> tolerations(Pod pod) {
        return pod.getSpec() == null ? List.of() : pod.getSpec().getTolerations();
    }

    /** Pods whose deletion is scheduled (for tests and metrics). */
    public int scheduledEvictions() {
        return evictions.size();
    }
}
