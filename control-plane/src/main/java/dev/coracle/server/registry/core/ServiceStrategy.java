package dev.coracle.server.registry.core;

import dev.coracle.server.api.ApiException.FieldError;
import dev.coracle.server.registry.BaseStrategy;
import dev.coracle.server.registry.GoValues;
import dev.coracle.server.registry.LabelSelectors;
import dev.coracle.server.registry.NameRule;
import dev.coracle.server.registry.ResourceType;
import dev.coracle.server.registry.Semantic;
import dev.coracle.server.registry.Tables;
import dev.coracle.server.registry.Validation;
import io.fabric8.kubernetes.api.model.ClientIPConfig;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.LoadBalancerStatus;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.fabric8.kubernetes.api.model.ServiceStatus;
import io.fabric8.kubernetes.api.model.SessionAffinityConfig;
import io.fabric8.kubernetes.api.model.TableColumnDefinition;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

import static dev.coracle.server.registry.Validation.child;
import static dev.coracle.server.registry.Validation.duplicate;
import static dev.coracle.server.registry.Validation.forbidden;
import static dev.coracle.server.registry.Validation.index;
import static dev.coracle.server.registry.Validation.invalid;
import static dev.coracle.server.registry.Validation.notSupported;
import static dev.coracle.server.registry.Validation.required;

/**
 * core/v1 services, as {@code pkg/registry/core/service/strategy.go} with the v1 defaulter and the
 * update-time patching of allocated values (clusterIPs, nodePorts) the service REST storage does.
 * Allocating addresses and ports is the API layer's job.
 */
@Component
public class ServiceStrategy extends BaseStrategy<Service> {

    static final ResourceType TYPE = new ResourceType("", "v1", "Service", "services", "service", true,
            List.of("svc"), List.of("all"), List.of("status", "proxy"), Service.class);

    public static final int DEFAULT_CLIENT_IP_TIMEOUT_SECONDS = 10800;
    private static final int MAX_CLIENT_IP_TIMEOUT_SECONDS = 86400;
    private static final List<String> TYPES = List.of("ClusterIP", "ExternalName", "LoadBalancer", "NodePort");
    private static final List<String> AFFINITIES = List.of("ClientIP", "None");
    private static final List<String> TRAFFIC_POLICIES = List.of("Cluster", "Local");
    private static final List<String> IP_FAMILIES = List.of("IPv4", "IPv6");
    private static final List<String> IP_FAMILY_POLICIES = List.of("PreferDualStack", "RequireDualStack", "SingleStack");

    public ServiceStrategy() {
    }

    public ServiceStrategy(Clock clock) {
        super(clock);
    }

    @Override
    public ResourceType type() {
        return TYPE;
    }

    @Override
    public NameRule nameRule() {
        return NameRule.DNS1035_LABEL;
    }

    /**
     * {@code SetDefaults_Service}: type ClusterIP, sessionAffinity None, port protocol TCP, targetPort = port,
     * externalTrafficPolicy Cluster for externally reachable services, internalTrafficPolicy Cluster; plus the
     * ipFamilies/ipFamilyPolicy the service allocator fills in on a single-stack IPv4 cluster (SingleStack/[IPv4],
     * or RequireDualStack/[IPv4, IPv6] for a headless service without selector).
     */
    @Override
    public void applyDefaults(Service svc) {
        ServiceSpec spec = spec(svc);
        if (spec.getSessionAffinity() == null || spec.getSessionAffinity().isEmpty()) {
            spec.setSessionAffinity("None");
        }
        if ("None".equals(spec.getSessionAffinity())) {
            spec.setSessionAffinityConfig(null);
        }
        if ("ClientIP".equals(spec.getSessionAffinity())) {
            SessionAffinityConfig c = spec.getSessionAffinityConfig();
            if (c == null || c.getClientIP() == null || c.getClientIP().getTimeoutSeconds() == null) {
                spec.setSessionAffinityConfig(new SessionAffinityConfig(new ClientIPConfig(DEFAULT_CLIENT_IP_TIMEOUT_SECONDS)));
            }
        }
        if (spec.getType() == null || spec.getType().isEmpty()) {
            spec.setType("ClusterIP");
        }
        for (ServicePort p : spec.getPorts()) {
            if (p.getProtocol() == null || p.getProtocol().isEmpty()) {
                p.setProtocol("TCP");
            }
            IntOrString target = p.getTargetPort();
            boolean unset = target == null || (target.getStrVal() == null && (target.getIntVal() == null || target.getIntVal() == 0))
                    || (target.getStrVal() != null && target.getStrVal().isEmpty());
            if (unset) {
                p.setTargetPort(new IntOrString(p.getPort() == null ? 0 : p.getPort()));
            }
        }
        if (externallyAccessible(spec) && (spec.getExternalTrafficPolicy() == null || spec.getExternalTrafficPolicy().isEmpty())) {
            spec.setExternalTrafficPolicy("Cluster");
        }
        if (spec.getInternalTrafficPolicy() == null && Set.of("NodePort", "LoadBalancer", "ClusterIP").contains(spec.getType())) {
            spec.setInternalTrafficPolicy("Cluster");
        }
        if ("LoadBalancer".equals(spec.getType()) && spec.getAllocateLoadBalancerNodePorts() == null) {
            spec.setAllocateLoadBalancerNodePorts(true);
        }
        if ("LoadBalancer".equals(spec.getType()) && svc.getStatus() != null && svc.getStatus().getLoadBalancer() != null) {
            for (LoadBalancerIngress ing : svc.getStatus().getLoadBalancer().getIngress()) {
                if (ing.getIp() != null && !ing.getIp().isEmpty() && ing.getIpMode() == null) {
                    ing.setIpMode("VIP");
                }
            }
        }
        if (!"ExternalName".equals(spec.getType())) {
            boolean headlessWithoutSelector = "None".equals(spec.getClusterIP()) && (spec.getSelector() == null || spec.getSelector().isEmpty());
            if (spec.getIpFamilyPolicy() == null) {
                spec.setIpFamilyPolicy(headlessWithoutSelector ? "RequireDualStack" : "SingleStack");
            }
            if (spec.getIpFamilies() == null || spec.getIpFamilies().isEmpty()) {
                String primary = spec.getClusterIP() != null && spec.getClusterIP().contains(":") ? "IPv6" : "IPv4";
                spec.setIpFamilies(new ArrayList<>(List.of(primary)));
            }
            // headless + selectorless services are dual-stack unless asked otherwise, even on a single-stack cluster
            if (headlessWithoutSelector && !"SingleStack".equals(spec.getIpFamilyPolicy()) && spec.getIpFamilies().size() == 1) {
                spec.getIpFamilies().add(spec.getIpFamilies().get(0).equals("IPv4") ? "IPv6" : "IPv4");
            }
        }
    }

