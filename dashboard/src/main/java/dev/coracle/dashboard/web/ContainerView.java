package dev.coracle.dashboard.web;

import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;

import java.util.ArrayList;
import java.util.List;

/** A container of a pod as {@code kubectl describe pod} shows it: image, state with its reason, last state, restarts. */
record ContainerView(String name, boolean init, String image, String state, String reason, String lastState, boolean ready,
                     int restarts) {

    static List<ContainerView> of(Pod pod) {
        List<ContainerView> out = new ArrayList<>();
        var st = pod.getStatus();
        add(out, pod.getSpec().getInitContainers(), st == null ? null : st.getInitContainerStatuses(), true);
        add(out, pod.getSpec().getContainers(), st == null ? null : st.getContainerStatuses(), false);
        return out;
    }

    private static void add(List<ContainerView> out, List<io.fabric8.kubernetes.api.model.Container> specs, List<ContainerStatus> statuses, boolean init) {
        if (specs == null) {
            return;
        }
        for (var c : specs) {
            ContainerStatus s = statuses == null ? null : statuses.stream().filter(x -> c.getName().equals(x.getName())).findFirst().orElse(null);
            String[] state = describe(s == null ? null : s.getState());
            String[] last = describe(s == null ? null : s.getLastState());
            out.add(new ContainerView(c.getName(), init, c.getImage(), state[0], state[1],
                    last[0].equals("—") ? null : last[0] + (last[1] == null ? "" : " (" + last[1] + ")"),
                    s != null && Boolean.TRUE.equals(s.getReady()), s == null || s.getRestartCount() == null ? 0 : s.getRestartCount()));
        }
    }

    static String[] describe(ContainerState state) {
        if (state == null) {
            return new String[]{"—", null};
        }
        if (state.getRunning() != null) {
            return new String[]{"Running", "started " + state.getRunning().getStartedAt()};
        }
        if (state.getWaiting() != null) {
            return new String[]{"Waiting", join(state.getWaiting().getReason(), state.getWaiting().getMessage())};
        }
        if (state.getTerminated() != null) {
            var t = state.getTerminated();
            return new String[]{"Terminated", join(t.getReason(), "exit code " + t.getExitCode()
                    + (t.getMessage() == null ? "" : ": " + t.getMessage()))};
        }
        return new String[]{"—", null};
    }

    private static String join(String a, String b) {
        if (a == null || a.isEmpty()) {
            return b;
        }
        return b == null || b.isEmpty() ? a : a + ": " + b;
    }
}
