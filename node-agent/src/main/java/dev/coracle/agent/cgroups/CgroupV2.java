package dev.coracle.agent.cgroups;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The unified hierarchy: {@code /sys/fs/cgroup/coracle/pod<uid>/<container>}. Controllers are
 * enabled down the path through {@code cgroup.subtree_control}; processes live in the leaves only
 * (v2's no-internal-process rule), so the pod level carries limits and the containers the processes.
 */
final class CgroupV2 extends Cgroups {

    private static final List<String> CONTROLLERS = List.of("cpu", "memory", "pids");
    private final Path root;

    CgroupV2(Path root) {
        this.root = root;
    }

    @Override
    public String version() {
        return "v2";
    }

    @Override
    public List<Path> prepare(String podUid, String container, Limits containerLimits, Limits podLimits) throws IOException {
        Path parent = root.resolve(PARENT);
        Path pod = parent.resolve(podDirName(podUid));
        Path leaf = pod.resolve(container);
        Files.createDirectories(leaf);
        String enable = enabled();
        for (Path level : List.of(root, parent, pod)) {
            if (!enable.isEmpty()) {
                write(level.resolve("cgroup.subtree_control"), enable);
            }
        }
        apply(pod, podLimits);
        apply(leaf, containerLimits);
        return List.of(leaf.resolve("cgroup.procs"));
    }

    /** The controllers this machine offers, as {@code +cpu +memory +pids}. */
    private String enabled() throws IOException {
        Path available = root.resolve("cgroup.controllers");
        List<String> have = Files.exists(available) ? List.of(Files.readString(available).trim().split("\\s+")) : List.of();
        List<String> enable = new ArrayList<>();
        for (String c : CONTROLLERS) {
            if (have.contains(c)) {
                enable.add("+" + c);
            }
        }
        return String.join(" ", enable);
    }

    private static void apply(Path dir, Limits limits) throws IOException {
        write(dir.resolve("memory.max"), limits.memoryBytes() == null ? "max" : String.valueOf(limits.memoryBytes()));
        Long quota = limits.cpuQuotaMicros();
        write(dir.resolve("cpu.max"), (quota == null ? "max" : String.valueOf(quota)) + " " + Limits.CFS_PERIOD_MICROS);
        if (limits.cpuShares() != null) {
            write(dir.resolve("cpu.weight"), String.valueOf(Limits.weightFor(limits.cpuShares())));
        }
        if (limits.pids() != null) {
            write(dir.resolve("pids.max"), String.valueOf(limits.pids()));
        }
    }

    @Override
    public List<Path> containerDirs(String podUid, String container) {
        return List.of(root.resolve(PARENT).resolve(podDirName(podUid)).resolve(container));
    }

    @Override
    public List<Path> podDirs(String podUid) {
        return List.of(root.resolve(PARENT).resolve(podDirName(podUid)));
    }
}