    private static ServiceSpec spec(Service svc) {
        if (svc.getSpec() == null) {
            svc.setSpec(new ServiceSpec());
        }
        return svc.getSpec();
    }

    static boolean externallyAccessible(ServiceSpec spec) {
        String type = nz(spec.getType());
        return type.equals("LoadBalancer") || type.equals("NodePort") || (type.equals("ClusterIP") && !spec.getExternalIPs().isEmpty());
    }

    private static boolean needsClusterIP(ServiceSpec spec) {
        return !"ExternalName".equals(spec.getType());
    }

    private static boolean needsNodePort(ServiceSpec spec) {
        return "NodePort".equals(spec.getType())
                || ("LoadBalancer".equals(spec.getType()) && !Boolean.FALSE.equals(spec.getAllocateLoadBalancerNodePorts()));
    }

    private static boolean needsHealthCheckNodePort(ServiceSpec spec) {
        return "LoadBalancer".equals(spec.getType()) && "Local".equals(spec.getExternalTrafficPolicy());
    }

    @Override
    public void prepareForCreate(Service svc) {
        ServiceSpec spec = spec(svc);
        svc.setStatus(new ServiceStatus(List.of(), new LoadBalancerStatus()));
        if (spec.getClusterIP() != null && !spec.getClusterIP().isEmpty() && spec.getClusterIPs().isEmpty()) {
            spec.setClusterIPs(new ArrayList<>(List.of(spec.getClusterIP())));
        }
    }

    /** Keeps the status; patches allocated values a client omitted; normalizes clusterIP/clusterIPs; drops fields the new type no longer uses. */
    @Override
    public void prepareForUpdate(Service svc, Service old) {
        ServiceSpec spec = spec(svc);
        ServiceSpec oldSpec = old.getSpec() == null ? new ServiceSpec() : old.getSpec();
        svc.setStatus(Semantic.copy(old.getStatus()));
        patchAllocatedValues(spec, oldSpec);
        normalizeClusterIPs(spec, oldSpec);
        dropTypeDependentFields(svc, spec, oldSpec);
    }

    private static void patchAllocatedValues(ServiceSpec spec, ServiceSpec old) {
        if (needsClusterIP(old) && needsClusterIP(spec)) {
            if (spec.getClusterIP() == null || spec.getClusterIP().isEmpty()) {
                spec.setClusterIP(old.getClusterIP());
            }
            if (spec.getClusterIPs().isEmpty() && !old.getClusterIPs().isEmpty()) {
                spec.setClusterIPs(new ArrayList<>(old.getClusterIPs()));
            }
        }
        if (needsNodePort(old) && needsNodePort(spec)) {
            Set<Integer> oldUsed = new HashSet<>();
            old.getPorts().forEach(p -> {
                if (p.getNodePort() != null && p.getNodePort() != 0) {
                    oldUsed.add(p.getNodePort());
                }
            });
            Set<Integer> used = new HashSet<>();
            spec.getPorts().forEach(p -> {
                if (p.getNodePort() != null && p.getNodePort() != 0 && oldUsed.contains(p.getNodePort())) {
                    used.add(p.getNodePort());
                }
            });
            Map<String, Integer> byPort = new HashMap<>();
            old.getPorts().forEach(p -> byPort.put(p.getPort() + "/" + p.getProtocol(), p.getNodePort()));
            for (ServicePort p : spec.getPorts()) {
                if (p.getNodePort() == null || p.getNodePort() == 0) {
                    Integer oldValue = byPort.get(p.getPort() + "/" + p.getProtocol());
                    if (oldValue != null && oldValue != 0 && !used.contains(oldValue)) {
                        p.setNodePort(oldValue);
                    }
                }
            }
        }
        if (needsHealthCheckNodePort(old) && needsHealthCheckNodePort(spec)
                && (spec.getHealthCheckNodePort() == null || spec.getHealthCheckNodePort() == 0)) {
            spec.setHealthCheckNodePort(old.getHealthCheckNodePort());
        }
    }

