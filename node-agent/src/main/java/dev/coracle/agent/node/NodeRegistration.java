package dev.coracle.agent.node;

import dev.coracle.agent.AgentFlags;
import dev.coracle.agent.events.EventRecorder;
import dev.coracle.agent.runtime.ContainerRuntime;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddressBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.NodeStatusBuilder;
import io.fabric8.kubernetes.api.model.NodeSystemInfoBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Registers the Node and keeps it alive, as the kubelet does: a Lease in kube-node-lease renewed
 * every 10 s, and the node status written when it changes or at least every minute.
 */
public class NodeRegistration {

    private static final Logger log = LoggerFactory.getLogger(NodeRegistration.class);
    public static final String LEASE_NAMESPACE = "kube-node-lease";
    public static final int LEASE_DURATION_SECONDS = 40;
    public static final String LIMITS_ANNOTATION = "coracle.dev/resource-limits";
    private static final long EVICTION_MEMORY = 100L * 1024 * 1024;

    private final KubernetesClient client;
    private final AgentFlags flags;
    private final ContainerRuntime runtime;
    private final String agentVersion;
    private volatile NodeStatus lastWritten;
    private volatile Instant lastWrittenAt = Instant.EPOCH;

    public NodeRegistration(KubernetesClient client, AgentFlags flags, ContainerRuntime runtime, String agentVersion) {
        this.client = client;
        this.flags = flags;
        this.runtime = runtime;
        this.agentVersion = agentVersion;
    }

    public String nodeName() {
        return flags.nodeName();
    }

    /** Creates the Node, or takes over an existing one of that name (a re-join): labels, taints and status are ours. */
    public void register() {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("kubernetes.io/hostname", flags.nodeName());
        labels.put("kubernetes.io/os", "linux");
        labels.put("kubernetes.io/arch", arch());
        labels.put("beta.kubernetes.io/os", "linux");
        labels.put("beta.kubernetes.io/arch", arch());
        labels.put("node.kubernetes.io/instance-type", "coracle");
        labels.putAll(flags.labels());
        NodeStatus status = status();
        Node node = new NodeBuilder().withNewMetadata().withName(flags.nodeName()).withLabels(labels)
                .addToAnnotations("coracle.dev/runtime", runtime.name()).endMetadata()
                .withNewSpec().withTaints(flags.taints().isEmpty() ? null : flags.taints()).endSpec()
                .withStatus(status).build();
        try {
            client.nodes().resource(node).create();
            log.info("registered node {}", flags.nodeName());
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
            Node existing = client.nodes().withName(flags.nodeName()).get();
            Map<String, String> merged = new LinkedHashMap<>(existing.getMetadata().getLabels() == null ? Map.of()
                    : existing.getMetadata().getLabels());
            merged.putAll(labels);
            Map<String, Object> patch = Map.of("metadata", Map.of("labels", merged),
                    "spec", Map.of("taints", flags.taints()));
            client.nodes().withName(flags.nodeName()).patch(PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(patch));
            log.info("node {} was registered before: taking it over", flags.nodeName());
        }
        writeStatus(status);
        renewLease();
    }

    /**
     * Says on the Node whether container limits are enforced: an annotation a user sees in
     * {@code kubectl describe node}, and when they are not, a Warning event on the node saying why.
     */
    public void reportLimits(Optional<String> notEnforced, String cgroupVersion, EventRecorder events) {
        String value = notEnforced.map(reason -> "not enforced: " + reason).orElse("enforced with cgroup " + cgroupVersion);
        try {
            client.nodes().withName(flags.nodeName()).patch(PatchContext.of(PatchType.JSON_MERGE),
                    Serialization.asJson(Map.of("metadata", Map.of("annotations", Map.of(LIMITS_ANNOTATION, value)))));
            Node node = client.nodes().withName(flags.nodeName()).get();
            events.normal(node, null, "Starting", "Starting kubelet.");
            notEnforced.ifPresent(reason -> events.warning(node, null, "ResourceLimitsNotEnforced", reason));
        } catch (KubernetesClientException e) {
            log.warn("cannot annotate node {}: {}", flags.nodeName(), e.getMessage());
        }
        notEnforced.ifPresent(reason -> log.warn("{}", reason));
    }

