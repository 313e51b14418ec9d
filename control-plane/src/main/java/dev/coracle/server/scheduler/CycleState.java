package dev.coracle.server.scheduler;

import java.util.HashMap;
import java.util.Map;

/**
 * kube-scheduler's {@code CycleState}: what PreFilter and PreScore plugins compute once for the pod being
 * scheduled, read by their Filter and Score for every node. Lives for one scheduling cycle; the map is made
 * only when a plugin writes, so a pod that needs no precomputation allocates nothing more.
 */
public final class CycleState {

    private Map<Object, Object> data;

    public void write(Object key, Object value) {
        if (data == null) {
            data = new HashMap<>(4);
        }
        data.put(key, value);
    }

    @SuppressWarnings("unchecked")
    public <T> T read(Object key) {
        return data == null ? null : (T) data.get(key);
    }
}