    private static void normalizeClusterIPs(ServiceSpec spec, ServiceSpec old) {
        String ip = nz(spec.getClusterIP());
        String oldIp = nz(old.getClusterIP());
        if (!old.getClusterIPs().isEmpty() && spec.getClusterIPs().isEmpty() && oldIp.equals(ip)) {
            spec.setClusterIPs(new ArrayList<>(old.getClusterIPs()));
        }
        if (!oldIp.equals(ip)) {
            boolean sameIps = old.getClusterIPs().equals(spec.getClusterIPs());
            if (!oldIp.isEmpty() && ip.isEmpty() && sameIps) {
                spec.setClusterIPs(new ArrayList<>());
            }
            if (!ip.isEmpty() && sameIps) {
                spec.setClusterIPs(new ArrayList<>(List.of(ip)));
            }
        }
    }

    private static void dropTypeDependentFields(Service svc, ServiceSpec spec, ServiceSpec old) {
        if (needsClusterIP(old) && !needsClusterIP(spec)) {
            if (Objects.equals(nz(old.getClusterIP()), nz(spec.getClusterIP())) && old.getClusterIPs().equals(spec.getClusterIPs())) {
                spec.setClusterIP(null);
                spec.setClusterIPs(new ArrayList<>());
            }
            if (old.getIpFamilies().equals(spec.getIpFamilies())) {
                spec.setIpFamilies(new ArrayList<>());
            }
            if (Objects.equals(old.getIpFamilyPolicy(), spec.getIpFamilyPolicy())) {
                spec.setIpFamilyPolicy(null);
            }
        }
        if (needsNodePort(old) && !needsNodePort(spec)) {
            boolean sameNodePorts = true;
            for (ServicePort p : spec.getPorts()) {
                boolean found = p.getNodePort() == null || p.getNodePort() == 0
                        || old.getPorts().stream().anyMatch(o -> Objects.equals(o.getNodePort(), p.getNodePort()));
                sameNodePorts &= found;
            }
            if (sameNodePorts) {
                spec.getPorts().forEach(p -> p.setNodePort(null));
            }
            if (Objects.equals(old.getHealthCheckNodePort(), spec.getHealthCheckNodePort())) {
                spec.setHealthCheckNodePort(null);
            }
        }
        if ("LoadBalancer".equals(old.getType()) && !"LoadBalancer".equals(spec.getType())
                && spec.getAllocateLoadBalancerNodePorts() != null && Objects.equals(old.getAllocateLoadBalancerNodePorts(), spec.getAllocateLoadBalancerNodePorts())) {
            spec.setAllocateLoadBalancerNodePorts(null);
        }
        if ("LoadBalancer".equals(old.getType()) && !"LoadBalancer".equals(spec.getType())
                && Objects.equals(old.getLoadBalancerClass(), spec.getLoadBalancerClass())) {
            spec.setLoadBalancerClass(null);
        }
        if (externallyAccessible(old) && !externallyAccessible(spec) && Objects.equals(old.getExternalTrafficPolicy(), spec.getExternalTrafficPolicy())) {
            spec.setExternalTrafficPolicy(null);
        }
        if (!"LoadBalancer".equals(spec.getType()) && svc.getStatus() != null) {
            svc.getStatus().setLoadBalancer(new LoadBalancerStatus());
        }
    }

    @Override
    public void prepareForStatusUpdate(Service svc, Service old) {
        svc.setSpec(Semantic.copy(old.getSpec()));
    }

    // ---------------------------------------------------------------- validation

    static boolean isHeadless(ServiceSpec spec) {
        return spec.getClusterIPs().size() == 1 && "None".equals(spec.getClusterIPs().get(0));
    }

