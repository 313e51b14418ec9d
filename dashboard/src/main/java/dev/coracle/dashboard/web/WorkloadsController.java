package dev.coracle.dashboard.web;

import dev.coracle.dashboard.cluster.ApiProblem;
import dev.coracle.dashboard.cluster.ClusterCache;
import dev.coracle.dashboard.cluster.Kind;
import dev.coracle.dashboard.view.EventRow;
import dev.coracle.dashboard.view.PodRow;
import dev.coracle.dashboard.view.WorkloadRows;
import dev.coracle.dashboard.view.WorkloadRows.ReplicaSetRow;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /workloads}: Deployments and ReplicaSets; the rollout view of a Deployment (its ReplicaSets and their pods,
 * live, side by side); scale, rollout restart, undo to a revision, pause and resume.
 */
@Controller
public class WorkloadsController {

    @GetMapping("/workloads")
    String workloads(@RequestParam(name = "ns", defaultValue = "") String ns, ClusterCache cache, Model model) {
        Instant now = Instant.now();
        model.addAttribute("deployments", cache.list(Kind.DEPLOYMENTS).stream()
                .filter(d -> ns.isEmpty() || ns.equals(d.getMetadata().getNamespace()))
                .map(d -> WorkloadRows.deployment(d, now))
                .sorted(Comparator.comparing(WorkloadRows.DeploymentRow::namespace).thenComparing(WorkloadRows.DeploymentRow::name)).toList());
        model.addAttribute("replicaSets", cache.list(Kind.REPLICASETS).stream()
                .filter(r -> ns.isEmpty() || ns.equals(r.getMetadata().getNamespace()))
                .map(r -> WorkloadRows.replicaSet(r, now))
                .sorted(Comparator.comparing(ReplicaSetRow::namespace).thenComparing(ReplicaSetRow::name)).toList());
        model.addAttribute("ns", ns);
        model.addAttribute("live", "deployments,replicasets");
        return "workloads";
    }

    /** A ReplicaSet of the rollout view with its pods. */
    record RolloutColumn(ReplicaSetRow rs, List<PodRow> pods, boolean current) {
    }

    @GetMapping("/workloads/deployments/{namespace}/{name}")
    String deployment(@PathVariable String namespace, @PathVariable String name, ClusterCache cache, Model model) {
        Instant now = Instant.now();
        Deployment d = find(cache, namespace, name);
        List<ReplicaSet> owned = owned(cache, d);
        String currentRevision = WorkloadRows.deployment(d, now).revision();
        Map<String, List<PodRow>> podsByRs = new HashMap<>();
        for (var p : cache.list(Kind.PODS)) {
            if (!namespace.equals(p.getMetadata().getNamespace()) || p.getMetadata().getOwnerReferences() == null) {
                continue;
            }
            p.getMetadata().getOwnerReferences().stream().filter(o -> "ReplicaSet".equals(o.getKind()))
                    .forEach(o -> podsByRs.computeIfAbsent(o.getUid(), k -> new java.util.ArrayList<>()).add(PodRow.of(p, now)));
        }
        List<RolloutColumn> columns = owned.stream()
                .sorted(Comparator.comparingLong((ReplicaSet r) -> WorkloadRows.revisionNumber(
                        r.getMetadata().getAnnotations() == null ? null : r.getMetadata().getAnnotations().get(WorkloadRows.REVISION))).reversed())
                .map(r -> {
                    ReplicaSetRow row = WorkloadRows.replicaSet(r, now);
                    List<PodRow> pods = podsByRs.getOrDefault(r.getMetadata().getUid(), List.of()).stream()
                            .sorted(Comparator.comparing(PodRow::name)).toList();
                    return new RolloutColumn(row, pods, row.revision().equals(currentRevision));
                }).toList();
        model.addAttribute("d", WorkloadRows.deployment(d, now));
        model.addAttribute("raw", d);
        model.addAttribute("strategy", d.getSpec().getStrategy() == null ? "RollingUpdate" : d.getSpec().getStrategy().getType());
        model.addAttribute("conditions", d.getStatus() == null || d.getStatus().getConditions() == null ? List.of() : d.getStatus().getConditions());
        model.addAttribute("columns", columns);
        model.addAttribute("revisions", columns.stream().map(c -> c.rs().revision()).filter(r -> !r.isEmpty() && !r.equals(currentRevision)).toList());
        model.addAttribute("events", cache.list(Kind.EVENTS).stream().map(e -> EventRow.of(e, now))
                .filter(e -> e.about("Deployment", namespace, name) || owned.stream().anyMatch(r -> e.about("ReplicaSet", namespace, r.getMetadata().getName())))
                .sorted(Comparator.comparing(EventRow::lastSeenAt).reversed()).limit(30).toList());
        model.addAttribute("live", "deployments,replicasets,pods,events");
        return "deployment";
    }

    @GetMapping("/workloads/replicasets/{namespace}/{name}")
    String replicaSet(@PathVariable String namespace, @PathVariable String name, ClusterCache cache, Model model) {
        Instant now = Instant.now();
        ReplicaSet rs = cache.get(Kind.REPLICASETS, namespace, name)
                .orElseThrow(() -> new ApiProblem(404, "replicasets.apps \"" + name + "\" not found in namespace " + namespace));
        model.addAttribute("rs", WorkloadRows.replicaSet(rs, now));
        model.addAttribute("pods", cache.list(Kind.PODS).stream()
                .filter(p -> p.getMetadata().getOwnerReferences() != null && p.getMetadata().getOwnerReferences().stream()
                        .anyMatch(o -> rs.getMetadata().getUid().equals(o.getUid())))
                .map(p -> PodRow.of(p, now)).sorted(Comparator.comparing(PodRow::name)).toList());
        model.addAttribute("yaml", cache.client().getKubernetesSerialization().asYaml(rs));
        model.addAttribute("live", "replicasets,pods");
        return "replicaset";
    }

