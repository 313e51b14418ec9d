package dev.coracle.agent.pods;

import dev.coracle.agent.probes.ProbeState;
import dev.coracle.agent.runtime.ContainerHandle;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerState;

import java.time.Instant;
import java.util.Map;

/** One container of a pod as its worker supervises it, across its runs. */
final class ContainerSlot {

    final Container spec;
    final boolean init;
    final BackOff backOff;
    /** The current run, while there is one (running, or exited and not yet recorded). */
    ContainerHandle handle;
    /** The restartCount the next run gets; the status shows the latest run's, {@code nextRun - 1}. */
    int nextRun;
    /** How the previous run ended ({@code lastState}). */
    ContainerState lastTerminated;
    /** Why it is not running (CrashLoopBackOff, CreateContainerConfigError, ...), when it is not. */
    ContainerState waiting;
    /** Not before then (back-off, or a configuration error's retry). */
    Instant nextStart;
    /** It will not run again: its final state. */
    ContainerState finalState;
    /** The environment of the current run (exec probes and hooks run with it). */
    Map<String, String> env = Map.of();
    /** The run being stopped (a failed liveness or startup probe, a failed postStart hook), while it is. */
    volatile ContainerHandle stopping;
    ProbeState startup;
    ProbeState liveness;
    ProbeState readiness;

    ContainerSlot(Container spec, boolean init, BackOff backOff) {
        this.spec = spec;
        this.init = init;
        this.backOff = backOff;
    }

    String name() {
        return spec.getName();
    }

    boolean done() {
        return finalState != null;
    }

    boolean succeeded() {
        return finalState != null && finalState.getTerminated() != null && finalState.getTerminated().getExitCode() == 0;
    }

    boolean running() {
        return handle != null && handle.isRunning();
    }

    int restartCount() {
        return Math.max(0, nextRun - 1);
    }

    /** Started in Kubernetes' sense: running and past its startup probe. */
    boolean started() {
        return running() && stopping != handle && (startup == null || startup.succeeded());
    }

    boolean ready() {
        return started() && (readiness == null || readiness.succeeded());
    }

    /** The kubelet's field path for events about this container. */
    String fieldPath() {
        return (init ? "spec.initContainers{" : "spec.containers{") + name() + "}";
    }

    void clearProbes() {
        for (ProbeState p : new ProbeState[]{startup, liveness, readiness}) {
            if (p != null) {
                p.cancel();
            }
        }
        startup = null;
        liveness = null;
        readiness = null;
    }
}