    /** {@code ValidateService} (without the object metadata, which the API layer validates). */
    @Override
    public List<FieldError> validate(Service svc) {
        List<FieldError> errs = new ArrayList<>();
        ServiceSpec spec = spec(svc);
        String type = nz(spec.getType());
        if (spec.getPorts().isEmpty() && !isHeadless(spec) && !type.equals("ExternalName")) {
            errs.add(required("spec.ports"));
        }
        switch (type) {
            case "LoadBalancer" -> {
                if (isHeadless(spec)) {
                    errs.add(invalid("spec.clusterIPs[0]", spec.getClusterIPs().get(0), "may not be set to 'None' for LoadBalancer services"));
                }
            }
            case "NodePort" -> {
                if (isHeadless(spec)) {
                    errs.add(invalid("spec.clusterIPs[0]", spec.getClusterIPs().get(0), "may not be set to 'None' for NodePort services"));
                }
            }
            case "ExternalName" -> {
                if (!spec.getClusterIPs().isEmpty()) {
                    errs.add(forbidden("spec.clusterIPs", "may not be set for ExternalName services"));
                }
                if (!spec.getIpFamilies().isEmpty()) {
                    errs.add(forbidden("spec.ipFamilies", "may not be set for ExternalName services"));
                }
                if (spec.getIpFamilyPolicy() != null) {
                    errs.add(forbidden("spec.ipFamilyPolicy", "may not be set for ExternalName services"));
                }
                String cname = nz(spec.getExternalName());
                if (cname.endsWith(".")) {
                    cname = cname.substring(0, cname.length() - 1);
                }
                if (!cname.isEmpty()) {
                    errs.addAll(Validation.validateDns1123Subdomain(cname, "spec.externalName"));
                } else {
                    errs.add(required("spec.externalName"));
                }
            }
            default -> {
            }
        }
        Set<String> portNames = new HashSet<>();
        for (int i = 0; i < spec.getPorts().size(); i++) {
            errs.addAll(validateServicePort(spec.getPorts().get(i), spec.getPorts().size() > 1, portNames, index("spec.ports", i)));
        }
        if (spec.getSelector() != null) {
            errs.addAll(Validation.validateLabels(spec.getSelector(), "spec.selector"));
        }
        String affinity = nz(spec.getSessionAffinity());
        if (affinity.isEmpty()) {
            errs.add(required("spec.sessionAffinity"));
        } else if (!AFFINITIES.contains(affinity)) {
            errs.add(notSupported("spec.sessionAffinity", affinity, AFFINITIES));
        }
        if (affinity.equals("ClientIP")) {
            SessionAffinityConfig c = spec.getSessionAffinityConfig();
            if (c == null) {
                errs.add(required("spec.sessionAffinityConfig", "when session affinity type is ClientIP"));
            } else if (c.getClientIP() == null) {
                errs.add(required("spec.sessionAffinityConfig.clientIP", "when session affinity type is ClientIP"));
            } else if (c.getClientIP().getTimeoutSeconds() == null) {
                errs.add(required("spec.sessionAffinityConfig.clientIP.timeoutSeconds", "when session affinity type is ClientIP"));
            } else {
                int t = c.getClientIP().getTimeoutSeconds();
                if (t <= 0 || t > MAX_CLIENT_IP_TIMEOUT_SECONDS) {
                    errs.add(invalid("spec.sessionAffinityConfig.clientIP.timeoutSeconds", t, "must be greater than 0 and less than " + MAX_CLIENT_IP_TIMEOUT_SECONDS));
                }
            }
        } else if (affinity.equals("None") && spec.getSessionAffinityConfig() != null) {
            errs.add(forbidden("spec.sessionAffinityConfig", "must not be set when session affinity is None"));
        }
        errs.addAll(validateClusterIPsRelatedFields(spec));
        for (int i = 0; i < spec.getExternalIPs().size(); i++) {
            String ip = spec.getExternalIPs().get(i);
            String p = index("spec.externalIPs", i);
            List<FieldError> ipErrs = Validation.validateIp(p, ip);
            if (!ipErrs.isEmpty()) {
                errs.addAll(ipErrs);
            } else {
                errs.addAll(Validation.validateNonSpecialIp(ip, p));
            }
        }
        if (type.isEmpty()) {
            errs.add(required("spec.type"));
        } else if (!TYPES.contains(type)) {
            errs.add(notSupported("spec.type", type, TYPES));
        }
        if (type.equals("ClusterIP")) {
            for (int i = 0; i < spec.getPorts().size(); i++) {
                Integer np = spec.getPorts().get(i).getNodePort();
                if (np != null && np != 0) {
                    errs.add(forbidden(child(index("spec.ports", i), "nodePort"), "may not be used when `type` is 'ClusterIP'"));
                }
            }
        }
        Set<String> nodePorts = new HashSet<>();
        for (int i = 0; i < spec.getPorts().size(); i++) {
            ServicePort p = spec.getPorts().get(i);
            if (p.getNodePort() == null || p.getNodePort() == 0) {
                continue;
            }
            if (!nodePorts.add(p.getProtocol() + "/" + p.getNodePort())) {
                errs.add(duplicate(child(index("spec.ports", i), "nodePort"), p.getNodePort()));
            }
        }
        Set<String> ports = new HashSet<>();
        for (int i = 0; i < spec.getPorts().size(); i++) {
            ServicePort p = spec.getPorts().get(i);
            if (!ports.add(p.getProtocol() + "/" + p.getPort())) {
                errs.add(duplicate(index("spec.ports", i), GoValues.raw("core.ServicePort{Name:\"\", Protocol:" + GoValues.quote(nz(p.getProtocol()))
                        + ", AppProtocol:(*string)(nil), Port:" + nz(p.getPort())
                        + ", TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}, NodePort:0}")));
            }
        }
        if (!spec.getLoadBalancerSourceRanges().isEmpty()) {
            if (!type.equals("LoadBalancer")) {
                errs.add(forbidden("spec.LoadBalancerSourceRanges", "may only be used when `type` is 'LoadBalancer'"));
            }
            for (int i = 0; i < spec.getLoadBalancerSourceRanges().size(); i++) {
                errs.addAll(Validation.validateCidr(index("spec.LoadBalancerSourceRanges", i), spec.getLoadBalancerSourceRanges().get(i).strip()));
            }
        }
        if (spec.getAllocateLoadBalancerNodePorts() != null && !type.equals("LoadBalancer")) {
            errs.add(forbidden("spec.allocateLoadBalancerNodePorts", "may only be used when `type` is 'LoadBalancer'"));
        }
        if (type.equals("LoadBalancer") && spec.getAllocateLoadBalancerNodePorts() == null) {
            errs.add(required("allocateLoadBalancerNodePorts"));
        }
        if (spec.getLoadBalancerClass() != null) {
            if (!type.equals("LoadBalancer")) {
                errs.add(forbidden("spec.loadBalancerClass", "may only be used when service type is 'LoadBalancer'"));
            } else {
                errs.addAll(Validation.validateQualifiedName(spec.getLoadBalancerClass(), "spec.loadBalancerClass"));
            }
        }
        errs.addAll(validateExternalTrafficPolicy(spec));
        if (spec.getInternalTrafficPolicy() == null) {
            if (Set.of("NodePort", "LoadBalancer", "ClusterIP").contains(type)) {
                errs.add(required("spec.internalTrafficPolicy"));
            }
        } else if (!TRAFFIC_POLICIES.contains(spec.getInternalTrafficPolicy())) {
            errs.add(notSupported("spec.internalTrafficPolicy", spec.getInternalTrafficPolicy(), TRAFFIC_POLICIES));
        }
        if (spec.getTrafficDistribution() != null && !spec.getTrafficDistribution().equals("PreferClose")) {
            errs.add(notSupported("spec.trafficDistribution", spec.getTrafficDistribution(), List.of("PreferClose")));
        }
        return errs;
    }

