package dev.coracle.agent;

import dev.coracle.agent.cgroups.Cgroups;
import dev.coracle.agent.events.EventRecorder;
import dev.coracle.agent.join.Join;
import dev.coracle.agent.join.NodeCredential;
import dev.coracle.agent.logs.ContainerLogs;
import dev.coracle.agent.node.NodeRegistration;
import dev.coracle.agent.pods.PodManager;
import dev.coracle.agent.pods.PodSettings;
import dev.coracle.agent.runtime.ContainerRuntime;
import dev.coracle.agent.runtime.ProcessRuntime;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * One node agent: joins (or reuses its saved credential), registers its Node, heartbeats and runs
 * the pods bound to it. Plain Java, so tests and the Spring Boot application start it alike.
 */
public final class NodeAgent implements AutoCloseable {

    public static final String VERSION = "0.1.0";

    private final AgentFlags flags;
    private final KubernetesClient client;
    private final ScheduledExecutorService scheduler;
    private final PodManager pods;

    private NodeAgent(AgentFlags flags, KubernetesClient client, ScheduledExecutorService scheduler, PodManager pods) {
        this.flags = flags;
        this.client = client;
        this.scheduler = scheduler;
        this.pods = pods;
    }

    /** Joins and starts; a refused join throws {@link dev.coracle.agent.join.JoinException} with nothing started. */
    public static NodeAgent start(AgentFlags flags) {
        return startWith(flags);
    }

    /** As {@link #start(AgentFlags)} with another first restart back-off (tests). */
    public static NodeAgent start(AgentFlags flags, Duration backOffBase) {
        return start(new AgentFlags(flags.server(), flags.token(), flags.nodeName(), flags.nodeIp(), flags.dataDir(), flags.labels(),
                flags.taints(), flags.runtime(), flags.containerLogMaxSize(), flags.containerLogMaxFiles(), backOffBase,
                flags.restartBackOffMax(), flags.podMaxPids(), flags.stopPodsOnExit()));
    }

    private static NodeAgent startWith(AgentFlags flags) {
        NodeCredential credential = Join.joinOrReuse(flags.server(), flags.token(), flags.nodeName(), flags.dataDir());
        KubernetesClient client = new KubernetesClientBuilder().withConfig(credential.clientConfig()).build();
        Cgroups cgroups = Cgroups.detect();
        ContainerRuntime runtime = new ProcessRuntime(flags.dataDir().resolve("containers"), cgroups, flags.containerLogMaxSize(),
                flags.containerLogMaxFiles());
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "node-heartbeat");
            t.setDaemon(true);
            return t;
        });
        try {
            NodeRegistration registration = new NodeRegistration(client, flags, runtime, VERSION);
            registration.register();
            registration.start(scheduler);
            EventRecorder events = new EventRecorder(client, flags.nodeName());
            registration.reportLimits(runtime.limitsNotEnforced(), cgroups.version(), events);
            PodSettings settings = new PodSettings(flags.nodeName(), flags.nodeIp(), flags.restartBackOffBase(),
                    flags.restartBackOffMax(), flags.podMaxPids(), registration.allocatable());
            PodManager pods = new PodManager(client, settings, runtime, new ContainerLogs(flags.dataDir()), events,
                    flags.stopPodsOnExit());
            pods.start();
            return new NodeAgent(flags, client, scheduler, pods);
        } catch (RuntimeException e) {
            scheduler.shutdownNow();
            client.close();
            throw e;
        }
    }

    /** The registry of this node's pod workers (to find a running container for logs, exec, stats). */
    public PodManager pods() {
        return pods;
    }

    public AgentFlags flags() {
        return flags;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        pods.close();
        client.close();
    }
}
