package dev.coracle.server.serviceip;

import dev.coracle.server.api.AdmissionHook;
import dev.coracle.server.api.ApiException;
import dev.coracle.server.api.ApiException.FieldError;
import dev.coracle.server.api.Json;
import dev.coracle.server.bootstrap.ServerProperties;
import dev.coracle.server.bootstrap.ServiceNetwork.Cidr;
import dev.coracle.server.registry.ResourceType;
import dev.coracle.server.store.ObjectStore;
import dev.coracle.server.store.StoredObject;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Gives each Service a ClusterIP from {@code --service-cidr}, as kube-apiserver's allocator: a
 * requested IP must be in range and free; otherwise a random free one (the first address is the
 * {@code kubernetes} Service's). Headless ({@code None}) and ExternalName Services get none.
 */
@Component
public class ClusterIpAllocator implements AdmissionHook {

    private final ObjectStore store;
    private final Cidr range;
    private final SecureRandom random = new SecureRandom();

    public ClusterIpAllocator(ObjectStore store, ServerProperties properties) {
        this.store = store;
        this.range = Cidr.parse(properties.serviceCidr());
    }

    @Override
    public boolean appliesTo(ResourceType type) {
        return type.group().isEmpty() && type.plural().equals("services");
    }

    @Override
    public synchronized List<String> beforeCreate(HasMetadata object, String user, boolean dryRun) {
        Service service = (Service) object;
        if ("ExternalName".equals(service.getSpec().getType())) {
            return List.of();
        }
        List<String> assigned = new ArrayList<>(2);
        if (service.getSpec().getClusterIPs() == null || service.getSpec().getClusterIPs().isEmpty()) {
            assigned.add("/spec/clusterIPs");
        }
        String requested = service.getSpec().getClusterIP();
        if ("None".equals(requested)) {
            service.getSpec().setClusterIPs(List.of("None"));
            return assigned;
        }
        Set<Long> used = allocated();
        long ip;
        if (requested != null && !requested.isEmpty()) {
            try {
                ip = Cidr.toLong(requested);
            } catch (IllegalArgumentException e) {
                throw invalid(service, requested, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)");
            }
            if (!range.contains(ip) || ip == range.base() || ip == range.base() + range.size() - 1) {
                throw invalid(service, requested, "provided IP is not in the valid range. The range of valid IPs is " + format());
            }
            if (used.contains(ip)) {
                throw invalid(service, requested, "provided IP is already allocated");
            }
        } else {
            ip = pick(used, service);
            assigned.add("/spec/clusterIP");
        }
        String address = Cidr.format(ip);
        service.getSpec().setClusterIP(address);
        service.getSpec().setClusterIPs(List.of(address));
        return assigned;
    }

    private long pick(Set<Long> used, Service service) {
        long first = range.base() + 2;
        long count = range.size() - 3;
        if (used.size() >= count) {
            throw ApiException.internal("failed to allocate a serviceIP: range is full");
        }
        while (true) {
            long candidate = first + (long) (random.nextDouble() * count);
            if (!used.contains(candidate)) {
                return candidate;
            }
        }
    }

    private Set<Long> allocated() {
        Set<Long> used = new HashSet<>();
        for (StoredObject o : store.list("services", null, null, null, x -> true, 0).items()) {
            JsonNode ip = Json.parseStored(o.body()).path("spec").path("clusterIP");
            if (ip.isString() && !ip.asString().isEmpty() && !ip.asString().equals("None")) {
                try {
                    used.add(Cidr.toLong(ip.asString()));
                } catch (IllegalArgumentException ignored) {
                    // not ours to police here
                }
            }
        }
        return used;
    }

    private String format() {
        return Cidr.format(range.base()) + "/" + range.prefix();
    }

    private static ApiException invalid(Service service, String ip, String why) {
        return ApiException.invalid("Service", service.getMetadata().getName(),
                List.of(FieldError.invalid("spec.clusterIPs[0]", ip, why)));
    }
}
