package dev.coracle.server.api;

import dev.coracle.server.controller.replicaset.Pods;
import dev.coracle.server.registry.policy.PodDisruptionBudgetStrategy;
import io.fabric8.kubernetes.api.model.DeleteOptions;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.api.model.StatusCauseBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetStatus;
import org.springframework.stereotype.Component;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * POST pods/{name}/eviction, as {@code pkg/registry/core/pod/storage/eviction.go}: the pod is deleted only if the
 * PodDisruptionBudget that selects it allows one more disruption, which the eviction spends (and records in
 * {@code status.disruptedPods}) before the delete; otherwise 429, which {@code kubectl drain} waits on and retries.
 */
@Component
class PodEviction {

    /** {@code MaxDisruptedPodSize}. */
    private static final int MAX_DISRUPTED_PODS = 2000;
    private static final int CONFLICT_RETRIES = 10;

    private final ResourceService resources;
    private final InternalClient client;

    PodEviction(ResourceService resources, InternalClient client) {
        this.resources = resources;
        this.client = client.as("kube-apiserver");
    }

    /** @param call the pods call without its subresource, as the user made it (dryRun included) */
    void evict(Call call, DeleteOptions options) {
        String namespace = call.info().namespace();
        String name = call.info().name();
        Pod pod = client.get(Pod.class, namespace, name).orElseThrow(call::notFound);
        if (!canIgnoreBudget(pod)) {
            List<PodDisruptionBudget> budgets = client.list(PodDisruptionBudget.class, namespace, null).stream()
                    .filter(b -> PodDisruptionBudgetStrategy.selects(b, pod)).toList();
            if (budgets.size() > 1) {
                throw ApiException.internal("This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.");
            }
            if (budgets.size() == 1 && !unhealthyPodMayGo(budgets.get(0), pod)) {
                spendDisruption(budgets.get(0), name, call.query().dryRun());
            }
        }
        resources.delete(call, options);
    }

    /** {@code canIgnorePDB}: a pod that is done, not started, or already going does not count against a budget. */
    private static boolean canIgnoreBudget(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return "Succeeded".equals(phase) || "Failed".equals(phase) || "Pending".equals(phase)
                || pod.getMetadata().getDeletionTimestamp() != null;
    }

    /**
     * A pod that is not Ready goes without spending the budget under {@code AlwaysAllow}, and under the default
     * {@code IfHealthyBudget} while the budget is met.
     */
    private static boolean unhealthyPodMayGo(PodDisruptionBudget pdb, Pod pod) {
        if (Pods.isReady(pod)) {
            return false;
        }
        if (PodDisruptionBudgetStrategy.ALWAYS_ALLOW.equals(pdb.getSpec().getUnhealthyPodEvictionPolicy())) {
            return true;
        }
        PodDisruptionBudgetStatus s = pdb.getStatus();
        return s != null && s.getObservedGeneration() != null && s.getObservedGeneration() >= pdb.getMetadata().getGeneration()
                && nz(s.getDesiredHealthy()) > 0 && nz(s.getCurrentHealthy()) >= nz(s.getDesiredHealthy());
    }

    /** {@code checkAndDecrement}, retried on a conflicting write of the budget. */
    private void spendDisruption(PodDisruptionBudget budget, String podName, boolean dryRun) {
        PodDisruptionBudget pdb = budget;
        for (int attempt = 0; ; attempt++) {
            PodDisruptionBudgetStatus s = pdb.getStatus() == null ? new PodDisruptionBudgetStatus() : pdb.getStatus();
            String pdbName = pdb.getMetadata().getName();
            if (s.getObservedGeneration() == null || s.getObservedGeneration() < pdb.getMetadata().getGeneration()) {
                throw refused(10, "The disruption budget " + pdbName + " is still being processed by the server.");
            }
            if (nz(s.getDisruptionsAllowed()) < 0) {
                throw ApiException.forbidden("poddisruptionbudgets.policy \"" + pdbName + "\" is forbidden: pdb disruptions allowed is negative");
            }
            if (s.getDisruptedPods() != null && s.getDisruptedPods().size() > MAX_DISRUPTED_PODS) {
                throw ApiException.forbidden("poddisruptionbudgets.policy \"" + pdbName
                        + "\" is forbidden: DisruptedPods map too big - too many evictions not confirmed by PDB controller");
            }
            if (nz(s.getDisruptionsAllowed()) == 0) {
                throw refused(0, "The disruption budget " + pdbName + " needs " + nz(s.getDesiredHealthy())
                        + " healthy pods and has " + nz(s.getCurrentHealthy()) + " currently");
            }
            if (dryRun) {
                return;
            }
            s.setDisruptionsAllowed(s.getDisruptionsAllowed() - 1);
            Map<String, String> disrupted = new LinkedHashMap<>(s.getDisruptedPods() == null ? Map.of() : s.getDisruptedPods());
            disrupted.put(podName, Pods.now());
            s.setDisruptedPods(disrupted);
            if (s.getDisruptionsAllowed() == 0) {
                s.getConditions().stream().filter(c -> "DisruptionAllowed".equals(c.getType())).forEach(c -> {
                    c.setStatus("False");
                    c.setReason("InsufficientPods");
                    c.setLastTransitionTime(Pods.now());
                });
            }
            pdb.setStatus(s);
            try {
                client.updateStatus(pdb);
                return;
            } catch (ApiException e) {
                if (e.code() != 409 || attempt >= CONFLICT_RETRIES) {
                    throw e;
                }
            }
            pdb = client.get(PodDisruptionBudget.class, pdb.getMetadata().getNamespace(), pdbName)
                    .orElseThrow(() -> refused(0, "The disruption budget " + budget.getMetadata().getName() + " is gone."));
        }
    }

    private static ApiException refused(int retryAfterSeconds, String cause) {
        StatusCause disruptionBudget = new StatusCauseBuilder().withReason("DisruptionBudget").withMessage(cause).build();
        return ApiException.tooManyRequests("Cannot evict pod as it would violate the pod's disruption budget.", retryAfterSeconds,
                List.of(disruptionBudget));
    }

    private static int nz(Integer i) {
        return i == null ? 0 : i;
    }
}
