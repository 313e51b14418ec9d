package dev.coracle.server.registry.core;

import dev.coracle.server.api.ApiException.FieldError;
import dev.coracle.server.registry.BaseStrategy;
import dev.coracle.server.registry.NameRule;
import dev.coracle.server.registry.Quantities;
import dev.coracle.server.registry.ResourceType;
import dev.coracle.server.registry.Semantic;
import dev.coracle.server.registry.Tables;
import dev.coracle.server.registry.Validation;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodReadinessGate;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.TableColumnDefinition;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static dev.coracle.server.registry.Validation.child;
import static dev.coracle.server.registry.Validation.forbidden;
import static dev.coracle.server.registry.Validation.index;
import static dev.coracle.server.registry.Validation.invalid;
import static dev.coracle.server.registry.Validation.required;

/** core/v1 pods, as {@code pkg/registry/core/pod/strategy.go}, the Priority and DefaultTolerationSeconds admission, and the pod printer. */
@Component
public class PodStrategy extends BaseStrategy<Pod> {

    static final ResourceType TYPE = new ResourceType("", "v1", "Pod", "pods", "pod", true,
            List.of("po"), List.of("all"), List.of("status", "binding", "log", "exec", "eviction", "portforward", "proxy"), Pod.class);

    static final String UPDATABLE_FIELDS = "`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,"
            + "`spec.tolerations` (only additions to existing tolerations),"
            + "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

    private static final long DEFAULT_TOLERATION_SECONDS = 300;
    private static final Map<String, Integer> SYSTEM_PRIORITY_CLASSES = Map.of(
            "system-node-critical", 2000001000, "system-cluster-critical", 2000000000);

    public PodStrategy() {
    }

    public PodStrategy(Clock clock) {
        super(clock);
    }

    @Override
    public ResourceType type() {
        return TYPE;
    }

    @Override
    public void applyDefaults(Pod pod) {
        PodSpecDefaults.defaultPod(pod);
    }

    @Override
    public void prepareForCreate(Pod pod) {
        if (pod.getSpec() == null) {
            pod.setSpec(new PodSpec());
        }
        PodStatus status = new PodStatus();
        status.setPhase("Pending");
        status.setQosClass(qosClass(pod.getSpec()));
        pod.setStatus(status);
        if (!pod.getSpec().getSchedulingGates().isEmpty()) {
            status.getConditions().add(new PodConditionBuilder().withType("PodScheduled").withStatus("False")
                    .withReason("SchedulingGated").withMessage("Scheduling is blocked due to non-empty scheduling gates").build());
        }
        admitPriority(pod.getSpec());
        admitDefaultTolerationSeconds(pod.getSpec());
    }

    /** The Priority admission plugin without PriorityClass objects: the system classes, otherwise priority 0. */
    private static void admitPriority(PodSpec spec) {
        String className = spec.getPriorityClassName();
        if (className == null || className.isEmpty()) {
            if (spec.getPriority() == null) {
                spec.setPriority(0);
            }
        } else if (SYSTEM_PRIORITY_CLASSES.containsKey(className) && spec.getPriority() == null) {
            spec.setPriority(SYSTEM_PRIORITY_CLASSES.get(className));
        }
        if (spec.getPreemptionPolicy() == null) {
            spec.setPreemptionPolicy("PreemptLowerPriority");
        }
    }

    /** The DefaultTolerationSeconds admission plugin: tolerate not-ready and unreachable nodes for 300s. */
    private static void admitDefaultTolerationSeconds(PodSpec spec) {
        boolean notReady = false;
        boolean unreachable = false;
        for (Toleration t : spec.getTolerations()) {
            String key = t.getKey() == null ? "" : t.getKey();
            String effect = t.getEffect() == null ? "" : t.getEffect();
            boolean noExecute = effect.equals("NoExecute") || effect.isEmpty();
            notReady |= (key.equals("node.kubernetes.io/not-ready") || key.isEmpty()) && noExecute;
            unreachable |= (key.equals("node.kubernetes.io/unreachable") || key.isEmpty()) && noExecute;
        }
        List<Toleration> tolerations = new ArrayList<>(spec.getTolerations());
        if (!notReady) {
            tolerations.add(new TolerationBuilder().withKey("node.kubernetes.io/not-ready").withOperator("Exists")
                    .withEffect("NoExecute").withTolerationSeconds(DEFAULT_TOLERATION_SECONDS).build());
        }
        if (!unreachable) {
            tolerations.add(new TolerationBuilder().withKey("node.kubernetes.io/unreachable").withOperator("Exists")
                    .withEffect("NoExecute").withTolerationSeconds(DEFAULT_TOLERATION_SECONDS).build());
        }
        spec.setTolerations(tolerations);
    }

