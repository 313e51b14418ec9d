package dev.coracle.dashboard.metrics;

import dev.coracle.dashboard.cluster.ApiProblem;
import dev.coracle.dashboard.cluster.RawApi;
import dev.coracle.dashboard.view.Quantities;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.NodeMetricsList;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.PodMetricsList;
import io.fabric8.kubernetes.client.KubernetesClient;
import tools.jackson.databind.JsonNode;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * CPU and memory over time for one identity. Coracle's control plane keeps an hour of history
 * ({@code GET /v1-coracle/metrics/history}); another cluster only serves the current values of metrics.k8s.io, so
 * then the dashboard samples those itself every 15 s (while someone looks, and for an hour back at most). Without
 * metrics.k8s.io there is nothing to show, and the page says so.
 */
public final class MetricsSource {

    enum Mode { UNKNOWN, HISTORY, SAMPLING, NONE }

    static final String HISTORY = "/v1-coracle/metrics/history";
    private static final int KEEP = 240; // an hour at 15 s
    private static final long RECHECK_MS = 5 * 60_000;
    private static final long WANTED_MS = 10 * 60_000;

    private final KubernetesClient client;
    private volatile Mode mode = Mode.UNKNOWN;
    private volatile long modeCheckedAt;
    private volatile String noneReason;
    private volatile long lastWanted;
    private final Deque<Sample> cluster = new ArrayDeque<>();
    private final Map<String, Deque<Sample>> nodes = new ConcurrentHashMap<>();
    private final Map<String, Deque<Sample>> pods = new ConcurrentHashMap<>();
    private volatile Map<String, Sample> latestNodes = Map.of();
    private volatile long latestNodesAt;

    MetricsSource(KubernetesClient client) {
        this.client = client;
    }

    public Series cluster() {
        return series("kind=Cluster", cluster);
    }

    public Series node(String name) {
        return series("kind=Node&name=" + enc(name), nodes.get(name));
    }

    public Series pod(String namespace, String name) {
        return series("kind=Pod&namespace=" + enc(namespace) + "&name=" + enc(name), pods.get(namespace + "/" + name));
    }

    /** The latest NodeMetrics usage by node name (empty when metrics.k8s.io is not served), at most 15 s old. */
    public Map<String, Sample> nodeUsage() {
        lastWanted = System.currentTimeMillis();
        if (System.currentTimeMillis() - latestNodesAt > 15_000) {
            try {
                latestNodes = fetchNodes();
            } catch (ApiProblem e) {
                latestNodes = Map.of();
            }
            latestNodesAt = System.currentTimeMillis();
        }
        return latestNodes;
    }

    private Series series(String query, Deque<Sample> sampled) {
        lastWanted = System.currentTimeMillis();
        Mode m = mode();
        if (m == Mode.HISTORY) {
            RawApi.Answer a = RawApi.get(client, HISTORY + "?" + query);
            if (a.code() == 404) {
                return new Series(List.of(), "history", null);
            }
            if (!a.ok()) {
                throw new ApiProblem(a.code(), "metrics history: " + a.body());
            }
            return new Series(parseHistory(a.body()), "history", null);
        }
        if (m == Mode.SAMPLING) {
            if (sampled == null) {
                return new Series(List.of(), "sampled", null);
            }
            synchronized (sampled) {
                return new Series(new ArrayList<>(sampled), "sampled", null);
            }
        }
        return Series.unavailable(noneReason);
    }

    private Mode mode() {
        long now = System.currentTimeMillis();
        if (mode == Mode.UNKNOWN || (mode != Mode.HISTORY && now - modeCheckedAt > RECHECK_MS)) {
            modeCheckedAt = now;
            RawApi.Answer history = RawApi.get(client, HISTORY + "?kind=Cluster");
            if (history.ok()) {
                mode = Mode.HISTORY;
            } else {
                RawApi.Answer nodeMetrics = RawApi.get(client, "/apis/metrics.k8s.io/v1beta1/nodes");
                if (nodeMetrics.ok()) {
                    if (mode != Mode.SAMPLING) {
                        mode = Mode.SAMPLING;
                        sample();
                    }
                } else if (nodeMetrics.code() == 401 || nodeMetrics.code() == 403) {
                    throw new ApiProblem(nodeMetrics.code(), "metrics.k8s.io: " + nodeMetrics.body());
                } else {
                    mode = Mode.NONE;
                    noneReason = "This cluster serves no metrics API: GET /apis/metrics.k8s.io/v1beta1/nodes answered "
                            + nodeMetrics.code() + " (install metrics-server, or use Coracle's control plane, which serves it).";
                }
            }
        }
        return mode;
    }

