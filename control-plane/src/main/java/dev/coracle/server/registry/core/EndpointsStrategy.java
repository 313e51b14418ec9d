package dev.coracle.server.registry.core;

import dev.coracle.server.api.ApiException.FieldError;
import dev.coracle.server.registry.BaseStrategy;
import dev.coracle.server.registry.NameRule;
import dev.coracle.server.registry.ResourceType;
import dev.coracle.server.registry.Tables;
import dev.coracle.server.registry.Validation;
import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointPort;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.TableColumnDefinition;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import static dev.coracle.server.registry.Validation.child;
import static dev.coracle.server.registry.Validation.index;
import static dev.coracle.server.registry.Validation.invalid;
import static dev.coracle.server.registry.Validation.notSupported;
import static dev.coracle.server.registry.Validation.required;

/** core/v1 endpoints, as {@code pkg/registry/core/endpoint/strategy.go}, and the endpoints printer. */
@Component
public class EndpointsStrategy extends BaseStrategy<Endpoints> {

    static final ResourceType TYPE = new ResourceType("", "v1", "Endpoints", "endpoints", "endpoints", true,
            List.of("ep"), List.of(), List.of(), Endpoints.class);

    public EndpointsStrategy() {
    }

    public EndpointsStrategy(Clock clock) {
        super(clock);
    }

    @Override
    public ResourceType type() {
        return TYPE;
    }

    /** {@code SetDefaults_Endpoints}: port protocol TCP. */
    @Override
    public void applyDefaults(Endpoints endpoints) {
        for (EndpointSubset ss : endpoints.getSubsets()) {
            for (EndpointPort p : ss.getPorts()) {
                if (p.getProtocol() == null || p.getProtocol().isEmpty()) {
                    p.setProtocol("TCP");
                }
            }
        }
    }

    @Override
    public List<FieldError> validate(Endpoints endpoints) {
        List<FieldError> errs = new ArrayList<>();
        List<EndpointSubset> subsets = endpoints.getSubsets();
        for (int i = 0; i < subsets.size(); i++) {
            EndpointSubset ss = subsets.get(i);
            String p = index("subsets", i);
            if (ss.getAddresses().isEmpty() && ss.getNotReadyAddresses().isEmpty()) {
                errs.add(required(p, "must specify `addresses` or `notReadyAddresses`"));
            }
            for (int a = 0; a < ss.getAddresses().size(); a++) {
                errs.addAll(validateAddress(ss.getAddresses().get(a), index(child(p, "addresses"), a)));
            }
            for (int a = 0; a < ss.getNotReadyAddresses().size(); a++) {
                errs.addAll(validateAddress(ss.getNotReadyAddresses().get(a), index(child(p, "notReadyAddresses"), a)));
            }
            for (int k = 0; k < ss.getPorts().size(); k++) {
                errs.addAll(validatePort(ss.getPorts().get(k), ss.getPorts().size() > 1, index(child(p, "ports"), k)));
            }
        }
        return errs;
    }

    private static List<FieldError> validateAddress(EndpointAddress address, String path) {
        List<FieldError> errs = new ArrayList<>();
        String ip = nz(address.getIp());
        List<FieldError> ipErrs = Validation.validateIp(child(path, "ip"), ip);
        errs.addAll(ipErrs);
        if (address.getHostname() != null && !address.getHostname().isEmpty()) {
            errs.addAll(Validation.validateDns1123Label(address.getHostname(), child(path, "hostname")));
        }
        if (address.getNodeName() != null) {
            for (String m : NameRule.DNS1123_SUBDOMAIN.validate(address.getNodeName(), false)) {
                errs.add(invalid(child(path, "nodeName"), address.getNodeName(), m));
            }
        }
        if (!ipErrs.isEmpty()) {
            errs.add(invalid(child(path, "ip"), ip, "must be a valid IP address"));
        } else {
            errs.addAll(Validation.validateNonSpecialIp(ip, child(path, "ip")));
        }
        return errs;
    }

    private static List<FieldError> validatePort(EndpointPort port, boolean requireName, String path) {
        List<FieldError> errs = new ArrayList<>();
        String name = nz(port.getName());
        if (requireName && name.isEmpty()) {
            errs.add(required(child(path, "name")));
        } else if (!name.isEmpty()) {
            errs.addAll(Validation.validateDns1123Label(name, child(path, "name")));
        }
        int p = nz(port.getPort());
        for (String m : Validation.isValidPortNum(p)) {
            errs.add(invalid(child(path, "port"), p, m));
        }
        errs.addAll(validateProtocols(nz(port.getProtocol()).isEmpty() ? null : port.getProtocol(), port.getAppProtocol(), path));
        return errs;
    }

    /** An endpoint port's protocol (required, TCP, UDP or SCTP) and appProtocol (a qualified name), in Endpoints and EndpointSlices. */
    public static List<FieldError> validateProtocols(String protocol, String appProtocol, String path) {
        List<FieldError> errs = new ArrayList<>();
        if (protocol == null) {
            errs.add(required(child(path, "protocol")));
        } else if (!PodSpecValidation.PROTOCOLS.contains(protocol)) {
            errs.add(notSupported(child(path, "protocol"), protocol, PodSpecValidation.PROTOCOLS));
        }
        if (appProtocol != null) {
            errs.addAll(Validation.validateQualifiedName(appProtocol, child(path, "appProtocol")));
        }
        return errs;
    }

    @Override
    public List<TableColumnDefinition> columns() {
        return List.of(
                Tables.nameColumn(),
                Tables.column("Endpoints", "string", "The set of all endpoints is the union of all subsets. Addresses are placed into subsets according to the IPs they share. A single address with multiple ports, some of which are ready and some of which are not (because they come from different containers) will result in the address being displayed in different subsets for the different ports. No address will appear in both Addresses and NotReadyAddresses in the same subset. Sets of addresses and ports that comprise a service."),
                Tables.ageColumn());
    }

    @Override
    public List<Object> cells(Endpoints endpoints) {
        return List.of(name(endpoints), formatEndpoints(endpoints), age(endpoints));
    }

    /** {@code formatEndpoints}: up to three {@code ip:port}, then {@code + N more...}; {@code <none>} without subsets. */
    static String formatEndpoints(Endpoints endpoints) {
        if (endpoints.getSubsets().isEmpty()) {
            return "<none>";
        }
        List<String> list = new ArrayList<>();
        int max = 3;
        boolean more = false;
        int count = 0;
        for (EndpointSubset ss : endpoints.getSubsets()) {
            if (ss.getPorts().isEmpty()) {
                count += ss.getAddresses().size();
                for (EndpointAddress a : ss.getAddresses()) {
                    if (list.size() == max) {
                        more = true;
                        break;
                    }
                    list.add(nz(a.getIp()));
                }
                continue;
            }
            for (EndpointPort port : ss.getPorts()) {
                count += ss.getAddresses().size();
                for (EndpointAddress a : ss.getAddresses()) {
                    if (list.size() == max) {
                        more = true;
                        break;
                    }
                    String ip = nz(a.getIp());
                    String host = ip.contains(":") ? "[" + ip + "]" : ip;
                    list.add(host + ":" + nz(port.getPort()));
                }
            }
        }
        String ret = String.join(",", list);
        return more ? ret + " + " + (count - max) + " more..." : ret;
    }
}
