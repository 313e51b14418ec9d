package dev.coracle.agent.pods;

import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.HostIPBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIPBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A pod's status from its containers, as the kubelet computes it (getPhase, the condition generators
 * and convertToAPIContainerStatuses), keeping each condition's lastTransitionTime until it flips.
 */
final class PodStatuses {

    private final Map<String, PodCondition> previous = new HashMap<>();

    PodStatuses(PodStatus existing) {
        if (existing != null && existing.getConditions() != null) {
            existing.getConditions().forEach(c -> previous.put(c.getType(), c));
        }
    }

    PodStatus compute(Pod pod, List<ContainerSlot> initSlots, List<ContainerSlot> appSlots, String hostIp, String podIp,
                      String startTime, boolean failedInit) {
        String restartPolicy = Objects.requireNonNullElse(pod.getSpec().getRestartPolicy(), "Always");
        boolean hasInit = !initSlots.isEmpty();
        List<ContainerStatus> initStatuses = new ArrayList<>();
        List<String> incomplete = new ArrayList<>();
        for (ContainerSlot s : initSlots) {
            initStatuses.add(containerStatus(s, hasInit, s.succeeded()));
            if (!s.succeeded()) {
                incomplete.add(s.name());
            }
        }
        boolean initialized = incomplete.isEmpty();
        List<ContainerStatus> statuses = new ArrayList<>();
        List<String> unready = new ArrayList<>();
        int running = 0;
        int waiting = 0;
        int stopped = 0;
        int succeeded = 0;
        for (ContainerSlot s : appSlots) {
            ContainerStatus cs = containerStatus(s, hasInit && !initialized, s.ready());
            statuses.add(cs);
            if (!s.ready()) {
                unready.add(s.name());
            }
            ContainerState state = cs.getState();
            if (state.getRunning() != null) {
                running++;
            } else if (state.getTerminated() != null) {
                stopped++;
                if (state.getTerminated().getExitCode() == 0) {
                    succeeded++;
                }
            } else if (cs.getLastState() != null && cs.getLastState().getTerminated() != null) {
                stopped++;
            } else {
                waiting++;
            }
        }
        String phase;
        if (failedInit) {
            phase = "Failed";
        } else if (!initialized) {
            phase = "Pending";
        } else if (waiting > 0) {
            phase = "Pending";
        } else if (running > 0) {
            phase = "Running";
        } else if (stopped > 0) {
            if (restartPolicy.equals("Always")) {
                phase = "Running";
            } else if (stopped == succeeded) {
                phase = "Succeeded";
            } else if (restartPolicy.equals("Never")) {
                phase = "Failed";
            } else {
                phase = "Running";
            }
        } else {
            phase = "Pending";
        }
        // a terminal pod stays terminal
        if (pod.getStatus() != null && ("Succeeded".equals(pod.getStatus().getPhase()) || "Failed".equals(pod.getStatus().getPhase()))) {
            phase = pod.getStatus().getPhase();
        }
        boolean terminal = phase.equals("Succeeded") || phase.equals("Failed");
        List<PodCondition> conditions = new ArrayList<>();
        conditions.add(condition("PodReadyToStartContainers", !terminal || running > 0, null, null));
        conditions.add(initialized ? condition("Initialized", true, null, null)
                : condition("Initialized", false, "ContainersNotInitialized", "containers with incomplete status: " + incomplete));
        boolean ready = unready.isEmpty() && initialized && !terminal;
        String reason = terminal ? "PodCompleted" : "ContainersNotReady";
        String message = terminal ? null : "containers with unready status: " + unready;
        conditions.add(ready ? condition("Ready", true, null, null) : condition("Ready", false, reason, message));
        conditions.add(ready ? condition("ContainersReady", true, null, null) : condition("ContainersReady", false, reason, message));
        conditions.add(condition("PodScheduled", true, null, null));
        PodStatusBuilder b = new PodStatusBuilder().withPhase(phase).withConditions(conditions)
                .withHostIP(hostIp).withHostIPs(new HostIPBuilder().withIp(hostIp).build())
                .withPodIP(podIp).withPodIPs(new PodIPBuilder().withIp(podIp).build())
                .withStartTime(startTime)
                // the API server sets qosClass at creation and it is immutable: the kubelet keeps it as it is
                .withQosClass(pod.getStatus() == null ? null : pod.getStatus().getQosClass()).withContainerStatuses(statuses);
        if (hasInit) {
            b.withInitContainerStatuses(initStatuses);
        }
        return b.build();
    }

    private ContainerStatus containerStatus(ContainerSlot s, boolean podInitializing, boolean ready) {
        ContainerState state;
        String containerId = null;
        if (s.handle != null && s.handle.isRunning()) {
            state = new ContainerStateBuilder().withNewRunning().withStartedAt(time(s.handle.startedAt())).endRunning().build();
            containerId = s.handle.id();
        } else if (s.finalState != null) {
            state = s.finalState;
            containerId = s.finalState.getTerminated().getContainerID();
        } else if (s.waiting != null) {
            state = s.waiting;
        } else {
            state = new ContainerStateBuilder().withNewWaiting().withReason(podInitializing ? "PodInitializing" : "ContainerCreating")
                    .endWaiting().build();
        }
        ContainerStatusBuilder b = new ContainerStatusBuilder().withName(s.name()).withImage(s.spec.getImage())
                .withImageID("").withReady(ready).withStarted(!s.init && s.started()).withRestartCount(s.restartCount())
                .withState(state);
        if (containerId != null) {
            b.withContainerID(containerId);
        }
        if (s.lastTerminated != null) {
            b.withLastState(s.lastTerminated);
        }
        return b.build();
    }

    private PodCondition condition(String type, boolean on, String reason, String message) {
        String status = on ? "True" : "False";
        PodCondition before = previous.get(type);
        String transition = before != null && status.equals(before.getStatus()) && before.getLastTransitionTime() != null
                ? before.getLastTransitionTime() : time(Instant.now());
        PodCondition c = new PodConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message)
                .withLastProbeTime(null).withLastTransitionTime(transition).build();
        previous.put(type, c);
        return c;
    }

    static String time(Instant instant) {
        return instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
