package dev.coracle.agent.runtime;

import dev.coracle.agent.cgroups.Limits;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What a runtime needs to start one container of a pod, already resolved by the agent (env values
 * filled in, {@code $(VAR)} expanded, command and args joined). {@code image} matters to the
 * {@code oci} runtime only; the {@code process} runtime runs {@code command} on the host.
 * {@code logFile} is this run's CRI log file; {@code limits} and {@code podLimits} what its cgroups enforce.
 */
public record ContainerSpec(String podUid, String podNamespace, String podName, String containerName,
                            String image, List<String> command, Map<String, String> env, String workingDir,
                            int restartCount, Path logFile, Limits limits, Limits podLimits) {
}
