package dev.coracle.server.controller.deployment;

import dev.coracle.server.controller.replicaset.Pods;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Follows the pods of a namespace through one watch, from a list, and keeps what every moment looked like:
 * after each event, a summary of all the pods then present.
 */
final class PodRecorder implements AutoCloseable {

    /** One moment: how many pods existed, how many were available (ready, not terminating), and which templates. */
    record Moment(String event, int pods, int available, Set<String> hashes) {
    }

    private final Map<String, Pod> pods = new LinkedHashMap<>();
    private final List<Moment> moments = new ArrayList<>();
    private final Watch watch;

    PodRecorder(KubernetesClient client, String namespace) {
        var list = client.pods().inNamespace(namespace).list();
        synchronized (this) {
            list.getItems().forEach(p -> pods.put(p.getMetadata().getName(), p));
            record("LIST");
        }
        watch = client.pods().inNamespace(namespace)
                .watch(new ListOptionsBuilder().withResourceVersion(list.getMetadata().getResourceVersion()).build(), new Watcher<>() {
                    @Override
                    public void eventReceived(Action action, Pod pod) {
                        synchronized (PodRecorder.this) {
                            if (action == Action.DELETED) {
                                pods.remove(pod.getMetadata().getName());
                            } else {
                                pods.put(pod.getMetadata().getName(), pod);
                            }
                            record(action + " " + pod.getMetadata().getName() + (Pods.isReady(pod) ? " ready" : "")
                                    + (pod.getMetadata().getDeletionTimestamp() != null ? " terminating" : ""));
                        }
                    }

                    @Override
                    public void onClose(WatcherException cause) {
                    }
                });
    }

    private void record(String event) {
        Collection<Pod> now = pods.values();
        int available = (int) now.stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null && Pods.isReady(p)).count();
        Set<String> hashes = new TreeSet<>();
        for (Pod p : now) {
            String hash = p.getMetadata().getLabels() == null ? null : p.getMetadata().getLabels().get("pod-template-hash");
            if (hash != null) {
                hashes.add(hash);
            }
        }
        moments.add(new Moment(event, now.size(), available, hashes));
    }

    synchronized List<Moment> moments() {
        return List.copyOf(moments);
    }

    synchronized <T> List<T> each(Function<Moment, T> f) {
        return moments.stream().map(f).toList();
    }

    @Override
    public void close() {
        watch.close();
    }
}
