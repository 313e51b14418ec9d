package dev.coracle.server.controller.endpointslice;

import dev.coracle.server.controller.Informer;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * endpointslice's EndpointSliceTracker: the generation of every slice this controller last wrote, per Service,
 * so a sync that reads an informer cache behind its own writes (a slice just created not listed yet, an older
 * generation, a slice it deleted still there) stops and is retried instead of creating a second slice.
 */
final class SliceTracker {

    private static final long DELETION_EXPECTED = -1;

    /** Service key → slice uid → generation (or {@link #DELETION_EXPECTED}). */
    private final Map<String, Map<String, Long>> generations = new HashMap<>();

    static String serviceKey(EndpointSlice slice) {
        String service = slice.getMetadata().getLabels() == null ? null
                : slice.getMetadata().getLabels().get(EndpointSliceController.SERVICE_NAME_LABEL);
        return service == null ? null : Informer.key(slice.getMetadata().getNamespace(), service);
    }

    private static long generation(EndpointSlice slice) {
        return slice.getMetadata().getGeneration() == null ? 0 : slice.getMetadata().getGeneration();
    }

    synchronized boolean has(EndpointSlice slice) {
        Map<String, Long> bySlice = generations.get(serviceKey(slice));
        return bySlice != null && bySlice.containsKey(slice.getMetadata().getUid());
    }

    /** Whether a slice seen in the informer is news: not one this controller wrote, or newer than what it wrote. */
    synchronized boolean shouldSync(EndpointSlice slice) {
        Map<String, Long> bySlice = generations.get(serviceKey(slice));
        Long written = bySlice == null ? null : bySlice.get(slice.getMetadata().getUid());
        return written == null || generation(slice) > written;
    }

    /** Whether the listed slices are behind what this controller wrote for the Service. */
    synchronized boolean stale(String serviceKey, List<EndpointSlice> listed) {
        Map<String, Long> bySlice = generations.get(serviceKey);
        if (bySlice == null) {
            return false;
        }
        Map<String, Long> seen = new HashMap<>();
        for (EndpointSlice slice : listed) {
            seen.put(slice.getMetadata().getUid(), generation(slice));
            Long written = bySlice.get(slice.getMetadata().getUid());
            if (written != null && (written == DELETION_EXPECTED || written > generation(slice))) {
                return true;
            }
        }
        for (Map.Entry<String, Long> e : bySlice.entrySet()) {
            if (e.getValue() != DELETION_EXPECTED && !seen.containsKey(e.getKey())) {
                return true;
            }
        }
        return false;
    }

    synchronized void written(EndpointSlice slice) {
        generations.computeIfAbsent(serviceKey(slice), k -> new HashMap<>()).put(slice.getMetadata().getUid(), generation(slice));
    }

    synchronized void expectDeletion(EndpointSlice slice) {
        generations.computeIfAbsent(serviceKey(slice), k -> new HashMap<>()).put(slice.getMetadata().getUid(), DELETION_EXPECTED);
    }

    /** Forgets a deleted slice; false when its deletion was not this controller's doing. */
    synchronized boolean deleted(EndpointSlice slice) {
        Map<String, Long> bySlice = generations.get(serviceKey(slice));
        if (bySlice == null) {
            return true;
        }
        Long written = bySlice.remove(slice.getMetadata().getUid());
        return written == null || written == DELETION_EXPECTED;
    }

    synchronized void forgetService(String serviceKey) {
        generations.remove(serviceKey);
    }

    synchronized void clear() {
        generations.clear();
    }
}
