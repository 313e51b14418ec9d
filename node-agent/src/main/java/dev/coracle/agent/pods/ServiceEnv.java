package dev.coracle.agent.pods;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Service variables the kubelet gives every container ({@code getServiceEnvVarMap}, {@code envvars.FromServices}):
 * for the {@code kubernetes} Service of {@code default} always, and for each Service of the pod's namespace unless the
 * pod sets {@code enableServiceLinks: false}, when it has a cluster IP: {@code NAME_SERVICE_HOST},
 * {@code NAME_SERVICE_PORT} (the first port), {@code NAME_SERVICE_PORT_PORTNAME} per named port, and Docker's link
 * variables ({@code NAME_PORT=tcp://IP:PORT}, {@code NAME_PORT_80_TCP}, {@code _PROTO}, {@code _PORT}, {@code _ADDR}).
 * The Services come from the agent's watch of them all (shared with the service proxy), as the kubelet's service lister.
 */
public final class ServiceEnv {

    private static final String MASTER_NAMESPACE = "default";
    private static final String MASTER_SERVICE = "kubernetes";

    private final SharedIndexInformer<Service> informer;

    /** @param informer the agent's watch of every Service, started (its first list in) before any container starts */
    public ServiceEnv(SharedIndexInformer<Service> informer) {
        this.informer = informer;
    }

    /** The variables of the Services {@code pod} sees, sorted by name. */
    Map<String, String> of(Pod pod) {
        Map<String, Service> byName = new TreeMap<>();
        Service master = informer.getStore().getByKey(Cache.namespaceKeyFunc(MASTER_NAMESPACE, MASTER_SERVICE));
        if (master != null && hasClusterIp(master)) {
            byName.put(MASTER_SERVICE, master);
        }
        String namespace = pod.getMetadata().getNamespace();
        if (!Boolean.FALSE.equals(pod.getSpec().getEnableServiceLinks())) {
            for (Service s : informer.getIndexer().byIndex(Cache.NAMESPACE_INDEX, namespace)) {
                boolean masterName = MASTER_NAMESPACE.equals(namespace) && MASTER_SERVICE.equals(s.getMetadata().getName());
                if (hasClusterIp(s) && !masterName) {
                    byName.put(s.getMetadata().getName(), s);
                }
            }
        }
        Map<String, String> env = new TreeMap<>();
        byName.values().forEach(s -> variables(s, env));
        return env;
    }

    private static boolean hasClusterIp(Service s) {
        String ip = s.getSpec() == null ? null : s.getSpec().getClusterIP();
        return ip != null && !ip.isEmpty() && !"None".equals(ip) && s.getSpec().getPorts() != null && !s.getSpec().getPorts().isEmpty();
    }

    private static void variables(Service service, Map<String, String> env) {
        String prefix = variableName(service.getMetadata().getName());
        String ip = service.getSpec().getClusterIP();
        List<ServicePort> ports = new ArrayList<>(service.getSpec().getPorts());
        env.put(prefix + "_SERVICE_HOST", ip);
        env.put(prefix + "_SERVICE_PORT", String.valueOf(ports.get(0).getPort()));
        for (ServicePort port : ports) {
            if (port.getName() != null && !port.getName().isEmpty()) {
                env.put(prefix + "_SERVICE_PORT_" + variableName(port.getName()), String.valueOf(port.getPort()));
            }
        }
        for (int i = 0; i < ports.size(); i++) {
            ServicePort port = ports.get(i);
            String protocol = port.getProtocol() == null || port.getProtocol().isEmpty() ? "TCP" : port.getProtocol();
            String url = protocol.toLowerCase(Locale.ROOT) + "://" + hostPort(ip, port.getPort());
            if (i == 0) {
                env.put(prefix + "_PORT", url);
            }
            String portPrefix = prefix + "_PORT_" + port.getPort() + "_" + protocol.toUpperCase(Locale.ROOT);
            env.put(portPrefix, url);
            env.put(portPrefix + "_PROTO", protocol.toLowerCase(Locale.ROOT));
            env.put(portPrefix + "_PORT", String.valueOf(port.getPort()));
            env.put(portPrefix + "_ADDR", ip);
        }
    }

    /** {@code makeEnvVariableName}: upper case, '-' as '_'. */
    private static String variableName(String name) {
        return name.replace('-', '_').toUpperCase(Locale.ROOT);
    }

    /** Go's {@code net.JoinHostPort}: an IPv6 address in brackets. */
    private static String hostPort(String ip, Integer port) {
        return (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + port;
    }
}
