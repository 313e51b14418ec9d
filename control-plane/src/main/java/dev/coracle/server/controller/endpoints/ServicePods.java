package dev.coracle.server.controller.endpoints;

import dev.coracle.server.controller.Informer;
import dev.coracle.server.store.RevisionRecord.EventType;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What the endpoints and endpoint slice controllers share about Services and their pods, as Kubernetes'
 * {@code pkg/controller/util/endpoint} and {@code endpointslice/util} hold it for both: which Services a
 * pod change concerns, whether a pod is an endpoint, its IPs and readiness, and a Service port resolved on it.
 */
public final class ServicePods {

    private ServicePods() {
    }

    // ---- which services a pod change concerns (GetPodUpdateProjectionKey, GetServicesToUpdate) ----

    public static Set<String> servicesToUpdate(Informer<Service> services, EventType type, Pod old, Pod current) {
        if (type == EventType.ADDED || type == EventType.DELETED || old == null) {
            return servicesSelecting(services, current.getMetadata().getNamespace(), labels(current));
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
        Set<String> now = servicesSelecting(services, ns, labels(current));
        if (!labelsChanged) {
            return now;
        }
        Set<String> before = servicesSelecting(services, ns, labels(old));
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

    private static Set<String> servicesSelecting(Informer<Service> services, String namespace, Map<String, String> podLabels) {
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
    public static Map<String, String> selector(Service s) {
        Map<String, String> selector = s.getSpec() == null ? null : s.getSpec().getSelector();
        return selector == null || selector.isEmpty() ? null : selector;
    }

    public static boolean matches(Map<String, String> selector, Map<String, String> labels) {
        for (Map.Entry<String, String> e : selector.entrySet()) {
            if (!e.getValue().equals(labels.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    public static Map<String, String> labels(Pod pod) {
        return pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
    }

    /** The reference an endpoint holds to its pod. */
    public static ObjectReference targetRef(Pod pod) {
        ObjectReference ref = new ObjectReference();
        ref.setKind("Pod");
        ref.setNamespace(pod.getMetadata().getNamespace());
        ref.setName(pod.getMetadata().getName());
        ref.setUid(pod.getMetadata().getUid());
        return ref;
    }

    /** ShouldPodBeInEndpoints: not finished, has an IP, and not terminating unless the Service publishes not-ready addresses. */
    public static boolean shouldBeInEndpoints(Pod pod, boolean includeTerminating) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
            return false;
        }
        if (podIPs(pod).isEmpty()) {
            return false;
        }
        return includeTerminating || pod.getMetadata().getDeletionTimestamp() == null;
    }

    public static boolean isReady(Pod pod) {
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
    public static List<String> podIPs(Pod pod) {
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

    /** FindPort: a numeric targetPort as is; a named one looked up among the pod's container (and sidecar) ports. */
    public static Integer findPort(Pod pod, ServicePort servicePort) {
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
}
