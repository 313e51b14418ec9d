package dev.coracle.agent.runtime;

import java.time.Duration;
import java.time.Instant;
import java.util.OptionalInt;

/** One started container, as a runtime tracks it. */
public interface ContainerHandle {

    /** The runtime's id for it ({@code process://<pid>}, later {@code containerd://...}-like ids for oci). */
    String id();

    Instant startedAt();

    boolean isRunning();

    /** The exit code once it has exited. */
    OptionalInt exitCode();

    Instant finishedAt();

    /**
     * The host pid of the container's main process (a session leader whose environment, directory and
     * cgroup are the container's) while it runs: exec and stats find the container by it.
     */
    java.util.OptionalLong mainPid();

    /** SIGTERM, up to {@code grace} for it to exit, then SIGKILL; returns once it is gone. */
    void stop(Duration grace);
}
