package dev.coracle.agent.pods;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapKeySelector;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceFieldSelector;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A container's environment as the kubelet makes it ({@code makeEnvironmentVariables}): {@code envFrom}
 * first (ConfigMaps and Secrets, with their prefix; keys that are not valid variable names are skipped
 * and reported), then {@code env} in order, each value {@code $(VAR)}-expanded against what is defined
 * so far, {@code valueFrom} read from the downward API, resources, ConfigMaps or Secrets. A missing
 * ConfigMap, Secret or key that is not {@code optional} fails with the kubelet's message.
 */
public final class ContainerEnv {

    private static final Pattern LABEL_OR_ANNOTATION = Pattern.compile("metadata\\.(labels|annotations)\\['(.*)'\\]");
    private static final Pattern ENV_NAME = Pattern.compile("[-._a-zA-Z][-._a-zA-Z0-9]*");

    /** What the kubelet would use when a container sets no limit: the node's allocatable. */
    public record NodeAllocatable(long milliCpu, long memoryBytes, long ephemeralStorageBytes) {
    }

    private final KubernetesClient client;
    private final Pod pod;
    private final String hostIp;
    private final String podIp;
    private final NodeAllocatable allocatable;
    private final Map<String, String> services;
    private final Map<String, ConfigMap> configMaps = new LinkedHashMap<>();
    private final Map<String, Secret> secrets = new LinkedHashMap<>();
    private final List<String> invalidNames = new ArrayList<>();

    /** @param services the Service variables the pod sees ({@link ServiceEnv}): defaults the container's own override */
    ContainerEnv(KubernetesClient client, Pod pod, String hostIp, String podIp, NodeAllocatable allocatable, Map<String, String> services) {
        this.client = client;
        this.services = services;
        this.pod = pod;
        this.hostIp = hostIp;
        this.podIp = podIp;
        this.allocatable = allocatable;
    }

    /** envFrom keys that were skipped for not being valid variable names (the kubelet's InvalidEnvironmentVariableNames). */
    List<String> invalidNames() {
        return invalidNames;
    }

    Map<String, String> resolve(Container container) throws ContainerConfigException {
        Map<String, String> env = new LinkedHashMap<>();
        if (container.getEnvFrom() != null) {
            for (EnvFromSource from : container.getEnvFrom()) {
                String prefix = Objects.requireNonNullElse(from.getPrefix(), "");
                Map<String, String> values = new TreeMap<>();
                if (from.getConfigMapRef() != null) {
                    ConfigMap cm = configMap(from.getConfigMapRef().getName(), Boolean.TRUE.equals(from.getConfigMapRef().getOptional()));
                    if (cm != null && cm.getData() != null) {
                        values.putAll(cm.getData());
                    }
                } else if (from.getSecretRef() != null) {
                    Secret s = secret(from.getSecretRef().getName(), Boolean.TRUE.equals(from.getSecretRef().getOptional()));
                    if (s != null) {
                        values.putAll(decoded(s));
                    }
                }
                for (Map.Entry<String, String> e : values.entrySet()) {
                    String name = prefix + e.getKey();
                    if (!ENV_NAME.matcher(name).matches()) {
                        invalidNames.add(e.getKey());
                        continue;
                    }
                    env.put(name, e.getValue());
                }
            }
        }
        if (container.getEnv() != null) {
            for (EnvVar var : container.getEnv()) {
                if (var.getValueFrom() == null) {
                    env.put(var.getName(), Expansion.expand(Objects.requireNonNullElse(var.getValue(), ""), visible(env)));
                    continue;
                }
                String value = valueFrom(container, var.getValueFrom());
                if (value != null) {
                    env.put(var.getName(), value);
                }
            }
        }
        services.forEach(env::putIfAbsent);
        return env;
    }

    /** What {@code $(VAR)} may name: the variables defined so far, then the Service variables. */
    private Map<String, String> visible(Map<String, String> env) {
        if (services.isEmpty()) {
            return env;
        }
        Map<String, String> all = new LinkedHashMap<>(services);
        all.putAll(env);
        return all;
    }