    private static List<FieldError> validateServicePort(ServicePort port, boolean requireName, Set<String> names, String path) {
        List<FieldError> errs = new ArrayList<>();
        String name = nz(port.getName());
        if (requireName && name.isEmpty()) {
            errs.add(required(child(path, "name")));
        } else if (!name.isEmpty()) {
            errs.addAll(Validation.validateDns1123Label(name, child(path, "name")));
            if (!names.add(name)) {
                errs.add(duplicate(child(path, "name"), name));
            }
        }
        int p = nz(port.getPort());
        for (String m : Validation.isValidPortNum(p)) {
            errs.add(invalid(child(path, "port"), p, m));
        }
        String protocol = nz(port.getProtocol());
        if (protocol.isEmpty()) {
            errs.add(required(child(path, "protocol")));
        } else if (!PodSpecValidation.PROTOCOLS.contains(protocol)) {
            errs.add(notSupported(child(path, "protocol"), protocol, PodSpecValidation.PROTOCOLS));
        }
        errs.addAll(PodSpecValidation.validatePortNumOrName(port.getTargetPort(), child(path, "targetPort")));
        if (port.getAppProtocol() != null) {
            errs.addAll(Validation.validateQualifiedName(port.getAppProtocol(), child(path, "appProtocol")));
        }
        return errs;
    }

    private static List<FieldError> validateExternalTrafficPolicy(ServiceSpec spec) {
        List<FieldError> errs = new ArrayList<>();
        String policy = nz(spec.getExternalTrafficPolicy());
        if (!externallyAccessible(spec)) {
            if (!policy.isEmpty()) {
                errs.add(invalid("spec.externalTrafficPolicy", policy, "may only be set for externally-accessible services"));
            }
        } else if (policy.isEmpty()) {
            errs.add(required("spec.externalTrafficPolicy"));
        } else if (!TRAFFIC_POLICIES.contains(policy)) {
            errs.add(notSupported("spec.externalTrafficPolicy", policy, TRAFFIC_POLICIES));
        }
        int hc = nz(spec.getHealthCheckNodePort());
        if (!needsHealthCheckNodePort(spec)) {
            if (hc != 0) {
                errs.add(invalid("spec.healthCheckNodePort", hc, "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"));
            }
        } else if (hc != 0) {
            for (String m : Validation.isValidPortNum(hc)) {
                errs.add(invalid("spec.healthCheckNodePort", hc, m));
            }
        }
        return errs;
    }

