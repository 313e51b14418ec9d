package dev.coracle.server.registry.discovery;

import dev.coracle.server.api.ApiException.FieldError;
import dev.coracle.server.registry.BaseStrategy;
import dev.coracle.server.registry.NameRule;
import dev.coracle.server.registry.ResourceType;
import dev.coracle.server.registry.Semantic;
import dev.coracle.server.registry.Tables;
import dev.coracle.server.registry.Validation;
import dev.coracle.server.registry.core.EndpointsStrategy;
import io.fabric8.kubernetes.api.model.TableColumnDefinition;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointHints;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.ForZone;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.coracle.server.registry.Validation.child;
import static dev.coracle.server.registry.Validation.duplicate;
import static dev.coracle.server.registry.Validation.index;
import static dev.coracle.server.registry.Validation.invalid;
import static dev.coracle.server.registry.Validation.notSupported;
import static dev.coracle.server.registry.Validation.required;
import static dev.coracle.server.registry.Validation.tooMany;

/**
 * discovery.k8s.io/v1 endpoint slices, as Kubernetes 1.32's {@code pkg/registry/discovery/endpointslice/strategy.go},
 * {@code pkg/apis/discovery/validation} and the {@code printEndpointSlice} printer.
 */
@Component
public class EndpointSliceStrategy extends BaseStrategy<EndpointSlice> {

    static final ResourceType TYPE = new ResourceType("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices",
            "endpointslice", true, List.of(), List.of(), List.of(), EndpointSlice.class);

    public static final String IPV4 = "IPv4";
    public static final String IPV6 = "IPv6";
    public static final String FQDN = "FQDN";
    /** Sorted, as Kubernetes lists a set's values in its Unsupported-value errors. */
    private static final List<String> ADDRESS_TYPES = List.of(FQDN, IPV4, IPV6);
    private static final int MAX_TOPOLOGY_LABELS = 16;
    private static final int MAX_ADDRESSES = 100;
    private static final int MAX_PORTS = 20000;
    private static final int MAX_ENDPOINTS = 1000;
    private static final int MAX_ZONE_HINTS = 8;

    public EndpointSliceStrategy() {
    }

    public EndpointSliceStrategy(Clock clock) {
        super(clock);
    }

    @Override
    public ResourceType type() {
        return TYPE;
    }

    /** Generation starts at 1 and moves with anything but metadata, and with the labels too. */
    @Override
    public boolean tracksGeneration() {
        return true;
    }

    /** {@code SetDefaults_EndpointPort}: an unnamed port is named "", protocol TCP. */
    @Override
    public void applyDefaults(EndpointSlice slice) {
        for (EndpointPort port : nonNull(slice.getPorts())) {
            if (port == null) {
                continue;
            }
            if (port.getName() == null) {
                port.setName("");
            }
            if (port.getProtocol() == null) {
                port.setProtocol("TCP");
            }
        }
    }

    /** {@code dropTopologyOnV1}: deprecatedTopology is cleared on a v1 write; forNodes is dropped, its feature gate off in 1.32. */
    @Override
    public void prepareForCreate(EndpointSlice slice) {
        dropTopology(slice);
        dropForNodes(slice);
    }

    /** A label change bumps the generation as a change of the endpoints does (which the API layer sees itself). */
    @Override
    public void prepareForUpdate(EndpointSlice slice, EndpointSlice old) {
        if (slice.getMetadata() != null && old.getMetadata() != null
                && !Semantic.equal(slice.getMetadata().getLabels(), old.getMetadata().getLabels())) {
            long generation = old.getMetadata().getGeneration() == null ? 0 : old.getMetadata().getGeneration();
            slice.getMetadata().setGeneration(generation + 1);
        }
        if (!Semantic.equal(slice.getEndpoints(), old.getEndpoints())) {
            dropTopology(slice); // kept while the endpoints are left as they were
        }
        dropForNodes(slice);
    }

    private static void dropTopology(EndpointSlice slice) {
        for (Endpoint endpoint : nonNull(slice.getEndpoints())) {
            if (endpoint != null) {
                endpoint.setDeprecatedTopology(null);
            }
        }
    }

    private static void dropForNodes(EndpointSlice slice) {
        for (Endpoint endpoint : nonNull(slice.getEndpoints())) {
            if (endpoint != null && endpoint.getHints() != null) {
                endpoint.getHints().setForNodes(null);
            }
        }
    }

