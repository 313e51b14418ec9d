package dev.coracle.agent.runtime;

/**
 * Runs containers. The {@code process} runtime runs each container's command as a supervised host
 * process; an {@code oci} runtime (image pull, rootfs, runc in the pod's namespaces and cgroups)
 * goes behind the same interface, with {@link #podIp} then the pod's own address.
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

    /**
     * Runs a command in a running container, as {@code kubectl exec} asks: with the container's
     * environment, working directory and cgroup; with {@code tty} on a pseudo-terminal. A failure to
     * start it throws {@link ContainerStartException}.
     */
    ExecProcess exec(ContainerHandle container, java.util.List<String> command, boolean tty);

    /** Releases what {@link #podIp} set up once all of a pod's containers are gone. */
    default void removePod(String podUid) {
    }
}
