package dev.coracle.server.registry.core;

import dev.coracle.server.api.ApiException.FieldError;
import dev.coracle.server.registry.GoValues;
import dev.coracle.server.registry.NameRule;
import dev.coracle.server.registry.Validation;
import dev.coracle.server.registry.Quantities;
import dev.coracle.server.registry.Semantic;
import io.fabric8.kubernetes.api.model.ConfigMapKeySelector;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HTTPHeader;
import io.fabric8.kubernetes.api.model.HostAlias;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.NodeSelector;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.ObjectFieldSelector;
import io.fabric8.kubernetes.api.model.PodDNSConfig;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PreferredSchedulingTerm;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceFieldSelector;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.coracle.server.registry.Validation.child;
import static dev.coracle.server.registry.Validation.duplicate;
import static dev.coracle.server.registry.Validation.forbidden;
import static dev.coracle.server.registry.Validation.index;
import static dev.coracle.server.registry.Validation.invalid;
import static dev.coracle.server.registry.Validation.key;
import static dev.coracle.server.registry.Validation.notFound;
import static dev.coracle.server.registry.Validation.notSupported;
import static dev.coracle.server.registry.Validation.required;
import static dev.coracle.server.registry.Validation.validateNonnegative;

/**
 * Kubernetes' core validation of pod specs and templates ({@code ValidatePodSpec},
 * {@code ValidatePodTemplateSpec}) with its field paths and wording, shared by Pod, Deployment and ReplicaSet.
 */
public final class PodSpecValidation {

    static final List<String> PROTOCOLS = List.of("SCTP", "TCP", "UDP");
    private static final List<String> PULL_POLICIES = List.of("Always", "IfNotPresent", "Never");
    private static final List<String> RESTART_POLICIES = List.of("Always", "OnFailure", "Never");
    private static final List<String> DNS_POLICIES = List.of("ClusterFirstWithHostNet", "ClusterFirst", "Default", "None");
    private static final List<String> TERMINATION_MESSAGE_POLICIES = List.of("File", "FallbackToLogsOnError");
    private static final List<String> PREEMPTION_POLICIES = List.of("PreemptLowerPriority", "Never");
    private static final List<String> TAINT_EFFECTS = List.of("NoSchedule", "PreferNoSchedule", "NoExecute");
    private static final List<String> ENV_FIELD_PATHS = List.of("metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName",
            "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs");
    private static final List<String> ENV_RESOURCE_PATHS = List.of("limits.cpu", "limits.ephemeral-storage", "limits.memory",
            "requests.cpu", "requests.ephemeral-storage", "requests.memory");
    private static final Set<String> STANDARD_CONTAINER_RESOURCES = Set.of("cpu", "memory", "ephemeral-storage");
    private static final Set<String> STANDARD_RESOURCES = Set.of("cpu", "memory", "ephemeral-storage", "requests.cpu", "requests.memory",
            "requests.ephemeral-storage", "limits.cpu", "limits.memory", "limits.ephemeral-storage", "pods", "services",
            "replicationcontrollers", "resourcequotas", "secrets", "configmaps", "persistentvolumeclaims", "storage",
            "requests.storage", "services.nodeports", "services.loadbalancers");
    private static final Pattern SUBSCRIPTED = Pattern.compile("^(metadata\\.(?:labels|annotations))\\['(.*)'\\]$");
    private static final String FILE_MODE_MESSAGE = "must be a number between 0 and 0777 (octal), both inclusive";

    private PodSpecValidation() {
    }

    /** {@code ValidatePodTemplateSpec}: template labels and annotations, then the spec; ephemeral containers forbidden. */
    public static List<FieldError> validatePodTemplateSpec(PodTemplateSpec template, String path) {
        List<FieldError> errs = new ArrayList<>();
        var meta = template.getMetadata();
        if (meta != null) {
            errs.addAll(Validation.validateLabels(meta.getLabels(), child(path, "labels")));
            errs.addAll(Validation.validateAnnotations(meta.getAnnotations(), child(path, "annotations")));
        }
        PodSpec spec = template.getSpec() == null ? new PodSpec() : template.getSpec();
        errs.addAll(validatePodSpec(spec, child(path, "spec"), false));
        if (!spec.getEphemeralContainers().isEmpty()) {
            errs.add(forbidden(child(path, "spec", "ephemeralContainers"), "ephemeral containers not allowed in pod template"));
        }
        return errs;
    }