    private static List<FieldError> validateClusterIPsRelatedFields(ServiceSpec spec) {
        List<FieldError> errs = new ArrayList<>();
        if ("ExternalName".equals(spec.getType())) {
            return errs;
        }
        List<String> ips = spec.getClusterIPs();
        String ip = nz(spec.getClusterIP());
        if (!ip.isEmpty()) {
            if (ips.isEmpty()) {
                errs.add(required("spec.clusterIPs"));
            } else if (!ips.get(0).equals(ip)) {
                errs.add(invalid("spec.clusterIPs", ips, "first value must match `clusterIP`"));
            }
        } else if (!ips.isEmpty()) {
            errs.add(invalid("spec.clusterIPs", ips, "must be empty when `clusterIP` is not specified"));
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < spec.getIpFamilies().size(); i++) {
            String family = spec.getIpFamilies().get(i);
            if (!IP_FAMILIES.contains(family)) {
                errs.add(notSupported(index("spec.ipFamilies", i), family, IP_FAMILIES));
            }
            if (!seen.add(family)) {
                errs.add(duplicate(index("spec.ipFamilies", i), family));
            }
        }
        if (spec.getIpFamilyPolicy() != null && !IP_FAMILY_POLICIES.contains(spec.getIpFamilyPolicy())) {
            errs.add(notSupported("spec.ipFamilyPolicy", spec.getIpFamilyPolicy(), IP_FAMILY_POLICIES));
        }
        boolean invalidIps = false;
        for (int i = 0; i < ips.size(); i++) {
            if (i == 0 && ips.get(i).equals("None")) {
                if (ips.size() > 1) {
                    invalidIps = true;
                    errs.add(invalid("spec.clusterIPs", ips, "'None' must be the first and only value"));
                }
                continue;
            }
            List<FieldError> e = Validation.validateIp(index("spec.clusterIPs", i), ips.get(i));
            invalidIps |= !e.isEmpty();
            errs.addAll(e);
        }
        if (ips.size() > 2) {
            errs.add(invalid("spec.clusterIPs", ips, "may only hold up to 2 values"));
        }
        if (invalidIps) {
            return errs;
        }
        if (ips.size() > 1 && ips.get(0).contains(":") == ips.get(1).contains(":")) {
            errs.add(invalid("spec.clusterIPs", ips, "may specify no more than one IP for each IP family"));
        }
        if (!isHeadless(spec) && !ips.isEmpty() && !spec.getIpFamilies().isEmpty()) {
            for (int i = 0; i < ips.size() && i < spec.getIpFamilies().size(); i++) {
                String family = spec.getIpFamilies().get(i);
                boolean v6 = ips.get(i).contains(":");
                if (family.equals("IPv4") && v6) {
                    errs.add(invalid(index("spec.clusterIPs", i), ips.get(i), "expected an IPv4 value as indicated by `ipFamilies[" + i + "]`"));
                }
                if (family.equals("IPv6") && !v6) {
                    errs.add(invalid(index("spec.clusterIPs", i), ips.get(i), "expected an IPv6 value as indicated by `ipFamilies[" + i + "]`"));
                }
            }
        }
        return errs;
    }

    /**
     * {@code ValidateServiceUpdate}: the primary cluster IP and IP family may not change once set
     * ({@code spec.clusterIPs[0]: Invalid value: []string{...}: may not change once set}), then the new service is validated.
     */
    @Override
    public List<FieldError> validateUpdate(Service svc, Service old) {
        List<FieldError> errs = new ArrayList<>();
        ServiceSpec spec = spec(svc);
        ServiceSpec oldSpec = old.getSpec() == null ? new ServiceSpec() : old.getSpec();
        errs.addAll(validateUpgradeDowngradeClusterIPs(oldSpec, spec));
        errs.addAll(validateUpgradeDowngradeIpFamilies(oldSpec, spec));
        if (needsHealthCheckNodePort(oldSpec) && needsHealthCheckNodePort(spec)
                && !Objects.equals(nz(spec.getHealthCheckNodePort()), nz(oldSpec.getHealthCheckNodePort()))) {
            errs.add(forbidden("spec.healthCheckNodePort", "field is immutable"));
        }
        errs.addAll(validate(svc));
        return errs;
    }