    /**
     * Status is kept. As the admission plugins do on update, a priority and preemption policy the client
     * left out are taken from the stored pod, and the default tolerations are added back if missing.
     */
    @Override
    public void prepareForUpdate(Pod pod, Pod old) {
        pod.setStatus(Semantic.copy(old.getStatus()));
        PodSpec spec = spec(pod);
        PodSpec oldSpec = spec(old);
        if (spec.getPriority() == null && oldSpec.getPriority() != null) {
            spec.setPriority(oldSpec.getPriority());
        }
        if (spec.getPreemptionPolicy() == null && oldSpec.getPreemptionPolicy() != null) {
            spec.setPreemptionPolicy(oldSpec.getPreemptionPolicy());
        }
        admitDefaultTolerationSeconds(spec);
    }

    @Override
    public void prepareForStatusUpdate(Pod pod, Pod old) {
        pod.setSpec(Semantic.copy(old.getSpec()));
        if (pod.getMetadata() != null && old.getMetadata() != null) {
            pod.getMetadata().setOwnerReferences(old.getMetadata().getOwnerReferences());
        }
        if (pod.getStatus() != null && old.getStatus() != null
                && (pod.getStatus().getQosClass() == null || pod.getStatus().getQosClass().isEmpty())) {
            pod.getStatus().setQosClass(old.getStatus().getQosClass());
        }
    }

    @Override
    public List<FieldError> validate(Pod pod) {
        List<FieldError> errs = validateMetadataAndSpec(pod);
        PodSpec spec = spec(pod);
        if (!spec.getEphemeralContainers().isEmpty()) {
            errs.add(forbidden("spec.ephemeralContainers", "cannot be set on create"));
        }
        if (spec.getNodeName() != null && !spec.getNodeName().isEmpty() && !spec.getSchedulingGates().isEmpty()) {
            errs.add(forbidden("spec.nodeName", "cannot be set until all schedulingGates have been cleared"));
        }
        return errs;
    }

    private static PodSpec spec(Pod pod) {
        return pod.getSpec() == null ? new PodSpec() : pod.getSpec();
    }

    private static List<FieldError> validateMetadataAndSpec(Pod pod) {
        PodSpec spec = spec(pod);
        List<FieldError> errs = new ArrayList<>();
        Map<String, String> annotations = pod.getMetadata() == null ? Map.of() : pod.getMetadata().getAnnotations();
        if (annotations != null && annotations.containsKey("kubernetes.io/config.mirror")
                && (spec.getNodeName() == null || spec.getNodeName().isEmpty())) {
            errs.add(invalid("metadata.annotations[kubernetes.io/config.mirror]", annotations.get("kubernetes.io/config.mirror"),
                    "must set spec.nodeName if mirror pod annotation is set"));
        }
        errs.addAll(PodSpecValidation.validatePodSpec(spec, "spec", true));
        if (spec.getServiceAccountName() == null || spec.getServiceAccountName().isEmpty()) {
            for (int vi = 0; vi < spec.getVolumes().size(); vi++) {
                Volume v = spec.getVolumes().get(vi);
                if (v.getProjected() == null) {
                    continue;
                }
                for (int si = 0; si < v.getProjected().getSources().size(); si++) {
                    VolumeProjection p = v.getProjected().getSources().get(si);
                    if (p.getServiceAccountToken() != null) {
                        errs.add(forbidden(child(index(child(index("spec.volumes", vi), "projected", "sources"), si), "serviceAccountToken"),
                                "must not be specified when serviceAccountName is not set"));
                    }
                }
            }
        }
        errs.addAll(validateImagesOnlyForPod(spec.getContainers(), "spec.containers"));
        errs.addAll(validateImagesOnlyForPod(spec.getInitContainers(), "spec.initContainers"));
        return errs;
    }

