package dev.coracle.server.controller.node;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Plays the kubelets in tests, through the API only: registers Nodes (Ready, with capacity) and their
 * Leases, renews the Leases of the nodes still alive every {@code renewMillis}, and confirms the deletion
 * of terminating pods on live nodes, as a kubelet would once their containers stopped.
 */
public final class FakeKubelets implements AutoCloseable {

    /** TCP port 9 (discard): no agent of a test listens there. */
    private static final int UNUSED_PORT = 9;

    private final KubernetesClient client;
    private final long renewMillis;
    private final Set<String> alive = ConcurrentHashMap.newKeySet();
    private final Thread loop;
    private volatile boolean running = true;
    private volatile boolean finalizeTerminating;
    private volatile boolean startPods;

    public FakeKubelets(KubernetesClient client, long renewMillis) {
        this.client = client;
        this.renewMillis = renewMillis;
        this.loop = new Thread(this::run, "fake-kubelets");
        this.loop.setDaemon(true);
        this.loop.start();
    }

    /** Also delete (grace 0) terminating pods on live nodes, as their kubelet would. */
    public FakeKubelets finalizingTerminatingPods() {
        finalizeTerminating = true;
        return this;
    }

    /** Also mark the pods bound to live nodes Running and Ready, as their kubelet would once they started. */
    public FakeKubelets startingPods() {
        startPods = true;
        return this;
    }

    public Node register(String name, String cpu, String memory, Map<String, String> labels, Taint... taints) {
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        Map<String, Quantity> capacity = Map.of("cpu", new Quantity(cpu), "memory", new Quantity(memory),
                "pods", new Quantity("110"), "ephemeral-storage", new Quantity("20Gi"));
        Node node = new NodeBuilder()
                .withNewMetadata().withName(name).addToLabels("kubernetes.io/hostname", name).addToLabels("kubernetes.io/os", "linux")
                .addToLabels(labels).endMetadata()
                .withNewSpec().withTaints(List.of(taints)).endSpec()
                .withNewStatus().withCapacity(capacity).withAllocatable(capacity)
                .addNewCondition().withType("Ready").withStatus("True").withReason("KubeletReady")
                .withMessage("kubelet is posting ready status").withLastHeartbeatTime(now).withLastTransitionTime(now).endCondition()
                // loopback, and a kubelet port nothing listens on: the server's metrics scrapes and log proxying
                // to a fake kubelet are refused at once and never leave the machine
                .addNewAddress().withType("InternalIP").withAddress("127.0.0." + (alive.size() + 10)).endAddress()
                .withNewDaemonEndpoints().withNewKubeletEndpoint().withPort(UNUSED_PORT).endKubeletEndpoint().endDaemonEndpoints()
                .withNewNodeInfo().withKubeletVersion("v1.32.4+coracle").withOsImage("Test").withKernelVersion("6.0")
                .withContainerRuntimeVersion("fake://1").withArchitecture("amd64").withOperatingSystem("linux").endNodeInfo()
                .endStatus().build();
        Node created = client.nodes().resource(node).create();
        client.leases().inNamespace("kube-node-lease").resource(new LeaseBuilder()
                .withNewMetadata().withName(name).withNamespace("kube-node-lease").endMetadata()
                .withNewSpec().withHolderIdentity(name).withLeaseDurationSeconds(40).withRenewTime(ZonedDateTime.now(ZoneOffset.UTC)).endSpec()
                .build()).create();
        alive.add(name);
        return created;
    }

    /** What a kubelet reports of a running pod through pods/status: Running, its IP (none when null), the Ready condition. */
    public static void reportPod(KubernetesClient client, String namespace, String name, String ip, boolean ready) {
        Pod pod = client.pods().inNamespace(namespace).withName(name).get();
        PodStatusBuilder status = new PodStatusBuilder().withPhase("Running")
                .withConditions(new PodConditionBuilder().withType("Ready").withStatus(ready ? "True" : "False")
                        .withLastTransitionTime(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString()).build());
        if (ip != null) {
            status.withPodIP(ip).withPodIPs(new PodIP(ip));
        }
        pod.setStatus(status.build());
        client.pods().inNamespace(namespace).resource(pod).updateStatus();
    }

    /** The node's kubelet stops: no more Lease renewals. */
    public void stop(String name) {
        alive.remove(name);
    }

    /** The node's kubelet is back: it posts Ready with a fresh heartbeat and renews its Lease again. */
    public void resume(String name) {
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        for (int i = 0; i < 20; i++) {
            try {
                Node node = client.nodes().withName(name).get();
                node.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType())).forEach(c -> {
                    c.setStatus("True");
                    c.setReason("KubeletReady");
                    c.setMessage("kubelet is posting ready status");
                    c.setLastHeartbeatTime(now);
                    c.setLastTransitionTime(now);
                });
                client.nodes().resource(node).updateStatus();
                break;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
            }
        }
        alive.add(name);
    }

    private void run() {
        while (running) {
            for (String name : alive) {
                try {
                    Lease lease = client.leases().inNamespace("kube-node-lease").withName(name).get();
                    if (lease != null) {
                        lease.getSpec().setRenewTime(ZonedDateTime.now(ZoneOffset.UTC));
                        client.leases().inNamespace("kube-node-lease").resource(lease).update();
                    }
                    if (finalizeTerminating || startPods) {
                        for (Pod pod : client.pods().inAnyNamespace().withField("spec.nodeName", name).list().getItems()) {
                            if (pod.getMetadata().getDeletionTimestamp() != null && finalizeTerminating) {
                                client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                                        .withGracePeriod(0).delete();
                            } else if (pod.getMetadata().getDeletionTimestamp() == null && startPods && !"Running".equals(pod.getStatus().getPhase())) {
                                start(pod);
                            }
                        }
                    }
                } catch (KubernetesClientException | IllegalStateException e) {
                    // a conflict with the node lifecycle controller, or a closing client: try again next round
                }
            }
            try {
                Thread.sleep(renewMillis);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void start(Pod pod) {
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        pod.getStatus().setPhase("Running");
        pod.getStatus().setStartTime(now);
        pod.getStatus().getConditions().removeIf(c -> "Ready".equals(c.getType()));
        pod.getStatus().getConditions().add(new io.fabric8.kubernetes.api.model.PodConditionBuilder().withType("Ready").withStatus("True")
                .withLastTransitionTime(now).build());
        client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(pod).updateStatus();
    }

    @Override
    public void close() {
        running = false;
        loop.interrupt();
        try {
            loop.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
