package dev.coracle.agent.pods;

import dev.coracle.agent.logs.ContainerLogs;
import dev.coracle.agent.runtime.ContainerHandle;
import dev.coracle.agent.runtime.ContainerRuntime;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Watches the pods bound to this node ({@code fieldSelector=spec.nodeName=<node>}) and keeps one
 * {@link PodWorker} per pod, handing it each new version of its pod.
 */
public class PodManager implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PodManager.class);

    private final KubernetesClient client;
    private final String nodeName;
    private final String nodeIp;
    private final ContainerRuntime runtime;
    private final ContainerLogs logs;
    private final Duration backOffBase;
    private final Map<String, PodWorker> workers = new ConcurrentHashMap<>();
    private SharedIndexInformer<Pod> informer;

    public PodManager(KubernetesClient client, String nodeName, String nodeIp, ContainerRuntime runtime, ContainerLogs logs,
                      Duration backOffBase) {
        this.client = client;
        this.nodeName = nodeName;
        this.nodeIp = nodeIp;
        this.runtime = runtime;
        this.logs = logs;
        this.backOffBase = backOffBase;
    }

    public void start() {
        informer = client.pods().inAnyNamespace().withField("spec.nodeName", nodeName).inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                dispatch(pod);
            }

            @Override
            public void onUpdate(Pod old, Pod pod) {
                dispatch(pod);
            }

            @Override
            public void onDelete(Pod pod, boolean finalStateUnknown) {
                PodWorker worker = workers.get(pod.getMetadata().getUid());
                if (worker != null) {
                    worker.removed();
                }
            }
        }, 60_000);
    }

    private void dispatch(Pod pod) {
        String uid = pod.getMetadata().getUid();
        PodWorker worker = workers.computeIfAbsent(uid, u -> {
            log.info("pod {}/{} bound to this node: starting its worker", pod.getMetadata().getNamespace(), pod.getMetadata().getName());
            PodWorker w = new PodWorker(client, pod, nodeIp, runtime, logs, backOffBase, () -> workers.remove(u));
            w.start();
            return w;
        });
        worker.update(pod);
    }

    /** The pod of that name bound to this node, as last seen, for the agent's logs, exec and stats endpoints. */
    public java.util.Optional<Pod> pod(String namespace, String name) {
        return workers.values().stream().map(PodWorker::pod)
                .filter(p -> namespace.equals(p.getMetadata().getNamespace()) && name.equals(p.getMetadata().getName()))
                .findFirst();
    }

    /** A running container of a pod of this node, by names. */
    public java.util.Optional<ContainerHandle> runningContainer(String namespace, String name, String container) {
        return workers.values().stream()
                .filter(w -> namespace.equals(w.pod().getMetadata().getNamespace()) && name.equals(w.pod().getMetadata().getName()))
                .map(w -> w.runningContainer(container)).filter(java.util.Objects::nonNull).findFirst();
    }

    /** Every running container of this node with its pod, for stats. */
    public java.util.List<RunningContainer> runningContainers() {
        java.util.List<RunningContainer> out = new java.util.ArrayList<>();
        for (PodWorker worker : workers.values()) {
            Pod pod = worker.pod();
            for (var c : pod.getSpec().getContainers()) {
                ContainerHandle handle = worker.runningContainer(c.getName());
                if (handle != null) {
                    out.add(new RunningContainer(pod, c.getName(), handle));
                }
            }
        }
        return out;
    }

    public record RunningContainer(Pod pod, String container, ContainerHandle handle) {
    }

    public int runningPods() {
        return workers.size();
    }

    @Override
    public void close() {
        if (informer != null) {
            informer.close();
        }
        workers.values().forEach(PodWorker::shutdown);
    }
}
