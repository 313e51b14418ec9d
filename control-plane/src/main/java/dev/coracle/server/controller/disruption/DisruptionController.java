package dev.coracle.server.controller.disruption;

import dev.coracle.server.api.InternalClient;
import dev.coracle.server.controller.Controller;
import dev.coracle.server.controller.EventRecorder;
import dev.coracle.server.controller.Informer;
import dev.coracle.server.controller.Informers;
import dev.coracle.server.controller.deployment.DeploymentUtil;
import dev.coracle.server.controller.replicaset.Pods;
import dev.coracle.server.registry.LabelSelectors;
import dev.coracle.server.registry.Semantic;
import dev.coracle.server.registry.policy.PodDisruptionBudgetStrategy;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetStatus;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * kube-controller-manager's disruption controller (pkg/controller/disruption): keeps each PodDisruptionBudget's
 * status — the pods it expects, how many are healthy (Ready, not being deleted, not just evicted), how many must be,
 * and so how many disruptions are allowed now — which the eviction subresource spends. An eviction's pod stays in
 * {@code disruptedPods} until it is seen going, or for two minutes.
 */
@Component
public class DisruptionController extends Controller {

    static final String COMPONENT = "controllermanager";
    /** {@code DeletionTimeout}: how long an evicted pod counts as disrupted while it has not been seen going. */
    static final Duration DELETION_TIMEOUT = Duration.ofMinutes(2);

    private final InternalClient client;
    private final EventRecorder events;
    private Informer<PodDisruptionBudget> budgets;
    private Informer<Pod> pods;
    private Informer<ReplicaSet> replicaSets;
    private Informer<Deployment> deployments;

    public DisruptionController(InternalClient client, EventRecorder events) {
        this.client = client.as("kube-controller-manager");
        this.events = events;
    }

    @Override
    public String name() {
        return "disruption";
    }

    @Override
    protected void register(Informers informers) {
        budgets = informers.of(PodDisruptionBudget.class);
        pods = informers.of(Pod.class);
        replicaSets = informers.of(ReplicaSet.class);
        deployments = informers.of(Deployment.class);
        budgets.onChange(c -> enqueue(Informer.key(c.current())));
        pods.onChange(c -> {
            enqueueSelecting(c.current());
            if (c.old() != null && !Objects.equals(c.old().getMetadata().getLabels(), c.current().getMetadata().getLabels())) {
                enqueueSelecting(c.old());
            }
        });
        // a controller's scale is the expected pod count of a budget given in percent or as maxUnavailable
        replicaSets.onChange(c -> enqueueNamespace(c.current().getMetadata().getNamespace()));
        deployments.onChange(c -> enqueueNamespace(c.current().getMetadata().getNamespace()));
    }

    private void enqueueSelecting(Pod pod) {
        for (PodDisruptionBudget pdb : budgets.list(pod.getMetadata().getNamespace(), b -> PodDisruptionBudgetStrategy.selects(b, pod))) {
            enqueue(Informer.key(pdb));
        }
    }

    private void enqueueNamespace(String namespace) {
        budgets.list(namespace, b -> true).forEach(b -> enqueue(Informer.key(b)));
    }