    private static List<FieldError> validateImagesOnlyForPod(List<Container> containers, String path) {
        List<FieldError> errs = new ArrayList<>();
        for (int i = 0; i < containers.size(); i++) {
            String image = containers.get(i).getImage() == null ? "" : containers.get(i).getImage();
            if (image.length() != image.strip().length()) {
                errs.add(invalid(child(index(path, i), "image"), image, "must not have leading or trailing whitespace"));
            }
        }
        return errs;
    }

    /** {@code ValidatePodUpdate}: only images, activeDeadlineSeconds, added tolerations, removed scheduling gates may change. */
    @Override
    public List<FieldError> validateUpdate(Pod pod, Pod old) {
        List<FieldError> errs = validateMetadataAndSpec(pod);
        PodSpec spec = spec(pod);
        PodSpec oldSpec = spec(old);
        String specPath = "spec";
        var containerErrs = validateContainerUpdates(spec.getContainers(), oldSpec.getContainers(), "spec.containers");
        errs.addAll(containerErrs);
        if (spec.getContainers().size() != oldSpec.getContainers().size()) {
            return errs;
        }
        errs.addAll(validateContainerUpdates(spec.getInitContainers(), oldSpec.getInitContainers(), "spec.initContainers"));
        if (spec.getInitContainers().size() != oldSpec.getInitContainers().size()) {
            return errs;
        }
        if (spec.getActiveDeadlineSeconds() != null) {
            long v = spec.getActiveDeadlineSeconds();
            if (v < 0 || v > Integer.MAX_VALUE) {
                errs.add(invalid("spec.activeDeadlineSeconds", v, Validation.inclusiveRangeError(0, Integer.MAX_VALUE)));
                return errs;
            }
            if (oldSpec.getActiveDeadlineSeconds() != null && oldSpec.getActiveDeadlineSeconds() < v) {
                errs.add(invalid("spec.activeDeadlineSeconds", v, "must be less than or equal to previous value"));
                return errs;
            }
        } else if (oldSpec.getActiveDeadlineSeconds() != null) {
            errs.add(invalid("spec.activeDeadlineSeconds", null, "must not update from a positive integer to nil value"));
        }
        errs.addAll(PodSpecValidation.validateOnlyAddedTolerations(spec.getTolerations(), oldSpec.getTolerations(), "spec.tolerations"));
        errs.addAll(validateOnlyDeletedSchedulingGates(spec, oldSpec));
        if (Semantic.equal(spec, oldSpec)) {
            return errs;
        }
        PodSpec munged = Semantic.copy(spec);
        for (int i = 0; i < munged.getContainers().size(); i++) {
            munged.getContainers().get(i).setImage(oldSpec.getContainers().get(i).getImage());
        }
        for (int i = 0; i < munged.getInitContainers().size(); i++) {
            munged.getInitContainers().get(i).setImage(oldSpec.getInitContainers().get(i).getImage());
        }
        munged.setActiveDeadlineSeconds(oldSpec.getActiveDeadlineSeconds());
        munged.setSchedulingGates(oldSpec.getSchedulingGates());
        munged.setTolerations(oldSpec.getTolerations());
        if (oldSpec.getTerminationGracePeriodSeconds() != null && oldSpec.getTerminationGracePeriodSeconds() < 0
                && munged.getTerminationGracePeriodSeconds() != null && munged.getTerminationGracePeriodSeconds() == 1) {
            munged.setTerminationGracePeriodSeconds(oldSpec.getTerminationGracePeriodSeconds());
        }
        if (!oldSpec.getSchedulingGates().isEmpty() && isAddition(munged.getNodeSelector(), oldSpec.getNodeSelector())) {
            munged.setNodeSelector(oldSpec.getNodeSelector());
        }
        if (!Semantic.equal(munged, oldSpec)) {
            errs.add(forbidden(specPath, "pod updates may not change fields other than " + UPDATABLE_FIELDS + "\n" + specDiff(oldSpec, munged)));
        }
        return errs;
    }