    /** What pods may use: the capacity less the kubelet's hard eviction thresholds (100Mi of memory, 10% of the disk). */
    public dev.coracle.agent.pods.ContainerEnv.NodeAllocatable allocatable() {
        NodeStatus status = status();
        Map<String, Quantity> a = status.getAllocatable();
        return dev.coracle.agent.pods.PodSettings.allocatable(
                Quantity.getAmountInBytes(a.get("cpu")).multiply(java.math.BigDecimal.valueOf(1000)).longValue(),
                Quantity.getAmountInBytes(a.get("memory")).longValue(),
                Quantity.getAmountInBytes(a.get("ephemeral-storage")).longValue());
    }

    public void start(ScheduledExecutorService scheduler) {
        scheduler.scheduleWithFixedDelay(this::renewLeaseQuietly, 10, 10, TimeUnit.SECONDS);
        scheduler.scheduleWithFixedDelay(this::updateStatusQuietly, 10, 10, TimeUnit.SECONDS);
    }

    private void renewLeaseQuietly() {
        try {
            renewLease();
        } catch (RuntimeException e) {
            log.warn("cannot renew the node lease: {}", e.getMessage());
        }
    }

    private void updateStatusQuietly() {
        try {
            NodeStatus status = status();
            boolean changed = !sameIgnoringTimes(status, lastWritten);
            if (changed || Instant.now().isAfter(lastWrittenAt.plusSeconds(60))) {
                writeStatus(status);
            }
        } catch (RuntimeException e) {
            log.warn("cannot update the node status: {}", e.getMessage());
        }
    }

    public void renewLease() {
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
        Lease current = client.leases().inNamespace(LEASE_NAMESPACE).withName(flags.nodeName()).get();
        if (current == null) {
            Lease lease = new LeaseBuilder().withNewMetadata().withName(flags.nodeName()).withNamespace(LEASE_NAMESPACE)
                    .endMetadata().withNewSpec().withHolderIdentity(flags.nodeName())
                    .withLeaseDurationSeconds(LEASE_DURATION_SECONDS).withRenewTime(now).endSpec().build();
            try {
                client.leases().inNamespace(LEASE_NAMESPACE).resource(lease).create();
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
                current = client.leases().inNamespace(LEASE_NAMESPACE).withName(flags.nodeName()).get();
            }
        }
        current.getSpec().setRenewTime(now);
        current.getSpec().setHolderIdentity(flags.nodeName());
        current.getSpec().setLeaseDurationSeconds(LEASE_DURATION_SECONDS);
        client.leases().inNamespace(LEASE_NAMESPACE).resource(current).update();
    }

    private void writeStatus(NodeStatus status) {
        client.nodes().withName(flags.nodeName()).subresource("status")
                .patch(PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(Map.of("status", status)));
        lastWritten = status;
        lastWrittenAt = Instant.now();
    }

    NodeStatus status() {
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        Map<String, Quantity> capacity = new LinkedHashMap<>();
        capacity.put("cpu", new Quantity(String.valueOf(Runtime.getRuntime().availableProcessors())));
        long memory = totalMemory();
        capacity.put("memory", new Quantity((memory / 1024) + "Ki"));
        capacity.put("pods", new Quantity("110"));
        File disk = flags.dataDir().toFile();
        long diskTotal = disk.exists() ? disk.getTotalSpace() : new File("/").getTotalSpace();
        capacity.put("ephemeral-storage", new Quantity((diskTotal / 1024) + "Ki"));
        boolean memoryPressure = availableMemory() >= 0 && availableMemory() < EVICTION_MEMORY;
        boolean diskPressure = disk.exists() && disk.getUsableSpace() < diskTotal / 10;
        boolean pidPressure = pidPressure();
        Map<String, Quantity> allocatable = new LinkedHashMap<>(capacity);
        allocatable.put("memory", new Quantity((Math.max(0, memory - EVICTION_MEMORY) / 1024) + "Ki"));
        allocatable.put("ephemeral-storage", new Quantity(String.valueOf(diskTotal - diskTotal / 10)));
        List<NodeCondition> conditions = new ArrayList<>();
        conditions.add(condition("MemoryPressure", memoryPressure, memoryPressure ? "KubeletHasInsufficientMemory" : "KubeletHasSufficientMemory",
                memoryPressure ? "agent has insufficient memory available" : "agent has sufficient memory available", now));
        conditions.add(condition("DiskPressure", diskPressure, diskPressure ? "KubeletHasDiskPressure" : "KubeletHasNoDiskPressure",
                diskPressure ? "agent has disk pressure" : "agent has no disk pressure", now));
        conditions.add(condition("PIDPressure", pidPressure, pidPressure ? "KubeletHasInsufficientPID" : "KubeletHasSufficientPID",
                pidPressure ? "agent has insufficient PID available" : "agent has sufficient PID available", now));
        conditions.add(condition("Ready", true, "KubeletReady", "agent is posting ready status", now));
        return new NodeStatusBuilder()
                .withCapacity(capacity).withAllocatable(allocatable)
                .withConditions(conditions)
                .withAddresses(new NodeAddressBuilder().withType("InternalIP").withAddress(flags.nodeIp()).build(),
                        new NodeAddressBuilder().withType("Hostname").withAddress(flags.nodeName()).build())
                .withNodeInfo(new NodeSystemInfoBuilder()
                        .withArchitecture(arch()).withOperatingSystem("linux")
                        .withKernelVersion(System.getProperty("os.version")).withOsImage(osImage())
                        .withContainerRuntimeVersion(runtime.version())
                        .withKubeletVersion("v1.32.0-coracle+" + agentVersion).withKubeProxyVersion("")
                        .withMachineID(read(Path.of("/etc/machine-id"))).withSystemUUID(read(Path.of("/sys/class/dmi/id/product_uuid")))
                        .withBootID(read(Path.of("/proc/sys/kernel/random/boot_id"))).build())
                .withNewDaemonEndpoints().withNewKubeletEndpoint().withPort(flags.agentPort()).endKubeletEndpoint().endDaemonEndpoints()
                .build();
    }

