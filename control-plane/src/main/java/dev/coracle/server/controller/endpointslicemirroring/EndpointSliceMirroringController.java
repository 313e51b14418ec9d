package dev.coracle.server.controller.endpointslicemirroring;

import dev.coracle.server.api.InternalClient;
import dev.coracle.server.controller.Controller;
import dev.coracle.server.controller.Informer;
import dev.coracle.server.controller.Informers;
import dev.coracle.server.controller.endpointslice.EndpointSliceController;
import dev.coracle.server.registry.Semantic;
import dev.coracle.server.registry.Validation;
import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import org.springframework.stereotype.Component;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * kube-controller-manager's EndpointSlice mirroring controller: the Endpoints a user writes for a Service without a
 * selector are mirrored into EndpointSlices (what kube-proxy and {@code kubectl describe svc} read today), one per
 * subset's ports and address type, owned by the Endpoints; the Endpoints' labels and annotations are copied. Slices of
 * a Service that gains a selector, or whose Endpoints or Service go, are deleted; Endpoints labelled
 * {@code endpointslice.kubernetes.io/skip-mirror: "true"} (the {@code kubernetes} Service's) are left alone.
 */
@Component
public class EndpointSliceMirroringController extends Controller {

    static final String CONTROLLER_NAME = "endpointslicemirroring-controller.k8s.io";
    static final String SKIP_MIRROR = "endpointslice.kubernetes.io/skip-mirror";
    /** {@code --mirroring-max-endpoints-per-subset}'s default. */
    static final int MAX_ENDPOINTS_PER_SUBSET = 1000;
    private static final List<String> NOT_COPIED_ANNOTATIONS = List.of("endpoints.kubernetes.io/last-change-trigger-time",
            "kubectl.kubernetes.io/last-applied-configuration");

    private final InternalClient client;
    private Informer<Endpoints> endpoints;
    private Informer<Service> services;
    private Informer<EndpointSlice> slices;

    public EndpointSliceMirroringController(InternalClient client) {
        this.client = client.as("kube-controller-manager");
    }

    @Override
    public String name() {
        return "endpointslicemirroring";
    }

    @Override
    protected void register(Informers informers) {
        endpoints = informers.of(Endpoints.class);
        services = informers.of(Service.class);
        slices = informers.of(EndpointSlice.class);
        endpoints.onChange(c -> enqueue(Informer.key(c.current())));
        services.onChange(c -> enqueue(Informer.key(c.current())));
        slices.onChange(c -> {
            Map<String, String> labels = c.current().getMetadata().getLabels();
            if (labels != null && CONTROLLER_NAME.equals(labels.get(EndpointSliceController.MANAGED_BY_LABEL))
                    && labels.get(EndpointSliceController.SERVICE_NAME_LABEL) != null) {
                enqueue(Informer.key(c.current().getMetadata().getNamespace(), labels.get(EndpointSliceController.SERVICE_NAME_LABEL)));
            }
        });
    }

    @Override
    protected void reconcile(String key) throws Exception {
        if (!endpoints.waitForSync(30) || !services.waitForSync(30) || !slices.waitForSync(30)) {
            throw new IllegalStateException("endpoints, services or endpointslices not synced");
        }
        String namespace = key.substring(0, key.indexOf('/'));
        String name = key.substring(key.indexOf('/') + 1);
        List<EndpointSlice> existing = slices.list(namespace, s -> s.getMetadata().getLabels() != null
                && CONTROLLER_NAME.equals(s.getMetadata().getLabels().get(EndpointSliceController.MANAGED_BY_LABEL))
                && name.equals(s.getMetadata().getLabels().get(EndpointSliceController.SERVICE_NAME_LABEL)));
        Endpoints source = endpoints.get(key).orElse(null);
        Service service = services.get(key).orElse(null);
        List<EndpointSlice> desired = shouldMirror(source, service) ? desired(source) : List.of();
        Map<String, EndpointSlice> unmatched = new LinkedHashMap<>();
        existing.forEach(s -> unmatched.put(s.getMetadata().getName(), s));
        for (EndpointSlice want : desired) {
            EndpointSlice have = unmatched.values().stream().filter(s -> sameGroup(s, want)).findFirst().orElse(null);
            if (have == null) {
                client.create(want);
                continue;
            }
            unmatched.remove(have.getMetadata().getName());
            if (!Semantic.equal(have.getEndpoints(), want.getEndpoints()) || !Objects.equals(have.getMetadata().getLabels(), want.getMetadata().getLabels())
                    || !Objects.equals(emptyToNull(have.getMetadata().getAnnotations()), emptyToNull(want.getMetadata().getAnnotations()))) {
                EndpointSlice update = Semantic.copy(have);
                update.setEndpoints(want.getEndpoints());
                update.getMetadata().setLabels(want.getMetadata().getLabels());
                update.getMetadata().setAnnotations(want.getMetadata().getAnnotations());
                client.update(update);
            }
        }
        for (EndpointSlice extra : unmatched.values()) {
            client.delete(EndpointSlice.class, namespace, extra.getMetadata().getName(), null);
        }
    }

    /** Only a Service without a selector has its Endpoints mirrored, and not when they ask to be skipped. */
    private static boolean shouldMirror(Endpoints source, Service service) {
        if (source == null || service == null || source.getMetadata().getDeletionTimestamp() != null) {
            return false;
        }
        Map<String, String> labels = source.getMetadata().getLabels();
        boolean skip = labels != null && "true".equals(labels.get(SKIP_MIRROR));
        Map<String, String> selector = service.getSpec() == null ? null : service.getSpec().getSelector();
        return !skip && (selector == null || selector.isEmpty());
    }

    /** One slice per subset's ports and address type, up to {@link #MAX_ENDPOINTS_PER_SUBSET} endpoints a subset. */
    private static List<EndpointSlice> desired(Endpoints source) {
        List<EndpointSlice> out = new ArrayList<>();
        for (EndpointSubset subset : source.getSubsets() == null ? List.<EndpointSubset>of() : source.getSubsets()) {
            List<EndpointPort> ports = (subset.getPorts() == null ? List.<io.fabric8.kubernetes.api.model.EndpointPort>of() : subset.getPorts())
                    .stream().map(p -> new EndpointPortBuilder().withName(p.getName() == null ? "" : p.getName()).withPort(p.getPort())
                            .withProtocol(p.getProtocol()).withAppProtocol(p.getAppProtocol()).build()).toList();
            Map<String, List<Endpoint>> byType = new LinkedHashMap<>();
            int count = 0;
            for (boolean ready : new boolean[]{true, false}) {
                List<EndpointAddress> addresses = ready ? subset.getAddresses() : subset.getNotReadyAddresses();
                for (EndpointAddress address : addresses == null ? List.<EndpointAddress>of() : addresses) {
                    String type = addressType(address.getIp());
                    if (type == null || count++ >= MAX_ENDPOINTS_PER_SUBSET) {
                        continue; // kube-controller-manager skips what is not an IP
                    }
                    byType.computeIfAbsent(type, t -> new ArrayList<>()).add(new EndpointBuilder().withAddresses(address.getIp())
                            .withNewConditions().withReady(ready).endConditions().withTargetRef(address.getTargetRef())
                            .withNodeName(address.getNodeName()).withHostname(emptyToNull(address.getHostname())).build());
                }
            }
            byType.forEach((type, list) -> out.add(slice(source, ports, type, list)));
        }
        return out;
    }

    private static EndpointSlice slice(Endpoints source, List<EndpointPort> ports, String addressType, List<Endpoint> endpoints) {
        Map<String, String> labels = new HashMap<>(source.getMetadata().getLabels() == null ? Map.of() : source.getMetadata().getLabels());
        labels.put(EndpointSliceController.SERVICE_NAME_LABEL, source.getMetadata().getName());
        labels.put(EndpointSliceController.MANAGED_BY_LABEL, CONTROLLER_NAME);
        Map<String, String> annotations = new HashMap<>(source.getMetadata().getAnnotations() == null ? Map.of() : source.getMetadata().getAnnotations());
        NOT_COPIED_ANNOTATIONS.forEach(annotations::remove);
        return new EndpointSliceBuilder().withNewMetadata().withGenerateName(source.getMetadata().getName() + "-")
                .withNamespace(source.getMetadata().getNamespace()).withLabels(labels).withAnnotations(emptyToNull(annotations))
                .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("v1").withKind("Endpoints")
                        .withName(source.getMetadata().getName()).withUid(source.getMetadata().getUid())
                        .withController(true).withBlockOwnerDeletion(true).build())
                .endMetadata().withAddressType(addressType).withPorts(ports).withEndpoints(endpoints).build();
    }

    private static boolean sameGroup(EndpointSlice a, EndpointSlice b) {
        return Objects.equals(a.getAddressType(), b.getAddressType()) && Semantic.equal(a.getPorts(), b.getPorts());
    }

    private static String addressType(String ip) {
        if (!Validation.isIp(ip)) {
            return null;
        }
        return Validation.isIpv4(ip) ? "IPv4" : "IPv6";
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static Map<String, String> emptyToNull(Map<String, String> m) {
        return m == null || m.isEmpty() ? null : m;
    }
}
