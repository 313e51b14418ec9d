package dev.coracle.server.nodemetrics;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the scrapes of the agents' {@code /stats/summary} leave: the current usage of each node and
 * pod — CPU as the rate between the two newest scrapes, as metrics-server computes it, memory as the
 * newest working set — and an hour of history for the cluster, each node and each pod.
 */
@Component
public class MetricsStore {

    static final Duration HISTORY = Duration.ofHours(1);

    /** One figure of a moment: CPU rate and memory working set. */
    public record Point(Instant timestamp, long cpuNanoCores, long memoryBytes) {
    }

    public record Usage(Instant timestamp, Duration window, long cpuNanoCores, long memoryBytes) {
    }

    public record PodUsage(String namespace, String name, String node, Instant timestamp, Duration window,
                           Map<String, Usage> containers) {
        long cpu() {
            return containers.values().stream().mapToLong(Usage::cpuNanoCores).sum();
        }

        long memory() {
            return containers.values().stream().mapToLong(Usage::memoryBytes).sum();
        }
    }

    /** A cumulative CPU reading, to take the next rate from. */
    private record Reading(Instant time, long cpuCumulative) {
    }

    private final Duration resolution;
    private final Map<String, Reading> readings = new HashMap<>();
    private final Map<String, Usage> nodes = new LinkedHashMap<>();
    private final Map<String, PodUsage> pods = new LinkedHashMap<>();
    private final Map<String, Deque<Point>> history = new HashMap<>();
    /** The readings taken in the current round: the others belong to what is gone. */
    private final Set<String> seen = new java.util.HashSet<>();

    public MetricsStore(@Value("${coracle.metrics.resolution:15s}") Duration resolution) {
        this.resolution = resolution;
    }

    public Duration resolution() {
        return resolution;
    }

    /** One node's summary, scraped at {@code time}. */
    public synchronized void record(String node, Instant time, JsonNode summary) {
        JsonNode n = summary.path("node");
        nodes.put(node, usage("node/" + node, time, n));
        pods.values().removeIf(p -> p.node().equals(node));
        for (JsonNode pod : summary.path("pods")) {
            JsonNode ref = pod.path("podRef");
            String namespace = ref.path("namespace").asString("");
            String name = ref.path("name").asString("");
            String uid = ref.path("uid").asString("");
            Map<String, Usage> containers = new LinkedHashMap<>();
            for (JsonNode c : pod.path("containers")) {
                String container = c.path("name").asString("");
                containers.put(container, usage("container/" + uid + "/" + container, time, c));
            }
            if (containers.isEmpty()) {
                continue;
            }
            Usage first = containers.values().iterator().next();
            pods.put(namespace + "/" + name, new PodUsage(namespace, name, node, first.timestamp(), first.window(), containers));
        }
        append("Node/" + node, new Point(second(time), nodes.get(node).cpuNanoCores(), nodes.get(node).memoryBytes()));
        for (PodUsage p : pods.values()) {
            if (p.node().equals(node)) {
                append("Pod/" + p.namespace() + "/" + p.name(), new Point(second(time), p.cpu(), p.memory()));
            }
        }
    }

    /** A round of scrapes is over: nodes not scraped in it (gone, not Ready, unreachable) have no current figures; the cluster gets its point. */
    public synchronized void roundDone(Instant time, Set<String> scraped) {
        nodes.keySet().retainAll(scraped);
        pods.values().removeIf(p -> !scraped.contains(p.node()));
        readings.keySet().retainAll(seen);
        seen.clear();
        long cpu = nodes.values().stream().mapToLong(Usage::cpuNanoCores).sum();
        long memory = nodes.values().stream().mapToLong(Usage::memoryBytes).sum();
        if (!scraped.isEmpty()) {
            append("Cluster", new Point(second(time), cpu, memory));
        }
        Instant oldest = time.minus(HISTORY);
        history.values().forEach(points -> points.removeIf(p -> p.timestamp().isBefore(oldest)));
        history.values().removeIf(Deque::isEmpty);
    }

    public synchronized Optional<Usage> node(String name) {
        return Optional.ofNullable(nodes.get(name));
    }

    public synchronized Optional<PodUsage> pod(String namespace, String name) {
        return Optional.ofNullable(pods.get(namespace + "/" + name));
    }

    public synchronized Collection<PodUsage> pods() {
        return List.copyOf(pods.values());
    }

    /** The history of {@code Cluster}, {@code Node/NAME} or {@code Pod/NS/NAME}, oldest first; empty if there is none. */
    public synchronized List<Point> history(String key) {
        Deque<Point> points = history.get(key);
        return points == null ? List.of() : new ArrayList<>(points);
    }

    private Usage usage(String key, Instant time, JsonNode stats) {
        long cumulative = stats.path("cpu").path("usageCoreNanoSeconds").asLong(0);
        long agentRate = stats.path("cpu").path("usageNanoCores").asLong(0);
        long memory = stats.path("memory").path("workingSetBytes").asLong(0);
        Reading before = readings.put(key, new Reading(time, cumulative));
        seen.add(key);
        if (before != null && time.isAfter(before.time()) && cumulative >= before.cpuCumulative()) {
            Duration window = Duration.between(before.time(), time);
            long rate = (long) ((cumulative - before.cpuCumulative()) * 1e9 / window.toNanos());
            return new Usage(second(time), window, rate, memory);
        }
        // the first scrape (or a restarted container): the agent's own rate over its last interval
        return new Usage(second(time), resolution, agentRate, memory);
    }

    private void append(String key, Point point) {
        Deque<Point> points = history.computeIfAbsent(key, k -> new ArrayDeque<>());
        if (!points.isEmpty() && !points.peekLast().timestamp().isBefore(point.timestamp())) {
            points.pollLast();
        }
        points.addLast(point);
    }

    private static Instant second(Instant time) {
        return time.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    }
}
