package dev.coracle.dashboard.web;

import dev.coracle.dashboard.cluster.ApiProblem;
import dev.coracle.dashboard.cluster.ClusterCache;
import dev.coracle.dashboard.cluster.Kind;
import dev.coracle.dashboard.view.Ages;
import dev.coracle.dashboard.view.EventRow;
import dev.coracle.dashboard.view.PodRow;
import dev.coracle.dashboard.view.Quantities;
import dev.coracle.dashboard.view.ServiceRow;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.HasMetadata;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Services, events, namespaces, storage and the global search: lists read from the identity's informers. */
@Controller
public class ClusterPagesController {

    @GetMapping("/services")
    String services(@RequestParam(name = "ns", defaultValue = "") String ns, ClusterCache cache, Model model) {
        Instant now = Instant.now();
        Map<String, Endpoints> endpoints = cache.list(Kind.ENDPOINTS).stream()
                .collect(Collectors.toMap(e -> e.getMetadata().getNamespace() + "/" + e.getMetadata().getName(), Function.identity(), (a, b) -> a));
        model.addAttribute("services", cache.list(Kind.SERVICES).stream()
                .filter(s -> ns.isEmpty() || ns.equals(s.getMetadata().getNamespace()))
                .map(s -> ServiceRow.of(s, endpoints.get(s.getMetadata().getNamespace() + "/" + s.getMetadata().getName()), now))
                .sorted(Comparator.comparing(ServiceRow::namespace).thenComparing(ServiceRow::name)).toList());
        model.addAttribute("ns", ns);
        model.addAttribute("live", "services,endpoints");
        return "services";
    }

    @GetMapping("/services/{namespace}/{name}")
    String service(@PathVariable String namespace, @PathVariable String name, ClusterCache cache, Model model) {
        Instant now = Instant.now();
        var svc = cache.get(Kind.SERVICES, namespace, name)
                .orElseThrow(() -> new ApiProblem(404, "services \"" + name + "\" not found in namespace " + namespace));
        model.addAttribute("s", ServiceRow.of(svc, cache.get(Kind.ENDPOINTS, namespace, name).orElse(null), now));
        model.addAttribute("yaml", cache.client().getKubernetesSerialization().asYaml(svc));
        model.addAttribute("events", cache.list(Kind.EVENTS).stream().map(e -> EventRow.of(e, now))
                .filter(e -> e.about("Service", namespace, name)).sorted(Comparator.comparing(EventRow::lastSeenAt).reversed()).toList());
        model.addAttribute("live", "services,endpoints,events");
        return "service";
    }

    @GetMapping("/events")
    String events(@RequestParam(name = "ns", defaultValue = "") String ns, @RequestParam(name = "type", defaultValue = "") String type,
                  ClusterCache cache, Model model) {
        Instant now = Instant.now();
        model.addAttribute("events", cache.list(Kind.EVENTS).stream()
                .filter(e -> ns.isEmpty() || ns.equals(e.getMetadata().getNamespace()))
                .map(e -> EventRow.of(e, now)).filter(e -> type.isEmpty() || type.equals(e.type()))
                .sorted(Comparator.comparing(EventRow::lastSeenAt).reversed()).limit(1000).toList());
        model.addAttribute("ns", ns);
        model.addAttribute("type", type);
        model.addAttribute("live", "events");
        return "events";
    }

    record NamespaceRow(String name, String phase, String age, long pods, long deployments, long services) {
    }

    @GetMapping("/namespaces")
    String namespaces(ClusterCache cache, Model model) {
        Instant now = Instant.now();
        Map<String, Long> pods = count(cache.list(Kind.PODS));
        Map<String, Long> deployments = count(cache.list(Kind.DEPLOYMENTS));
        Map<String, Long> services = count(cache.list(Kind.SERVICES));
        model.addAttribute("namespaces", cache.list(Kind.NAMESPACES).stream().map(n -> new NamespaceRow(n.getMetadata().getName(),
                        n.getStatus() == null ? "Active" : n.getStatus().getPhase(), Ages.since(n.getMetadata().getCreationTimestamp(), now),
                        pods.getOrDefault(n.getMetadata().getName(), 0L), deployments.getOrDefault(n.getMetadata().getName(), 0L),
                        services.getOrDefault(n.getMetadata().getName(), 0L)))
                .sorted(Comparator.comparing(NamespaceRow::name)).toList());
        model.addAttribute("live", "namespaces,pods,deployments,services");
        return "namespaces";
    }

    private static Map<String, Long> count(List<? extends HasMetadata> objects) {
        return objects.stream().collect(Collectors.groupingBy(o -> o.getMetadata().getNamespace(), Collectors.counting()));
    }

    record VolumeRow(String name, String capacity, String accessModes, String reclaimPolicy, String status, String claim,
                     String storageClass, String age) {
    }

    record ClaimRow(String namespace, String name, String status, String volume, String capacity, String accessModes,
                    String storageClass, String age) {
    }

    record ClassRow(String name, String provisioner, String reclaimPolicy, String bindingMode, boolean isDefault, String age) {
    }

