package dev.coracle.agent.runtime;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Runs containers. The {@code process} runtime runs each container's command as a supervised host
 * process; an {@code oci} runtime (image pull, rootfs, runc in the pod's namespaces and cgroups)
 * goes behind the same interface, with {@link #podIp} then the pod's own address. Containers outlive
 * the agent: a restarted agent finds them again through {@link #existing} and {@link #knownPods}.
 */
public interface ContainerRuntime {

    /** "process", "oci". */
    String name();

    /** The version shown in the Node's nodeInfo.containerRuntimeVersion, e.g. {@code process://1.0}. */
    String version();

    /** Prepares the pod's sandbox (network namespace etc.) if the runtime has one; returns the pod's IP. */
    String podIp(String podUid, String nodeIp);

    /** Starts a container; a failure to start (no such command) throws {@link ContainerStartException}. */
    ContainerHandle start(ContainerSpec spec);

    /** The newest run of a pod's container that this runtime knows of (running or exited), e.g. after an agent restart. */
    Optional<ContainerHandle> existing(String podUid, String containerName);

    /** The pods this runtime holds containers (or their records) for. */
    Set<String> knownPods();

    /** Stops whatever of the pod still runs (no grace) and releases what {@link #podIp} and the containers set up. */
    void removePod(String podUid);

    /** Why container resource limits are not enforced on this node, if they are not. */
    Optional<String> limitsNotEnforced();

    /**
     * Runs a command in a running container, as {@code kubectl exec} asks: with the container's
     * environment, working directory and cgroup; with {@code tty} on a pseudo-terminal. A failure to
     * start it throws {@link ContainerStartException}.
     */
    ExecProcess exec(ContainerHandle container, List<String> command, boolean tty);
}
