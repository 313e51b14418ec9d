package dev.coracle.server.registry.core;

import dev.coracle.server.api.ApiException.FieldError;
import dev.coracle.server.registry.BaseStrategy;
import dev.coracle.server.registry.GoValues;
import dev.coracle.server.registry.ResourceType;
import dev.coracle.server.registry.Semantic;
import dev.coracle.server.registry.Tables;
import dev.coracle.server.registry.Validation;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeSpec;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.NodeSystemInfo;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.TableColumnDefinition;
import io.fabric8.kubernetes.api.model.Taint;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static dev.coracle.server.registry.Validation.forbidden;
import static dev.coracle.server.registry.Validation.index;
import static dev.coracle.server.registry.Validation.invalid;
import static dev.coracle.server.registry.Validation.notSupported;
import static dev.coracle.server.registry.Validation.required;

/** core/v1 nodes, as {@code pkg/registry/core/node/strategy.go}, and the node printer. */
@Component
public class NodeStrategy extends BaseStrategy<Node> {

    static final ResourceType TYPE = new ResourceType("", "v1", "Node", "nodes", "node", false,
            List.of("no"), List.of(), List.of("status"), Node.class);

    private static final List<String> TAINT_EFFECTS = List.of("NoSchedule", "PreferNoSchedule", "NoExecute");
    private static final String ROLE_PREFIX = "node-role.kubernetes.io/";
    private static final String ROLE_LABEL = "kubernetes.io/role";

    public NodeStrategy() {
    }

    public NodeStrategy(Clock clock) {
        super(clock);
    }

    @Override
    public ResourceType type() {
        return TYPE;
    }

    /** {@code SetDefaults_NodeStatus}: allocatable defaults to capacity. */
    @Override
    public void applyDefaults(Node node) {
        NodeStatus status = node.getStatus();
        if (status != null && (status.getAllocatable() == null || status.getAllocatable().isEmpty())
                && status.getCapacity() != null && !status.getCapacity().isEmpty()) {
            Map<String, Quantity> allocatable = new LinkedHashMap<>();
            status.getCapacity().forEach((k, v) -> allocatable.put(k, Semantic.copy(v)));
            status.setAllocatable(allocatable);
        }
    }

    /** Nodes keep the status they are created with (the kubelet registers with it). */
    @Override
    public void prepareForCreate(Node node) {
        if (node.getSpec() == null) {
            node.setSpec(new NodeSpec());
        }
    }

    @Override
    public void prepareForUpdate(Node node, Node old) {
        node.setStatus(Semantic.copy(old.getStatus()));
    }

    @Override
    public void prepareForStatusUpdate(Node node, Node old) {
        node.setSpec(Semantic.copy(old.getSpec()));
    }