    private static boolean isAddition(Map<String, String> now, Map<String, String> before) {
        if (now == null || before == null) {
            return now == null || now.isEmpty() || before == null || before.isEmpty();
        }
        for (Map.Entry<String, String> e : before.entrySet()) {
            if (!e.getValue().equals(now.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    private static List<FieldError> validateContainerUpdates(List<Container> containers, List<Container> old, String path) {
        List<FieldError> errs = new ArrayList<>();
        if (containers.size() != old.size()) {
            errs.add(forbidden(path, "pod updates may not add or remove containers"));
            return errs;
        }
        for (int i = 0; i < containers.size(); i++) {
            String image = containers.get(i).getImage() == null ? "" : containers.get(i).getImage();
            if (image.isEmpty()) {
                errs.add(required(child(index(path, i), "image")));
            }
            if (image.strip().length() != image.length()) {
                errs.add(invalid(child(index(path, i), "image"), image, "must not have leading or trailing whitespace"));
            }
        }
        return errs;
    }

    private static List<FieldError> validateOnlyDeletedSchedulingGates(PodSpec spec, PodSpec old) {
        List<FieldError> errs = new ArrayList<>();
        Set<String> oldGates = new HashSet<>();
        old.getSchedulingGates().forEach(g -> oldGates.add(g.getName()));
        for (int i = 0; i < spec.getSchedulingGates().size(); i++) {
            String gate = spec.getSchedulingGates().get(i).getName();
            if (!oldGates.contains(gate)) {
                errs.add(forbidden(child(index("spec.schedulingGates", i), "name"), "only deletion is allowed, but found new scheduling gate '" + gate + "'"));
            }
        }
        return errs;
    }

    /** A compact rendering of what changed, in the spirit of the {@code cmp.Diff} Kubernetes appends. */
    static String specDiff(PodSpec old, PodSpec now) {
        JsonNode a = Semantic.tree(old);
        JsonNode b = Semantic.tree(now);
        StringBuilder out = new StringBuilder("  core.PodSpec{\n");
        Set<String> keys = new TreeSet<>();
        a.propertyNames().forEach(keys::add);
        b.propertyNames().forEach(keys::add);
        for (String k : keys) {
            JsonNode va = a.get(k);
            JsonNode vb = b.get(k);
            if (java.util.Objects.equals(va, vb)) {
                continue;
            }
            String field = Character.toUpperCase(k.charAt(0)) + k.substring(1);
            if (va != null) {
                out.append("- \t").append(field).append(": ").append(va).append(",\n");
            }
            if (vb != null) {
                out.append("+ \t").append(field).append(": ").append(vb).append(",\n");
            }
        }
        return out.append("  }\n").toString();
    }

    @Override
    public List<FieldError> validateStatusUpdate(Pod pod, Pod old) {
        List<FieldError> errs = new ArrayList<>();
        PodStatus status = pod.getStatus() == null ? new PodStatus() : pod.getStatus();
        PodStatus oldStatus = old.getStatus() == null ? new PodStatus() : old.getStatus();
        for (int i = 0; i < status.getConditions().size(); i++) {
            String type = status.getConditions().get(i).getType() == null ? "" : status.getConditions().get(i).getType();
            if (!Set.of("PodScheduled", "Ready", "Initialized").contains(type)) {
                errs.addAll(Validation.validateQualifiedName(type, child(index("metadata.conditions", i), "Type")));
            }
        }
        if (!java.util.Objects.equals(nz(spec(pod).getNodeName()), nz(spec(old).getNodeName()))) {
            errs.add(forbidden("status.nodeName", "may not be changed directly"));
        }
        String nominated = nz(status.getNominatedNodeName());
        if (!nominated.equals(nz(oldStatus.getNominatedNodeName())) && !nominated.isEmpty()) {
            for (String msg : NameRule.DNS1123_SUBDOMAIN.validate(nominated, false)) {
                errs.add(invalid("status.nominatedNodeName", nominated, msg));
            }
        }
        errs.addAll(Validation.validateImmutable(nz(status.getQosClass()), nz(oldStatus.getQosClass()), "status.qosClass"));
        errs.addAll(validateContainerStateTransition(status.getContainerStatuses(), oldStatus.getContainerStatuses(),
                "status.containerStatuses", nz(spec(old).getRestartPolicy())));
        for (int i = 0; i < status.getPodIPs().size(); i++) {
            errs.addAll(Validation.validateIp(index("status.podIPs", i), nz(status.getPodIPs().get(i).getIp())));
        }
        return errs;
    }

    private static List<FieldError> validateContainerStateTransition(List<ContainerStatus> statuses, List<ContainerStatus> old, String path, String restartPolicy) {
        List<FieldError> errs = new ArrayList<>();
        if (restartPolicy.equals("Always")) {
            return errs;
        }
        for (int i = 0; i < old.size(); i++) {
            ContainerStatus o = old.get(i);
            if (o.getState() == null || o.getState().getTerminated() == null) {
                continue;
            }
            if (nz(o.getState().getTerminated().getExitCode()) != 0 && restartPolicy.equals("OnFailure")) {
                continue;
            }
            for (ContainerStatus n : statuses) {
                if (java.util.Objects.equals(o.getName(), n.getName()) && (n.getState() == null || n.getState().getTerminated() == null)) {
                    errs.add(forbidden(child(index(path, i), "state"), "may not be transitioned to non-terminated state"));
                }
            }
        }
        return errs;
    }

    @Override
    public NameRule nameRule() {
        return NameRule.DNS1123_SUBDOMAIN;
    }

    /**
     * Kubernetes' CheckGracefulDelete: a pod bound to a node gets its grace period (asked for, or its
     * spec's) for the kubelet to stop it; one never scheduled, or already finished, goes at once.
     */
    @Override
    public long deletionGracePeriod(Pod pod, Long requested) {
        PodSpec spec = spec(pod);
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        if (spec.getNodeName() == null || spec.getNodeName().isEmpty() || "Succeeded".equals(phase) || "Failed".equals(phase)) {
            return 0;
        }
        long grace = requested != null ? requested
                : spec.getTerminationGracePeriodSeconds() != null ? spec.getTerminationGracePeriodSeconds() : 30;
        return grace < 0 ? 1 : grace;
    }

    @Override
    public Map<String, String> selectableFields(Pod pod) {
        PodSpec spec = spec(pod);
        PodStatus status = pod.getStatus() == null ? new PodStatus() : pod.getStatus();
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("spec.nodeName", nz(spec.getNodeName()));
        fields.put("spec.restartPolicy", nz(spec.getRestartPolicy()));
        fields.put("spec.schedulerName", nz(spec.getSchedulerName()));
        fields.put("spec.serviceAccountName", nz(spec.getServiceAccountName()));
        fields.put("spec.hostNetwork", String.valueOf(Boolean.TRUE.equals(spec.getHostNetwork())));
        fields.put("status.phase", nz(status.getPhase()));
        fields.put("status.podIP", status.getPodIPs().isEmpty() ? nz(status.getPodIP()) : nz(status.getPodIPs().get(0).getIp()));
        fields.put("status.nominatedNodeName", nz(status.getNominatedNodeName()));
        return fields;
    }

    // ---------------------------------------------------------------- QoS

    /** {@code qos.ComputePodQOS}: Guaranteed, Burstable or BestEffort from the cpu and memory requests and limits. */
    public static String qosClass(PodSpec spec) {
        Map<String, BigDecimal> requests = new HashMap<>();
        Map<String, BigDecimal> limits = new HashMap<>();
        boolean guaranteed = true;
        List<Container> all = new ArrayList<>(spec.getContainers());
        all.addAll(spec.getInitContainers());
        for (Container c : all) {
            Map<String, Quantity> req = c.getResources() == null || c.getResources().getRequests() == null ? Map.of() : c.getResources().getRequests();
            Map<String, Quantity> lim = c.getResources() == null || c.getResources().getLimits() == null ? Map.of() : c.getResources().getLimits();
            for (Map.Entry<String, Quantity> e : req.entrySet()) {
                if (isQosResource(e.getKey()) && Quantities.isValid(e.getValue()) && Quantities.value(e.getValue()).signum() > 0) {
                    requests.merge(e.getKey(), Quantities.value(e.getValue()), BigDecimal::add);
                }
            }
            Set<String> found = new HashSet<>();
            for (Map.Entry<String, Quantity> e : lim.entrySet()) {
                if (isQosResource(e.getKey()) && Quantities.isValid(e.getValue()) && Quantities.value(e.getValue()).signum() > 0) {
                    found.add(e.getKey());
                    limits.merge(e.getKey(), Quantities.value(e.getValue()), BigDecimal::add);
                }
            }
            if (!found.containsAll(Set.of("cpu", "memory"))) {
                guaranteed = false;
            }
        }
        if (requests.isEmpty() && limits.isEmpty()) {
            return "BestEffort";
        }
        if (guaranteed) {
            for (Map.Entry<String, BigDecimal> e : requests.entrySet()) {
                BigDecimal l = limits.get(e.getKey());
                if (l == null || l.compareTo(e.getValue()) != 0) {
                    guaranteed = false;
                    break;
                }
            }
        }
        return guaranteed && requests.size() == limits.size() ? "Guaranteed" : "Burstable";
    }

    private static boolean isQosResource(String name) {
        return name.equals("cpu") || name.equals("memory");
    }

    // ---------------------------------------------------------------- table

    @Override
    public List<TableColumnDefinition> columns() {
        return List.of(
                Tables.nameColumn(),
                Tables.column("Ready", "string", "The aggregate readiness state of this pod for accepting traffic."),
                Tables.column("Status", "string", "The aggregate status of the containers in this pod."),
                Tables.column("Restarts", "string", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
                Tables.ageColumn(),
                Tables.wide("IP", "string", "podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated."),
                Tables.wide("Node", "string", "NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName. Once this field is set, the kubelet for this node becomes responsible for the lifecycle of this pod. This field should not be used to express a desire for the pod to be scheduled on a specific node. https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#nodename"),
                Tables.wide("Nominated Node", "string", "nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods. This field does not guarantee that the pod will be scheduled on this node. Scheduler may decide to place the pod elsewhere if other nodes become available sooner. Scheduler may also decide to give the resources on this node to a higher priority pod that is created after preemption. As a result, this field may be different than PodSpec.nodeName when the pod is scheduled."),
                Tables.wide("Readiness Gates", "string", "If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ready AND all conditions specified in the readiness gates have status equal to \"True\" More info: https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates"));
    }

    /** {@code printPod}: READY, STATUS (as kubectl computes it), RESTARTS with the last restart's age, and the wide cells. */
    @Override
    public List<Object> cells(Pod pod) {
        PodSpec spec = spec(pod);
        PodStatus status = pod.getStatus() == null ? new PodStatus() : pod.getStatus();
        int restarts = 0;
        int restartableInitRestarts = 0;
        int totalContainers = spec.getContainers().size();
        int readyContainers = 0;
        Instant lastRestart = null;
        Instant lastRestartableInitRestart = null;

        String phase = nz(status.getPhase());
        String reason = status.getReason() != null && !status.getReason().isEmpty() ? status.getReason() : phase;
        for (PodCondition c : status.getConditions()) {
            if ("PodScheduled".equals(c.getType()) && "SchedulingGated".equals(c.getReason())) {
                reason = "SchedulingGated";
            }
        }

        Map<String, Container> initContainers = new HashMap<>();
        for (Container c : spec.getInitContainers()) {
            initContainers.put(c.getName(), c);
            if (isRestartable(c)) {
                totalContainers++;
            }
        }

        boolean initializing = false;
        List<ContainerStatus> initStatuses = status.getInitContainerStatuses();
        for (int i = 0; i < initStatuses.size(); i++) {
            ContainerStatus cs = initStatuses.get(i);
            restarts += nz(cs.getRestartCount());
            Instant terminatedAt = lastTerminated(cs);
            if (terminatedAt != null && (lastRestart == null || lastRestart.isBefore(terminatedAt))) {
                lastRestart = terminatedAt;
            }
            boolean restartable = isRestartable(initContainers.get(cs.getName()));
            if (restartable) {
                restartableInitRestarts += nz(cs.getRestartCount());
                if (terminatedAt != null && (lastRestartableInitRestart == null || lastRestartableInitRestart.isBefore(terminatedAt))) {
                    lastRestartableInitRestart = terminatedAt;
                }
            }
            var state = cs.getState();
            var terminated = state == null ? null : state.getTerminated();
            var waiting = state == null ? null : state.getWaiting();
            if (terminated != null && nz(terminated.getExitCode()) == 0) {
                continue;
            } else if (restartable && Boolean.TRUE.equals(cs.getStarted())) {
                if (Boolean.TRUE.equals(cs.getReady())) {
                    readyContainers++;
                }
                continue;
            } else if (terminated != null) {
                if (nz(terminated.getReason()).isEmpty()) {
                    reason = nz(terminated.getSignal()) != 0 ? "Init:Signal:" + terminated.getSignal() : "Init:ExitCode:" + nz(terminated.getExitCode());
                } else {
                    reason = "Init:" + terminated.getReason();
                }
                initializing = true;
            } else if (waiting != null && !nz(waiting.getReason()).isEmpty() && !"PodInitializing".equals(waiting.getReason())) {
                reason = "Init:" + waiting.getReason();
                initializing = true;
            } else {
                reason = "Init:" + i + "/" + spec.getInitContainers().size();
                initializing = true;
            }
            break;
        }

        if (!initializing || isInitialized(status)) {
            restarts = restartableInitRestarts;
            lastRestart = lastRestartableInitRestart;
            boolean hasRunning = false;
            List<ContainerStatus> statuses = status.getContainerStatuses();
            for (int i = statuses.size() - 1; i >= 0; i--) {
                ContainerStatus cs = statuses.get(i);
                restarts += nz(cs.getRestartCount());
                Instant terminatedAt = lastTerminated(cs);
                if (terminatedAt != null && (lastRestart == null || lastRestart.isBefore(terminatedAt))) {
                    lastRestart = terminatedAt;
                }
                var state = cs.getState();
                var terminated = state == null ? null : state.getTerminated();
                var waiting = state == null ? null : state.getWaiting();
                if (waiting != null && !nz(waiting.getReason()).isEmpty()) {
                    reason = waiting.getReason();
                } else if (terminated != null && !nz(terminated.getReason()).isEmpty()) {
                    reason = terminated.getReason();
                } else if (terminated != null) {
                    reason = nz(terminated.getSignal()) != 0 ? "Signal:" + terminated.getSignal() : "ExitCode:" + nz(terminated.getExitCode());
                } else if (Boolean.TRUE.equals(cs.getReady()) && state != null && state.getRunning() != null) {
                    hasRunning = true;
                    readyContainers++;
                }
            }
            if (reason.equals("Completed") && hasRunning) {
                reason = hasReadyCondition(status) ? "Running" : "NotReady";
            }
        }

        boolean deleting = pod.getMetadata() != null && pod.getMetadata().getDeletionTimestamp() != null;
        if (deleting && "NodeLost".equals(status.getReason())) {
            reason = "Unknown";
        } else if (deleting && !phase.equals("Failed") && !phase.equals("Succeeded")) {
            reason = "Terminating";
        }

        String restartsCell = Integer.toString(restarts);
        if (restarts != 0 && lastRestart != null) {
            restartsCell = restarts + " (" + since(lastRestart.toString()) + " ago)";
        }

        List<Object> cells = new ArrayList<>();
        cells.add(name(pod));
        cells.add(readyContainers + "/" + totalContainers);
        cells.add(reason);
        cells.add(restartsCell);
        cells.add(age(pod));

        // the v1 conversion fills podIPs from podIP when only the latter is set
        String podIp = status.getPodIPs().isEmpty() ? nz(status.getPodIP()) : nz(status.getPodIPs().get(0).getIp());
        cells.add(podIp.isEmpty() ? "<none>" : podIp);
        cells.add(nz(spec.getNodeName()).isEmpty() ? "<none>" : spec.getNodeName());
        cells.add(nz(status.getNominatedNodeName()).isEmpty() ? "<none>" : status.getNominatedNodeName());
        String gates = "<none>";
        if (!spec.getReadinessGates().isEmpty()) {
            int trueConditions = 0;
            for (PodReadinessGate gate : spec.getReadinessGates()) {
                for (PodCondition c : status.getConditions()) {
                    if (java.util.Objects.equals(c.getType(), gate.getConditionType())) {
                        if ("True".equals(c.getStatus())) {
                            trueConditions++;
                        }
                        break;
                    }
                }
            }
            gates = trueConditions + "/" + spec.getReadinessGates().size();
        }
        cells.add(gates);
        return cells;
    }

    private static boolean isRestartable(Container c) {
        return c != null && "Always".equals(c.getRestartPolicy());
    }

    private static Instant lastTerminated(ContainerStatus cs) {
        if (cs.getLastState() == null || cs.getLastState().getTerminated() == null) {
            return null;
        }
        return dev.coracle.server.registry.HumanDuration.parse(cs.getLastState().getTerminated().getFinishedAt());
    }

    private static boolean isInitialized(PodStatus status) {
        return status.getConditions().stream().anyMatch(c -> "Initialized".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static boolean hasReadyCondition(PodStatus status) {
        return status.getConditions().stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }
}
