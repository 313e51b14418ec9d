package dev.coracle.server.controller.nodeipam;

import dev.coracle.server.api.InternalClient;
import dev.coracle.server.api.Json;
import dev.coracle.server.bootstrap.ServerProperties;
import dev.coracle.server.controller.Controller;
import dev.coracle.server.controller.EventRecorder;
import dev.coracle.server.controller.Informer;
import dev.coracle.server.controller.Informers;
import dev.coracle.server.patch.PatchType;
import dev.coracle.server.store.RevisionRecord.EventType;
import io.fabric8.kubernetes.api.model.Node;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * kube-controller-manager's node IPAM controller with its range allocator: every Node gets a /24 of
 * {@code --cluster-cidr} (default 10.42.0.0/16) in {@code spec.podCIDR} and {@code spec.podCIDRs}.
 * What is taken is read back from the Nodes themselves whenever this server starts leading, so an
 * assignment is stable across restarts; a deleted Node's subnet is free again. A cluster out of subnets
 * gets a {@code CIDRNotAvailable} event on the node, as Kubernetes reports it.
 */
@Component
public class NodeIpamController extends Controller {

    private static final Logger log = LoggerFactory.getLogger(NodeIpamController.class);
    static final int NODE_CIDR_MASK = 24;

    private final InternalClient client;
    private final EventRecorder events;
    private final String clusterCidr;
    /** Assigned but perhaps not yet seen back through the informer: node name to subnet. */
    private final Map<String, String> assigned = new ConcurrentHashMap<>();
    /**
     * Nodes that found no free subnet: their own updates do not make one free, so they wait for a node to go
     * (a 1,000-node cluster in a /16 had 744 of them re-allocating, and writing an event, at every node update).
     */
    private final Set<String> waiting = ConcurrentHashMap.newKeySet();
    /**
     * The subnets taken, built from all nodes once and then kept up to date by the one worker's own allocations;
     * dropped (rebuilt at the next allocation) when a node goes or a node's subnet changes otherwise. Rebuilding it
     * for every node made registering 1,000 nodes quadratic.
     */
    private volatile CidrSet taken;
    private Informer<Node> nodes;

    public NodeIpamController(InternalClient client, EventRecorder events, ServerProperties properties) {
        this.client = client;
        this.events = events;
        this.clusterCidr = properties.clusterCidr();
        new CidrSet(clusterCidr, NODE_CIDR_MASK); // a bad --cluster-cidr fails the start, not every reconcile
    }

    @Override
    public String name() {
        return "nodeipam";
    }

    @Override
    protected int workerCount() {
        // one allocator: two workers could hand the same subnet to two nodes
        return 1;
    }

    @Override
    protected void register(Informers informers) {
        nodes = informers.of(Node.class);
        nodes.onChange(c -> {
            String node = c.current().getMetadata().getName();
            if (c.type() == EventType.DELETED || !ownAssignment(node, c.old(), c.current())) {
                taken = null;
            }
            if (c.type() == EventType.DELETED) {
                assigned.remove(node);
                waiting.clear();
                // its subnet is free again: nodes that found none get another try
                nodes.all().stream().filter(n -> n.getSpec() == null || n.getSpec().getPodCIDR() == null)
                        .forEach(n -> enqueue(n.getMetadata().getName()));
            } else if ((c.current().getSpec() == null || c.current().getSpec().getPodCIDR() == null) && !waiting.contains(node)) {
                enqueue(node);
            }
        });
    }

    @Override
    protected void started() {
        assigned.clear();
        waiting.clear();
        taken = null;
    }

    @Override
    protected void reconcile(String name) throws Exception {
        if (!nodes.waitForSync(30)) {
            throw new IllegalStateException("nodes not synced");
        }
        Node node = nodes.get(null, name).orElse(null);
        if (node == null || node.getMetadata().getDeletionTimestamp() != null
                || (node.getSpec() != null && node.getSpec().getPodCIDR() != null && !node.getSpec().getPodCIDR().isEmpty())) {
            return;
        }
        if (assigned.containsKey(name)) {
            return; // our patch is on its way through the informer
        }
        CidrSet set = taken;
        if (set == null) {
            set = occupied();
            taken = set;
        }
        String cidr = set.allocateNext();
        if (cidr == null) {
            waiting.add(name);
            events.warning(node, "cidrAllocator", "CIDRNotAvailable", "Node " + name + " status is now: CIDRNotAvailable");
            log.warn("no pod CIDR left in {} for node {}", clusterCidr, name);
            return;
        }
        String patch = Json.write(Map.of("spec", Map.of("podCIDR", cidr, "podCIDRs", List.of(cidr))));
        assigned.put(name, cidr);
        try {
            client.patch(Node.class, null, name, PatchType.MERGE_PATCH, patch);
        } catch (RuntimeException e) {
            assigned.remove(name);
            taken = null;
            throw e;
        }
        log.info("node {}: pod CIDR {}", name, cidr);
    }

    /** Whether a node change leaves its subnets as they were, or as this controller just set them. */
    private boolean ownAssignment(String node, Node old, Node current) {
        List<String> before = old == null ? List.of() : podCidrs(old);
        List<String> now = podCidrs(current);
        return before.equals(now) || (now.size() == 1 && now.get(0).equals(assigned.get(node)) && before.isEmpty());
    }

    private static List<String> podCidrs(Node n) {
        if (n.getSpec() == null) {
            return List.of();
        }
        if (n.getSpec().getPodCIDRs() != null && !n.getSpec().getPodCIDRs().isEmpty()) {
            return n.getSpec().getPodCIDRs();
        }
        return n.getSpec().getPodCIDR() == null ? List.of() : List.of(n.getSpec().getPodCIDR());
    }

    /** The subnets the current Nodes hold, plus the ones assigned and not yet seen back. */
    private CidrSet occupied() {
        CidrSet set = new CidrSet(clusterCidr, NODE_CIDR_MASK);
        for (Node n : nodes.all()) {
            if (n.getSpec() != null && n.getSpec().getPodCIDRs() != null) {
                n.getSpec().getPodCIDRs().forEach(set::occupy);
            } else if (n.getSpec() != null && n.getSpec().getPodCIDR() != null) {
                set.occupy(n.getSpec().getPodCIDR());
            }
        }
        assigned.forEach((node, cidr) -> {
            if (nodes.get(null, node).isPresent()) {
                set.occupy(cidr);
            }
        });
        return set;
    }
}
