package dev.coracle.server.scheduler;

/**
 * kube-scheduler's {@code CycleState}: what PreFilter and PreScore plugins compute once for the pod being
 * scheduled, read by their Filter and Score for every node. Lives for one scheduling cycle. Keyed by the
 * plugin itself; a handful of entries at most, so a scan by identity beats hashing on the per-node path,
 * and a pod that needs no precomputation allocates nothing more.
 */
public final class CycleState {

    private Object[] keys;
    private Object[] values;
    private int size;

    public void write(Object key, Object value) {
        for (int i = 0; i < size; i++) {
            if (keys[i] == key) {
                values[i] = value;
                return;
            }
        }
        if (keys == null) {
            keys = new Object[4];
            values = new Object[4];
        } else if (size == keys.length) {
            keys = java.util.Arrays.copyOf(keys, size * 2);
            values = java.util.Arrays.copyOf(values, size * 2);
        }
        keys[size] = key;
        values[size++] = value;
    }

    @SuppressWarnings("unchecked")
    public <T> T read(Object key) {
        for (int i = 0; i < size; i++) {
            if (keys[i] == key) {
                return (T) values[i];
            }
        }
        return null;
    }
}
