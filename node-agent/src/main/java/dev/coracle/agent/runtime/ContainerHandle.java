package dev.coracle.agent.runtime;

import java.time.Duration;
import java.time.Instant;
import java.util.OptionalInt;
import java.util.OptionalLong;

/** One started container, as a runtime tracks it: started by this agent or found again after a restart. */
public interface ContainerHandle {

    /** The runtime's id for it ({@code process://<pid>}, later {@code containerd://...}-like ids for oci). */
    String id();

    /** Which run of the container this is (its restartCount when it was started). */
    int restartCount();

    Instant startedAt();

    boolean isRunning();

    /** The exit code once it has exited. */
    OptionalInt exitCode();

    /** When it exited, once it has. */
    Instant finishedAt();

    /** True when the kernel's OOM killer ended it (reason {@code OOMKilled}). */
    default boolean oomKilled() {
        return false;
    }

    /**
     * The host pid of the container's main process (a session leader whose environment, directory and
     * cgroup are the container's) while it runs: exec and stats find the container by it.
     */
    OptionalLong mainPid();

    /** SIGTERM, up to {@code grace} for it to exit, then SIGKILL; returns once it is gone. */
    void stop(Duration grace);

    /** The agent stops while the container runs on: stop reading its output (the next agent reads it). */
    void detach();

    /** The agent has recorded its end: the runtime forgets it (a later agent start will not find it). */
    void remove();
}