    /** {@code ValidateEndpointSliceCreate}. */
    @Override
    public List<FieldError> validate(EndpointSlice slice) {
        List<FieldError> errs = new ArrayList<>();
        String addressType = slice.getAddressType();
        if (addressType == null || addressType.isEmpty()) {
            errs.add(required("addressType"));
        } else if (!ADDRESS_TYPES.contains(addressType)) {
            errs.add(notSupported("addressType", addressType, ADDRESS_TYPES));
        }
        errs.addAll(validateEndpoints(nonNull(slice.getEndpoints()), nz(addressType)));
        errs.addAll(validatePorts(nonNull(slice.getPorts())));
        return errs;
    }

    /** {@code ValidateEndpointSliceUpdate}: addressType is immutable. */
    @Override
    public List<FieldError> validateUpdate(EndpointSlice slice, EndpointSlice old) {
        List<FieldError> errs = validate(slice);
        errs.addAll(Validation.validateImmutable(slice.getAddressType(), old.getAddressType(), "addressType"));
        return errs;
    }

    private static List<FieldError> validateEndpoints(List<Endpoint> endpoints, String addressType) {
        List<FieldError> errs = new ArrayList<>();
        if (endpoints.size() > MAX_ENDPOINTS) {
            errs.add(tooMany("endpoints", endpoints.size(), MAX_ENDPOINTS));
            return errs;
        }
        for (int i = 0; i < endpoints.size(); i++) {
            Endpoint endpoint = endpoints.get(i) == null ? new Endpoint() : endpoints.get(i);
            String path = index("endpoints", i);
            String addressesPath = child(path, "addresses");
            List<String> addresses = nonNull(endpoint.getAddresses());
            if (addresses.isEmpty()) {
                errs.add(required(addressesPath, "must contain at least 1 address"));
            } else if (addresses.size() > MAX_ADDRESSES) {
                errs.add(tooMany(addressesPath, addresses.size(), MAX_ADDRESSES));
            }
            for (int a = 0; a < addresses.size(); a++) {
                errs.addAll(validateAddress(nz(addresses.get(a)), addressType, index(addressesPath, a)));
            }
            if (endpoint.getNodeName() != null) {
                for (String m : NameRule.DNS1123_SUBDOMAIN.validate(endpoint.getNodeName(), false)) {
                    errs.add(invalid(child(path, "nodeName"), endpoint.getNodeName(), m));
                }
            }
            Map<String, String> topology = endpoint.getDeprecatedTopology();
            if (topology != null && topology.size() > MAX_TOPOLOGY_LABELS) {
                errs.add(tooMany(child(path, "deprecatedTopology"), topology.size(), MAX_TOPOLOGY_LABELS));
            }
            errs.addAll(Validation.validateLabels(topology, child(path, "deprecatedTopology")));
            if (endpoint.getHostname() != null) {
                errs.addAll(Validation.validateDns1123Label(endpoint.getHostname(), child(path, "hostname")));
            }
            if (endpoint.getHints() != null) {
                errs.addAll(validateHints(endpoint.getHints(), child(path, "hints")));
            }
        }
        return errs;
    }

    /** Addresses of a known type are checked against it; an unknown type is reported once, on addressType. */
    private static List<FieldError> validateAddress(String address, String addressType, String path) {
        switch (addressType) {
            case IPV4, IPV6 -> {
                boolean v6 = addressType.equals(IPV6);
                if (!Validation.isIp(address) || address.contains(":") != v6) {
                    return List.of(invalid(path, address, "must be a valid " + addressType + " address"));
                }
                return Validation.validateNonSpecialIp(address, path);
            }
            case FQDN -> {
                return validateFqdn(address, path);
            }
            default -> {
                return List.of();
            }
        }
    }

    /** apimachinery's {@code IsFullyQualifiedDomainName}. */
    private static List<FieldError> validateFqdn(String name, String path) {
        if (name.isEmpty()) {
            return List.of(required(path));
        }
        String trimmed = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        List<String> errs = Validation.isDns1123Subdomain(trimmed);
        if (!errs.isEmpty()) {
            return List.of(invalid(path, trimmed, String.join(",", errs)));
        }
        String[] labels = trimmed.split("\\.", -1);
        if (labels.length < 2) {
            return List.of(invalid(path, trimmed, "should be a domain with at least two segments separated by dots"));
        }
        for (String label : labels) {
            List<String> labelErrs = Validation.isDns1123Label(label);
            if (!labelErrs.isEmpty()) {
                return List.of(invalid(path, label, String.join(",", labelErrs)));
            }
        }
        return List.of();
    }