    /** The condition now; its lastTransitionTime stays what it was while its status does not change. */
    private NodeCondition condition(String type, boolean on, String reason, String message, String now) {
        String status = on ? "True" : "False";
        String transition = now;
        NodeStatus before = lastWritten;
        if (before != null && before.getConditions() != null) {
            for (NodeCondition c : before.getConditions()) {
                if (c.getType().equals(type) && c.getStatus().equals(status) && c.getLastTransitionTime() != null) {
                    transition = c.getLastTransitionTime();
                }
            }
        }
        return new NodeConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message)
                .withLastHeartbeatTime(now).withLastTransitionTime(transition).build();
    }

    /** Fewer than a tenth of {@code kernel.pid_max} left (tasks counted in /proc/loadavg). */
    private static boolean pidPressure() {
        try {
            // readAllLines, not readString: the JDK reads /proc/sys files short when it trusts their size of 0
            long max = Long.parseLong(Files.readAllLines(Path.of("/proc/sys/kernel/pid_max")).get(0).trim());
            String[] loadavg = Files.readAllLines(Path.of("/proc/loadavg")).get(0).trim().split("\\s+");
            long tasks = Long.parseLong(loadavg[3].substring(loadavg[3].indexOf('/') + 1));
            return max - tasks < max / 10;
        } catch (Exception e) {
            return false;
        }
    }

    /** Equal but for the condition times (which move on every heartbeat). */
    private static boolean sameIgnoringTimes(NodeStatus a, NodeStatus b) {
        if (b == null) {
            return false;
        }
        NodeStatus ca = new NodeStatusBuilder(a).build();
        NodeStatus cb = new NodeStatusBuilder(b).build();
        ca.getConditions().forEach(c -> { c.setLastHeartbeatTime(null); c.setLastTransitionTime(null); });
        cb.getConditions().forEach(c -> { c.setLastHeartbeatTime(null); c.setLastTransitionTime(null); });
        ca.setCapacity(null); cb.setCapacity(null); ca.setAllocatable(null); cb.setAllocatable(null);
        return Objects.equals(ca, cb);
    }

    static String arch() {
        String arch = System.getProperty("os.arch");
        return switch (arch) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            default -> arch;
        };
    }

    private static long totalMemory() {
        long kb = meminfo("MemTotal:");
        if (kb > 0) {
            return kb * 1024;
        }
        var os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getTotalMemorySize() : 0;
    }

    private static long availableMemory() {
        long kb = meminfo("MemAvailable:");
        return kb < 0 ? -1 : kb * 1024;
    }

    private static long meminfo(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith(key)) {
                    return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (Exception ignored) {
            // not Linux
        }
        return -1;
    }

    private static String osImage() {
        try {
            for (String line : Files.readAllLines(Path.of("/etc/os-release"))) {
                if (line.startsWith("PRETTY_NAME=")) {
                    return line.substring(12).replace("\"", "");
                }
            }
        } catch (Exception ignored) {
            // unknown
        }
        return System.getProperty("os.name");
    }

    private static String read(Path file) {
        try {
            return String.join("\n", Files.readAllLines(file)).trim();
        } catch (Exception e) {
            return "";
        }
    }
}
