package dev.coracle.agent.stats;

import dev.coracle.agent.pods.PodManager.RunningContainer;
import io.fabric8.kubernetes.api.model.Pod;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The kubelet's summary API ({@code GET /stats/summary}): CPU ({@code usageCoreNanoSeconds} and the
 * rate {@code usageNanoCores} since the previous scrape) and memory ({@code workingSetBytes}) of
 * the node, of each pod and of each of its running containers.
 */
public class StatsCollector {

    private final String nodeName;
    private final Supplier<List<RunningContainer>> containers;
    /** The previous cumulative CPU reading of each thing measured, for the rate. */
    private final Map<String, long[]> previous = new HashMap<>();

    public StatsCollector(String nodeName, Supplier<List<RunningContainer>> containers) {
        this.nodeName = nodeName;
        this.containers = containers;
    }

    public synchronized Map<String, Object> summary() {
        boolean first = previous.isEmpty();
        Sample sample = sample();
        if (first) {
            // no earlier reading to take a rate from: take one a moment apart
            remember(sample);
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            sample = sample();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        String now = sample.time.truncatedTo(ChronoUnit.SECONDS).toString();
        Map<String, Object> node = new LinkedHashMap<>();
        node.put("nodeName", nodeName);
        node.put("systemContainers", List.of());
        node.put("startTime", Instant.ofEpochSecond(ProcStats.bootTime()).toString());
        node.put("cpu", cpu("node", sample.node, sample.time, now));
        Map<String, Long> meminfo = ProcStats.meminfo();
        Map<String, Object> memory = memory(sample.node, now);
        memory.put("availableBytes", meminfo.getOrDefault("MemAvailable", 0L));
        memory.put("usageBytes", meminfo.getOrDefault("MemTotal", 0L) - meminfo.getOrDefault("MemFree", 0L));
        node.put("memory", memory);
        out.put("node", node);

        Map<String, List<Measured>> byPod = new LinkedHashMap<>();
        for (Measured m : sample.containers) {
            byPod.computeIfAbsent(m.container.pod().getMetadata().getUid(), u -> new ArrayList<>()).add(m);
        }
        List<Object> pods = new ArrayList<>();
        for (List<Measured> members : byPod.values()) {
            Pod pod = members.get(0).container.pod();
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("podRef", Map.of("name", pod.getMetadata().getName(), "namespace", pod.getMetadata().getNamespace(),
                    "uid", pod.getMetadata().getUid()));
            p.put("startTime", pod.getStatus() != null && pod.getStatus().getStartTime() != null ? pod.getStatus().getStartTime()
                    : pod.getMetadata().getCreationTimestamp());
            List<Object> cs = new ArrayList<>();
            ProcStats.Usage total = new ProcStats.Usage(0, 0, 0);
            for (Measured m : members) {
                Map<String, Object> c = new LinkedHashMap<>();
                c.put("name", m.container.container());
                c.put("startTime", m.container.handle().startedAt().truncatedTo(ChronoUnit.SECONDS).toString());
                c.put("cpu", cpu(m.key, m.usage, sample.time, now));
                c.put("memory", memory(m.usage, now));
                cs.add(c);
                total = total.plus(m.usage);
            }
            p.put("containers", cs);
            p.put("cpu", cpu("pod/" + pod.getMetadata().getUid(), total, sample.time, now));
            p.put("memory", memory(total, now));
            pods.add(p);
        }
        out.put("pods", pods);
        remember(sample);
        return out;
    }

    private record Measured(String key, RunningContainer container, ProcStats.Usage usage) {
    }

    private record Sample(Instant time, ProcStats.Usage node, List<Measured> containers) {
    }

    private Sample sample() {
        Map<Long, dev.coracle.agent.runtime.ProcStat> processes = ProcStats.processes();
        List<Measured> measured = new ArrayList<>();
        for (RunningContainer c : containers.get()) {
            c.handle().mainPid().ifPresent(pid -> measured.add(new Measured(c.handle().id(), c, ProcStats.container(pid, processes))));
        }
        return new Sample(Instant.now(), ProcStats.node(), measured);
    }

    private void remember(Sample sample) {
        long at = sample.time.toEpochMilli() * 1_000_000L;
        Map<String, long[]> next = new HashMap<>();
        next.put("node", new long[]{sample.node.cpuNanos(), at});
        Map<String, Long> pods = new HashMap<>();
        for (Measured m : sample.containers) {
            next.put(m.key, new long[]{m.usage.cpuNanos(), at});
            pods.merge("pod/" + m.container.pod().getMetadata().getUid(), m.usage.cpuNanos(), Long::sum);
        }
        pods.forEach((k, v) -> next.put(k, new long[]{v, at}));
        previous.clear();
        previous.putAll(next);
    }

    private Map<String, Object> cpu(String key, ProcStats.Usage usage, Instant time, String now) {
        Map<String, Object> cpu = new LinkedHashMap<>();
        cpu.put("time", now);
        long[] before = previous.get(key);
        long at = time.toEpochMilli() * 1_000_000L;
        long rate = 0;
        if (before != null && at > before[1]) {
            rate = Math.max(0, (long) ((usage.cpuNanos() - before[0]) * 1e9 / (at - before[1])));
        }
        cpu.put("usageNanoCores", rate);
        cpu.put("usageCoreNanoSeconds", usage.cpuNanos());
        return cpu;
    }

    private static Map<String, Object> memory(ProcStats.Usage usage, String now) {
        Map<String, Object> memory = new LinkedHashMap<>();
        memory.put("time", now);
        memory.put("workingSetBytes", usage.workingSetBytes());
        memory.put("rssBytes", usage.rssBytes());
        return memory;
    }
}