    /** {@code ValidatePodSpec}; {@code isPod} for a Pod's own spec (host ports must match with hostNetwork). */
    public static List<FieldError> validatePodSpec(PodSpec spec, String path, boolean isPod) {
        List<FieldError> errs = new ArrayList<>();
        if (spec.getTerminationGracePeriodSeconds() == null) {
            errs.add(required(child(path, "terminationGracePeriodSeconds")));
        }
        Map<String, Volume> volumes = validateVolumes(spec.getVolumes(), child(path, "volumes"), errs);
        String restartPolicy = spec.getRestartPolicy() == null ? "" : spec.getRestartPolicy();
        errs.addAll(validateContainers(spec.getContainers(), volumes, child(path, "containers")));
        errs.addAll(validateInitContainers(spec.getInitContainers(), spec.getContainers(), volumes, child(path, "initContainers")));
        errs.addAll(validateHostNetworkDeps(spec, path, isPod));
        switch (restartPolicy) {
            case "Always", "OnFailure", "Never" -> {
            }
            case "" -> errs.add(required(child(path, "restartPolicy")));
            default -> errs.add(notSupported(child(path, "restartPolicy"), restartPolicy, RESTART_POLICIES));
        }
        String dnsPolicy = spec.getDnsPolicy() == null ? "" : spec.getDnsPolicy();
        switch (dnsPolicy) {
            case "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None" -> {
            }
            case "" -> errs.add(required(child(path, "dnsPolicy")));
            default -> errs.add(notSupported(child(path, "dnsPolicy"), dnsPolicy, DNS_POLICIES));
        }
        errs.addAll(Validation.validateLabels(spec.getNodeSelector(), child(path, "nodeSelector")));
        errs.addAll(validatePodSecurityContext(spec, child(path, "securityContext")));
        if (spec.getAffinity() != null && spec.getAffinity().getNodeAffinity() != null) {
            errs.addAll(validateNodeAffinity(spec.getAffinity().getNodeAffinity(), child(path, "affinity", "nodeAffinity")));
        }
        errs.addAll(validateDnsConfig(spec.getDnsConfig(), dnsPolicy, child(path, "dnsConfig")));
        for (int i = 0; i < spec.getReadinessGates().size(); i++) {
            String type = spec.getReadinessGates().get(i).getConditionType();
            errs.addAll(Validation.validateQualifiedName(type == null ? "" : type,
                    child(index(child(path, "readinessGates"), i), "conditionType")));
        }
        Set<String> gates = new HashSet<>();
        for (int i = 0; i < spec.getSchedulingGates().size(); i++) {
            String gate = spec.getSchedulingGates().get(i).getName() == null ? "" : spec.getSchedulingGates().get(i).getName();
            String p = index(child(path, "schedulingGates"), i);
            errs.addAll(Validation.validateQualifiedName(gate, p));
            if (!gates.add(gate)) {
                errs.add(duplicate(p, gate));
            }
        }
        if (spec.getServiceAccountName() != null && !spec.getServiceAccountName().isEmpty()) {
            for (String msg : NameRule.DNS1123_SUBDOMAIN.validate(spec.getServiceAccountName(), false)) {
                errs.add(invalid(child(path, "serviceAccountName"), spec.getServiceAccountName(), msg));
            }
        }
        if (spec.getNodeName() != null && !spec.getNodeName().isEmpty()) {
            for (String msg : NameRule.DNS1123_SUBDOMAIN.validate(spec.getNodeName(), false)) {
                errs.add(invalid(child(path, "nodeName"), spec.getNodeName(), msg));
            }
        }
        if (spec.getActiveDeadlineSeconds() != null) {
            long v = spec.getActiveDeadlineSeconds();
            if (v < 1 || v > Integer.MAX_VALUE) {
                errs.add(invalid(child(path, "activeDeadlineSeconds"), v, Validation.inclusiveRangeError(1, Integer.MAX_VALUE)));
            }
        }
        if (spec.getHostname() != null && !spec.getHostname().isEmpty()) {
            errs.addAll(Validation.validateDns1123Label(spec.getHostname(), child(path, "hostname")));
        }
        if (spec.getSubdomain() != null && !spec.getSubdomain().isEmpty()) {
            errs.addAll(Validation.validateDns1123Label(spec.getSubdomain(), child(path, "subdomain")));
        }
        if (!spec.getTolerations().isEmpty()) {
            errs.addAll(validateTolerations(spec.getTolerations(), child(path, "tolerations")));
        }
        for (int i = 0; i < spec.getHostAliases().size(); i++) {
            HostAlias alias = spec.getHostAliases().get(i);
            String p = index(child(path, "hostAliases"), i);
            errs.addAll(Validation.validateIp(child(p, "ip"), alias.getIp() == null ? "" : alias.getIp()));
            for (int j = 0; j < alias.getHostnames().size(); j++) {
                errs.addAll(Validation.validateDns1123Subdomain(alias.getHostnames().get(j), index(child(p, "hostnames"), j)));
            }
        }
        if (spec.getPriorityClassName() != null && !spec.getPriorityClassName().isEmpty()) {
            for (String msg : NameRule.DNS1123_SUBDOMAIN.validate(spec.getPriorityClassName(), false)) {
                errs.add(invalid(child(path, "priorityClassName"), spec.getPriorityClassName(), msg));
            }
        }
        if (spec.getRuntimeClassName() != null) {
            for (String msg : NameRule.DNS1123_SUBDOMAIN.validate(spec.getRuntimeClassName(), false)) {
                errs.add(invalid(child(path, "runtimeClassName"), spec.getRuntimeClassName(), msg));
            }
        }
        if (spec.getPreemptionPolicy() != null) {
            switch (spec.getPreemptionPolicy()) {
                case "PreemptLowerPriority", "Never" -> {
                }
                case "" -> errs.add(required(child(path, "preemptionPolicy")));
                default -> errs.add(notSupported(child(path, "preemptionPolicy"), spec.getPreemptionPolicy(), PREEMPTION_POLICIES));
            }
        }
        if (spec.getOs() != null) {
            String os = spec.getOs().getName() == null ? "" : spec.getOs().getName();
            if (os.isEmpty()) {
                errs.add(required(child(path, "os", "name"), "cannot be empty"));
            } else if (!os.equals("linux") && !os.equals("windows")) {
                errs.add(notSupported(child(path, "os"), os, List.of("linux", "windows")));
            }
        }
        return errs;
    }

    // ---------------------------------------------------------------- volumes

