package dev.coracle.agent.stats;

import dev.coracle.agent.runtime.ContainerCgroups;
import dev.coracle.agent.runtime.ProcStat;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU time and memory from Linux's {@code /proc} and cgroup (v2, or v1 cpuacct and memory) files: for the node, for a
 * container's cgroup when it has its own, else for the processes of its session (the process
 * runtime starts each container as a session leader, so its children and double forks stay in it).
 */
final class ProcStats {

    /** Cumulative CPU nanoseconds and the memory working set of something at one moment. */
    record Usage(long cpuNanos, long workingSetBytes, long rssBytes) {
        Usage plus(Usage other) {
            return new Usage(cpuNanos + other.cpuNanos, workingSetBytes + other.workingSetBytes, rssBytes + other.rssBytes);
        }
    }

    static final long TICKS_PER_SECOND = ticksPerSecond();
    static final long PAGE_SIZE = 4096;

    private ProcStats() {
    }

    /** Every process, read once per scrape. */
    static Map<Long, ProcStat> processes() {
        Map<Long, ProcStat> out = new HashMap<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path dir : dirs) {
                String stat = read(dir.resolve("stat"));
                if (stat != null) {
                    ProcStat.parse(stat).ifPresent(proc -> out.put(proc.pid(), proc));
                }
            }
        } catch (IOException e) {
            // not Linux: no per-process figures
        }
        return out;
    }

    /** A container whose main process is {@code pid}: its own cgroup's figures if it has one, else its session's processes. */
    static Usage container(long pid, Map<Long, ProcStat> processes) {
        Usage fromCgroup = cgroupOf(pid);
        if (fromCgroup != null) {
            return fromCgroup;
        }
        ProcStat main = processes.get(pid);
        if (main == null) {
            return new Usage(0, 0, 0);
        }
        long ticks = 0;
        long pages = 0;
        for (ProcStat p : members(main, processes)) {
            ticks += p.cpuTicks();
            pages += p.rssPages();
        }
        long rss = pages * PAGE_SIZE;
        return new Usage(ticks * (1_000_000_000L / TICKS_PER_SECOND), rss, rss);
    }

    private static List<ProcStat> members(ProcStat main, Map<Long, ProcStat> processes) {
        if (main.session() == main.pid()) {
            return processes.values().stream().filter(p -> p.session() == main.pid()).toList();
        }
        // not a session leader: the process and its descendants
        List<ProcStat> out = new java.util.ArrayList<>(List.of(main));
        for (int i = 0; i < out.size(); i++) {
            long parent = out.get(i).pid();
            processes.values().stream().filter(p -> p.parent() == parent).forEach(out::add);
        }
        return out;
    }

    /** The container's own cgroups' figures (v2, else v1 cpuacct and memory), or null when it has none of them. */
    private static Usage cgroupOf(long pid) {
        Map<String, Path> cgroups = ContainerCgroups.of(pid);
        Path unified = cgroups.get("");
        if (unified != null) {
            Map<String, Long> cpu = keyed(read(unified.resolve("cpu.stat")));
            String current = read(unified.resolve("memory.current"));
            if (cpu.containsKey("usage_usec") && current != null) {
                long memory = Long.parseLong(current.trim());
                Map<String, Long> stat = keyed(read(unified.resolve("memory.stat")));
                long workingSet = Math.max(0, memory - stat.getOrDefault("inactive_file", 0L));
                return new Usage(cpu.get("usage_usec") * 1000, workingSet, stat.getOrDefault("anon", workingSet));
            }
        }
        Path cpuacct = cgroups.get("cpuacct");
        Path memoryDir = cgroups.get("memory");
        if (cpuacct != null && memoryDir != null) {
            String usage = read(cpuacct.resolve("cpuacct.usage"));
            String memory = read(memoryDir.resolve("memory.usage_in_bytes"));
            if (usage != null && memory != null) {
                Map<String, Long> stat = keyed(read(memoryDir.resolve("memory.stat")));
                long workingSet = Math.max(0, Long.parseLong(memory.trim()) - stat.getOrDefault("total_inactive_file", 0L));
                return new Usage(Long.parseLong(usage.trim()), workingSet, stat.getOrDefault("total_rss", workingSet));
            }
        }
        return null;
    }

    /** The node: CPU from {@code /proc/stat} (all but idle and iowait), memory working set = MemTotal - MemAvailable. */
    static Usage node() {
        String stat = read(Path.of("/proc/stat"));
        long ticks = 0;
        if (stat != null) {
            String[] f = stat.lines().findFirst().orElse("cpu").trim().split("\\s+");
            int[] busy = {1, 2, 3, 6, 7, 8}; // user nice system irq softirq steal
            for (int i : busy) {
                if (i < f.length) {
                    ticks += Long.parseLong(f[i]);
                }
            }
        }
        Map<String, Long> mem = meminfo();
        long total = mem.getOrDefault("MemTotal", 0L);
        long available = mem.getOrDefault("MemAvailable", 0L);
        long rss = total - mem.getOrDefault("MemFree", 0L) - mem.getOrDefault("Buffers", 0L) - mem.getOrDefault("Cached", 0L);
        return new Usage(ticks * (1_000_000_000L / TICKS_PER_SECOND), Math.max(0, total - available), Math.max(0, rss));
    }

    /** {@code /proc/meminfo} in bytes. */
    static Map<String, Long> meminfo() {
        Map<String, Long> out = new HashMap<>();
        String text = read(Path.of("/proc/meminfo"));
        if (text != null) {
            text.lines().forEach(line -> {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    String[] value = line.substring(colon + 1).trim().split("\\s+");
                    long n = Long.parseLong(value[0]);
                    out.put(line.substring(0, colon), value.length > 1 && value[1].equals("kB") ? n * 1024 : n);
                }
            });
        }
        return out;
    }

    /** When the machine booted ({@code btime} of /proc/stat), epoch seconds. */
    static long bootTime() {
        String stat = read(Path.of("/proc/stat"));
        return stat == null ? 0 : stat.lines().filter(l -> l.startsWith("btime ")).mapToLong(l -> Long.parseLong(l.substring(6).trim()))
                .findFirst().orElse(0);
    }

    private static Map<String, Long> keyed(String text) {
        Map<String, Long> out = new HashMap<>();
        if (text != null) {
            text.lines().forEach(line -> {
                String[] kv = line.trim().split("\\s+");
                if (kv.length == 2 && kv[1].matches("\\d+")) {
                    out.put(kv[0], Long.parseLong(kv[1]));
                }
            });
        }
        return out;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static long ticksPerSecond() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor();
            return Long.parseLong(out);
        } catch (Exception e) {
            return 100;
        }
    }
}
