package dev.coracle.agent;

import dev.coracle.agent.cgroups.Cgroups;
import dev.coracle.agent.events.EventRecorder;
import dev.coracle.agent.join.Join;
import dev.coracle.agent.join.NodeCredential;
import dev.coracle.agent.join.ServingCertificate;
import dev.coracle.agent.server.AgentServer;
import dev.coracle.agent.stats.StatsCollector;
import dev.coracle.agent.logs.ContainerLogs;
import dev.coracle.agent.node.NodeRegistration;
import dev.coracle.agent.pods.PodManager;
import dev.coracle.agent.pods.PodSettings;
import dev.coracle.agent.pods.ServiceEnv;
import dev.coracle.agent.proxy.ServiceProxy;
import dev.coracle.agent.runtime.ContainerRuntime;
import dev.coracle.agent.runtime.ProcessRuntime;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.api.model.Service;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * One node agent: joins (or reuses its saved credential), registers its Node, heartbeats and runs
 * the pods bound to it. Plain Java, so tests and the Spring Boot application start it alike.
 */
public final class NodeAgent implements AutoCloseable {

    public static final String VERSION = "0.1.0";
    private static final Logger log = LoggerFactory.getLogger(NodeAgent.class);

    private final AgentFlags flags;
    private final KubernetesClient client;
    private final ScheduledExecutorService scheduler;
    private final SharedIndexInformer<Service> services;
    private final PodManager pods;
    private final AgentServer server;
    private final ServiceProxy proxy;

    private NodeAgent(AgentFlags flags, KubernetesClient client, ScheduledExecutorService scheduler,
                      SharedIndexInformer<Service> services, PodManager pods, AgentServer server, ServiceProxy proxy) {
        this.flags = flags;
        this.client = client;
        this.scheduler = scheduler;
        this.services = services;
        this.pods = pods;
        this.server = server;
        this.proxy = proxy;
    }

    /** Joins and starts; a refused join throws {@link dev.coracle.agent.join.JoinException} with nothing started. */
    public static NodeAgent start(AgentFlags flags) {
        AgentServer.checkPortFree(flags.agentPort());
        NodeCredential credential = Join.joinOrReuse(flags.server(), flags.token(), flags.nodeName(), flags.dataDir());
        ServingCertificate.KeyFiles serving = ServingCertificate.ensure(credential, flags.nodeName(), flags.nodeIp(), flags.dataDir());
        KubernetesClient client = new KubernetesClientBuilder().withConfig(credential.clientConfig())
                .withHttpClientFactory(new AgentHttpClientFactory()).build();
        Cgroups cgroups = Cgroups.detect();
        ContainerRuntime runtime = new ProcessRuntime(flags.dataDir().resolve("containers"), cgroups, flags.containerLogMaxSize(),
                flags.containerLogMaxFiles());
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "node-heartbeat");
            t.setDaemon(true);
            return t;
        });
        AgentServer server = null;
        ServiceProxy proxy = null;
        // every Service, watched once: the pods' Service variables and the proxy's rules
        SharedIndexInformer<Service> services = client.services().inAnyNamespace().runnableInformer(0);
        try {
            NodeRegistration registration = new NodeRegistration(client, flags, runtime, VERSION);
            registration.register();
            registration.start(scheduler);
            EventRecorder events = new EventRecorder(client, flags.nodeName());
            registration.reportLimits(runtime.limitsNotEnforced(), cgroups.version(), events);
            PodSettings settings = new PodSettings(flags.nodeName(), flags.nodeIp(), flags.restartBackOffBase(),
                    flags.restartBackOffMax(), flags.podMaxPids(), registration.allocatable());
            ContainerLogs logs = new ContainerLogs(flags.dataDir());
            PodManager pods = new PodManager(client, settings, runtime, logs, events, new ServiceEnv(services), flags.stopPodsOnExit());
            server = new AgentServer(flags.agentPort(), serving, credential.caPem(), pods, runtime, logs,
                    new StatsCollector(flags.nodeName(), pods::runningContainers));
            services.run(); // the first list is in before any container starts: it would miss its variables
            proxy = startProxy(flags, client, services);
            pods.start();
            return new NodeAgent(flags, client, scheduler, services, pods, server, proxy);
        } catch (RuntimeException e) {
            if (proxy != null) {
                proxy.close();
            }
            services.close();
            if (server != null) {
                server.close();
            }
            scheduler.shutdownNow();
            client.close();
            throw e;
        }
    }

    /** kube-proxy's part: unless {@code --proxy-mode none}, or (by default) where iptables cannot be written. */
    private static ServiceProxy startProxy(AgentFlags flags, KubernetesClient client, SharedIndexInformer<Service> services) {
        boolean available = ServiceProxy.available();
        if (flags.proxyMode().equals("none") || (flags.proxyMode().isEmpty() && !available)) {
            log.info("service proxy off ({}): cluster IPs and node ports are not reachable from this node",
                    flags.proxyMode().equals("none") ? "--proxy-mode none" : "not root, or iptables not installed");
            return null;
        }
        if (!available) {
            throw new dev.coracle.agent.join.JoinException("--proxy-mode iptables needs root and iptables-restore");
        }
        ServiceProxy proxy = new ServiceProxy(client, services, flags.clusterCidr(), flags.stopPodsOnExit());
        proxy.start();
        log.info("service proxy: iptables (cluster CIDR {})", flags.clusterCidr());
        return proxy;
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
        if (proxy != null) {
            proxy.close();
        }
        services.close();
        server.close();
        client.close();
    }
}