    static List<Sample> parseHistory(String json) {
        JsonNode root = tools.jackson.databind.json.JsonMapper.builder().build().readTree(json);
        List<Sample> points = new ArrayList<>();
        for (JsonNode p : root.path("points")) {
            points.add(new Sample(Instant.parse(p.path("timestamp").asString()), p.path("cpuNanoCores").asLong(),
                    p.path("memoryBytes").asLong()));
        }
        return points;
    }

    void sampleIfNeeded() {
        if (mode == Mode.SAMPLING && System.currentTimeMillis() - lastWanted < WANTED_MS) {
            try {
                sample();
            } catch (RuntimeException e) {
                // unreachable for a moment: the series just has a gap, as kubectl top would
            }
        }
    }

    private synchronized void sample() {
        Map<String, Sample> nodeSamples = fetchNodes();
        latestNodes = nodeSamples;
        latestNodesAt = System.currentTimeMillis();
        long cpu = 0;
        long mem = 0;
        Instant at = Instant.now();
        for (var e : nodeSamples.entrySet()) {
            append(nodes.computeIfAbsent(e.getKey(), k -> new ArrayDeque<>()), e.getValue());
            cpu += e.getValue().cpuNanoCores();
            mem += e.getValue().memoryBytes();
        }
        append(cluster, new Sample(at, cpu, mem));
        RawApi.Answer a = RawApi.get(client, "/apis/metrics.k8s.io/v1beta1/pods");
        if (a.ok()) {
            PodMetricsList list = client.getKubernetesSerialization().unmarshal(a.body(), PodMetricsList.class);
            Map<String, Boolean> seen = new HashMap<>();
            for (var pm : list.getItems()) {
                long c = 0;
                long m = 0;
                for (var container : pm.getContainers()) {
                    c += Quantities.nanocores(container.getUsage().get("cpu"));
                    m += Quantities.bytes(container.getUsage().get("memory"));
                }
                String key = pm.getMetadata().getNamespace() + "/" + pm.getMetadata().getName();
                seen.put(key, true);
                append(pods.computeIfAbsent(key, k -> new ArrayDeque<>()), new Sample(timestamp(pm.getTimestamp(), at), c, m));
            }
            pods.keySet().removeIf(k -> !seen.containsKey(k) && last(pods.get(k)).isBefore(at.minusSeconds(3600)));
        }
    }

    private Map<String, Sample> fetchNodes() {
        RawApi.Answer a = RawApi.get(client, "/apis/metrics.k8s.io/v1beta1/nodes");
        if (!a.ok()) {
            return Map.of();
        }
        NodeMetricsList list = client.getKubernetesSerialization().unmarshal(a.body(), NodeMetricsList.class);
        Map<String, Sample> out = new HashMap<>();
        Instant now = Instant.now();
        for (var nm : list.getItems()) {
            out.put(nm.getMetadata().getName(), new Sample(timestamp(nm.getTimestamp(), now),
                    Quantities.nanocores(nm.getUsage().get("cpu")), Quantities.bytes(nm.getUsage().get("memory"))));
        }
        return out;
    }

    private static Instant timestamp(String s, Instant otherwise) {
        try {
            return s == null ? otherwise : Instant.parse(s);
        } catch (RuntimeException e) {
            return otherwise;
        }
    }

    private static Instant last(Deque<Sample> d) {
        synchronized (d) {
            return d.isEmpty() ? Instant.EPOCH : d.peekLast().timestamp();
        }
    }

    private static void append(Deque<Sample> d, Sample s) {
        synchronized (d) {
            if (!d.isEmpty() && !s.timestamp().isAfter(d.peekLast().timestamp())) {
                return; // the same metrics window again
            }
            d.addLast(s);
            while (d.size() > KEEP) {
                d.removeFirst();
            }
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    public String modeName() {
        return mode.name().toLowerCase();
    }
}
