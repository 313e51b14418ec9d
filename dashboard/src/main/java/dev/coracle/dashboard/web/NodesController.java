package dev.coracle.dashboard.web;

import dev.coracle.dashboard.cluster.ApiProblem;
import dev.coracle.dashboard.cluster.ClusterCache;
import dev.coracle.dashboard.cluster.Kind;
import dev.coracle.dashboard.metrics.Chart;
import dev.coracle.dashboard.metrics.MetricsSource;
import dev.coracle.dashboard.metrics.Sample;
import dev.coracle.dashboard.metrics.Series;
import dev.coracle.dashboard.view.EventRow;
import dev.coracle.dashboard.view.NodeRow;
import dev.coracle.dashboard.view.PodRow;
import io.fabric8.kubernetes.api.model.Pod;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** {@code /nodes} and {@code /nodes/{name}}: status, roles, taints, IPs, pods, and CPU/memory bars. */
@Controller
public class NodesController {

    @GetMapping("/nodes")
    String nodes(ClusterCache cache, MetricsSource metrics, Model model) {
        Instant now = Instant.now();
        Map<String, List<Pod>> byNode = cache.list(Kind.PODS).stream().filter(p -> p.getSpec().getNodeName() != null)
                .collect(Collectors.groupingBy(p -> p.getSpec().getNodeName()));
        Map<String, Sample> usage = usage(metrics);
        var rows = cache.list(Kind.NODES).stream()
                .map(n -> row(n, byNode.getOrDefault(n.getMetadata().getName(), List.of()), usage, now))
                .sorted(Comparator.comparing(NodeRow::name)).toList();
        model.addAttribute("nodes", rows);
        model.addAttribute("metricsServed", !usage.isEmpty());
        model.addAttribute("live", "nodes,pods");
        return "nodes";
    }

    @GetMapping("/nodes/{name}")
    String node(@PathVariable String name, ClusterCache cache, MetricsSource metrics, Model model) {
        Instant now = Instant.now();
        var node = cache.get(Kind.NODES, null, name).orElseThrow(() -> new ApiProblem(404, "nodes \"" + name + "\" not found"));
        List<Pod> pods = cache.list(Kind.PODS).stream().filter(p -> name.equals(p.getSpec().getNodeName())).toList();
        model.addAttribute("node", row(node, pods, usage(metrics), now));
        model.addAttribute("raw", node);
        model.addAttribute("pods", pods.stream().map(p -> PodRow.of(p, now))
                .sorted(Comparator.comparing(PodRow::namespace).thenComparing(PodRow::name)).toList());
        model.addAttribute("events", cache.list(Kind.EVENTS).stream().map(e -> EventRow.of(e, now))
                .filter(e -> e.about("Node", null, name)).sorted(Comparator.comparing(EventRow::lastSeenAt).reversed()).toList());
        model.addAttribute("yaml", cache.client().getKubernetesSerialization().asYaml(node));
        Charts.add(model, () -> metrics.node(name), "node " + name);
        model.addAttribute("live", "nodes,pods,events");
        return "node";
    }

    static Map<String, Sample> usage(MetricsSource metrics) {
        try {
            return metrics.nodeUsage();
        } catch (ApiProblem e) {
            return Map.of();
        }
    }

    private static NodeRow row(io.fabric8.kubernetes.api.model.Node n, List<Pod> pods, Map<String, Sample> usage, Instant now) {
        Sample s = usage.get(n.getMetadata().getName());
        return NodeRow.of(n, pods, s == null ? null : s.cpuNanoCores() / 1_000_000, s == null ? null : s.memoryBytes(), now);
    }
}
