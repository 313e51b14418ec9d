package dev.coracle.server.controller.endpoints;

import dev.coracle.server.api.ApiException;
import dev.coracle.server.api.InternalClient;
import dev.coracle.server.api.Json;
import dev.coracle.server.controller.Controller;
import dev.coracle.server.controller.EventRecorder;
import dev.coracle.server.controller.Informer;
import dev.coracle.server.controller.Informers;
import dev.coracle.server.store.RevisionRecord.EventType;
import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointPort;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import org.springframework.stereotype.Component;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * kube-controller-manager's endpoints controller (pkg/controller/endpoint), as of Kubernetes 1.32:
 * for every Service with a selector, an Endpoints object of the same name whose subsets are the
 * matching pods that have an IP — ready pods under {@code addresses}, the others under
 * {@code notReadyAddresses} (all under addresses when the Service publishes not-ready addresses) —
 * each with its {@code targetRef} and {@code nodeName}, and the Service's ports resolved on each pod
 * (a number, or a named container port). Services without a selector and ExternalName Services are
 * left alone; the Endpoints of a deleted Service are deleted. The Endpoints carries the Service's
 * labels (plus {@code service.kubernetes.io/headless} for a headless Service) and the
 * {@code endpoints.kubernetes.io/last-change-trigger-time} annotation. (The
 * {@code endpoints.kubernetes.io/managed-by} label is 1.33's, so it is not set.)
 */
@Component
public class EndpointsController extends Controller {

    static final String LAST_CHANGE_TRIGGER_TIME = "endpoints.kubernetes.io/last-change-trigger-time";
    static final String OVER_CAPACITY = "endpoints.kubernetes.io/over-capacity";
    static final String HEADLESS = "service.kubernetes.io/headless";
    private static final String LEADER_ANNOTATION = "control-plane.alpha.kubernetes.io/leader";
    private static final String COMPONENT = "endpoint-controller";

    private final InternalClient client;
    private final EventRecorder events;
    private final TriggerTimes triggerTimes = new TriggerTimes();
    private Informer<Service> services;
    private Informer<Pod> pods;
    private Informer<Endpoints> endpoints;

    public EndpointsController(InternalClient client, EventRecorder events) {
        this.client = client;
        this.events = events;
    }

    @Override
    public String name() {
        return "endpoint";
    }

    @Override
    protected void register(Informers informers) {
        services = informers.of(Service.class);
        pods = informers.of(Pod.class);
        endpoints = informers.of(Endpoints.class);
        services.onChange(change -> enqueue(Informer.key(change.current())));
        pods.onChange(change -> {
            for (String key : ServicePods.servicesToUpdate(services, change.type(), change.old(), change.current())) {
                enqueue(key);
            }
        });
        endpoints.onChange(change -> {
            Endpoints ep = change.current();
            if (change.type() == EventType.DELETED) {
                enqueue(Informer.key(ep));
            } else if (change.type() == EventType.ADDED && !endpoints.hasSynced() && !isLeaderRecord(ep)) {
                // checkLeftoverEndpoints: on start, every Endpoints is looked at once, so one left by a
                // Service deleted while no controller ran goes too
                enqueue(Informer.key(ep));
            }
        });
    }

    private static boolean isLeaderRecord(Endpoints ep) {
        return ep.getMetadata().getAnnotations() != null && ep.getMetadata().getAnnotations().containsKey(LEADER_ANNOTATION);
    }

    // ---- syncService ------------------------------------------------------------------------

    @Override
    protected void reconcile(String key) {
        int slash = key.indexOf('/');
        String namespace = key.substring(0, slash);
        String name = key.substring(slash + 1);
        if (namespace.equals("default") && name.equals("kubernetes")) {
            return; // the API server keeps this one
        }
        Service service = services.get(key).orElse(null);
        if (service == null) {
            // the Service is gone: so is its Endpoints
            try {
                client.delete(Endpoints.class, namespace, name, null);
            } catch (ApiException e) {
                if (e.code() != 404) {
                    throw e;
                }
            }
            triggerTimes.forget(key);
            return;
        }
        if ("ExternalName".equals(service.getSpec().getType()) || ServicePods.selector(service) == null) {
            return;
        }
        Map<String, String> selector = ServicePods.selector(service);
        List<Pod> selected = pods.list(namespace, p -> ServicePods.matches(selector, ServicePods.labels(p)));
        Instant triggerTime = triggerTimes.compute(key, service, selected);
        boolean publishNotReady = Boolean.TRUE.equals(service.getSpec().getPublishNotReadyAddresses());

        List<EndpointSubset> subsets = new ArrayList<>();
        for (Pod pod : selected) {
            if (!ServicePods.shouldBeInEndpoints(pod, publishNotReady)) {
                continue;
            }
            EndpointAddress address = address(service, pod);
            if (address == null) {
                continue;
            }
            List<ServicePort> ports = service.getSpec().getPorts() == null ? List.of() : service.getSpec().getPorts();
            if (ports.isEmpty()) {
                if ("None".equals(service.getSpec().getClusterIP())) {
                    subsets.add(subset(pod, address, null, publishNotReady));
                }
                continue;
            }
            for (ServicePort servicePort : ports) {
                Integer port = ServicePods.findPort(pod, servicePort);
                if (port == null) {
                    continue;
                }
                EndpointPort ep = new EndpointPort();
                ep.setName(servicePort.getName() == null || servicePort.getName().isEmpty() ? null : servicePort.getName());
                ep.setPort(port);
                ep.setProtocol(servicePort.getProtocol());
                ep.setAppProtocol(servicePort.getAppProtocol());
                subsets.add(subset(pod, copy(address), ep, publishNotReady));
            }
        }
        subsets = Subsets.repack(subsets);

        Endpoints current = endpoints.get(key).orElse(null);
        boolean create = current == null;
        Map<String, String> serviceLabels = service.getMetadata().getLabels() == null ? Map.of() : service.getMetadata().getLabels();
        if (!create) {
            Map<String, String> compareLabels = new HashMap<>(current.getMetadata().getLabels() == null ? Map.of() : current.getMetadata().getLabels());
            compareLabels.remove(HEADLESS);
            Map<String, String> annotations = current.getMetadata().getAnnotations() == null ? Map.of() : current.getMetadata().getAnnotations();
            boolean capacityRight = Subsets.count(current.getSubsets()) <= Subsets.MAX_CAPACITY && !annotations.containsKey(OVER_CAPACITY);
            if (Subsets.sameIgnoringResourceVersion(current.getSubsets(), subsets) && compareLabels.equals(serviceLabels) && capacityRight) {
                return;
            }
        }
        Endpoints wanted = new Endpoints();
        ObjectMeta meta = new ObjectMeta();
        if (create) {
            meta.setName(name);
            meta.setNamespace(namespace);
        } else {
            meta = Json.toTyped(Json.toTree(current), Endpoints.class).getMetadata(); // the cache's copy stays as it is
        }
        Map<String, String> annotations = meta.getAnnotations() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(meta.getAnnotations());
        if (triggerTime != null) {
            annotations.put(LAST_CHANGE_TRIGGER_TIME, DateTimeFormatter.ISO_INSTANT.format(triggerTime));
        } else {
            annotations.remove(LAST_CHANGE_TRIGGER_TIME);
        }
        if (Subsets.truncate(subsets)) {
            annotations.put(OVER_CAPACITY, "truncated");
        } else {
            annotations.remove(OVER_CAPACITY);
        }
        Map<String, String> labels = new LinkedHashMap<>(serviceLabels);
        if (!isServiceIPSet(service)) {
            labels.put(HEADLESS, "");
        }
        meta.setAnnotations(annotations.isEmpty() ? null : annotations);
        meta.setLabels(labels.isEmpty() ? null : labels);
        wanted.setMetadata(meta);
        wanted.setSubsets(subsets);
        try {
            if (create) {
                client.create(wanted);
            } else {
                client.update(wanted);
            }
        } catch (ApiException e) {
            if (create && e.code() == 403 && e.getMessage() != null && e.getMessage().contains("being terminated")) {
                return; // the namespace is going: creates will keep failing, so the key is dropped
            }
            if (e.code() != 409) {
                if (create) {
                    events.warning(wanted, COMPONENT, "FailedToCreateEndpoint",
                            "Failed to create endpoint for service " + namespace + "/" + name + ": " + e.getMessage());
                } else {
                    events.warning(wanted, COMPONENT, "FailedToUpdateEndpoint",
                            "Failed to update endpoint " + namespace + "/" + name + ": " + e.getMessage());
                }
            }
            throw e;
        }
    }

    private static EndpointSubset subset(Pod pod, EndpointAddress address, EndpointPort port, boolean publishNotReady) {
        EndpointSubset subset = new EndpointSubset();
        subset.setPorts(port == null ? new ArrayList<>() : new ArrayList<>(List.of(port)));
        if (publishNotReady || ServicePods.isReady(pod)) {
            subset.setAddresses(new ArrayList<>(List.of(address)));
        } else {
            subset.setNotReadyAddresses(new ArrayList<>(List.of(address)));
        }
        return subset;
    }

    private static EndpointAddress copy(EndpointAddress a) {
        EndpointAddress c = new EndpointAddress();
        c.setIp(a.getIp());
        c.setHostname(a.getHostname());
        c.setNodeName(a.getNodeName());
        c.setTargetRef(a.getTargetRef());
        return c;
    }

    /** podToEndpointAddressForService: the pod's IP of the Service's (first) IP family, or null when it has none. */
    static EndpointAddress address(Service service, Pod pod) {
        boolean ipv6;
        List<String> families = service.getSpec().getIpFamilies();
        String clusterIP = service.getSpec().getClusterIP();
        if (families != null && !families.isEmpty()) {
            ipv6 = "IPv6".equals(families.get(0));
        } else if (clusterIP != null && !clusterIP.isEmpty() && !"None".equals(clusterIP)) {
            ipv6 = clusterIP.contains(":");
        } else {
            String podIP = pod.getStatus() == null ? null : pod.getStatus().getPodIP();
            ipv6 = podIP != null && podIP.contains(":");
        }
        String ip = null;
        for (String candidate : ServicePods.podIPs(pod)) {
            if (candidate.contains(":") == ipv6) {
                ip = candidate;
                break;
            }
        }
        if (ip == null) {
            return null;
        }
        EndpointAddress address = new EndpointAddress();
        address.setIp(ip);
        String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
        address.setNodeName(node == null || node.isEmpty() ? null : node);
        address.setTargetRef(ServicePods.targetRef(pod));
        String hostname = pod.getSpec() == null ? null : pod.getSpec().getHostname();
        if (hostname != null && !hostname.isEmpty() && Objects.equals(pod.getSpec().getSubdomain(), service.getMetadata().getName())
                && Objects.equals(service.getMetadata().getNamespace(), pod.getMetadata().getNamespace())) {
            address.setHostname(hostname);
        }
        return address;
    }

    private static boolean isServiceIPSet(Service service) {
        String ip = service.getSpec().getClusterIP();
        return ip != null && !ip.isEmpty() && !"None".equals(ip);
    }
}
