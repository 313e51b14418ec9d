package dev.coracle.server.scheduler;

import dev.coracle.server.api.Json;
import dev.coracle.server.testing.TestDatabases;
import dev.coracle.server.testing.TestServer;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Scheduler throughput: N simulated nodes registered, then P pending pods created through the HTTP API
 * by concurrent requests (pre-serialised JSON, answers drained); measured from the first create to the last binding written. A baseline
 * (100 nodes, 1,000 pods) and the target (1,000 nodes, 10,000 pods), each on a fresh server, in one run:
 * {@code mvn -o -q -B -pl control-plane test -Dtest=SchedulerThroughputBench -Dcoracle.bench=true}
 * (add {@code -Dcoracle.bench.postgres=true} under {@code ./coracle test} for PostgreSQL,
 * {@code -Dcoracle.bench.clients=N} for the number of requests in flight, 16 by default,
 * {@code -Dcoracle.bench.warmup-pods=N} for the unreported warm-up run before them, 10,000 pods on 200 nodes by default,
 * {@code -Dcoracle.bench.api=false} for the in-memory scheduling cycles only).
 */
@Tag("bench")
@EnabledIfSystemProperty(named = "coracle.bench", matches = "true")
class SchedulerThroughputBench {

    private static final int CLIENTS = Integer.getInteger("coracle.bench.clients", 16);
    private static final String CLUSTER_CIDR = "10.40.0.0/14";
    private static final int OWNERS = 100;

    @Test
    void throughput() throws Exception {
        List<String> cycles = new ArrayList<>();
        cycles.add("| nodes | pods | scheduling cycles/s (filter, score, assume; no store) | per CPU second of the scheduling thread |");
        cycles.add("|---|---|---|---|");
        for (int i = 0; i < 5; i++) {
            algorithm(100, 1_000); // warm-up: the JIT compiles the cycle's code, not reported
        }
        cycles.add(algorithm(100, 1_000));
        cycles.add(algorithm(1_000, 10_000));

        List<String> lines = new ArrayList<>();
        lines.add("| nodes | pods | store | creates/s | first create → last binding | pods/s | last create → last binding | attempt mean | attempt max |");
        lines.add("|---|---|---|---|---|---|---|---|---|");
        String load = load();
        if (!"false".equals(System.getProperty("coracle.bench.api"))) {
            // warm-up, not reported: the JIT compiles the create, bind and watch paths over tens of seconds of load (the
            // creates benchmark in bench/ sees the same); 500 pods left half of them interpreted or half-compiled
            int warmUpPods = Integer.getInteger("coracle.bench.warmup-pods", 10_000);
            run(Math.max(10, warmUpPods / 50), warmUpPods);
            lines.add(run(100, 1_000));
            lines.add(run(1_000, 10_000));
            lines.add("");
            lines.add("| nodes | pods | store | backlog: server up → last binding | pods/s | first → last binding | pods/s |");
            lines.add("|---|---|---|---|---|---|---|");
            lines.add(backlog(100, 1_000));
            lines.add(backlog(1_000, 10_000));
        }
        System.out.println("\nScheduler throughput (" + Instant.now() + ", " + Runtime.getRuntime().availableProcessors()
                + " cores, load average before/after " + load + " / " + load() + ", " + CLIENTS + " creating clients)");
        cycles.forEach(System.out::println);
        System.out.println();
        lines.forEach(System.out::println);
    }

    /** The scheduler alone: its cache filled with nodes, then one cycle per pod, each assumed on its node, as fast as it goes. */
    private static String algorithm(int nodeCount, int podCount) {
        SchedulerCache cache = new SchedulerCache();
        for (int i = 0; i < nodeCount; i++) {
            cache.setNode(node(String.format(Locale.ROOT, "node-%04d", i)));
        }
        List<String> owners = new ArrayList<>();
        for (int i = 0; i < OWNERS; i++) {
            owners.add(UUID.randomUUID().toString());
        }
        List<PodInfo> pods = new ArrayList<>();
        for (int i = 0; i < podCount; i++) {
            Pod pod = pod(i, owners.get(i % OWNERS));
            pod.getMetadata().setUid(UUID.randomUUID().toString());
            pods.add(PodInfo.of(pod));
        }
        SchedulingAlgorithm algorithm = new SchedulingAlgorithm(dev.coracle.server.scheduler.filter.Filter.defaults(),
                dev.coracle.server.scheduler.score.Score.defaults());
        // CPU time as well: on a shared machine the wall clock also measures the neighbours
        var threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpuStart = threads.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        for (PodInfo pod : pods) {
            synchronized (cache.lock()) {
                var result = algorithm.schedule(pod, cache);
                assertThat(result.node()).isNotNull();
                cache.assume(pod, result.node());
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double cpuSeconds = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e9;
        return String.format(Locale.ROOT, "| %,d | %,d | %,.0f | %,.0f |", nodeCount, podCount, podCount / seconds, podCount / cpuSeconds);
    }

    private static String load() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ")[0];
        } catch (java.io.IOException e) {
            return "?";
        }
    }

