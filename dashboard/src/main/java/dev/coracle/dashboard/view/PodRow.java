package dev.coracle.dashboard.view;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** One line of the Pods list: the columns of {@code kubectl get pods -o wide}, computed as kubectl computes them. */
public record PodRow(String namespace, String name, String ready, String status, int restarts, String lastRestart,
                     String node, String ip, String age, String owner, String health, Map<String, String> labels) {

    public static PodRow of(Pod pod, Instant now) {
        var spec = pod.getSpec();
        var st = pod.getStatus();
        int total = spec == null || spec.getContainers() == null ? 0 : spec.getContainers().size();
        int ready = 0;
        int restarts = 0;
        Instant lastRestart = null;
        String reason = st == null || st.getPhase() == null ? "Pending" : st.getPhase();
        if (st != null && st.getReason() != null && !st.getReason().isEmpty()) {
            reason = st.getReason();
        }
        boolean initializing = false;
        List<ContainerStatus> inits = st == null || st.getInitContainerStatuses() == null ? List.of() : st.getInitContainerStatuses();
        int initCount = spec == null || spec.getInitContainers() == null ? 0 : spec.getInitContainers().size();
        for (int i = 0; i < inits.size(); i++) {
            ContainerStatus c = inits.get(i);
            restarts += n(c.getRestartCount());
            var state = c.getState();
            if (state != null && state.getTerminated() != null && n(state.getTerminated().getExitCode()) == 0) {
                continue;
            }
            if (state != null && state.getTerminated() != null) {
                var t = state.getTerminated();
                reason = empty(t.getReason())
                        ? (n(t.getSignal()) != 0 ? "Init:Signal:" + t.getSignal() : "Init:ExitCode:" + n(t.getExitCode()))
                        : "Init:" + t.getReason();
            } else if (state != null && state.getWaiting() != null && !empty(state.getWaiting().getReason())
                    && !"PodInitializing".equals(state.getWaiting().getReason())) {
                reason = "Init:" + state.getWaiting().getReason();
            } else {
                reason = "Init:" + i + "/" + initCount;
            }
            initializing = true;
            break;
        }
        if (!initializing) {
            boolean hasRunning = false;
            List<ContainerStatus> cs = st == null || st.getContainerStatuses() == null ? List.of() : st.getContainerStatuses();
            for (int i = cs.size() - 1; i >= 0; i--) {
                ContainerStatus c = cs.get(i);
                restarts += n(c.getRestartCount());
                var last = c.getLastState();
                if (last != null && last.getTerminated() != null && last.getTerminated().getFinishedAt() != null) {
                    Instant finished = Instant.parse(last.getTerminated().getFinishedAt());
                    if (lastRestart == null || finished.isAfter(lastRestart)) {
                        lastRestart = finished;
                    }
                }
                var state = c.getState();
                if (state != null && state.getWaiting() != null && !empty(state.getWaiting().getReason())) {
                    reason = state.getWaiting().getReason();
                } else if (state != null && state.getTerminated() != null && !empty(state.getTerminated().getReason())) {
                    reason = state.getTerminated().getReason();
                } else if (state != null && state.getTerminated() != null) {
                    var t = state.getTerminated();
                    reason = n(t.getSignal()) != 0 ? "Signal:" + t.getSignal() : "ExitCode:" + n(t.getExitCode());
                } else if (Boolean.TRUE.equals(c.getReady()) && state != null && state.getRunning() != null) {
                    hasRunning = true;
                    ready++;
                }
            }
            if ("Completed".equals(reason) && hasRunning) {
                reason = readyCondition(st == null ? null : st.getConditions()) ? "Running" : "NotReady";
            }
        }
        String phase = st == null ? null : st.getPhase();
        if (pod.getMetadata().getDeletionTimestamp() != null && st != null && "NodeLost".equals(st.getReason())) {
            reason = "Unknown";
        } else if (pod.getMetadata().getDeletionTimestamp() != null && !"Succeeded".equals(phase) && !"Failed".equals(phase)) {
            reason = "Terminating";
        }
        String owner = null;
        List<OwnerReference> owners = pod.getMetadata().getOwnerReferences();
        if (owners != null) {
            owner = owners.stream().filter(o -> Boolean.TRUE.equals(o.getController())).map(o -> o.getKind() + "/" + o.getName())
                    .findFirst().orElse(null);
        }
        String node = spec == null || empty(spec.getNodeName()) ? "<none>" : spec.getNodeName();
        String ip = st == null || empty(st.getPodIP()) ? "<none>" : st.getPodIP();
        Map<String, String> labels = pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
        return new PodRow(pod.getMetadata().getNamespace(), pod.getMetadata().getName(), ready + "/" + total, reason, restarts,
                lastRestart == null ? null : Ages.human(java.time.Duration.between(lastRestart, now)) + " ago",
                node, ip, Ages.since(pod.getMetadata().getCreationTimestamp(), now), owner, health(reason, ready, total), labels);
    }

    /** ok, warn or bad — the colour of the status cell. */
    static String health(String reason, int ready, int total) {
        return switch (reason) {
            case "Running" -> ready == total ? "ok" : "warn";
            case "Completed", "Succeeded" -> "ok";
            case "Pending", "ContainerCreating", "PodInitializing", "Terminating", "NotReady" -> "warn";
            default -> reason.startsWith("Init:") && reason.matches("Init:\\d+/\\d+") ? "warn" : "bad";
        };
    }

    private static boolean readyCondition(List<PodCondition> conditions) {
        return conditions != null && conditions.stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static int n(Integer i) {
        return i == null ? 0 : i;
    }

    private static boolean empty(String s) {
        return s == null || s.isEmpty();
    }

    public String restartsText() {
        return lastRestart == null || restarts == 0 ? String.valueOf(restarts) : restarts + " (" + lastRestart + ")";
    }
}
