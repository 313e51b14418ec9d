package dev.coracle.server.controller.endpointslice;

import dev.coracle.server.controller.endpoints.ServicePods;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * How the endpoint slice controller sees a Service's pods (endpointslice's utils.go): the address types a Service
 * takes, a pod as an endpoint of one type, the Service's ports resolved on a pod, and the keys that tell
 * endpoints and port sets apart.
 */
final class PodEndpoints {

    static final String IPV4 = "IPv4";
    static final String IPV6 = "IPv6";
    static final String ZONE_LABEL = "topology.kubernetes.io/zone";

    private PodEndpoints() {
    }

    /** getAddressTypesForService: the Service's IP families, else its ClusterIP's, else (headless) both. */
    static Set<String> addressTypes(Service service) {
        Set<String> types = new LinkedHashSet<>();
        for (String family : service.getSpec().getIpFamilies() == null ? List.<String>of() : service.getSpec().getIpFamilies()) {
            if (family.equals("IPv4")) {
                types.add(IPV4);
            } else if (family.equals("IPv6")) {
                types.add(IPV6);
            }
        }
        if (!types.isEmpty()) {
            return types;
        }
        String clusterIP = service.getSpec().getClusterIP();
        if (clusterIP != null && !clusterIP.isEmpty() && !clusterIP.equals("None")) {
            return Set.of(clusterIP.contains(":") ? IPV6 : IPV4);
        }
        return new LinkedHashSet<>(List.of(IPV4, IPV6));
    }

    /**
     * podToEndpoint: the pod's addresses of the type; serving = Ready, terminating = being deleted, and ready = serving
     * and not terminating (or always, when the Service publishes not-ready addresses).
     */
    static Endpoint endpoint(Pod pod, String nodeZone, Service service, String addressType) {
        boolean serving = ServicePods.isReady(pod);
        boolean terminating = pod.getMetadata().getDeletionTimestamp() != null;
        boolean ready = Boolean.TRUE.equals(service.getSpec().getPublishNotReadyAddresses()) || (serving && !terminating);
        Endpoint endpoint = new Endpoint();
        List<String> addresses = new ArrayList<>();
        for (String ip : ServicePods.podIPs(pod)) {
            if (ip.contains(":") == addressType.equals(IPV6)) {
                addresses.add(ip);
            }
        }
        endpoint.setAddresses(addresses);
        EndpointConditions conditions = new EndpointConditions();
        conditions.setReady(ready);
        conditions.setServing(serving);
        conditions.setTerminating(terminating);
        endpoint.setConditions(conditions);
        endpoint.setTargetRef(ServicePods.targetRef(pod));
        String node = pod.getSpec().getNodeName();
        if (node != null && !node.isEmpty()) {
            endpoint.setNodeName(node);
        }
        if (nodeZone != null && !nodeZone.isEmpty()) {
            endpoint.setZone(nodeZone);
        }
        String hostname = pod.getSpec().getHostname();
        // ShouldSetHostname: the pod names itself in the Service's subdomain
        if (hostname != null && !hostname.isEmpty() && Objects.equals(pod.getSpec().getSubdomain(), service.getMetadata().getName())
                && Objects.equals(pod.getMetadata().getNamespace(), service.getMetadata().getNamespace())) {
            endpoint.setHostname(hostname);
        }
        return endpoint;
    }

    /** getEndpointPorts: each Service port the pod serves (a named targetPort it lacks is skipped); none for a port-less headless Service. */
    static List<EndpointPort> ports(Service service, Pod pod) {
        List<EndpointPort> out = new ArrayList<>();
        List<ServicePort> servicePorts = service.getSpec().getPorts() == null ? List.of() : service.getSpec().getPorts();
        for (ServicePort servicePort : servicePorts) {
            Integer number = ServicePods.findPort(pod, servicePort);
            if (number == null) {
                continue;
            }
            EndpointPort port = new EndpointPort();
            port.setName(servicePort.getName() == null ? "" : servicePort.getName());
            port.setPort(number);
            port.setProtocol(servicePort.getProtocol() == null ? "TCP" : servicePort.getProtocol());
            port.setAppProtocol(servicePort.getAppProtocol());
            out.add(port);
        }
        return out;
    }

    /** endpointsliceutil's PortMapKey: the set of ports, whatever their order. */
    static String portsKey(List<EndpointPort> ports) {
        List<String> keys = new ArrayList<>();
        for (EndpointPort p : ports == null ? List.<EndpointPort>of() : ports) {
            keys.add(Objects.toString(p.getName(), "") + "/" + p.getPort() + "/" + Objects.toString(p.getProtocol(), "TCP") + "/"
                    + p.getAppProtocol());
        }
        keys.sort(Comparator.naturalOrder());
        return String.join(",", keys);
    }

    /** endpointsliceutil's hashEndpoint: one endpoint per sorted address list, hostname and target. */
    static String endpointKey(Endpoint endpoint) {
        List<String> addresses = new ArrayList<>(endpoint.getAddresses() == null ? List.of() : endpoint.getAddresses());
        addresses.sort(Comparator.naturalOrder());
        ObjectReference target = endpoint.getTargetRef();
        return String.join(",", addresses) + "|" + Objects.toString(endpoint.getHostname(), "") + "|"
                + (target == null ? "" : Objects.toString(target.getNamespace(), "") + "/" + Objects.toString(target.getName(), ""));
    }
}