    private String run(int nodeCount, int podCount) throws Exception {
        boolean postgres = Boolean.getBoolean("coracle.bench.postgres");
        String store = postgres ? "postgres" : "h2";
        try (TestServer server = TestServer.start(postgres ? TestDatabases.newPostgresDatabase() : null,
                // room for a /24 per node, as a 1,000-node cluster is configured (10.42.0.0/16 holds 256)
                "--cluster-cidr", CLUSTER_CIDR,
                "--coracle.controllers.node-monitor-grace-period=1h",
                // the pods name owners that do not exist: without the garbage collector they are left alone
                "--coracle.controllers.disabled=garbagecollector");
             KubernetesClient client = server.client()) {
            ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
            try {
                List<Future<?>> created = new ArrayList<>();
                for (int i = 0; i < nodeCount; i++) {
                    Node node = node(String.format(Locale.ROOT, "node-%04d", i));
                    created.add(pool.submit(() -> client.nodes().resource(node).create()));
                }
                for (Future<?> f : created) {
                    f.get(120, TimeUnit.SECONDS);
                }
                MeterRegistry meters = server.bean(MeterRegistry.class);
                // let the node lifecycle controller's RegisteredNode events for the new nodes be written first
                waitUntil(() -> client.v1().events().inNamespace("default").list().getItems().stream()
                        .filter(e -> "RegisteredNode".equals(e.getReason())).count() >= nodeCount, 300_000);
                // and their pod CIDRs assigned, as a node has them before its kubelet reports it Ready
                waitUntil(() -> client.nodes().list().getItems().stream()
                        .filter(n -> n.getSpec().getPodCIDR() != null).count() >= nodeCount, 300_000);
                double before = scheduled(meters);

                List<String> owners = new ArrayList<>();
                for (int i = 0; i < OWNERS; i++) {
                    owners.add(UUID.randomUUID().toString());
                }
                List<byte[]> bodies = new ArrayList<>(podCount);
                for (int i = 0; i < podCount; i++) {
                    bodies.add(Json.bytes(pod(i, owners.get(i % OWNERS))));
                }
                long start = System.nanoTime();
                long createdAt = postAll(server, "/api/v1/namespaces/default/pods", bodies);
                waitUntil(() -> scheduled(meters) - before >= podCount, 600_000);
                long end = System.nanoTime();

                List<Pod> pods = client.pods().inNamespace("default").list().getItems();
                Map<String, Integer> perNode = new HashMap<>();
                for (Pod p : pods) {
                    assertThat(p.getSpec().getNodeName()).as("pod %s bound", p.getMetadata().getName()).isNotNull();
                    perNode.merge(p.getSpec().getNodeName(), 1, Integer::sum);
                }
                assertThat(pods).hasSize(podCount);
                assertThat(perNode.values()).allMatch(n -> n <= 110);

                var timer = meters.find("scheduler_scheduling_attempt_duration").tag("result", "scheduled").timer();
                double seconds = (end - start) / 1e9;
                double createSeconds = (createdAt - start) / 1e9;
                String line = String.format(Locale.ROOT, "| %,d | %,d | %s | %,.0f | %,.1f s | %,.0f | %,.2f s | %,.0f ms | %,.0f ms |",
                        nodeCount, podCount, store, podCount / createSeconds, seconds, podCount / seconds, (end - createdAt) / 1e9,
                        timer == null ? 0 : timer.mean(TimeUnit.MILLISECONDS), timer == null ? 0 : timer.max(TimeUnit.MILLISECONDS));
                System.out.printf(Locale.ROOT, "%d nodes, %d pods: %.2f s first create to last binding (%.2f s creating), nodes used %d, "
                        + "max pods on a node %d%n", nodeCount, podCount, seconds, createSeconds, perNode.size(),
                        perNode.values().stream().mapToInt(Integer::intValue).max().orElse(0));
                return line;
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /**
     * The scheduler draining a backlog, as kube-scheduler's scheduler_perf measures it: nodes and pods
     * created on a server whose controllers are off, then a server on the same store with them on; from
     * the moment it is up (and leading) to the last binding.
     */
    private String backlog(int nodeCount, int podCount) throws Exception {
        boolean postgres = Boolean.getBoolean("coracle.bench.postgres");
        String datastore = postgres ? TestDatabases.newPostgresDatabase() : null;
        java.nio.file.Path dataDir = java.nio.file.Files.createTempDirectory("coracle-bench-");
        try (TestServer server = TestServer.start(dataDir, datastore, "--coracle.controllers.enabled=false");
             KubernetesClient client = server.client()) {
            ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
            try {
                List<Future<?>> created = new ArrayList<>();
                for (int i = 0; i < nodeCount; i++) {
                    Node node = node(String.format(Locale.ROOT, "node-%04d", i));
                    created.add(pool.submit(() -> client.nodes().resource(node).create()));
                }
                String owner = UUID.randomUUID().toString();
                for (int i = 0; i < podCount; i++) {
                    Pod pod = pod(i, owner);
                    created.add(pool.submit(() -> client.pods().inNamespace("default").resource(pod).create()));
                }
                for (Future<?> f : created) {
                    f.get(600, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
        }
        try (TestServer server = TestServer.start(dataDir, datastore, "--cluster-cidr", CLUSTER_CIDR,
                "--coracle.controllers.node-monitor-grace-period=1h",
                "--coracle.controllers.disabled=garbagecollector")) {
            long start = System.nanoTime();
            MeterRegistry meters = server.bean(MeterRegistry.class);
            waitUntil(() -> scheduled(meters) >= 1, 600_000);
            long first = System.nanoTime();
            waitUntil(() -> scheduled(meters) >= podCount, 600_000);
            long end = System.nanoTime();
            double seconds = (end - start) / 1e9;
            double binding = (end - first) / 1e9;
            System.out.printf(Locale.ROOT, "backlog %d nodes, %d pods: %.2f s from the server up to the last binding, first after %.2f s%n",
                    nodeCount, podCount, seconds, (first - start) / 1e9);
            return String.format(Locale.ROOT, "| %,d | %,d | %s | %,.1f s | %,.0f | %,.1f s | %,.0f |", nodeCount, podCount,
                    postgres ? "postgres" : "h2", seconds, podCount / seconds, binding, (podCount - 1) / binding);
        }
    }

    /**
     * POSTs the bodies, {@link #CLIENTS} requests in flight over as many kept-alive connections, and drains the
     * answers without decoding them: a client as light as client-go's, so that the server and its scheduler are
     * what is measured rather than a Java client's model round trips. Returns when the last create was answered.
     */
    private static long postAll(TestServer server, String path, List<byte[]> bodies) throws Exception {
        SslContext ssl = SslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE).build();
        ConnectionProvider connections = ConnectionProvider.create("bench-creates", CLIENTS);
        HttpClient http = HttpClient.create(connections).secure(spec -> spec.sslContext(ssl)).headers(h -> h
                .add("Authorization", "Bearer " + server.adminToken()).add("Content-Type", "application/json")
                .add("Accept", "application/json"));
        try {
            Flux.fromIterable(bodies).flatMap(body -> http.post().uri(server.url() + path)
                    .send(Mono.just(Unpooled.wrappedBuffer(body)))
                    .responseSingle((head, content) -> head.status().code() == 201 ? content.then()
                            : content.asString().defaultIfEmpty("").flatMap(text -> Mono.error(
                                    new IllegalStateException("create answered " + head.status() + ": " + text)))), CLIENTS)
                    .blockLast(Duration.ofMinutes(10));
            return System.nanoTime();
        } finally {
            connections.dispose();
        }
    }

    private static double scheduled(MeterRegistry meters) {
        Counter c = meters.find("scheduler_schedule_attempts").tag("result", "scheduled").counter();
        return c == null ? 0 : c.count();
    }

    private static void waitUntil(java.util.function.BooleanSupplier condition, long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out after " + millis + " ms");
            }
            Thread.sleep(20);
        }
    }

    private static Node node(String name) {
        String now = Instant.now().toString();
        Map<String, Quantity> capacity = Map.of("cpu", new Quantity("32"), "memory", new Quantity("128Gi"),
                "pods", new Quantity("110"), "ephemeral-storage", new Quantity("100Gi"));
        return new NodeBuilder().withNewMetadata().withName(name).addToLabels("kubernetes.io/hostname", name).endMetadata()
                .withNewSpec().endSpec()
                .withNewStatus().withCapacity(capacity).withAllocatable(capacity)
                .addNewCondition().withType("Ready").withStatus("True").withReason("KubeletReady").withLastHeartbeatTime(now)
                .withLastTransitionTime(now).endCondition().endStatus().build();
    }

    private static Pod pod(int i, String owner) {
        return new PodBuilder().withNewMetadata().withName(String.format(Locale.ROOT, "pod-%05d", i)).withNamespace("default")
                .addToLabels("app", "bench").addToOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1")
                        .withKind("ReplicaSet").withName("rs-" + owner.substring(0, 8)).withUid(owner).withController(true).build())
                .endMetadata()
                .withNewSpec().addNewContainer().withName("main").withImage("registry.k8s.io/pause:3.10")
                .withNewResources().addToRequests("cpu", new Quantity("100m")).addToRequests("memory", new Quantity("128Mi")).endResources()
                .endContainer().endSpec().build();
    }
}
