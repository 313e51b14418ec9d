package dev.coracle.dashboard.web;

import dev.coracle.dashboard.cluster.ClusterCache;
import dev.coracle.dashboard.cluster.Kind;
import dev.coracle.dashboard.view.EventRow;
import dev.coracle.dashboard.view.NodeRow;
import dev.coracle.dashboard.view.PodRow;
import dev.coracle.dashboard.view.WorkloadRows;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** {@code /}: nodes ready, pods by phase, deployments ready/desired, recent warnings — each a link to its filtered list. */
@Controller
public class OverviewController {

    @GetMapping("/")
    String overview(ClusterCache cache, Model model) {
        Instant now = Instant.now();
        var nodes = cache.list(Kind.NODES).stream().map(n -> NodeRow.of(n, List.of(), null, null, now)).toList();
        Map<String, Integer> phases = new TreeMap<>();
        for (String p : List.of("Running", "Pending", "Succeeded", "Failed", "Unknown")) {
            phases.put(p, 0);
        }
        var pods = cache.list(Kind.PODS);
        for (var p : pods) {
            String phase = p.getStatus() == null || p.getStatus().getPhase() == null ? "Pending" : p.getStatus().getPhase();
            phases.merge(phase, 1, Integer::sum);
        }
        long crashing = pods.stream().map(p -> PodRow.of(p, now)).filter(r -> r.health().equals("bad")).count();
        var deployments = cache.list(Kind.DEPLOYMENTS).stream().map(d -> WorkloadRows.deployment(d, now)).toList();
        var warnings = cache.list(Kind.EVENTS).stream().map(e -> EventRow.of(e, now)).filter(EventRow::warning)
                .sorted(Comparator.comparing(EventRow::lastSeenAt).reversed()).limit(10).toList();
        model.addAttribute("nodesTotal", nodes.size());
        model.addAttribute("nodesReady", nodes.stream().filter(n -> n.status().startsWith("Ready")).count());
        model.addAttribute("phases", phases);
        model.addAttribute("podsTotal", pods.size());
        model.addAttribute("podsUnhealthy", crashing);
        model.addAttribute("deploymentsTotal", deployments.size());
        model.addAttribute("deploymentsReady", deployments.stream().filter(d -> d.health().equals("ok")).count());
        model.addAttribute("deploymentsNotReady", deployments.stream().filter(d -> !d.health().equals("ok")).toList());
        model.addAttribute("warnings", warnings);
        model.addAttribute("live", "nodes,pods,deployments,events");
        return "overview";
    }
}
