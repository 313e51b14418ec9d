package dev.coracle.server.scheduler;

import dev.coracle.server.registry.Quantities;
import io.fabric8.kubernetes.api.model.Quantity;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.HashMap;
import java.util.Map;

/**
 * kube-scheduler's {@code framework.Resource}: cpu in millicores, memory and ephemeral storage in
 * bytes, and any other (extended, hugepages) resource by name, all as whole numbers.
 */
public final class Resource {

    public static final String CPU = "cpu";
    public static final String MEMORY = "memory";
    public static final String EPHEMERAL_STORAGE = "ephemeral-storage";
    public static final String PODS = "pods";

    public long milliCpu;
    public long memory;
    public long ephemeralStorage;
    /** Other resources, by name; empty for most pods and nodes. */
    public Map<String, Long> scalar = Map.of();

    public static Resource of(Map<String, Quantity> list) {
        Resource r = new Resource();
        r.add(list);
        return r;
    }

    public void add(Map<String, Quantity> list) {
        if (list == null) {
            return;
        }
        for (Map.Entry<String, Quantity> e : list.entrySet()) {
            switch (e.getKey()) {
                case CPU -> milliCpu += milli(e.getValue());
                case MEMORY -> memory += value(e.getValue());
                case EPHEMERAL_STORAGE -> ephemeralStorage += value(e.getValue());
                case PODS -> {
                }
                default -> addScalar(e.getKey(), value(e.getValue()));
            }
        }
    }

    public void add(Resource other, long sign) {
        milliCpu += sign * other.milliCpu;
        memory += sign * other.memory;
        ephemeralStorage += sign * other.ephemeralStorage;
        other.scalar.forEach((k, v) -> addScalar(k, sign * v));
    }

    /** Each dimension becomes the larger of this and {@code other}. */
    public void max(Resource other) {
        milliCpu = Math.max(milliCpu, other.milliCpu);
        memory = Math.max(memory, other.memory);
        ephemeralStorage = Math.max(ephemeralStorage, other.ephemeralStorage);
        other.scalar.forEach((k, v) -> {
            if (v > scalar.getOrDefault(k, 0L)) {
                setScalar(k, v);
            }
        });
    }

    public boolean isZero() {
        if (milliCpu != 0 || memory != 0 || ephemeralStorage != 0) {
            return false;
        }
        for (long v : scalar.values()) {
            if (v != 0) {
                return false;
            }
        }
        return true;
    }

    public Resource copy() {
        Resource r = new Resource();
        r.add(this, 1);
        return r;
    }

    public long scalar(String name) {
        return scalar.getOrDefault(name, 0L);
    }

    private void addScalar(String name, long v) {
        setScalar(name, scalar.getOrDefault(name, 0L) + v);
    }

    private void setScalar(String name, long v) {
        if (scalar.isEmpty()) {
            scalar = new HashMap<>();
        }
        scalar.put(name, v);
    }

    /** {@code Quantity.MilliValue()}: rounded up. */
    public static long milli(Quantity q) {
        try {
            return Quantities.value(q).movePointRight(3).setScale(0, RoundingMode.CEILING).longValueExact();
        } catch (IllegalArgumentException | ArithmeticException e) {
            return 0;
        }
    }

    /** {@code Quantity.Value()}: rounded up. */
    public static long value(Quantity q) {
        try {
            BigDecimal v = Quantities.value(q).setScale(0, RoundingMode.CEILING);
            return v.longValueExact();
        } catch (IllegalArgumentException | ArithmeticException e) {
            return 0;
        }
    }
}