    @GetMapping("/storage")
    String storage(ClusterCache cache, Model model) {
        Instant now = Instant.now();
        model.addAttribute("volumes", cache.list(Kind.PERSISTENT_VOLUMES).stream().map(pv -> new VolumeRow(pv.getMetadata().getName(),
                        pv.getSpec().getCapacity() == null ? "" : Quantities.memory(Quantities.bytes(pv.getSpec().getCapacity().get("storage"))),
                        modes(pv.getSpec().getAccessModes()), pv.getSpec().getPersistentVolumeReclaimPolicy(),
                        pv.getStatus() == null ? "" : pv.getStatus().getPhase(),
                        pv.getSpec().getClaimRef() == null ? "" : pv.getSpec().getClaimRef().getNamespace() + "/" + pv.getSpec().getClaimRef().getName(),
                        pv.getSpec().getStorageClassName(), Ages.since(pv.getMetadata().getCreationTimestamp(), now)))
                .sorted(Comparator.comparing(VolumeRow::name)).toList());
        model.addAttribute("claims", cache.list(Kind.PERSISTENT_VOLUME_CLAIMS).stream().map(c -> new ClaimRow(c.getMetadata().getNamespace(),
                        c.getMetadata().getName(), c.getStatus() == null ? "Pending" : c.getStatus().getPhase(), c.getSpec().getVolumeName(),
                        c.getStatus() == null || c.getStatus().getCapacity() == null ? "" : Quantities.memory(Quantities.bytes(c.getStatus().getCapacity().get("storage"))),
                        modes(c.getSpec().getAccessModes()), c.getSpec().getStorageClassName(), Ages.since(c.getMetadata().getCreationTimestamp(), now)))
                .sorted(Comparator.comparing(ClaimRow::namespace).thenComparing(ClaimRow::name)).toList());
        model.addAttribute("classes", cache.list(Kind.STORAGE_CLASSES).stream().map(sc -> new ClassRow(sc.getMetadata().getName(),
                        sc.getProvisioner(), sc.getReclaimPolicy() == null ? "Delete" : sc.getReclaimPolicy(),
                        sc.getVolumeBindingMode() == null ? "Immediate" : sc.getVolumeBindingMode(),
                        sc.getMetadata().getAnnotations() != null && "true".equals(sc.getMetadata().getAnnotations().get("storageclass.kubernetes.io/is-default-class")),
                        Ages.since(sc.getMetadata().getCreationTimestamp(), now)))
                .sorted(Comparator.comparing(ClassRow::name)).toList());
        model.addAttribute("live", "persistentvolumes,persistentvolumeclaims,storageclasses");
        return "storage";
    }

    private static String modes(List<String> modes) {
        if (modes == null) {
            return "";
        }
        return modes.stream().map(m -> switch (m) {
            case "ReadWriteOnce" -> "RWO";
            case "ReadOnlyMany" -> "ROX";
            case "ReadWriteMany" -> "RWX";
            case "ReadWriteOncePod" -> "RWOP";
            default -> m;
        }).collect(Collectors.joining(","));
    }

    record Hit(String kind, String namespace, String name, String href) {
    }

    /** Finds objects of every watched kind whose name contains the text, across namespaces. */
    @GetMapping("/search")
    String search(@RequestParam(name = "q", defaultValue = "") String q, ClusterCache cache, Model model) {
        String text = q.trim().toLowerCase(Locale.ROOT);
        List<Hit> hits = new ArrayList<>();
        if (!text.isEmpty()) {
            for (Kind<?> kind : Kind.ALL) {
                List<? extends HasMetadata> objects;
                try {
                    objects = cache.list(kind);
                } catch (ApiProblem e) {
                    continue; // a kind this identity may not list is simply not searched
                }
                for (HasMetadata o : objects) {
                    String name = o.getMetadata().getName();
                    if (name != null && name.toLowerCase(Locale.ROOT).contains(text)) {
                        hits.add(new Hit(kind.kind(), o.getMetadata().getNamespace(), name, href(kind, o)));
                    }
                }
            }
        }
        hits.sort(Comparator.comparing(Hit::kind).thenComparing(h -> h.namespace() == null ? "" : h.namespace()).thenComparing(Hit::name));
        model.addAttribute("q", q);
        model.addAttribute("hits", hits.size() > 500 ? hits.subList(0, 500) : hits);
        model.addAttribute("total", hits.size());
        return "search";
    }

    static String href(Kind<?> kind, HasMetadata o) {
        String ns = o.getMetadata().getNamespace();
        String name = o.getMetadata().getName();
        return switch (kind.plural()) {
            case "pods" -> "/pods/" + ns + "/" + name;
            case "nodes" -> "/nodes/" + name;
            case "deployments" -> "/workloads/deployments/" + ns + "/" + name;
            case "replicasets" -> "/workloads/replicasets/" + ns + "/" + name;
            case "services", "endpoints" -> "/services/" + ns + "/" + name;
            case "events" -> "/events?ns=" + ns;
            case "namespaces" -> "/pods?ns=" + name;
            default -> "/storage";
        };
    }

    static Map<String, Long> sorted(Map<String, Long> m) {
        return new TreeMap<>(m);
    }
}