    @Override
    protected void reconcile(String key) throws Exception {
        if (!budgets.waitForSync(30) || !pods.waitForSync(30)) {
            throw new IllegalStateException("informers not synced");
        }
        PodDisruptionBudget pdb = budgets.get(key).orElse(null);
        if (pdb == null || pdb.getMetadata().getDeletionTimestamp() != null) {
            return;
        }
        List<Pod> selected = pods.list(pdb.getMetadata().getNamespace(), p -> PodDisruptionBudgetStrategy.selects(pdb, p));
        if (selected.isEmpty()) {
            events.normal(pdb, COMPONENT, "NoPods", "No matching pods found");
        }
        Instant now = Instant.now();
        Map<String, String> disrupted = disruptedPods(pdb, selected, now);
        PodDisruptionBudgetStatus wanted;
        try {
            Expected expected = expected(pdb, selected);
            int healthy = (int) selected.stream().filter(p -> healthy(p, disrupted)).count();
            int allowed = healthy - expected.desiredHealthy();
            if (expected.count() <= 0 || allowed <= 0) {
                allowed = 0;
            }
            wanted = status(pdb, healthy, expected.desiredHealthy(), expected.count(), allowed, disrupted,
                    allowed > 0 ? condition(pdb, "True", "SufficientPods", "") : condition(pdb, "False", "InsufficientPods", ""));
        } catch (NoController e) {
            // failSafe: nothing may be disrupted while the budget cannot be computed
            PodDisruptionBudgetStatus old = pdb.getStatus() == null ? new PodDisruptionBudgetStatus() : pdb.getStatus();
            wanted = status(pdb, nz(old.getCurrentHealthy()), nz(old.getDesiredHealthy()), nz(old.getExpectedPods()), 0, disrupted,
                    condition(pdb, "False", "SyncFailed", e.getMessage()));
        }
        if (!Semantic.equal(wanted, pdb.getStatus())) {
            PodDisruptionBudget update = Semantic.copy(pdb);
            update.setStatus(wanted);
            client.updateStatus(update);
        }
    }

    private record Expected(int count, int desiredHealthy) {
    }

    private static final class NoController extends Exception {
        NoController(String message) {
            super(message);
        }
    }

    /** {@code getExpectedPodCount}. */
    private Expected expected(PodDisruptionBudget pdb, List<Pod> selected) throws NoController {
        IntOrString maxUnavailable = pdb.getSpec().getMaxUnavailable();
        IntOrString minAvailable = pdb.getSpec().getMinAvailable();
        if (maxUnavailable != null) {
            int count = expectedScale(pdb, selected);
            int unavailable = DeploymentUtil.valueFromIntOrPercent(maxUnavailable, count, true);
            return new Expected(count, Math.max(0, count - unavailable));
        }
        if (minAvailable != null) {
            if (minAvailable.getStrVal() == null) {
                return new Expected(selected.size(), minAvailable.getIntVal() == null ? 0 : minAvailable.getIntVal());
            }
            int count = expectedScale(pdb, selected);
            return new Expected(count, DeploymentUtil.valueFromIntOrPercent(minAvailable, count, true));
        }
        return new Expected(0, 0);
    }

