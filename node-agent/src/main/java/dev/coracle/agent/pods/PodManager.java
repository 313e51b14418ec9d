package dev.coracle.agent.pods;

import dev.coracle.agent.logs.ContainerLogs;
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