    /** command and args with {@code $(VAR)} expanded against the container's environment. */
    static List<String> commandLine(Container container, Map<String, String> env) {
        List<String> argv = new ArrayList<>();
        if (container.getCommand() != null) {
            container.getCommand().forEach(a -> argv.add(Expansion.expand(a, env)));
        }
        if (container.getArgs() != null) {
            container.getArgs().forEach(a -> argv.add(Expansion.expand(a, env)));
        }
        return argv;
    }

    private String valueFrom(Container container, EnvVarSource source) throws ContainerConfigException {
        if (source.getFieldRef() != null) {
            return fieldRef(source.getFieldRef().getFieldPath());
        }
        if (source.getResourceFieldRef() != null) {
            return resourceFieldRef(container, source.getResourceFieldRef());
        }
        if (source.getConfigMapKeyRef() != null) {
            ConfigMapKeySelector ref = source.getConfigMapKeyRef();
            boolean optional = Boolean.TRUE.equals(ref.getOptional());
            ConfigMap cm = configMap(ref.getName(), optional);
            if (cm == null) {
                return null;
            }
            String value = cm.getData() == null ? null : cm.getData().get(ref.getKey());
            if (value == null && cm.getBinaryData() != null && cm.getBinaryData().containsKey(ref.getKey())) {
                value = new String(Base64.getDecoder().decode(cm.getBinaryData().get(ref.getKey())), StandardCharsets.UTF_8);
            }
            if (value == null && !optional) {
                throw new ContainerConfigException("couldn't find key " + ref.getKey() + " in ConfigMap "
                        + pod.getMetadata().getNamespace() + "/" + ref.getName());
            }
            return value;
        }
        if (source.getSecretKeyRef() != null) {
            SecretKeySelector ref = source.getSecretKeyRef();
            boolean optional = Boolean.TRUE.equals(ref.getOptional());
            Secret s = secret(ref.getName(), optional);
            if (s == null) {
                return null;
            }
            String value = decoded(s).get(ref.getKey());
            if (value == null && !optional) {
                throw new ContainerConfigException("couldn't find key " + ref.getKey() + " in Secret "
                        + pod.getMetadata().getNamespace() + "/" + ref.getName());
            }
            return value;
        }
        return "";
    }

    /** The downward API's fields (the kubelet's podFieldSelectorRuntimeValue). */
    String fieldRef(String path) throws ContainerConfigException {
        Matcher m = LABEL_OR_ANNOTATION.matcher(path);
        if (m.matches()) {
            Map<String, String> map = m.group(1).equals("labels") ? pod.getMetadata().getLabels() : pod.getMetadata().getAnnotations();
            return map == null ? "" : map.getOrDefault(m.group(2), "");
        }
        return switch (path) {
            case "metadata.name" -> pod.getMetadata().getName();
            case "metadata.namespace" -> pod.getMetadata().getNamespace();
            case "metadata.uid" -> pod.getMetadata().getUid();
            case "metadata.labels" -> formatMap(pod.getMetadata().getLabels());
            case "metadata.annotations" -> formatMap(pod.getMetadata().getAnnotations());
            case "spec.nodeName" -> Objects.requireNonNullElse(pod.getSpec().getNodeName(), "");
            case "spec.serviceAccountName" -> Objects.requireNonNullElse(pod.getSpec().getServiceAccountName(), "");
            case "status.hostIP", "status.hostIPs" -> hostIp;
            case "status.podIP", "status.podIPs" -> podIp;
            default -> throw new ContainerConfigException("unsupported fieldPath: " + path);
        };
    }

    private static String formatMap(Map<String, String> map) {
        if (map == null) {
            return "";
        }
        List<String> lines = new ArrayList<>();
        new TreeMap<>(map).forEach((k, v) -> lines.add(k + "=\"" + v.replace("\\", "\\\\").replace("\n", "\\n").replace("\"", "\\\"") + "\""));
        return String.join("\n", lines);
    }

