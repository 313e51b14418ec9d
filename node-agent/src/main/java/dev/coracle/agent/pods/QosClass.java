package dev.coracle.agent.pods;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Kubernetes' GetPodQOS: only cpu and memory count. Guaranteed when every container (init ones too)
 * has cpu and memory limits and its requests equal them (a request left out is the limit); BestEffort
 * when no container asks for either; Burstable otherwise.
 */
final class QosClass {

    private static final List<String> COMPUTE = List.of("cpu", "memory");

    private QosClass() {
    }

    static String of(Pod pod) {
        List<Container> all = new ArrayList<>(pod.getSpec().getContainers());
        if (pod.getSpec().getInitContainers() != null) {
            all.addAll(pod.getSpec().getInitContainers());
        }
        boolean any = false;
        boolean guaranteed = true;
        for (Container c : all) {
            var r = c.getResources();
            Map<String, Quantity> requests = r == null || r.getRequests() == null ? Map.of() : r.getRequests();
            Map<String, Quantity> limits = r == null || r.getLimits() == null ? Map.of() : r.getLimits();
            for (String name : COMPUTE) {
                Quantity request = requests.get(name);
                Quantity limit = limits.get(name);
                if (nonZero(request) || nonZero(limit)) {
                    any = true;
                }
                if (limit == null || !nonZero(limit)) {
                    guaranteed = false;
                } else if (request != null && Quantity.getAmountInBytes(request).compareTo(Quantity.getAmountInBytes(limit)) != 0) {
                    guaranteed = false;
                }
            }
        }
        if (!any) {
            return "BestEffort";
        }
        return guaranteed ? "Guaranteed" : "Burstable";
    }

    private static boolean nonZero(Quantity q) {
        return q != null && Quantity.getAmountInBytes(q).signum() != 0;
    }
}
