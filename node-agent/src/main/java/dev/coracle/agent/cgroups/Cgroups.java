package dev.coracle.agent.cgroups;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Per-pod and per-container cgroups under a {@code coracle} parent, where containers' limits are
 * enforced: {@code coracle/pod<uid>/<container>}. Cgroup v2 (one unified tree) and v1 (one tree per
 * controller, as on hybrid systems) differ in paths and file names only; {@link #detect} picks what
 * the machine has, or says why limits cannot be enforced (not root, no cgroupfs).
 */
public abstract class Cgroups {

    private static final Logger log = LoggerFactory.getLogger(Cgroups.class);
    public static final String PARENT = "coracle";

    /** Looks at {@code /sys/fs/cgroup} as it is mounted here. */
    public static Cgroups detect() {
        return detect(Path.of("/sys/fs/cgroup"), effectiveUid());
    }

    /** As {@link #detect()}, for another mount point and uid (tests). */
    public static Cgroups detect(Path root, long uid) {
        if (uid != 0) {
            return new Unavailable("the agent runs as uid " + uid + ", not root: container resource limits are not enforced"
                    + " (cgroups need root)");
        }
        if (Files.exists(root.resolve("cgroup.controllers"))) {
            return new CgroupV2(root);
        }
        if (Files.isDirectory(root.resolve("memory")) || Files.isDirectory(root.resolve("cpu"))) {
            return new CgroupV1(root);
        }
        return new Unavailable("no cgroup filesystem at " + root + ": container resource limits are not enforced");
    }

    /** "v1", "v2" or "none". */
    public abstract String version();

    /** Why limits are not enforced, when they are not. */
    public Optional<String> unavailableReason() {
        return Optional.empty();
    }

    /**
     * Creates (or updates) the pod's and the container's cgroups and writes their limits; returns the
     * {@code cgroup.procs} files the container's first process must join before it runs anything.
     */
    public abstract List<Path> prepare(String podUid, String container, Limits containerLimits, Limits podLimits)
            throws IOException;

    /** The container's cgroup directories (one for v2, one per controller for v1). */
    public abstract List<Path> containerDirs(String podUid, String container);

    /** The pod's cgroup directories. */
    public abstract List<Path> podDirs(String podUid);

    /**
     * Removes the pod's cgroups once its processes are gone. A process the kernel is still tearing down
     * keeps its cgroup busy for a moment after it was reaped, so this tries again for up to two seconds.
     */
    public void removePod(String podUid) {
        long until = System.nanoTime() + 2_000_000_000L;
        for (Path dir : podDirs(podUid)) {
            removeTree(dir);
            while (Files.exists(dir) && System.nanoTime() < until) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                removeTree(dir);
            }
            if (Files.exists(dir)) {
                log.warn("cgroup {} is still busy: left behind", dir);
            }
        }
    }

    static String podDirName(String podUid) {
        return "pod" + podUid;
    }

    static void write(Path file, String value) throws IOException {
        Files.writeString(file, value);
    }

    /** cgroupfs directories go with rmdir, deepest first; their control files cannot be deleted. */
    static void removeTree(Path dir) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            List<Path> dirs = new ArrayList<>(walk.filter(Files::isDirectory).toList());
            dirs.sort(Comparator.comparingInt(Path::getNameCount).reversed());
            for (Path d : dirs) {
                try {
                    Files.delete(d);
                } catch (IOException e) {
                    // a plain directory (the v2 unit test's) holds files: clear them, then retry
                    try (Stream<Path> files = Files.list(d)) {
                        for (Path f : files.filter(Files::isRegularFile).toList()) {
                            Files.deleteIfExists(f);
                        }
                        Files.deleteIfExists(d);
                    } catch (IOException again) {
                        log.debug("cannot remove cgroup {}: {}", d, again.getMessage());
                    }
                }
            }
        } catch (IOException e) {
            log.debug("cannot walk cgroup {}: {}", dir, e.getMessage());
        }
    }

    static long effectiveUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Long.parseLong(line.substring(4).trim().split("\\s+")[1]);
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux
        }
        return -1;
    }

    /** Limits cannot be enforced here; containers still run. */
    static final class Unavailable extends Cgroups {
        private final String reason;

        Unavailable(String reason) {
            this.reason = reason;
        }

        @Override
        public String version() {
            return "none";
        }

        @Override
        public Optional<String> unavailableReason() {
            return Optional.of(reason);
        }

        @Override
        public List<Path> prepare(String podUid, String container, Limits containerLimits, Limits podLimits) {
            return List.of();
        }

        @Override
        public List<Path> containerDirs(String podUid, String container) {
            return List.of();
        }

        @Override
        public List<Path> podDirs(String podUid) {
            return List.of();
        }
    }
}
