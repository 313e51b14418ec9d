package dev.coracle.agent.proxy;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import org.bouncycastle.util.encoders.Base32;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * kube-proxy's iptables rules for the Services it knows, as {@code iptables-restore} input: in the nat table
 * {@code KUBE-SERVICES} sends each cluster IP and port to its {@code KUBE-SVC-*} chain, which picks one of the ready
 * endpoints' {@code KUBE-SEP-*} chains at random ({@code -m statistic --mode random}, equal shares) and DNATs to it;
 * node ports go through {@code KUBE-NODEPORTS} and {@code KUBE-EXT-*}; traffic from outside the cluster CIDR, and a
 * pod reaching itself, is marked for masquerade ({@code KUBE-MARK-MASQ}, {@code KUBE-POSTROUTING}). In the filter
 * table a Service port without endpoints is rejected at once rather than left to time out. Chain names are
 * kube-proxy's hashes, so {@code iptables-save} reads as on a k3s node (the seed's listing).
 */
final class ProxyRules {

    static final String SERVICES = "KUBE-SERVICES";
    static final String NODEPORTS = "KUBE-NODEPORTS";
    static final String POSTROUTING = "KUBE-POSTROUTING";
    static final String MARK_MASQ = "KUBE-MARK-MASQ";
    static final String MASQ_MARK = "0x4000";
    private static final List<String> CHAIN_PREFIXES = List.of("KUBE-SVC-", "KUBE-SEP-", "KUBE-EXT-");

    private ProxyRules() {
    }

    /** One port of a Service as kube-proxy programs it. */
    record ServicePortEntry(String namespace, String name, String portName, String protocol, String clusterIp, int port,
                            Integer nodePort, List<String> endpoints) {

        /** {@code ServicePortName.String()}: {@code ns/name} and {@code :port} when the port has a name. */
        String servicePortName() {
            return namespace + "/" + name + (portName.isEmpty() ? "" : ":" + portName);
        }

        String proto() {
            return protocol.toLowerCase(Locale.ROOT);
        }

        String serviceChain() {
            return "KUBE-SVC-" + hash(servicePortName() + proto());
        }

        String externalChain() {
            return "KUBE-EXT-" + hash(servicePortName() + proto());
        }

        String endpointChain(String endpoint) {
            return "KUBE-SEP-" + hash(servicePortName() + proto() + endpoint);
        }
    }

    /** The ports of every Service with a cluster IP, each with the ready endpoints its EndpointSlices list for it. */
    static List<ServicePortEntry> entries(Collection<Service> services, Collection<EndpointSlice> slices) {
        List<ServicePortEntry> out = new ArrayList<>();
        for (Service service : services) {
            var spec = service.getSpec();
            String ip = spec == null ? null : spec.getClusterIP();
            if (ip == null || ip.isEmpty() || "None".equals(ip) || "ExternalName".equals(spec.getType()) || spec.getPorts() == null
                    || ip.contains(":")) {
                continue; // headless, external names and IPv6 (ip6tables) are not programmed
            }
            String namespace = service.getMetadata().getNamespace();
            String name = service.getMetadata().getName();
            for (ServicePort port : spec.getPorts()) {
                String portName = Objects.toString(port.getName(), "");
                String protocol = port.getProtocol() == null || port.getProtocol().isEmpty() ? "TCP" : port.getProtocol();
                Integer nodePort = port.getNodePort() != null && port.getNodePort() > 0 ? port.getNodePort() : null;
                out.add(new ServicePortEntry(namespace, name, portName, protocol, ip, port.getPort(), nodePort,
                        endpoints(slices, namespace, name, portName, protocol)));
            }
        }
        out.sort(Comparator.comparing(ServicePortEntry::servicePortName).thenComparing(ServicePortEntry::protocol));
        return out;
    }

    /** Ready endpoints ({@code ready} unset counts as ready) of IPv4 slices of the Service, for the port of that name. */
    private static List<String> endpoints(Collection<EndpointSlice> slices, String namespace, String service, String portName,
                                          String protocol) {
        Set<String> found = new TreeSet<>();
        for (EndpointSlice slice : slices) {
            var labels = slice.getMetadata().getLabels();
            if (!namespace.equals(slice.getMetadata().getNamespace()) || labels == null
                    || !service.equals(labels.get("kubernetes.io/service-name")) || !"IPv4".equals(slice.getAddressType())) {
                continue;
            }
            Integer port = null;
            for (EndpointPort p : slice.getPorts() == null ? List.<EndpointPort>of() : slice.getPorts()) {
                String pProtocol = p.getProtocol() == null ? "TCP" : p.getProtocol();
                if (portName.equals(Objects.toString(p.getName(), "")) && protocol.equals(pProtocol)) {
                    port = p.getPort();
                }
            }
            if (port == null || slice.getEndpoints() == null) {
                continue;
            }
            for (var endpoint : slice.getEndpoints()) {
                boolean ready = endpoint.getConditions() == null || !Boolean.FALSE.equals(endpoint.getConditions().getReady());
                if (ready && endpoint.getAddresses() != null && !endpoint.getAddresses().isEmpty()) {
                    found.add(endpoint.getAddresses().get(0) + ":" + port);
                }
            }
        }
        return List.copyOf(found);
    }