    private static Map<String, Volume> validateVolumes(List<Volume> volumes, String path, List<FieldError> errs) {
        Map<String, Volume> valid = new LinkedHashMap<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < volumes.size(); i++) {
            Volume v = volumes.get(i);
            String p = index(path, i);
            String name = v.getName() == null ? "" : v.getName();
            List<FieldError> el = new ArrayList<>(validateVolumeSource(v, p));
            if (name.isEmpty()) {
                el.add(required(child(p, "name")));
            } else {
                el.addAll(Validation.validateDns1123Label(name, child(p, "name")));
            }
            if (names.contains(name)) {
                el.add(duplicate(child(p, "name"), name));
            }
            if (el.isEmpty()) {
                names.add(name);
                valid.put(name, v);
            } else {
                errs.addAll(el);
            }
        }
        return valid;
    }

    private static List<FieldError> validateVolumeSource(Volume v, String path) {
        List<FieldError> errs = new ArrayList<>();
        int count = PodSpecDefaults.sourceCount(v);
        if (count == 0) {
            errs.add(required(path, "must specify a volume type"));
            return errs;
        }
        if (count > 1) {
            errs.add(forbidden(path, "may not specify more than 1 volume type"));
        }
        if (v.getEmptyDir() != null && v.getEmptyDir().getSizeLimit() != null
                && Quantities.isValid(v.getEmptyDir().getSizeLimit()) && Quantities.value(v.getEmptyDir().getSizeLimit()).signum() < 0) {
            errs.add(forbidden(child(path, "emptyDir", "sizeLimit"), "SizeLimit field must be a valid resource quantity"));
        }
        if (v.getHostPath() != null) {
            String p = v.getHostPath().getPath() == null ? "" : v.getHostPath().getPath();
            if (p.isEmpty()) {
                errs.add(required(child(path, "hostPath", "path")));
            } else {
                errs.addAll(validatePathNoBacksteps(p, child(path, "hostPath", "path")));
                String type = v.getHostPath().getType();
                List<String> types = List.of("", "DirectoryOrCreate", "Directory", "FileOrCreate", "File", "Socket", "CharDevice", "BlockDevice");
                if (type != null && !types.contains(type)) {
                    errs.add(notSupported(child(path, "hostPath", "type"), type, types));
                }
            }
        }
        if (v.getSecret() != null) {
            String p = child(path, "secret");
            if (v.getSecret().getSecretName() == null || v.getSecret().getSecretName().isEmpty()) {
                errs.add(required(child(p, "secretName")));
            }
            errs.addAll(validateFileMode(v.getSecret().getDefaultMode(), child(p, "defaultMode")));
            errs.addAll(validateItems(v.getSecret().getItems(), child(p, "items")));
        }
        if (v.getConfigMap() != null) {
            String p = child(path, "configMap");
            if (v.getConfigMap().getName() == null || v.getConfigMap().getName().isEmpty()) {
                errs.add(required(child(p, "name")));
            }
            errs.addAll(validateFileMode(v.getConfigMap().getDefaultMode(), child(p, "defaultMode")));
            errs.addAll(validateItems(v.getConfigMap().getItems(), child(p, "items")));
        }
        if (v.getPersistentVolumeClaim() != null
                && (v.getPersistentVolumeClaim().getClaimName() == null || v.getPersistentVolumeClaim().getClaimName().isEmpty())) {
            errs.add(required(child(path, "persistentVolumeClaim", "claimName")));
        }
        if (v.getNfs() != null) {
            if (v.getNfs().getServer() == null || v.getNfs().getServer().isEmpty()) {
                errs.add(required(child(path, "nfs", "server")));
            }
            String p = v.getNfs().getPath() == null ? "" : v.getNfs().getPath();
            if (p.isEmpty()) {
                errs.add(required(child(path, "nfs", "path")));
            } else if (!p.startsWith("/")) {
                errs.add(invalid(child(path, "nfs", "path"), p, "must be an absolute path"));
            }
        }
        if (v.getDownwardAPI() != null) {
            errs.addAll(validateFileMode(v.getDownwardAPI().getDefaultMode(), child(path, "downwardAPI", "defaultMode")));
        }
        if (v.getProjected() != null) {
            errs.addAll(validateFileMode(v.getProjected().getDefaultMode(), child(path, "projected", "defaultMode")));
        }
        return errs;
    }

    private static List<FieldError> validateFileMode(Integer mode, String path) {
        if (mode != null && (mode > 0777 || mode < 0)) {
            return List.of(invalid(path, mode, FILE_MODE_MESSAGE));
        }
        return List.of();
    }

    private static List<FieldError> validateItems(List<KeyToPath> items, String path) {
        List<FieldError> errs = new ArrayList<>();
        for (int i = 0; items != null && i < items.size(); i++) {
            KeyToPath item = items.get(i);
            String p = index(path, i);
            if (item.getKey() == null || item.getKey().isEmpty()) {
                errs.add(required(child(p, "key")));
            }
            String target = item.getPath() == null ? "" : item.getPath();
            if (target.isEmpty()) {
                errs.add(required(child(p, "path")));
            }
            errs.addAll(validateLocalNonReservedPath(target, child(p, "path")));
            errs.addAll(validateFileMode(item.getMode(), child(p, "mode")));
        }
        return errs;
    }

    private static List<FieldError> validateLocalNonReservedPath(String target, String path) {
        List<FieldError> errs = new ArrayList<>(validateLocalDescendingPath(target, path));
        if (target.startsWith("..")) {
            errs.add(invalid(path, target, "must not start with '..'"));
        }
        return errs;
    }

    static List<FieldError> validateLocalDescendingPath(String target, String path) {
        List<FieldError> errs = new ArrayList<>();
        if (target.startsWith("/")) {
            errs.add(invalid(path, target, "must be a relative path"));
        }
        errs.addAll(validatePathNoBacksteps(target, path));
        return errs;
    }

    private static List<FieldError> validatePathNoBacksteps(String target, String path) {
        for (String part : target.split("/")) {
            if (part.equals("..")) {
                return List.of(invalid(path, target, "must not contain '..'"));
            }
        }
        return List.of();
    }

    // ---------------------------------------------------------------- containers

    private static List<FieldError> validateContainers(List<Container> containers, Map<String, Volume> volumes, String path) {
        List<FieldError> errs = new ArrayList<>();
        if (containers.isEmpty()) {
            errs.add(required(path));
            return errs;
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < containers.size(); i++) {
            Container c = containers.get(i);
            String p = index(path, i);
            errs.addAll(validateContainerCommon(c, volumes, p));
            String name = c.getName() == null ? "" : c.getName();
            if (!names.add(name)) {
                errs.add(duplicate(child(p, "name"), name));
            }
            if (c.getLifecycle() != null) {
                errs.addAll(validateHandler(c.getLifecycle().getPostStart(), child(p, "lifecycle", "postStart")));
                errs.addAll(validateHandler(c.getLifecycle().getPreStop(), child(p, "lifecycle", "preStop")));
            }
            errs.addAll(validateLivenessOrStartupProbe(c.getLivenessProbe(), child(p, "livenessProbe")));
            errs.addAll(validateReadinessProbe(c.getReadinessProbe(), child(p, "readinessProbe")));
            errs.addAll(validateLivenessOrStartupProbe(c.getStartupProbe(), child(p, "startupProbe")));
            if (c.getRestartPolicy() != null) {
                errs.add(forbidden(child(p, "restartPolicy"), "may not be set for non-init containers"));
            }
        }
        errs.addAll(checkHostPortConflicts(containers, path));
        return errs;
    }

    private static List<FieldError> validateInitContainers(List<Container> containers, List<Container> regular, Map<String, Volume> volumes, String path) {
        List<FieldError> errs = new ArrayList<>();
        Set<String> names = new HashSet<>();
        regular.forEach(c -> names.add(c.getName() == null ? "" : c.getName()));
        for (int i = 0; i < containers.size(); i++) {
            Container c = containers.get(i);
            String p = index(path, i);
            errs.addAll(validateContainerCommon(c, volumes, p));
            boolean restartAlways = false;
            if (c.getRestartPolicy() != null) {
                if (!c.getRestartPolicy().equals("Always")) {
                    errs.add(notSupported(child(p, "restartPolicy"), c.getRestartPolicy(), List.of("Always")));
                }
                restartAlways = c.getRestartPolicy().equals("Always");
            }
            String name = c.getName() == null ? "" : c.getName();
            if (names.contains(name)) {
                errs.add(duplicate(child(p, "name"), name));
            } else if (!name.isEmpty()) {
                names.add(name);
            }
            errs.addAll(checkHostPortConflicts(List.of(c), path));
            if (restartAlways) {
                if (c.getLifecycle() != null) {
                    errs.addAll(validateHandler(c.getLifecycle().getPostStart(), child(p, "lifecycle", "postStart")));
                    errs.addAll(validateHandler(c.getLifecycle().getPreStop(), child(p, "lifecycle", "preStop")));
                }
                errs.addAll(validateLivenessOrStartupProbe(c.getLivenessProbe(), child(p, "livenessProbe")));
                errs.addAll(validateReadinessProbe(c.getReadinessProbe(), child(p, "readinessProbe")));
                errs.addAll(validateLivenessOrStartupProbe(c.getStartupProbe(), child(p, "startupProbe")));
            } else {
                String why = "may not be set for init containers without restartPolicy=Always";
                if (c.getLifecycle() != null) {
                    errs.add(forbidden(child(p, "lifecycle"), why));
                }
                if (c.getLivenessProbe() != null) {
                    errs.add(forbidden(child(p, "livenessProbe"), why));
                }
                if (c.getReadinessProbe() != null) {
                    errs.add(forbidden(child(p, "readinessProbe"), why));
                }
                if (c.getStartupProbe() != null) {
                    errs.add(forbidden(child(p, "startupProbe"), why));
                }
            }
        }
        return errs;
    }

    private static List<FieldError> validateContainerCommon(Container c, Map<String, Volume> volumes, String path) {
        List<FieldError> errs = new ArrayList<>();
        String name = c.getName() == null ? "" : c.getName();
        if (name.isEmpty()) {
            errs.add(required(child(path, "name")));
        } else {
            errs.addAll(Validation.validateDns1123Label(name, child(path, "name")));
        }
        if (c.getImage() == null || c.getImage().isEmpty()) {
            errs.add(required(child(path, "image")));
        }
        String tmp = c.getTerminationMessagePolicy() == null ? "" : c.getTerminationMessagePolicy();
        switch (tmp) {
            case "File", "FallbackToLogsOnError" -> {
            }
            case "" -> errs.add(required(child(path, "terminationMessagePolicy")));
            default -> errs.add(notSupported(child(path, "terminationMessagePolicy"), tmp, TERMINATION_MESSAGE_POLICIES));
        }
        errs.addAll(validateContainerPorts(c.getPorts(), child(path, "ports")));
        errs.addAll(validateEnv(c.getEnv(), child(path, "env")));
        errs.addAll(validateEnvFrom(c.getEnvFrom(), child(path, "envFrom")));
        errs.addAll(validateVolumeMounts(c.getVolumeMounts(), volumes, child(path, "volumeMounts")));
        String pull = c.getImagePullPolicy() == null ? "" : c.getImagePullPolicy();
        switch (pull) {
            case "Always", "IfNotPresent", "Never" -> {
            }
            case "" -> errs.add(required(child(path, "imagePullPolicy")));
            default -> errs.add(notSupported(child(path, "imagePullPolicy"), pull, PULL_POLICIES));
        }
        errs.addAll(validateResourceRequirements(c.getResources(), child(path, "resources")));
        errs.addAll(validateSecurityContext(c.getSecurityContext(), child(path, "securityContext")));
        return errs;
    }

    static List<FieldError> validateContainerPorts(List<ContainerPort> ports, String path) {
        List<FieldError> errs = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; ports != null && i < ports.size(); i++) {
            ContainerPort port = ports.get(i);
            String p = index(path, i);
            String name = port.getName() == null ? "" : port.getName();
            if (!name.isEmpty()) {
                List<String> msgs = Validation.isValidPortName(name);
                if (!msgs.isEmpty()) {
                    msgs.forEach(m -> errs.add(invalid(child(p, "name"), name, m)));
                } else if (!names.add(name)) {
                    errs.add(duplicate(child(p, "name"), name));
                }
            }
            int containerPort = port.getContainerPort() == null ? 0 : port.getContainerPort();
            if (containerPort == 0) {
                errs.add(required(child(p, "containerPort")));
            } else {
                for (String m : Validation.isValidPortNum(containerPort)) {
                    errs.add(invalid(child(p, "containerPort"), containerPort, m));
                }
            }
            int hostPort = port.getHostPort() == null ? 0 : port.getHostPort();
            if (hostPort != 0) {
                for (String m : Validation.isValidPortNum(hostPort)) {
                    errs.add(invalid(child(p, "hostPort"), hostPort, m));
                }
            }
            String protocol = port.getProtocol() == null ? "" : port.getProtocol();
            if (protocol.isEmpty()) {
                errs.add(required(child(p, "protocol")));
            } else if (!PROTOCOLS.contains(protocol)) {
                errs.add(notSupported(child(p, "protocol"), protocol, PROTOCOLS));
            }
        }
        return errs;
    }

    private static List<FieldError> checkHostPortConflicts(List<Container> containers, String path) {
        List<FieldError> errs = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int ci = 0; ci < containers.size(); ci++) {
            List<ContainerPort> ports = containers.get(ci).getPorts();
            for (int pi = 0; ports != null && pi < ports.size(); pi++) {
                ContainerPort port = ports.get(pi);
                int hostPort = port.getHostPort() == null ? 0 : port.getHostPort();
                if (hostPort == 0) {
                    continue;
                }
                String key = (port.getProtocol() == null ? "" : port.getProtocol()) + "/" + (port.getHostIP() == null ? "" : port.getHostIP()) + "/" + hostPort;
                if (!seen.add(key)) {
                    errs.add(duplicate(child(index(child(index(path, ci), "ports"), pi), "hostPort"), key));
                }
            }
        }
        return errs;
    }

    private static List<FieldError> validateHostNetworkDeps(PodSpec spec, String path, boolean isPod) {
        List<FieldError> errs = new ArrayList<>();
        if (!Boolean.TRUE.equals(spec.getHostNetwork())) {
            return errs;
        }
        for (int i = 0; i < spec.getContainers().size(); i++) {
            List<ContainerPort> ports = spec.getContainers().get(i).getPorts();
            for (int j = 0; ports != null && j < ports.size(); j++) {
                int hp = ports.get(j).getHostPort() == null ? 0 : ports.get(j).getHostPort();
                int cp = ports.get(j).getContainerPort() == null ? 0 : ports.get(j).getContainerPort();
                if ((isPod || hp != 0) && hp != cp) {
                    errs.add(invalid(child(index(child(index(child(path, "containers"), i), "ports"), j), "hostPort"), hp,
                            "must match `containerPort` when `hostNetwork` is true"));
                }
            }
        }
        return errs;
    }

    private static List<FieldError> validateEnv(List<EnvVar> env, String path) {
        List<FieldError> errs = new ArrayList<>();
        for (int i = 0; env != null && i < env.size(); i++) {
            EnvVar e = env.get(i);
            String p = index(path, i);
            String name = e.getName() == null ? "" : e.getName();
            if (name.isEmpty()) {
                errs.add(required(child(p, "name")));
            } else {
                for (String m : Validation.isRelaxedEnvVarName(name)) {
                    errs.add(invalid(child(p, "name"), name, m));
                }
            }
            errs.addAll(validateEnvVarValueFrom(e, child(p, "valueFrom")));
        }
        return errs;
    }

    private static List<FieldError> validateEnvVarValueFrom(EnvVar e, String path) {
        List<FieldError> errs = new ArrayList<>();
        EnvVarSource from = e.getValueFrom();
        if (from == null) {
            return errs;
        }
        int sources = 0;
        if (from.getFieldRef() != null) {
            sources++;
            errs.addAll(validateObjectFieldSelector(from.getFieldRef(), child(path, "fieldRef")));
        }
        if (from.getResourceFieldRef() != null) {
            sources++;
            ResourceFieldSelector r = from.getResourceFieldRef();
            String p = child(path, "resourceFieldRef");
            String resource = r.getResource() == null ? "" : r.getResource();
            if (resource.isEmpty()) {
                errs.add(required(child(p, "resource")));
            } else if (!ENV_RESOURCE_PATHS.contains(resource) && !resource.startsWith("requests.hugepages-") && !resource.startsWith("limits.hugepages-")) {
                errs.add(notSupported(child(p, "resource"), resource, ENV_RESOURCE_PATHS));
            }
        }
        if (from.getConfigMapKeyRef() != null) {
            sources++;
            ConfigMapKeySelector s = from.getConfigMapKeyRef();
            errs.addAll(validateKeySelector(s.getName(), s.getKey(), child(path, "configMapKeyRef")));
        }
        if (from.getSecretKeyRef() != null) {
            sources++;
            SecretKeySelector s = from.getSecretKeyRef();
            errs.addAll(validateKeySelector(s.getName(), s.getKey(), child(path, "secretKeyRef")));
        }
        if (sources == 0) {
            errs.add(invalid(path, "", "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"));
        } else if (e.getValue() != null && !e.getValue().isEmpty()) {
            errs.add(invalid(path, "", "may not be specified when `value` is not empty"));
        } else if (sources > 1) {
            errs.add(invalid(path, "", "may not have more than one field specified at a time"));
        }
        return errs;
    }

    private static List<FieldError> validateKeySelector(String name, String key, String path) {
        List<FieldError> errs = new ArrayList<>();
        String n = name == null ? "" : name;
        for (String m : NameRule.DNS1123_SUBDOMAIN.validate(n, false)) {
            errs.add(invalid(child(path, "name"), n, m));
        }
        String k = key == null ? "" : key;
        if (k.isEmpty()) {
            errs.add(required(child(path, "key")));
        } else {
            for (String m : Validation.isConfigMapKey(k)) {
                errs.add(invalid(child(path, "key"), k, m));
            }
        }
        return errs;
    }

    private static List<FieldError> validateObjectFieldSelector(ObjectFieldSelector fs, String path) {
        List<FieldError> errs = new ArrayList<>();
        if (fs.getApiVersion() == null || fs.getApiVersion().isEmpty()) {
            errs.add(required(child(path, "apiVersion")));
            return errs;
        }
        String fieldPath = fs.getFieldPath() == null ? "" : fs.getFieldPath();
        if (fieldPath.isEmpty()) {
            errs.add(required(child(path, "fieldPath")));
            return errs;
        }
        Matcher m = SUBSCRIPTED.matcher(fieldPath);
        if (m.matches()) {
            String sub = m.group(1).equals("metadata.annotations") ? m.group(2).toLowerCase() : m.group(2);
            errs.addAll(Validation.validateQualifiedName(sub, path));
        } else if (!ENV_FIELD_PATHS.contains(fieldPath)) {
            errs.add(notSupported(child(path, "fieldPath"), fieldPath, ENV_FIELD_PATHS));
        }
        return errs;
    }

    private static List<FieldError> validateEnvFrom(List<EnvFromSource> envFrom, String path) {
        List<FieldError> errs = new ArrayList<>();
        for (int i = 0; envFrom != null && i < envFrom.size(); i++) {
            EnvFromSource e = envFrom.get(i);
            String p = index(path, i);
            if (e.getPrefix() != null && !e.getPrefix().isEmpty()) {
                for (String m : Validation.isRelaxedEnvVarName(e.getPrefix())) {
                    errs.add(invalid(child(p, "prefix"), e.getPrefix(), m));
                }
            }
            int sources = 0;
            if (e.getConfigMapRef() != null) {
                sources++;
                errs.addAll(validateRefName(e.getConfigMapRef().getName(), child(p, "configMapRef", "name")));
            }
            if (e.getSecretRef() != null) {
                sources++;
                errs.addAll(validateRefName(e.getSecretRef().getName(), child(p, "secretRef", "name")));
            }
            if (sources == 0) {
                errs.add(invalid(path, "", "must specify one of: `configMapRef` or `secretRef`"));
            } else if (sources > 1) {
                errs.add(invalid(path, "", "may not have more than one field specified at a time"));
            }
        }
        return errs;
    }

    private static List<FieldError> validateRefName(String name, String path) {
        if (name == null || name.isEmpty()) {
            return List.of(required(path));
        }
        return NameRule.DNS1123_SUBDOMAIN.validate(name, true).stream().map(m -> invalid(path, name, m)).toList();
    }

    private static List<FieldError> validateVolumeMounts(List<VolumeMount> mounts, Map<String, Volume> volumes, String path) {
        List<FieldError> errs = new ArrayList<>();
        Set<String> mountPoints = new HashSet<>();
        for (int i = 0; mounts != null && i < mounts.size(); i++) {
            VolumeMount m = mounts.get(i);
            String p = index(path, i);
            String name = m.getName() == null ? "" : m.getName();
            if (name.isEmpty()) {
                errs.add(required(child(p, "name")));
            }
            if (!volumes.containsKey(name)) {
                errs.add(notFound(child(p, "name"), name));
            }
            String mountPath = m.getMountPath() == null ? "" : m.getMountPath();
            if (mountPath.isEmpty()) {
                errs.add(required(child(p, "mountPath")));
            }
            if (!mountPoints.add(mountPath)) {
                errs.add(invalid(child(p, "mountPath"), mountPath, "must be unique"));
            }
            if (m.getSubPath() != null && !m.getSubPath().isEmpty()) {
                errs.addAll(validateLocalDescendingPath(m.getSubPath(), child(path, "subPath")));
            }
            if (m.getSubPathExpr() != null && !m.getSubPathExpr().isEmpty()) {
                if (m.getSubPath() != null && !m.getSubPath().isEmpty()) {
                    errs.add(invalid(child(p, "subPathExpr"), m.getSubPathExpr(), "subPathExpr and subPath are mutually exclusive"));
                }
                errs.addAll(validateLocalDescendingPath(m.getSubPathExpr(), child(path, "subPathExpr")));
            }
            if (m.getMountPropagation() != null) {
                List<String> modes = List.of("Bidirectional", "HostToContainer", "None");
                if (!modes.contains(m.getMountPropagation())) {
                    errs.add(notSupported(child(path, "mountPropagation"), m.getMountPropagation(), modes));
                }
            }
        }
        return errs;
    }

    // ---------------------------------------------------------------- resources

    /** {@code ValidateContainerResourceRequirements}: names, quantities, requests not above limits. */
    public static List<FieldError> validateResourceRequirements(ResourceRequirements r, String path) {
        List<FieldError> errs = new ArrayList<>();
        if (r == null) {
            return errs;
        }
        String limPath = child(path, "limits");
        String reqPath = child(path, "requests");
        Map<String, Quantity> limits = r.getLimits() == null ? Map.of() : new TreeMap<>(r.getLimits());
        Map<String, Quantity> requests = r.getRequests() == null ? Map.of() : new TreeMap<>(r.getRequests());
        boolean limCpuMem = false;
        boolean reqCpuMem = false;
        boolean hugePages = false;
        for (Map.Entry<String, Quantity> e : limits.entrySet()) {
            String p = key(limPath, e.getKey());
            errs.addAll(validateContainerResourceName(e.getKey(), p));
            errs.addAll(validateResourceQuantityValue(e.getKey(), e.getValue(), p));
            hugePages |= e.getKey().startsWith("hugepages-");
            limCpuMem |= e.getKey().equals("cpu") || e.getKey().equals("memory");
        }
        for (Map.Entry<String, Quantity> e : requests.entrySet()) {
            String name = e.getKey();
            String p = key(reqPath, name);
            errs.addAll(validateContainerResourceName(name, p));
            errs.addAll(validateResourceQuantityValue(name, e.getValue(), p));
            Quantity limit = limits.get(name);
            if (limit != null && Quantities.isValid(limit) && Quantities.isValid(e.getValue())) {
                int cmp = Quantities.compare(e.getValue(), limit);
                if (cmp != 0 && !isOvercommitAllowed(name)) {
                    errs.add(invalid(reqPath, Quantities.canonical(e.getValue()), "must be equal to " + name + " limit of " + Quantities.canonical(limit)));
                } else if (cmp > 0) {
                    errs.add(invalid(reqPath, Quantities.canonical(e.getValue()), "must be less than or equal to " + name + " limit of " + Quantities.canonical(limit)));
                }
            } else if (limit == null && !isOvercommitAllowed(name)) {
                errs.add(required(limPath, "Limit must be set for non overcommitable resources"));
            }
            hugePages |= name.startsWith("hugepages-");
            reqCpuMem |= name.equals("cpu") || name.equals("memory");
        }
        if (!limCpuMem && !reqCpuMem && hugePages) {
            errs.add(forbidden(path, "HugePages require cpu or memory"));
        }
        return errs;
    }

    private static boolean isNativeResource(String name) {
        return !name.contains("/") || name.contains("kubernetes.io/");
    }

    private static boolean isOvercommitAllowed(String name) {
        return isNativeResource(name) && !name.startsWith("hugepages-");
    }

    private static List<FieldError> validateContainerResourceName(String name, String path) {
        List<FieldError> errs = new ArrayList<>(Validation.validateQualifiedName(name, path));
        if (!errs.isEmpty()) {
            return errs;
        }
        if (!name.contains("/")) {
            if (!STANDARD_RESOURCES.contains(name) && !name.startsWith("hugepages-") && !name.startsWith("requests.hugepages-")) {
                errs.add(invalid(path, name, "must be a standard resource type or fully qualified"));
            }
            if (!STANDARD_CONTAINER_RESOURCES.contains(name) && !name.startsWith("hugepages-")) {
                errs.add(invalid(path, name, "must be a standard resource for containers"));
            }
        } else if (!isNativeResource(name)) {
            if (name.startsWith("requests.") || !Validation.isQualifiedName("requests." + name).isEmpty()) {
                errs.add(invalid(path, name, "doesn't follow extended resource name standard"));
            }
        }
        return errs;
    }

    /** {@code ValidateResourceQuantityValue}: non-negative, integral for integer resources. */
    public static List<FieldError> validateResourceQuantityValue(String resource, Quantity value, String path) {
        List<FieldError> errs = new ArrayList<>();
        String text = Quantities.text(value);
        if (!Quantities.isValid(value)) {
            errs.add(invalid(path, text, Quantities.REGEX_MESSAGE));
            return errs;
        }
        if (Quantities.value(value).signum() < 0) {
            errs.add(invalid(path, Quantities.canonical(value), Validation.IS_NEGATIVE));
        }
        boolean integerResource = resource.startsWith("hugepages-") || !isNativeResource(resource);
        if (integerResource && Quantities.value(value).stripTrailingZeros().scale() > 0) {
            errs.add(invalid(path, GoValues.raw(Quantities.canonical(value)), "must be an integer"));
        }
        return errs;
    }

    // ---------------------------------------------------------------- probes and handlers

    private static List<FieldError> validateLivenessOrStartupProbe(Probe probe, String path) {
        List<FieldError> errs = new ArrayList<>();
        if (probe == null) {
            return errs;
        }
        errs.addAll(validateProbe(probe, path));
        int success = probe.getSuccessThreshold() == null ? 0 : probe.getSuccessThreshold();
        if (success != 1) {
            errs.add(invalid(child(path, "successThreshold"), success, "must be 1"));
        }
        return errs;
    }

    private static List<FieldError> validateReadinessProbe(Probe probe, String path) {
        List<FieldError> errs = new ArrayList<>();
        if (probe == null) {
            return errs;
        }
        errs.addAll(validateProbe(probe, path));
        if (probe.getTerminationGracePeriodSeconds() != null) {
            errs.add(invalid(child(path, "terminationGracePeriodSeconds"), probe.getTerminationGracePeriodSeconds(), "must not be set for readinessProbes"));
        }
        return errs;
    }

    private static List<FieldError> validateProbe(Probe probe, String path) {
        List<FieldError> errs = new ArrayList<>(validateHandler(probe.getExec(), probe.getHttpGet(), probe.getTcpSocket() == null ? null : probe.getTcpSocket().getPort(),
                probe.getTcpSocket() != null, probe.getGrpc() == null ? null : probe.getGrpc().getPort(), false, path));
        errs.addAll(validateNonnegative(n(probe.getInitialDelaySeconds()), child(path, "initialDelaySeconds")));
        errs.addAll(validateNonnegative(n(probe.getTimeoutSeconds()), child(path, "timeoutSeconds")));
        errs.addAll(validateNonnegative(n(probe.getPeriodSeconds()), child(path, "periodSeconds")));
        errs.addAll(validateNonnegative(n(probe.getSuccessThreshold()), child(path, "successThreshold")));
        errs.addAll(validateNonnegative(n(probe.getFailureThreshold()), child(path, "failureThreshold")));
        if (probe.getTerminationGracePeriodSeconds() != null && probe.getTerminationGracePeriodSeconds() <= 0) {
            errs.add(invalid(child(path, "terminationGracePeriodSeconds"), probe.getTerminationGracePeriodSeconds(), "must be greater than 0"));
        }
        return errs;
    }

    private static List<FieldError> validateHandler(LifecycleHandler h, String path) {
        if (h == null) {
            return List.of();
        }
        return validateHandler(h.getExec(), h.getHttpGet(), h.getTcpSocket() == null ? null : h.getTcpSocket().getPort(), h.getTcpSocket() != null,
                null, h.getSleep() != null, path);
    }

    private static List<FieldError> validateHandler(io.fabric8.kubernetes.api.model.ExecAction exec, HTTPGetAction http, IntOrString tcpPort,
            boolean hasTcp, Integer grpcPort, boolean hasSleep, String path) {
        List<FieldError> errs = new ArrayList<>();
        int handlers = 0;
        if (exec != null) {
            handlers++;
            if (exec.getCommand() == null || exec.getCommand().isEmpty()) {
                errs.add(required(child(path, "exec", "command")));
            }
        }
        if (http != null) {
            if (handlers > 0) {
                errs.add(forbidden(child(path, "httpGet"), "may not specify more than 1 handler type"));
            } else {
                handlers++;
                String p = child(path, "httpGet");
                if (http.getPath() == null || http.getPath().isEmpty()) {
                    errs.add(required(child(p, "path")));
                }
                errs.addAll(validatePortNumOrName(http.getPort(), child(p, "port")));
                String scheme = http.getScheme() == null ? "" : http.getScheme();
                if (!scheme.equals("HTTP") && !scheme.equals("HTTPS")) {
                    errs.add(notSupported(child(p, "scheme"), scheme, List.of("HTTP", "HTTPS")));
                }
                for (HTTPHeader header : http.getHttpHeaders()) {
                    String hn = header.getName() == null ? "" : header.getName();
                    for (String m : Validation.isHttpHeaderName(hn)) {
                        errs.add(invalid(child(p, "httpHeaders"), hn, m));
                    }
                }
            }
        }
        if (hasTcp) {
            if (handlers > 0) {
                errs.add(forbidden(child(path, "tcpSocket"), "may not specify more than 1 handler type"));
            } else {
                handlers++;
                errs.addAll(validatePortNumOrName(tcpPort, child(path, "tcpSocket", "port")));
            }
        }
        if (grpcPort != null) {
            if (handlers > 0) {
                errs.add(forbidden(child(path, "grpc"), "may not specify more than 1 handler type"));
            } else {
                handlers++;
                for (String m : Validation.isValidPortNum(grpcPort)) {
                    errs.add(invalid(child(path, "grpc", "port"), grpcPort, m));
                }
            }
        }
        if (hasSleep) {
            if (handlers > 0) {
                errs.add(forbidden(child(path, "sleep"), "may not specify more than 1 handler type"));
            } else {
                handlers++;
            }
        }
        if (handlers == 0) {
            errs.add(required(path, "must specify a handler type"));
        }
        return errs;
    }

    /** {@code ValidatePortNumOrName}: a port number in range or a valid port name. */
    public static List<FieldError> validatePortNumOrName(IntOrString port, String path) {
        List<FieldError> errs = new ArrayList<>();
        if (port != null && port.getStrVal() != null) {
            for (String m : Validation.isValidPortName(port.getStrVal())) {
                errs.add(invalid(path, port.getStrVal(), m));
            }
        } else {
            int v = port == null || port.getIntVal() == null ? 0 : port.getIntVal();
            for (String m : Validation.isValidPortNum(v)) {
                errs.add(invalid(path, v, m));
            }
        }
        return errs;
    }

    // ---------------------------------------------------------------- security, scheduling

    private static List<FieldError> validatePodSecurityContext(PodSpec spec, String path) {
        List<FieldError> errs = new ArrayList<>();
        PodSecurityContext sc = spec.getSecurityContext();
        if (sc == null) {
            return errs;
        }
        if (sc.getFsGroup() != null) {
            Validation.isValidUserId(sc.getFsGroup()).forEach(m -> errs.add(invalid(child(path, "fsGroup"), sc.getFsGroup(), m)));
        }
        if (sc.getRunAsUser() != null) {
            Validation.isValidUserId(sc.getRunAsUser()).forEach(m -> errs.add(invalid(child(path, "runAsUser"), sc.getRunAsUser(), m)));
        }
        if (sc.getRunAsGroup() != null) {
            Validation.isValidUserId(sc.getRunAsGroup()).forEach(m -> errs.add(invalid(child(path, "runAsGroup"), sc.getRunAsGroup(), m)));
        }
        for (int i = 0; i < sc.getSupplementalGroups().size(); i++) {
            Long gid = sc.getSupplementalGroups().get(i);
            String p = index(child(path, "supplementalGroups"), i);
            Validation.isValidUserId(gid).forEach(m -> errs.add(invalid(p, gid, m)));
        }
        if (Boolean.TRUE.equals(spec.getShareProcessNamespace()) && Boolean.TRUE.equals(spec.getHostPID())) {
            errs.add(invalid(child(path, "shareProcessNamespace"), true, "ShareProcessNamespace and HostPID cannot both be enabled"));
        }
        return errs;
    }

    private static List<FieldError> validateSecurityContext(SecurityContext sc, String path) {
        List<FieldError> errs = new ArrayList<>();
        if (sc == null) {
            return errs;
        }
        if (sc.getRunAsUser() != null) {
            Validation.isValidUserId(sc.getRunAsUser()).forEach(m -> errs.add(invalid(child(path, "runAsUser"), sc.getRunAsUser(), m)));
        }
        if (sc.getRunAsGroup() != null) {
            Validation.isValidUserId(sc.getRunAsGroup()).forEach(m -> errs.add(invalid(child(path, "runAsGroup"), sc.getRunAsGroup(), m)));
        }
        if (Boolean.FALSE.equals(sc.getAllowPrivilegeEscalation()) && Boolean.TRUE.equals(sc.getPrivileged())) {
            errs.add(invalid(path, GoValues.raw("&core.SecurityContext{...}"), "cannot set `allowPrivilegeEscalation` to false and `privileged` to true"));
        }
        return errs;
    }

    /** {@code ValidateTolerations}. */
    public static List<FieldError> validateTolerations(List<Toleration> tolerations, String path) {
        List<FieldError> errs = new ArrayList<>();
        for (int i = 0; i < tolerations.size(); i++) {
            Toleration t = tolerations.get(i);
            String p = index(path, i);
            String key = t.getKey() == null ? "" : t.getKey();
            String op = t.getOperator() == null ? "" : t.getOperator();
            String effect = t.getEffect() == null ? "" : t.getEffect();
            String value = t.getValue() == null ? "" : t.getValue();
            if (!key.isEmpty()) {
                errs.addAll(Validation.validateLabelName(key, child(p, "key")));
            }
            if (key.isEmpty() && !op.equals("Exists")) {
                errs.add(invalid(child(p, "operator"), op, "operator must be Exists when `key` is empty, which means \"match all values and all keys\""));
            }
            if (t.getTolerationSeconds() != null && !effect.equals("NoExecute")) {
                errs.add(invalid(child(p, "effect"), effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"));
            }
            switch (op) {
                case "Equal", "" -> {
                    List<String> msgs = Validation.isValidLabelValue(value);
                    if (!msgs.isEmpty()) {
                        errs.add(invalid(child(p, "operator"), value, String.join(";", msgs)));
                    }
                }
                case "Exists" -> {
                    if (!value.isEmpty()) {
                        errs.add(invalid(child(p, "operator"), value, "value must be empty when `operator` is 'Exists'"));
                    }
                }
                default -> errs.add(notSupported(child(p, "operator"), op, List.of("Equal", "Exists")));
            }
            if (!effect.isEmpty() && !TAINT_EFFECTS.contains(effect)) {
                errs.add(notSupported(child(p, "effect"), effect, TAINT_EFFECTS));
            }
        }
        return errs;
    }

    /** {@code validateOnlyAddedTolerations}: existing tolerations may only change their tolerationSeconds. */
    public static List<FieldError> validateOnlyAddedTolerations(List<Toleration> tolerations, List<Toleration> old, String path) {
        for (Toleration o : old) {
            boolean found = false;
            for (Toleration n : tolerations) {
                Toleration clone = Semantic.copy(o);
                clone.setTolerationSeconds(n.getTolerationSeconds());
                if (Semantic.equal(clone, n)) {
                    found = true;
                    break;
                }
            }
            if (!found) {
                return List.of(forbidden(path, "existing toleration can not be modified except its tolerationSeconds"));
            }
        }
        return validateTolerations(tolerations, path);
    }

    private static List<FieldError> validateNodeAffinity(io.fabric8.kubernetes.api.model.NodeAffinity na, String path) {
        List<FieldError> errs = new ArrayList<>();
        if (na.getRequiredDuringSchedulingIgnoredDuringExecution() != null) {
            errs.addAll(validateNodeSelector(na.getRequiredDuringSchedulingIgnoredDuringExecution(), child(path, "requiredDuringSchedulingIgnoredDuringExecution")));
        }
        List<PreferredSchedulingTerm> preferred = na.getPreferredDuringSchedulingIgnoredDuringExecution();
        for (int i = 0; preferred != null && i < preferred.size(); i++) {
            PreferredSchedulingTerm t = preferred.get(i);
            String p = index(child(path, "preferredDuringSchedulingIgnoredDuringExecution"), i);
            int w = t.getWeight() == null ? 0 : t.getWeight();
            if (w <= 0 || w > 100) {
                errs.add(invalid(child(p, "weight"), w, "must be in the range 1-100"));
            }
            if (t.getPreference() != null) {
                errs.addAll(validateNodeSelectorTerm(t.getPreference(), child(p, "preference")));
            }
        }
        return errs;
    }

    /** {@code ValidateNodeSelector}: at least one term, each requirement well-formed. */
    public static List<FieldError> validateNodeSelector(NodeSelector selector, String path) {
        List<FieldError> errs = new ArrayList<>();
        String termsPath = child(path, "nodeSelectorTerms");
        if (selector.getNodeSelectorTerms().isEmpty()) {
            errs.add(required(termsPath, "must have at least one node selector term"));
            return errs;
        }
        for (int i = 0; i < selector.getNodeSelectorTerms().size(); i++) {
            errs.addAll(validateNodeSelectorTerm(selector.getNodeSelectorTerms().get(i), index(termsPath, i)));
        }
        return errs;
    }

    private static List<FieldError> validateNodeSelectorTerm(NodeSelectorTerm term, String path) {
        List<FieldError> errs = new ArrayList<>();
        for (int j = 0; j < term.getMatchExpressions().size(); j++) {
            NodeSelectorRequirement r = term.getMatchExpressions().get(j);
            String p = index(child(path, "matchExpressions"), j);
            List<String> values = r.getValues() == null ? List.of() : r.getValues();
            String op = r.getOperator() == null ? "" : r.getOperator();
            switch (op) {
                case "In", "NotIn" -> {
                    if (values.isEmpty()) {
                        errs.add(required(child(p, "values"), "must be specified when `operator` is 'In' or 'NotIn'"));
                    }
                }
                case "Exists", "DoesNotExist" -> {
                    if (!values.isEmpty()) {
                        errs.add(forbidden(child(p, "values"), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
                    }
                }
                case "Gt", "Lt" -> {
                    if (values.size() != 1) {
                        errs.add(required(child(p, "values"), "must be specified single value when `operator` is 'Lt' or 'Gt'"));
                    }
                }
                default -> errs.add(invalid(child(p, "operator"), op, "not a valid selector operator"));
            }
            errs.addAll(Validation.validateLabelName(r.getKey() == null ? "" : r.getKey(), child(p, "key")));
            for (int k = 0; k < values.size(); k++) {
                for (String m : Validation.isValidLabelValue(values.get(k))) {
                    errs.add(invalid(index(child(p, "values"), k), values.get(k), m));
                }
            }
        }
        for (int j = 0; j < term.getMatchFields().size(); j++) {
            NodeSelectorRequirement r = term.getMatchFields().get(j);
            String p = index(child(path, "matchFields"), j);
            String op = r.getOperator() == null ? "" : r.getOperator();
            List<String> values = r.getValues() == null ? List.of() : r.getValues();
            if (op.equals("In") || op.equals("NotIn")) {
                if (values.size() != 1) {
                    errs.add(required(child(p, "values"), "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"));
                }
            } else {
                errs.add(invalid(child(p, "operator"), op, "not a valid selector operator"));
            }
            if (!"metadata.name".equals(r.getKey())) {
                errs.add(invalid(child(p, "key"), r.getKey() == null ? "" : r.getKey(), "not a valid field selector key"));
            } else {
                for (int k = 0; k < values.size(); k++) {
                    String v = values.get(k);
                    for (String m : NameRule.DNS1123_SUBDOMAIN.validate(v, false)) {
                        errs.add(invalid(index(child(p, "values"), k), v, m));
                    }
                }
            }
        }
        return errs;
    }

    private static List<FieldError> validateDnsConfig(PodDNSConfig config, String dnsPolicy, String path) {
        List<FieldError> errs = new ArrayList<>();
        if (dnsPolicy.equals("None")) {
            if (config == null) {
                errs.add(required(path, "must provide `dnsConfig` when `dnsPolicy` is None"));
                return errs;
            }
            if (config.getNameservers().isEmpty()) {
                errs.add(required(child(path, "nameservers"), "must provide at least one DNS nameserver when `dnsPolicy` is None"));
                return errs;
            }
        }
        if (config == null) {
            return errs;
        }
        if (config.getNameservers().size() > 3) {
            errs.add(invalid(child(path, "nameservers"), config.getNameservers(), "must not have more than 3 nameservers"));
        }
        for (int i = 0; i < config.getNameservers().size(); i++) {
            errs.addAll(Validation.validateIp(index(child(path, "nameservers"), i), config.getNameservers().get(i)));
        }
        if (config.getSearches().size() > 32) {
            errs.add(invalid(child(path, "searches"), config.getSearches(), "must not have more than 32 search paths"));
        }
        if (String.join(" ", config.getSearches()).length() > 2048) {
            errs.add(invalid(child(path, "searches"), config.getSearches(), "must not have more than 2048 characters (including spaces) in the search list"));
        }
        for (int i = 0; i < config.getSearches().size(); i++) {
            String search = config.getSearches().get(i);
            String trimmed = search.endsWith(".") ? search.substring(0, search.length() - 1) : search;
            errs.addAll(Validation.validateDns1123Subdomain(trimmed, index(child(path, "searches"), i)));
        }
        for (int i = 0; i < config.getOptions().size(); i++) {
            String name = config.getOptions().get(i).getName();
            if (name == null || name.isEmpty()) {
                errs.add(required(index(child(path, "options"), i), "must not be empty"));
            }
        }
        return errs;
    }

    private static long n(Integer i) {
        return i == null ? 0 : i;
    }
}
