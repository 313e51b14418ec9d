package dev.coracle.dashboard.web;

import dev.coracle.dashboard.cluster.ApiProblem;
import dev.coracle.dashboard.cluster.ClusterCache;
import dev.coracle.dashboard.cluster.Kind;
import dev.coracle.dashboard.metrics.MetricsSource;
import dev.coracle.dashboard.metrics.Series;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

import java.util.ArrayList;
import java.util.List;

/** {@code /metrics}: CPU and memory over time for the cluster, each node, and a chosen pod. */
@Controller
public class MetricsController {

    @GetMapping("/metrics")
    String metrics(@RequestParam(name = "pod", defaultValue = "") String pod, ClusterCache cache, MetricsSource metrics, Model model) {
        List<Charts.Pair> charts = new ArrayList<>();
        try {
            Series cluster = metrics.cluster();
            if (cluster.unavailable() != null) {
                model.addAttribute("metricsUnavailable", cluster.unavailable());
            } else {
                charts.add(Charts.pair(() -> cluster, "cluster"));
                if (!pod.isEmpty() && pod.contains("/")) {
                    String[] nsName = pod.split("/", 2);
                    charts.add(Charts.pair(() -> metrics.pod(nsName[0], nsName[1]), "pod " + pod));
                }
                cache.list(Kind.NODES).stream().map(n -> n.getMetadata().getName()).sorted()
                        .forEach(n -> charts.add(Charts.pair(() -> metrics.node(n), "node " + n)));
                model.addAttribute("source", metrics.modeName());
            }
        } catch (ApiProblem e) {
            model.addAttribute("metricsUnavailable", (e.code() == 0 ? "" : e.code() + ": ") + e.getMessage());
        }
        model.addAttribute("charts", charts.stream().filter(java.util.Objects::nonNull).toList());
        model.addAttribute("pod", pod);
        model.addAttribute("pods", cache.list(Kind.PODS).stream()
                .map(p -> p.getMetadata().getNamespace() + "/" + p.getMetadata().getName()).sorted().limit(2000).toList());
        model.addAttribute("refreshSeconds", 15);
        return "metrics";
    }
}