    private static List<FieldError> validateHints(EndpointHints hints, String path) {
        List<FieldError> errs = new ArrayList<>();
        String zonesPath = child(path, "forZones");
        List<ForZone> zones = nonNull(hints.getForZones());
        if (zones.size() > MAX_ZONE_HINTS) {
            errs.add(tooMany(zonesPath, zones.size(), MAX_ZONE_HINTS));
            return errs;
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < zones.size(); i++) {
            String zone = nz(zones.get(i).getName());
            String zonePath = child(index(zonesPath, i), "name");
            if (!seen.add(zone)) {
                errs.add(duplicate(zonePath, zone));
            }
            for (String m : Validation.isValidLabelValue(zone)) {
                errs.add(invalid(zonePath, zone, m));
            }
        }
        return errs;
    }

    private static List<FieldError> validatePorts(List<EndpointPort> ports) {
        List<FieldError> errs = new ArrayList<>();
        if (ports.size() > MAX_PORTS) {
            errs.add(tooMany("ports", ports.size(), MAX_PORTS));
            return errs;
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < ports.size(); i++) {
            EndpointPort port = ports.get(i) == null ? new EndpointPort() : ports.get(i);
            String path = index("ports", i);
            String name = nz(port.getName());
            if (!name.isEmpty()) {
                errs.addAll(Validation.validateDns1123Label(name, child(path, "name")));
            }
            if (!names.add(name)) {
                errs.add(duplicate(child(path, "name"), name));
            }
            errs.addAll(EndpointsStrategy.validateProtocols(port.getProtocol(), port.getAppProtocol(), path));
        }
        return errs;
    }

    @Override
    public List<TableColumnDefinition> columns() {
        return List.of(
                Tables.nameColumn(),
                Tables.column("AddressType", "string", "addressType specifies the type of address carried by this EndpointSlice. All addresses in this slice must be the same type. This field is immutable after creation. The following address types are currently supported: * IPv4: Represents an IPv4 Address. * IPv6: Represents an IPv6 Address. * FQDN: Represents a Fully Qualified Domain Name. (Deprecated) The EndpointSlice controller only generates, and kube-proxy only processes, slices of addressType \"IPv4\" and \"IPv6\". No semantics are defined for the \"FQDN\" type."),
                Tables.column("Ports", "string", "ports specifies the list of network ports exposed by each endpoint in this slice. Each port must have a unique name. Each slice may include a maximum of 100 ports. Services always have at least 1 port, so EndpointSlices generated by the EndpointSlice controller will likewise always have at least 1 port. EndpointSlices used for other purposes may have an empty ports list."),
                Tables.column("Endpoints", "string", "endpoints is a list of unique endpoints in this slice. Each slice may include a maximum of 1000 endpoints."),
                Tables.ageColumn());
    }

    @Override
    public List<Object> cells(EndpointSlice slice) {
        return List.of(name(slice), nz(slice.getAddressType()), formatPorts(nonNull(slice.getPorts())),
                formatEndpoints(nonNull(slice.getEndpoints())), age(slice));
    }

    /** {@code formatDiscoveryPorts}: the first three port numbers (a nil port shows its name, or {@code *}). */
    static String formatPorts(List<EndpointPort> ports) {
        List<String> list = new ArrayList<>();
        for (EndpointPort port : ports) {
            if (port != null && list.size() < 3) {
                list.add(port.getPort() != null ? String.valueOf(port.getPort()) : port.getName() != null ? port.getName() : "*");
            }
        }
        return listWithMore(list, ports.size());
    }

    /** {@code formatDiscoveryEndpoints}: the first three addresses of all endpoints, ready or not. */
    static String formatEndpoints(List<Endpoint> endpoints) {
        List<String> list = new ArrayList<>();
        int count = 0;
        for (Endpoint endpoint : endpoints) {
            for (String address : endpoint == null ? List.<String>of() : nonNull(endpoint.getAddresses())) {
                if (list.size() < 3) {
                    list.add(address);
                }
                count++;
            }
        }
        return listWithMore(list, count);
    }

    /** {@code listWithMoreString}: {@code a,b,c + N more...}, or {@code <unset>} for none. */
    private static String listWithMore(List<String> list, int count) {
        String joined = String.join(",", list);
        if (count > list.size()) {
            return joined + " + " + (count - list.size()) + " more...";
        }
        return joined.isEmpty() ? "<unset>" : joined;
    }

    private static <T> List<T> nonNull(List<T> list) {
        return list == null ? List.of() : list;
    }
}
