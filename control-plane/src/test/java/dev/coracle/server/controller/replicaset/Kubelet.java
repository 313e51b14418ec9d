package dev.coracle.server.controller.replicaset;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Plays the kubelet for the pods of one namespace: a short while after a pod appears it reports it Running
 * and Ready through the status subresource, as a kubelet would once its containers started; a pod bound to
 * a node and being deleted gracefully is finished off. Pods that {@code skip} matches are left alone.
 */
public final class Kubelet implements AutoCloseable {

    private final KubernetesClient client;
    private final String namespace;
    private final Duration readyAfter;
    private final Predicate<Pod> skip;
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "test-kubelet");
        t.setDaemon(true);
        return t;
    });
    private final Set<String> handled = ConcurrentHashMap.newKeySet();
    private final Watch watch;

    public Kubelet(KubernetesClient client, String namespace, Duration readyAfter) {
        this(client, namespace, readyAfter, p -> false);
    }

    public Kubelet(KubernetesClient client, String namespace, Duration readyAfter, Predicate<Pod> skip) {
        this.client = client;
        this.namespace = namespace;
        this.readyAfter = readyAfter;
        this.skip = skip;
        var list = client.pods().inNamespace(namespace).list();
        list.getItems().forEach(this::seen);
        watch = client.pods().inNamespace(namespace)
                .watch(new ListOptionsBuilder().withResourceVersion(list.getMetadata().getResourceVersion()).build(), new Watcher<>() {
                    @Override
                    public void eventReceived(Action action, Pod pod) {
                        if (action != Action.DELETED) {
                            seen(pod);
                        }
                    }

                    @Override
                    public void onClose(WatcherException cause) {
                    }
                });
    }

    private void seen(Pod pod) {
        String name = pod.getMetadata().getName();
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            String node = pod.getSpec().getNodeName();
            if (node != null && !node.isEmpty() && handled.add("delete/" + name)) {
                executor.submit(() -> forceDelete(name));
            }
            return;
        }
        if (!skip.test(pod) && !Pods.isReady(pod) && handled.add("ready/" + pod.getMetadata().getUid())) {
            executor.schedule(() -> markReady(name), readyAfter.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void forceDelete(String name) {
        try {
            client.pods().inNamespace(namespace).withName(name).withGracePeriod(0).delete();
        } catch (KubernetesClientException e) {
            // gone already
        }
    }

    /** Reports the pod Running with its containers started and Ready, retrying on conflicts. */
    private void markReady(String name) {
        for (int attempt = 0; attempt < 20; attempt++) {
            Pod pod = client.pods().inNamespace(namespace).withName(name).get();
            if (pod == null || pod.getMetadata().getDeletionTimestamp() != null) {
                return;
            }
            String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
            PodStatus status = pod.getStatus() == null ? new PodStatus() : pod.getStatus();
            status.setPhase("Running");
            status.setStartTime(status.getStartTime() == null ? now : status.getStartTime());
            List<PodCondition> conditions = new ArrayList<>();
            for (String type : List.of("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled")) {
                conditions.add(new PodConditionBuilder().withType(type).withStatus("True").withLastTransitionTime(now).build());
            }
            status.setConditions(conditions);
            status.setContainerStatuses(pod.getSpec().getContainers().stream().map(c -> new ContainerStatusBuilder()
                    .withName(c.getName()).withImage(c.getImage()).withImageID("").withReady(true).withStarted(true).withRestartCount(0)
                    .withNewState().withNewRunning().withStartedAt(now).endRunning().endState().build()).toList());
            pod.setStatus(status);
            try {
                client.pods().inNamespace(namespace).resource(pod).updateStatus();
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        watch.close();
        executor.shutdownNow();
    }
}
