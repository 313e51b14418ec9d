package dev.coracle.agent.cgroups;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One hierarchy per controller ({@code /sys/fs/cgroup/memory/coracle/pod<uid>/<container>}, and the
 * same under {@code cpu}, {@code cpuacct} (no limit: the container's CPU time for stats) and {@code pids}), as on v1
 * and hybrid machines; where {@code cpu} and {@code cpuacct} are one hierarchy, both names lead to it. A container's process joins
 * each hierarchy's {@code cgroup.procs}.
 */
final class CgroupV1 extends Cgroups {

    private static final List<String> CONTROLLERS = List.of("memory", "cpu", "cpuacct", "pids");
    private final Path root;

    CgroupV1(Path root) {
        this.root = root;
    }

    @Override
    public String version() {
        return "v1";
    }

    @Override
    public List<Path> prepare(String podUid, String container, Limits containerLimits, Limits podLimits) throws IOException {
        List<Path> procs = new ArrayList<>();
        for (String controller : controllers()) {
            Path pod = root.resolve(controller).resolve(PARENT).resolve(podDirName(podUid));
            Path leaf = pod.resolve(container);
            Files.createDirectories(leaf);
            apply(controller, pod, podLimits);
            apply(controller, leaf, containerLimits);
            procs.add(leaf.resolve("cgroup.procs"));
        }
        return procs;
    }

    private List<String> controllers() {
        return CONTROLLERS.stream().filter(c -> Files.isDirectory(root.resolve(c))).toList();
    }

    private static void apply(String controller, Path dir, Limits limits) throws IOException {
        switch (controller) {
            case "memory" -> write(dir.resolve("memory.limit_in_bytes"),
                    limits.memoryBytes() == null ? "-1" : String.valueOf(limits.memoryBytes()));
            case "cpu" -> {
                write(dir.resolve("cpu.cfs_period_us"), String.valueOf(Limits.CFS_PERIOD_MICROS));
                Long quota = limits.cpuQuotaMicros();
                write(dir.resolve("cpu.cfs_quota_us"), quota == null ? "-1" : String.valueOf(quota));
                if (limits.cpuShares() != null) {
                    write(dir.resolve("cpu.shares"), String.valueOf(limits.cpuShares()));
                }
            }
            case "pids" -> write(dir.resolve("pids.max"), limits.pids() == null ? "max" : String.valueOf(limits.pids()));
            default -> {
            }
        }
    }

    @Override
    public List<Path> containerDirs(String podUid, String container) {
        return controllers().stream().map(c -> root.resolve(c).resolve(PARENT).resolve(podDirName(podUid)).resolve(container))
                .toList();
    }

    @Override
    public List<Path> podDirs(String podUid) {
        return controllers().stream().map(c -> root.resolve(c).resolve(PARENT).resolve(podDirName(podUid))).toList();
    }
}