    private static List<FieldError> validateUpgradeDowngradeClusterIPs(ServiceSpec old, ServiceSpec spec) {
        List<FieldError> errs = new ArrayList<>();
        if ("ExternalName".equals(spec.getType()) || "ExternalName".equals(old.getType())) {
            return errs;
        }
        if (isHeadless(old) && isHeadless(spec)) {
            return errs;
        }
        List<String> oldIps = old.getClusterIPs();
        List<String> ips = spec.getClusterIPs();
        String rendered = GoValues.stringSlice(ips);
        if (oldIps.size() == ips.size()) {
            for (int i = 0; i < oldIps.size(); i++) {
                if (!oldIps.get(i).equals(ips.get(i))) {
                    errs.add(invalid(index("spec.clusterIPs", i), GoValues.raw(rendered), "may not change once set"));
                }
            }
        } else if (oldIps.size() > ips.size()) {
            if (ips.isEmpty()) {
                errs.add(invalid("spec.clusterIPs[0]", GoValues.raw(rendered), "primary clusterIP can not be unset"));
            }
            if (!oldIps.isEmpty() && !ips.isEmpty() && !ips.get(0).equals(oldIps.get(0))) {
                errs.add(invalid("spec.clusterIPs[0]", GoValues.raw(rendered), "may not change once set"));
            }
            if (ips.size() == 1 && !"SingleStack".equals(spec.getIpFamilyPolicy())) {
                errs.add(invalid("spec.clusterIPs[0]", GoValues.raw(rendered), "`ipFamilyPolicy` must be set to 'SingleStack' when releasing the secondary clusterIP"));
            }
        } else if (!oldIps.isEmpty() && !ips.get(0).equals(oldIps.get(0))) {
            errs.add(invalid("spec.clusterIPs[0]", GoValues.raw(rendered), "may not change once set"));
        }
        return errs;
    }

    private static List<FieldError> validateUpgradeDowngradeIpFamilies(ServiceSpec old, ServiceSpec spec) {
        List<FieldError> errs = new ArrayList<>();
        if ("ExternalName".equals(spec.getType()) || "ExternalName".equals(old.getType())) {
            return errs;
        }
        if (isHeadless(old) && isHeadless(spec)) {
            return errs;
        }
        List<String> oldFamilies = old.getIpFamilies();
        List<String> families = spec.getIpFamilies();
        String rendered = families.isEmpty() ? "[]core.IPFamily(nil)"
                : "[]core.IPFamily{" + String.join(", ", families.stream().map(GoValues::quote).toList()) + "}";
        if (oldFamilies.size() == families.size()) {
            for (int i = 0; i < oldFamilies.size(); i++) {
                if (!oldFamilies.get(i).equals(families.get(i))) {
                    errs.add(invalid(index("spec.ipFamilies", i), GoValues.raw(rendered), "may not change once set"));
                }
            }
        } else if (oldFamilies.size() > families.size()) {
            if (!oldFamilies.isEmpty() && !families.isEmpty() && !families.get(0).equals(oldFamilies.get(0))) {
                errs.add(invalid("spec.ipFamilies[0]", GoValues.raw(rendered), "may not change once set"));
            }
            if (families.size() == 1 && !"SingleStack".equals(spec.getIpFamilyPolicy())) {
                errs.add(invalid("spec.ipFamilies", GoValues.raw(rendered), "`ipFamilyPolicy` must be set to 'SingleStack' when releasing the secondary ipFamily"));
            }
        } else if (!oldFamilies.isEmpty() && !families.get(0).equals(oldFamilies.get(0))) {
            errs.add(invalid("spec.ipFamilies", GoValues.raw(rendered), "may not change once set"));
        }
        return errs;
    }

    /** {@code ValidateServiceStatusUpdate}: load balancer ingress only for LoadBalancer services, with valid IPs and hostnames. */
    @Override
    public List<FieldError> validateStatusUpdate(Service svc, Service old) {
        List<FieldError> errs = new ArrayList<>();
        LoadBalancerStatus lb = svc.getStatus() == null || svc.getStatus().getLoadBalancer() == null ? new LoadBalancerStatus() : svc.getStatus().getLoadBalancer();
        String path = "status.loadBalancer.ingress";
        if (!"LoadBalancer".equals(spec(svc).getType()) && !lb.getIngress().isEmpty()) {
            errs.add(forbidden(path, "may only be used when `spec.type` is 'LoadBalancer'"));
            return errs;
        }
        for (int i = 0; i < lb.getIngress().size(); i++) {
            LoadBalancerIngress ing = lb.getIngress().get(i);
            String p = index(path, i);
            if (ing.getIp() != null && !ing.getIp().isEmpty()) {
                errs.addAll(Validation.validateIp(child(p, "ip"), ing.getIp()));
            }
            if (ing.getIpMode() == null && ing.getIp() != null && !ing.getIp().isEmpty()) {
                errs.add(required(child(p, "ipMode"), "must be specified when `ip` is set"));
            } else if (ing.getIpMode() != null && (ing.getIp() == null || ing.getIp().isEmpty())) {
                errs.add(forbidden(child(p, "ipMode"), "may not be specified when `ip` is not set"));
            } else if (ing.getIpMode() != null && !List.of("Proxy", "VIP").contains(ing.getIpMode())) {
                errs.add(notSupported(child(p, "ipMode"), ing.getIpMode(), List.of("Proxy", "VIP")));
            }
            if (ing.getHostname() != null && !ing.getHostname().isEmpty()) {
                errs.addAll(Validation.validateDns1123Subdomain(ing.getHostname(), child(p, "hostname")));
                if (Validation.isIp(ing.getHostname())) {
                    errs.add(invalid(child(p, "hostname"), ing.getHostname(), "must be a DNS name, not an IP address"));
                }
            }
        }
        return errs;
    }

