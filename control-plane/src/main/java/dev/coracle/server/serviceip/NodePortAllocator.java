package dev.coracle.server.serviceip;

import dev.coracle.server.api.AdmissionHook;
import dev.coracle.server.api.ApiException;
import dev.coracle.server.api.ApiException.FieldError;
import dev.coracle.server.api.Json;
import dev.coracle.server.registry.ResourceType;
import dev.coracle.server.store.ObjectStore;
import dev.coracle.server.store.StoredObject;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Gives NodePort and LoadBalancer Services a port from 30000-32767 for each service port that has
 * none, as kube-apiserver's --service-node-port-range allocator; a requested port must be in range
 * and free.
 */
@Component
public class NodePortAllocator implements AdmissionHook {

    static final int FIRST = 30000;
    static final int LAST = 32767;

    private final ObjectStore store;
    private final SecureRandom random = new SecureRandom();

    public NodePortAllocator(ObjectStore store) {
        this.store = store;
    }

    @Override
    public boolean appliesTo(ResourceType type) {
        return type.group().isEmpty() && type.plural().equals("services");
    }

    @Override
    public synchronized List<String> beforeCreate(HasMetadata object, String user, boolean dryRun) {
        return allocate((Service) object, null);
    }

    @Override
    public synchronized void beforeUpdate(HasMetadata object, HasMetadata old) {
        allocate((Service) object, (Service) old);
    }

    /** @return the pointers of the node ports picked here (not requested) */
    private List<String> allocate(Service service, Service old) {
        String type = service.getSpec().getType();
        if (!"NodePort".equals(type) && !"LoadBalancer".equals(type)) {
            return List.of();
        }
        List<String> assigned = new ArrayList<>();
        Set<Integer> own = new HashSet<>();
        if (old != null && old.getSpec().getPorts() != null) {
            old.getSpec().getPorts().stream().map(ServicePort::getNodePort).filter(p -> p != null && p > 0).forEach(own::add);
        }
        Set<Integer> used = allocated(service);
        List<ServicePort> ports = service.getSpec().getPorts();
        for (int i = 0; i < ports.size(); i++) {
            ServicePort port = ports.get(i);
            Integer requested = port.getNodePort();
            if (requested != null && requested > 0) {
                if (requested < FIRST || requested > LAST) {
                    throw invalid(service, i, requested, "provided port is not in the valid range. The range of valid ports is "
                            + FIRST + "-" + LAST);
                }
                if (used.contains(requested) && !own.contains(requested)) {
                    throw invalid(service, i, requested, "provided port is already allocated");
                }
            } else {
                int pick = pick(used);
                port.setNodePort(pick);
                requested = pick;
                assigned.add("/spec/ports/" + i + "/nodePort");
            }
            used.add(requested);
        }
        return assigned;
    }

    private int pick(Set<Integer> used) {
        if (used.size() >= LAST - FIRST + 1) {
            throw ApiException.internal("failed to allocate a nodePort: range is full");
        }
        while (true) {
            int candidate = FIRST + random.nextInt(LAST - FIRST + 1);
            if (!used.contains(candidate)) {
                return candidate;
            }
        }
    }

    /** Node ports held by every other Service. */
    private Set<Integer> allocated(Service self) {
        Set<Integer> used = new HashSet<>();
        for (StoredObject o : store.list("services", null, null, null, x -> true, 0).items()) {
            if (o.key().namespace().equals(self.getMetadata().getNamespace()) && o.key().name().equals(self.getMetadata().getName())) {
                continue;
            }
            for (JsonNode port : Json.parseStored(o.body()).path("spec").path("ports")) {
                int p = port.path("nodePort").asInt(0);
                if (p > 0) {
                    used.add(p);
                }
            }
        }
        return used;
    }

    private static ApiException invalid(Service service, int index, int port, String why) {
        return ApiException.invalid("Service", service.getMetadata().getName(),
                List.of(FieldError.invalid("spec.ports[" + index + "].nodePort", port, why)));
    }
}
