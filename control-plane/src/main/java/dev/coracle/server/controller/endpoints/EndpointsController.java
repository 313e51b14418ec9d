package dev.coracle.server.controller.endpoints;

import dev.coracle.server.api.ApiException;
import dev.coracle.server.api.InternalClient;
import dev.coracle.server.api.Json;
import dev.coracle.server.controller.Controller;
import dev.coracle.server.controller.EventRecorder;
import dev.coracle.server.controller.Informer;
import dev.coracle.server.controller.Informers;
import dev.coracle.server.store.RevisionRecord.EventType;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointPort;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import org.springframework.stereotype.Component;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

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
            for (String key : servicesToUpdate(change.type(), change.old(), change.current())) {
                enqueue(key);
            }
        });
        endpoints.onChange(change -> {
            Endpoints ep = change.current();
            if (change.type() == EventType.DELETED) {
                enqueue(Informer.key(ep));
            } else if (change.type() == EventType.ADDED && !synced(endpoints) && !isLeaderRecord(ep)) {
                // checkLeftoverEndpoints: on start, every Endpoints is looked at once, so one left by a
                // Service deleted while no controller ran goes too
                enqueue(Informer.key(ep));
            }
        });
    }

    private static boolean synced(Informer<?> informer) {
        try {
            return informer.waitForSync(0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static boolean isLeaderRecord(Endpoints ep) {
        return ep.getMetadata().getAnnotations() != null && ep.getMetadata().getAnnotations().containsKey(LEADER_ANNOTATION);
    }

    // ---- which services a pod change concerns (GetPodUpdateProjectionKey, GetServicesToUpdate) ----

    private Set<String> servicesToUpdate(EventType type, Pod old, Pod current) {
        if (type == EventType.ADDED || type == EventType.DELETED || old == null) {
            return servicesSelecting(current.getMetadata().getNamespace(), labels(current));
        }
        if (Objects.equals(old.getMetadata().getResourceVersion(), current.getMetadata().getResourceVersion())) {
            return Set.of();
        }
        boolean labelsChanged = !labels(old).equals(labels(current))
                || !Objects.equals(old.getSpec().getHostname(), current.getSpec().getHostname())
                || !Objects.equals(old.getSpec().getSubdomain(), current.getSpec().getSubdomain());
        boolean podChanged = !Objects.equals(old.getMetadata().getDeletionTimestamp(), current.getMetadata().getDeletionTimestamp())
                || isReady(old) != isReady(current)
                || !podIPs(old).equals(podIPs(current));
        if (!podChanged && !labelsChanged) {
            return Set.of();
        }
        String ns = current.getMetadata().getNamespace();
        Set<String> now = servicesSelecting(ns, labels(current));
        if (!labelsChanged) {
            return now;
        }
        Set<String> before = servicesSelecting(ns, labels(old));
        Set<String> out = new HashSet<>();
        if (podChanged) {
            out.addAll(now);
            out.addAll(before);
        } else {
            now.stream().filter(k -> !before.contains(k)).forEach(out::add);
            before.stream().filter(k -> !now.contains(k)).forEach(out::add);
        }
        return out;
    }

    private Set<String> servicesSelecting(String namespace, Map<String, String> podLabels) {
        Set<String> out = new HashSet<>();
        for (Service s : services.list(namespace, s -> true)) {
            Map<String, String> selector = selector(s);
            if (selector != null && matches(selector, podLabels)) {
                out.add(Informer.key(s));
            }
        }
        return out;
    }

    /** The selector, or null when there is none (an empty selector is dropped when stored, so it is none too). */
    private static Map<String, String> selector(Service s) {
        Map<String, String> selector = s.getSpec() == null ? null : s.getSpec().getSelector();
        return selector == null || selector.isEmpty() ? null : selector;
    }

    private static boolean matches(Map<String, String> selector, Map<String, String> labels) {
        for (Map.Entry<String, String> e : selector.entrySet()) {
            if (!e.getValue().equals(labels.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    private static Map<String, String> labels(Pod pod) {
        return pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
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
        if ("ExternalName".equals(service.getSpec().getType()) || selector(service) == null) {
            return;
        }
        Map<String, String> selector = selector(service);
        List<Pod> selected = pods.list(namespace, p -> matches(selector, labels(p)));
        Instant triggerTime = triggerTimes.compute(key, service, selected);
        boolean publishNotReady = Boolean.TRUE.equals(service.getSpec().getPublishNotReadyAddresses());

        List<EndpointSubset> subsets = new ArrayList<>();
        for (Pod pod : selected) {
            if (!shouldBeInEndpoints(pod, publishNotReady)) {
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
                Integer port = findPort(pod, servicePort);
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
        if (publishNotReady || isReady(pod)) {
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

    /** ShouldPodBeInEndpoints: not finished, has an IP, and not terminating unless the Service publishes not-ready addresses. */
    static boolean shouldBeInEndpoints(Pod pod, boolean includeTerminating) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
            return false;
        }
        if (podIPs(pod).isEmpty()) {
            return false;
        }
        return includeTerminating || pod.getMetadata().getDeletionTimestamp() == null;
    }

    static boolean isReady(Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
            return false;
        }
        for (PodCondition c : pod.getStatus().getConditions()) {
            if ("Ready".equals(c.getType())) {
                return "True".equals(c.getStatus());
            }
        }
        return false;
    }

    /** The pod's IPs: status.podIPs, or status.podIP when only that is set. */
    static List<String> podIPs(Pod pod) {
        if (pod.getStatus() == null) {
            return List.of();
        }
        List<String> ips = new ArrayList<>();
        if (pod.getStatus().getPodIPs() != null) {
            for (PodIP ip : pod.getStatus().getPodIPs()) {
                if (ip.getIp() != null && !ip.getIp().isEmpty()) {
                    ips.add(ip.getIp());
                }
            }
        }
        if (ips.isEmpty() && pod.getStatus().getPodIP() != null && !pod.getStatus().getPodIP().isEmpty()) {
            ips.add(pod.getStatus().getPodIP());
        }
        return ips;
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
        for (String candidate : podIPs(pod)) {
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
        ObjectReference ref = new ObjectReference();
        ref.setKind("Pod");
        ref.setNamespace(pod.getMetadata().getNamespace());
        ref.setName(pod.getMetadata().getName());
        ref.setUid(pod.getMetadata().getUid());
        address.setTargetRef(ref);
        String hostname = pod.getSpec() == null ? null : pod.getSpec().getHostname();
        if (hostname != null && !hostname.isEmpty() && Objects.equals(pod.getSpec().getSubdomain(), service.getMetadata().getName())
                && Objects.equals(service.getMetadata().getNamespace(), pod.getMetadata().getNamespace())) {
            address.setHostname(hostname);
        }
        return address;
    }

    /** FindPort: a numeric targetPort as is; a named one looked up among the pod's container (and sidecar) ports. */
    static Integer findPort(Pod pod, ServicePort servicePort) {
        IntOrString target = servicePort.getTargetPort();
        if (target == null || (target.getIntVal() == null && target.getStrVal() == null)) {
            return servicePort.getPort();
        }
        if (target.getIntVal() != null) {
            return target.getIntVal();
        }
        String name = target.getStrVal();
        String protocol = servicePort.getProtocol() == null ? "TCP" : servicePort.getProtocol();
        List<Container> candidates = new ArrayList<>(pod.getSpec().getContainers() == null ? List.of() : pod.getSpec().getContainers());
        if (pod.getSpec().getInitContainers() != null) {
            pod.getSpec().getInitContainers().stream().filter(c -> "Always".equals(c.getRestartPolicy())).forEach(candidates::add);
        }
        for (Container c : candidates) {
            for (ContainerPort p : c.getPorts() == null ? List.<ContainerPort>of() : c.getPorts()) {
                String portProtocol = p.getProtocol() == null ? "TCP" : p.getProtocol();
                if (name.equals(p.getName()) && protocol.equals(portProtocol)) {
                    return p.getContainerPort();
                }
            }
        }
        return null;
    }

    private static boolean isServiceIPSet(Service service) {
        String ip = service.getSpec().getClusterIP();
        return ip != null && !ip.isEmpty() && !"None".equals(ip);
    }

    /**
     * endpointslice/util's TriggerTimeTracker: the time of the earliest change (a pod's Ready transition,
     * the Service's creation) not yet reflected in the Endpoints; null when nothing changed.
     */
    static final class TriggerTimes {

        private record State(Map<String, Instant> podTimes, Instant serviceTime) {
        }

        private final Map<String, State> states = new ConcurrentHashMap<>();

        Instant compute(String key, Service service, List<Pod> pods) {
            State state = states.get(key);
            Instant min = null;
            Map<String, Instant> podTimes = new HashMap<>();
            for (Pod pod : pods) {
                Instant t = podTriggerTime(pod);
                if (t != null) {
                    podTimes.put(pod.getMetadata().getName(), t);
                    Instant last = state == null ? null : state.podTimes().get(pod.getMetadata().getName());
                    if (last == null || t.isAfter(last)) {
                        min = min == null || t.isBefore(min) ? t : min;
                    }
                }
            }
            Instant serviceTime = parse(service.getMetadata().getCreationTimestamp());
            if (serviceTime != null && (state == null || state.serviceTime() == null || serviceTime.isAfter(state.serviceTime()))) {
                min = min == null || serviceTime.isBefore(min) ? serviceTime : min;
            }
            states.put(key, new State(podTimes, serviceTime));
            if (state == null) {
                return serviceTime; // a new Service: its creation
            }
            return min;
        }

        void forget(String key) {
            states.remove(key);
        }

        private static Instant podTriggerTime(Pod pod) {
            if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
                return null;
            }
            for (PodCondition c : pod.getStatus().getConditions()) {
                if ("Ready".equals(c.getType())) {
                    return parse(c.getLastTransitionTime());
                }
            }
            return null;
        }

        private static Instant parse(String time) {
            try {
                return time == null || time.isEmpty() ? null : Instant.parse(time);
            } catch (RuntimeException e) {
                return null;
            }
        }
    }
}