    // ---------------------------------------------------------------- table

    @Override
    public List<TableColumnDefinition> columns() {
        return List.of(
                Tables.nameColumn(),
                Tables.column("Type", "string", "type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer. \"ClusterIP\" allocates a cluster-internal IP address for load-balancing to endpoints. Endpoints are determined by the selector or if that is not specified, by manual construction of an Endpoints object or EndpointSlice objects. If clusterIP is \"None\", no virtual IP is allocated and the endpoints are published as a set of endpoints rather than a virtual IP. \"NodePort\" builds on ClusterIP and allocates a port on every node which routes to the same endpoints as the clusterIP. \"LoadBalancer\" builds on NodePort and creates an external load-balancer (if supported in the current cloud) which routes to the same endpoints as the clusterIP. \"ExternalName\" aliases this service to the specified externalName. Several other fields do not apply to ExternalName services. More info: https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types"),
                Tables.column("Cluster-IP", "string", "clusterIP is the IP address of the service and is usually assigned randomly. If an address is specified manually, is in-range (as per system configuration), and is not in use, it will be allocated to the service; otherwise creation of the service will fail. This field may not be changed through updates unless the type field is also being changed to ExternalName (which requires this field to be blank) or the type field is being changed from ExternalName (in which case this field may optionally be specified, as describe above).  Valid values are \"None\", empty string (\"\"), or a valid IP address. Setting this to \"None\" makes a \"headless service\" (no virtual IP), which is useful when direct endpoint connections are preferred and proxying is not required.  Only applies to types ClusterIP, NodePort, and LoadBalancer. If this field is specified when creating a Service of type ExternalName, creation will fail. This field will be wiped when updating a Service to type ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies"),
                Tables.column("External-IP", "string", "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.  These IPs are not managed by Kubernetes.  The user is responsible for ensuring that traffic arrives at a node with this IP.  A common example is external load-balancers that are not part of the Kubernetes system."),
                Tables.column("Port(s)", "string", "The list of ports that are exposed by this service. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies"),
                Tables.ageColumn(),
                Tables.wide("Selector", "string", "Route service traffic to pods with label keys and values matching this selector. If empty or not present, the service is assumed to have an external process managing its endpoints, which Kubernetes will not modify. Only applies to types ClusterIP, NodePort, and LoadBalancer. Ignored if type is ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/"));
    }

    /** {@code printService}: cluster IP, external IP per type, ports as {@code 80/TCP} or {@code 80:30080/TCP}. */
    @Override
    public List<Object> cells(Service svc) {
        ServiceSpec spec = spec(svc);
        String clusterIp = !spec.getClusterIPs().isEmpty() ? spec.getClusterIPs().get(0)
                : spec.getClusterIP() == null || spec.getClusterIP().isEmpty() ? "<none>" : spec.getClusterIP();
        List<String> pieces = new ArrayList<>();
        for (ServicePort p : spec.getPorts()) {
            int nodePort = nz(p.getNodePort());
            pieces.add(nodePort > 0 ? nz(p.getPort()) + ":" + nodePort + "/" + nz(p.getProtocol()) : nz(p.getPort()) + "/" + nz(p.getProtocol()));
        }
        String ports = pieces.isEmpty() ? "<none>" : String.join(",", pieces);
        List<Object> cells = new ArrayList<>();
        cells.add(name(svc));
        cells.add(nz(spec.getType()));
        cells.add(clusterIp);
        cells.add(externalIp(svc));
        cells.add(ports);
        cells.add(age(svc));
        cells.add(LabelSelectors.formatLabels(spec.getSelector()));
        return cells;
    }

    private static String externalIp(Service svc) {
        ServiceSpec spec = svc.getSpec();
        switch (nz(spec.getType())) {
            case "ClusterIP", "NodePort" -> {
                return spec.getExternalIPs().isEmpty() ? "<none>" : String.join(",", spec.getExternalIPs());
            }
            case "LoadBalancer" -> {
                Set<String> lb = new TreeSet<>();
                if (svc.getStatus() != null && svc.getStatus().getLoadBalancer() != null) {
                    for (LoadBalancerIngress ing : svc.getStatus().getLoadBalancer().getIngress()) {
                        if (ing.getIp() != null && !ing.getIp().isEmpty()) {
                            lb.add(ing.getIp());
                        } else if (ing.getHostname() != null && !ing.getHostname().isEmpty()) {
                            lb.add(ing.getHostname());
                        }
                    }
                }
                if (!spec.getExternalIPs().isEmpty()) {
                    List<String> all = new ArrayList<>(lb);
                    all.addAll(spec.getExternalIPs());
                    return String.join(",", all);
                }
                return lb.isEmpty() ? "<pending>" : String.join(",", lb);
            }
            case "ExternalName" -> {
                return nz(spec.getExternalName());
            }
            default -> {
                return "<unknown>";
            }
        }
    }
}
