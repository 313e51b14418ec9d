package dev.coracle.server.controller.endpoints;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Service;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * endpointslice/util's TriggerTimeTracker: the time of the earliest change (a pod's Ready transition,
 * the Service's creation) not yet reflected in a Service's Endpoints or EndpointSlices (each controller
 * keeps its own tracker); null when nothing changed.
 */
public final class TriggerTimes {

    private record State(Map<String, Instant> podTimes, Instant serviceTime) {
    }

    private final Map<String, State> states = new ConcurrentHashMap<>();

    public Instant compute(String key, Service service, List<Pod> pods) {
        State state = states.get(key);
        Instant min = null;
        Map<String, Instant> podTimes = new HashMap<>();
        for (Pod pod : pods) {
            Instant t = podTriggerTime(pod);
            if (t != null) {
                podTimes.put(pod.getMetadata().getName(), t);
                Instant last = state == null ? null : state.podTimes().get(pod.getMetadata().getName());
                if (last == null || t.isAfter(last)) {
                    min = min == null || t.isBefore(min) ? t : min;
                }
            }
        }
        Instant serviceTime = parse(service.getMetadata().getCreationTimestamp());
        if (serviceTime != null && (state == null || state.serviceTime() == null || serviceTime.isAfter(state.serviceTime()))) {
            min = min == null || serviceTime.isBefore(min) ? serviceTime : min;
        }
        states.put(key, new State(podTimes, serviceTime));
        if (state == null) {
            return serviceTime; // a new Service: its creation
        }
        return min;
    }

    public void forget(String key) {
        states.remove(key);
    }

    private static Instant podTriggerTime(Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
            return null;
        }
        for (PodCondition c : pod.getStatus().getConditions()) {
            if ("Ready".equals(c.getType())) {
                return parse(c.getLastTransitionTime());
            }
        }
        return null;
    }

    private static Instant parse(String time) {
        try {
            return time == null || time.isEmpty() ? null : Instant.parse(time);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