    @Override
    public List<FieldError> validate(Node node) {
        List<FieldError> errs = new ArrayList<>();
        NodeSpec spec = node.getSpec() == null ? new NodeSpec() : node.getSpec();
        if (!spec.getTaints().isEmpty()) {
            // Kubernetes reports spec taints under metadata.taints
            errs.addAll(validateTaints(spec.getTaints(), "metadata.taints"));
        }
        errs.addAll(validateResources(node));
        List<String> cidrs = spec.getPodCIDRs();
        for (int i = 0; i < cidrs.size(); i++) {
            errs.addAll(Validation.validateCidr(index("spec.podCIDRs", i), cidrs.get(i)));
        }
        if (cidrs.size() > 1) {
            boolean dualStack = cidrs.size() == 2 && Validation.isCidr(cidrs.get(0)) && Validation.isCidr(cidrs.get(1))
                    && cidrs.get(0).contains(":") != cidrs.get(1).contains(":");
            if (!dualStack) {
                errs.add(invalid("spec.podCIDRs", cidrs, "may specify no more than one CIDR for each IP family"));
            }
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < cidrs.size(); i++) {
                if (!seen.add(cidrs.get(i))) {
                    errs.add(Validation.duplicate(index("spec.podCIDRs", i), cidrs.get(i)));
                }
            }
        }
        return errs;
    }

    private static List<FieldError> validateResources(Node node) {
        List<FieldError> errs = new ArrayList<>();
        NodeStatus status = node.getStatus();
        if (status == null) {
            return errs;
        }
        for (Map.Entry<String, Quantity> e : new TreeMap<>(status.getCapacity()).entrySet()) {
            errs.addAll(PodSpecValidation.validateResourceQuantityValue(e.getKey(), e.getValue(), "status.capacity." + e.getKey()));
        }
        for (Map.Entry<String, Quantity> e : new TreeMap<>(status.getAllocatable()).entrySet()) {
            errs.addAll(PodSpecValidation.validateResourceQuantityValue(e.getKey(), e.getValue(), "status.allocatable." + e.getKey()));
        }
        return errs;
    }

    static List<FieldError> validateTaints(List<Taint> taints, String path) {
        List<FieldError> errs = new ArrayList<>();
        Map<String, Set<String>> unique = new HashMap<>();
        for (int i = 0; i < taints.size(); i++) {
            Taint t = taints.get(i);
            String p = index(path, i);
            String key = nz(t.getKey());
            String value = nz(t.getValue());
            String effect = nz(t.getEffect());
            errs.addAll(Validation.validateLabelName(key, p + ".key"));
            List<String> msgs = Validation.isValidLabelValue(value);
            if (!msgs.isEmpty()) {
                errs.add(invalid(p + ".value", value, String.join(";", msgs)));
            }
            if (effect.isEmpty()) {
                errs.add(required(p + ".effect"));
            } else if (!TAINT_EFFECTS.contains(effect)) {
                errs.add(notSupported(p + ".effect", effect, TAINT_EFFECTS));
            }
            Set<String> keys = unique.computeIfAbsent(effect, e -> new HashSet<>());
            if (!keys.add(key)) {
                errs.add(Validation.duplicate(p, GoValues.raw("core.Taint{Key:" + GoValues.quote(key) + ", Value:" + GoValues.quote(value)
                        + ", Effect:" + GoValues.quote(effect) + ", TimeAdded:(*v1.Time)(nil)}"), "taints must be unique by key and effect pair"));
            }
        }
        return errs;
    }

    /** {@code ValidateNodeUpdate}: podCIDRs and providerID are immutable once set; addresses unique; taints valid. */
    @Override
    public List<FieldError> validateUpdate(Node node, Node old) {
        List<FieldError> errs = new ArrayList<>(validateResources(node));
        NodeSpec spec = node.getSpec() == null ? new NodeSpec() : node.getSpec();
        NodeSpec oldSpec = old.getSpec() == null ? new NodeSpec() : old.getSpec();
        if (node.getStatus() != null) {
            Set<String> addresses = new HashSet<>();
            List<NodeAddress> list = node.getStatus().getAddresses();
            for (int i = 0; i < list.size(); i++) {
                NodeAddress a = list.get(i);
                if (!addresses.add(a.getType() + "/" + a.getAddress())) {
                    errs.add(Validation.duplicate(index("status.addresses", i), GoValues.raw("core.NodeAddress{Type:" + GoValues.quote(nz(a.getType()))
                            + ", Address:" + GoValues.quote(nz(a.getAddress())) + "}")));
                }
            }
        }
        if (!oldSpec.getPodCIDRs().isEmpty() && !oldSpec.getPodCIDRs().equals(spec.getPodCIDRs())) {
            errs.add(forbidden("spec.podCIDRs", "node updates may not change podCIDR except from \"\" to valid"));
        }
        if (oldSpec.getProviderID() != null && !oldSpec.getProviderID().isEmpty() && !oldSpec.getProviderID().equals(spec.getProviderID())) {
            errs.add(forbidden("spec.providerID", "node updates may not change providerID except from \"\" to valid"));
        }
        if (!spec.getTaints().isEmpty()) {
            errs.addAll(validateTaints(spec.getTaints(), "metadata.taints"));
        }
        if (!nz(spec.getExternalID()).equals(nz(oldSpec.getExternalID()))) {
            errs.add(forbidden("spec.externalID", "may not be updated"));
        }
        return errs;
    }

    @Override
    public List<FieldError> validateStatusUpdate(Node node, Node old) {
        return validateUpdate(node, old);
    }

    @Override
    public Map<String, String> selectableFields(Node node) {
        boolean unschedulable = node.getSpec() != null && Boolean.TRUE.equals(node.getSpec().getUnschedulable());
        return Map.of("spec.unschedulable", String.valueOf(unschedulable));
    }

    @Override
    public List<TableColumnDefinition> columns() {
        String addresses = "List of addresses reachable to the node. Queried from cloud provider, if available. More info: https://kubernetes.io/docs/reference/node/node-status/#addresses Note: This field is declared as mergeable, but the merge key is not sufficiently unique, which can cause data corruption when it is merged. Callers should instead use a full-replacement patch. See https://pr.k8s.io/79391 for an example. Consumers should assume that addresses can change during the lifetime of a Node. However, there are some exceptions where this may not be possible, such as Pods that inherit a Node's address in its own status or consumers of the downward API (status.hostIP).";
        return List.of(
                Tables.nameColumn(),
                Tables.column("Status", "string", "The status of the node"),
                Tables.column("Roles", "string", "The roles of the node"),
                Tables.ageColumn(),
                Tables.column("Version", "string", "Kubelet Version reported by the node."),
                Tables.wide("Internal-IP", "string", addresses),
                Tables.wide("External-IP", "string", addresses),
                Tables.wide("OS-Image", "string", "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy))."),
                Tables.wide("Kernel-Version", "string", "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64)."),
                Tables.wide("Container-Runtime", "string", "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2)."));
    }

    /** {@code printNode}: Ready / NotReady / Unknown from the Ready condition, SchedulingDisabled when cordoned, roles from labels. */
    @Override
    public List<Object> cells(Node node) {
        NodeStatus status = node.getStatus() == null ? new NodeStatus() : node.getStatus();
        List<String> states = new ArrayList<>();
        NodeCondition ready = null;
        for (NodeCondition c : status.getConditions()) {
            if ("Ready".equals(c.getType())) {
                ready = c;
            }
        }
        if (ready != null) {
            states.add("True".equals(ready.getStatus()) ? "Ready" : "NotReady");
        }
        if (states.isEmpty()) {
            states.add("Unknown");
        }
        if (node.getSpec() != null && Boolean.TRUE.equals(node.getSpec().getUnschedulable())) {
            states.add("SchedulingDisabled");
        }
        String roles = String.join(",", roles(node));
        if (roles.isEmpty()) {
            roles = "<none>";
        }
        NodeSystemInfo info = status.getNodeInfo() == null ? new NodeSystemInfo() : status.getNodeInfo();
        List<Object> cells = new ArrayList<>();
        cells.add(name(node));
        cells.add(String.join(",", states));
        cells.add(roles);
        cells.add(age(node));
        cells.add(nz(info.getKubeletVersion()));
        cells.add(address(status, "InternalIP"));
        cells.add(address(status, "ExternalIP"));
        cells.add(orUnknown(info.getOsImage()));
        cells.add(orUnknown(info.getKernelVersion()));
        cells.add(orUnknown(info.getContainerRuntimeVersion()));
        return cells;
    }

    /** {@code findNodeRoles}: {@code node-role.kubernetes.io/<role>} labels and the {@code kubernetes.io/role} label, sorted. */
    static Set<String> roles(Node node) {
        Set<String> roles = new TreeSet<>();
        Map<String, String> labels = node.getMetadata() == null || node.getMetadata().getLabels() == null ? Map.of() : node.getMetadata().getLabels();
        labels.forEach((k, v) -> {
            if (k.startsWith(ROLE_PREFIX)) {
                String role = k.substring(ROLE_PREFIX.length());
                if (!role.isEmpty()) {
                    roles.add(role);
                }
            } else if (k.equals(ROLE_LABEL) && v != null && !v.isEmpty()) {
                roles.add(v);
            }
        });
        return roles;
    }

    private static String address(NodeStatus status, String type) {
        for (NodeAddress a : status.getAddresses()) {
            if (type.equals(a.getType())) {
                return nz(a.getAddress());
            }
        }
        return "<none>";
    }

    private static String orUnknown(String s) {
        return s == null || s.isEmpty() ? "<unknown>" : s;
    }
}
