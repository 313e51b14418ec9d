package dev.coracle.server.scheduler;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.NodeSelector;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PreferredSchedulingTerm;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the scheduler needs of a pod, computed once: its effective requests (as
 * {@code resourcehelper.PodRequests} computes them), the non-zero requests scoring uses, host ports,
 * tolerations, node selection, the controller that owns it, its inter-pod (anti-)affinity terms (as
 * {@code framework.PodInfo} parses them) and its topology spread constraints.
 */
public final class PodInfo {

    /** {@code schedutil.DefaultMilliCPURequest} and {@code DefaultMemoryRequest}: what scoring assumes of a container asking for nothing. */
    static final long DEFAULT_MILLI_CPU = 100;
    static final long DEFAULT_MEMORY = 200L * 1024 * 1024;

    public record HostPort(String ip, String protocol, int port) {
    }

    public final Pod pod;
    public final String key;
    public final String uid;
    public final Resource requests;
    public final long nonZeroMilliCpu;
    public final long nonZeroMemory;
    public final List<HostPort> hostPorts;
    public final List<Toleration> tolerations;
    public final Map<String, String> nodeSelector;
    public final NodeSelector requiredAffinity;
    public final List<PreferredSchedulingTerm> preferredAffinity;
    /** The uid of the controller ownerReference, or null. */
    public final String ownerUid;
    /** The kind of the controller ownerReference, or null. */
    public final String ownerKind;
    public final int priority;
    public final Map<String, String> labels;
    /** Being deleted: topology spreading does not count it. */
    public final boolean terminating;
    /** {@code podWithAffinity}: the pod has pod affinity or anti-affinity, so other pods' scoring must look at it. */
    public final boolean hasPodAffinity;
    public final List<AffinityTerm> requiredAffinityTerms;
    public final List<AffinityTerm> requiredAntiAffinityTerms;
    public final List<AffinityTerm> preferredAffinityTerms;
    public final List<AffinityTerm> preferredAntiAffinityTerms;
    public final List<TopologySpreadConstraint> topologySpreadConstraints;

    private PodInfo(Pod pod) {
        this.pod = pod;
        this.key = pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
        this.uid = pod.getMetadata().getUid();
        this.labels = pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
        this.terminating = pod.getMetadata().getDeletionTimestamp() != null;
        PodSpec spec = pod.getSpec() == null ? new PodSpec() : pod.getSpec();
        this.requests = requests(spec, false);
        Resource nonZero = requests(spec, true);
        this.nonZeroMilliCpu = nonZero.milliCpu;
        this.nonZeroMemory = nonZero.memory;
        this.hostPorts = hostPorts(spec);
        this.tolerations = spec.getTolerations();
        this.nodeSelector = spec.getNodeSelector() == null ? Map.of() : spec.getNodeSelector();
        var nodeAffinity = spec.getAffinity() == null ? null : spec.getAffinity().getNodeAffinity();
        this.requiredAffinity = nodeAffinity == null ? null : nodeAffinity.getRequiredDuringSchedulingIgnoredDuringExecution();
        this.preferredAffinity = nodeAffinity == null ? List.of() : nodeAffinity.getPreferredDuringSchedulingIgnoredDuringExecution();
        OwnerReference owner = null;
        for (OwnerReference ref : pod.getMetadata().getOwnerReferences()) {
            if (Boolean.TRUE.equals(ref.getController())) {
                owner = ref;
                break;
            }
        }
        this.ownerUid = owner == null ? null : owner.getUid();
        this.ownerKind = owner == null ? null : owner.getKind();
        this.priority = spec.getPriority() == null ? 0 : spec.getPriority();
        var affinity = spec.getAffinity() == null ? null : spec.getAffinity().getPodAffinity();
        var anti = spec.getAffinity() == null ? null : spec.getAffinity().getPodAntiAffinity();
        this.hasPodAffinity = affinity != null || anti != null;
        this.requiredAffinityTerms = affinity == null ? List.of() : AffinityTerm.of(this, affinity.getRequiredDuringSchedulingIgnoredDuringExecution());
        this.preferredAffinityTerms = affinity == null ? List.of() : AffinityTerm.weighted(this, affinity.getPreferredDuringSchedulingIgnoredDuringExecution());
        this.requiredAntiAffinityTerms = anti == null ? List.of() : AffinityTerm.of(this, anti.getRequiredDuringSchedulingIgnoredDuringExecution());
        this.preferredAntiAffinityTerms = anti == null ? List.of() : AffinityTerm.weighted(this, anti.getPreferredDuringSchedulingIgnoredDuringExecution());
        this.topologySpreadConstraints = spec.getTopologySpreadConstraints() == null ? List.of() : spec.getTopologySpreadConstraints();
    }

    public static PodInfo of(Pod pod) {
        return new PodInfo(pod);
    }

    public String namespace() {
        return pod.getMetadata().getNamespace();
    }

    public String name() {
        return pod.getMetadata().getName();
    }

    /**
     * {@code resourcehelper.PodRequests}: containers add up, restartable (sidecar) init containers add to them,
     * each other init container needs its own request plus the sidecars started before it, the pod needs the
     * larger of the two, plus its overhead. With {@code nonZero}, a container without a cpu or memory request
     * counts as asking for 100m and 200Mi, as scoring does.
     */
    static Resource requests(PodSpec spec, boolean nonZero) {
        Resource containers = new Resource();
        for (Container c : spec.getContainers()) {
            containers.add(container(c, nonZero), 1);
        }
        Resource sidecars = new Resource();
        Resource initMax = new Resource();
        for (Container c : spec.getInitContainers()) {
            Resource r = container(c, nonZero);
            if ("Always".equals(c.getRestartPolicy())) {
                sidecars.add(r, 1);
                initMax.max(sidecars);
            } else {
                Resource running = r.copy();
                running.add(sidecars, 1);
                initMax.max(running);
            }
        }
        containers.add(sidecars, 1);
        containers.max(initMax);
        if (spec.getOverhead() != null && !spec.getOverhead().isEmpty()) {
            containers.add(spec.getOverhead());
        }
        return containers;
    }

    private static Resource container(Container c, boolean nonZero) {
        Map<String, Quantity> requests = c.getResources() == null || c.getResources().getRequests() == null
                ? Map.of() : c.getResources().getRequests();
        Resource r = Resource.of(requests);
        if (nonZero) {
            if (!requests.containsKey(Resource.CPU)) {
                r.milliCpu = DEFAULT_MILLI_CPU;
            }
            if (!requests.containsKey(Resource.MEMORY)) {
                r.memory = DEFAULT_MEMORY;
            }
        }
        return r;
    }

    /** {@code schedutil.GetHostPorts}: container ports with a hostPort, protocol TCP and host IP 0.0.0.0 unless given. */
    private static List<HostPort> hostPorts(PodSpec spec) {
        List<HostPort> out = null;
        for (Container c : spec.getContainers()) {
            for (ContainerPort p : c.getPorts()) {
                if (p.getHostPort() == null || p.getHostPort() <= 0) {
                    continue;
                }
                if (out == null) {
                    out = new ArrayList<>();
                }
                String ip = p.getHostIP() == null || p.getHostIP().isEmpty() ? "0.0.0.0" : p.getHostIP();
                String protocol = p.getProtocol() == null || p.getProtocol().isEmpty() ? "TCP" : p.getProtocol();
                out.add(new HostPort(ip, protocol, p.getHostPort()));
            }
        }
        return out == null ? List.of() : out;
    }
}