    /**
     * The {@code iptables-restore --noflush} input that makes the nat and filter tables say {@code entries}: the chains
     * named here are flushed and rewritten, chains of Services gone ({@code existingChains} no longer wanted) deleted.
     */
    static String restoreInput(List<ServicePortEntry> entries, String clusterCidr, Set<String> existingChains) {
        StringBuilder chains = new StringBuilder();
        StringBuilder rules = new StringBuilder();
        Set<String> wanted = new TreeSet<>();
        for (String chain : List.of(SERVICES, NODEPORTS, POSTROUTING, MARK_MASQ)) {
            chains.append(':').append(chain).append(" - [0:0]\n");
        }
        rules.append("-A ").append(POSTROUTING).append(" -m mark ! --mark ").append(MASQ_MARK).append('/').append(MASQ_MARK).append(" -j RETURN\n");
        rules.append("-A ").append(POSTROUTING).append(" -j MARK --xor-mark ").append(MASQ_MARK).append('\n');
        rules.append("-A ").append(POSTROUTING).append(" -m comment --comment \"kubernetes service traffic requiring SNAT\" -j MASQUERADE\n");
        rules.append("-A ").append(MARK_MASQ).append(" -j MARK --or-mark ").append(MASQ_MARK).append('\n');
        StringBuilder rejects = new StringBuilder();
        for (ServicePortEntry e : entries) {
            String match = " -m " + e.proto() + " -p " + e.proto();
            String comment = " -m comment --comment \"" + e.servicePortName() + " cluster IP\"";
            if (e.endpoints().isEmpty()) {
                rejects.append("-A ").append(SERVICES).append(" -m comment --comment \"").append(e.servicePortName())
                        .append(" has no endpoints\"").append(match).append(" -d ").append(e.clusterIp()).append("/32 --dport ")
                        .append(e.port()).append(" -j REJECT --reject-with icmp-port-unreachable\n");
                continue;
            }
            String svc = e.serviceChain();
            wanted.add(svc);
            rules.append("-A ").append(SERVICES).append(comment).append(match).append(" -d ").append(e.clusterIp())
                    .append("/32 --dport ").append(e.port()).append(" -j ").append(svc).append('\n');
            rules.append("-A ").append(svc).append(comment).append(match).append(" -d ").append(e.clusterIp()).append("/32 --dport ")
                    .append(e.port()).append(" ! -s ").append(clusterCidr).append(" -j ").append(MARK_MASQ).append('\n');
            if (e.nodePort() != null) {
                String ext = e.externalChain();
                wanted.add(ext);
                rules.append("-A ").append(NODEPORTS).append(" -m comment --comment ").append(e.servicePortName()).append(match)
                        .append(" --dport ").append(e.nodePort()).append(" -j ").append(ext).append('\n');
                rules.append("-A ").append(ext).append(" -m comment --comment \"masquerade traffic for ").append(e.servicePortName())
                        .append(" external destinations\" -j ").append(MARK_MASQ).append('\n');
                rules.append("-A ").append(ext).append(" -j ").append(svc).append('\n');
            }
            List<String> endpoints = e.endpoints();
            for (int i = 0; i < endpoints.size(); i++) {
                String endpoint = endpoints.get(i);
                String sep = e.endpointChain(endpoint);
                wanted.add(sep);
                rules.append("-A ").append(svc).append(" -m comment --comment \"").append(e.servicePortName()).append(" -> ")
                        .append(endpoint).append('"');
                int left = endpoints.size() - i;
                if (left > 1) {
                    // each remaining endpoint gets an equal share: 1/n, then 1/(n-1) of what is left, ...
                    rules.append(" -m statistic --mode random --probability ").append(String.format(Locale.ROOT, "%.10f", 1.0 / left));
                }
                rules.append(" -j ").append(sep).append('\n');
                String ip = endpoint.substring(0, endpoint.lastIndexOf(':'));
                rules.append("-A ").append(sep).append(" -m comment --comment ").append(e.servicePortName()).append(" -s ").append(ip)
                        .append("/32 -j ").append(MARK_MASQ).append('\n');
                rules.append("-A ").append(sep).append(" -m comment --comment ").append(e.servicePortName()).append(match)
                        .append(" -j DNAT --to-destination ").append(endpoint).append('\n');
            }
        }
        rules.append("-A ").append(SERVICES).append(" -m comment --comment \"kubernetes service nodeports; NOTE: this must be the last rule ")
                .append("in this chain\" -m addrtype --dst-type LOCAL -j ").append(NODEPORTS).append('\n');
        wanted.forEach(chain -> chains.append(':').append(chain).append(" - [0:0]\n"));
        StringBuilder out = new StringBuilder("*nat\n").append(chains);
        List<String> stale = existingChains.stream().filter(ProxyRules::ours).filter(c -> !wanted.contains(c)).sorted().toList();
        // a chain goes only once nothing jumps to it: flushed by its declaration, deleted after the rules
        stale.forEach(chain -> out.append(':').append(chain).append(" - [0:0]\n"));
        out.append(rules);
        stale.forEach(chain -> out.append("-X ").append(chain).append('\n'));
        out.append("COMMIT\n*filter\n:").append(SERVICES).append(" - [0:0]\n").append(rejects).append("COMMIT\n");
        return out.toString();
    }

    /** Whether a chain is one of the per-Service chains this proxy writes. */
    static boolean ours(String chain) {
        return CHAIN_PREFIXES.stream().anyMatch(chain::startsWith);
    }

    /** kube-proxy's {@code portProtoHash}: the first 16 characters of the base32 (Go's StdEncoding) SHA-256. */
    static String hash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return Base32.toBase32String(digest).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