    @PostMapping("/workloads/deployments/{namespace}/{name}/scale")
    String scale(@PathVariable String namespace, @PathVariable String name, @RequestParam int replicas, ClusterCache cache,
                 RedirectAttributes flash) {
        if (replicas < 0) {
            flash.addFlashAttribute("flashError", "spec.replicas: Invalid value: " + replicas + ": must be greater than or equal to 0");
        } else {
            mergePatch(cache, namespace, name, "{\"spec\":{\"replicas\":" + replicas + "}}");
            flash.addFlashAttribute("flash", "deployment.apps/" + name + " scaled to " + replicas);
        }
        return back(namespace, name);
    }

    @PostMapping("/workloads/deployments/{namespace}/{name}/restart")
    String restart(@PathVariable String namespace, @PathVariable String name, ClusterCache cache, RedirectAttributes flash) {
        // as kubectl rollout restart: a new restartedAt annotation on the pod template, sent as a patch so a
        // concurrent status update by the controller cannot make it fail with 409 Conflict
        mergePatch(cache, namespace, name, "{\"spec\":{\"template\":{\"metadata\":{\"annotations\":{\"kubectl.kubernetes.io/restartedAt\":\""
                + java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC).truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + "\"}}}}}");
        flash.addFlashAttribute("flash", "deployment.apps/" + name + " restarted");
        return back(namespace, name);
    }

    @PostMapping("/workloads/deployments/{namespace}/{name}/pause")
    String pause(@PathVariable String namespace, @PathVariable String name, ClusterCache cache, RedirectAttributes flash) {
        mergePatch(cache, namespace, name, "{\"spec\":{\"paused\":true}}");
        flash.addFlashAttribute("flash", "deployment.apps/" + name + " paused");
        return back(namespace, name);
    }

    @PostMapping("/workloads/deployments/{namespace}/{name}/resume")
    String resume(@PathVariable String namespace, @PathVariable String name, ClusterCache cache, RedirectAttributes flash) {
        mergePatch(cache, namespace, name, "{\"spec\":{\"paused\":null}}");
        flash.addFlashAttribute("flash", "deployment.apps/" + name + " resumed");
        return back(namespace, name);
    }

    /**
     * {@code kubectl rollout undo --to-revision=N}: the Deployment's pod template becomes that revision's ReplicaSet
     * template (without the pod-template-hash label), and the controller rolls to it.
     */
    @PostMapping("/workloads/deployments/{namespace}/{name}/undo")
    String undo(@PathVariable String namespace, @PathVariable String name, @RequestParam String revision, ClusterCache cache,
                RedirectAttributes flash) {
        Deployment d = find(cache, namespace, name);
        ReplicaSet target = owned(cache, d).stream()
                .filter(r -> r.getMetadata().getAnnotations() != null && revision.equals(r.getMetadata().getAnnotations().get(WorkloadRows.REVISION)))
                .findFirst().orElse(null);
        if (target == null) {
            flash.addFlashAttribute("flashError", "unable to find specified revision " + revision + " in history");
            return back(namespace, name);
        }
        var template = new io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder(target.getSpec().getTemplate()).build();
        if (template.getMetadata() != null && template.getMetadata().getLabels() != null) {
            template.getMetadata().getLabels().remove("pod-template-hash");
        }
        var serialization = cache.client().getKubernetesSerialization();
        String patch = "[{\"op\":\"replace\",\"path\":\"/spec/template\",\"value\":" + serialization.asJson(template) + "}]";
        cache.client().apps().deployments().inNamespace(namespace).withName(name).patch(PatchContext.of(PatchType.JSON), patch);
        flash.addFlashAttribute("flash", "deployment.apps/" + name + " rolled back to revision " + revision);
        return back(namespace, name);
    }

    /** A JSON merge patch of the Deployment: no resourceVersion, so no conflict with the controller's writes. */
    private static void mergePatch(ClusterCache cache, String namespace, String name, String patch) {
        cache.client().apps().deployments().inNamespace(namespace).withName(name).patch(PatchContext.of(PatchType.JSON_MERGE), patch);
    }

    static List<ReplicaSet> owned(ClusterCache cache, Deployment d) {
        return cache.list(Kind.REPLICASETS).stream()
                .filter(r -> d.getMetadata().getNamespace().equals(r.getMetadata().getNamespace()) && r.getMetadata().getOwnerReferences() != null
                        && r.getMetadata().getOwnerReferences().stream().anyMatch(o -> d.getMetadata().getUid().equals(o.getUid())))
                .toList();
    }

    static Deployment find(ClusterCache cache, String namespace, String name) {
        return cache.get(Kind.DEPLOYMENTS, namespace, name)
                .orElseThrow(() -> new ApiProblem(404, "deployments.apps \"" + name + "\" not found in namespace " + namespace));
    }

    private static String back(String namespace, String name) {
        return "redirect:/workloads/deployments/" + namespace + "/" + name;
    }
}