    /**
     * {@code limits.cpu} and friends, divided by {@code divisor} and rounded up, as the kubelet's
     * ExtractContainerResourceValue; a container without that limit gets the node's allocatable, and
     * a missing request falls back to the limit.
     */
    String resourceFieldRef(Container self, ResourceFieldSelector ref) throws ContainerConfigException {
        Container container = self;
        if (ref.getContainerName() != null && !ref.getContainerName().isEmpty()) {
            container = allContainers().stream().filter(c -> c.getName().equals(ref.getContainerName())).findFirst()
                    .orElseThrow(() -> new ContainerConfigException("container " + ref.getContainerName() + " not found"));
        }
        String resource = ref.getResource();
        BigDecimal value = quantity(container, resource);
        BigDecimal divisor = ref.getDivisor() == null || ref.getDivisor().getAmount() == null
                ? BigDecimal.ONE : Quantity.getAmountInBytes(ref.getDivisor());
        if (divisor.signum() == 0) {
            divisor = BigDecimal.ONE;
        }
        if (resource.endsWith(".cpu")) {
            // millicores first, as the kubelet rounds: ceil(milli(value) / milli(divisor))
            BigDecimal milli = value.multiply(BigDecimal.valueOf(1000)).setScale(0, RoundingMode.CEILING);
            BigDecimal divMilli = divisor.multiply(BigDecimal.valueOf(1000)).setScale(0, RoundingMode.CEILING);
            return milli.divide(divMilli.signum() == 0 ? BigDecimal.ONE : divMilli, 0, RoundingMode.CEILING).toPlainString();
        }
        return value.divide(divisor, 0, RoundingMode.CEILING).toPlainString();
    }

    private BigDecimal quantity(Container container, String resource) throws ContainerConfigException {
        int dot = resource.indexOf('.');
        if (dot < 0) {
            throw new ContainerConfigException("unsupported container resource: " + resource);
        }
        String kind = resource.substring(0, dot);
        String name = resource.substring(dot + 1);
        var r = container.getResources();
        Map<String, Quantity> limits = r == null || r.getLimits() == null ? Map.of() : r.getLimits();
        Map<String, Quantity> requests = r == null || r.getRequests() == null ? Map.of() : r.getRequests();
        Quantity q = kind.equals("requests") ? requests.getOrDefault(name, limits.get(name)) : limits.get(name);
        if (kind.equals("requests") && q == null && name.equals("cpu")) {
            return BigDecimal.ZERO;
        }
        if (q != null) {
            return Quantity.getAmountInBytes(q);
        }
        return switch (name) {
            case "cpu" -> BigDecimal.valueOf(allocatable.milliCpu()).divide(BigDecimal.valueOf(1000));
            case "memory" -> BigDecimal.valueOf(allocatable.memoryBytes());
            case "ephemeral-storage" -> BigDecimal.valueOf(allocatable.ephemeralStorageBytes());
            default -> {
                if (!kind.equals("limits") && !kind.equals("requests")) {
                    throw new ContainerConfigException("unsupported container resource: " + resource);
                }
                yield BigDecimal.ZERO;
            }
        };
    }

    private List<Container> allContainers() {
        List<Container> all = new ArrayList<>(pod.getSpec().getContainers());
        if (pod.getSpec().getInitContainers() != null) {
            all.addAll(pod.getSpec().getInitContainers());
        }
        return all;
    }

    private ConfigMap configMap(String name, boolean optional) throws ContainerConfigException {
        if (!configMaps.containsKey(name)) {
            configMaps.put(name, client.configMaps().inNamespace(pod.getMetadata().getNamespace()).withName(name).get());
        }
        ConfigMap cm = configMaps.get(name);
        if (cm == null && !optional) {
            throw new ContainerConfigException("configmap \"" + name + "\" not found");
        }
        return cm;
    }

    private Secret secret(String name, boolean optional) throws ContainerConfigException {
        if (!secrets.containsKey(name)) {
            secrets.put(name, client.secrets().inNamespace(pod.getMetadata().getNamespace()).withName(name).get());
        }
        Secret s = secrets.get(name);
        if (s == null && !optional) {
            throw new ContainerConfigException("secret \"" + name + "\" not found");
        }
        return s;
    }

    private static Map<String, String> decoded(Secret s) {
        Map<String, String> out = new LinkedHashMap<>();
        if (s.getData() != null) {
            s.getData().forEach((k, v) -> out.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
        }
        if (s.getStringData() != null) {
            out.putAll(s.getStringData());
        }
        return out;
    }
}
