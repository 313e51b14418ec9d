package dev.coracle.dashboard.view;

import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.Service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** A Service as {@code kubectl get svc -o wide} shows it, with its ready and not-ready endpoints. */
public record ServiceRow(String namespace, String name, String type, String clusterIp, String externalIp, String ports,
                         String selector, List<String> readyEndpoints, List<String> notReadyEndpoints, String age) {

    public static ServiceRow of(Service s, Endpoints endpoints, Instant now) {
        var spec = s.getSpec();
        String ports = spec.getPorts() == null || spec.getPorts().isEmpty() ? "<none>" : spec.getPorts().stream()
                .map(p -> p.getPort() + (p.getNodePort() != null ? ":" + p.getNodePort() : "") + "/" + (p.getProtocol() == null ? "TCP" : p.getProtocol()))
                .collect(Collectors.joining(","));
        String selector = spec.getSelector() == null || spec.getSelector().isEmpty() ? "<none>" : spec.getSelector().entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","));
        String external = spec.getExternalIPs() == null || spec.getExternalIPs().isEmpty() ? "<none>" : String.join(",", spec.getExternalIPs());
        if ("LoadBalancer".equals(spec.getType()) && external.equals("<none>")) {
            external = "<pending>";
        }
        List<String> ready = new ArrayList<>();
        List<String> notReady = new ArrayList<>();
        if (endpoints != null && endpoints.getSubsets() != null) {
            for (var subset : endpoints.getSubsets()) {
                List<String> ports2 = subset.getPorts() == null ? List.of() : subset.getPorts().stream().map(p -> String.valueOf(p.getPort())).toList();
                for (var a : WorkloadRows.nonNull(subset.getAddresses())) {
                    ready.add(address(a.getIp(), ports2, a.getTargetRef() == null ? null : a.getTargetRef().getName()));
                }
                for (var a : WorkloadRows.nonNull(subset.getNotReadyAddresses())) {
                    notReady.add(address(a.getIp(), ports2, a.getTargetRef() == null ? null : a.getTargetRef().getName()));
                }
            }
        }
        return new ServiceRow(s.getMetadata().getNamespace(), s.getMetadata().getName(), spec.getType() == null ? "ClusterIP" : spec.getType(),
                spec.getClusterIP() == null ? "<none>" : spec.getClusterIP(), external, ports, selector, ready, notReady,
                Ages.since(s.getMetadata().getCreationTimestamp(), now));
    }

    private static String address(String ip, List<String> ports, String pod) {
        String base = ports.isEmpty() ? ip : ports.stream().map(p -> ip + ":" + p).collect(Collectors.joining(","));
        return pod == null ? base : base + " (" + pod + ")";
    }
}
