package dev.coracle.agent.pods;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;

/**
 * The pod informer's store, keeping each pod without its {@code metadata.managedFields}, as the kubelet's informers
 * drop them (client-go's transform): the agent never reads them, and the field sets of every manager that wrote a
 * pod, as nested maps, would otherwise stay in memory for each of the node's pods. The informer hands its
 * handlers the object it stored, so the pod workers get the pods without them too.
 */
final class PodStore extends BasicItemStore<Pod> {

    PodStore() {
        super(Cache::metaNamespaceKeyFunc);
    }

    @Override
    public Pod put(String key, Pod pod) {
        if (pod.getMetadata() != null) {
            pod.getMetadata().setManagedFields(null);
        }
        return super.put(key, pod);
    }
}