    /**
     * {@code getExpectedScale}: the replicas of the controllers of the selected pods, each controller once (a
     * ReplicaSet of a Deployment counts as the Deployment). Pods without a controller are left out, with a warning.
     */
    private int expectedScale(PodDisruptionBudget pdb, List<Pod> selected) throws NoController {
        Map<String, Integer> scales = new LinkedHashMap<>();
        List<String> unmanaged = new ArrayList<>();
        for (Pod pod : selected) {
            OwnerReference ref = Pods.controllerOf(pod);
            if (ref == null) {
                unmanaged.add(pod.getMetadata().getName());
                continue;
            }
            if (scales.containsKey(ref.getUid())) {
                continue;
            }
            if (!"ReplicaSet".equals(ref.getKind()) || !"apps/v1".equals(ref.getApiVersion())) {
                throw new NoController("found no controllers for pod \"" + pod.getMetadata().getName() + "\"");
            }
            ReplicaSet rs = replicaSets.get(pod.getMetadata().getNamespace(), ref.getName())
                    .filter(r -> ref.getUid().equals(r.getMetadata().getUid()))
                    .orElseThrow(() -> new NoController("found no controllers for pod \"" + pod.getMetadata().getName() + "\""));
            OwnerReference owner = Pods.controllerOf(rs);
            Deployment deployment = owner == null || !"Deployment".equals(owner.getKind()) ? null
                    : deployments.get(rs.getMetadata().getNamespace(), owner.getName())
                    .filter(d -> owner.getUid().equals(d.getMetadata().getUid())).orElse(null);
            if (deployment != null) {
                scales.putIfAbsent(deployment.getMetadata().getUid(), nz(deployment.getSpec().getReplicas()));
                scales.put(ref.getUid(), 0); // seen: its pods are the Deployment's
            } else {
                scales.put(ref.getUid(), DeploymentUtil.replicas(rs));
            }
        }
        if (!unmanaged.isEmpty()) {
            events.warning(pdb, COMPONENT, "UnmanagedPods", "Pods selected by this PodDisruptionBudget (selector: "
                    + LabelSelectors.toSelectorString(pdb.getSpec().getSelector()) + ") were found to be unmanaged. As a result, "
                    + "the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account "
                    + "for these pods please set \".spec.minAvailable\" field of the PDB to an integer value.");
        }
        return scales.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** {@code countHealthyPods}: Ready, not being deleted, not evicted a moment ago. */
    private static boolean healthy(Pod pod, Map<String, String> disrupted) {
        return pod.getMetadata().getDeletionTimestamp() == null && !disrupted.containsKey(pod.getMetadata().getName())
                && Pods.isReady(pod);
    }

    /**
     * {@code buildDisruptedPodMap}: the evicted pods not yet seen going; an entry older than {@link #DELETION_TIMEOUT}
     * is dropped (the pod was not deleted after all), and the budget is looked at again when the next one expires.
     */
    private Map<String, String> disruptedPods(PodDisruptionBudget pdb, List<Pod> selected, Instant now) {
        Map<String, String> out = new LinkedHashMap<>();
        Map<String, String> recorded = pdb.getStatus() == null ? null : pdb.getStatus().getDisruptedPods();
        if (recorded == null || recorded.isEmpty()) {
            return out;
        }
        Instant nextExpiry = null;
        for (Pod pod : selected) {
            String when = recorded.get(pod.getMetadata().getName());
            if (when == null || pod.getMetadata().getDeletionTimestamp() != null) {
                continue;
            }
            Instant expires = Instant.parse(when).plus(DELETION_TIMEOUT);
            if (expires.isBefore(now)) {
                events.warning(pod, COMPONENT, "NotDeleted", "Pod was expected by PDB " + pdb.getMetadata().getName()
                        + " to be deleted but it wasn't");
                continue;
            }
            out.put(pod.getMetadata().getName(), when);
            nextExpiry = nextExpiry == null || expires.isBefore(nextExpiry) ? expires : nextExpiry;
        }
        if (nextExpiry != null) {
            queue.addAfter(Informer.key(pdb), Duration.between(now, nextExpiry).plusSeconds(1));
        }
        return out;
    }

    private static PodDisruptionBudgetStatus status(PodDisruptionBudget pdb, int healthy, int desired, int expected, int allowed,
                                                    Map<String, String> disrupted, Condition condition) {
        PodDisruptionBudgetStatus s = new PodDisruptionBudgetStatus();
        s.setCurrentHealthy(healthy);
        s.setDesiredHealthy(desired);
        s.setExpectedPods(expected);
        s.setDisruptionsAllowed(allowed);
        s.setDisruptedPods(disrupted.isEmpty() ? null : disrupted);
        s.setObservedGeneration(pdb.getMetadata().getGeneration());
        s.setConditions(new ArrayList<>(List.of(condition)));
        return s;
    }

    /** {@code meta.SetStatusCondition}: the transition time moves only when the status does. */
    private static Condition condition(PodDisruptionBudget pdb, String status, String reason, String message) {
        Condition old = pdb.getStatus() == null ? null : pdb.getStatus().getConditions().stream()
                .filter(c -> "DisruptionAllowed".equals(c.getType())).findFirst().orElse(null);
        Condition c = new Condition();
        c.setType("DisruptionAllowed");
        c.setStatus(status);
        c.setReason(reason);
        c.setMessage(message);
        c.setObservedGeneration(pdb.getMetadata().getGeneration());
        c.setLastTransitionTime(old != null && status.equals(old.getStatus()) ? old.getLastTransitionTime() : Pods.now());
        return c;
    }

    private static int nz(Integer i) {
        return i == null ? 0 : i;
    }
}
