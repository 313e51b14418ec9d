package dev.coracle.dashboard.web;

import dev.coracle.dashboard.cluster.ApiProblem;
import dev.coracle.dashboard.cluster.ClusterCache;
import dev.coracle.dashboard.cluster.Kind;
import dev.coracle.dashboard.metrics.MetricsSource;
import dev.coracle.dashboard.view.EventRow;
import dev.coracle.dashboard.view.LabelSelector;
import dev.coracle.dashboard.view.PodRow;
import io.fabric8.kubernetes.api.model.Pod;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** {@code /pods}: namespace multi-select, label selector, text search, status filter; pod detail and delete. */
@Controller
public class PodsController {

    static final int PAGE = 500;

    @GetMapping("/pods")
    String pods(@RequestParam(name = "ns", required = false) List<String> namespaces,
                @RequestParam(name = "selector", defaultValue = "") String selector,
                @RequestParam(name = "q", defaultValue = "") String q,
                @RequestParam(name = "status", defaultValue = "") String status,
                @RequestParam(name = "page", defaultValue = "0") int page,
                ClusterCache cache, Model model) {
        Instant now = Instant.now();
        LabelSelector labels;
        try {
            labels = LabelSelector.parse(selector);
        } catch (IllegalArgumentException e) {
            model.addAttribute("selectorError", e.getMessage());
            labels = LabelSelector.parse("");
        }
        List<String> ns = namespaces == null ? List.of() : namespaces.stream().filter(s -> !s.isBlank()).toList();
        String text = q.trim().toLowerCase(Locale.ROOT);
        // filter and sort on the cached objects; kubectl's columns are computed only where they are needed (the text
        // and status filters, and the rows of the page shown), not for every one of thousands of pods
        boolean needsRow = !text.isEmpty() || !status.isEmpty();
        List<Pod> matching = new ArrayList<>();
        for (Pod p : cache.list(Kind.PODS)) {
            if (!ns.isEmpty() && !ns.contains(p.getMetadata().getNamespace())) {
                continue;
            }
            if (!labels.matches(p.getMetadata().getLabels())) {
                continue;
            }
            if (needsRow && !matches(PodRow.of(p, now), p, text, status)) {
                continue;
            }
            matching.add(p);
        }
        matching.sort(Comparator.comparing((Pod p) -> p.getMetadata().getNamespace()).thenComparing(p -> p.getMetadata().getName()));
        int pages = Math.max(1, (matching.size() + PAGE - 1) / PAGE);
        int current = Math.max(0, Math.min(page, pages - 1));
        List<PodRow> rows = matching.subList(current * PAGE, Math.min(matching.size(), (current + 1) * PAGE)).stream()
                .map(p -> PodRow.of(p, now)).toList();
        model.addAttribute("pods", rows);
        model.addAttribute("total", matching.size());
        model.addAttribute("page", current);
        model.addAttribute("pages", pages);
        model.addAttribute("namespaces", cache.list(Kind.NAMESPACES).stream().map(n -> n.getMetadata().getName()).sorted().toList());
        model.addAttribute("selectedNs", ns);
        model.addAttribute("selector", selector);
        model.addAttribute("q", q);
        model.addAttribute("status", status);
        model.addAttribute("live", "pods");
        return "pods";
    }

    @GetMapping("/pods/{namespace}/{name}")
    String pod(@PathVariable String namespace, @PathVariable String name, ClusterCache cache, MetricsSource metrics, Model model) {
        Instant now = Instant.now();
        Pod pod = find(cache, namespace, name);
        model.addAttribute("row", PodRow.of(pod, now));
        model.addAttribute("pod", pod);
        model.addAttribute("containers", ContainerView.of(pod));
        model.addAttribute("events", cache.list(Kind.EVENTS).stream().map(e -> EventRow.of(e, now))
                .filter(e -> e.about("Pod", namespace, name)).sorted(Comparator.comparing(EventRow::lastSeenAt).reversed()).toList());
        model.addAttribute("yaml", cache.client().getKubernetesSerialization().asYaml(pod));
        Charts.add(model, () -> metrics.pod(namespace, name), "pod " + name);
        model.addAttribute("live", "pods,events");
        return "pod";
    }

    @GetMapping("/pods/{namespace}/{name}/delete")
    String confirmDelete(@PathVariable String namespace, @PathVariable String name, ClusterCache cache, Model model) {
        model.addAttribute("row", PodRow.of(find(cache, namespace, name), Instant.now()));
        return "pod-delete";
    }

    @PostMapping("/pods/{namespace}/{name}/delete")
    String delete(@PathVariable String namespace, @PathVariable String name, ClusterCache cache, RedirectAttributes flash) {
        cache.client().pods().inNamespace(namespace).withName(name).delete();
        flash.addFlashAttribute("flash", "pod/" + name + " deleted");
        return "redirect:/pods?ns=" + namespace;
    }

    /** The text search (name, node, IP, status) and the phase filter ("Unhealthy": failing containers). */
    static boolean matches(PodRow r, Pod p, String text, String status) {
        if (!status.isEmpty()) {
            String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
            boolean ok = status.equals("Unhealthy") ? r.health().equals("bad") : status.equals(phase);
            if (!ok) {
                return false;
            }
        }
        return text.isEmpty() || r.name().toLowerCase(Locale.ROOT).contains(text) || r.node().contains(text)
                || r.ip().contains(text) || r.status().toLowerCase(Locale.ROOT).contains(text);
    }

    static Pod find(ClusterCache cache, String namespace, String name) {
        return cache.get(Kind.PODS, namespace, name)
                .orElseThrow(() -> new ApiProblem(404, "pods \"" + name + "\" not found in namespace " + namespace));
    }
}
