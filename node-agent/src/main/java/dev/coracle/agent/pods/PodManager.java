package dev.coracle.agent.pods;

import dev.coracle.agent.events.EventRecorder;
import dev.coracle.agent.logs.ContainerLogs;
import dev.coracle.agent.probes.Prober;
import dev.coracle.agent.runtime.ContainerHandle;
import dev.coracle.agent.runtime.ContainerRuntime;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Watches the pods bound to this node ({@code fieldSelector=spec.nodeName=<node>}) and keeps one
 * {@link PodWorker} per pod, handing it each new version of its pod. Once the first list is in, what
 * the runtime still holds for pods that no longer exist (deleted while the agent was away) is
 * stopped and removed, so an agent restart leaves no orphan.
 */
public class PodManager implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PodManager.class);

    private final KubernetesClient client;
    private final PodSettings settings;
    private final ContainerRuntime runtime;
    private final ContainerLogs logs;
    private final EventRecorder events;
    private final boolean stopPodsOnExit;
    private final Prober prober = new Prober();
    private final ExecutorService probes = new ThreadPoolExecutor(0, 64, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
        Thread t = new Thread(r, "probe");
        t.setDaemon(true);
        return t;
    }, new ThreadPoolExecutor.CallerRunsPolicy());
    private final PodWorkerPool pool = new PodWorkerPool();
    private final StatusReporter reporter;
    private final Map<String, PodWorker> workers = new ConcurrentHashMap<>();
    private final ServiceEnv services;
    private SharedIndexInformer<Pod> informer;

    public PodManager(KubernetesClient client, PodSettings settings, ContainerRuntime runtime, ContainerLogs logs,
                      EventRecorder events, ServiceEnv services, boolean stopPodsOnExit) {
        this.client = client;
        this.settings = settings;
        this.runtime = runtime;
        this.logs = logs;
        this.events = events;
        this.stopPodsOnExit = stopPodsOnExit;
        this.reporter = new StatusReporter(client);
        this.services = services;
    }

    public void start() {
        informer = client.pods().inAnyNamespace().withField("spec.nodeName", settings.nodeName()).runnableInformer(60_000);
        informer.itemStore(new PodStore());
        informer.addEventHandler(new ResourceEventHandler<>() {
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
        });
        informer.run(); // returns once the first list is in
        removeOrphans();
    }

    /** Containers of pods the API no longer has: stopped, their state and logs removed. */
    private void removeOrphans() {
        Set<String> known = informer.getStore().list().stream().map(p -> p.getMetadata().getUid()).collect(Collectors.toSet());
        for (String uid : runtime.knownPods()) {
            if (!known.contains(uid) && !workers.containsKey(uid)) {
                log.info("pod {} is gone from the API: removing what is left of it", uid);
                runtime.removePod(uid);
                logs.removePodWithUid(uid);
            }
        }
    }

    private void dispatch(Pod pod) {
        String uid = pod.getMetadata().getUid();
        workers.computeIfAbsent(uid, u -> {
            log.info("pod {}/{} bound to this node: starting its worker", pod.getMetadata().getNamespace(), pod.getMetadata().getName());
            PodWorker w = new PodWorker(client, pod, settings, runtime, logs, events, prober, probes, pool, reporter, services, stopPodsOnExit,
                    () -> workers.remove(u));
            w.start();
            return w;
        }).update(pod);
    }

    /** The pod of that name bound to this node, as last seen, for the agent's logs, exec and stats endpoints. */
    public Optional<Pod> pod(String namespace, String name) {
        return workers.values().stream().map(PodWorker::pod)
                .filter(p -> namespace.equals(p.getMetadata().getNamespace()) && name.equals(p.getMetadata().getName()))
                .findFirst();
    }

    /** Every running app container of this node with its pod, for stats. */
    public List<RunningContainer> runningContainers() {
        List<RunningContainer> out = new ArrayList<>();
        for (PodWorker worker : workers.values()) {
            Pod pod = worker.pod();
            for (Container c : pod.getSpec().getContainers()) {
                worker.container(c.getName()).ifPresent(handle -> out.add(new RunningContainer(pod, c.getName(), handle)));
            }
        }
        return out;
    }

    public record RunningContainer(Pod pod, String container, ContainerHandle handle) {
    }

    public int runningPods() {
        return workers.size();
    }

    /** The running container {@code container} of pod {@code namespace/name}, if this node runs it. */
    public Optional<ContainerHandle> runningContainer(String namespace, String name, String container) {
        for (PodWorker w : workers.values()) {
            Pod p = w.pod();
            if (namespace.equals(p.getMetadata().getNamespace()) && name.equals(p.getMetadata().getName())) {
                return w.container(container);
            }
        }
        return Optional.empty();
    }

    @Override
    public void close() {
        if (informer != null) {
            informer.close();
        }
        List<PodWorker> all = new ArrayList<>(workers.values());
        all.forEach(PodWorker::shutdown);
        // each stops (or lets go of) its containers in parallel; a pod still terminating gets the time it had
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(35);
        for (PodWorker w : all) {
            w.awaitStopped(java.time.Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        }
        pool.close();
        probes.shutdownNow();
    }
}
