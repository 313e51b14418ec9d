package dev.coracle.agent.pods;

import java.time.Duration;

/**
 * What every pod worker of this agent shares: the node it runs on, the restart back-off (Kubernetes'
 * 10 s doubling to 5 min unless set shorter, as tests do), the pods' process limit (the kubelet's
 * podPidsLimit; -1 for none), and the node's allocatable (the default for {@code resourceFieldRef}
 * on a container without limits).
 */
public record PodSettings(String nodeName, String nodeIp, Duration backOffBase, Duration backOffMax, long podPidsLimit,
                          ContainerEnv.NodeAllocatable allocatable) {

    public static ContainerEnv.NodeAllocatable allocatable(long milliCpu, long memoryBytes, long ephemeralStorageBytes) {
        return new ContainerEnv.NodeAllocatable(milliCpu, memoryBytes, ephemeralStorageBytes);
    }
}
